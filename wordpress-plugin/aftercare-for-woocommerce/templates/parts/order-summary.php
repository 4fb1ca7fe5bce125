<?php
/**
 * What was ordered, for a guest who looked the order up: date, items with their totals, the
 * order's totals and where it is going. (Signed-in customers see WooCommerce's own order
 * details above aftercare's section instead.)
 *
 * Override by copying to yourtheme/aftercare/parts/order-summary.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed> $view aftercare's order view.
 */

use Aftercare\Data;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_currency = Data::str( $view, 'currency' );
$aftercare_money    = static fn( string $key, $row = null ) => Template::money( Data::str( $row ?? $view, $key ), $aftercare_currency );
$aftercare_created  = Data::str( $view, 'date_created' );
$aftercare_totals   = array(
	'subtotal'       => __( 'Subtotal', 'aftercare-for-woocommerce' ),
	'discount_total' => __( 'Discount', 'aftercare-for-woocommerce' ),
	'shipping_total' => __( 'Shipping', 'aftercare-for-woocommerce' ),
	'tax_total'      => __( 'Tax', 'aftercare-for-woocommerce' ),
	'refunded_total' => __( 'Refunded amount', 'aftercare-for-woocommerce' ),
);
// Each field escaped first: the address format only adds line breaks around them.
$aftercare_address = array_map( 'esc_html', array_map( 'strval', array_filter( Data::obj( $view, 'shipping' ) ?? array(), 'is_scalar' ) ) );
unset( $aftercare_address['phone'] );
$aftercare_lines = '';
if ( array_filter( $aftercare_address ) ) {
	$aftercare_lines = function_exists( 'WC' ) && isset( WC()->countries )
		? (string) WC()->countries->get_formatted_address( $aftercare_address, '<br>' )
		: implode( '<br>', array_filter( $aftercare_address ) );
}
?>
<div class="aftercare-order-summary">
	<?php if ( '' !== Template::date( $aftercare_created ) ) : ?>
		<p class="aftercare-order-summary__date">
			<?php
			/* translators: %s: date the order was placed */
			printf( esc_html__( 'Placed on %s', 'aftercare-for-woocommerce' ), '<time datetime="' . esc_attr( Template::datetime_attr( $aftercare_created ) ) . '">' . esc_html( Template::date( $aftercare_created ) ) . '</time>' );
			?>
		</p>
	<?php endif; ?>
	<table class="shop_table aftercare-order-summary__items">
		<thead>
			<tr>
				<th scope="col"><?php esc_html_e( 'Product', 'aftercare-for-woocommerce' ); ?></th>
				<th scope="col" class="aftercare-num"><?php esc_html_e( 'Total', 'aftercare-for-woocommerce' ); ?></th>
			</tr>
		</thead>
		<tbody>
		<?php foreach ( Data::rows( $view, 'line_items' ) as $aftercare_item ) : ?>
			<tr>
				<td><?php echo esc_html( Data::str( $aftercare_item, 'name' ) ); ?> <span class="aftercare-qty">&times;&nbsp;<?php echo esc_html( (string) Data::int( $aftercare_item, 'quantity' ) ); ?></span></td>
				<td class="aftercare-num"><?php echo $aftercare_money( 'subtotal', $aftercare_item ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Template::money() escapes. ?></td>
			</tr>
		<?php endforeach; ?>
		</tbody>
		<tfoot>
		<?php foreach ( $aftercare_totals as $aftercare_key => $aftercare_label ) : ?>
			<?php
			$aftercare_amount = Data::str( $view, $aftercare_key );
			if ( '' === $aftercare_amount || ( 'subtotal' !== $aftercare_key && 0.0 === (float) $aftercare_amount ) ) {
				continue;
			}
			?>
			<tr>
				<th scope="row"><?php echo esc_html( $aftercare_label ); ?></th>
				<td class="aftercare-num"><?php echo ( 'discount_total' === $aftercare_key || 'refunded_total' === $aftercare_key ? '&minus;' : '' ) . $aftercare_money( $aftercare_key ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Template::money() escapes. ?></td>
			</tr>
		<?php endforeach; ?>
			<tr class="aftercare-order-summary__total">
				<th scope="row"><?php esc_html_e( 'Total', 'aftercare-for-woocommerce' ); ?></th>
				<td class="aftercare-num"><?php echo $aftercare_money( 'total' ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Template::money() escapes. ?></td>
			</tr>
		</tfoot>
	</table>
	<?php if ( '' !== $aftercare_lines ) : ?>
		<h3 class="aftercare-subheading"><?php esc_html_e( 'Shipping address', 'aftercare-for-woocommerce' ); ?></h3>
		<address class="aftercare-order-summary__address"><?php echo wp_kses( $aftercare_lines, array( 'br' => array() ) ); ?></address>
	<?php endif; ?>
</div>
