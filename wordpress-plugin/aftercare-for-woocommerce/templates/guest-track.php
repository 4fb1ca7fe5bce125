<?php
/**
 * [aftercare_track]: order number + email form for guests, and the parcels it finds.
 *
 * Override by copying to yourtheme/aftercare/guest-track.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed>|null $result The look-up result, after a submission.
 * @var array<string,string>     $posted What was typed.
 * @var array<string,string>     $proof  Hidden fields that find the order again (number, email).
 */

use Aftercare\Data;
use Aftercare\Guest_Documents;
use Aftercare\Guest_Returns;
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
	'off'         => __( 'Order tracking is not available right now. Please contact us if you need to know where your order is.', 'aftercare-for-woocommerce' ),
	'pending'     => __( 'We have your order. Tracking details will appear here once it is on its way.', 'aftercare-for-woocommerce' ),
	'expired'     => __( 'The form expired. Please send it again.', 'aftercare-for-woocommerce' ),
);
?>
<div class="aftercare aftercare-guest-track">
	<?php $aftercare_notice = is_array( $result ) && isset( $result['notice'] ) && is_array( $result['notice'] ) ? $result['notice'] : null; ?>
	<?php if ( $aftercare_notice ) : ?>
		<div class="<?php echo 'success' === ( $aftercare_notice['type'] ?? '' ) ? 'woocommerce-message' : 'woocommerce-error'; ?> aftercare-guest-track__note" role="status"><?php echo esc_html( (string) ( $aftercare_notice['message'] ?? '' ) ); ?></div>
	<?php endif; ?>
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
		<?php
		echo Template::render( 'parts/order-summary', array( 'view' => $aftercare_view ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		?>
		<?php
		echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
			'parts/answers',
			array(
				'answers' => Data::rows( $aftercare_view, 'answers' ),
				'heading' => __( 'Good to know about this order', 'aftercare-for-woocommerce' ),
			)
		);
		?>
		<?php foreach ( Data::rows( $aftercare_view, 'alerts' ) as $aftercare_alert ) : ?>
			<div class="woocommerce-info aftercare-alerts" role="status"><?php echo esc_html( Labels::alert( $aftercare_alert, Data::shipments_by_id( $aftercare_view ) ) ); ?></div>
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
		<?php
		echo Template::render( 'parts/guides', array( 'guides' => Data::rows( $aftercare_view, 'guides' ) ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		?>
		<?php
		// A guest's documents come through WordPress: each button posts the order number and
		// email again, and Guest_Documents fetches the PDF from aftercare before the page renders.
		$aftercare_invoice  = Data::obj( $aftercare_view, 'invoice' );
		$aftercare_has_inv  = null !== Guest_Documents::signed_link( $aftercare_view, 'invoice' );
		$aftercare_credits  = array_filter( Data::rows( $aftercare_view, 'credit_notes' ), static fn( $c ) => null !== Guest_Documents::signed_link( $aftercare_view, (string) Data::int( $c, 'id' ) ) );
		$aftercare_order_id = (int) ( $result['order_id'] ?? 0 );
		$aftercare_download = static function ( string $document, string $class_name, string $label ) use ( $proof ): void {
			?>
			<form method="post" class="aftercare-document__form">
				<?php foreach ( Guest_Documents::fields( $proof, $document ) as $aftercare_field => $aftercare_value ) : ?>
					<input type="hidden" name="<?php echo esc_attr( $aftercare_field ); ?>" value="<?php echo esc_attr( $aftercare_value ); ?>">
				<?php endforeach; ?>
				<button type="submit" class="button <?php echo esc_attr( $class_name ); ?>"><?php echo esc_html( $label ); ?></button>
			</form>
			<?php
		};
		?>
		<?php if ( $aftercare_has_inv && '' !== Data::str( $aftercare_invoice, 'number' ) ) : ?>
			<h3 class="aftercare-heading"><?php echo esc_html( $aftercare_credits ? __( 'Invoice and credit notes', 'aftercare-for-woocommerce' ) : __( 'Invoice', 'aftercare-for-woocommerce' ) ); ?></h3>
			<?php
			echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
				'parts/documents',
				array(
					'invoice'  => $aftercare_invoice,
					'credits'  => $aftercare_credits,
					'currency' => Data::str( $aftercare_view, 'currency' ),
					'download' => $aftercare_download,
				)
			);
			?>
		<?php endif; ?>
		<?php $aftercare_returns = Data::rows( $aftercare_view, 'returns' ); ?>
		<?php if ( $aftercare_returns ) : ?>
			<h3 class="aftercare-heading"><?php esc_html_e( 'Returns', 'aftercare-for-woocommerce' ); ?></h3>
			<?php
			echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
				'parts/returns-list',
				array(
					'returns'    => $aftercare_returns,
					'items'      => Data::items_by_id( $aftercare_view ),
					'order_id'   => $aftercare_order_id,
					'back'       => '',
					'show_order' => false,
					'cancel'     => $proof,
				)
			);
			?>
		<?php endif; ?>
		<?php if ( $aftercare_order_id ) : ?>
			<?php
			$aftercare_form = isset( $result['form'] ) && is_array( $result['form'] ) ? $result['form'] : array();
			echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
				'parts/return-form',
				array(
					'view'     => $aftercare_view,
					'items'    => Data::items_by_id( $aftercare_view ),
					'order_id' => $aftercare_order_id,
					'errors'   => isset( $aftercare_form['errors'] ) && is_array( $aftercare_form['errors'] ) ? $aftercare_form['errors'] : array(),
					'old'      => isset( $aftercare_form['old'] ) && is_array( $aftercare_form['old'] ) ? $aftercare_form['old'] : array(),
					'hidden'   => Guest_Returns::request_fields( $proof, $aftercare_order_id ),
				)
			);
			?>
			<?php $aftercare_requests = Data::rows( $aftercare_view, 'requests' ); ?>
			<?php if ( $aftercare_requests ) : ?>
				<h3 class="aftercare-heading"><?php esc_html_e( 'Your questions about this order', 'aftercare-for-woocommerce' ); ?></h3>
				<?php
				$aftercare_names = array();
				foreach ( Data::items_by_id( $aftercare_view ) as $aftercare_item_id => $aftercare_item ) {
					$aftercare_names[ $aftercare_item_id ] = Data::str( $aftercare_item, 'name' );
				}
				echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
					'parts/support-requests',
					array(
						'requests'   => $aftercare_requests,
						'names'      => $aftercare_names,
						'back'       => '',
						'can_reply'  => true,
						'show_order' => false,
						'guest'      => $proof,
					)
				);
				?>
			<?php endif; ?>
			<?php
			$aftercare_sform = isset( $result['support_form'] ) && is_array( $result['support_form'] ) ? $result['support_form'] : array();
			echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
				'parts/support-form',
				array(
					'view'     => $aftercare_view,
					'order_id' => $aftercare_order_id,
					'errors'   => isset( $aftercare_sform['errors'] ) && is_array( $aftercare_sform['errors'] ) ? $aftercare_sform['errors'] : array(),
					'old'      => isset( $aftercare_sform['old'] ) && is_array( $aftercare_sform['old'] ) ? $aftercare_sform['old'] : array(),
					'hidden'   => \Aftercare\Guest_Support::request_fields( $proof, $aftercare_order_id ),
				)
			);
			?>
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
