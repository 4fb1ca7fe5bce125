<?php
/**
 * [aftercare_track]: order number + email form for guests, and the parcels it finds.
 *
 * @package Aftercare
 *
 * @var array<string,mixed>|null $result The look-up result, after a submission.
 * @var array<string,string>     $posted What was typed.
 */

use Aftercare\Data;
use Aftercare\Guest_Tracking;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_status = is_array( $result ) ? (string) ( $result['status'] ?? '' ) : '';
$aftercare_view   = 'found' === $aftercare_status && isset( $result['view'] ) && is_array( $result['view'] ) ? $result['view'] : null;
$aftercare_notes  = array(
	'invalid'     => __( 'Enter the order number from your confirmation email and the email address you ordered with.', 'aftercare-for-woocommerce' ),
	'not_found'   => __( 'We could not find an order with that number and email address. Please check both and try again.', 'aftercare-for-woocommerce' ),
	'limited'     => __( 'Too many attempts. Please wait a few minutes before trying again.', 'aftercare-for-woocommerce' ),
	'unavailable' => __( 'Order tracking is briefly unavailable. Please try again in a few minutes.', 'aftercare-for-woocommerce' ),
	'pending'     => __( 'We have your order. Tracking details will appear here once it is on its way.', 'aftercare-for-woocommerce' ),
	'expired'     => __( 'The form expired. Please send it again.', 'aftercare-for-woocommerce' ),
);
?>
<div class="aftercare aftercare-guest-track">
	<?php if ( isset( $aftercare_notes[ $aftercare_status ] ) ) : ?>
		<div class="<?php echo 'pending' === $aftercare_status ? 'woocommerce-info' : 'woocommerce-error'; ?> aftercare-guest-track__note" role="status"><?php echo esc_html( $aftercare_notes[ $aftercare_status ] ); ?></div>
	<?php endif; ?>

	<?php if ( $aftercare_view ) : ?>
		<?php $aftercare_state = Data::str( $aftercare_view, 'delivery_state' ); ?>
		<h2 class="aftercare-heading">
			<?php
			/* translators: %s: order number */
			printf( esc_html__( 'Order #%s', 'aftercare-for-woocommerce' ), esc_html( Data::str( $aftercare_view, 'number' ) ) );
			?>
			<?php if ( '' !== $aftercare_state ) : ?>
				<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_state ); ?>"><?php echo esc_html( Labels::delivery_state( $aftercare_state ) ); ?></span>
			<?php endif; ?>
		</h2>
		<?php foreach ( Data::rows( $aftercare_view, 'alerts' ) as $aftercare_alert ) : ?>
			<div class="woocommerce-info aftercare-alerts" role="status"><?php echo esc_html( Data::str( $aftercare_alert, 'message' ) ); ?></div>
		<?php endforeach; ?>
		<?php
		echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
			'parts/parcels',
			array(
				'shipments' => Data::rows( $aftercare_view, 'shipments' ),
				'items'     => Data::items_by_id( $aftercare_view ),
				'unshipped' => Data::unshipped( $aftercare_view ),
				'state'     => $aftercare_state,
			)
		);
		?>
		<?php if ( '' !== Data::url( $aftercare_view, 'tracking_url' ) ) : ?>
			<p><a href="<?php echo esc_url( Data::url( $aftercare_view, 'tracking_url' ) ); ?>" target="_blank" rel="noopener noreferrer"><?php esc_html_e( 'Open the tracking page for this order', 'aftercare-for-woocommerce' ); ?></a></p>
		<?php endif; ?>
	<?php endif; ?>

	<form method="post" class="aftercare-guest-track__form">
		<p class="form-row form-row-first">
			<label for="aftercare-track-order"><?php esc_html_e( 'Order number', 'aftercare-for-woocommerce' ); ?></label>
			<input type="text" class="input-text" id="aftercare-track-order" name="aftercare_track_order" required maxlength="64" autocomplete="off" value="<?php echo esc_attr( (string) ( $posted['number'] ?? '' ) ); ?>">
		</p>
		<p class="form-row form-row-last">
			<label for="aftercare-track-email"><?php esc_html_e( 'Billing email', 'aftercare-for-woocommerce' ); ?></label>
			<input type="email" class="input-text" id="aftercare-track-email" name="aftercare_track_email" required maxlength="254" autocomplete="email" value="<?php echo esc_attr( (string) ( $posted['email'] ?? '' ) ); ?>">
		</p>
		<?php wp_nonce_field( Guest_Tracking::NONCE_ACTION, '_aftercare_track_nonce' ); ?>
		<p class="form-row"><button type="submit" class="button"><?php esc_html_e( 'Track order', 'aftercare-for-woocommerce' ); ?></button></p>
	</form>
</div>
