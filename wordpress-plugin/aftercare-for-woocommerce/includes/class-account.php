<?php
/**
 * My Account: the section on each order page, and the Returns and Tracking tabs.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Customer-facing screens. Each makes at most one call to aftercare.
 */
final class Account {

	public const RETURNS  = 'returns';
	public const TRACKING = 'tracking';
	public const SUPPORT  = 'support';
	/** Option holding the endpoint slugs the rewrite rules were last rebuilt for. */
	public const ENDPOINTS_OPTION = 'aftercare_endpoints';
	/** Orders the Tracking tab looks through. */
	public const TRACKING_ORDERS = 20;

	public static function register(): void {
		add_filter( 'woocommerce_get_query_vars', array( self::class, 'query_vars' ) );
		add_filter( 'woocommerce_account_menu_items', array( self::class, 'menu_items' ) );
		add_filter( 'woocommerce_endpoint_' . self::RETURNS . '_title', array( self::class, 'returns_title' ) );
		add_filter( 'woocommerce_endpoint_' . self::TRACKING . '_title', array( self::class, 'tracking_title' ) );
		add_filter( 'woocommerce_endpoint_' . self::SUPPORT . '_title', array( self::class, 'support_title' ) );
		add_action( 'woocommerce_account_' . self::SUPPORT . '_endpoint', array( self::class, 'print_support_tab' ) );
		// After WooCommerce added its endpoints (init, 10): an update that brings a new tab
		// rebuilds the rules once, not on every request.
		add_action( 'init', array( self::class, 'maybe_flush_rules' ), 99 );
		add_action( 'woocommerce_account_' . self::RETURNS . '_endpoint', array( self::class, 'print_returns_tab' ) );
		add_action( 'woocommerce_account_' . self::TRACKING . '_endpoint', array( self::class, 'print_tracking_tab' ) );
		add_action( 'woocommerce_view_order', array( self::class, 'print_order_section' ), 20 );
		add_action( 'wp_enqueue_scripts', array( self::class, 'enqueue_style' ) );
	}

	/**
	 * The endpoint slugs (filterable, in case another plugin already uses one).
	 *
	 * @return array{returns:string,tracking:string,support:string}
	 */
	public static function endpoint_slugs(): array {
		return apply_filters(
			'aftercare_endpoint_slugs',
			array(
				self::RETURNS  => self::RETURNS,
				self::TRACKING => self::TRACKING,
				self::SUPPORT  => self::SUPPORT,
			)
		);
	}

	/**
	 * Rebuilds the rewrite rules when the endpoints changed since they were last built (a
	 * plugin update adding a tab, a filtered slug), so the new tab never answers 404.
	 */
	public static function maybe_flush_rules(): void {
		$wanted = implode( ',', self::endpoint_slugs() );
		if ( get_option( self::ENDPOINTS_OPTION ) === $wanted ) {
			return;
		}
		self::add_endpoints();
		flush_rewrite_rules( false );
		update_option( self::ENDPOINTS_OPTION, $wanted, false );
	}

	/**
	 * Used on activation, before WooCommerce has seen our query vars.
	 */
	public static function add_endpoints(): void {
		foreach ( self::endpoint_slugs() as $slug ) {
			add_rewrite_endpoint( $slug, EP_ROOT | EP_PAGES );
		}
	}

	/**
	 * WooCommerce adds a rewrite endpoint for each of its query vars.
	 *
	 * @param array<string,string> $vars Endpoint => slug.
	 * @return array<string,string>
	 */
	public static function query_vars( $vars ) {
		return array_merge( is_array( $vars ) ? $vars : array(), self::endpoint_slugs() );
	}

	/**
	 * Tracking and Returns go after Orders (or before Log out).
	 *
	 * @param array<string,string> $items Endpoint => label.
	 * @return array<string,string>
	 */
	public static function menu_items( $items ) {
		if ( ! is_array( $items ) ) {
			return $items;
		}
		$ours   = array(
			self::TRACKING => __( 'Tracking', 'aftercare-for-woocommerce' ),
			self::RETURNS  => __( 'Returns', 'aftercare-for-woocommerce' ),
			self::SUPPORT  => __( 'Support', 'aftercare-for-woocommerce' ),
		);
		$result = array();
		foreach ( $items as $key => $label ) {
			if ( 'customer-logout' === $key && $ours ) {
				$result += $ours;
				$ours    = array();
			}
			$result[ $key ] = $label;
			if ( 'orders' === $key && $ours ) {
				$result += $ours;
				$ours    = array();
			}
		}
		return $result + $ours;
	}

	public static function returns_title(): string {
		return __( 'Returns', 'aftercare-for-woocommerce' );
	}

	public static function tracking_title(): string {
		return __( 'Tracking', 'aftercare-for-woocommerce' );
	}

	public static function support_title(): string {
		return __( 'Support', 'aftercare-for-woocommerce' );
	}

	/**
	 * The Support tab's URL.
	 */
	public static function support_url(): string {
		return (string) wc_get_endpoint_url( self::endpoint_slugs()[ self::SUPPORT ] ?? self::SUPPORT, '', wc_get_page_permalink( 'myaccount' ) );
	}

	public static function enqueue_style(): void {
		if ( function_exists( 'is_account_page' ) && ( is_account_page() || self::page_has_tracking_form() ) ) {
			wp_enqueue_style( 'aftercare', plugins_url( 'assets/aftercare.css', AFTERCARE_PLUGIN_FILE ), array(), AFTERCARE_VERSION );
		}
	}

	private static function page_has_tracking_form(): bool {
		$post = get_post();
		return $post && ( has_shortcode( (string) $post->post_content, 'aftercare_track' ) || has_block( 'aftercare/track', $post ) );
	}

