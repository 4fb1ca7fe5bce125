<?php
/**
 * The parcels of one order: carrier, linked tracking number, ETA, items and history.
 *
 * Override by copying to yourtheme/aftercare/parts/parcels.php.
 *
 * @package Aftercare
 *
 * @var array<int,array<string,mixed>> $shipments Shipments from the order view.
 * @var array<int,array<string,mixed>> $items     Line items by id.
 * @var array<int,int>                 $unshipped Units not in a parcel yet, by line item id.
 * @var string                         $state     The order's delivery_state.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_count = count( $shipments );
?>
<?php if ( ! $shipments ) : ?>
	<p class="aftercare-muted">
		<?php
		if ( 'delivered' === $state ) {
			esc_html_e( 'Your order has been delivered.', 'aftercare-for-woocommerce' );
		} else {
			esc_html_e( 'Your order is being prepared. The parcels will appear here as soon as they are on their way.', 'aftercare-for-woocommerce' );
		}
		?>
	</p>
<?php endif; ?>
<?php foreach ( $shipments as $aftercare_i => $aftercare_parcel ) : ?>
	<?php
	$aftercare_status = Data::str( $aftercare_parcel, 'status' );
	$aftercare_number = Data::str( $aftercare_parcel, 'tracking_number' );
	$aftercare_link   = Data::url( $aftercare_parcel, 'tracking_url' );
	$aftercare_eta    = Data::str( $aftercare_parcel, 'eta' );
	$aftercare_events = Data::rows( $aftercare_parcel, 'events' );
	$aftercare_carrier = Data::str( $aftercare_parcel, 'carrier_name' );
	if ( '' === $aftercare_carrier ) {
		$aftercare_carrier = Data::str( $aftercare_parcel, 'carrier' );
	}
	// When the tracking provider that follows the parcel last heard about it (absent without a feed).
	$aftercare_checked = Data::str( Data::obj( $aftercare_parcel, 'feed' ) ?? array(), 'last_checked_at' );
	?>
	<article class="aftercare-parcel aftercare-parcel--<?php echo esc_attr( $aftercare_status ); ?>">
		<header class="aftercare-parcel__head">
			<h3 class="aftercare-parcel__title">
				<?php
				if ( $aftercare_count > 1 ) {
					/* translators: 1: parcel position, 2: number of parcels */
					printf( esc_html__( 'Parcel %1$d of %2$d', 'aftercare-for-woocommerce' ), (int) $aftercare_i + 1, (int) $aftercare_count );
				} else {
					esc_html_e( 'Your parcel', 'aftercare-for-woocommerce' );
				}
				?>
			</h3>
			<?php if ( '' !== $aftercare_status ) : ?>
				<span class="aftercare-badge aftercare-badge--<?php echo esc_attr( $aftercare_status ); ?>"><?php echo esc_html( Labels::shipment_status( $aftercare_status ) ); ?></span>
			<?php endif; ?>
		</header>
		<dl class="aftercare-facts">
			<?php if ( '' !== $aftercare_carrier ) : ?>
				<dt><?php esc_html_e( 'Carrier', 'aftercare-for-woocommerce' ); ?></dt>
				<dd><?php echo esc_html( $aftercare_carrier ); ?></dd>
			<?php endif; ?>
			<?php if ( '' !== $aftercare_number ) : ?>
				<dt><?php esc_html_e( 'Tracking number', 'aftercare-for-woocommerce' ); ?></dt>
				<dd>
					<?php if ( '' !== $aftercare_link ) : ?>
						<a href="<?php echo esc_url( $aftercare_link ); ?>" target="_blank" rel="noopener noreferrer"><?php echo esc_html( $aftercare_number ); ?></a>
					<?php else : ?>
						<?php echo esc_html( $aftercare_number ); ?>
					<?php endif; ?>
				</dd>
			<?php endif; ?>
			<?php if ( '' !== Template::date( Data::str( $aftercare_parcel, 'shipped_at' ) ) ) : ?>
				<dt><?php esc_html_e( 'Shipped', 'aftercare-for-woocommerce' ); ?></dt>
				<dd><time datetime="<?php echo esc_attr( Template::datetime_attr( Data::str( $aftercare_parcel, 'shipped_at' ) ) ); ?>"><?php echo esc_html( Template::date( Data::str( $aftercare_parcel, 'shipped_at' ) ) ); ?></time></dd>
			<?php endif; ?>
			<?php if ( '' !== Template::date( $aftercare_eta ) && 'delivered' !== $aftercare_status ) : ?>
				<?php if ( Template::is_past( $aftercare_eta ) ) : ?>
					<dt class="aftercare-late"><?php esc_html_e( 'Was expected by', 'aftercare-for-woocommerce' ); ?></dt>
				<?php else : ?>
					<dt><?php esc_html_e( 'Expected', 'aftercare-for-woocommerce' ); ?></dt>
				<?php endif; ?>
				<dd><time datetime="<?php echo esc_attr( Template::datetime_attr( $aftercare_eta ) ); ?>"><?php echo esc_html( Template::date( $aftercare_eta ) ); ?></time></dd>
			<?php endif; ?>
		</dl>
		<?php $aftercare_parcel_items = Data::rows( $aftercare_parcel, 'items' ); ?>
		<?php if ( $aftercare_parcel_items ) : ?>
			<h4 class="aftercare-subheading"><?php esc_html_e( 'In this parcel', 'aftercare-for-woocommerce' ); ?></h4>
			<ul class="aftercare-parcel__items">
				<?php foreach ( $aftercare_parcel_items as $aftercare_item ) : ?>
					<?php $aftercare_name = Data::str( $items[ Data::int( $aftercare_item, 'line_item_id' ) ] ?? array(), 'name' ); ?>
					<?php if ( '' !== $aftercare_name ) : ?>
						<li><?php echo esc_html( $aftercare_name ); ?> <span class="aftercare-qty">&times;&nbsp;<?php echo esc_html( (string) Data::int( $aftercare_item, 'quantity' ) ); ?></span></li>
					<?php endif; ?>
				<?php endforeach; ?>
			</ul>
		<?php endif; ?>
		<h4 class="aftercare-subheading"><?php esc_html_e( 'History', 'aftercare-for-woocommerce' ); ?></h4>
		<?php if ( $aftercare_events ) : ?>
			<ol class="aftercare-timeline">
				<?php foreach ( $aftercare_events as $aftercare_event ) : ?>
					<?php
					$aftercare_at       = Data::str( $aftercare_event, 'occurred_at' );
					$aftercare_location = Data::str( $aftercare_event, 'location' );
					$aftercare_desc     = Data::str( $aftercare_event, 'description' );
					?>
					<li class="aftercare-timeline__step aftercare-timeline__step--<?php echo esc_attr( Data::str( $aftercare_event, 'status' ) ); ?>">
						<time datetime="<?php echo esc_attr( Template::datetime_attr( $aftercare_at ) ); ?>"><?php echo esc_html( Template::date( $aftercare_at, true ) ); ?></time>
						<strong><?php echo esc_html( Labels::shipment_status( Data::str( $aftercare_event, 'status' ) ) ); ?></strong>
						<?php if ( '' !== $aftercare_desc ) : ?>
							<span class="aftercare-timeline__text"><?php echo esc_html( $aftercare_desc ); ?></span>
						<?php endif; ?>
						<?php if ( '' !== $aftercare_location ) : ?>
							<span class="aftercare-timeline__place"><?php echo esc_html( $aftercare_location ); ?></span>
						<?php endif; ?>
					</li>
				<?php endforeach; ?>
			</ol>
		<?php else : ?>
			<p class="aftercare-muted"><?php esc_html_e( 'No news from the carrier yet.', 'aftercare-for-woocommerce' ); ?></p>
		<?php endif; ?>
		<?php if ( '' !== Template::date( $aftercare_checked ) ) : ?>
			<p class="aftercare-muted aftercare-parcel__checked">
				<?php
				printf(
					/* translators: %s: date and time the tracking provider last checked the parcel */
					esc_html__( 'Last checked %s', 'aftercare-for-woocommerce' ),
					'<time datetime="' . esc_attr( Template::datetime_attr( $aftercare_checked ) ) . '">' . esc_html( Template::date( $aftercare_checked, true ) ) . '</time>'
				);
				?>
			</p>
		<?php endif; ?>
	</article>
<?php endforeach; ?>
<?php if ( $shipments && $unshipped ) : ?>
	<div class="aftercare-unshipped">
		<h3 class="aftercare-parcel__title"><?php esc_html_e( 'Not shipped yet', 'aftercare-for-woocommerce' ); ?></h3>
		<ul class="aftercare-parcel__items">
			<?php foreach ( $unshipped as $aftercare_id => $aftercare_qty ) : ?>
				<?php $aftercare_name = Data::str( $items[ $aftercare_id ] ?? array(), 'name' ); ?>
				<?php if ( '' !== $aftercare_name ) : ?>
					<li><?php echo esc_html( $aftercare_name ); ?> <span class="aftercare-qty">&times;&nbsp;<?php echo esc_html( (string) $aftercare_qty ); ?></span></li>
				<?php endif; ?>
			<?php endforeach; ?>
		</ul>
	</div>
<?php endif; ?>
