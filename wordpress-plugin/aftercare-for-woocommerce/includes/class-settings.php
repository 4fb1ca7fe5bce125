<?php
/**
 * The plugin's options: where aftercare is and the key to talk to it.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Reads and writes the plugin's options.
 */
final class Settings {

	public const URL_OPTION         = 'aftercare_url';
	public const API_KEY_OPTION     = 'aftercare_api_key';
	public const WEBHOOKS_OPTION    = 'aftercare_webhook_ids';
	public const CONNECTION_OPTION  = 'aftercare_connection';
	/** The seller's tax number and phone on invoices: WooCommerce's store settings have neither. */
	public const TAX_ID_OPTION      = 'aftercare_seller_tax_id';
	public const PHONE_OPTION       = 'aftercare_seller_phone';
	public const ALL_OPTIONS        = array( self::URL_OPTION, self::API_KEY_OPTION, self::WEBHOOKS_OPTION, self::CONNECTION_OPTION, self::TAX_ID_OPTION, self::PHONE_OPTION );
	private const MAX_API_KEY_CHARS = 512;
	public const MAX_TAX_ID_CHARS   = 64;
	public const MAX_PHONE_CHARS    = 40;

	/**
	 * The aftercare base URL without a trailing slash, or '' when not set.
	 */
	public static function url(): string {
		$url = get_option( self::URL_OPTION, '' );
		return is_string( $url ) ? rtrim( $url, '/' ) : '';
	}

	/**
	 * The API key, or '' when not set. Never print it.
	 */
	public static function api_key(): string {
		$key = get_option( self::API_KEY_OPTION, '' );
		return is_string( $key ) ? $key : '';
	}

	public static function has_api_key(): bool {
		return '' !== self::api_key();
	}

	public static function is_configured(): bool {
		return '' !== self::url() && self::has_api_key();
	}

	/**
	 * Whether a Connect succeeded with the saved settings (it remembers when).
	 */
	public static function is_connected(): bool {
		$connection = get_option( self::CONNECTION_OPTION, array() );
		return self::is_configured() && is_array( $connection ) && ! empty( $connection['connected_at'] );
	}

	/**
	 * The seller's tax number for invoices, or ''.
	 */
	public static function tax_id(): string {
		$value = get_option( self::TAX_ID_OPTION, '' );
		return is_string( $value ) ? $value : '';
	}

	/**
	 * The seller's phone number for invoices, or ''.
	 */
	public static function phone(): string {
		$value = get_option( self::PHONE_OPTION, '' );
		return is_string( $value ) ? $value : '';
	}

	/**
	 * Checks a tax number as typed: one line of text.
	 *
	 * @param string $raw What was typed.
	 * @return string|\WP_Error
	 */
	public static function sanitize_tax_id( string $raw ) {
		$value = sanitize_text_field( $raw );
		if ( mb_strlen( $value ) > self::MAX_TAX_ID_CHARS ) {
			/* translators: %d: the most characters allowed */
			return new \WP_Error( 'aftercare_invalid_tax_id', sprintf( __( 'The tax number may have at most %d characters.', 'aftercare-for-woocommerce' ), self::MAX_TAX_ID_CHARS ) );
		}
		return $value;
	}

	/**
	 * Checks a phone number as typed: digits with the usual separators, an optional leading +.
	 *
	 * @param string $raw What was typed.
	 * @return string|\WP_Error
	 */
	public static function sanitize_phone( string $raw ) {
		$value = sanitize_text_field( $raw );
		if ( '' !== $value && ( mb_strlen( $value ) > self::MAX_PHONE_CHARS || ! preg_match( '/^\+?[0-9][0-9 ().\/-]*$/', $value ) ) ) {
			/* translators: %d: the most characters allowed */
			return new \WP_Error( 'aftercare_invalid_phone', sprintf( __( 'The phone number may have digits, spaces, ( ) . / - and a leading +, at most %d characters.', 'aftercare-for-woocommerce' ), self::MAX_PHONE_CHARS ) );
		}
		return $value;
	}

	/**
	 * Stores the seller's tax number.
	 *
	 * @param string $value Checked by sanitize_tax_id().
	 */
	public static function save_tax_id( string $value ): void {
		update_option( self::TAX_ID_OPTION, $value, false );
	}

