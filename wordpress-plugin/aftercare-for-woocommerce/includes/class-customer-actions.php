<?php
/**
 * What a signed-in customer can do: request a return, cancel it, download the invoice and
 * credit notes.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Front-end handlers for customers, as WooCommerce's own form handler does it: the forms post
 * to (and the download links point at) the My Account page with a hidden `aftercare_action`
 * field, handled on `template_redirect`, where WooCommerce's notices and the shopper's session
 * exist (admin-post.php is an admin request: WooCommerce loads neither there). Each checks the
 * nonce and that the order is the customer's own (with WooCommerce's CRUD), acts, then
 * redirects back with a notice.
 */
final class Customer_Actions {

	/** The request field naming the action. */
	public const FIELD           = 'aftercare_action';
	public const REQUEST_ACTION  = 'aftercare_return_request';
	public const CANCEL_ACTION   = 'aftercare_return_cancel';
	public const INVOICE_ACTION  = 'aftercare_invoice';
	public const DOCUMENT_ACTION = 'aftercare_document';
	/** Actions that change something: POST only. */
	public const POST_ACTIONS = array( self::REQUEST_ACTION, self::CANCEL_ACTION );
	/** Downloads: links, GET only. */
	public const GET_ACTIONS = array( self::INVOICE_ACTION, self::DOCUMENT_ACTION );
	private const FORM_STATE_TTL = 600;

	public static function register(): void {
		add_action( 'template_redirect', array( self::class, 'on_template_redirect' ) );
	}

