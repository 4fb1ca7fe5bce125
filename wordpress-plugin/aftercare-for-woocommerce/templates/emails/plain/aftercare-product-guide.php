<?php
/**
 * aftercare's `product_guide` message (plain text).
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-product-guide.php.
 *
 * @package Aftercare
 *
 * @var \WC_Order                 $order              The order.
 * @var string                    $email_heading      Heading.
 * @var string                    $additional_content From the email's settings.
 * @var \Aftercare\Customer_Email $email              The email.
 * @var array<string,mixed>       $data               The message's data: guides.
 * @var string                    $first_name         Whom to greet.
 */

use Aftercare\Data;

defined( 'ABSPATH' ) || exit;

echo "=\n" . esc_html( wp_strip_all_tags( $email_heading ) ) . "\n=\n\n";
wc_get_template( 'emails/plain/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base );
/* translators: %s: order number */
echo esc_html( sprintf( __( 'We hope order #%s arrived well. Here is how to get the most out of it:', 'aftercare-for-woocommerce' ), $order->get_order_number() ) ) . "\n\n";
foreach ( Data::rows( $data, 'guides' ) as $aftercare_guide ) {
	echo esc_html( strtoupper( Data::str( $aftercare_guide, 'name' ) ) ) . "\n";
	if ( '' !== Data::str( $aftercare_guide, 'text' ) ) {
		echo esc_html( Data::str( $aftercare_guide, 'text' ) ) . "\n";
	}
	foreach ( Data::rows( $aftercare_guide, 'links' ) as $aftercare_link ) {
		if ( '' !== Data::url( $aftercare_link, 'url' ) ) {
			echo '- ' . esc_html( Data::str( $aftercare_link, 'title' ) ) . ': ' . esc_url_raw( Data::url( $aftercare_link, 'url' ) ) . "\n";
		}
	}
	echo "\n";
}
wc_get_template( 'emails/plain/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
