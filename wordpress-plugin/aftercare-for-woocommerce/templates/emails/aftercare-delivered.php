<?php
/**
 * aftercare's `delivered` message.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-delivered.php.
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
printf( esc_html__( 'Your order #%s has been delivered.', 'aftercare-for-woocommerce' ), esc_html( $order->get_order_number() ) );
?></p>
<?php
if ( $facts['parcels'] || '' !== $facts['tracking_url'] ) {
	echo Order_Emails::render_facts( $facts, false ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
}
// The getting-started guides of what arrived (links through aftercare's click counter).
$aftercare_guides = array_filter( Data::rows( $data, 'guides' ), static fn( $g ) => (bool) array_filter( Data::rows( $g, 'links' ), static fn( $l ) => '' !== Data::url( $l, 'url' ) ) );
if ( $aftercare_guides ) :
	?>
	<h3><?php esc_html_e( 'Getting started', 'aftercare-for-woocommerce' ); ?></h3>
	<ul>
		<?php foreach ( $aftercare_guides as $aftercare_guide ) : ?>
			<?php foreach ( Data::rows( $aftercare_guide, 'links' ) as $aftercare_link ) : ?>
				<?php if ( '' !== Data::url( $aftercare_link, 'url' ) ) : ?>
					<li><?php echo esc_html( Data::str( $aftercare_guide, 'name' ) ); ?>: <a href="<?php echo esc_url( Data::url( $aftercare_link, 'url' ) ); ?>"><?php echo esc_html( Data::str( $aftercare_link, 'title' ) ); ?></a></li>
				<?php endif; ?>
			<?php endforeach; ?>
		<?php endforeach; ?>
	</ul>
	<?php
endif;
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