	/**
	 * Action template_redirect: carries out one of our actions, if the request is one, and ends
	 * the request with a redirect or the file.
	 */
	public static function on_template_redirect(): void {
		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_key( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : 'GET';
		// phpcs:ignore WordPress.Security.NonceVerification -- each handler verifies its own nonce.
		$result = self::dispatch( $method, wp_unslash( $_GET ), wp_unslash( $_POST ), $_FILES['photos'] ?? null );
		if ( null === $result ) {
			return;
		}
		if ( is_string( $result ) ) {
			wp_safe_redirect( $result );
			exit;
		}
		self::send_file( $result['file'], $result['filename'] );
		exit;
	}

	/**
	 * Which action a request asks for, and its outcome.
	 *
	 * @param string              $method HTTP method, upper case.
	 * @param array<string,mixed> $get    Unslashed $_GET.
	 * @param array<string,mixed> $post   Unslashed $_POST.
	 * @param mixed               $files  $_FILES['photos'].
	 * @return array{file:string,filename:string}|string|null A file to send, where to redirect,
	 *                                                         or null: not one of ours.
	 */
	public static function dispatch( string $method, array $get, array $post, $files ) {
		$action = '';
		if ( 'POST' === $method && isset( $post[ self::FIELD ] ) && in_array( $post[ self::FIELD ], self::POST_ACTIONS, true ) ) {
			$action = $post[ self::FIELD ];
		} elseif ( 'GET' === $method && isset( $get[ self::FIELD ] ) && in_array( $get[ self::FIELD ], self::GET_ACTIONS, true ) ) {
			$action = $get[ self::FIELD ];
		}
		if ( '' === $action ) {
			return null;
		}
		if ( ! is_user_logged_in() ) {
			// My Account shows the login form.
			return wc_get_page_permalink( 'myaccount' );
		}
		switch ( $action ) {
			case self::REQUEST_ACTION:
				return self::handle_return_request( $post, $files );
			case self::CANCEL_ACTION:
				return self::handle_return_cancel( $post );
			case self::INVOICE_ACTION:
				return self::fetch_invoice( $get );
			default:
				return self::fetch_document( $get );
		}
	}

	/**
	 * Where the return form of an order posts to: the order's own page.
	 *
	 * @param int $order_id Order id.
	 */
	public static function form_url( int $order_id ): string {
		return Account::view_order_url( $order_id );
	}

	/**
	 * Validates and sends a return request.
	 *
	 * @param array<string,mixed> $post  Unslashed $_POST.
	 * @param mixed               $files $_FILES['photos'].
	 * @return string Where to send the browser.
	 */
	public static function handle_return_request( array $post, $files ): string {
		$order_id = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : 0;
		$back     = $order_id ? Account::view_order_url( $order_id ) . '#aftercare-return' : wc_get_page_permalink( 'myaccount' );
		$nonce    = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		if ( ! wp_verify_nonce( $nonce, self::REQUEST_ACTION . '_' . $order_id ) ) {
			wc_add_notice( __( 'Your session expired. Please send the return request again.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		$customer_id = self::owner_or_zero( $order_id );
		if ( ! $customer_id ) {
			wc_add_notice( __( 'That order could not be found in your account.', 'aftercare-for-woocommerce' ), 'error' );
			return wc_get_page_permalink( 'myaccount' );
		}

		$client = Api_Client::from_settings();
		$path   = Account::order_path( $customer_id, $order_id );
		// Part of the customer's own action, so not skipped by the pause after a failure.
		$view = $client->get(
			$path,
			array(),
			array(
				'cache' => true,
				'fresh' => true,
			)
		);
		if ( ! $view->ok() ) {
			wc_add_notice( __( 'Returns cannot be requested right now. Please try again in a few minutes.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		$checked = Return_Form::validate( $post, $view->data ?? array() );
		$photos  = Return_Form::photos( $files );
		if ( '' !== $photos['error'] ) {
			$checked['errors']['photos'] = $photos['error'];
		}
		if ( $checked['errors'] ) {
			self::keep_form_state( $customer_id, $order_id, $checked['errors'], $checked['old'] );
			return $back;
		}

		$body     = $checked['body'];
		$endpoint = $path . '/returns';
		$response = $photos['files']
			? $client->post_multipart( $endpoint, $body, $photos['files'] )
			: $client->post_json( $endpoint, $body );

		if ( $response->ok() ) {
			$client->forget( $path );
			$client->forget( Account::returns_path( $customer_id ) );
			wc_add_notice( __( 'Your return request has been sent. You can follow it here and under Returns.', 'aftercare-for-woocommerce' ), 'success' );
			return $back;
		}
		if ( 422 === $response->status ) {
			// What can be returned changed since the view was cached: show the form with the new one.
			$client->forget( $path );
			self::keep_form_state( $customer_id, $order_id, Return_Form::service_errors( $response, $body ), $checked['old'] );
			return $back;
		}
		if ( $response->missing_endpoint() ) {
			wc_add_notice( __( 'Online returns are not available for this shop yet. Please contact us instead.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		self::keep_form_state( $customer_id, $order_id, array(), $checked['old'] );
		wc_add_notice( __( 'Your return request could not be sent just now. Nothing was submitted; please try again in a few minutes.', 'aftercare-for-woocommerce' ), 'error' );
		return $back;
	}

	/**
	 * Cancels one of the customer's own return requests.
	 *
	 * @param array<string,mixed> $post Unslashed $_POST.
	 * @return string Where to send the browser.
	 */
	public static function handle_return_cancel( array $post ): string {
		$return_id = isset( $post['return_id'] ) ? absint( $post['return_id'] ) : 0;
		$order_id  = isset( $post['order_id'] ) ? absint( $post['order_id'] ) : 0;
		$back      = isset( $post['back'] ) && is_string( $post['back'] ) ? wp_validate_redirect( esc_url_raw( $post['back'] ), wc_get_page_permalink( 'myaccount' ) ) : wc_get_page_permalink( 'myaccount' );
		$nonce     = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		if ( ! $return_id || ! wp_verify_nonce( $nonce, self::CANCEL_ACTION . '_' . $return_id ) ) {
			wc_add_notice( __( 'Your session expired. Please try again.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		$customer_id = self::owner_or_zero( $order_id );
		if ( ! $customer_id ) {
			wc_add_notice( __( 'That order could not be found in your account.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		$client   = Api_Client::from_settings();
		$response = $client->post_json(
			sprintf( '/api/v1/customers/%d/returns/%d/cancel', $customer_id, $return_id ),
			array( 'note' => __( 'Cancelled by the customer in My Account.', 'aftercare-for-woocommerce' ) )
		);
		if ( $response->ok() ) {
			$client->forget( Account::order_path( $customer_id, $order_id ) );
			$client->forget( Account::returns_path( $customer_id ) );
			wc_add_notice( __( 'Your return request has been cancelled.', 'aftercare-for-woocommerce' ), 'success' );
		} elseif ( 409 === $response->status ) {
			wc_add_notice( __( 'This return can no longer be cancelled: it is already being handled.', 'aftercare-for-woocommerce' ), 'error' );
		} else {
			wc_add_notice( __( 'The return could not be cancelled just now. Please try again in a few minutes.', 'aftercare-for-woocommerce' ), 'error' );
		}
		return $back;
	}

	/**
	 * The link that downloads an order's invoice through WordPress.
	 *
	 * @param int $order_id Order id.
	 */
	public static function invoice_url( int $order_id ): string {
		return wp_nonce_url(
			add_query_arg(
				array(
					self::FIELD => self::INVOICE_ACTION,
					'order_id'  => $order_id,
				),
				Account::view_order_url( $order_id )
			),
			self::INVOICE_ACTION . '_' . $order_id
		);
	}

	/**
	 * The link that downloads one of an order's documents (a credit note) through WordPress.
	 *
	 * @param int $order_id    Order id.
	 * @param int $document_id Document id from the order view's `credit_notes`.
	 */
	public static function document_url( int $order_id, int $document_id ): string {
		return wp_nonce_url(
			add_query_arg(
				array(
					self::FIELD   => self::DOCUMENT_ACTION,
					'order_id'    => $order_id,
					'document_id' => $document_id,
				),
				Account::view_order_url( $order_id )
			),
			self::DOCUMENT_ACTION . '_' . $order_id . '_' . $document_id
		);
	}

	/**
	 * Fetches the invoice PDF into a temporary file.
	 *
	 * @param array<string,mixed> $get Unslashed $_GET.
	 * @return array{file:string,filename:string}|string The file, or where to redirect.
	 */
	public static function fetch_invoice( array $get ) {
		$order_id = isset( $get['order_id'] ) ? absint( $get['order_id'] ) : 0;
		$nonce    = isset( $get['_wpnonce'] ) && is_string( $get['_wpnonce'] ) ? $get['_wpnonce'] : '';
		if ( ! $order_id || ! wp_verify_nonce( $nonce, self::INVOICE_ACTION . '_' . $order_id ) ) {
			return self::expired_link( $order_id );
		}
		return self::fetch_pdf( $order_id, '/invoice.pdf', 'invoice-' . $order_id . '.pdf' );
	}

	/**
	 * Fetches one of the order's documents (a credit note) into a temporary file. aftercare
	 * checks again that the document belongs to this customer's order.
	 *
	 * @param array<string,mixed> $get Unslashed $_GET.
	 * @return array{file:string,filename:string}|string The file, or where to redirect.
	 */
	public static function fetch_document( array $get ) {
		$order_id    = isset( $get['order_id'] ) ? absint( $get['order_id'] ) : 0;
		$document_id = isset( $get['document_id'] ) ? absint( $get['document_id'] ) : 0;
		$nonce       = isset( $get['_wpnonce'] ) && is_string( $get['_wpnonce'] ) ? $get['_wpnonce'] : '';
		if ( ! $order_id || ! $document_id || ! wp_verify_nonce( $nonce, self::DOCUMENT_ACTION . '_' . $order_id . '_' . $document_id ) ) {
			return self::expired_link( $order_id );
		}
		return self::fetch_pdf( $order_id, '/documents/' . $document_id, 'credit-note-' . $order_id . '-' . $document_id . '.pdf' );
	}

	/**
	 * Where to go after a download link that is not (or no longer) valid.
	 *
	 * @param int $order_id Order id, or 0.
	 */
	private static function expired_link( int $order_id ): string {
		wc_add_notice( __( 'That download link has expired. Please use the link on the order page again.', 'aftercare-for-woocommerce' ), 'error' );
		return $order_id ? Account::view_order_url( $order_id ) : wc_get_page_permalink( 'myaccount' );
	}

	/**
	 * Checks the order is the customer's and streams one of its PDFs from aftercare into a
	 * temporary file (never into memory).
	 *
	 * @param int    $order_id Order id (nonce already checked).
	 * @param string $suffix   Path after the order's API path.
	 * @param string $fallback File name when aftercare gives none.
	 * @return array{file:string,filename:string}|string The file, or where to redirect.
	 */
	private static function fetch_pdf( int $order_id, string $suffix, string $fallback ) {
		$back        = Account::view_order_url( $order_id );
		$customer_id = self::owner_or_zero( $order_id );
		if ( ! $customer_id ) {
			wc_add_notice( __( 'That order could not be found in your account.', 'aftercare-for-woocommerce' ), 'error' );
			return wc_get_page_permalink( 'myaccount' );
		}
		if ( ! function_exists( 'wp_tempnam' ) ) {
			require_once ABSPATH . 'wp-admin/includes/file.php';
		}
		$file = wp_tempnam( 'aftercare-document-' . $order_id );
		if ( ! $file ) {
			wc_add_notice( __( 'The document could not be downloaded just now. Please try again in a few minutes.', 'aftercare-for-woocommerce' ), 'error' );
			return $back;
		}
		$response = Api_Client::from_settings()->download( Account::order_path( $customer_id, $order_id ) . $suffix, $file );
		$is_pdf   = str_starts_with( strtolower( $response->headers['content-type'] ?? '' ), 'application/pdf' );
		if ( ! $response->ok() || ! $is_pdf || ! filesize( $file ) ) {
			wp_delete_file( $file );
			if ( 404 === $response->status && 'invoice_not_found' === $response->code ) {
				wc_add_notice( __( 'The invoice for this order is not ready yet. It is issued once the payment is received.', 'aftercare-for-woocommerce' ), 'notice' );
			} elseif ( 404 === $response->status && 'document_not_found' === $response->code ) {
				wc_add_notice( __( 'That document does not belong to this order.', 'aftercare-for-woocommerce' ), 'error' );
			} else {
				wc_add_notice( __( 'The document could not be downloaded just now. Please try again in a few minutes.', 'aftercare-for-woocommerce' ), 'error' );
			}
			return $back;
		}
		return array(
			'file'     => $file,
			'filename' => self::pdf_filename( $response->headers['content-disposition'] ?? '', $fallback ),
		);
	}

	/**
	 * The file name aftercare gave the document, made safe, or $fallback.
	 *
	 * @param string $disposition Content-Disposition from aftercare.
	 * @param string $fallback    Name to use otherwise.
	 */
	public static function pdf_filename( string $disposition, string $fallback ): string {
		$name = '';
		if ( preg_match( '/filename="?([^";]+)"?/i', $disposition, $m ) ) {
			$name = sanitize_file_name( $m[1] );
		}
		if ( '' === $name || ! str_ends_with( strtolower( $name ), '.pdf' ) ) {
			$name = $fallback;
		}
		return $name;
	}

	/**
	 * Streams the PDF to the browser and removes the temporary file.
	 *
	 * @param string $file     Temporary file.
	 * @param string $filename Download name (already safe).
	 */
	public static function send_file( string $file, string $filename ): void {
		nocache_headers();
		header( 'Content-Type: application/pdf' );
		header( 'Content-Disposition: attachment; filename="' . $filename . '"' );
		header( 'Content-Length: ' . (string) filesize( $file ) );
		header( 'X-Content-Type-Options: nosniff' );
		readfile( $file ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_readfile -- streaming our own temporary file.
		wp_delete_file( $file );
	}

	/**
	 * The current user's id when they own the order, else 0.
	 *
	 * @param int $order_id Order id.
	 */
	public static function owner_or_zero( int $order_id ): int {
		$customer_id = get_current_user_id();
		if ( ! $customer_id || ! $order_id ) {
			return 0;
		}
		$order = wc_get_order( $order_id );
		if ( ! $order || (int) $order->get_customer_id() !== $customer_id || ! current_user_can( 'view_order', $order_id ) ) {
			return 0;
		}
		return $customer_id;
	}

	/**
	 * Remembers errors and what was typed, for the form shown after the redirect.
	 *
	 * @param int                   $customer_id Customer.
	 * @param int                   $order_id    Order.
	 * @param array<string,string>  $errors      Field => message.
	 * @param array<string,mixed>   $old         Posted values.
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
	 * Reads and forgets the form state.
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
		return 'aftercare_form_' . $customer_id . '_' . $order_id;
	}
}
