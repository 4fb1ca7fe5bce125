<?php
/**
 * WooCommerce → Support: the staff inbox of customers' requests, and one request's screen.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Lists requests by status, topic, age and assignee; shows one with its thread beside the
 * order's facts; replies, adds internal notes, assigns, solves and reopens, each as the staff
 * member pressing the button (manage_woocommerce, a nonce per request).
 */
final class Support_Inbox {

	public const PAGE   = 'aftercare-support';
	public const ACTION       = 'aftercare_support_staff';
	public const PHOTO_ACTION = 'aftercare_support_photo';
	public const OPS    = array( 'reply', 'note', 'assign', 'solve', 'reopen' );
	/** Age filters: name => hours the request has been waiting at least. */
	public const AGES     = array(
		'1d' => 24,
		'3d' => 72,
		'7d' => 168,
	);
	public const PER_PAGE = 20;

	public static function register(): void {
		add_action( 'admin_menu', array( self::class, 'add_page' ), 61 );
		add_action( 'admin_post_' . self::ACTION, array( self::class, 'on_action' ) );
		add_action( 'admin_post_' . self::PHOTO_ACTION, array( self::class, 'on_photo' ) );
	}

	/**
	 * Where a request's photo is shown from: WordPress fetches it with the API key.
	 *
	 * @param int $request_id Request id.
	 * @param int $position   Photo position (1-3).
	 */
	public static function photo_url( int $request_id, int $position ): string {
		return wp_nonce_url(
			add_query_arg(
				array(
					'action'     => self::PHOTO_ACTION,
					'request_id' => $request_id,
					'position'   => $position,
				),
				admin_url( 'admin-post.php' )
			),
			self::PHOTO_ACTION . '_' . $request_id
		);
	}

