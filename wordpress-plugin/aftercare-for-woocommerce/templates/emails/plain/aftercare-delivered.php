<?php
/**
 * aftercare's `delivered` message (plain text).
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-delivered.php.
 *
 * @package Aftercare
 *
 * @var \WC_Order                 $order              The order.
 * @var string                    $email_heading      Heading.
 * @var string                    $additional_content From the email's settings.
 * @var \Aftercare\Customer_Email $email              The email.
 * @var array<string,mixed>       $data               The message's data from aftercare.
 * @var array<string,mixed>       $facts              Tracking page, parcels and expected date.
 * @var array<string,string>|null $parcel             The parcel this message is about.
 * @var array<string,mixed>|null  $delay              delayed: previous_date, new_date, reason, action.
 * @var array<string,mixed>|null  $return             return_update: id, status, refund, note.
 * @var array<string,mixed>|null  $refund             return_update: amount and currency, or null.
 * @var string                    $first_name         Whom to greet.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Order_Emails;
use Aftercare\Order_Facts;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

echo "=\n" . esc_html( wp_strip_all_tags( $email_heading ) ) . "\n=\n\n";
wc_get_template( 'emails/plain/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base );
/* translators: %s: order number */
echo esc_html( sprintf( __( 'Your order #%s has been delivered.', 'aftercare-for-woocommerce' ), $order->get_order_number() ) ) . "\n";
if ( $facts['parcels'] || '' !== $facts['tracking_url'] ) {
	echo Order_Emails::render_facts( $facts, true ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- plain text, escaped in the template.
}
$aftercare_lines = array();
foreach ( Data::rows( $data, 'guides' ) as $aftercare_guide ) {
	foreach ( Data::rows( $aftercare_guide, 'links' ) as $aftercare_link ) {
		if ( '' !== Data::url( $aftercare_link, 'url' ) ) {
			$aftercare_lines[] = '- ' . esc_html( Data::str( $aftercare_guide, 'name' ) . ': ' . Data::str( $aftercare_link, 'title' ) ) . ' ' . esc_url_raw( Data::url( $aftercare_link, 'url' ) );
		}
	}
}
if ( $aftercare_lines ) {
	echo "\n" . esc_html__( 'Getting started', 'aftercare-for-woocommerce' ) . "\n" . implode( "\n", $aftercare_lines ) . "\n\n"; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
}
wc_get_template( 'emails/plain/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
