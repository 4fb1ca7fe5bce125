<?php
/**
 * The parcels of an order in a plain-text email.
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-parcels.php.
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

echo "\n" . esc_html( wc_strtoupper( 1 < count( $aftercare_parcels ) ? __( 'Your parcels', 'aftercare-for-woocommerce' ) : __( 'Your parcel', 'aftercare-for-woocommerce' ) ) ) . "\n\n";
if ( '' !== $aftercare_expected ) {
	/* translators: %s: the date the order is expected to arrive */
	echo esc_html( sprintf( __( 'Expected delivery: %s', 'aftercare-for-woocommerce' ), $aftercare_expected ) ) . "\n\n";
}
foreach ( $aftercare_parcels as $aftercare_parcel ) {
	echo esc_html( trim( (string) ( $aftercare_parcel['carrier_name'] ?? '' ) . ' ' . (string) ( $aftercare_parcel['number'] ?? '' ) ) )
		. ' (' . esc_html( Labels::shipment_status( (string) ( $aftercare_parcel['status'] ?? '' ) ) ) . ")\n";
	if ( '' !== ( $aftercare_parcel['carrier_url'] ?? '' ) ) {
		echo esc_url_raw( $aftercare_parcel['carrier_url'] ) . "\n";
	}
}
if ( '' !== $aftercare_page ) {
	/* translators: %s: the address of the order's tracking page */
	echo "\n" . esc_html( sprintf( __( 'Track your order: %s', 'aftercare-for-woocommerce' ), esc_url_raw( $aftercare_page ) ) ) . "\n";
}
echo "\n----------------------------------------\n\n";
