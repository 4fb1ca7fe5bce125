<?php
/**
 * WooCommerce → Answers: the list, with how each answer works.
 *
 * Override by copying to yourtheme/aftercare/admin/answers.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response        $response GET /api/v1/answers.
 * @var array<int,array<string,mixed>> $answers  Entries with shown, orders, followed_by_request.
 */

use Aftercare\Answers_Admin;
use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Support;

defined( 'ABSPATH' ) || exit;
?>
<div class="wrap aftercare-answers-admin">
	<h1 class="wp-heading-inline"><?php esc_html_e( 'Answers (FAQ)', 'aftercare-for-woocommerce' ); ?></h1>
	<a href="<?php echo esc_url( Answers_Admin::url( 'new' ) ); ?>" class="page-title-action"><?php esc_html_e( 'Add answer', 'aftercare-for-woocommerce' ); ?></a>
	<hr class="wp-header-end">
	<p class="description"><?php esc_html_e( 'Customers see the answers that fit their order on the order page, the tracking page and the question form, before they ask. "Followed by a request" counts orders that asked us anyway within seven days: a high share means the answer does not answer.', 'aftercare-for-woocommerce' ); ?></p>
	<?php if ( $response->missing_endpoint() ) : ?>
		<div class="notice notice-info inline"><p><?php esc_html_e( 'This aftercare version does not keep answers yet.', 'aftercare-for-woocommerce' ); ?></p></div>
	<?php elseif ( ! $response->ok() ) : ?>
		<div class="notice notice-warning inline"><p><?php esc_html_e( 'The answers could not be loaded.', 'aftercare-for-woocommerce' ); ?></p>
			<ul><?php foreach ( \Aftercare\Connector::explain( $response ) as $aftercare_line ) : ?><li><?php echo esc_html( $aftercare_line ); ?></li><?php endforeach; ?></ul>
		</div>
	<?php elseif ( ! $answers ) : ?>
		<p><?php esc_html_e( 'No answers yet.', 'aftercare-for-woocommerce' ); ?></p>
	<?php else : ?>
		<table class="wp-list-table widefat striped aftercare-answers-table">
			<thead>
				<tr>
					<th scope="col" class="column-primary"><?php esc_html_e( 'Question', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><?php esc_html_e( 'Shown when', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" class="column-counts"><?php esc_html_e( 'Shown', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col" class="column-counts"><?php esc_html_e( 'Followed by a request', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><span class="screen-reader-text"><?php esc_html_e( 'Actions', 'aftercare-for-woocommerce' ); ?></span></th>
				</tr>
			</thead>
			<tbody>
			<?php foreach ( $answers as $aftercare_answer ) : ?>
				<?php
				$aftercare_id   = Data::int( $aftercare_answer, 'id' );
				$aftercare_when = Data::obj( $aftercare_answer, 'when' ) ?? array();
				$aftercare_bits = array_merge(
					array_map( static fn( $s ) => function_exists( 'wc_get_order_status_name' ) ? wc_get_order_status_name( (string) $s ) : (string) $s, (array) ( $aftercare_when['order_statuses'] ?? array() ) ),
					array_map( static fn( $s ) => Labels::delivery_state( (string) $s ), (array) ( $aftercare_when['delivery_states'] ?? array() ) ),
					array_map( static fn( $s ) => Support::topic( (string) $s ), (array) ( $aftercare_when['topics'] ?? array() ) ),
					array_map( static fn( $s ) => '#' . (int) $s, (array) ( $aftercare_when['product_ids'] ?? array() ) )
				);
				$aftercare_orders   = Data::int( $aftercare_answer, 'orders' );
				$aftercare_followed = Data::int( $aftercare_answer, 'followed_by_request' );
				?>
				<tr>
					<td class="column-primary">
						<a class="row-title" href="<?php echo esc_url( Answers_Admin::url( (string) $aftercare_id ) ); ?>"><?php echo esc_html( Data::str( $aftercare_answer, 'question' ) ); ?></a>
						<span class="description">(<?php echo esc_html( strtoupper( Data::str( $aftercare_answer, 'lang' ) ) ); ?>)</span>
						<?php // Narrow screens hide the other columns: the figures go here. ?>
						<p class="aftercare-narrow-only">
							<?php
							/* translators: 1: times shown, 2: orders that asked anyway, 3: orders it was shown for */
							echo esc_html( sprintf( __( 'Shown %1$d times; followed by a request on %2$d of %3$d orders.', 'aftercare-for-woocommerce' ), Data::int( $aftercare_answer, 'shown' ), $aftercare_followed, $aftercare_orders ) );
							?>
						</p>
					</td>
					<td><?php echo esc_html( $aftercare_bits ? implode( ', ', $aftercare_bits ) : __( 'Always', 'aftercare-for-woocommerce' ) ); ?></td>
					<td class="column-counts"><?php echo esc_html( (string) Data::int( $aftercare_answer, 'shown' ) ); ?></td>
					<td class="column-counts">
						<?php
						echo esc_html(
							$aftercare_orders
								/* translators: 1: orders that asked anyway, 2: orders it was shown for, 3: percentage */
								? sprintf( __( '%1$d of %2$d orders (%3$d%%)', 'aftercare-for-woocommerce' ), $aftercare_followed, $aftercare_orders, (int) round( 100 * $aftercare_followed / $aftercare_orders ) )
								: '—'
						);
						?>
					</td>
					<td>
						<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
							<input type="hidden" name="action" value="<?php echo esc_attr( Answers_Admin::DELETE_ACTION ); ?>">
							<input type="hidden" name="id" value="<?php echo esc_attr( (string) $aftercare_id ); ?>">
							<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Answers_Admin::DELETE_ACTION . '_' . $aftercare_id ) ); ?>">
							<a class="button" href="<?php echo esc_url( Answers_Admin::url( (string) $aftercare_id ) ); ?>"><?php esc_html_e( 'Edit', 'aftercare-for-woocommerce' ); ?></a>
							<button type="submit" class="button button-link-delete"><?php esc_html_e( 'Delete', 'aftercare-for-woocommerce' ); ?></button>
						</form>
					</td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
	<?php endif; ?>
</div>
