<?php
/**
 * My Account → Dashboard: which aftercare emails the customer gets, and where to stop them.
 *
 * Override by copying to yourtheme/aftercare/myaccount/email-preferences.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response        $response    The preferences request.
 * @var array<int,array<string,mixed>> $preferences Each with email, class, subscribed, url.
 */

use Aftercare\Email_Preferences;

defined( 'ABSPATH' ) || exit;

if ( $response->ok() && ! $preferences ) {
	return; // No order has mailed anyone yet: nothing to manage.
}
?>
<section class="aftercare aftercare-email-preferences">
	<h2><?php esc_html_e( 'Email preferences', 'aftercare-for-woocommerce' ); ?></h2>
<?php if ( ! $response->ok() ) : ?>
	<div class="woocommerce-info aftercare-unavailable" role="status">
		<?php esc_html_e( 'Email preferences are briefly unavailable. Please check back in a few minutes; the link at the foot of each email works too.', 'aftercare-for-woocommerce' ); ?>
	</div>
<?php else : ?>
	<p><?php esc_html_e( 'Order receipts and refund messages are always sent. You can stop the rest here.', 'aftercare-for-woocommerce' ); ?></p>
	<ul class="aftercare-preferences">
	<?php foreach ( $preferences as $aftercare_preference ) : ?>
		<li class="aftercare-preference aftercare-preference--<?php echo esc_attr( $aftercare_preference['subscribed'] ? 'subscribed' : 'unsubscribed' ); ?>">
			<strong><?php echo esc_html( Email_Preferences::class_label( (string) $aftercare_preference['class'] ) ); ?></strong>
			<span class="aftercare-muted"><?php echo esc_html( (string) $aftercare_preference['email'] ); ?></span>
			<?php if ( $aftercare_preference['subscribed'] ) : ?>
				<span class="aftercare-preference__state"><?php esc_html_e( 'You receive these.', 'aftercare-for-woocommerce' ); ?></span>
				<a class="button aftercare-preference__manage" href="<?php echo esc_url( (string) $aftercare_preference['url'] ); ?>" target="_blank" rel="noopener noreferrer"><?php esc_html_e( 'Unsubscribe', 'aftercare-for-woocommerce' ); ?></a>
			<?php else : ?>
				<span class="aftercare-preference__state"><?php esc_html_e( 'You unsubscribed from these.', 'aftercare-for-woocommerce' ); ?></span>
			<?php endif; ?>
		</li>
	<?php endforeach; ?>
	</ul>
<?php endif; ?>
</section>
