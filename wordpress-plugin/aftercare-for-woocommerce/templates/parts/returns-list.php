<?php
/**
 * A customer's returns: what, why, the wished resolution, the state and its history.
 *
 * @package Aftercare
 *
 * @var array<int,array<string,mixed>> $returns    Returns (ReturnView, plus order_id/order_number on the Returns tab).
 * @var array<int,array<string,mixed>> $items      Line items by id, when known (order page).
 * @var array<int,array<int,string>>   $names      Item names by order and line item id (Returns tab).
 * @var int                            $order_id   The order, on the order page; 0 on the Returns tab.
 * @var string                         $back       Where to come back after cancelling.
 * @var bool                           $show_order Show the order column.
 */

use Aftercare\Customer_Actions;
use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<table class="shop_table shop_table_responsive aftercare-returns">
	<thead>
		<tr>
			<th scope="col"><?php esc_html_e( 'Return', 'aftercare-for-woocommerce' ); ?></th>
			<?php if ( $show_order ) : ?>
				<th scope="col"><?php esc_html_e( 'Order', 'aftercare-for-woocommerce' ); ?></th>
			<?php endif; ?>
			<th scope="col"><?php esc_html_e( 'Items', 'aftercare-for-woocommerce' ); ?></th>
			<th scope="col"><?php esc_html_e( 'You asked for', 'aftercare-for-woocommerce' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Status', 'aftercare-for-woocommerce' ); ?></th>
		</tr>
	</thead>
	<tbody>
	<?php foreach ( $returns as $aftercare_return ) : ?>
		<?php
		$aftercare_id       = Data::int( $aftercare_return, 'id' );
		$aftercare_status   = Data::str( $aftercare_return, 'status' );
		$aftercare_order_id = $order_id ? $order_id : Data::int( $aftercare_return, 'order_id' );
		$aftercare_number   = Data::str( $aftercare_return, 'order_number' );
		$aftercare_history  = Data::rows( $aftercare_return, 'history' );
		$aftercare_last     = $aftercare_history ? $aftercare_history[ count( $aftercare_history ) - 1 ] : array();
		?>
		<tr class="aftercare-return aftercare-return--<?php echo esc_attr( $aftercare_status ); ?>">
			<td data-title="<?php esc_attr_e( 'Return', 'aftercare-for-woocommerce' ); ?>">
				<strong>#<?php echo esc_html( (string) $aftercare_id ); ?></strong><br>
				<time class="aftercare-muted" datetime="<?php echo esc_attr( Template::datetime_attr( Data::str( $aftercare_return, 'created_at' ) ) ); ?>"><?php echo esc_html( Template::date( Data::str( $aftercare_return, 'created_at' ) ) ); ?></time>
			</td>
			<?php if ( $show_order ) : ?>
				<td data-title="<?php esc_attr_e( 'Order', 'aftercare-for-woocommerce' ); ?>">
					<?php if ( $aftercare_order_id ) : ?>
						<a href="<?php echo esc_url( \Aftercare\Account::view_order_url( $aftercare_order_id ) ); ?>">#<?php echo esc_html( '' !== $aftercare_number ? $aftercare_number : (string) $aftercare_order_id ); ?></a>
					<?php endif; ?>
				</td>
			<?php endif; ?>
			<td data-title="<?php esc_attr_e( 'Items', 'aftercare-for-woocommerce' ); ?>">
				<ul class="aftercare-return__items">
				<?php foreach ( Data::rows( $aftercare_return, 'items' ) as $aftercare_item ) : ?>
					<?php
					$aftercare_name = Data::str( $aftercare_item, 'name' );
					if ( '' === $aftercare_name ) {
						$aftercare_name = Data::str( $items[ Data::int( $aftercare_item, 'line_item_id' ) ] ?? array(), 'name' );
					}
					if ( '' === $aftercare_name ) {
						$aftercare_name = (string) ( ( $names ?? array() )[ $aftercare_order_id ][ Data::int( $aftercare_item, 'line_item_id' ) ] ?? '' );
					}
					if ( '' === $aftercare_name ) {
						$aftercare_name = __( 'Item', 'aftercare-for-woocommerce' );
					}
					?>
					<li>
						<?php echo esc_html( $aftercare_name ); ?> <span class="aftercare-qty">&times;&nbsp;<?php echo esc_html( (string) Data::int( $aftercare_item, 'quantity' ) ); ?></span>
						<span class="aftercare-muted">(<?php echo esc_html( Labels::reason( Data::str( $aftercare_item, 'reason' ) ) ); ?>)</span>
					</li>
				<?php endforeach; ?>
				</ul>
			</td>
			<td data-title="<?php esc_attr_e( 'You asked for', 'aftercare-for-woocommerce' ); ?>"><?php echo esc_html( Labels::resolution( Data::str( $aftercare_return, 'resolution' ) ) ); ?></td>
			<td data-title="<?php esc_attr_e( 'Status', 'aftercare-for-woocommerce' ); ?>">
				<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_status ); ?>"><?php echo esc_html( Labels::return_status( $aftercare_status ) ); ?></span>
				<?php if ( '' !== Data::str( $aftercare_last, 'note' ) ) : ?>
					<p class="aftercare-return__note"><?php echo esc_html( Data::str( $aftercare_last, 'note' ) ); ?></p>
				<?php endif; ?>
				<?php if ( 'requested' === $aftercare_status && $aftercare_order_id ) : ?>
					<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="aftercare-return__cancel">
						<input type="hidden" name="action" value="<?php echo esc_attr( Customer_Actions::CANCEL_ACTION ); ?>">
						<input type="hidden" name="return_id" value="<?php echo esc_attr( (string) $aftercare_id ); ?>">
						<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) $aftercare_order_id ); ?>">
						<input type="hidden" name="back" value="<?php echo esc_url( $back ); ?>">
						<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Customer_Actions::CANCEL_ACTION . '_' . $aftercare_id ) ); ?>"><?php // One form per row: no id, unlike wp_nonce_field(). ?>
						<button type="submit" class="button aftercare-link-button"><?php esc_html_e( 'Cancel this request', 'aftercare-for-woocommerce' ); ?></button>
					</form>
				<?php endif; ?>
			</td>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>
