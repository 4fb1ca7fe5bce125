<?php
/**
 * aftercare's `return_update` message.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-return-update.php.
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

do_action( 'woocommerce_email_header', $email_heading, $email );
?>
<?php wc_get_template( 'emails/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base ); ?>
<?php
$aftercare_status = Data::str( $return, 'status' );
$aftercare_note   = Data::str( $return, 'note' );
?>
<p><?php
/* translators: 1: order number, 2: the return's new status, e.g. Approved */
printf( esc_html__( 'There is news about your return for order #%1$s: %2$s.', 'aftercare-for-woocommerce' ), esc_html( $order->get_order_number() ), '<strong>' . esc_html( Labels::return_status( $aftercare_status ) ) . '</strong>' );
?></p>
<?php if ( null !== $refund && '' !== Data::str( $refund, 'amount' ) ) : ?>
	<p><?php
	/* translators: %s: the amount refunded */
	printf( esc_html__( 'Refund: %s', 'aftercare-for-woocommerce' ), wp_kses_post( Template::money( Data::str( $refund, 'amount' ), Data::str( $refund, 'currency' ) ) ) );
	?></p>
<?php endif; ?>
<?php if ( '' !== $aftercare_note ) : ?>
	<p><strong><?php esc_html_e( 'Note from the shop:', 'aftercare-for-woocommerce' ); ?></strong> <?php echo esc_html( $aftercare_note ); ?></p>
<?php endif; ?>
<?php
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
