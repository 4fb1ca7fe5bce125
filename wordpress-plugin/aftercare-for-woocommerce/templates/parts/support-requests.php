<?php
/**
 * A customer's support requests, each with its conversation and, signed in, a reply box.
 *
 * Override by copying to yourtheme/aftercare/parts/support-requests.php.
 *
 * @package Aftercare
 *
 * @var array<int,array<string,mixed>> $requests   Requests from aftercare, each with `messages`.
 * @var array<int,string>              $names      Line item id => name, for the item asked about.
 * @var string                         $back       Where a reply comes back to.
 * @var bool                           $can_reply  Whether to show reply boxes (signed in).
 * @var bool                           $show_order Whether to name each request's order.
 * @var array<string,string>|null      $guest      Guests: the order number and email they typed;
 *                                                 replies post back to the tracking page.
 */

use Aftercare\Customer_Actions;
use Aftercare\Data;
use Aftercare\Support;
use Aftercare\Support_Actions;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<ul class="aftercare-requests">
<?php foreach ( $requests as $aftercare_request ) : ?>
	<?php
	$aftercare_id     = Data::int( $aftercare_request, 'id' );
	$aftercare_status = Data::str( $aftercare_request, 'status' );
	$aftercare_item   = Support::item_id( $aftercare_request );
	$aftercare_order  = Data::int( $aftercare_request, 'order_id' );
	?>
	<li class="aftercare-request aftercare-request--<?php echo esc_attr( $aftercare_status ); ?>" id="aftercare-request-<?php echo esc_attr( (string) $aftercare_id ); ?>">
		<div class="aftercare-request__head">
			<strong class="aftercare-request__topic"><?php echo esc_html( Support::topic( Data::str( $aftercare_request, 'topic' ) ) ); ?></strong>
			<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( 'solved' === $aftercare_status ? 'delivered' : 'shipped' ); ?>"><?php echo esc_html( Support::status( $aftercare_status ) ); ?></span>
			<span class="aftercare-muted">
				<?php if ( ! empty( $show_order ) && $aftercare_order ) : ?>
					<a href="<?php echo esc_url( \Aftercare\Account::view_order_url( $aftercare_order ) ); ?>">
						<?php
						/* translators: %d: order number */
						printf( esc_html__( 'Order #%d', 'aftercare-for-woocommerce' ), (int) $aftercare_order );
						?>
					</a> ·
				<?php endif; ?>
				<?php $aftercare_item_name = $names[ $aftercare_item ] ?? Data::str( Data::obj( $aftercare_request, 'item' ) ?? array(), 'name' ); ?>
				<?php if ( $aftercare_item && '' !== $aftercare_item_name ) : ?>
					<?php echo esc_html( $aftercare_item_name ); ?> ·
				<?php endif; ?>
				<time datetime="<?php echo esc_attr( Template::datetime_attr( Data::str( $aftercare_request, 'created_at' ) ) ); ?>"><?php echo esc_html( Template::date( Data::str( $aftercare_request, 'created_at' ) ) ); ?></time>
			</span>
		</div>
		<ol class="aftercare-thread">
			<?php foreach ( Support::thread( $aftercare_request ) as $aftercare_message ) : ?>
				<?php $aftercare_side = Support::side( $aftercare_message ); ?>
				<li class="aftercare-thread__message aftercare-thread__message--<?php echo esc_attr( $aftercare_side ); ?>">
					<div class="aftercare-thread__meta">
						<?php if ( 'customer' === $aftercare_side ) : ?>
							<?php esc_html_e( 'You', 'aftercare-for-woocommerce' ); ?>
						<?php elseif ( '' !== Data::str( $aftercare_message, 'author' ) ) : ?>
							<?php echo esc_html( Data::str( $aftercare_message, 'author' ) ); ?>
						<?php else : ?>
							<?php esc_html_e( 'The shop', 'aftercare-for-woocommerce' ); ?>
						<?php endif; ?>
						· <time datetime="<?php echo esc_attr( Template::datetime_attr( Data::str( $aftercare_message, 'created_at' ) ) ); ?>"><?php echo esc_html( Template::date( Data::str( $aftercare_message, 'created_at' ), true ) ); ?></time>
					</div>
					<div class="aftercare-thread__body"><?php echo wp_kses_post( wpautop( esc_html( Support::body( $aftercare_message ) ) ) ); ?></div>
					<?php $aftercare_photos = Data::rows( $aftercare_message, 'photos' ); ?>
					<?php if ( $aftercare_photos ) : ?>
						<p class="aftercare-muted aftercare-thread__photos">
							<?php
							/* translators: %d: number of photos */
							echo esc_html( sprintf( _n( '%d photo attached', '%d photos attached', count( $aftercare_photos ), 'aftercare-for-woocommerce' ), count( $aftercare_photos ) ) );
							?>
						</p>
					<?php endif; ?>
				</li>
			<?php endforeach; ?>
		</ol>
		<?php $aftercare_guest = isset( $guest ) && is_array( $guest ) ? $guest : null; ?>
		<?php if ( ! empty( $can_reply ) ) : ?>
			<form class="aftercare-reply" method="post"<?php if ( null === $aftercare_guest ) : ?> action="<?php echo esc_url( $back ); ?>"<?php endif; ?>>
				<label for="aftercare-reply-<?php echo esc_attr( (string) $aftercare_id ); ?>">
					<?php echo esc_html( 'solved' === $aftercare_status ? __( 'Still need help? Reply to reopen this request', 'aftercare-for-woocommerce' ) : __( 'Your reply', 'aftercare-for-woocommerce' ) ); ?>
				</label>
				<textarea id="aftercare-reply-<?php echo esc_attr( (string) $aftercare_id ); ?>" name="message" rows="3" required maxlength="<?php echo esc_attr( (string) Support::MAX_MESSAGE_CHARS ); ?>"></textarea>
				<?php if ( null !== $aftercare_guest ) : ?>
					<?php foreach ( \Aftercare\Guest_Support::reply_fields( $aftercare_guest, $aftercare_id ) as $aftercare_name => $aftercare_value ) : ?>
						<input type="hidden" name="<?php echo esc_attr( $aftercare_name ); ?>" value="<?php echo esc_attr( $aftercare_value ); ?>">
					<?php endforeach; ?>
				<?php else : ?>
					<input type="hidden" name="<?php echo esc_attr( Customer_Actions::FIELD ); ?>" value="<?php echo esc_attr( Support_Actions::REPLY_ACTION ); ?>">
					<input type="hidden" name="request_id" value="<?php echo esc_attr( (string) $aftercare_id ); ?>">
					<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) $aftercare_order ); ?>">
					<input type="hidden" name="back" value="<?php echo esc_url( $back ); ?>">
					<?php // Several forms share the page: no id on the nonce field. ?>
					<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Support_Actions::REPLY_ACTION . '_' . $aftercare_id ) ); ?>">
				<?php endif; ?>
				<button type="submit" class="button"><?php esc_html_e( 'Send reply', 'aftercare-for-woocommerce' ); ?></button>
			</form>
		<?php endif; ?>
	</li>
<?php endforeach; ?>
</ul>
