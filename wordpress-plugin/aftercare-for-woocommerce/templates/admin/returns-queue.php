<?php
/**
 * WooCommerce → Returns.
 *
 * Override by copying to yourtheme/aftercare/admin/returns-queue.php.
 *
 * @package Aftercare
 *
 * @var string                           $status   The filter ('all' or a status).
 * @var int                              $paged    Page of the list, from 1.
 * @var int                              $total    Returns matching the filter.
 * @var \Aftercare\Api_Response          $response GET /api/v1/returns.
 * @var array<int,array<string,mixed>>   $returns  Returns (staff view).
 * @var array<int,\WC_Order|null>        $orders   Their orders, by id.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Returns_Queue;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_filters = array_merge( array( 'all' ), Labels::RETURN_STATUSES );
$aftercare_pages   = max( 1, (int) ceil( $total / Returns_Queue::PER_PAGE ) );
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
		<?php // Columns size to their content; each return's next steps get a full-width row under it. ?>
		<table class="wp-list-table widefat aftercare-queue__table">
			<thead>
				<tr>
					<th scope="col" class="column-return column-primary"><?php esc_html_e( 'Return', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" class="column-order"><?php esc_html_e( 'Order', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" class="column-items"><?php esc_html_e( 'Items and reasons', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" class="column-wants"><?php esc_html_e( 'Wants', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" class="column-status"><?php esc_html_e( 'Status', 'aftercare-for-woocommerce' ); ?></th>
				</tr>
			</thead>
			<?php foreach ( $returns as $aftercare_return ) : ?>
				<?php
				$aftercare_id       = Data::int( $aftercare_return, 'id' );
				$aftercare_status   = Data::str( $aftercare_return, 'status' );
				$aftercare_order_id = Data::int( $aftercare_return, 'order_id' );
				$aftercare_order    = $orders[ $aftercare_order_id ] ?? null;
				$aftercare_history  = Data::rows( $aftercare_return, 'history' );
				$aftercare_last     = $aftercare_history ? $aftercare_history[ count( $aftercare_history ) - 1 ] : null;
				$aftercare_open     = (bool) Labels::staff_transitions( $aftercare_status );
				?>
				<tbody class="aftercare-queue__return">
				<tr id="aftercare-return-<?php echo esc_attr( (string) $aftercare_id ); ?>">
					<td class="column-return column-primary" data-colname="<?php esc_attr_e( 'Return', 'aftercare-for-woocommerce' ); ?>">
						<strong><a class="row-title" href="<?php echo esc_url( Returns_Queue::view_url( $aftercare_id ) ); ?>">#<?php echo esc_html( (string) $aftercare_id ); ?></a></strong><br>
						<span class="description"><?php echo esc_html( Template::date( Data::str( $aftercare_return, 'created_at' ), true ) ); ?></span>
						<div class="row-actions visible"><a href="<?php echo esc_url( Returns_Queue::view_url( $aftercare_id ) ); ?>"><?php esc_html_e( 'View', 'aftercare-for-woocommerce' ); ?></a></div>
						<button type="button" class="toggle-row"><span class="screen-reader-text"><?php esc_html_e( 'Show more details', 'aftercare-for-woocommerce' ); ?></span></button>
					</td>
					<td class="column-order" data-colname="<?php esc_attr_e( 'Order', 'aftercare-for-woocommerce' ); ?>">
						<?php if ( $aftercare_order ) : ?>
							<a href="<?php echo esc_url( $aftercare_order->get_edit_order_url() ); ?>">#<?php echo esc_html( $aftercare_order->get_order_number() ); ?></a><br>
							<?php echo esc_html( $aftercare_order->get_formatted_billing_full_name() ); ?>
						<?php else : ?>
							#<?php echo esc_html( '' !== Data::str( $aftercare_return, 'order_number' ) ? Data::str( $aftercare_return, 'order_number' ) : (string) $aftercare_order_id ); ?>
						<?php endif; ?>
					</td>
					<td class="column-items" data-colname="<?php esc_attr_e( 'Items and reasons', 'aftercare-for-woocommerce' ); ?>">
						<?php
						echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
							'parts/return-items',
							array(
								'return_items' => Data::rows( $aftercare_return, 'items' ),
								'names'        => Returns_Queue::item_names( $aftercare_order ),
								'staff'        => true,
								'class_name'   => 'aftercare-queue__items',
							)
						);
						?>
						<?php if ( '' !== Data::str( $aftercare_return, 'comment' ) ) : ?>
							<blockquote class="aftercare-comment"><?php echo esc_html( Data::str( $aftercare_return, 'comment' ) ); ?></blockquote>
						<?php endif; ?>
						<?php
						echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
							'admin/parts/photos',
							array(
								'return' => $aftercare_return,
								'size'   => 64,
							)
						);
						?>
					</td>
					<td class="column-wants" data-colname="<?php esc_attr_e( 'Wants', 'aftercare-for-woocommerce' ); ?>"><?php echo esc_html( Labels::resolution( Data::str( $aftercare_return, 'resolution' ) ) ); ?></td>
					<td class="column-status" data-colname="<?php esc_attr_e( 'Status', 'aftercare-for-woocommerce' ); ?>">
						<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_status ); ?>"><?php echo esc_html( Labels::return_status( $aftercare_status ) ); ?></span>
						<?php if ( $aftercare_last && count( $aftercare_history ) > 1 ) : ?>
							<p class="description aftercare-last-step">
								<?php
								echo esc_html(
									sprintf(
										/* translators: 1: who made the last change, 2: when */
										__( 'by %1$s, %2$s', 'aftercare-for-woocommerce' ),
										Labels::actor( $aftercare_last, true ),
										Template::date( Data::str( $aftercare_last, 'at' ), true )
									)
								);
								?>
								<?php if ( '' !== Data::str( $aftercare_last, 'note' ) ) : ?>
									<br>&ldquo;<?php echo esc_html( Data::str( $aftercare_last, 'note' ) ); ?>&rdquo;
								<?php endif; ?>
							</p>
						<?php endif; ?>
						<?php
						echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
							'admin/parts/settlement',
							array( 'return' => $aftercare_return )
						);
						?>
					</td>
				</tr>
				<?php if ( $aftercare_open ) : ?>
					<tr class="aftercare-queue__actions">
						<td colspan="5" class="column-primary">
							<?php
							echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
								'admin/parts/return-actions',
								array(
									'return'    => $aftercare_return,
									'filter'    => $status,
									'from_view' => false,
								)
							);
							?>
						</td>
					</tr>
				<?php endif; ?>
				</tbody>
			<?php endforeach; ?>
		</table>
		<?php if ( $aftercare_pages > 1 ) : ?>
			<div class="tablenav bottom">
				<div class="tablenav-pages">
					<span class="displaying-num">
					<?php
					/* translators: %d: number of returns */
					echo esc_html( sprintf( _n( '%d return', '%d returns', $total, 'aftercare-for-woocommerce' ), $total ) );
					?>
					</span>
					<span class="pagination-links">
						<?php if ( $paged > 1 ) : ?>
							<a class="prev-page button" href="<?php echo esc_url( Returns_Queue::url( $status, $paged - 1 ) ); ?>"><span aria-hidden="true">&lsaquo;</span><span class="screen-reader-text"><?php esc_html_e( 'Previous page', 'aftercare-for-woocommerce' ); ?></span></a>
						<?php endif; ?>
						<span class="paging-input">
						<?php
						/* translators: 1: current page, 2: number of pages */
						echo esc_html( sprintf( __( '%1$d of %2$d', 'aftercare-for-woocommerce' ), $paged, $aftercare_pages ) );
						?>
						</span>
						<?php if ( $paged < $aftercare_pages ) : ?>
							<a class="next-page button" href="<?php echo esc_url( Returns_Queue::url( $status, $paged + 1 ) ); ?>"><span aria-hidden="true">&rsaquo;</span><span class="screen-reader-text"><?php esc_html_e( 'Next page', 'aftercare-for-woocommerce' ); ?></span></a>
						<?php endif; ?>
					</span>
				</div>
			</div>
		<?php endif; ?>
	<?php endif; ?>
</div>
