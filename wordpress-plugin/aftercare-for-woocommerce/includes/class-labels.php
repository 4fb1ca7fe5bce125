<?php
/**
 * Words for aftercare's codes, translatable.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Labels for states, reasons and resolutions. Unknown codes read as words, not as a blank.
 */
final class Labels {

	public const REASONS          = array( 'damaged', 'wrong_item', 'not_as_described', 'too_small', 'too_large', 'changed_mind', 'other' );
	public const RESOLUTIONS      = array( 'refund', 'exchange', 'store_credit' );
	public const RETURN_STATUSES  = array( 'requested', 'approved', 'rejected', 'received', 'refunded', 'exchanged', 'credited', 'cancelled' );
	public const SHIPMENT_STATUSES = array( 'shipped', 'label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned' );
	/** Delivery states that mean "on its way". */
	public const ON_THE_WAY = array( 'partially_shipped', 'shipped', 'out_for_delivery', 'exception' );

	public static function delivery_state( string $code ): string {
		$labels = array(
			'unfulfilled'       => __( 'Being prepared', 'aftercare-for-woocommerce' ),
			'partially_shipped' => __( 'Partly shipped', 'aftercare-for-woocommerce' ),
			'shipped'           => __( 'Shipped', 'aftercare-for-woocommerce' ),
			'out_for_delivery'  => __( 'Out for delivery', 'aftercare-for-woocommerce' ),
			'delivered'         => __( 'Delivered', 'aftercare-for-woocommerce' ),
			'exception'         => __( 'Delivery problem', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	public static function shipment_status( string $code ): string {
		$labels = array(
			// A parcel's status before the carrier's first event.
			'shipped'          => __( 'Shipped', 'aftercare-for-woocommerce' ),
			'label_created'    => __( 'Label created', 'aftercare-for-woocommerce' ),
			'in_transit'       => __( 'In transit', 'aftercare-for-woocommerce' ),
			'out_for_delivery' => __( 'Out for delivery', 'aftercare-for-woocommerce' ),
			'delivered'        => __( 'Delivered', 'aftercare-for-woocommerce' ),
			'exception'        => __( 'Delivery problem', 'aftercare-for-woocommerce' ),
			'returned'         => __( 'Returned to sender', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	/**
	 * How a tracking provider follows a parcel (the order view's `feed.state`).
	 *
	 * @param string $code Feed state.
	 */
	public static function feed_state( string $code ): string {
		$labels = array(
			'pending'          => __( 'Waiting to be registered with the provider', 'aftercare-for-woocommerce' ),
			'subscribed'       => __( 'Followed', 'aftercare-for-woocommerce' ),
			'awaiting_carrier' => __( 'Followed; the carrier has no scans yet', 'aftercare-for-woocommerce' ),
			'stale'            => __( 'No news from the carrier for days; it may have lost the parcel', 'aftercare-for-woocommerce' ),
			'rejected'         => __( 'The provider refused the tracking number', 'aftercare-for-woocommerce' ),
			'stopped'          => __( 'No longer followed', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	/**
	 * A tracking provider's own name (the order view's `feed.provider`); names are not translated.
	 *
	 * @param string $code Provider code.
	 */
	public static function feed_provider( string $code ): string {
		$names = array(
			'17track'          => '17TRACK',
			'delivery-tracker' => 'Delivery Tracker',
			'aftership'        => 'AfterShip',
		);
		return $names[ $code ] ?? $code;
	}

	/**
	 * What a tracking provider account used this month, as the store health reports it
	 * (`feeds[]`): "17TRACK: 37 of 100 registrations this month", or the requests where the
	 * provider has no quota.
	 *
	 * @param array<string,mixed> $feed One `feeds[]` entry of GET /api/v1/store/health.
	 */
	public static function feed_usage( array $feed ): string {
		$name  = self::feed_provider( Data::str( $feed, 'provider' ) );
		$used  = Data::int( $feed, 'used' );
		$limit = isset( $feed['limit'] ) && is_numeric( $feed['limit'] ) ? (int) $feed['limit'] : null;
		if ( null !== $limit && 'registrations' === Data::str( $feed, 'unit' ) ) {
			/* translators: 1: tracking provider name (17TRACK), 2: registrations used this month, 3: the monthly quota */
			return sprintf( _n( '%1$s: %2$d of %3$d registration this month', '%1$s: %2$d of %3$d registrations this month', $limit, 'aftercare-for-woocommerce' ), $name, $used, $limit );
		}
		/* translators: 1: tracking provider name (Delivery Tracker), 2: requests sent this month */
		return sprintf( _n( '%1$s: %2$d request this month', '%1$s: %2$d requests this month', $used, 'aftercare-for-woocommerce' ), $name, $used );
	}

	public static function return_status( string $code ): string {
		$labels = array(
			'requested' => __( 'Requested', 'aftercare-for-woocommerce' ),
			'approved'  => __( 'Approved', 'aftercare-for-woocommerce' ),
			'rejected'  => __( 'Declined', 'aftercare-for-woocommerce' ),
			'received'  => __( 'Received', 'aftercare-for-woocommerce' ),
			'refunded'  => __( 'Refunded', 'aftercare-for-woocommerce' ),
			'exchanged' => __( 'Exchanged', 'aftercare-for-woocommerce' ),
			'credited'  => __( 'Store credit issued', 'aftercare-for-woocommerce' ),
			'cancelled' => __( 'Cancelled', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	public static function reason( string $code ): string {
		$labels = array(
			'damaged'          => __( 'Arrived damaged', 'aftercare-for-woocommerce' ),
			'wrong_item'       => __( 'Wrong item sent', 'aftercare-for-woocommerce' ),
			'not_as_described' => __( 'Not as described', 'aftercare-for-woocommerce' ),
			'too_small'        => __( 'Too small', 'aftercare-for-woocommerce' ),
			'too_large'        => __( 'Too large', 'aftercare-for-woocommerce' ),
			'changed_mind'     => __( 'Changed my mind', 'aftercare-for-woocommerce' ),
			'other'            => __( 'Other reason', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	public static function resolution( string $code ): string {
		$labels = array(
			'refund'       => __( 'Refund', 'aftercare-for-woocommerce' ),
			'exchange'     => __( 'Exchange', 'aftercare-for-woocommerce' ),
			'store_credit' => __( 'Store credit', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	/**
	 * Why an item cannot be returned (any more), in the plugin's words.
	 *
	 * @param string $code    aftercare's `return_eligibility[].reason`.
	 * @param string $message aftercare's English sentence, for codes this version does not know.
	 * @param int    $items   How many items the sentence is about (one sentence for several).
	 */
	public static function eligibility( string $code, string $message = '', int $items = 1 ): string {
		$labels = array(
			'not_paid'       => __( 'Returns open once the order is paid.', 'aftercare-for-woocommerce' ),
			'order_closed'   => __( 'This order was cancelled or refunded, so it cannot be returned.', 'aftercare-for-woocommerce' ),
			'not_delivered'  => _n( 'You can return this item once it has been delivered.', 'You can return these items once they have been delivered.', $items, 'aftercare-for-woocommerce' ),
			'window_closed'  => _n( 'The return period for this item has ended.', 'The return period for these items has ended.', $items, 'aftercare-for-woocommerce' ),
			'non_returnable' => _n( 'This item cannot be returned.', 'These items cannot be returned.', $items, 'aftercare-for-woocommerce' ),
			'nothing_left'   => _n( 'Every unit of this item has been refunded or is already in a return.', 'Every unit of these items has been refunded or is already in a return.', $items, 'aftercare-for-woocommerce' ),
		);
		if ( isset( $labels[ $code ] ) ) {
			return $labels[ $code ];
		}
		if ( '' !== $message ) {
			return $message;
		}
		return '' === $code ? '' : self::humanize( $code );
	}

	/**
	 * A delay alert as a translatable sentence, with its parcel's carrier, number and date
	 * taken from the order view; aftercare's English sentence for codes this version does
	 * not know (or when the parcel is missing).
	 *
	 * @param array<string,mixed>             $alert     One `alerts[]` entry.
	 * @param array<int,array<string,mixed>>  $shipments The order view's shipments, by id.
	 */
	public static function alert( array $alert, array $shipments ): string {
		$code    = Data::str( $alert, 'code' );
		$message = Data::str( $alert, 'message' );
		if ( 'not_shipped' === $code ) {
			return __( 'Your order hasn\'t shipped yet and is taking longer than usual to prepare. We\'re sorry for the wait.', 'aftercare-for-woocommerce' );
		}
		$parcel = $shipments[ Data::int( $alert, 'shipment_id' ) ] ?? null;
		if ( null === $parcel ) {
			return $message;
		}
		$number  = Data::str( $parcel, 'tracking_number' );
		$carrier = Data::str( $parcel, 'carrier_name' );
		$carrier = '' !== $carrier ? $carrier : Data::str( $parcel, 'carrier' );
		$events  = Data::rows( $parcel, 'events' );
		$latest  = $events[0] ?? array();
		$last_at = Template::date( Data::str( $latest, 'occurred_at' ) );
		switch ( $code ) {
			case 'no_carrier_scan':
				/* translators: 1: tracking number, 2: date the label was created, 3: carrier */
				return '' === $last_at ? $message : sprintf( __( 'The shipping label for parcel %1$s was created on %2$s, but %3$s hasn\'t scanned the parcel yet. It is probably still waiting to be picked up.', 'aftercare-for-woocommerce' ), $number, $last_at, $carrier );
			case 'stalled_in_transit':
				/* translators: 1: carrier, 2: tracking number, 3: date of the last update */
				return '' === $last_at ? $message : sprintf( __( '%1$s hasn\'t reported any movement of parcel %2$s since %3$s. Parcels sometimes go quiet between depots.', 'aftercare-for-woocommerce' ), $carrier, $number, $last_at );
			case 'eta_passed':
				$eta = Template::date( Data::str( $parcel, 'eta' ) );
				/* translators: 1: tracking number, 2: expected delivery date, 3: carrier */
				return '' === $eta ? $message : sprintf( __( 'Parcel %1$s was expected by %2$s, and %3$s hasn\'t marked it delivered yet. We\'re sorry for the delay.', 'aftercare-for-woocommerce' ), $number, $eta, $carrier );
			case 'delivery_exception':
				$detail = 'exception' === Data::str( $latest, 'status' ) ? Data::str( $latest, 'description' ) : '';
				if ( '' !== $detail ) {
					/* translators: 1: carrier, 2: tracking number, 3: the carrier's words */
					return sprintf( __( '%1$s reported a problem delivering parcel %2$s: "%3$s".', 'aftercare-for-woocommerce' ), $carrier, $number, $detail );
				}
				/* translators: 1: carrier, 2: tracking number */
				return sprintf( __( '%1$s reported a problem delivering parcel %2$s.', 'aftercare-for-woocommerce' ), $carrier, $number );
			case 'returned_to_sender':
				/* translators: 1: carrier, 2: tracking number */
				return sprintf( __( '%1$s is sending parcel %2$s back to the shop. Please contact us about a replacement or a refund.', 'aftercare-for-woocommerce' ), $carrier, $number );
			case 'carrier_silent':
				/* translators: 1: carrier, 2: tracking number */
				return sprintf( __( '%1$s has had no tracking information for parcel %2$s for several days. If you have questions, please contact us.', 'aftercare-for-woocommerce' ), $carrier, $number );
		}
		return $message;
	}

	/**
	 * A delay alert's short name, for staff lists.
	 *
	 * @param string $code `alerts[].code`.
	 */
	public static function alert_title( string $code ): string {
		$labels = array(
			'not_shipped'        => __( 'Slow to ship', 'aftercare-for-woocommerce' ),
			'no_carrier_scan'    => __( 'Not picked up by the carrier', 'aftercare-for-woocommerce' ),
			'stalled_in_transit' => __( 'No movement', 'aftercare-for-woocommerce' ),
			'eta_passed'         => __( 'Late', 'aftercare-for-woocommerce' ),
			'delivery_exception' => __( 'Delivery problem', 'aftercare-for-woocommerce' ),
			'returned_to_sender' => __( 'Returned to sender', 'aftercare-for-woocommerce' ),
			'carrier_silent'     => __( 'No news from the carrier', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	/**
	 * Where carrying out a refund or store credit in WooCommerce stands (staff only).
	 *
	 * @param string $code `pending`, `done` or `failed`.
	 */
	public static function settlement( string $code ): string {
		$labels = array(
			'pending' => __( 'Being carried out in WooCommerce', 'aftercare-for-woocommerce' ),
			'done'    => __( 'Done in WooCommerce', 'aftercare-for-woocommerce' ),
			'failed'  => __( 'Failed; aftercare retries', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	/**
	 * Who made a step of a return's history.
	 *
	 * @param array<string,mixed> $step  One `history[]` entry.
	 * @param bool                $staff Staff see the customer as "Customer", customers see "You".
	 */
	public static function actor( array $step, bool $staff ): string {
		$by = Data::str( $step, 'by' );
		if ( 'customer' === $by ) {
			return $staff ? __( 'Customer', 'aftercare-for-woocommerce' ) : __( 'You', 'aftercare-for-woocommerce' );
		}
		$name = Data::str( $step, 'by_name' );
		if ( 'staff' === $by ) {
			return '' !== $name ? $name : __( 'The shop', 'aftercare-for-woocommerce' );
		}
		return '' !== $name ? $name : self::humanize( $by );
	}

	/**
	 * What staff may do to a return in each state (aftercare has the last word: 409 otherwise).
	 *
	 * @param string $status The return's status.
	 * @return array<string,string> Target state => button label.
	 */
	public static function staff_transitions( string $status ): array {
		$labels = array(
			'approved'  => __( 'Approve', 'aftercare-for-woocommerce' ),
			'rejected'  => __( 'Reject', 'aftercare-for-woocommerce' ),
			'received'  => __( 'Mark received', 'aftercare-for-woocommerce' ),
			'refunded'  => __( 'Refund', 'aftercare-for-woocommerce' ),
			'exchanged' => __( 'Mark exchanged', 'aftercare-for-woocommerce' ),
			'credited'  => __( 'Issue store credit', 'aftercare-for-woocommerce' ),
			'cancelled' => __( 'Cancel', 'aftercare-for-woocommerce' ),
		);
		// aftercare's lifecycle; the last five states are final.
		$next   = array(
			'requested' => array( 'approved', 'rejected', 'cancelled' ),
			'approved'  => array( 'received', 'cancelled' ),
			'received'  => array( 'refunded', 'exchanged', 'credited' ),
		);
		$result = array();
		foreach ( $next[ $status ] ?? array() as $to ) {
			$result[ $to ] = $labels[ $to ];
		}
		return $result;
	}

	/**
	 * "out_for_delivery" => "Out for delivery", for codes this version does not know yet.
	 *
	 * @param string $code A snake_case code.
	 */
	public static function humanize( string $code ): string {
		self::note_unknown( $code );
		return ucfirst( str_replace( array( '_', '-' ), ' ', $code ) );
	}

	/**
	 * Notes a code without a translated label in WooCommerce's log, once per request, so that
	 * an English word in a translated page is noticed and gets its label.
	 *
	 * @param string $code The code shown as words.
	 */
	private static function note_unknown( string $code ): void {
		static $noted = array();
		if ( '' === $code || isset( $noted[ $code ] ) || ! function_exists( 'wc_get_logger' ) ) {
			return;
		}
		$noted[ $code ] = true;
		wc_get_logger()->warning( sprintf( 'No label for the code "%s"; it is shown as words.', $code ), array( 'source' => 'aftercare' ) );
	}
}
