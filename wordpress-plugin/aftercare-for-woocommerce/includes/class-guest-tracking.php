<?php
/**
 * [aftercare_track] and the aftercare/track block: order number + email for guests.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Finds a guest's order in WooCommerce (number + billing email), then asks aftercare for its
 * view with the order's key, which the shopper never has to type.
 */
final class Guest_Tracking {

	public const NONCE_ACTION = 'aftercare_track';
	/** Failed look-ups allowed per address and window. */
	public const MAX_FAILURES = 5;
	public const WINDOW       = 900;

	/**
	 * The result of this request's look-up, so a shortcode rendered twice asks once.
	 *
	 * @var array<string,mixed>|null
	 */
	private static ?array $result = null;

	public static function register(): void {
		add_shortcode( 'aftercare_track', array( self::class, 'shortcode' ) );
		add_action( 'init', array( self::class, 'register_block' ) );
		Guest_Documents::register();
	}

	/**
	 * The outcome of this request's form, when it was handled before the page (a document
	 * download that did not work out): the shortcode shows it instead of handling the form.
	 *
	 * @param array<string,mixed> $result As lookup().
	 */
	public static function set_result( array $result ): void {
		self::$result = $result;
	}

	public static function register_block(): void {
		if ( ! function_exists( 'register_block_type' ) ) {
			return;
		}
		wp_register_script(
			'aftercare-track-block',
			plugins_url( 'blocks/track/editor.js', AFTERCARE_PLUGIN_FILE ),
			array( 'wp-blocks', 'wp-element', 'wp-i18n', 'wp-server-side-render' ),
			AFTERCARE_VERSION,
			true
		);
		if ( function_exists( 'wp_set_script_translations' ) ) {
			wp_set_script_translations( 'aftercare-track-block', 'aftercare-for-woocommerce', AFTERCARE_PLUGIN_DIR . '/languages' );
		}
		register_block_type(
			AFTERCARE_PLUGIN_DIR . '/blocks/track',
			array( 'render_callback' => array( self::class, 'render_block' ) )
		);
	}

	/**
	 * Block render callback: the same output as the shortcode.
	 *
	 * @return string
	 */
	public static function render_block(): string {
		return self::shortcode();
	}

	/**
	 * Shortcode callback.
	 *
	 * @return string
	 */
	public static function shortcode(): string {
		// phpcs:disable WordPress.Security.NonceVerification.Missing -- verified in lookup_from_post() and Guest_Returns::handle().
		if ( null === self::$result && isset( $_POST['aftercare_track_order'] ) ) {
			$post         = wp_unslash( $_POST );
			if ( Guest_Support::is_action( $post ) ) {
				self::$result = Guest_Support::handle( $post, $_FILES['photos'] ?? null, self::client_ip() );
			} else {
				self::$result = Guest_Returns::is_action( $post )
					? Guest_Returns::handle( $post, $_FILES['photos'] ?? null, self::client_ip() )
					: self::lookup_from_post( $post, self::client_ip() );
			}
		}
		$posted = array(
			'number' => isset( $_POST['aftercare_track_order'] ) ? sanitize_text_field( wp_unslash( $_POST['aftercare_track_order'] ) ) : '',
			'email'  => isset( $_POST['aftercare_track_email'] ) ? sanitize_email( wp_unslash( $_POST['aftercare_track_email'] ) ) : '',
		);
		// phpcs:enable
		return self::render( self::$result, $posted );
	}

	/**
	 * Renders the form and, after a look-up, its result.
	 *
	 * @param array<string,mixed>|null $result From lookup().
	 * @param array<string,string>     $posted What was typed.
	 */
	public static function render( ?array $result, array $posted ): string {
		return Template::render(
			'guest-track',
			array(
				'result' => $result,
				'posted' => $posted,
				'proof'  => array(
					'aftercare_track_order' => (string) ( $posted['number'] ?? '' ),
					'aftercare_track_email' => (string) ( $posted['email'] ?? '' ),
				),
			)
		);
	}

	/**
	 * Reads the form and looks the order up.
	 *
	 * @param array<string,mixed> $post Unslashed $_POST.
	 * @param string              $ip   The shopper's address.
	 * @return array<string,mixed>
	 */
	public static function lookup_from_post( array $post, string $ip ): array {
		$nonce = isset( $post['_aftercare_track_nonce'] ) && is_string( $post['_aftercare_track_nonce'] ) ? $post['_aftercare_track_nonce'] : '';
		if ( ! wp_verify_nonce( $nonce, self::NONCE_ACTION ) ) {
			return array( 'status' => 'expired' );
		}
		$number = isset( $post['aftercare_track_order'] ) && is_string( $post['aftercare_track_order'] ) ? sanitize_text_field( $post['aftercare_track_order'] ) : '';
		$email  = isset( $post['aftercare_track_email'] ) && is_string( $post['aftercare_track_email'] ) ? sanitize_email( $post['aftercare_track_email'] ) : '';
		return self::lookup( $number, $email, $ip );
	}

