<?php
/**
 * Staff: what the return came to and how carrying it out in WooCommerce goes.
 *
 * Override by copying to yourtheme/aftercare/admin/parts/settlement.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed> $return The return (staff view).
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_amount     = Data::str( $return, 'amount' );
$aftercare_currency   = Data::str( $return, 'currency' );
$aftercare_settlement = Data::obj( $return, 'settlement' );
$aftercare_state      = Data::str( $aftercare_settlement, 'status' );
$aftercare_attempts   = Data::int( $aftercare_settlement, 'attempts' );
$aftercare_refund     = Data::int( $aftercare_settlement, 'wc_refund_id' );
$aftercare_coupon     = Data::str( $aftercare_settlement, 'coupon_code' );
if ( '' === $aftercare_coupon ) {
	$aftercare_coupon = Data::str( $return, 'store_credit_code' );
}
$aftercare_error = Data::str( $aftercare_settlement, 'error' );
?>
<?php if ( '' !== $aftercare_amount ) : ?>
	<p class="aftercare-amount">
		<?php
		echo esc_html( 'credited' === Data::str( $return, 'status' ) ? __( 'Store credit:', 'aftercare-for-woocommerce' ) : __( 'Refund:', 'aftercare-for-woocommerce' ) );
		echo ' <strong>' . Template::money( $aftercare_amount, $aftercare_currency ) . '</strong>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- money() returns escaped HTML.
		?>
	</p>
<?php endif; ?>
<?php if ( null !== $aftercare_settlement && '' !== $aftercare_state ) : ?>
	<div class="aftercare-settlement aftercare-settlement--<?php echo esc_attr( $aftercare_state ); ?>">
		<span class="dashicons <?php echo esc_attr( 'done' === $aftercare_state ? 'dashicons-yes-alt' : ( 'failed' === $aftercare_state ? 'dashicons-warning' : 'dashicons-update' ) ); ?>" aria-hidden="true"></span>
		<strong><?php echo esc_html( Labels::settlement( $aftercare_state ) ); ?></strong>
		<?php if ( $aftercare_refund ) : ?>
			<br>
			<?php
			/* translators: %d: WooCommerce refund id */
			echo esc_html( sprintf( __( 'WooCommerce refund #%d', 'aftercare-for-woocommerce' ), $aftercare_refund ) );
			?>
		<?php endif; ?>
		<?php if ( '' !== $aftercare_coupon ) : ?>
			<br><?php esc_html_e( 'Coupon', 'aftercare-for-woocommerce' ); ?> <code><?php echo esc_html( $aftercare_coupon ); ?></code>
		<?php endif; ?>
		<?php if ( 'done' !== $aftercare_state && $aftercare_attempts > 0 ) : ?>
			<br><span class="description">
			<?php
			/* translators: %d: number of attempts so far */
			echo esc_html( sprintf( _n( '%d attempt so far', '%d attempts so far', $aftercare_attempts, 'aftercare-for-woocommerce' ), $aftercare_attempts ) );
			?>
			</span>
		<?php endif; ?>
		<?php if ( 'failed' === $aftercare_state && '' !== $aftercare_error ) : ?>
			<p class="aftercare-settlement__error"><?php echo esc_html( $aftercare_error ); ?></p>
		<?php endif; ?>
	</div>
<?php endif; ?>
