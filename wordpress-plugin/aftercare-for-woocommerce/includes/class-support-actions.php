<?php
/**
 * What a signed-in customer does with support requests: ask about an order, reply, and see the
 * answers that fit a topic before sending.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * As Customer_Actions: forms post to the order's My Account page with `aftercare_action`,
 * handled on template_redirect, nonce and ownership checked, then a redirect with a notice.
 * The answers for a topic come through admin-ajax.php (for guests too, who prove the order
 * again with its number and email).
 */
final class Support_Actions {

	public const OPEN_ACTION    = 'aftercare_support_open';
	public const REPLY_ACTION   = 'aftercare_support_reply';
	public const ANSWERS_ACTION = 'aftercare_answers';
	private const FORM_STATE_TTL = 600;

	public static function register(): void {
		add_action( 'template_redirect', array( self::class, 'on_template_redirect' ) );
		add_action( 'wp_ajax_' . self::ANSWERS_ACTION, array( self::class, 'on_answers' ) );
		add_action( 'wp_ajax_nopriv_' . self::ANSWERS_ACTION, array( self::class, 'on_answers' ) );
		add_action( 'wp_enqueue_scripts', array( self::class, 'enqueue_script' ) );
	}

	public static function enqueue_script(): void {
		wp_register_script( 'aftercare-support', plugins_url( 'assets/support.js', AFTERCARE_PLUGIN_FILE ), array(), AFTERCARE_VERSION, true );
	}

