<?php
/**
 * The Parcels box on the order edit screen.
 *
 * Override by copying to yourtheme/aftercare/admin/shipment-box.php.
 *
 * @package Aftercare
 *
 * @var int                                      $order_id  Order id.
 * @var \Aftercare\Api_Response                  $response  The order view request.
 * @var array<int,array<string,mixed>>           $shipments Parcels known to aftercare.
 * @var array<int,array{name:string,quantity:int}> $items   The order's line items.
 * @var array<int,int>                           $left      Units not in a parcel yet.
 * @var array<int,array<string,mixed>>           $alerts    The order's active delay alerts.
 * @var array<int,array<string,mixed>>           $documents Its invoice and credit notes.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Shipment_Box;
use Aftercare\Staff_Documents;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<div class="aftercare-box">
<?php if ( \Aftercare\Api_Response::NOT_CONFIGURED === $response->outcome ) : ?>
	<p><?php esc_html_e( 'Connect aftercare under WooCommerce → Settings → Aftercare to add parcels here.', 'aftercare-for-woocommerce' ); ?></p>
</div>
	<?php
	return;
endif;
?>
<?php if ( $response->ok() ) : ?>
	<?php if ( $alerts ) : ?>
		<ul class="aftercare-box__alerts">
		<?php foreach ( $alerts as $aftercare_alert ) : ?>
			<li>
				<mark class="aftercare-alert-badge aftercare-alert-badge--<?php echo esc_attr( Data::str( $aftercare_alert, 'code' ) ); ?>"><?php echo esc_html( Labels::alert_title( Data::str( $aftercare_alert, 'code' ) ) ); ?></mark>
				<?php if ( '' !== Template::date( Data::str( $aftercare_alert, 'since' ) ) ) : ?>
					<span class="description">
					<?php
					/* translators: %s: date the alert was raised */
					printf( esc_html__( 'since %s', 'aftercare-for-woocommerce' ), esc_html( Template::date( Data::str( $aftercare_alert, 'since' ) ) ) );
					?>
					</span>
				<?php endif; ?>
				<br><?php echo esc_html( Labels::alert( $aftercare_alert, Data::shipments_by_id( $response->data ) ) ); ?>
			</li>
		<?php endforeach; ?>
		</ul>
	<?php endif; ?>
	<?php if ( $documents ) : ?>
		<h4><?php esc_html_e( 'Documents', 'aftercare-for-woocommerce' ); ?></h4>
		<ul class="aftercare-box__documents">
		<?php foreach ( $documents as $aftercare_document ) : ?>
			<li>
				<a href="<?php echo esc_url( Staff_Documents::url( $order_id, Data::int( $aftercare_document, 'id' ) ) ); ?>">
					<?php
					$aftercare_number = Data::str( $aftercare_document, 'number' );
					echo esc_html(
						'credit_note' === Data::str( $aftercare_document, 'kind' )
							/* translators: %s: credit note number */
							? sprintf( __( 'Credit note %s', 'aftercare-for-woocommerce' ), $aftercare_number )
							/* translators: %s: invoice number */
							: sprintf( __( 'Invoice %s', 'aftercare-for-woocommerce' ), $aftercare_number )
					);
					?>
				</a>
			</li>
		<?php endforeach; ?>
		</ul>
	<?php endif; ?>
	<?php if ( ! $shipments ) : ?>
		<p class="description"><?php esc_html_e( 'No parcels yet.', 'aftercare-for-woocommerce' ); ?></p>
	<?php endif; ?>
	<?php foreach ( $shipments as $aftercare_parcel ) : ?>
		<?php $aftercare_link = Data::url( $aftercare_parcel, 'tracking_url' ); ?>
		<p class="aftercare-box__parcel">
			<strong><?php echo esc_html( '' !== Data::str( $aftercare_parcel, 'carrier_name' ) ? Data::str( $aftercare_parcel, 'carrier_name' ) : Data::str( $aftercare_parcel, 'carrier' ) ); ?></strong>
			<?php if ( '' !== $aftercare_link ) : ?>
				<a href="<?php echo esc_url( $aftercare_link ); ?>" target="_blank" rel="noopener noreferrer"><?php echo esc_html( Data::str( $aftercare_parcel, 'tracking_number' ) ); ?></a>
			<?php else : ?>
				<?php echo esc_html( Data::str( $aftercare_parcel, 'tracking_number' ) ); ?>
			<?php endif; ?>
			<br><span class="description"><?php echo esc_html( Labels::shipment_status( Data::str( $aftercare_parcel, 'status' ) ) . ( '' !== Template::date( Data::str( $aftercare_parcel, 'shipped_at' ) ) ? ' · ' . Template::date( Data::str( $aftercare_parcel, 'shipped_at' ) ) : '' ) ); ?></span>
			<?php $aftercare_feed = Data::obj( $aftercare_parcel, 'feed' ); ?>
			<?php if ( null !== $aftercare_feed ) : ?>
				<?php
				$aftercare_last_event = Template::date( Data::str( $aftercare_feed, 'last_event_at' ), true );
				$aftercare_last_check = Template::date( Data::str( $aftercare_feed, 'last_checked_at' ), true );
				?>
				<br><span class="description aftercare-box__feed">
					<?php
					/* translators: 1: tracking provider name (17TRACK), 2: how it follows the parcel */
					echo esc_html( sprintf( __( 'Live tracking by %1$s: %2$s', 'aftercare-for-woocommerce' ), Labels::feed_provider( Data::str( $aftercare_feed, 'provider' ) ), Labels::feed_state( Data::str( $aftercare_feed, 'state' ) ) ) );
					?>
					<br>
					<?php
					echo esc_html(
						'' !== $aftercare_last_event
							/* translators: %s: date and time of the newest carrier event */
							? sprintf( __( 'Last event %s', 'aftercare-for-woocommerce' ), $aftercare_last_event )
							: __( 'No carrier event yet', 'aftercare-for-woocommerce' )
					);
					?>
					·
					<?php
					echo esc_html(
						'' !== $aftercare_last_check
							/* translators: %s: date and time the tracking provider last checked the parcel */
							? sprintf( __( 'Last checked %s', 'aftercare-for-woocommerce' ), $aftercare_last_check )
							: __( 'Not checked yet', 'aftercare-for-woocommerce' )
					);
					?>
					<?php $aftercare_feed_error = Data::str( $aftercare_feed, 'last_error' ); ?>
					<?php if ( '' !== $aftercare_feed_error ) : ?>
						<br><span class="aftercare-box__problem">
							<?php
							/* translators: %s: why the tracking provider cannot follow the parcel right now, e.g. its monthly quota is used up */
							echo esc_html( sprintf( __( 'Problem: %s', 'aftercare-for-woocommerce' ), $aftercare_feed_error ) );
							?>
						</span>
					<?php endif; ?>
				</span>
			<?php endif; ?>
		</p>
	<?php endforeach; ?>
