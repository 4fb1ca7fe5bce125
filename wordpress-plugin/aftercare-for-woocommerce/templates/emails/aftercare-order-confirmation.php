<?php
/**
 * aftercare's `order_confirmation` message.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-order-confirmation.php.
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
<p><?php
/* translators: %s: order number */
printf( esc_html__( 'Thank you for your order #%s. We will let you know as soon as it is on its way.', 'aftercare-for-woocommerce' ), esc_html( $order->get_order_number() ) );
?></p>
<?php do_action( 'woocommerce_email_order_details', $order, false, false, $email ); ?>
<?php
if ( $facts['parcels'] || '' !== $facts['tracking_url'] ) {
	echo Order_Emails::render_facts( $facts, false ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
}
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
