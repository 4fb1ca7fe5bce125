<?php
/**
 * aftercare's `delayed` message.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-delayed.php.
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
<?php wc_get_template( 'emails/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base ); ?>
<?php
$aftercare_was = Order_Facts::show_day( Data::str( $delay, 'previous_date' ) );
$aftercare_new = Order_Facts::show_day( Data::str( $delay, 'new_date' ) );
$aftercare_act = Data::str( $delay, 'action' );
?>
<p><?php
/* translators: %s: order number */
printf( esc_html__( 'We are sorry: your order #%s is taking longer than we said.', 'aftercare-for-woocommerce' ), esc_html( $order->get_order_number() ) );
?></p>
<p><?php
if ( '' !== $aftercare_was && '' !== $aftercare_new ) {
	/* translators: 1: the date it was expected by, 2: the new expected date */
	printf( esc_html__( 'It was expected by %1$s. The new expected date is %2$s.', 'aftercare-for-woocommerce' ), esc_html( $aftercare_was ), '<strong>' . esc_html( $aftercare_new ) . '</strong>' );
} elseif ( '' !== $aftercare_new ) {
	/* translators: %s: the new expected date */
	printf( esc_html__( 'The new expected date is %s.', 'aftercare-for-woocommerce' ), '<strong>' . esc_html( $aftercare_new ) . '</strong>' );
} else {
	esc_html_e( 'The carrier has not given a new date yet. We will write again as soon as it does.', 'aftercare-for-woocommerce' );
}
?></p>
<?php if ( '' !== $aftercare_act ) : ?>
	<p><strong><?php esc_html_e( 'What we are doing:', 'aftercare-for-woocommerce' ); ?></strong> <?php echo esc_html( $aftercare_act ); ?></p>
<?php endif; ?>
<?php
if ( $facts['parcels'] || '' !== $facts['tracking_url'] ) {
	echo Order_Emails::render_facts( $facts, false ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
}
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
