<?php
/**
 * The Parcels box on the order edit screen (HPOS and legacy).
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Shows the order's parcels and adds one (carrier, tracking number, items) when the order is saved.
 */
final class Shipment_Box {

	public const NONCE_ACTION = 'aftercare_shipment';
	/** Carrier slugs offered as suggestions; any other name works with a tracking link. */
	public const CARRIERS = array( 'cj-logistics', 'hanjin', 'lotte', 'korea-post', 'logen', 'ups', 'usps', 'fedex', 'dhl', 'royal-mail', 'dpd', 'gls', 'postnl', 'canada-post', 'australia-post' );

	public static function register(): void {
		add_action( 'add_meta_boxes', array( self::class, 'add' ), 30 );
		add_action( 'woocommerce_process_shop_order_meta', array( self::class, 'on_save' ), 60 );
	}

	/**
	 * The order edit screen: wc-orders with HPOS, shop_order otherwise.
	 */
	public static function screen(): string {
		return function_exists( 'wc_get_page_screen_id' ) ? (string) wc_get_page_screen_id( 'shop-order' ) : 'shop_order';
	}

	public static function add(): void {
		add_meta_box( 'aftercare-parcels', __( 'Parcels (aftercare)', 'aftercare-for-woocommerce' ), array( self::class, 'print_box' ), self::screen(), 'side', 'default' );
	}

	/**
	 * Meta box callback; gets a WP_Post on legacy screens and a WC_Order with HPOS.
	 *
	 * @param mixed $post_or_order The screen's object.
	 */
	public static function print_box( $post_or_order ): void {
		$order = $post_or_order instanceof \WP_Post ? wc_get_order( $post_or_order->ID ) : $post_or_order;
		if ( ! $order instanceof \WC_Order ) {
			return;
		}
		echo self::box( $order ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The box for one order: the order view (parcels, alerts) and, when aftercare answered it,
	 * the order's documents.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function box( $order ): string {
		$client   = Api_Client::from_settings();
		$response = $client->is_configured() ? self::view( $client, $order ) : new Api_Response( Api_Response::NOT_CONFIGURED );
		$items    = array();
		foreach ( $order->get_items() as $item_id => $item ) {
			$items[ (int) $item_id ] = array(
				'name'     => (string) $item->get_name(),
				'quantity' => (int) $item->get_quantity(),
			);
		}
		$left = array_map( static fn( $item ) => $item['quantity'], $items );
		if ( $response->ok() ) {
			$unshipped = Data::unshipped( $response->data );
			foreach ( $left as $id => $qty ) {
				$left[ $id ] = $unshipped[ $id ] ?? 0;
			}
		}
		return Template::render(
			'admin/shipment-box',
			array(
				'order_id'  => (int) $order->get_id(),
				'response'  => $response,
				'shipments' => $response->ok() ? Data::rows( $response->data, 'shipments' ) : array(),
				'items'     => $items,
				'left'      => $left,
				'alerts'    => $response->ok() ? Data::rows( $response->data, 'alerts' ) : array(),
				'documents' => $response->ok() ? Staff_Documents::for_order( (int) $order->get_id() ) : array(),
			)
		);
	}

	/**
	 * The order view: through the customer's route, or the guest route for guest orders.
	 *
	 * @param Api_Client $client Client.
	 * @param \WC_Order  $order  Order.
	 */
	private static function view( Api_Client $client, $order ): Api_Response {
		$customer_id = (int) $order->get_customer_id();
		if ( $customer_id ) {
			return $client->get( Account::order_path( $customer_id, (int) $order->get_id() ), array(), array( 'cache' => true ) );
		}
		return $client->get(
			sprintf( '/api/v1/guest/orders/%d', (int) $order->get_id() ),
			array(
				'key'   => (string) $order->get_order_key(),
				'email' => (string) $order->get_billing_email(),
			)
		);
	}

	/**
	 * Action woocommerce_process_shop_order_meta (fires on both edit screens).
	 *
	 * @param int $order_id Order id.
	 */
	public static function on_save( $order_id ): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in handle_save().
		self::handle_save( (int) $order_id, wp_unslash( $_POST ) );
	}

