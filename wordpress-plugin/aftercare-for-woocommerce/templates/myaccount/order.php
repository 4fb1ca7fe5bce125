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
			<?php esc_html_e( 'Parcel tracking, the invoice and returns are briefly unavailable. Your order details above are up to date; please check back in a few minutes.', 'aftercare-for-woocommerce' ); ?>
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

	<h2 class="aftercare-heading"><?php echo esc_html( $aftercare_credits ? __( 'Invoice and credit notes', 'aftercare-for-woocommerce' ) : __( 'Invoice', 'aftercare-for-woocommerce' ) ); ?></h2>
	<?php if ( $aftercare_invoice && '' !== Data::str( $aftercare_invoice, 'number' ) ) : ?>
		<ul class="aftercare-documents">
			<li class="aftercare-document aftercare-invoice">
				<span class="aftercare-document__text">
				<?php
				printf(
					/* translators: 1: invoice number, 2: date the invoice was issued */
					esc_html__( 'Invoice %1$s, issued %2$s.', 'aftercare-for-woocommerce' ),
					'<strong>' . esc_html( Data::str( $aftercare_invoice, 'number' ) ) . '</strong>',
					esc_html( Template::date( Data::str( $aftercare_invoice, 'issued_at' ) ) )
				);
				?>
				</span>
				<a class="button aftercare-invoice__download" href="<?php echo esc_url( $invoice_url ); ?>"><?php esc_html_e( 'Download invoice (PDF)', 'aftercare-for-woocommerce' ); ?></a>
			</li>
			<?php foreach ( $aftercare_credits as $aftercare_credit ) : ?>
				<?php $aftercare_doc_id = Data::int( $aftercare_credit, 'id' ); ?>
				<li class="aftercare-document aftercare-credit-note">
					<span class="aftercare-document__text">
					<?php
					printf(
						/* translators: 1: credit note number, 2: amount credited, 3: date issued */
						esc_html__( 'Credit note %1$s for %2$s, issued %3$s.', 'aftercare-for-woocommerce' ),
						'<strong>' . esc_html( Data::str( $aftercare_credit, 'number' ) ) . '</strong>',
						Template::money( Data::str( $aftercare_credit, 'total' ), Data::str( $view, 'currency' ) ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- money() returns escaped HTML.
						esc_html( Template::date( Data::str( $aftercare_credit, 'issued_at' ) ) )
					);
					?>
					</span>
					<?php if ( $aftercare_doc_id ) : ?>
						<a class="button aftercare-credit-note__download" href="<?php echo esc_url( \Aftercare\Customer_Actions::document_url( $order_id, $aftercare_doc_id ) ); ?>"><?php esc_html_e( 'Download credit note (PDF)', 'aftercare-for-woocommerce' ); ?></a>
					<?php endif; ?>
				</li>
			<?php endforeach; ?>
		</ul>
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
<?php endif; ?>
</section>
