<?php
/**
 * WooCommerce → Returns → one return: items, comment, photos, history, money and next steps.
 *
 * Override by copying to yourtheme/aftercare/admin/return-view.php.
 *
 * @package Aftercare
 *
 * @var int                       $return_id The return asked for.
 * @var \Aftercare\Api_Response   $response  GET /api/v1/returns/{id}.
 * @var array<string,mixed>|null  $return    The return (staff view) when it loaded.
 * @var \WC_Order|null            $order     Its WooCommerce order.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Returns_Queue;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_status = Data::str( $return, 'status' );
?>
<div class="wrap aftercare-queue aftercare-return-view">
	<h1 class="wp-heading-inline">
		<?php
		/* translators: %d: return id */
		echo esc_html( sprintf( __( 'Return #%d', 'aftercare-for-woocommerce' ), $return_id ) );
		?>
	</h1>
	<?php if ( $return ) : ?>
		<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_status ); ?>"><?php echo esc_html( Labels::return_status( $aftercare_status ) ); ?></span>
	<?php endif; ?>
	<a class="page-title-action" href="<?php echo esc_url( Returns_Queue::url( 'all' ) ); ?>"><?php esc_html_e( 'All returns', 'aftercare-for-woocommerce' ); ?></a>
	<hr class="wp-header-end">

	<?php if ( null === $return ) : ?>
		<?php if ( $response->not_found() ) : ?>
			<div class="notice notice-warning inline"><p><?php esc_html_e( 'There is no such return.', 'aftercare-for-woocommerce' ); ?></p></div>
		<?php else : ?>
			<div class="notice notice-warning inline"><p><?php esc_html_e( 'The return could not be loaded.', 'aftercare-for-woocommerce' ); ?></p>
				<ul><?php foreach ( \Aftercare\Connector::explain( $response ) as $aftercare_line ) : ?><li><?php echo esc_html( $aftercare_line ); ?></li><?php endforeach; ?></ul>
			</div>
		<?php endif; ?>
	<?php else : ?>
		<div class="aftercare-return-view__columns">
			<div class="aftercare-return-view__main">
				<div class="postbox">
					<h2 class="aftercare-postbox-title"><?php esc_html_e( 'Items and reasons', 'aftercare-for-woocommerce' ); ?></h2>
					<div class="inside">
						<?php
						echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
							'parts/return-items',
							array(
								'return_items' => Data::rows( $return, 'items' ),
								'names'        => Returns_Queue::item_names( $order ),
								'staff'        => true,
								'class_name'   => 'aftercare-queue__items',
							)
						);
						?>
						<?php if ( '' !== Data::str( $return, 'comment' ) ) : ?>
							<h3><?php esc_html_e( 'Customer\'s comment', 'aftercare-for-woocommerce' ); ?></h3>
							<blockquote class="aftercare-comment"><?php echo esc_html( Data::str( $return, 'comment' ) ); ?></blockquote>
						<?php endif; ?>
						<?php if ( Data::rows( $return, 'photos' ) ) : ?>
							<h3><?php esc_html_e( 'Photos', 'aftercare-for-woocommerce' ); ?></h3>
							<?php
							echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
								'admin/parts/photos',
								array(
									'return' => $return,
									'size'   => 180,
								)
							);
							?>
						<?php endif; ?>
					</div>
				</div>
				<div class="postbox">
					<h2 class="aftercare-postbox-title"><?php esc_html_e( 'Return history', 'aftercare-for-woocommerce' ); ?></h2>
					<div class="inside">
						<ol class="aftercare-history">
						<?php foreach ( Data::rows( $return, 'history' ) as $aftercare_step ) : ?>
							<?php $aftercare_from = Data::str( $aftercare_step, 'from' ); ?>
							<li>
								<span class="aftercare-history__when"><?php echo esc_html( Template::date( Data::str( $aftercare_step, 'at' ), true ) ); ?></span>
								<span class="aftercare-history__what">
									<?php if ( '' !== $aftercare_from ) : ?>
										<?php echo esc_html( Labels::return_status( $aftercare_from ) ); ?> &rarr;
									<?php endif; ?>
									<strong><?php echo esc_html( Labels::return_status( Data::str( $aftercare_step, 'to' ) ) ); ?></strong>
									<span class="description">&middot; <?php echo esc_html( Labels::actor( $aftercare_step, true ) ); ?></span>
								</span>
								<?php if ( '' !== Data::str( $aftercare_step, 'note' ) ) : ?>
									<span class="aftercare-history__note"><?php echo esc_html( Data::str( $aftercare_step, 'note' ) ); ?></span>
								<?php endif; ?>
							</li>
						<?php endforeach; ?>
						</ol>
					</div>
				</div>
			</div>
			<div class="aftercare-return-view__side">
				<div class="postbox">
					<h2 class="aftercare-postbox-title"><?php esc_html_e( 'Return', 'aftercare-for-woocommerce' ); ?></h2>
					<div class="inside">
						<dl class="aftercare-facts">
							<dt><?php esc_html_e( 'Order', 'aftercare-for-woocommerce' ); ?></dt>
							<dd>
								<?php if ( $order ) : ?>
									<a href="<?php echo esc_url( $order->get_edit_order_url() ); ?>">#<?php echo esc_html( $order->get_order_number() ); ?></a>
									&middot; <?php echo esc_html( $order->get_formatted_billing_full_name() ); ?>
								<?php else : ?>
									#<?php echo esc_html( '' !== Data::str( $return, 'order_number' ) ? Data::str( $return, 'order_number' ) : (string) Data::int( $return, 'order_id' ) ); ?>
								<?php endif; ?>
							</dd>
							<dt><?php esc_html_e( 'Requested on', 'aftercare-for-woocommerce' ); ?></dt>
							<dd><?php echo esc_html( Template::date( Data::str( $return, 'created_at' ), true ) ); ?></dd>
							<dt><?php esc_html_e( 'Wants', 'aftercare-for-woocommerce' ); ?></dt>
							<dd><?php echo esc_html( Labels::resolution( Data::str( $return, 'resolution' ) ) ); ?></dd>
						</dl>
						<?php
						echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
							'admin/parts/settlement',
							array( 'return' => $return )
						);
						?>
					</div>
				</div>
				<div class="postbox">
					<h2 class="aftercare-postbox-title"><?php esc_html_e( 'Next step', 'aftercare-for-woocommerce' ); ?></h2>
					<div class="inside">
						<?php
						echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
							'admin/parts/return-actions',
							array(
								'return'    => $return,
								'filter'    => '',
								'from_view' => true,
							)
						);
						?>
					</div>
				</div>
			</div>
		</div>
	<?php endif; ?>
</div>
