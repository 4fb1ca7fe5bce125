<?php
/**
 * aftercare's `support_reply` message (plain text).
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-support-reply.php.
 *
 * @package Aftercare
 *
 * @var \WC_Order                 $order              The order.
 * @var string                    $email_heading      Heading.
 * @var string                    $additional_content From the email's settings.
 * @var \Aftercare\Customer_Email $email              The email.
 * @var array<string,mixed>       $data               The message's data from aftercare (`support.reply`: author, body).
 * @var string                    $first_name         Whom to greet.
 */

use Aftercare\Data;

defined( 'ABSPATH' ) || exit;

$aftercare_reply  = Data::obj( Data::obj( $data, 'support' ) ?? array(), 'reply' ) ?? array();
$aftercare_author = Data::str( $aftercare_reply, 'author' );
$aftercare_body   = Data::str( $aftercare_reply, 'body' );

echo "=\n" . esc_html( wp_strip_all_tags( $email_heading ) ) . "\n=\n\n";
wc_get_template( 'emails/plain/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base );
/* translators: %s: order number */
echo esc_html( sprintf( __( 'Here is our answer to your question about order #%s.', 'aftercare-for-woocommerce' ), $order->get_order_number() ) ) . "\n\n";
if ( '' !== $aftercare_author ) {
	/* translators: %s: the name of the staff member who answered */
	echo esc_html( sprintf( __( '%s wrote:', 'aftercare-for-woocommerce' ), $aftercare_author ) ) . "\n";
}
foreach ( preg_split( '/\r\n|\r|\n/', $aftercare_body ) as $aftercare_line ) {
	echo '> ' . esc_html( $aftercare_line ) . "\n";
}
echo "\n" . esc_html__( 'To write back, open the order in your account.', 'aftercare-for-woocommerce' ) . "\n";
wc_get_template( 'emails/plain/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
