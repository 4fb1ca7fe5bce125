<?php
/**
 * Rendering the plugin's templates, which a theme may override, and the small formatting
 * helpers templates share.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Template loading and the small formatting helpers templates share.
 */
final class Template {

	/** Where a theme puts its copies: yourtheme/aftercare/{name}.php. */
	public const THEME_PATH = 'aftercare/';

	/**
	 * Renders templates/{name}.php to a string through WooCommerce's template loader, so a
	 * theme's aftercare/{name}.php wins, and WooCommerce's template filters and actions apply.
	 *
	 * @param string              $name Template name without extension, e.g. myaccount/order.
	 * @param array<string,mixed> $vars Variables the template reads.
	 */
	public static function render( string $name, array $vars = array() ): string {
		return (string) wc_get_template_html( $name . '.php', $vars, self::THEME_PATH, AFTERCARE_PLUGIN_DIR . '/templates/' );
	}

	/**
	 * An RFC 3339 time as the site shows dates, or '' when it does not parse.
	 *
	 * @param string $iso  Time from aftercare.
	 * @param bool   $time Include the time of day.
	 */
	public static function date( string $iso, bool $time = false ): string {
		if ( '' === $iso ) {
			return '';
		}
		$timestamp = strtotime( $iso );
		if ( false === $timestamp ) {
			return '';
		}
		$format = (string) get_option( 'date_format', 'F j, Y' );
		if ( $time ) {
			$format .= ' ' . (string) get_option( 'time_format', 'g:i a' );
		}
		return (string) wp_date( $format, $timestamp );
	}

	/**
	 * Whether an RFC 3339 time has passed (false when it does not parse): a passed expected
	 * date is said as "was expected by", never shown bare as if still ahead.
	 *
	 * @param string $iso Time from aftercare.
	 */
	public static function is_past( string $iso ): bool {
		$timestamp = '' === $iso ? false : strtotime( $iso );
		return false !== $timestamp && $timestamp < time();
	}

	/**
	 * The machine-readable form for <time datetime="">, or ''.
	 *
	 * @param string $iso Time from aftercare.
	 */
	public static function datetime_attr( string $iso ): string {
		$timestamp = strtotime( $iso );
		return false === $timestamp ? '' : gmdate( 'c', $timestamp );
	}

	/**
	 * An amount from aftercare (a decimal string in the currency's own decimals) as
	 * WooCommerce prints prices, as safe HTML.
	 *
	 * @param string $amount   e.g. "38610" or "59.97".
	 * @param string $currency ISO code.
	 */
	public static function money( string $amount, string $currency ): string {
		if ( ! preg_match( '/^-?\d{1,15}(?:\.(\d{1,6}))?$/', $amount, $m ) || ! preg_match( '/^[A-Z]{3}$/', $currency ) ) {
			return esc_html( trim( $amount . ' ' . $currency ) );
		}
		$decimals = isset( $m[1] ) ? strlen( $m[1] ) : 0;
		if ( function_exists( 'wc_price' ) ) {
			// The currency's decimals, not the shop's setting: the amount is exact as it is.
			return (string) wc_price(
				(float) $amount,
				array(
					'currency' => $currency,
					'decimals' => $decimals,
				)
			);
		}
		return esc_html( number_format( (float) $amount, $decimals ) . ' ' . $currency );
	}
}