	public static function on_photo(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in fetch_photo().
		$result = self::fetch_photo( wp_unslash( $_GET ) );
		if ( is_int( $result ) ) {
			wp_die( esc_html__( 'The photo could not be loaded.', 'aftercare-for-woocommerce' ), '', array( 'response' => $result ) );
		}
		foreach ( Returns_Queue::photo_headers( $result['type'], (int) filesize( $result['file'] ), $result['filename'] ) as $name => $value ) {
			header( $name . ': ' . $value );
		}
		readfile( $result['file'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_readfile -- streaming our own temporary file.
		wp_delete_file( $result['file'] );
		exit;
	}

	/**
	 * Checks nonce and capability, then fetches a request's photo into a temporary file; the
	 * type must be the one aftercare names and the bytes say.
	 *
	 * @param array<string,mixed> $get Unslashed $_GET.
	 * @return array{file:string,type:string,filename:string}|int The photo, or the HTTP status to answer.
	 */
	public static function fetch_photo( array $get ) {
		$request_id = isset( $get['request_id'] ) ? absint( $get['request_id'] ) : 0;
		$position   = isset( $get['position'] ) ? absint( $get['position'] ) : 0;
		$nonce      = isset( $get['_wpnonce'] ) && is_string( $get['_wpnonce'] ) ? $get['_wpnonce'] : '';
		if ( ! current_user_can( 'manage_woocommerce' ) || ! $request_id || ! wp_verify_nonce( $nonce, self::PHOTO_ACTION . '_' . $request_id ) ) {
			return 403;
		}
		if ( $position < 1 || $position > Return_Form::MAX_PHOTOS ) {
			return 404;
		}
		if ( ! function_exists( 'wp_tempnam' ) ) {
			require_once ABSPATH . 'wp-admin/includes/file.php';
		}
		$file = wp_tempnam( 'aftercare-photo-' . $request_id );
		if ( ! $file ) {
			return 500;
		}
		$response = Api_Client::from_settings()->download(
			sprintf( '/api/v1/requests/%d/photos/%d', $request_id, $position ),
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
			'filename' => sprintf( 'request-%d-photo-%d.%s', $request_id, $position, Return_Form::PHOTO_TYPES[ $declared ] ),
		);
	}

	public static function add_page(): void {
		add_submenu_page(
			'woocommerce',
			__( 'Support requests', 'aftercare-for-woocommerce' ),
			__( 'Support', 'aftercare-for-woocommerce' ),
			'manage_woocommerce',
			self::PAGE,
			array( self::class, 'print_page' )
		);
	}

	/**
	 * The inbox URL with filters.
	 *
	 * @param array<string,string|int> $filters status, topic, age, assignee, paged.
	 */
	public static function url( array $filters = array() ): string {
		$args = array( 'page' => self::PAGE );
		foreach ( array( 'status', 'topic', 'age', 'assignee', 'paged' ) as $key ) {
			if ( isset( $filters[ $key ] ) && '' !== (string) $filters[ $key ] ) {
				$args[ $key ] = $filters[ $key ];
			}
		}
		return add_query_arg( $args, admin_url( 'admin.php' ) );
	}

	public static function view_url( int $request_id ): string {
		return add_query_arg(
			array(
				'page'    => self::PAGE,
				'request' => $request_id,
			),
			admin_url( 'admin.php' )
		);
	}

	public static function print_page(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You may not manage support requests.', 'aftercare-for-woocommerce' ), 403 );
		}
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- read-only views.
		if ( isset( $_GET['request'] ) ) {
			echo self::request_page( absint( wp_unslash( $_GET['request'] ) ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
			return;
		}
		$filters = self::filters( wp_unslash( $_GET ) );
		// phpcs:enable
		echo self::page( $filters ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The filters of a query string, each checked: open requests by default.
	 *
	 * @param array<string,mixed> $get Unslashed $_GET.
	 * @return array{status:string,topic:string,age:string,assignee:string,paged:int}
	 */
	public static function filters( array $get ): array {
		$pick = static fn( string $key ): string => isset( $get[ $key ] ) && is_string( $get[ $key ] ) ? sanitize_key( $get[ $key ] ) : '';
		$status   = isset( $get['status'] ) ? $pick( 'status' ) : 'open';
		$assignee = isset( $get['assignee'] ) && is_string( $get['assignee'] ) ? trim( $get['assignee'] ) : '';
		return array(
			'status'   => in_array( $status, Support::STATUSES, true ) ? $status : 'all',
			'topic'    => in_array( $pick( 'topic' ), Support::TOPICS, true ) ? $pick( 'topic' ) : '',
			'age'      => isset( self::AGES[ $pick( 'age' ) ] ) ? $pick( 'age' ) : '',
			'assignee' => self::is_login( $assignee ) ? $assignee : '',
			'paged'    => isset( $get['paged'] ) && is_scalar( $get['paged'] ) ? max( 1, absint( $get['paged'] ) ) : 1,
		);
	}

	/**
	 * The inbox. aftercare filters by status and topic (and by assignee and age where it can);
	 * the assignee and age filters are applied here again, so an older aftercare still narrows.
	 *
	 * @param array{status:string,topic:string,age:string,assignee:string,paged:int} $filters Filters.
	 */
	public static function page( array $filters ): string {
		$query = array(
			'page'     => $filters['paged'],
			'per_page' => self::PER_PAGE,
		);
		if ( 'all' !== $filters['status'] ) {
			$query['status'] = $filters['status'];
		}
		if ( '' !== $filters['topic'] ) {
			$query['topic'] = $filters['topic'];
		}
		$assignee = 'me' === $filters['assignee'] ? self::current_login() : $filters['assignee'];
		if ( '' !== $assignee ) {
			$query['assignee'] = $assignee;
		}
		$before = '' !== $filters['age'] ? time() - self::AGES[ $filters['age'] ] * HOUR_IN_SECONDS : 0;
		if ( $before ) {
			$query['older_than_hours'] = self::AGES[ $filters['age'] ];
		}
		$response = Api_Client::from_settings()->get( '/api/v1/requests', $query );
		$requests = $response->ok() ? Data::rows( $response->data, 'requests' ) : array();
		$requests = array_values(
			array_filter(
				$requests,
				static function ( $request ) use ( $assignee, $before ) {
					$who = self::assignee( $request );
					if ( 'none' === $assignee && '' !== $who ) {
						return false;
					}
					if ( '' !== $assignee && 'none' !== $assignee && $assignee !== $who ) {
						return false;
					}
					$created = strtotime( Data::str( $request, 'created_at' ) );
					return ! $before || ( false !== $created && $created <= $before );
				}
			)
		);
		return Template::render(
			'admin/support-inbox',
			array(
				'filters'  => $filters,
				'response' => $response,
				'requests' => $requests,
				'total'    => $response->ok() ? max( count( $requests ), Data::int( $response->data, 'total' ) ) : 0,
				'staff'    => self::staff(),
			)
		);
	}

	/**
	 * One request: the thread, the reply and note boxes, assignment and the order's facts.
	 *
	 * @param int $request_id Request id.
	 */
	public static function request_page( int $request_id ): string {
		$client   = Api_Client::from_settings();
		$response = $request_id ? $client->get( sprintf( '/api/v1/requests/%d', $request_id ) ) : new Api_Response( Api_Response::REFUSED, 404 );
		// aftercare answers {request, order}: the thread and the order view beside it.
		$request = $response->ok() ? Data::obj( $response->data, 'request' ) : null;
		$order   = $request ? wc_get_order( Data::int( $request, 'order_id' ) ) : null;
		$view    = $response->ok() ? Data::obj( $response->data, 'order' ) : null;
		return Template::render(
			'admin/support-request',
			array(
				'request_id' => $request_id,
				'response'   => $response,
				'request'    => $request,
				'order'      => $order ? $order : null,
				'view'       => $view,
				'staff'      => self::staff(),
			)
		);
	}

	/**
	 * Staff who may be assigned: users who can manage WooCommerce, by login (unique and
	 * stable, so aftercare keeps the login and the filter finds it again).
	 *
	 * @return array<string,string> Login => display name.
	 */
	public static function staff(): array {
		$staff = array();
		foreach ( get_users(
			array(
				'capability' => 'manage_woocommerce',
				'fields'     => array( 'user_login', 'display_name' ),
				'number'     => 200,
			)
		) as $user ) {
			$staff[ (string) $user->user_login ] = (string) $user->display_name;
		}
		return $staff;
	}

	/**
	 * The login of the staff member a request is assigned to, or ''.
	 *
	 * @param array<string,mixed> $request A request.
	 */
	public static function assignee( array $request ): string {
		return Data::str( $request, 'assignee' );
	}

	private static function current_login(): string {
		$user = wp_get_current_user();
		return is_object( $user ) && isset( $user->user_login ) ? (string) $user->user_login : '';
	}

	/**
	 * Whether a filter value can be a login (or `me` / `none`).
	 *
	 * @param string $value Value.
	 */
	private static function is_login( string $value ): bool {
		return (bool) preg_match( '/^[A-Za-z0-9 _.@-]{1,60}$/', $value );
	}

	public static function on_action(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in handle().
		wp_safe_redirect( self::handle( wp_unslash( $_POST ) ) );
		exit;
	}

	/**
	 * Carries out a staff action on one request.
	 *
	 * @param array<string,mixed> $post Unslashed form fields: request_id, op, body, assignee.
	 * @return string Where to go next.
	 */
	public static function handle( array $post ): string {
		$request_id = isset( $post['request_id'] ) ? absint( $post['request_id'] ) : 0;
		$op         = isset( $post['op'] ) && is_string( $post['op'] ) ? sanitize_key( $post['op'] ) : '';
		$back       = $request_id ? self::view_url( $request_id ) : self::url();
		$nonce      = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		if ( ! current_user_can( 'manage_woocommerce' ) || ! $request_id || ! wp_verify_nonce( $nonce, self::ACTION . '_' . $request_id ) ) {
			Admin_Notices::add( 'error', __( 'The page expired or you may not manage support requests. Please try again.', 'aftercare-for-woocommerce' ) );
			return $back;
		}
		if ( ! in_array( $op, self::OPS, true ) ) {
			Admin_Notices::add( 'error', __( 'Unknown action.', 'aftercare-for-woocommerce' ) );
			return $back;
		}
		$client = Api_Client::from_settings();
		$path   = sprintf( '/api/v1/requests/%d', $request_id );
		switch ( $op ) {
			case 'reply':
			case 'note':
				$body  = isset( $post['body'] ) && is_string( $post['body'] ) ? trim( sanitize_textarea_field( $post['body'] ) ) : '';
				$error = Support::message_error( $body );
				if ( '' !== $error ) {
					Admin_Notices::add( 'error', $error );
					return $back;
				}
				$response = $client->post_json(
					$path . '/replies',
					array(
						'body'     => $body,
						'internal' => 'note' === $op,
						'author'   => Returns_Queue::staff_name(),
					)
				);
				$done     = 'note' === $op ? __( 'The internal note was added.', 'aftercare-for-woocommerce' ) : __( 'Your reply was sent; the customer is told by email.', 'aftercare-for-woocommerce' );
				break;
			case 'assign':
				$login    = isset( $post['assignee'] ) && is_string( $post['assignee'] ) ? $post['assignee'] : '';
				$staff    = self::staff();
				if ( '' !== $login && ! isset( $staff[ $login ] ) ) {
					Admin_Notices::add( 'error', __( 'Requests can only be assigned to staff who manage WooCommerce.', 'aftercare-for-woocommerce' ) );
					return $back;
				}
				$response = $client->put_json(
					$path . '/assignee',
					array(
						'assignee' => '' !== $login ? $login : null,
						'by'       => Returns_Queue::staff_name(),
					)
				);
				$done     = '' !== $login
					/* translators: %s: staff member's name */
					? sprintf( __( 'The request is now assigned to %s.', 'aftercare-for-woocommerce' ), $staff[ $login ] )
					: __( 'The request is no longer assigned.', 'aftercare-for-woocommerce' );
				break;
			default:
				$response = $client->post_json(
					$path . '/transitions',
					array(
						'to' => 'solve' === $op ? 'solved' : 'open',
						'by' => Returns_Queue::staff_name(),
					)
				);
				$done     = 'solve' === $op ? __( 'The request is marked solved.', 'aftercare-for-woocommerce' ) : __( 'The request is open again.', 'aftercare-for-woocommerce' );
		}
		if ( $response->ok() ) {
			self::forget_customer_views( $client, $response, $post );
			Admin_Notices::add( 'success', $done );
		} elseif ( 409 === $response->status ) {
			Admin_Notices::add( 'error', __( 'The request is already in that state.', 'aftercare-for-woocommerce' ), '' !== $response->message ? array( $response->message ) : array() );
		} else {
			Admin_Notices::add( 'error', __( 'The request was not changed.', 'aftercare-for-woocommerce' ), Connector::explain( $response ) );
		}
		return $back;
	}

	/**
	 * Drops the customer's cached pages that show the request.
	 *
	 * @param Api_Client          $client   Client.
	 * @param Api_Response        $response aftercare's answer.
	 * @param array<string,mixed> $post     The form, with order_id.
	 */
	private static function forget_customer_views( Api_Client $client, Api_Response $response, array $post ): void {
		$order_id = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : Data::int( $response->data, 'order_id' );
		$order    = $order_id ? wc_get_order( $order_id ) : null;
		if ( $order && $order->get_customer_id() ) {
			$customer_id = (int) $order->get_customer_id();
			$client->forget( Account::order_path( $customer_id, $order_id ) );
			$client->forget( Support::customer_requests_path( $customer_id ) );
		}
	}
}