	public static function on_template_redirect(): void {
		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_key( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : 'GET';
		// phpcs:ignore WordPress.Security.NonceVerification -- each handler verifies its own nonce.
		$target = self::dispatch( $method, wp_unslash( $_POST ), $_FILES['photos'] ?? null );
		if ( null !== $target ) {
			wp_safe_redirect( $target );
			exit;
		}
	}

	/**
	 * Carries out one of the support forms, if the request is one.
	 *
	 * @param string              $method HTTP method, upper case.
	 * @param array<string,mixed> $post   Unslashed $_POST.
	 * @param mixed               $files  $_FILES['photos'].
	 * @return string|null Where to send the browser, or null: not one of ours.
	 */
	public static function dispatch( string $method, array $post, $files ): ?string {
		$action = 'POST' === $method && isset( $post[ Customer_Actions::FIELD ] ) && is_string( $post[ Customer_Actions::FIELD ] ) ? $post[ Customer_Actions::FIELD ] : '';
		if ( ! in_array( $action, array( self::OPEN_ACTION, self::REPLY_ACTION ), true ) ) {
			return null;
		}
		if ( ! is_user_logged_in() ) {
			return wc_get_page_permalink( 'myaccount' );
		}
		return self::OPEN_ACTION === $action ? self::handle_open( $post, $files ) : self::handle_reply( $post );
	}

	/**
	 * Sends a new request about one of the customer's orders.
	 *
	 * @param array<string,mixed> $post  Unslashed $_POST.
	 * @param mixed               $files $_FILES['photos'].
	 * @return string Where to send the browser.
	 */
	public static function handle_open( array $post, $files ): string {
		$order_id = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : 0;
		$back     = $order_id ? Account::view_order_url( $order_id ) . '#aftercare-support' : wc_get_page_permalink( 'myaccount' );
		$nonce    = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		if ( ! wp_verify_nonce( $nonce, self::OPEN_ACTION . '_' . $order_id ) ) {
			wc_add_notice( __( 'Your session expired. Please send your message again.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		$customer_id = Customer_Actions::owner_or_zero( $order_id );
		if ( ! $customer_id ) {
			wc_add_notice( __( 'That order could not be found in your account.', 'aftercare-for-woocommerce' ), 'error' );
			return wc_get_page_permalink( 'myaccount' );
		}
		$client = Api_Client::from_settings();
		$path   = Account::order_path( $customer_id, $order_id );
		$view   = $client->get(
			$path,
			array(),
			array(
				'cache' => true,
				'fresh' => true,
			)
		);
		$checked = Support::validate( $post, $view->ok() && is_array( $view->data ) ? $view->data : array( 'line_items' => self::wc_items( $order_id ) ) );
		$photos  = Return_Form::photos( $files );
		if ( '' !== $photos['error'] ) {
			$checked['errors']['photos'] = $photos['error'];
		}
		if ( $checked['errors'] ) {
			self::keep_form_state( $customer_id, $order_id, $checked['errors'], $checked['old'] );
			return $back;
		}
		$endpoint = Support::open_path( $customer_id, $order_id );
		$response = $photos['files']
			? $client->post_multipart( $endpoint, $checked['body'], $photos['files'] )
			: $client->post_json( $endpoint, $checked['body'] );
		if ( $response->ok() ) {
			$client->forget( $path );
			$client->forget( Support::customer_requests_path( $customer_id ) );
			wc_add_notice( __( 'Your message has been sent. We will answer here and by email.', 'aftercare-for-woocommerce' ), 'success' );
			return $back;
		}
		if ( 422 === $response->status || 400 === $response->status ) {
			self::keep_form_state( $customer_id, $order_id, Support::service_errors( $response ), $checked['old'] );
			return $back;
		}
		if ( $response->missing_endpoint() ) {
			wc_add_notice( __( 'Questions about orders cannot be sent online in this shop yet. Please contact us instead.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		self::keep_form_state( $customer_id, $order_id, array(), $checked['old'] );
		wc_add_notice( __( 'Your message could not be sent just now. Nothing was submitted; please try again in a few minutes.', 'aftercare-for-woocommerce' ), 'error' );
		return $back;
	}

	/**
	 * The customer's reply in a conversation (it reopens a solved request in aftercare).
	 *
	 * @param array<string,mixed> $post Unslashed $_POST.
	 * @return string Where to send the browser.
	 */
	public static function handle_reply( array $post ): string {
		$request_id = isset( $post['request_id'] ) ? absint( $post['request_id'] ) : 0;
		$order_id   = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : 0;
		$fallback   = Account::support_url();
		$back       = isset( $post['back'] ) && is_string( $post['back'] ) ? wp_validate_redirect( esc_url_raw( $post['back'] ), $fallback ) : $fallback;
		$back       = strtok( $back, '#' ) . '#aftercare-request-' . $request_id;
		$nonce      = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		if ( ! $request_id || ! wp_verify_nonce( $nonce, self::REPLY_ACTION . '_' . $request_id ) ) {
			wc_add_notice( __( 'Your session expired. Please send your message again.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		$customer_id = get_current_user_id();
		$message     = isset( $post['message'] ) && is_string( $post['message'] ) ? trim( sanitize_textarea_field( $post['message'] ) ) : '';
		$error       = Support::message_error( $message );
		if ( '' !== $error ) {
			wc_add_notice( $error, 'error' );
			return $back;
		}
		$client = Api_Client::from_settings();
		// aftercare answers 404 for a request that is not this customer's.
		$response = $client->post_json( Support::customer_reply_path( $customer_id, $request_id ), array( 'body' => $message ) );
		if ( $response->ok() ) {
			$client->forget( Support::customer_requests_path( $customer_id ) );
			if ( $order_id && Customer_Actions::owner_or_zero( $order_id ) ) {
				$client->forget( Account::order_path( $customer_id, $order_id ) );
			}
			wc_add_notice( __( 'Your reply has been sent.', 'aftercare-for-woocommerce' ), 'success' );
		} elseif ( $response->not_found() ) {
			wc_add_notice( __( 'That conversation could not be found in your account.', 'aftercare-for-woocommerce' ), 'error' );
		} else {
			wc_add_notice( __( 'Your message could not be sent just now. Nothing was submitted; please try again in a few minutes.', 'aftercare-for-woocommerce' ), 'error' );
		}
		return $back;
	}

	/**
	 * Action wp_ajax_aftercare_answers: the answers that fit the chosen topic, as HTML.
	 */
	public static function on_answers(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in answers().
		$html = self::answers( wp_unslash( $_POST ), Guest_Tracking::client_ip() );
		if ( null === $html ) {
			wp_send_json_error( null, 403 );
		}
		wp_send_json_success( array( 'html' => $html ) );
	}

	/**
	 * The answers for a topic on an order the shopper may see (their own, or a guest's proven
	 * one), rendered; null when the request is not allowed.
	 *
	 * @param array<string,mixed> $post Unslashed form fields: order_id, topic, nonce, and for
	 *                                  guests aftercare_track_order and aftercare_track_email.
	 * @param string              $ip   The shopper's address.
	 */
	public static function answers( array $post, string $ip ): ?string {
		$order_id = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : 0;
		$topic    = isset( $post['topic'] ) && is_string( $post['topic'] ) ? sanitize_key( $post['topic'] ) : '';
		$nonce    = isset( $post['nonce'] ) && is_string( $post['nonce'] ) ? $post['nonce'] : '';
		if ( ! $order_id || ! in_array( $topic, Support::TOPICS, true ) || ! wp_verify_nonce( $nonce, self::ANSWERS_ACTION . '_' . $order_id ) ) {
			return null;
		}
		$client = Api_Client::from_settings();
		$query  = array( 'topic' => $topic );
		$owner  = Customer_Actions::owner_or_zero( $order_id );
		if ( $owner ) {
			$base = Account::order_path( $owner, $order_id );
		} else {
			$number = isset( $post['aftercare_track_order'] ) && is_string( $post['aftercare_track_order'] ) ? sanitize_text_field( $post['aftercare_track_order'] ) : '';
			$email  = isset( $post['aftercare_track_email'] ) && is_string( $post['aftercare_track_email'] ) ? sanitize_email( $post['aftercare_track_email'] ) : '';
			$found  = Guest_Tracking::verify( $number, $email, $ip );
			if ( 'found' !== $found['status'] || (int) $found['order']->get_id() !== $order_id ) {
				return null;
			}
			$base   = sprintf( '/api/v1/guest/orders/%d', $order_id );
			$query += Guest_Tracking::proof( $found['order'] );
		}
		$response = $client->get( $base . '/answers', $query );
		if ( $response->ok() ) {
			$answers = Data::rows( $response->data, 'answers' );
		} else {
			// An aftercare without the route: the order view's answers that fit the topic.
			$view    = $client->get( $base, $owner ? array() : array_diff_key( $query, array( 'topic' => 1 ) ), array( 'cache' => (bool) $owner ) );
			$answers = $view->ok() ? Support::answers_for_topic( Data::rows( $view->data, 'answers' ), $topic ) : array();
		}
		return Template::render(
			'parts/answers',
			array(
				'answers' => $answers,
				'heading' => $answers ? __( 'This may already answer your question', 'aftercare-for-woocommerce' ) : '',
			)
		);
	}

	/**
	 * Names of the items the requests ask about (line item ids are unique across orders).
	 *
	 * @param array<int,array<string,mixed>> $requests Requests with order_id.
	 * @return array<int,string> Line item id => name.
	 */
	public static function item_names( array $requests ): array {
		$names = array();
		foreach ( Account::item_names( $requests, get_current_user_id() ) as $items ) {
			$names += $items;
		}
		return $names;
	}

	/**
	 * An order's line items from WooCommerce, for checking the form while aftercare is away.
	 *
	 * @param int $order_id Order id (ownership checked).
	 * @return array<int,array<string,mixed>>
	 */
	private static function wc_items( int $order_id ): array {
		$order = wc_get_order( $order_id );
		$items = array();
		if ( $order ) {
			foreach ( $order->get_items() as $item_id => $item ) {
				$items[] = array(
					'id'   => (int) $item_id,
					'name' => (string) $item->get_name(),
				);
			}
		}
		return $items;
	}

	/**
	 * Remembers errors and what was typed, for the form shown after the redirect.
	 *
	 * @param int                  $customer_id Customer.
	 * @param int                  $order_id    Order.
	 * @param array<string,string> $errors      Field => message.
	 * @param array<string,mixed>  $old         Posted values.
	 */
	private static function keep_form_state( int $customer_id, int $order_id, array $errors, array $old ): void {
		set_transient(
			self::form_state_key( $customer_id, $order_id ),
			array(
				'errors' => $errors,
				'old'    => $old,
			),
			self::FORM_STATE_TTL
		);
	}

	/**
	 * Reads and forgets the ask form's state.
	 *
	 * @param int $customer_id Customer.
	 * @param int $order_id    Order.
	 * @return array{errors:array<string,string>,old:array<string,mixed>}
	 */
	public static function take_form_state( int $customer_id, int $order_id ): array {
		$key   = self::form_state_key( $customer_id, $order_id );
		$state = get_transient( $key );
		if ( false !== $state ) {
			delete_transient( $key );
		}
		return array(
			'errors' => is_array( $state ) && isset( $state['errors'] ) && is_array( $state['errors'] ) ? $state['errors'] : array(),
			'old'    => is_array( $state ) && isset( $state['old'] ) && is_array( $state['old'] ) ? $state['old'] : array(),
		);
	}

	private static function form_state_key( int $customer_id, int $order_id ): string {
		return 'aftercare_sform_' . $customer_id . '_' . $order_id;
	}
}
