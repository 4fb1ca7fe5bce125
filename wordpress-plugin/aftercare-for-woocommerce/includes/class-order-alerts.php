<?php
/**
 * A "Delivery" column in the orders list (HPOS and legacy) with the order's active delay alerts.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Staff see which orders are late where they already look. The whole list comes from one
 * GET /api/v1/alerts per page load at most (cached for a minute), so a slow or stopped
 * aftercare never slows the orders list: the column is then left empty.
 */
final class Order_Alerts {

	public const COLUMN = 'aftercare_delivery';
	public const PATH   = '/api/v1/alerts';
	/** Orders with alerts fetched at once; the longest-waiting come first. */
	public const PER_PAGE = 100;
	/** Seconds to wait for the list: the orders list must stay fast. */
	private const TIMEOUT = 1;

	/** @var array<int,array<int,array<string,mixed>>>|null Alerts by order id, for this request. */
	private static ?array $by_order = null;

	public static function register(): void {
		// HPOS orders list.
		add_filter( 'manage_woocommerce_page_wc-orders_columns', array( self::class, 'add_column' ) );
		add_action( 'manage_woocommerce_page_wc-orders_custom_column', array( self::class, 'print_hpos_cell' ), 10, 2 );
		// Orders stored as posts.
		add_filter( 'manage_edit-shop_order_columns', array( self::class, 'add_column' ) );
		add_action( 'manage_shop_order_posts_custom_column', array( self::class, 'print_legacy_cell' ), 10, 2 );
	}

	/**
	 * Adds the column after the order status.
	 *
	 * @param array<string,string> $columns Column id => heading.
	 * @return array<string,string>
	 */
	public static function add_column( $columns ) {
		$columns = is_array( $columns ) ? $columns : array();
		$result  = array();
		foreach ( $columns as $id => $heading ) {
			$result[ $id ] = $heading;
			if ( 'order_status' === $id ) {
				$result[ self::COLUMN ] = __( 'Delivery', 'aftercare-for-woocommerce' );
			}
		}
		if ( ! isset( $result[ self::COLUMN ] ) ) {
			$result[ self::COLUMN ] = __( 'Delivery', 'aftercare-for-woocommerce' );
		}
		return $result;
	}

	/**
	 * HPOS list cell.
	 *
	 * @param string         $column Column id.
	 * @param \WC_Order|mixed $order  The row's order.
	 */
	public static function print_hpos_cell( $column, $order ): void {
		if ( self::COLUMN === $column && is_object( $order ) && method_exists( $order, 'get_id' ) ) {
			echo self::cell( (int) $order->get_id() ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built escaped.
		}
	}

	/**
	 * Legacy list cell.
	 *
	 * @param string $column  Column id.
	 * @param int    $post_id The row's order id.
	 */
	public static function print_legacy_cell( $column, $post_id ): void {
		if ( self::COLUMN === $column ) {
			echo self::cell( (int) $post_id ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built escaped.
		}
	}

	/**
	 * One order's badges: the alert's short name, its sentence as the tooltip.
	 *
	 * @param int $order_id Order id.
	 */
	public static function cell( int $order_id ): string {
		$alerts = self::for_order( $order_id );
		if ( ! $alerts ) {
			return '<span class="na" aria-hidden="true">&ndash;</span>';
		}
		$html = '';
		foreach ( $alerts as $alert ) {
			$code  = Data::str( $alert, 'code' );
			$html .= '<mark class="aftercare-alert-badge aftercare-alert-badge--' . esc_attr( $code ) . '" title="' . esc_attr( Data::str( $alert, 'message' ) ) . '">'
				. esc_html( Labels::alert_title( $code ) ) . '</mark> ';
		}
		return trim( $html );
	}

	/**
	 * The active alerts of one order, from the list fetched once for this page.
	 *
	 * @param int $order_id Order id.
	 * @return array<int,array<string,mixed>>
	 */
	public static function for_order( int $order_id ): array {
		if ( null === self::$by_order ) {
			self::$by_order = self::fetch();
		}
		return self::$by_order[ $order_id ] ?? array();
	}

	/**
	 * Forgets this request's list (tests, and after a change in the same request).
	 */
	public static function reset(): void {
		self::$by_order = null;
	}

	/**
	 * GET /api/v1/alerts, cached briefly; nothing when aftercare is not set up or does not answer.
	 *
	 * @return array<int,array<int,array<string,mixed>>>
	 */
	private static function fetch(): array {
		$client = Api_Client::from_settings();
		if ( ! $client->is_configured() ) {
			return array();
		}
		$response = $client->get(
			self::PATH,
			array(
				'page'     => 1,
				'per_page' => self::PER_PAGE,
			),
			array(
				'cache'   => true,
				'timeout' => self::TIMEOUT,
			)
		);
		$by_order = array();
		if ( $response->ok() ) {
			foreach ( Data::rows( $response->data, 'orders' ) as $order ) {
				$alerts = Data::rows( $order, 'alerts' );
				if ( $alerts ) {
					$by_order[ Data::int( $order, 'order_id' ) ] = $alerts;
				}
			}
		}
		return $by_order;
	}
}
