<?php
/**
 * WooCommerce → Returns: the staff queue.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Lists returns by status and moves them on (approve, reject, mark received, refund, credit...).
 */
final class Returns_Queue {

	public const PAGE              = 'aftercare-returns';
	public const TRANSITION_ACTION = 'aftercare_return_transition';
	public const MAX_NOTE_CHARS    = 1000;

	public static function register(): void {
		add_action( 'admin_menu', array( self::class, 'add_page' ), 60 );
		add_action( 'admin_post_' . self::TRANSITION_ACTION, array( self::class, 'on_transition' ) );
	}

	public static function add_page(): void {
		add_submenu_page(
			'woocommerce',
			__( 'Returns', 'aftercare-for-woocommerce' ),
			__( 'Returns', 'aftercare-for-woocommerce' ),
			'manage_woocommerce',
			self::PAGE,
			array( self::class, 'print_page' )
		);
	}

	/**
	 * The queue URL for a status filter.
	 *
	 * @param string $status A return status or '' for all.
	 */
	public static function url( string $status = '' ): string {
		$args = array( 'page' => self::PAGE );
		if ( '' !== $status ) {
			$args['status'] = $status;
		}
		return add_query_arg( $args, admin_url( 'admin.php' ) );
	}

	public static function print_page(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You may not manage returns.', 'aftercare-for-woocommerce' ), 403 );
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a read-only filter.
		$status = isset( $_GET['status'] ) ? sanitize_key( wp_unslash( $_GET['status'] ) ) : 'requested';
		echo self::page( $status ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The queue filtered by status ('' or 'all' for every return).
	 *
	 * @param string $status Filter.
	 */
	public static function page( string $status ): string {
		$status   = in_array( $status, Labels::RETURN_STATUSES, true ) ? $status : 'all';
		$query    = 'all' === $status ? array() : array( 'status' => $status );
		$response = Api_Client::from_settings()->get( '/api/v1/returns', $query );
		$returns  = $response->ok() ? Data::rows( $response->data, 'returns' ) : array();
		$orders   = array();
		foreach ( $returns as $return ) {
			$order_id = Data::int( $return, 'order_id' );
			if ( $order_id && ! isset( $orders[ $order_id ] ) ) {
				$order               = wc_get_order( $order_id );
				$orders[ $order_id ] = $order ? $order : null;
			}
		}
		return Template::render(
			'admin/returns-queue',
			array(
				'status'   => $status,
				'response' => $response,
				'returns'  => $returns,
				'orders'   => $orders,
			)
		);
	}

	public static function on_transition(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in handle_transition().
		wp_safe_redirect( self::handle_transition( wp_unslash( $_POST ) ) );
		exit;
	}

	/**
	 * Moves a return to another state.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return string Where to go next.
	 */
	public static function handle_transition( array $post ): string {
		$return_id = isset( $post['return_id'] ) ? absint( $post['return_id'] ) : 0;
		$order_id  = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : 0;
		$filter    = isset( $post['status_filter'] ) && is_string( $post['status_filter'] ) ? sanitize_key( $post['status_filter'] ) : '';
		$back      = self::url( $filter );
		$nonce     = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		if ( ! current_user_can( 'manage_woocommerce' ) || ! $return_id || ! wp_verify_nonce( $nonce, self::TRANSITION_ACTION . '_' . $return_id ) ) {
			Admin_Notices::add( 'error', __( 'The page expired or you may not manage returns. Please try again.', 'aftercare-for-woocommerce' ) );
			return $back;
		}
		$to = isset( $post['to'] ) && is_string( $post['to'] ) ? sanitize_key( $post['to'] ) : '';
		if ( ! in_array( $to, Labels::RETURN_STATUSES, true ) || 'requested' === $to ) {
			Admin_Notices::add( 'error', __( 'Unknown action.', 'aftercare-for-woocommerce' ) );
			return $back;
		}
		$note = isset( $post['note'] ) && is_string( $post['note'] ) ? sanitize_textarea_field( $post['note'] ) : '';
		if ( mb_strlen( $note ) > self::MAX_NOTE_CHARS ) {
			/* translators: %d: maximum number of characters */
			Admin_Notices::add( 'error', sprintf( __( 'Keep the note under %d characters.', 'aftercare-for-woocommerce' ), self::MAX_NOTE_CHARS ) );
			return $back;
		}
		$client   = Api_Client::from_settings();
		$response = $client->post_json(
			sprintf( '/api/v1/returns/%d/transitions', $return_id ),
			array(
				'to'   => $to,
				'note' => '' === $note ? null : $note,
			)
		);
		if ( $response->ok() ) {
			$order = $order_id ? wc_get_order( $order_id ) : null;
			if ( $order && $order->get_customer_id() ) {
				$customer_id = (int) $order->get_customer_id();
				$client->forget( Account::order_path( $customer_id, $order_id ) );
				$client->forget( Account::returns_path( $customer_id ) );
			}
			Admin_Notices::add(
				'success',
				/* translators: 1: return id, 2: new status */
				sprintf( __( 'Return #%1$d is now: %2$s.', 'aftercare-for-woocommerce' ), $return_id, Labels::return_status( $to ) )
			);
		} elseif ( 409 === $response->status ) {
			Admin_Notices::add(
				'error',
				/* translators: 1: return id, 2: target status */
				sprintf( __( 'Return #%1$d cannot become "%2$s" from its current state.', 'aftercare-for-woocommerce' ), $return_id, Labels::return_status( $to ) ),
				'' !== $response->message ? array( $response->message ) : array()
			);
		} else {
			Admin_Notices::add( 'error', __( 'The return was not changed.', 'aftercare-for-woocommerce' ), Connector::explain( $response ) );
		}
		return $back;
	}
}