	/**
	 * Stores the seller's phone number.
	 *
	 * @param string $value Checked by sanitize_phone().
	 */
	public static function save_phone( string $value ): void {
		update_option( self::PHONE_OPTION, $value, false );
	}

	/**
	 * Validates an aftercare URL as typed by an admin.
	 *
	 * @param string $raw What was typed.
	 * @return string|\WP_Error The normalized URL (scheme, host, optional port and path, no trailing slash).
	 */
	public static function sanitize_url( string $raw ) {
		$raw = trim( $raw );
		if ( '' === $raw ) {
			return '';
		}
		$parts = wp_parse_url( $raw );
		if ( ! is_array( $parts ) || empty( $parts['scheme'] ) || empty( $parts['host'] )
			|| ! in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true ) ) {
			return new \WP_Error( 'aftercare_invalid_url', __( 'The aftercare URL must start with http:// or https:// and name a host, for example https://aftercare.example.com.', 'aftercare-for-woocommerce' ) );
		}
		if ( isset( $parts['user'] ) || isset( $parts['pass'] ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) ) {
			return new \WP_Error( 'aftercare_invalid_url', __( 'The aftercare URL must not contain a user name, password, query or fragment.', 'aftercare-for-woocommerce' ) );
		}
		$url = strtolower( $parts['scheme'] ) . '://' . strtolower( $parts['host'] );
		if ( isset( $parts['port'] ) ) {
			$url .= ':' . (int) $parts['port'];
		}
		if ( isset( $parts['path'] ) ) {
			$url .= rtrim( $parts['path'], '/' );
		}
		return esc_url_raw( $url, array( 'http', 'https' ) );
	}

	/**
	 * Validates an API key as typed. Printable ASCII only: it travels in an HTTP header.
	 *
	 * @param string $raw What was typed.
	 * @return string|\WP_Error
	 */
	public static function sanitize_api_key( string $raw ) {
		$key = trim( $raw );
		if ( strlen( $key ) > self::MAX_API_KEY_CHARS || ! preg_match( '/^[\x21-\x7e]*$/', $key ) ) {
			return new \WP_Error( 'aftercare_invalid_key', __( 'The API key may only contain printable characters without spaces.', 'aftercare-for-woocommerce' ) );
		}
		return $key;
	}

	public static function save_url( string $url ): void {
		update_option( self::URL_OPTION, $url );
	}

	/**
	 * Stores the key in an option that is never autoloaded.
	 *
	 * @param string $key The validated key.
	 */
	public static function save_api_key( string $key ): void {
		update_option( self::API_KEY_OPTION, $key, false );
	}

	/**
	 * Host and port of the configured aftercare URL, for WordPress's safe-request filters.
	 *
	 * @return array{host:string,port:int}|null
	 */
	public static function endpoint(): ?array {
		$parts = wp_parse_url( self::url() );
		if ( ! is_array( $parts ) || empty( $parts['host'] ) ) {
			return null;
		}
		$default_port = ( isset( $parts['scheme'] ) && 'https' === strtolower( $parts['scheme'] ) ) ? 443 : 80;
		return array(
			'host' => strtolower( trim( $parts['host'], '[].' ) ),
			'port' => isset( $parts['port'] ) ? (int) $parts['port'] : $default_port,
		);
	}

	/**
	 * Ids of the webhooks this plugin created or adopted, by topic.
	 *
	 * @return array<string,int>
	 */
	public static function webhook_ids(): array {
		$ids = get_option( self::WEBHOOKS_OPTION, array() );
		if ( ! is_array( $ids ) ) {
			return array();
		}
		$clean = array();
		foreach ( $ids as $topic => $id ) {
			if ( is_string( $topic ) && is_numeric( $id ) && (int) $id > 0 ) {
				$clean[ $topic ] = (int) $id;
			}
		}
		return $clean;
	}

	/**
	 * Remembers the webhooks by topic.
	 *
	 * @param array<string,int> $ids Webhook ids by topic.
	 */
	public static function save_webhook_ids( array $ids ): void {
		update_option( self::WEBHOOKS_OPTION, $ids, false );
	}
}
