<?php
/**
 * The parcels of an order in an email: the tracking page, each parcel's carrier, number and
 * status, and the expected date. Used in WooCommerce's order emails and in aftercare's own.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-parcels.php.
 *
 * @package Aftercare
 *
 * @var array{tracking_url:string,expected_date:string,parcels:array<int,array<string,string>>} $facts
 */

use Aftercare\Labels;
use Aftercare\Order_Facts;

defined( 'ABSPATH' ) || exit;

$aftercare_parcels  = $facts['parcels'] ?? array();
$aftercare_expected = Order_Facts::show_day( (string) ( $facts['expected_date'] ?? '' ) );
$aftercare_page     = (string) ( $facts['tracking_url'] ?? '' );
?>
<div class="aftercare-email-parcels" style="margin-bottom: 40px;">
	<h2><?php echo esc_html( 1 < count( $aftercare_parcels ) ? __( 'Your parcels', 'aftercare-for-woocommerce' ) : __( 'Your parcel', 'aftercare-for-woocommerce' ) ); ?></h2>
	<?php if ( '' !== $aftercare_expected ) : ?>
		<p class="aftercare-email-expected">
			<?php
			/* translators: %s: the date the order is expected to arrive */
			printf( esc_html__( 'Expected delivery: %s', 'aftercare-for-woocommerce' ), '<strong>' . esc_html( $aftercare_expected ) . '</strong>' );
			?>
		</p>
	<?php endif; ?>
	<?php if ( $aftercare_parcels ) : ?>
		<table class="td" cellspacing="0" cellpadding="6" border="1" style="width: 100%; margin-bottom: 16px;">
			<thead>
				<tr>
					<th class="td" scope="col" style="text-align: left;"><?php esc_html_e( 'Carrier', 'aftercare-for-woocommerce' ); ?></th>
					<th class="td" scope="col" style="text-align: left;"><?php esc_html_e( 'Tracking number', 'aftercare-for-woocommerce' ); ?></th>
					<th class="td" scope="col" style="text-align: left;"><?php esc_html_e( 'Status', 'aftercare-for-woocommerce' ); ?></th>
				</tr>
			</thead>
			<tbody>
			<?php foreach ( $aftercare_parcels as $aftercare_parcel ) : ?>
				<tr>
					<td class="td" style="text-align: left;"><?php echo esc_html( (string) ( $aftercare_parcel['carrier_name'] ?? '' ) ); ?></td>
					<td class="td" style="text-align: left; word-break: break-all;">
						<?php if ( '' !== ( $aftercare_parcel['carrier_url'] ?? '' ) ) : ?>
							<a href="<?php echo esc_url( $aftercare_parcel['carrier_url'] ); ?>"><?php echo esc_html( (string) ( $aftercare_parcel['number'] ?? '' ) ); ?></a>
						<?php else : ?>
							<?php echo esc_html( (string) ( $aftercare_parcel['number'] ?? '' ) ); ?>
						<?php endif; ?>
					</td>
					<td class="td" style="text-align: left;"><?php echo esc_html( Labels::shipment_status( (string) ( $aftercare_parcel['status'] ?? '' ) ) ); ?></td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
	<?php endif; ?>
	<?php if ( '' !== $aftercare_page ) : ?>
		<p><a class="aftercare-email-button link" href="<?php echo esc_url( $aftercare_page ); ?>" style="font-weight: bold;"><?php esc_html_e( 'Track your order', 'aftercare-for-woocommerce' ); ?></a></p>
	<?php endif; ?>
</div>
