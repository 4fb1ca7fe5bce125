<?php
/**
 * WooCommerce → Support → one request: the thread, the reply box, and the order's facts.
 *
 * Override by copying to yourtheme/aftercare/admin/support-request.php.
 *
 * @package Aftercare
 *
 * @var int                          $request_id Request id.
 * @var \Aftercare\Api_Response      $response   GET /api/v1/requests/{id}.
 * @var array<string,mixed>|null     $request    The request with its messages.
 * @var \WC_Order|null               $order      Its order in WooCommerce.
 * @var array<string,mixed>|null     $view       aftercare's view of the order.
 * @var array<int,string>            $staff      User id => name of staff who can be assigned.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Support;
use Aftercare\Support_Inbox;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_form = static function ( string $op, string $inner ) use ( $request_id, $order ): void {
	?>
	<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="aftercare-inbox__form aftercare-inbox__form--<?php echo esc_attr( $op ); ?>">
		<input type="hidden" name="action" value="<?php echo esc_attr( Support_Inbox::ACTION ); ?>">
		<input type="hidden" name="op" value="<?php echo esc_attr( $op ); ?>">
		<input type="hidden" name="request_id" value="<?php echo esc_attr( (string) $request_id ); ?>">
		<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) ( $order ? (int) $order->get_id() : 0 ) ); ?>">
		<?php // Several forms share the page: no id on the nonce field. ?>
		<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Support_Inbox::ACTION . '_' . $request_id ) ); ?>">
		<?php echo $inner; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built from escaped parts below. ?>
	</form>
	<?php
};
?>
<div class="wrap aftercare-inbox aftercare-inbox--request">
	<p><a href="<?php echo esc_url( Support_Inbox::url() ); ?>">&larr; <?php esc_html_e( 'All support requests', 'aftercare-for-woocommerce' ); ?></a></p>
	<?php if ( null === $request ) : ?>
		<h1><?php esc_html_e( 'Support request', 'aftercare-for-woocommerce' ); ?></h1>
		<div class="notice notice-warning inline"><p>
			<?php echo esc_html( $response->not_found() ? __( 'There is no such request.', 'aftercare-for-woocommerce' ) : __( 'The request could not be loaded.', 'aftercare-for-woocommerce' ) ); ?>
		</p></div>
		<?php return; ?>
	<?php endif; ?>
	<?php
	$aftercare_status = Data::str( $request, 'status' );
	$aftercare_who    = Support_Inbox::assignee( $request );
	?>
	<h1>
		<?php
		/* translators: 1: request id, 2: topic */
		echo esc_html( sprintf( __( 'Request #%1$d: %2$s', 'aftercare-for-woocommerce' ), $request_id, Support::topic( Data::str( $request, 'topic' ) ) ) );
		?>
		<span class="aftercare-status aftercare-status--<?php echo esc_attr( $aftercare_status ); ?>"><?php echo esc_html( Support::status( $aftercare_status ) ); ?></span>
	</h1>
	<div class="aftercare-inbox__columns">
		<div class="aftercare-inbox__thread">
			<ol class="aftercare-thread">
				<?php foreach ( Support::thread( $request, true ) as $aftercare_message ) : ?>
					<?php
					$aftercare_side     = Support::side( $aftercare_message );
					$aftercare_internal = Support::is_note( $aftercare_message );
					?>
					<li class="aftercare-thread__message aftercare-thread__message--<?php echo esc_attr( $aftercare_side ); ?><?php echo $aftercare_internal ? ' aftercare-thread__message--internal' : ''; ?>">
						<div class="aftercare-thread__meta">
							<strong><?php echo esc_html( 'customer' === $aftercare_side ? ( $order ? $order->get_formatted_billing_full_name() : __( 'Customer', 'aftercare-for-woocommerce' ) ) : ( '' !== Data::str( $aftercare_message, 'author' ) ? Data::str( $aftercare_message, 'author' ) : __( 'Staff', 'aftercare-for-woocommerce' ) ) ); ?></strong>
							<?php if ( $aftercare_internal ) : ?>
								<span class="aftercare-thread__tag"><?php esc_html_e( 'Internal note', 'aftercare-for-woocommerce' ); ?></span>
							<?php endif; ?>
							· <time datetime="<?php echo esc_attr( Template::datetime_attr( Data::str( $aftercare_message, 'created_at' ) ) ); ?>"><?php echo esc_html( Template::date( Data::str( $aftercare_message, 'created_at' ), true ) ); ?></time>
						</div>
						<div class="aftercare-thread__body"><?php echo wp_kses_post( wpautop( esc_html( Support::body( $aftercare_message ) ) ) ); ?></div>
						<?php $aftercare_photos = array_filter( Data::rows( $aftercare_message, 'photos' ), static fn( $p ) => Data::int( $p, 'position' ) > 0 ); ?>
						<?php if ( $aftercare_photos ) : ?>
							<ul class="aftercare-photos">
								<?php foreach ( $aftercare_photos as $aftercare_photo ) : ?>
									<?php
									$aftercare_src = Support_Inbox::photo_url( $request_id, Data::int( $aftercare_photo, 'position' ) );
									/* translators: 1: photo position, 2: request id */
									$aftercare_alt = sprintf( __( 'Photo %1$d of request #%2$d', 'aftercare-for-woocommerce' ), Data::int( $aftercare_photo, 'position' ), $request_id );
									?>
									<li><a href="<?php echo esc_url( $aftercare_src ); ?>" target="_blank" rel="noopener"><img src="<?php echo esc_url( $aftercare_src ); ?>" alt="<?php echo esc_attr( $aftercare_alt ); ?>" width="96" height="96" decoding="async"></a></li>
								<?php endforeach; ?>
							</ul>
						<?php endif; ?>
					</li>
				<?php endforeach; ?>
			</ol>
			<?php
			$aftercare_form(
				'reply',
				'<label for="aftercare-reply-body"><strong>' . esc_html__( 'Reply to the customer', 'aftercare-for-woocommerce' ) . '</strong></label>'
				. '<textarea id="aftercare-reply-body" name="body" rows="5" class="large-text" required maxlength="' . esc_attr( (string) Support::MAX_MESSAGE_CHARS ) . '"></textarea>'
				. '<p><button type="submit" class="button button-primary">' . esc_html__( 'Send reply', 'aftercare-for-woocommerce' ) . '</button> <span class="description">' . esc_html__( 'The customer gets it by email and in My Account.', 'aftercare-for-woocommerce' ) . '</span></p>'
			);
			$aftercare_form(
				'note',
				'<label for="aftercare-note-body"><strong>' . esc_html__( 'Internal note', 'aftercare-for-woocommerce' ) . '</strong></label>'
				. '<textarea id="aftercare-note-body" name="body" rows="2" class="large-text" required maxlength="' . esc_attr( (string) Support::MAX_MESSAGE_CHARS ) . '"></textarea>'
				. '<p><button type="submit" class="button">' . esc_html__( 'Add note', 'aftercare-for-woocommerce' ) . '</button> <span class="description">' . esc_html__( 'Only staff see notes.', 'aftercare-for-woocommerce' ) . '</span></p>'
			);
			?>
		</div>
		<div class="aftercare-inbox__side">
			<div class="postbox"><div class="inside">
				<h2><?php esc_html_e( 'Request', 'aftercare-for-woocommerce' ); ?></h2>
				<?php
				$aftercare_options = '<option value="">' . esc_html__( 'Nobody', 'aftercare-for-woocommerce' ) . '</option>';
				foreach ( $staff as $aftercare_login => $aftercare_name ) {
					$aftercare_options .= '<option value="' . esc_attr( (string) $aftercare_login ) . '"' . selected( $aftercare_who, (string) $aftercare_login, false ) . '>' . esc_html( $aftercare_name ) . '</option>';
				}
				$aftercare_form(
					'assign',
					'<label for="aftercare-assignee">' . esc_html__( 'Assigned to', 'aftercare-for-woocommerce' ) . '</label> '
					. '<select id="aftercare-assignee" name="assignee">' . $aftercare_options . '</select> '
					. '<button type="submit" class="button">' . esc_html__( 'Assign', 'aftercare-for-woocommerce' ) . '</button>'
				);
				$aftercare_form(
					'solved' === $aftercare_status ? 'reopen' : 'solve',
					'<p><button type="submit" class="button">' . esc_html( 'solved' === $aftercare_status ? __( 'Reopen', 'aftercare-for-woocommerce' ) : __( 'Mark solved', 'aftercare-for-woocommerce' ) ) . '</button></p>'
				);
				?>
			</div></div>
			<div class="postbox"><div class="inside aftercare-inbox__facts">
				<h2><?php esc_html_e( 'The order', 'aftercare-for-woocommerce' ); ?></h2>
				<?php if ( $order ) : ?>
					<p>
						<a href="<?php echo esc_url( admin_url( 'admin.php?page=wc-orders&action=edit&id=' . (int) $order->get_id() ) ); ?>">
							<?php
							/* translators: %s: order number */
							echo esc_html( sprintf( __( 'Order #%s', 'aftercare-for-woocommerce' ), $order->get_order_number() ) );
							?>
						</a>
						— <?php echo esc_html( $order->get_formatted_billing_full_name() ); ?>
					</p>
				<?php endif; ?>
				<?php if ( null === $view ) : ?>
					<p class="description"><?php esc_html_e( 'The order\'s parcels, invoice and returns could not be loaded.', 'aftercare-for-woocommerce' ); ?></p>
				<?php else : ?>
					<?php $aftercare_items = Data::items_by_id( $view ); ?>
					<?php if ( Support::item_id( $request ) && isset( $aftercare_items[ Support::item_id( $request ) ] ) ) : ?>
						<p><strong><?php esc_html_e( 'About:', 'aftercare-for-woocommerce' ); ?></strong> <?php echo esc_html( Data::str( $aftercare_items[ Support::item_id( $request ) ], 'name' ) ); ?></p>
					<?php endif; ?>
					<p><strong><?php esc_html_e( 'Delivery:', 'aftercare-for-woocommerce' ); ?></strong> <?php echo esc_html( Labels::delivery_state( Data::str( $view, 'delivery_state' ) ) ); ?></p>
					<?php $aftercare_shipments = Data::rows( $view, 'shipments' ); ?>
					<?php if ( $aftercare_shipments ) : ?>
						<ul class="aftercare-inbox__list">
							<?php foreach ( $aftercare_shipments as $aftercare_shipment ) : ?>
								<li>
									<?php echo esc_html( Data::str( $aftercare_shipment, 'carrier_name' ) ?: Data::str( $aftercare_shipment, 'carrier' ) ); ?>
									<code><?php echo esc_html( Data::str( $aftercare_shipment, 'tracking_number' ) ); ?></code>
									— <?php echo esc_html( Labels::shipment_status( Data::str( $aftercare_shipment, 'status' ) ) ); ?>
									<?php if ( '' !== Data::str( $aftercare_shipment, 'eta' ) ) : ?>
										<?php
										/* translators: %s: date */
										echo esc_html( sprintf( __( '(expected %s)', 'aftercare-for-woocommerce' ), Template::date( Data::str( $aftercare_shipment, 'eta' ) ) ) );
										?>
									<?php endif; ?>
								</li>
							<?php endforeach; ?>
						</ul>
					<?php else : ?>
						<p class="description"><?php esc_html_e( 'No parcels yet.', 'aftercare-for-woocommerce' ); ?></p>
					<?php endif; ?>
					<?php $aftercare_invoice = Data::obj( $view, 'invoice' ); ?>
					<p><strong><?php esc_html_e( 'Invoice:', 'aftercare-for-woocommerce' ); ?></strong>
						<?php echo esc_html( $aftercare_invoice && '' !== Data::str( $aftercare_invoice, 'number' ) ? Data::str( $aftercare_invoice, 'number' ) . ' · ' . Template::date( Data::str( $aftercare_invoice, 'issued_at' ) ) : __( 'not issued yet', 'aftercare-for-woocommerce' ) ); ?>
					</p>
					<?php $aftercare_returns = Data::rows( $view, 'returns' ); ?>
					<p><strong><?php esc_html_e( 'Returns:', 'aftercare-for-woocommerce' ); ?></strong>
						<?php if ( ! $aftercare_returns ) : ?>
							<?php esc_html_e( 'none', 'aftercare-for-woocommerce' ); ?>
						<?php endif; ?>
					</p>
					<?php if ( $aftercare_returns ) : ?>
						<ul class="aftercare-inbox__list">
							<?php foreach ( $aftercare_returns as $aftercare_return ) : ?>
								<li><a href="<?php echo esc_url( \Aftercare\Returns_Queue::view_url( Data::int( $aftercare_return, 'id' ) ) ); ?>">#<?php echo esc_html( (string) Data::int( $aftercare_return, 'id' ) ); ?></a> — <?php echo esc_html( Labels::return_status( Data::str( $aftercare_return, 'status' ) ) ); ?></li>
							<?php endforeach; ?>
						</ul>
					<?php endif; ?>
				<?php endif; ?>
			</div></div>
		</div>
	</div>
</div>
