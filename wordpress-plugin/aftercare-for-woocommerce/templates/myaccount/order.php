<?php
/**
 * My Account → order: parcels, invoice, returns and the return form.
 *
 * Override by copying to yourtheme/aftercare/myaccount/order.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response      $response    The order view request.
 * @var array<string,mixed>|null     $view        The order view when it loaded.
 * @var int                          $order_id    WooCommerce order id.
 * @var array<string,mixed>          $form        Errors and old input after a failed submission.
 * @var string                       $invoice_url Download link (nonce included).
 * @var array<string,mixed>          $support     The ask form's errors and old input.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<section class="aftercare aftercare-order" id="aftercare">
<?php if ( null === $view ) : ?>
	<?php if ( $response->not_found() ) : ?>
		<p class="aftercare-muted"><?php esc_html_e( 'Delivery details for this order will appear here shortly.', 'aftercare-for-woocommerce' ); ?></p>
	<?php else : ?>
		<div class="woocommerce-info aftercare-unavailable" role="status">
			<?php if ( $response->unavailable() ) : ?>
				<?php esc_html_e( 'Parcel tracking, the invoice and returns are briefly unavailable. Your order details above are up to date; please check back in a few minutes.', 'aftercare-for-woocommerce' ); ?>
			<?php else : ?>
				<?php esc_html_e( 'Parcel tracking, the invoice and returns are not available right now. Your order details above are up to date; please contact us if you need them.', 'aftercare-for-woocommerce' ); ?>
			<?php endif; ?>
		</div>
	<?php endif; ?>
<?php else : ?>
	<?php
	$aftercare_items     = Data::items_by_id( $view );
	$aftercare_state     = Data::str( $view, 'delivery_state' );
	$aftercare_track_url = Data::url( $view, 'tracking_url' );
	$aftercare_invoice   = Data::obj( $view, 'invoice' );
	$aftercare_credits   = Data::rows( $view, 'credit_notes' );
	$aftercare_returns   = Data::rows( $view, 'returns' );
	$aftercare_alerts    = Data::rows( $view, 'alerts' );
	?>
	<?php
	echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		'parts/answers',
		array(
			'answers' => Data::rows( $view, 'answers' ),
			'heading' => __( 'Good to know about this order', 'aftercare-for-woocommerce' ),
		)
	);
	?>
	<?php if ( $aftercare_alerts ) : ?>
		<div class="woocommerce-info aftercare-alerts" role="status">
			<ul>
			<?php foreach ( $aftercare_alerts as $aftercare_alert ) : ?>
				<?php $aftercare_sentence = Labels::alert( $aftercare_alert, Data::shipments_by_id( $view ) ); ?>
				<?php if ( '' !== $aftercare_sentence ) : ?>
					<li><?php echo esc_html( $aftercare_sentence ); ?></li>
				<?php endif; ?>
			<?php endforeach; ?>
			</ul>
		</div>
	<?php endif; ?>

	<h2 class="aftercare-heading">
		<?php esc_html_e( 'Delivery', 'aftercare-for-woocommerce' ); ?>
		<?php if ( '' !== $aftercare_state ) : ?>
			<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_state ); ?>"><?php echo esc_html( Labels::delivery_state( $aftercare_state ) ); ?></span>
		<?php endif; ?>
	</h2>
	<?php
	echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		'parts/parcels',
		array(
			'shipments' => Data::rows( $view, 'shipments' ),
			'items'     => $aftercare_items,
			'unshipped' => Data::unshipped( $view ),
			'state'     => $aftercare_state,
		)
	);
	?>
	<?php if ( '' !== $aftercare_track_url ) : ?>
		<p class="aftercare-tracking-page">
			<a href="<?php echo esc_url( $aftercare_track_url ); ?>" target="_blank" rel="noopener noreferrer"><?php esc_html_e( 'Open the tracking page for this order', 'aftercare-for-woocommerce' ); ?></a>
		</p>
	<?php endif; ?>

	<?php
	echo Template::render( 'parts/guides', array( 'guides' => Data::rows( $view, 'guides' ) ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	?>

	<h2 class="aftercare-heading"><?php echo esc_html( $aftercare_credits ? __( 'Invoice and credit notes', 'aftercare-for-woocommerce' ) : __( 'Invoice', 'aftercare-for-woocommerce' ) ); ?></h2>
	<?php if ( $aftercare_invoice && '' !== Data::str( $aftercare_invoice, 'number' ) ) : ?>
		<?php
		echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
			'parts/documents',
			array(
				'invoice'  => $aftercare_invoice,
				'credits'  => $aftercare_credits,
				'currency' => Data::str( $view, 'currency' ),
				// A customer's downloads are nonce links to this page.
				'download' => static function ( string $document, string $class_name, string $label ) use ( $invoice_url, $order_id ): void {
					if ( 'invoice' === $document ) {
						$url = $invoice_url;
					} elseif ( (int) $document > 0 ) {
						$url = \Aftercare\Customer_Actions::document_url( $order_id, (int) $document );
					} else {
						return;
					}
					printf( '<a class="button %s" href="%s">%s</a>', esc_attr( $class_name ), esc_url( $url ), esc_html( $label ) );
				},
			)
		);
		?>
	<?php elseif ( '' === Data::str( $view, 'date_paid' ) ) : ?>
		<p class="aftercare-muted"><?php esc_html_e( 'Your invoice will be available here once the payment is received.', 'aftercare-for-woocommerce' ); ?></p>
	<?php else : ?>
		<p class="aftercare-muted"><?php esc_html_e( 'Your invoice is being prepared and will be available here shortly.', 'aftercare-for-woocommerce' ); ?></p>
	<?php endif; ?>

	<?php if ( $aftercare_returns ) : ?>
		<h2 class="aftercare-heading"><?php esc_html_e( 'Returns', 'aftercare-for-woocommerce' ); ?></h2>
		<?php
		echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
			'parts/returns-list',
			array(
				'returns'  => $aftercare_returns,
				'items'    => $aftercare_items,
				'order_id' => $order_id,
				'back'     => \Aftercare\Account::view_order_url( $order_id ),
				'show_order' => false,
			)
		);
		?>
	<?php endif; ?>

	<?php
	echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		'parts/return-form',
		array(
			'view'     => $view,
			'items'    => $aftercare_items,
			'order_id' => $order_id,
			'errors'   => isset( $form['errors'] ) && is_array( $form['errors'] ) ? $form['errors'] : array(),
			'old'      => isset( $form['old'] ) && is_array( $form['old'] ) ? $form['old'] : array(),
		)
	);
	?>

	<?php $aftercare_requests = Data::rows( $view, 'requests' ); ?>
	<?php if ( $aftercare_requests ) : ?>
		<h2 class="aftercare-heading" id="aftercare-requests"><?php esc_html_e( 'Your questions about this order', 'aftercare-for-woocommerce' ); ?></h2>
		<?php
		$aftercare_names = array();
		foreach ( $aftercare_items as $aftercare_item_id => $aftercare_item ) {
			$aftercare_names[ $aftercare_item_id ] = Data::str( $aftercare_item, 'name' );
		}
		echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
			'parts/support-requests',
			array(
				'requests'   => $aftercare_requests,
				'names'      => $aftercare_names,
				'back'       => \Aftercare\Account::view_order_url( $order_id ),
				'can_reply'  => true,
				'show_order' => false,
			)
		);
		?>
	<?php endif; ?>
	<?php
	echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		'parts/support-form',
		array(
			'view'     => $view,
			'order_id' => $order_id,
			'errors'   => isset( $support['errors'] ) && is_array( $support['errors'] ) ? $support['errors'] : array(),
			'old'      => isset( $support['old'] ) && is_array( $support['old'] ) ? $support['old'] : array(),
		)
	);
	?>
<?php endif; ?>
</section>
