<?php
/**
 * What aftercare knows about an order, in the shape every email template reads.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Reads the order view (parcels, ETA, the tracking page) and the order's documents for the
 * emails. Every read is short and remembered for the request, so WooCommerce's email goes out
 * on time when aftercare is slow or down: the email then simply carries nothing of ours.
 */
final class Order_Facts {

	/** Seconds an attachment download may hold up an email. */
	public const DOWNLOAD_TIMEOUT = 4;

	/**
	 * The date format of an email in a language WordPress has not installed (its own format
	 * would print English month names), or '' for the site's.
	 */
	public static string $date_format = '';

	/**
	 * Facts per order id for this request.
	 *
	 * @var array<int,array<string,mixed>|null>
	 */
	private static array $seen = array();

	/**
	 * Tracking page, parcels and expected date of an order, or null when aftercare has none or
	 * did not answer.
	 *
	 * @param \WC_Order $order The order.
	 * @return array{tracking_url:string,expected_date:string,parcels:array<int,array<string,string>>}|null
	 */
	public static function for_order( $order ): ?array {
		$order_id = (int) $order->get_id();
		if ( array_key_exists( $order_id, self::$seen ) ) {
			return self::$seen[ $order_id ];
		}
		self::$seen[ $order_id ] = null;
		$client                  = Api_Client::from_settings();
		if ( ! $client->is_configured() ) {
			return null;
		}
		$customer_id = (int) $order->get_customer_id();
		$response    = $customer_id > 0
			? $client->get( Account::order_path( $customer_id, $order_id ), array(), array( 'cache' => true ) )
			: $client->get( sprintf( '/api/v1/guest/orders/%d', $order_id ), Guest_Tracking::proof( $order ), array( 'cache' => true ) );
		if ( ! $response->ok() || ! is_array( $response->data ) ) {
			if ( ! $response->not_found() ) {
				self::log( sprintf( 'order %d: its parcels could not be read for the email (%s)', $order_id, $response->code ? $response->code : $response->outcome ) );
			}
			return null;
		}
		self::$seen[ $order_id ] = self::from_view( $response->data );
		return self::$seen[ $order_id ];
	}

	/**
	 * The facts of an order view.
	 *
	 * @param array<string,mixed> $view aftercare's order view.
	 * @return array{tracking_url:string,expected_date:string,parcels:array<int,array<string,string>>}
	 */
	public static function from_view( array $view ): array {
		$parcels  = array();
		$expected = '';
		foreach ( Data::rows( $view, 'shipments' ) as $shipment ) {
			$status = Data::str( $shipment, 'status' );
			$eta    = in_array( $status, array( 'delivered', 'returned' ), true ) ? '' : self::day( Data::str( $shipment, 'eta' ) );
			if ( '' !== $eta && $eta > $expected ) {
				// The order is complete when its last parcel arrives.
				$expected = $eta;
			}
			$carrier   = Data::str( $shipment, 'carrier_name' );
			$parcels[] = array(
				'carrier_name' => '' !== $carrier ? $carrier : Data::str( $shipment, 'carrier' ),
				'number'       => Data::str( $shipment, 'tracking_number' ),
				'status'       => $status,
				'carrier_url'  => Data::url( $shipment, 'tracking_url' ),
				'eta'          => $eta,
			);
		}
		return array(
			'tracking_url'  => Data::url( $view, 'tracking_url' ),
			'expected_date' => $expected,
			'parcels'       => $parcels,
		);
	}

	/**
	 * The facts carried by a message from aftercare (the contract's `data`).
	 *
	 * @param array<string,mixed> $data The message's data.
	 * @return array{tracking_url:string,expected_date:string,parcels:array<int,array<string,string>>}
	 */
	public static function from_message( array $data ): array {
		$parcels = array();
		foreach ( Data::rows( $data, 'parcels' ) as $parcel ) {
			$parcels[] = self::parcel( $parcel );
		}
		return array(
			'tracking_url'  => Data::url( $data, 'tracking_url' ),
			'expected_date' => self::day( Data::str( $data, 'expected_date' ) ),
			'parcels'       => $parcels,
		);
	}

