<?php
/**
 * WooCommerce → Support: the inbox.
 *
 * Override by copying to yourtheme/aftercare/admin/support-inbox.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed>            $filters  status, topic, age, assignee, paged.
 * @var \Aftercare\Api_Response        $response GET /api/v1/requests.
 * @var array<int,array<string,mixed>> $requests Requests matching the filters.
 * @var int                            $total    How many match.
 * @var array<int,string>              $staff    User id => name of staff who can be assigned.
 */

use Aftercare\Data;
use Aftercare\Support;
use Aftercare\Support_Inbox;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_statuses = array(
	'open'   => Support::status( 'open' ),
	'solved' => Support::status( 'solved' ),
	'all'    => __( 'All', 'aftercare-for-woocommerce' ),
);
$aftercare_ages     = array(
	''   => __( 'Any age', 'aftercare-for-woocommerce' ),
	'1d' => __( 'Older than a day', 'aftercare-for-woocommerce' ),
	'3d' => __( 'Older than 3 days', 'aftercare-for-woocommerce' ),
	'7d' => __( 'Older than a week', 'aftercare-for-woocommerce' ),
);
$aftercare_pages    = max( 1, (int) ceil( $total / Support_Inbox::PER_PAGE ) );
?>
<div class="wrap aftercare-inbox">
	<h1 class="wp-heading-inline"><?php esc_html_e( 'Support requests', 'aftercare-for-woocommerce' ); ?></h1>
	<hr class="wp-header-end">
	<ul class="subsubsub">
		<?php $aftercare_i = 0; ?>
		<?php foreach ( $aftercare_statuses as $aftercare_code => $aftercare_label ) : ?>
			<li><a href="<?php echo esc_url( Support_Inbox::url( array( 'status' => $aftercare_code ) + $filters ) ); ?>" <?php echo $aftercare_code === $filters['status'] ? 'class="current" aria-current="page"' : ''; ?>><?php echo esc_html( $aftercare_label ); ?></a><?php echo ++$aftercare_i < count( $aftercare_statuses ) ? ' |' : ''; ?></li>
		<?php endforeach; ?>
	</ul>
	<form method="get" class="aftercare-inbox__filters">
		<input type="hidden" name="page" value="<?php echo esc_attr( Support_Inbox::PAGE ); ?>">
		<input type="hidden" name="status" value="<?php echo esc_attr( (string) $filters['status'] ); ?>">
		<label class="screen-reader-text" for="aftercare-filter-topic"><?php esc_html_e( 'Topic', 'aftercare-for-woocommerce' ); ?></label>
		<select name="topic" id="aftercare-filter-topic">
			<option value=""><?php esc_html_e( 'Every topic', 'aftercare-for-woocommerce' ); ?></option>
			<?php foreach ( Support::TOPICS as $aftercare_code ) : ?>
				<option value="<?php echo esc_attr( $aftercare_code ); ?>"<?php selected( $filters['topic'], $aftercare_code ); ?>><?php echo esc_html( Support::topic( $aftercare_code ) ); ?></option>
			<?php endforeach; ?>
		</select>
		<label class="screen-reader-text" for="aftercare-filter-age"><?php esc_html_e( 'Age', 'aftercare-for-woocommerce' ); ?></label>
		<select name="age" id="aftercare-filter-age">
			<?php foreach ( $aftercare_ages as $aftercare_code => $aftercare_label ) : ?>
				<option value="<?php echo esc_attr( $aftercare_code ); ?>"<?php selected( $filters['age'], $aftercare_code ); ?>><?php echo esc_html( $aftercare_label ); ?></option>
			<?php endforeach; ?>
		</select>
		<label class="screen-reader-text" for="aftercare-filter-assignee"><?php esc_html_e( 'Assigned to', 'aftercare-for-woocommerce' ); ?></label>
		<select name="assignee" id="aftercare-filter-assignee">
			<option value=""><?php esc_html_e( 'Anyone', 'aftercare-for-woocommerce' ); ?></option>
			<option value="me"<?php selected( $filters['assignee'], 'me' ); ?>><?php esc_html_e( 'Me', 'aftercare-for-woocommerce' ); ?></option>
			<option value="none"<?php selected( $filters['assignee'], 'none' ); ?>><?php esc_html_e( 'Nobody yet', 'aftercare-for-woocommerce' ); ?></option>
			<?php foreach ( $staff as $aftercare_login => $aftercare_name ) : ?>
				<option value="<?php echo esc_attr( (string) $aftercare_login ); ?>"<?php selected( $filters['assignee'], (string) $aftercare_login ); ?>><?php echo esc_html( $aftercare_name ); ?></option>
			<?php endforeach; ?>
		</select>
		<button type="submit" class="button"><?php esc_html_e( 'Filter', 'aftercare-for-woocommerce' ); ?></button>
	</form>
	<br class="clear">
	<?php if ( \Aftercare\Api_Response::NOT_CONFIGURED === $response->outcome ) : ?>
		<div class="notice notice-info inline"><p><?php esc_html_e( 'Connect aftercare first under WooCommerce → Settings → Aftercare.', 'aftercare-for-woocommerce' ); ?></p></div>
	<?php elseif ( $response->missing_endpoint() ) : ?>
		<div class="notice notice-info inline"><p><?php esc_html_e( 'This aftercare version does not handle support requests yet.', 'aftercare-for-woocommerce' ); ?></p></div>
	<?php elseif ( ! $response->ok() ) : ?>
		<div class="notice notice-warning inline"><p><?php esc_html_e( 'The support requests could not be loaded.', 'aftercare-for-woocommerce' ); ?></p>
			<ul><?php foreach ( \Aftercare\Connector::explain( $response ) as $aftercare_line ) : ?><li><?php echo esc_html( $aftercare_line ); ?></li><?php endforeach; ?></ul>
		</div>
	<?php elseif ( ! $requests ) : ?>
		<p><?php esc_html_e( 'No requests here.', 'aftercare-for-woocommerce' ); ?></p>
	<?php else : ?>
		<table class="wp-list-table widefat striped aftercare-inbox__table">
			<thead>
				<tr>
					<th scope="col" class="column-primary"><?php esc_html_e( 'Request', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><?php esc_html_e( 'Order', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><?php esc_html_e( 'Status', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><?php esc_html_e( 'Assigned to', 'aftercare-for-woocommerce' ); ?></th>
					<th scope="col"><?php esc_html_e( 'Opened', 'aftercare-for-woocommerce' ); ?></th>
				</tr>
			</thead>
			<tbody>
			<?php foreach ( $requests as $aftercare_request ) : ?>
				<?php
				$aftercare_id       = Data::int( $aftercare_request, 'id' );
				$aftercare_messages = Support::thread( $aftercare_request );
				$aftercare_first    = $aftercare_messages ? Support::body( $aftercare_messages[0] ) : Data::str( $aftercare_request, 'message' );
				$aftercare_who      = Support_Inbox::assignee( $aftercare_request );
				$aftercare_order_id = Data::int( $aftercare_request, 'order_id' );
				?>
				<tr>
					<td class="column-primary">
						<a class="row-title" href="<?php echo esc_url( Support_Inbox::view_url( $aftercare_id ) ); ?>">
							<?php
							/* translators: 1: request id, 2: topic */
							echo esc_html( sprintf( __( '#%1$d · %2$s', 'aftercare-for-woocommerce' ), $aftercare_id, Support::topic( Data::str( $aftercare_request, 'topic' ) ) ) );
							?>
						</a>
						<p class="aftercare-inbox__excerpt"><?php echo esc_html( wp_html_excerpt( $aftercare_first, 140, '…' ) ); ?></p>
						<?php // Narrow screens hide the other columns: the essentials go here. ?>
						<p class="aftercare-narrow-only">
							<span class="aftercare-status aftercare-status--<?php echo esc_attr( Data::str( $aftercare_request, 'status' ) ); ?>"><?php echo esc_html( Support::status( Data::str( $aftercare_request, 'status' ) ) ); ?></span>
							<?php if ( $aftercare_order_id ) : ?>
								#<?php echo esc_html( (string) $aftercare_order_id ); ?> ·
							<?php endif; ?>
							<?php echo esc_html( Template::date( Data::str( $aftercare_request, 'created_at' ) ) ); ?>
							<?php if ( '' !== $aftercare_who ) : ?>
								· <?php echo esc_html( $staff[ $aftercare_who ] ?? $aftercare_who ); ?>
							<?php endif; ?>
						</p>
					</td>
					<td>
						<?php if ( $aftercare_order_id ) : ?>
							<a href="<?php echo esc_url( admin_url( 'admin.php?page=wc-orders&action=edit&id=' . $aftercare_order_id ) ); ?>">#<?php echo esc_html( (string) $aftercare_order_id ); ?></a>
						<?php endif; ?>
					</td>
					<td><span class="aftercare-status aftercare-status--<?php echo esc_attr( Data::str( $aftercare_request, 'status' ) ); ?>"><?php echo esc_html( Support::status( Data::str( $aftercare_request, 'status' ) ) ); ?></span></td>
					<td><?php echo esc_html( '' !== $aftercare_who ? ( $staff[ $aftercare_who ] ?? $aftercare_who ) : '—' ); ?></td>
					<td><time datetime="<?php echo esc_attr( Template::datetime_attr( Data::str( $aftercare_request, 'created_at' ) ) ); ?>"><?php echo esc_html( Template::date( Data::str( $aftercare_request, 'created_at' ), true ) ); ?></time></td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
		<?php if ( $aftercare_pages > 1 ) : ?>
			<p class="aftercare-inbox__pages">
				<?php for ( $aftercare_p = 1; $aftercare_p <= $aftercare_pages; $aftercare_p++ ) : ?>
					<?php if ( $aftercare_p === (int) $filters['paged'] ) : ?>
						<strong><?php echo esc_html( (string) $aftercare_p ); ?></strong>
					<?php else : ?>
						<a href="<?php echo esc_url( Support_Inbox::url( array( 'paged' => $aftercare_p ) + $filters ) ); ?>"><?php echo esc_html( (string) $aftercare_p ); ?></a>
					<?php endif; ?>
				<?php endfor; ?>
			</p>
		<?php endif; ?>
	<?php endif; ?>
</div>
