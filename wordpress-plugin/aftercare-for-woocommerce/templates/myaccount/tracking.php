<?php
/**
 * My Account → Tracking: parcels on their way.
 *
 * Override by copying to yourtheme/aftercare/myaccount/tracking.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response        $response The order list request.
 * @var array<int,array<string,mixed>> $orders   Order summaries with a parcel on its way.
 */

use Aftercare\Account;
use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<section class="aftercare aftercare-tracking-tab">
<?php if ( ! $response->ok() ) : ?>
	<div class="woocommerce-info aftercare-unavailable" role="status">
		<?php if ( $response->unavailable() ) : ?>
			<?php esc_html_e( 'Parcel tracking is briefly unavailable. Please check back in a few minutes.', 'aftercare-for-woocommerce' ); ?>
		<?php else : ?>
			<?php esc_html_e( 'Parcel tracking is not available right now. Please contact us if you need to know where your order is.', 'aftercare-for-woocommerce' ); ?>
		<?php endif; ?>
	</div>
<?php elseif ( ! $orders ) : ?>
	<div class="woocommerce-info aftercare-empty">
		<?php esc_html_e( 'No parcels are on their way to you right now.', 'aftercare-for-woocommerce' ); ?>
	</div>
<?php else : ?>
	<?php foreach ( $orders as $aftercare_order ) : ?>
		<?php
		$aftercare_id    = Data::int( $aftercare_order, 'id' );
		$aftercare_state = Data::str( $aftercare_order, 'delivery_state' );
		$aftercare_page  = Data::url( $aftercare_order, 'tracking_url' );
		?>
		<article class="aftercare-parcel aftercare-tracking-order">
			<header class="aftercare-parcel__head">
				<h3 class="aftercare-parcel__title">
					<a href="<?php echo esc_url( Account::view_order_url( $aftercare_id ) ); ?>">
						<?php
						/* translators: %s: order number */
						printf( esc_html__( 'Order #%s', 'aftercare-for-woocommerce' ), esc_html( Data::str( $aftercare_order, 'number' ) ) );
						?>
					</a>
					<span class="aftercare-muted"><?php echo esc_html( Template::date( Data::str( $aftercare_order, 'date_created' ) ) ); ?></span>
				</h3>
				<?php if ( '' !== $aftercare_state ) : ?>
					<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_state ); ?>"><?php echo esc_html( Labels::delivery_state( $aftercare_state ) ); ?></span>
				<?php endif; ?>
			</header>
			<?php $aftercare_parcels = Data::rows( $aftercare_order, 'shipments' ); ?>
			<?php if ( $aftercare_parcels ) : ?>
				<div class="aftercare-table-scroll">
				<table class="shop_table aftercare-brief-parcels">
					<thead>
						<tr>
							<th scope="col"><?php esc_html_e( 'Carrier', 'aftercare-for-woocommerce' ); ?></th>
							<th scope="col"><?php esc_html_e( 'Tracking number', 'aftercare-for-woocommerce' ); ?></th>
							<th scope="col"><?php esc_html_e( 'Status', 'aftercare-for-woocommerce' ); ?></th>
							<th scope="col"><?php esc_html_e( 'Expected', 'aftercare-for-woocommerce' ); ?></th>
						</tr>
					</thead>
					<tbody>
					<?php foreach ( $aftercare_parcels as $aftercare_parcel ) : ?>
						<?php $aftercare_link = Data::url( $aftercare_parcel, 'tracking_url' ); ?>
						<tr>
							<td data-title="<?php esc_attr_e( 'Carrier', 'aftercare-for-woocommerce' ); ?>"><?php echo esc_html( Data::str( $aftercare_parcel, 'carrier_name' ) ); ?></td>
							<td class="aftercare-tracking-number" data-title="<?php esc_attr_e( 'Tracking number', 'aftercare-for-woocommerce' ); ?>">
								<?php if ( '' !== $aftercare_link ) : ?>
									<a href="<?php echo esc_url( $aftercare_link ); ?>" target="_blank" rel="noopener noreferrer"><?php echo esc_html( Data::str( $aftercare_parcel, 'tracking_number' ) ); ?></a>
								<?php else : ?>
									<?php echo esc_html( Data::str( $aftercare_parcel, 'tracking_number' ) ); ?>
								<?php endif; ?>
							</td>
							<td data-title="<?php esc_attr_e( 'Status', 'aftercare-for-woocommerce' ); ?>"><?php echo esc_html( Labels::shipment_status( Data::str( $aftercare_parcel, 'status' ) ) ); ?></td>
							<?php $aftercare_eta = 'delivered' === Data::str( $aftercare_parcel, 'status' ) ? '' : Data::str( $aftercare_parcel, 'eta' ); ?>
							<td data-title="<?php esc_attr_e( 'Expected', 'aftercare-for-woocommerce' ); ?>">
								<?php if ( '' !== Template::date( $aftercare_eta ) && Template::is_past( $aftercare_eta ) ) : ?>
									<span class="aftercare-late">
									<?php
									/* translators: %s: the expected delivery date, which has passed */
									printf( esc_html__( 'Was expected by %s', 'aftercare-for-woocommerce' ), '<time datetime="' . esc_attr( Template::datetime_attr( $aftercare_eta ) ) . '">' . esc_html( Template::date( $aftercare_eta ) ) . '</time>' );
									?>
									</span>
								<?php elseif ( '' !== Template::date( $aftercare_eta ) ) : ?>
									<time datetime="<?php echo esc_attr( Template::datetime_attr( $aftercare_eta ) ); ?>"><?php echo esc_html( Template::date( $aftercare_eta ) ); ?></time>
								<?php endif; ?>
							</td>
						</tr>
					<?php endforeach; ?>
					</tbody>
				</table>
				</div>
			<?php endif; ?>
			<p class="aftercare-actions">
				<a class="button" href="<?php echo esc_url( Account::view_order_url( $aftercare_id ) ); ?>"><?php esc_html_e( 'View order', 'aftercare-for-woocommerce' ); ?></a>
				<?php if ( '' !== $aftercare_page ) : ?>
					<a class="button" href="<?php echo esc_url( $aftercare_page ); ?>" target="_blank" rel="noopener noreferrer"><?php esc_html_e( 'Tracking page', 'aftercare-for-woocommerce' ); ?></a>
				<?php endif; ?>
			</p>
		</article>
	<?php endforeach; ?>
<?php endif; ?>
</section>