	/**
	 * Adds a parcel when the box's tracking number was filled in.
	 *
	 * @param int                 $order_id Order id.
	 * @param array<string,mixed> $post     Unslashed form fields.
	 * @return bool Whether a parcel was added.
	 */
	public static function handle_save( int $order_id, array $post ): bool {
		$number = isset( $post['aftercare_tracking_number'] ) && is_string( $post['aftercare_tracking_number'] ) ? trim( $post['aftercare_tracking_number'] ) : '';
		if ( '' === $number ) {
			return false;
		}
		$nonce = isset( $post['_aftercare_shipment_nonce'] ) && is_string( $post['_aftercare_shipment_nonce'] ) ? $post['_aftercare_shipment_nonce'] : '';
		if ( ! wp_verify_nonce( $nonce, self::NONCE_ACTION . '_' . $order_id ) || ! current_user_can( 'edit_shop_orders' ) ) {
			Admin_Notices::add( 'error', __( 'The parcel was not added: the page expired or you may not edit orders.', 'aftercare-for-woocommerce' ) );
			return false;
		}
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return false;
		}
		$quantities = array();
		foreach ( $order->get_items() as $item_id => $item ) {
			$quantities[ (int) $item_id ] = (int) $item->get_quantity();
		}
		$created = $order->get_date_created();
		$built   = self::build_request( $post, $quantities, wp_timezone(), time(), $created ? $created->getTimestamp() : null );
		if ( $built['errors'] ) {
			Admin_Notices::add( 'error', __( 'The parcel was not added.', 'aftercare-for-woocommerce' ), $built['errors'] );
			return false;
		}
		$client   = Api_Client::from_settings();
		$response = $client->post_json( sprintf( '/api/v1/orders/%d/shipments', $order_id ), $built['body'] );
		if ( ! $response->ok() ) {
			$lines = array();
			foreach ( $response->fields as $field ) {
				$lines[] = ( '' !== $field['field'] ? $field['field'] . ': ' : '' ) . $field['message'];
			}
			if ( ! $lines ) {
				$lines = Connector::explain( $response );
			}
			Admin_Notices::add( 'error', __( 'The parcel was not added.', 'aftercare-for-woocommerce' ), $lines );
			return false;
		}
		if ( $order->get_customer_id() ) {
			$client->forget( Account::order_path( (int) $order->get_customer_id(), $order_id ) );
		}
		Admin_Notices::add(
			'success',
			/* translators: 1: carrier, 2: tracking number */
			sprintf( __( 'Parcel added: %1$s %2$s. The customer sees it in My Account.', 'aftercare-for-woocommerce' ), $built['body']['carrier'], $built['body']['tracking_number'] )
		);
		return true;
	}

	/**
	 * Turns the box's fields into aftercare's shipment request.
	 *
	 * @param array<string,mixed> $post       Unslashed form fields.
	 * @param array<int,int>      $quantities The order's line item quantities.
	 * @param \DateTimeZone       $timezone   The shop's time zone (the date field is local).
	 * @param int                 $now        Current time.
	 * @param int|null            $placed     When the order was placed, if known: aftercare refuses a
	 *                                        parcel shipped before its order.
	 * @return array{body:array<string,mixed>,errors:string[]}
	 */
	public static function build_request( array $post, array $quantities, \DateTimeZone $timezone, int $now, ?int $placed = null ): array {
		$errors  = array();
		$carrier = isset( $post['aftercare_carrier'] ) && is_string( $post['aftercare_carrier'] ) ? sanitize_text_field( $post['aftercare_carrier'] ) : '';
		$number  = isset( $post['aftercare_tracking_number'] ) && is_string( $post['aftercare_tracking_number'] ) ? sanitize_text_field( $post['aftercare_tracking_number'] ) : '';
		$link    = isset( $post['aftercare_tracking_url'] ) && is_string( $post['aftercare_tracking_url'] ) ? trim( $post['aftercare_tracking_url'] ) : '';
		$date    = isset( $post['aftercare_shipped_on'] ) && is_string( $post['aftercare_shipped_on'] ) ? trim( $post['aftercare_shipped_on'] ) : '';
		if ( '' === $carrier || mb_strlen( $carrier ) > 100 ) {
			$errors[] = __( 'Enter the carrier.', 'aftercare-for-woocommerce' );
		}
		if ( '' === $number || mb_strlen( $number ) > 100 ) {
			$errors[] = __( 'Enter the tracking number.', 'aftercare-for-woocommerce' );
		}
		if ( '' !== $link && ! preg_match( '#^https?://#i', $link ) ) {
			$errors[] = __( 'The tracking link must start with http:// or https://.', 'aftercare-for-woocommerce' );
		}
		$shipped_at = gmdate( 'Y-m-d\TH:i:s\Z', $now );
		if ( '' !== $date ) {
			$day = \DateTimeImmutable::createFromFormat( '!Y-m-d', $date, $timezone );
			if ( ! $day || $day->format( 'Y-m-d' ) !== $date ) {
				$errors[] = __( 'The shipping date is not a valid date.', 'aftercare-for-woocommerce' );
			} elseif ( $day->format( 'Y-m-d' ) > wp_date( 'Y-m-d', $now, $timezone ) ) {
				// The date field is the shop's day: its tomorrow may already be today in UTC.
				$errors[] = __( 'The shipping date is later than today.', 'aftercare-for-woocommerce' );
			} elseif ( $day->format( 'Y-m-d' ) !== wp_date( 'Y-m-d', $now, $timezone ) ) {
				// A past day: noon local time, so the date reads the same in every time zone nearby;
				// but never before the order was placed (an order placed that afternoon), which
				// aftercare refuses. Still the same local day: the order was placed before now.
				$noon = $day->setTime( 12, 0 )->getTimestamp();
				if ( null !== $placed && $placed > $noon && $placed < $day->modify( '+1 day' )->getTimestamp() ) {
					$noon = $placed;
				}
				$shipped_at = gmdate( 'Y-m-d\TH:i:s\Z', $noon );
			}
		}
		$items  = array();
		$posted = isset( $post['aftercare_items'] ) && is_array( $post['aftercare_items'] ) ? $post['aftercare_items'] : array();
		foreach ( $posted as $item_id => $qty ) {
			$item_id = absint( $item_id );
			$qty     = is_scalar( $qty ) ? absint( $qty ) : 0;
			if ( ! $qty ) {
				continue;
			}
			if ( ! isset( $quantities[ $item_id ] ) || $qty > $quantities[ $item_id ] ) {
				$errors[] = __( 'A parcel cannot hold more of an item than the order has.', 'aftercare-for-woocommerce' );
				break;
			}
			$items[] = array(
				'line_item_id' => $item_id,
				'quantity'     => $qty,
			);
		}
		if ( ! $items && $quantities && ! $errors ) {
			// Without `items` aftercare reads the parcel as every unit not yet in a parcel (the
			// whole order at first); with everything shipped that is never what was meant.
			$errors[] = __( 'Enter how many of each item this parcel carries (at least one).', 'aftercare-for-woocommerce' );
		}
		$body = array(
			'carrier'         => $carrier,
			'tracking_number' => $number,
			'shipped_at'      => $shipped_at,
			'tracking_url'    => '' === $link ? null : esc_url_raw( $link, array( 'http', 'https' ) ),
		);
		if ( $items ) {
			$body['items'] = $items;
		}
		return array(
			'body'   => $body,
			'errors' => $errors,
		);
	}
}