	/**
	 * One parcel of a message in the templates' shape.
	 *
	 * @param array<string,mixed> $parcel The contract's parcel.
	 * @return array<string,string>
	 */
	public static function parcel( array $parcel ): array {
		$carrier = Data::str( $parcel, 'carrier_name' );
		return array(
			'carrier_name' => '' !== $carrier ? $carrier : Data::str( $parcel, 'carrier' ),
			'number'       => Data::str( $parcel, 'number' ),
			'status'       => Data::str( $parcel, 'status' ),
			'carrier_url'  => Data::url( $parcel, 'carrier_url' ),
			'eta'          => self::day( Data::str( $parcel, 'eta' ) ),
		);
	}

	/**
	 * A calendar day `YYYY-MM-DD` from a day or an RFC 3339 time (in the site's zone), or ''.
	 *
	 * @param string $value From aftercare.
	 */
	public static function day( string $value ): string {
		if ( preg_match( '/^\d{4}-\d{2}-\d{2}$/', $value ) ) {
			return $value;
		}
		$timestamp = '' === $value ? false : strtotime( $value );
		return false === $timestamp ? '' : (string) wp_date( 'Y-m-d', $timestamp );
	}

	/**
	 * A calendar day as the site writes dates (the day itself, never shifted by a zone), or ''.
	 *
	 * @param string $day `YYYY-MM-DD`.
	 */
	public static function show_day( string $day ): string {
		if ( ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', $day ) ) {
			return '';
		}
		$utc = new \DateTimeZone( 'UTC' );
		$format = '' !== self::$date_format ? self::$date_format : (string) get_option( 'date_format', 'F j, Y' );
		return (string) wp_date( $format, (int) strtotime( $day . ' 12:00:00 UTC' ), $utc );
	}

	/**
	 * Downloads one of the order's documents for an attachment: `invoice`, or `credit_note` (the
	 * one for $refund_id when given, else the newest). Null when there is none yet or aftercare
	 * did not answer in time.
	 *
	 * @param int    $order_id  Order id.
	 * @param string $kind      `invoice` or `credit_note`.
	 * @param int    $refund_id WooCommerce refund the credit note documents, or 0.
	 * @return array{file:string,dir:string}|null The file is named as the document; delete both after sending.
	 */
	public static function document_file( int $order_id, string $kind, int $refund_id = 0 ): ?array {
		$chosen = null;
		foreach ( Staff_Documents::for_order( $order_id ) as $document ) {
			if ( Data::str( $document, 'kind' ) !== $kind ) {
				continue;
			}
			if ( 'invoice' === $kind || 0 === $refund_id || Data::int( $document, 'refund_id' ) === $refund_id ) {
				$chosen = $document;
			}
		}
		if ( null === $chosen ) {
			return null;
		}
		$link = Guest_Documents::signed_link( array( 'invoice' => $chosen ), 'invoice' );
		if ( null === $link ) {
			return null;
		}
		$name    = sanitize_file_name( Data::str( $chosen, 'number' ) );
		$fetched = Guest_Documents::download( $link, $order_id, ( '' !== $name ? $name : $kind . '-' . $link['id'] ) . '.pdf', self::DOWNLOAD_TIMEOUT );
		if ( null === $fetched ) {
			self::log( sprintf( 'order %d: the %s could not be downloaded for the email', $order_id, $kind ) );
			return null;
		}
		// Mail programs name an attachment after its file: give it the document's name, alone in
		// a folder of its own so two emails at once never share one.
		$dir = trailingslashit( get_temp_dir() ) . 'aftercare-mail-' . wp_generate_password( 12, false );
		if ( ! wp_mkdir_p( $dir ) ) {
			wp_delete_file( $fetched['file'] );
			return null;
		}
		$file = $dir . '/' . sanitize_file_name( $fetched['filename'] );
		if ( ! @rename( $fetched['file'], $file ) ) { // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.rename_rename -- our own temporary file; failure is handled.
			wp_delete_file( $fetched['file'] );
			@rmdir( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir -- our own empty folder.
			return null;
		}
		return array(
			'file' => $file,
			'dir'  => $dir,
		);
	}

	/**
	 * Forgets what was read (tests, and a long-running queue worker between messages).
	 */
	public static function reset(): void {
		self::$seen = array();
	}

	/**
	 * Notes a problem in WooCommerce's log, with ids only.
	 *
	 * @param string $message What happened.
	 */
	public static function log( string $message ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->warning( $message, array( 'source' => 'aftercare' ) );
		}
	}
}
