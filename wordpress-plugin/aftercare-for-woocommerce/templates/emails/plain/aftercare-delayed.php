<?php
/**
 * aftercare's `delayed` message (plain text).
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-delayed.php.
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
$aftercare_was = Order_Facts::show_day( Data::str( $delay, 'previous_date' ) );
$aftercare_new = Order_Facts::show_day( Data::str( $delay, 'new_date' ) );
$aftercare_act = Data::str( $delay, 'action' );
/* translators: %s: order number */
echo esc_html( sprintf( __( 'We are sorry: your order #%s is taking longer than we said.', 'aftercare-for-woocommerce' ), $order->get_order_number() ) ) . "\n\n";
if ( '' !== $aftercare_was && '' !== $aftercare_new ) {
	/* translators: 1: the date it was expected by, 2: the new expected date */
	echo esc_html( sprintf( __( 'It was expected by %1$s. The new expected date is %2$s.', 'aftercare-for-woocommerce' ), $aftercare_was, $aftercare_new ) ) . "\n";
} elseif ( '' !== $aftercare_new ) {
	/* translators: %s: the new expected date */
	echo esc_html( sprintf( __( 'The new expected date is %s.', 'aftercare-for-woocommerce' ), $aftercare_new ) ) . "\n";
} else {
	echo esc_html__( 'The carrier has not given a new date yet. We will write again as soon as it does.', 'aftercare-for-woocommerce' ) . "\n";
}
if ( '' !== $aftercare_act ) {
	echo "\n" . esc_html( __( 'What we are doing:', 'aftercare-for-woocommerce' ) . ' ' . $aftercare_act ) . "\n";
}
if ( $facts['parcels'] || '' !== $facts['tracking_url'] ) {
	echo Order_Emails::render_facts( $facts, true ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- plain text, escaped in the template.
}
wc_get_template( 'emails/plain/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
