<?php
/**
 * A customer's returns: what, why, the wished resolution, where it stands, what they got,
 * and the history.
 *
 * Override by copying to yourtheme/aftercare/parts/returns-list.php.
 *
 * @package Aftercare
 *
 * @var array<int,array<string,mixed>> $returns    Returns (ReturnView, with order_id/order_number).
 * @var array<int,array<string,mixed>> $items      Line items by id, when known (order page).
 * @var array<int,array<int,string>>   $names      Item names by order and line item id (Returns tab).
 * @var int                            $order_id   The order, on the order page; 0 on the Returns tab.
 * @var string                         $back       Where to come back after cancelling.
 * @var bool                           $show_order Show the order column.
 * @var array<string,string>           $cancel     Optional: how to cancel instead of Customer_Actions
 *                                                 (guests): hidden fields for a form posted to the page.
 */

use Aftercare\Customer_Actions;
use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_guest_cancel = isset( $cancel ) && is_array( $cancel ) ? $cancel : null;
?>
<table class="shop_table shop_table_responsive aftercare-returns">
	<thead>
		<tr>
			<th scope="col"><?php esc_html_e( 'Return', 'aftercare-for-woocommerce' ); ?></th>
			<?php if ( $show_order ) : ?>
				<th scope="col"><?php esc_html_e( 'Order', 'aftercare-for-woocommerce' ); ?></th>
			<?php endif; ?>
			<th scope="col" class="aftercare-returns__items"><?php esc_html_e( 'Items', 'aftercare-for-woocommerce' ); ?></th>
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
		$aftercare_amount   = Data::str( $aftercare_return, 'amount' );
		$aftercare_currency = Data::str( $aftercare_return, 'currency' );
		$aftercare_code     = Data::str( $aftercare_return, 'store_credit_code' );
		$aftercare_photos   = count( Data::rows( $aftercare_return, 'photos' ) );
		$aftercare_comment  = Data::str( $aftercare_return, 'comment' );
		// Older answers had no can_cancel: then only a request still waiting can be withdrawn.
		$aftercare_can_cancel = Data::bool( $aftercare_return, 'can_cancel', 'requested' === $aftercare_status );
		$aftercare_last_note  = '';
		foreach ( $aftercare_history as $aftercare_step ) {
			if ( 'customer' !== Data::str( $aftercare_step, 'by' ) && '' !== Data::str( $aftercare_step, 'note' ) ) {
				$aftercare_last_note = Data::str( $aftercare_step, 'note' );
			}
		}
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
			<td class="aftercare-returns__items" data-title="<?php esc_attr_e( 'Items', 'aftercare-for-woocommerce' ); ?>">
				<?php
				// Names the return lacks: the order page's items, else the Returns tab's names.
				$aftercare_names = array_filter( array_map( static fn( $item ) => Data::str( $item, 'name' ), $items ?? array() ) )
					+ ( ( $names ?? array() )[ $aftercare_order_id ] ?? array() );
				echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
					'parts/return-items',
					array(
						'return_items' => Data::rows( $aftercare_return, 'items' ),
						'names'        => $aftercare_names,
						'staff'        => false,
						'class_name'   => 'aftercare-return__items',
					)
				);
				?>
				<?php if ( '' !== $aftercare_comment ) : ?>
					<p class="aftercare-return__comment aftercare-muted">&ldquo;<?php echo esc_html( $aftercare_comment ); ?>&rdquo;</p>
				<?php endif; ?>
				<?php if ( $aftercare_photos ) : ?>
					<p class="aftercare-muted aftercare-return__photos">
						<?php
						/* translators: %d: number of photos sent with the return */
						echo esc_html( sprintf( _n( '%d photo sent', '%d photos sent', $aftercare_photos, 'aftercare-for-woocommerce' ), $aftercare_photos ) );
						?>
					</p>
				<?php endif; ?>
			</td>
			<td data-title="<?php esc_attr_e( 'You asked for', 'aftercare-for-woocommerce' ); ?>"><?php echo esc_html( Labels::resolution( Data::str( $aftercare_return, 'resolution' ) ) ); ?></td>
			<td data-title="<?php esc_attr_e( 'Status', 'aftercare-for-woocommerce' ); ?>">
				<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_status ); ?>"><?php echo esc_html( Labels::return_status( $aftercare_status ) ); ?></span>
				<?php if ( 'refunded' === $aftercare_status && '' !== $aftercare_amount ) : ?>
					<p class="aftercare-return__outcome">
						<?php
						/* translators: %s: the amount refunded, with its currency */
						printf( esc_html__( 'Refunded: %s', 'aftercare-for-woocommerce' ), Template::money( $aftercare_amount, $aftercare_currency ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- money() returns escaped HTML.
						?>
					</p>
				<?php elseif ( 'credited' === $aftercare_status ) : ?>
					<?php if ( '' !== $aftercare_amount ) : ?>
						<p class="aftercare-return__outcome">
							<?php
							/* translators: %s: the store credit's amount, with its currency */
							printf( esc_html__( 'Store credit: %s', 'aftercare-for-woocommerce' ), Template::money( $aftercare_amount, $aftercare_currency ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- money() returns escaped HTML.
							?>
						</p>
					<?php endif; ?>
					<?php if ( '' !== $aftercare_code ) : ?>
						<p class="aftercare-return__code">
							<?php esc_html_e( 'Your code, to enter at checkout:', 'aftercare-for-woocommerce' ); ?>
							<code class="aftercare-coupon"><?php echo esc_html( $aftercare_code ); ?></code>
						</p>
					<?php else : ?>
						<p class="aftercare-muted"><?php esc_html_e( 'Your store credit code is being created and will appear here shortly.', 'aftercare-for-woocommerce' ); ?></p>
					<?php endif; ?>
				<?php endif; ?>
				<?php if ( '' !== $aftercare_last_note ) : ?>
					<p class="aftercare-return__note"><?php echo esc_html( $aftercare_last_note ); ?></p>
				<?php endif; ?>
				<?php if ( count( $aftercare_history ) > 1 ) : ?>
					<details class="aftercare-return__history">
						<summary><?php esc_html_e( 'Return history', 'aftercare-for-woocommerce' ); ?></summary>
						<ol>
						<?php foreach ( $aftercare_history as $aftercare_step ) : ?>
							<li>
								<time datetime="<?php echo esc_attr( Template::datetime_attr( Data::str( $aftercare_step, 'at' ) ) ); ?>"><?php echo esc_html( Template::date( Data::str( $aftercare_step, 'at' ), true ) ); ?></time>
								<strong><?php echo esc_html( Labels::return_status( Data::str( $aftercare_step, 'to' ) ) ); ?></strong>
								<span class="aftercare-muted">&middot; <?php echo esc_html( Labels::actor( $aftercare_step, false ) ); ?></span>
								<?php if ( '' !== Data::str( $aftercare_step, 'note' ) ) : ?>
									<br><span class="aftercare-return__step-note"><?php echo esc_html( Data::str( $aftercare_step, 'note' ) ); ?></span>
								<?php endif; ?>
							</li>
						<?php endforeach; ?>
						</ol>
					</details>
				<?php endif; ?>
				<?php if ( $aftercare_can_cancel && $aftercare_order_id ) : ?>
					<?php if ( null !== $aftercare_guest_cancel ) : ?>
						<form method="post" class="aftercare-return__cancel">
							<?php foreach ( $aftercare_guest_cancel as $aftercare_field => $aftercare_value ) : ?>
								<input type="hidden" name="<?php echo esc_attr( $aftercare_field ); ?>" value="<?php echo esc_attr( $aftercare_value ); ?>">
							<?php endforeach; ?>
							<input type="hidden" name="aftercare_guest_cancel" value="<?php echo esc_attr( (string) $aftercare_id ); ?>">
							<input type="hidden" name="_aftercare_guest_nonce" value="<?php echo esc_attr( wp_create_nonce( \Aftercare\Guest_Returns::CANCEL_ACTION . '_' . $aftercare_id ) ); ?>">
							<button type="submit" class="button aftercare-link-button"><?php esc_html_e( 'Cancel this request', 'aftercare-for-woocommerce' ); ?></button>
						</form>
					<?php else : ?>
						<form method="post" action="<?php echo esc_url( $back ); ?>" class="aftercare-return__cancel">
							<input type="hidden" name="<?php echo esc_attr( Customer_Actions::FIELD ); ?>" value="<?php echo esc_attr( Customer_Actions::CANCEL_ACTION ); ?>">
							<input type="hidden" name="return_id" value="<?php echo esc_attr( (string) $aftercare_id ); ?>">
							<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) $aftercare_order_id ); ?>">
							<input type="hidden" name="back" value="<?php echo esc_url( $back ); ?>">
							<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Customer_Actions::CANCEL_ACTION . '_' . $aftercare_id ) ); ?>"><?php // One form per row: no id, unlike wp_nonce_field(). ?>
							<button type="submit" class="button aftercare-link-button"><?php esc_html_e( 'Cancel this request', 'aftercare-for-woocommerce' ); ?></button>
						</form>
					<?php endif; ?>
				<?php endif; ?>
			</td>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>
