<?php
/**
 * WooCommerce → Returns.
 *
 * @package Aftercare
 *
 * @var string                           $status   The filter ('all' or a status).
 * @var \Aftercare\Api_Response          $response GET /api/v1/returns.
 * @var array<int,array<string,mixed>>   $returns  Returns.
 * @var array<int,\WC_Order|null>        $orders   Their orders, by id.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Returns_Queue;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_filters = array_merge( array( 'all' ), Labels::RETURN_STATUSES );
?>
<div class="wrap aftercare-queue">
	<h1 class="wp-heading-inline"><?php esc_html_e( 'Returns', 'aftercare-for-woocommerce' ); ?></h1>
	<hr class="wp-header-end">
	<ul class="subsubsub">
		<?php foreach ( $aftercare_filters as $aftercare_i => $aftercare_filter ) : ?>
			<li>
				<a href="<?php echo esc_url( Returns_Queue::url( $aftercare_filter ) ); ?>" <?php echo $aftercare_filter === $status ? 'class="current" aria-current="page"' : ''; ?>><?php echo esc_html( 'all' === $aftercare_filter ? __( 'All', 'aftercare-for-woocommerce' ) : Labels::return_status( $aftercare_filter ) ); ?></a><?php echo $aftercare_i < count( $aftercare_filters ) - 1 ? ' |' : ''; ?>
			</li>
		<?php endforeach; ?>
	</ul>
	<br class="clear">
	<?php if ( \Aftercare\Api_Response::NOT_CONFIGURED === $response->outcome ) : ?>
		<div class="notice notice-info inline"><p>
			<?php esc_html_e( 'Connect aftercare first under WooCommerce → Settings → Aftercare.', 'aftercare-for-woocommerce' ); ?>
		</p></div>
	<?php elseif ( $response->missing_endpoint() ) : ?>
		<div class="notice notice-info inline"><p><?php esc_html_e( 'This aftercare version does not handle returns yet.', 'aftercare-for-woocommerce' ); ?></p></div>
	<?php elseif ( ! $response->ok() ) : ?>
		<div class="notice notice-warning inline"><p><?php esc_html_e( 'The returns could not be loaded.', 'aftercare-for-woocommerce' ); ?></p>
			<ul><?php foreach ( \Aftercare\Connector::explain( $response ) as $aftercare_line ) : ?><li><?php echo esc_html( $aftercare_line ); ?></li><?php endforeach; ?></ul>
		</div>
	<?php elseif ( ! $returns ) : ?>
		<p><?php esc_html_e( 'No returns here.', 'aftercare-for-woocommerce' ); ?></p>
	<?php else : ?>
		<table class="wp-list-table widefat fixed striped">
			<thead>
				<tr>
					<th scope="col" style="width:8em"><?php esc_html_e( 'Return', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><?php esc_html_e( 'Order', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><?php esc_html_e( 'Items and reasons', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" style="width:9em"><?php esc_html_e( 'Wants', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" style="width:9em"><?php esc_html_e( 'Status', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" style="width:22em"><?php esc_html_e( 'Action', 'aftercare-for-woocommerce' ); ?></th>
				</tr>
			</thead>
			<tbody>
			<?php foreach ( $returns as $aftercare_return ) : ?>
				<?php
				$aftercare_id       = Data::int( $aftercare_return, 'id' );
				$aftercare_status   = Data::str( $aftercare_return, 'status' );
				$aftercare_order_id = Data::int( $aftercare_return, 'order_id' );
				$aftercare_order    = $orders[ $aftercare_order_id ] ?? null;
				$aftercare_items    = array();
				if ( $aftercare_order ) {
					foreach ( $aftercare_order->get_items() as $aftercare_item_id => $aftercare_item ) {
						$aftercare_items[ (int) $aftercare_item_id ] = $aftercare_item->get_name();
					}
				}
				$aftercare_moves = Labels::staff_transitions( $aftercare_status );
				?>
				<tr>
					<td>
						<strong>#<?php echo esc_html( (string) $aftercare_id ); ?></strong><br>
						<span class="description"><?php echo esc_html( Template::date( Data::str( $aftercare_return, 'created_at' ), true ) ); ?></span>
					</td>
					<td>
						<?php if ( $aftercare_order ) : ?>
							<a href="<?php echo esc_url( $aftercare_order->get_edit_order_url() ); ?>">#<?php echo esc_html( $aftercare_order->get_order_number() ); ?></a><br>
							<?php echo esc_html( $aftercare_order->get_formatted_billing_full_name() ); ?>
						<?php else : ?>
							#<?php echo esc_html( '' !== Data::str( $aftercare_return, 'order_number' ) ? Data::str( $aftercare_return, 'order_number' ) : (string) $aftercare_order_id ); ?>
						<?php endif; ?>
					</td>
					<td>
						<ul>
						<?php foreach ( Data::rows( $aftercare_return, 'items' ) as $aftercare_item ) : ?>
							<?php
							$aftercare_line = Data::int( $aftercare_item, 'line_item_id' );
							$aftercare_name = $aftercare_items[ $aftercare_line ] ?? Data::str( $aftercare_item, 'name' );
							?>
							<li>
								<?php echo esc_html( '' !== $aftercare_name ? $aftercare_name : '#' . $aftercare_line ); ?> &times; <?php echo esc_html( (string) Data::int( $aftercare_item, 'quantity' ) ); ?>
								&mdash; <?php echo esc_html( Labels::reason( Data::str( $aftercare_item, 'reason' ) ) ); ?>
								<?php if ( '' !== Data::str( $aftercare_item, 'reason_text' ) ) : ?>
									<br><em><?php echo esc_html( Data::str( $aftercare_item, 'reason_text' ) ); ?></em>
								<?php endif; ?>
							</li>
						<?php endforeach; ?>
						</ul>
						<?php if ( '' !== Data::str( $aftercare_return, 'comment' ) ) : ?>
							<p class="description"><?php echo esc_html( Data::str( $aftercare_return, 'comment' ) ); ?></p>
						<?php endif; ?>
						<?php foreach ( Data::rows( $aftercare_return, 'history' ) as $aftercare_step ) : ?>
							<?php if ( '' !== Data::str( $aftercare_step, 'note' ) ) : ?>
								<p class="description">
									<?php echo esc_html( Labels::return_status( Data::str( $aftercare_step, 'to' ) ) . ' · ' . Template::date( Data::str( $aftercare_step, 'at' ) ) . ' · ' . Data::str( $aftercare_step, 'by' ) ); ?>:
									<?php echo esc_html( Data::str( $aftercare_step, 'note' ) ); ?>
								</p>
							<?php endif; ?>
						<?php endforeach; ?>
					</td>
					<td><?php echo esc_html( Labels::resolution( Data::str( $aftercare_return, 'resolution' ) ) ); ?></td>
					<td><span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_status ); ?>"><?php echo esc_html( Labels::return_status( $aftercare_status ) ); ?></span></td>
					<td>
						<?php if ( $aftercare_moves ) : ?>
							<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
								<input type="hidden" name="action" value="<?php echo esc_attr( Returns_Queue::TRANSITION_ACTION ); ?>">
								<input type="hidden" name="return_id" value="<?php echo esc_attr( (string) $aftercare_id ); ?>">
								<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) $aftercare_order_id ); ?>">
								<input type="hidden" name="status_filter" value="<?php echo esc_attr( $status ); ?>">
								<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_' . $aftercare_id ) ); ?>"><?php // One form per row: no id, unlike wp_nonce_field(). ?>
								<label class="screen-reader-text" for="aftercare-note-<?php echo esc_attr( (string) $aftercare_id ); ?>"><?php esc_html_e( 'Note', 'aftercare-for-woocommerce' ); ?></label>
								<textarea id="aftercare-note-<?php echo esc_attr( (string) $aftercare_id ); ?>" name="note" rows="2" class="large-text" maxlength="<?php echo esc_attr( (string) Returns_Queue::MAX_NOTE_CHARS ); ?>" placeholder="<?php esc_attr_e( 'Note for the customer (optional)', 'aftercare-for-woocommerce' ); ?>"></textarea>
								<?php foreach ( $aftercare_moves as $aftercare_to => $aftercare_label ) : ?>
									<button type="submit" name="to" value="<?php echo esc_attr( $aftercare_to ); ?>" class="button<?php echo in_array( $aftercare_to, array( 'approved', 'received', 'refunded' ), true ) ? ' button-primary' : ''; ?>"><?php echo esc_html( $aftercare_label ); ?></button>
								<?php endforeach; ?>
							</form>
						<?php else : ?>
							<span class="description"><?php esc_html_e( 'Closed', 'aftercare-for-woocommerce' ); ?></span>
						<?php endif; ?>
					</td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
	<?php endif; ?>
</div>
