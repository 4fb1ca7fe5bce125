<?php
/**
 * aftercare's `out_for_delivery` message.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-out-for-delivery.php.
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

do_action( 'woocommerce_email_header', $email_heading, $email );
?>
<p><?php
if ( '' !== $first_name ) {
	/* translators: %s: customer's first name */
	printf( esc_html__( 'Hi %s,', 'aftercare-for-woocommerce' ), esc_html( $first_name ) );
} else {
	esc_html_e( 'Hi,', 'aftercare-for-woocommerce' );
}
?></p>
<p><?php
/* translators: %s: order number */
printf( esc_html__( 'Your order #%s is out for delivery and should arrive today.', 'aftercare-for-woocommerce' ), esc_html( $order->get_order_number() ) );
?></p>
<?php
if ( $facts['parcels'] || '' !== $facts['tracking_url'] ) {
	echo Order_Emails::render_facts( $facts, false ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
}
if ( $additional_content ) {
	echo wp_kses_post( wpautop( wptexturize( $additional_content ) ) );
}
?>
<?php if ( '' !== Data::url( $data, 'unsubscribe_url' ) ) : ?>
	<p style="font-size: 12px;"><?php esc_html_e( 'You get this email because you ordered from us. Not interested in delivery updates?', 'aftercare-for-woocommerce' ); ?> <a href="<?php echo esc_url( Data::url( $data, 'unsubscribe_url' ) ); ?>"><?php esc_html_e( 'Unsubscribe', 'aftercare-for-woocommerce' ); ?></a></p>
<?php endif; ?>
<?php
do_action( 'woocommerce_email_footer', $email );