<?php elseif ( $response->not_found() ) : ?>
	<p class="description"><?php esc_html_e( 'aftercare has not received this order yet.', 'aftercare-for-woocommerce' ); ?></p>
<?php else : ?>
	<p class="description"><?php esc_html_e( 'aftercare did not answer; existing parcels cannot be shown right now.', 'aftercare-for-woocommerce' ); ?></p>
<?php endif; ?>

<h4><?php esc_html_e( 'Add a parcel', 'aftercare-for-woocommerce' ); ?></h4>
<p>
	<label for="aftercare_carrier"><?php esc_html_e( 'Carrier', 'aftercare-for-woocommerce' ); ?></label><br>
	<input type="text" id="aftercare_carrier" name="aftercare_carrier" list="aftercare-carriers" class="widefat" autocomplete="off">
	<datalist id="aftercare-carriers">
		<?php foreach ( Shipment_Box::CARRIERS as $aftercare_carrier ) : ?>
			<option value="<?php echo esc_attr( $aftercare_carrier ); ?>"></option>
		<?php endforeach; ?>
	</datalist>
</p>
<p>
	<label for="aftercare_tracking_number"><?php esc_html_e( 'Tracking number', 'aftercare-for-woocommerce' ); ?></label><br>
	<input type="text" id="aftercare_tracking_number" name="aftercare_tracking_number" class="widefat" autocomplete="off" spellcheck="false">
</p>
<p>
	<label for="aftercare_tracking_url"><?php esc_html_e( 'Tracking link (for carriers aftercare does not know)', 'aftercare-for-woocommerce' ); ?></label><br>
	<input type="url" id="aftercare_tracking_url" name="aftercare_tracking_url" class="widefat" placeholder="https://">
</p>
<p>
	<label for="aftercare_shipped_on"><?php esc_html_e( 'Shipped on', 'aftercare-for-woocommerce' ); ?></label><br>
	<input type="date" id="aftercare_shipped_on" name="aftercare_shipped_on" value="<?php echo esc_attr( wp_date( 'Y-m-d' ) ); ?>">
</p>
<?php if ( $items ) : ?>
	<fieldset>
		<legend><?php esc_html_e( 'Items in this parcel', 'aftercare-for-woocommerce' ); ?></legend>
		<?php if ( $response->ok() && ! array_filter( $left ) ) : ?>
			<p class="description aftercare-box__all-shipped"><?php esc_html_e( 'Everything in this order is already in a parcel. For a further parcel (a replacement, say), enter what it carries.', 'aftercare-for-woocommerce' ); ?></p>
		<?php endif; ?>
		<?php foreach ( $items as $aftercare_id => $aftercare_item ) : ?>
			<p class="aftercare-box__item">
				<input type="number" min="0" max="<?php echo esc_attr( (string) $aftercare_item['quantity'] ); ?>" step="1" style="width:4.5em" id="aftercare-item-<?php echo esc_attr( (string) $aftercare_id ); ?>" name="aftercare_items[<?php echo esc_attr( (string) $aftercare_id ); ?>]" value="<?php echo esc_attr( (string) ( $left[ $aftercare_id ] ?? 0 ) ); ?>">
				<label for="aftercare-item-<?php echo esc_attr( (string) $aftercare_id ); ?>"><?php echo esc_html( $aftercare_item['name'] ); ?> <span class="description">(<?php echo esc_html( (string) $aftercare_item['quantity'] ); ?>)</span></label>
			</p>
		<?php endforeach; ?>
	</fieldset>
<?php endif; ?>
<?php wp_nonce_field( Shipment_Box::NONCE_ACTION . '_' . $order_id, '_aftercare_shipment_nonce' ); ?>
<p class="description"><?php esc_html_e( 'The parcel is added when you update the order.', 'aftercare-for-woocommerce' ); ?></p>
<p><button type="submit" class="button" name="save" value="<?php esc_attr_e( 'Update', 'aftercare-for-woocommerce' ); ?>"><?php esc_html_e( 'Add parcel and update order', 'aftercare-for-woocommerce' ); ?></button></p>
</div>
