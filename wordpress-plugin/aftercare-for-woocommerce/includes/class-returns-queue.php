<?php
/**
 * WooCommerce → Returns: the staff queue, one return in full, and its photos.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Lists returns by status, shows one with its photos and settlement, and moves them on
 * (approve, reject, mark received, refund, credit...).
 */
final class Returns_Queue {

	public const PAGE              = 'aftercare-returns';
	public const TRANSITION_ACTION = 'aftercare_return_transition';
	public const PHOTO_ACTION      = 'aftercare_return_photo';
	public const MAX_NOTE_CHARS    = 1000;
	/** aftercare keeps at most this much of a staff member's name. */
	public const MAX_NAME_CHARS = 100;
	/** Returns per page of the queue. */
	public const PER_PAGE = 20;

	public static function register(): void {
		add_action( 'admin_menu', array( self::class, 'add_page' ), 60 );
		add_action( 'admin_post_' . self::TRANSITION_ACTION, array( self::class, 'on_transition' ) );
		add_action( 'admin_post_' . self::PHOTO_ACTION, array( self::class, 'on_photo' ) );
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
	 * @param int    $page   Page of the list, from 1.
	 */
	public static function url( string $status = '', int $page = 1 ): string {
		$args = array( 'page' => self::PAGE );
		if ( '' !== $status ) {
			$args['status'] = $status;
		}
		if ( $page > 1 ) {
			$args['paged'] = $page;
		}
		return add_query_arg( $args, admin_url( 'admin.php' ) );
	}

	/**
	 * The URL of one return's page.
	 *
	 * @param int $return_id Return id.
	 */
	public static function view_url( int $return_id ): string {
		return add_query_arg(
			array(
				'page'   => self::PAGE,
				'return' => $return_id,
			),
			admin_url( 'admin.php' )
		);
	}

	/**
	 * The address a photo is shown from: WordPress fetches it from aftercare with the API key,
	 * which the browser never sees.
	 *
	 * @param int $return_id Return id.
	 * @param int $position  Photo position (1-3).
	 */
	public static function photo_url( int $return_id, int $position ): string {
		return wp_nonce_url(
			add_query_arg(
				array(
					'action'    => self::PHOTO_ACTION,
					'return_id' => $return_id,
					'position'  => $position,
				),
				admin_url( 'admin-post.php' )
			),
			self::PHOTO_ACTION . '_' . $return_id
		);
	}

	public static function print_page(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You may not manage returns.', 'aftercare-for-woocommerce' ), 403 );
		}
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- read-only views.
		if ( isset( $_GET['return'] ) ) {
			echo self::return_page( absint( wp_unslash( $_GET['return'] ) ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
			return;
		}
		$status = isset( $_GET['status'] ) ? sanitize_key( wp_unslash( $_GET['status'] ) ) : 'requested';
		$paged  = isset( $_GET['paged'] ) ? max( 1, absint( wp_unslash( $_GET['paged'] ) ) ) : 1;
		// phpcs:enable
		echo self::page( $status, $paged ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The queue filtered by status ('' or 'all' for every return).
	 *
	 * @param string $status Filter.
	 * @param int    $paged  Page, from 1.
	 */
	public static function page( string $status, int $paged = 1 ): string {
		$status = in_array( $status, Labels::RETURN_STATUSES, true ) ? $status : 'all';
		$query  = 'all' === $status ? array() : array( 'status' => $status );
		$query += array(
			'page'     => max( 1, $paged ),
			'per_page' => self::PER_PAGE,
		);
		$response = Api_Client::from_settings()->get( '/api/v1/returns', $query );
		$returns  = $response->ok() ? Data::rows( $response->data, 'returns' ) : array();
		return Template::render(
			'admin/returns-queue',
			array(
				'status'   => $status,
				'paged'    => $paged,
				'total'    => $response->ok() ? Data::int( $response->data, 'total' ) : 0,
				'response' => $response,
				'returns'  => $returns,
				'orders'   => self::orders_of( $returns ),
			)
		);
	}

	/**
	 * One return in full: items, comment, photos, history, settlement and the next steps.
	 *
	 * @param int $return_id Return id.
	 */
	public static function return_page( int $return_id ): string {
		$response = $return_id ? Api_Client::from_settings()->get( sprintf( '/api/v1/returns/%d', $return_id ) ) : new Api_Response( Api_Response::REFUSED, 404 );
		$return   = $response->ok() && is_array( $response->data ) ? $response->data : null;
		$orders   = $return ? self::orders_of( array( $return ) ) : array();
		return Template::render(
			'admin/return-view',
			array(
				'return_id' => $return_id,
				'response'  => $response,
				'return'    => $return,
				'order'     => $return ? ( $orders[ Data::int( $return, 'order_id' ) ] ?? null ) : null,
			)
		);
	}

	/**
	 * An order's item names by line item id, for the items a return does not name.
	 *
	 * @param \WC_Order|null $order The return's order, when WooCommerce has it.
	 * @return array<int,string>
	 */
	public static function item_names( $order ): array {
		$names = array();
		if ( $order ) {
			foreach ( $order->get_items() as $item_id => $item ) {
				$names[ (int) $item_id ] = (string) $item->get_name();
			}
		}
		return $names;
	}

	/**
	 * The WooCommerce orders of some returns, by id (null when WooCommerce does not have it).
	 *
	 * @param array<int,array<string,mixed>> $returns Returns.
	 * @return array<int,\WC_Order|null>
	 */
	private static function orders_of( array $returns ): array {
		$orders = array();
		foreach ( $returns as $return ) {
			$order_id = Data::int( $return, 'order_id' );
			if ( $order_id && ! array_key_exists( $order_id, $orders ) ) {
				$order               = wc_get_order( $order_id );
				$orders[ $order_id ] = $order ? $order : null;
			}
		}
		return $orders;
	}

	public static function on_transition(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in handle_transition().
		wp_safe_redirect( self::handle_transition( wp_unslash( $_POST ) ) );
		exit;
	}

	/**
	 * Moves a return to another state, in the name of the staff member pressing the button.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return string Where to go next.
	 */
	public static function handle_transition( array $post ): string {
		$return_id = isset( $post['return_id'] ) ? absint( $post['return_id'] ) : 0;
		$order_id  = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : 0;
		$filter    = isset( $post['status_filter'] ) && is_string( $post['status_filter'] ) ? sanitize_key( $post['status_filter'] ) : '';
		$back      = ! empty( $post['from_view'] ) && $return_id ? self::view_url( $return_id ) : self::url( $filter );
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
		$body = array(
			'to'   => $to,
			'note' => '' === $note ? null : $note,
		);
		$by   = self::staff_name();
		if ( '' !== $by ) {
			$body['by'] = $by;
		}
		$client   = Api_Client::from_settings();
		$response = $client->post_json( sprintf( '/api/v1/returns/%d/transitions', $return_id ), $body );
		if ( $response->ok() ) {
			$order = $order_id ? wc_get_order( $order_id ) : null;
			if ( $order && $order->get_customer_id() ) {
				$customer_id = (int) $order->get_customer_id();
				$client->forget( Account::order_path( $customer_id, $order_id ) );
				$client->forget( Account::returns_path( $customer_id ) );
			}
			$lines = array();
			if ( in_array( $to, array( 'refunded', 'credited' ), true ) ) {
				$lines[] = 'refunded' === $to
					? __( 'aftercare now refunds the returned items in WooCommerce; the result shows on the return.', 'aftercare-for-woocommerce' )
					: __( 'aftercare now creates the store credit coupon in WooCommerce; its code shows on the return.', 'aftercare-for-woocommerce' );
			}
			Admin_Notices::add(
				'success',
				/* translators: 1: return id, 2: new status */
				sprintf( __( 'Return #%1$d is now: %2$s.', 'aftercare-for-woocommerce' ), $return_id, Labels::return_status( $to ) ),
				$lines
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

	/**
	 * The current staff member's display name, as aftercare records it in the history.
	 */
	public static function staff_name(): string {
		$user = wp_get_current_user();
		$name = is_object( $user ) && isset( $user->display_name ) ? sanitize_text_field( (string) $user->display_name ) : '';
		return mb_substr( trim( $name ), 0, self::MAX_NAME_CHARS );
	}

	public static function on_photo(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in fetch_photo().
		$result = self::fetch_photo( wp_unslash( $_GET ) );
		if ( is_int( $result ) ) {
			wp_die( esc_html__( 'The photo could not be loaded.', 'aftercare-for-woocommerce' ), '', array( 'response' => $result ) );
		}
		foreach ( self::photo_headers( $result['type'], (int) filesize( $result['file'] ), $result['filename'] ) as $name => $value ) {
			header( $name . ': ' . $value );
		}
		readfile( $result['file'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_readfile -- streaming our own temporary file.
		wp_delete_file( $result['file'] );
		exit;
	}

	/**
	 * Checks the nonce and the capability, then fetches a return's photo from aftercare into
	 * a temporary file. The image type must be the one aftercare names and the bytes say.
	 *
	 * @param array<string,mixed> $get Unslashed $_GET.
	 * @return array{file:string,type:string,filename:string}|int The photo, or the HTTP status to answer.
	 */
	public static function fetch_photo( array $get ) {
		$return_id = isset( $get['return_id'] ) ? absint( $get['return_id'] ) : 0;
		$position  = isset( $get['position'] ) ? absint( $get['position'] ) : 0;
		$nonce     = isset( $get['_wpnonce'] ) && is_string( $get['_wpnonce'] ) ? $get['_wpnonce'] : '';
		if ( ! current_user_can( 'manage_woocommerce' ) || ! $return_id || ! wp_verify_nonce( $nonce, self::PHOTO_ACTION . '_' . $return_id ) ) {
			return 403;
		}
		if ( $position < 1 || $position > Return_Form::MAX_PHOTOS ) {
			return 404;
		}
		if ( ! function_exists( 'wp_tempnam' ) ) {
			require_once ABSPATH . 'wp-admin/includes/file.php';
		}
		$file = wp_tempnam( 'aftercare-photo-' . $return_id );
		if ( ! $file ) {
			return 500;
		}
		$response = Api_Client::from_settings()->download(
			sprintf( '/api/v1/returns/%d/photos/%d', $return_id, $position ),
			$file,
			implode( ', ', array_keys( Return_Form::PHOTO_TYPES ) )
		);
		$declared = strtolower( trim( explode( ';', $response->headers['content-type'] ?? '' )[0] ) );
		if ( ! $response->ok() || ! isset( Return_Form::PHOTO_TYPES[ $declared ] ) || ! filesize( $file ) || Return_Form::image_type( $file ) !== $declared ) {
			wp_delete_file( $file );
			return $response->not_found() ? 404 : 502;
		}
		return array(
			'file'     => $file,
			'type'     => $declared,
			'filename' => sprintf( 'return-%d-photo-%d.%s', $return_id, $position, Return_Form::PHOTO_TYPES[ $declared ] ),
		);
	}

	/**
	 * What the photo goes out with: never sniffed as anything but the image it is, never
	 * run as a page, cached only by the staff member's own browser.
	 *
	 * @param string $type     Image type.
	 * @param int    $bytes    Size.
	 * @param string $filename Name for saving.
	 * @return array<string,string>
	 */
	public static function photo_headers( string $type, int $bytes, string $filename ): array {
		return array(
			'Content-Type'            => $type,
			'Content-Length'          => (string) $bytes,
			'Content-Disposition'     => 'inline; filename="' . $filename . '"',
			'X-Content-Type-Options'  => 'nosniff',
			'Content-Security-Policy' => "default-src 'none'; sandbox",
			'Cache-Control'           => 'private, max-age=3600',
		);
	}
}
