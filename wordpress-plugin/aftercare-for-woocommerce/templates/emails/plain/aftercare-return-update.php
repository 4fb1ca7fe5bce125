<?php
/**
 * aftercare's `return_update` message (plain text).
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-return-update.php.
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
use Aftercare\Order_Facts;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

echo "=\n" . esc_html( wp_strip_all_tags( $email_heading ) ) . "\n=\n\n";
wc_get_template( 'emails/plain/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base );
$aftercare_status = Data::str( $return, 'status' );
$aftercare_note   = Data::str( $return, 'note' );
/* translators: 1: order number, 2: the return's new status, e.g. Approved */
echo esc_html( sprintf( __( 'There is news about your return for order #%1$s: %2$s.', 'aftercare-for-woocommerce' ), $order->get_order_number(), Labels::return_status( $aftercare_status ) ) ) . "\n";
if ( null !== $refund && '' !== Data::str( $refund, 'amount' ) ) {
	/* translators: %s: the amount refunded */
	echo esc_html( sprintf( __( 'Refund: %s', 'aftercare-for-woocommerce' ), html_entity_decode( wp_strip_all_tags( Template::money( Data::str( $refund, 'amount' ), Data::str( $refund, 'currency' ) ) ), ENT_QUOTES, 'UTF-8' ) ) ) . "\n";
}
if ( '' !== $aftercare_note ) {
	echo "\n" . esc_html( __( 'Note from the shop:', 'aftercare-for-woocommerce' ) . ' ' . $aftercare_note ) . "\n";
}
wc_get_template( 'emails/plain/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