	/**
	 * Finds the order and fetches its view.
	 *
	 * @param string $number Order number as typed (a leading # is fine).
	 * @param string $email  Billing email as typed.
	 * @param string $ip     The shopper's address, for rate limiting.
	 * @return array{status:string,view?:array<string,mixed>,order_id?:int}
	 *         status: invalid, limited, not_found, pending, unavailable (aftercare is down),
	 *         off (aftercare refused the request or is not set up) or found.
	 */
	public static function lookup( string $number, string $email, string $ip ): array {
		$found = self::verify( $number, $email, $ip );
		if ( 'found' !== $found['status'] ) {
			return $found;
		}
		return self::fetch( $found['order'], $ip );
	}

	/**
	 * Proves the shopper knows the order: its number and billing email (any case), at most
	 * MAX_FAILURES wrong tries per address and WINDOW.
	 *
	 * @param string $number Order number as typed (a leading # is fine).
	 * @param string $email  Billing email as typed.
	 * @param string $ip     The shopper's address.
	 * @return array{status:string,order?:\WC_Order} status: invalid, limited, not_found or found.
	 */
	public static function verify( string $number, string $email, string $ip ): array {
		$number = ltrim( trim( $number ), '#' );
		$email  = trim( $email );
		if ( '' === $number || strlen( $number ) > 64 || ! is_email( $email ) ) {
			return array( 'status' => 'invalid' );
		}
		$limit_key = 'aftercare_gt_' . md5( $ip );
		$failures  = get_transient( $limit_key );
		$failures  = is_array( $failures ) ? $failures : array(
			'count' => 0,
			'since' => time(),
		);
		if ( $failures['count'] >= self::MAX_FAILURES && time() - (int) $failures['since'] < self::WINDOW ) {
			return array( 'status' => 'limited' );
		}

		$order = self::find_order( $number );
		if ( ! $order || ! hash_equals( strtolower( trim( (string) $order->get_billing_email() ) ), strtolower( trim( $email ) ) ) ) {
			++$failures['count'];
			set_transient( $limit_key, $failures, self::WINDOW );
			return array( 'status' => 'not_found' );
		}
		return array(
			'status' => 'found',
			'order'  => $order,
		);
	}

	/**
	 * The guest query that proves an order to aftercare: its key (never shown) and email.
	 *
	 * @param \WC_Order $order The order.
	 * @return array{key:string,email:string}
	 */
	public static function proof( $order ): array {
		return array(
			'key'   => (string) $order->get_order_key(),
			'email' => (string) $order->get_billing_email(),
		);
	}

	/**
	 * aftercare's guest view of a verified order.
	 *
	 * @param \WC_Order $order The order.
	 * @param string    $ip    The shopper's address (aftercare limits guests too).
	 * @param bool      $fresh Ask even during the pause after a failure (part of a write).
	 * @return array{status:string,view?:array<string,mixed>,order_id?:int}
	 */
	public static function fetch( $order, string $ip, bool $fresh = false ): array {
		$response = Api_Client::from_settings()->get(
			sprintf( '/api/v1/guest/orders/%d', (int) $order->get_id() ),
			self::proof( $order ),
			array(
				'headers' => array( 'X-Aftercare-Client-IP' => $ip ),
				'fresh'   => $fresh,
			)
		);
		if ( $response->ok() && is_array( $response->data ) ) {
			return array(
				'status'   => 'found',
				'view'     => $response->data,
				'order_id' => (int) $order->get_id(),
			);
		}
		if ( 429 === $response->status ) {
			return array( 'status' => 'limited' );
		}
		if ( $response->not_found() ) {
			// Known to WooCommerce, not (yet) to aftercare: nothing shipped to show.
			return array( 'status' => 'pending' );
		}
		// A wait helps only when aftercare is down; a refused key needs the shop to act.
		return array( 'status' => $response->unavailable() ? 'unavailable' : 'off' );
	}

	/**
	 * The order with this number: the id itself, unless a plugin numbers orders differently
	 * (then it can answer through the aftercare_find_order_by_number filter).
	 *
	 * @param string $number Order number.
	 * @return \WC_Order|null
	 */
	private static function find_order( string $number ) {
		$order = apply_filters( 'aftercare_find_order_by_number', null, $number );
		if ( ! $order && ctype_digit( $number ) ) {
			$order = wc_get_order( (int) $number );
		}
		if ( ! $order instanceof \WC_Order || 'checkout-draft' === $order->get_status() ) {
			return null;
		}
		// With custom numbering the id alone must not match: the number shown must.
		return (string) $order->get_order_number() === $number ? $order : null;
	}

	/**
	 * The shopper's address (REMOTE_ADDR; behind a proxy, filter aftercare_client_ip).
	 */
	public static function client_ip(): string {
		$ip = isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '';
		$ip = (string) apply_filters( 'aftercare_client_ip', $ip );
		return filter_var( $ip, FILTER_VALIDATE_IP ) ? $ip : 'unknown';
	}
}
