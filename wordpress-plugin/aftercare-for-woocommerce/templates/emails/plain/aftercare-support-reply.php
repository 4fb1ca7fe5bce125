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
 * @var array<string,mixed>       $data               The message's data: support {id, topic, status, reply}.
 * @var string                    $first_name         Whom to greet.
 */

use Aftercare\Data;
use Aftercare\Support;

defined( 'ABSPATH' ) || exit;

$aftercare_request = Data::obj( $data, 'support' ) ?? array();
$aftercare_reply   = Data::obj( $aftercare_request, 'reply' ) ?? array();
$aftercare_url     = '' !== Data::url( $data, 'url' ) ? Data::url( $data, 'url' ) : ( $order->get_customer_id() ? \Aftercare\Account::view_order_url( (int) $order->get_id() ) . '#aftercare-requests' : '' );

echo "=\n" . esc_html( wp_strip_all_tags( $email_heading ) ) . "\n=\n\n";
wc_get_template( 'emails/plain/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base );
/* translators: 1: the question's topic, 2: order number */
echo esc_html( sprintf( __( 'We answered your question "%1$s" about order #%2$s:', 'aftercare-for-woocommerce' ), Support::topic( Data::str( $aftercare_request, 'topic' ) ), $order->get_order_number() ) ) . "\n\n";
if ( '' !== Data::str( $aftercare_reply, 'author' ) ) {
	/* translators: %s: the name of the staff member who answered */
	echo esc_html( sprintf( __( '%s wrote:', 'aftercare-for-woocommerce' ), Data::str( $aftercare_reply, 'author' ) ) ) . "\n";
}
echo esc_html( Support::body( $aftercare_reply ) ) . "\n";
if ( '' !== $aftercare_url ) {
	echo "\n" . esc_html__( 'See the conversation and reply:', 'aftercare-for-woocommerce' ) . ' ' . esc_url_raw( $aftercare_url ) . "\n";
}
echo "\n";
wc_get_template( 'emails/plain/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