	public static function order_path( int $customer_id, int $order_id ): string {
		return sprintf( '/api/v1/customers/%d/orders/%d', $customer_id, $order_id );
	}

	public static function returns_path( int $customer_id ): string {
		return sprintf( '/api/v1/customers/%d/returns', $customer_id );
	}

	public static function orders_path( int $customer_id ): string {
		return sprintf( '/api/v1/customers/%d/orders', $customer_id );
	}

	/**
	 * Action woocommerce_view_order (after WooCommerce's own order details).
	 *
	 * @param int $order_id The order shown.
	 */
	public static function print_order_section( $order_id ): void {
		echo self::order_section( (int) $order_id ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * Parcels, invoice, returns and the return form of one of the current customer's orders.
	 *
	 * @param int $order_id WooCommerce order id.
	 */
	public static function order_section( int $order_id ): string {
		$customer_id = get_current_user_id();
		$order       = wc_get_order( $order_id );
		if ( ! $customer_id || ! $order || (int) $order->get_customer_id() !== $customer_id ) {
			return '';
		}
		$client = Api_Client::from_settings();
		if ( ! $client->is_configured() ) {
			return '';
		}
		$response = $client->get( self::order_path( $customer_id, $order_id ), array(), array( 'cache' => true ) );
		return Template::render(
			'myaccount/order',
			array(
				'response'    => $response,
				'view'        => $response->ok() ? $response->data : null,
				'order_id'    => $order_id,
				'form'        => Customer_Actions::take_form_state( $customer_id, $order_id ),
				'invoice_url' => Customer_Actions::invoice_url( $order_id ),
				'support'     => Support_Actions::take_form_state( $customer_id, $order_id ),
			)
		);
	}

	public static function print_returns_tab(): void {
		echo self::returns_tab(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * All the current customer's returns.
	 */
	public static function returns_tab(): string {
		$customer_id = get_current_user_id();
		if ( ! $customer_id ) {
			return '';
		}
		$client   = Api_Client::from_settings();
		$response = $client->get( self::returns_path( $customer_id ), array(), array( 'cache' => true ) );
		$returns = $response->ok() ? Data::rows( $response->data, 'returns' ) : array();
		return Template::render(
			'myaccount/returns',
			array(
				'response' => $response,
				'returns'  => $returns,
				'names'    => self::item_names( $returns, $customer_id ),
			)
		);
	}

	/**
	 * Line item names of the returns' orders, read from WooCommerce (the customer's own orders only).
	 *
	 * @param array<int,array<string,mixed>> $returns     Returns with order_id.
	 * @param int                            $customer_id Current customer.
	 * @return array<int,array<int,string>> Order id => line item id => name.
	 */
	public static function item_names( array $returns, int $customer_id ): array {
		$names = array();
		foreach ( $returns as $return ) {
			$order_id = Data::int( $return, 'order_id' );
			if ( ! $order_id || isset( $names[ $order_id ] ) ) {
				continue;
			}
			$names[ $order_id ] = array();
			$order              = wc_get_order( $order_id );
			if ( $order && (int) $order->get_customer_id() === $customer_id ) {
				foreach ( $order->get_items() as $item_id => $item ) {
					$names[ $order_id ][ (int) $item_id ] = (string) $item->get_name();
				}
			}
		}
		return $names;
	}

	public static function print_support_tab(): void {
		echo self::support_tab(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The current customer's requests, each with its conversation and a reply box.
	 */
	public static function support_tab(): string {
		$customer_id = get_current_user_id();
		if ( ! $customer_id ) {
			return '';
		}
		$response = Api_Client::from_settings()->get( Support::customer_requests_path( $customer_id ), array(), array( 'cache' => true ) );
		return Template::render(
			'myaccount/support',
			array(
				'response' => $response,
				'requests' => $response->ok() ? Data::rows( $response->data, 'requests' ) : array(),
				'back'     => self::support_url(),
			)
		);
	}

	public static function print_tracking_tab(): void {
		echo self::tracking_tab(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The current customer's orders whose parcels are on their way.
	 */
	public static function tracking_tab(): string {
		$customer_id = get_current_user_id();
		if ( ! $customer_id ) {
			return '';
		}
		$client   = Api_Client::from_settings();
		$query    = array(
			'page'     => 1,
			'per_page' => self::TRACKING_ORDERS,
		);
		$response = $client->get( self::orders_path( $customer_id ), $query, array( 'cache' => true ) );
		$orders   = array();
		if ( $response->ok() ) {
			foreach ( Data::rows( $response->data, 'orders' ) as $order ) {
				if ( self::on_the_way( $order ) ) {
					$orders[] = $order;
				}
			}
		}
		return Template::render(
			'myaccount/tracking',
			array(
				'response' => $response,
				'orders'   => $orders,
			)
		);
	}

	/**
	 * True when an order summary has a parcel that is not delivered yet.
	 *
	 * @param array<string,mixed> $order Order summary.
	 */
	public static function on_the_way( array $order ): bool {
		if ( in_array( Data::str( $order, 'delivery_state' ), Labels::ON_THE_WAY, true ) ) {
			return true;
		}
		foreach ( Data::rows( $order, 'shipments' ) as $shipment ) {
			if ( ! in_array( Data::str( $shipment, 'status' ), array( 'delivered', 'returned', '' ), true ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The My Account URL of one order.
	 *
	 * @param int $order_id Order id.
	 */
	public static function view_order_url( int $order_id ): string {
		return (string) wc_get_endpoint_url( 'view-order', (string) $order_id, wc_get_page_permalink( 'myaccount' ) );
	}
}
