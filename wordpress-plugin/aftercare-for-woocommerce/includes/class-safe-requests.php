<?php
/**
 * Lets WooCommerce deliver webhooks to the aftercare host, and only to it.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce delivers with wp_safe_remote_request(), which refuses private addresses and
 * ports other than 80, 443 and 8080. aftercare often runs next to the shop (127.0.0.1:8787,
 * a LAN address): allow exactly the configured host, and its port for that host only.
 */
final class Safe_Requests {

	public static function register(): void {
		add_filter( 'http_request_host_is_external', array( self::class, 'allow_host' ), 10, 3 );
		add_filter( 'http_allowed_safe_ports', array( self::class, 'allow_port' ), 10, 3 );
	}

	/**
	 * Filter http_request_host_is_external.
	 *
	 * @param bool   $external Whether WordPress treats the host as external.
	 * @param string $host     Host of the requested URL.
	 * @param string $url      The URL.
	 */
	public static function allow_host( $external, $host, $url = '' ) {
		$endpoint = Settings::endpoint();
		if ( null !== $endpoint && is_string( $host ) && strtolower( trim( $host, '[].' ) ) === $endpoint['host'] ) {
			return true;
		}
		return $external;
	}

	/**
	 * Filter http_allowed_safe_ports.
	 *
	 * @param int[]  $ports Allowed ports.
	 * @param string $host  Host of the requested URL.
	 * @param string $url   The URL.
	 * @return int[]
	 */
	public static function allow_port( $ports, $host = '', $url = '' ) {
		$endpoint = Settings::endpoint();
		if ( null === $endpoint || ! is_array( $ports ) ) {
			return $ports;
		}
		if ( ! is_string( $host ) || '' === $host ) {
			// Older WordPress passes no host in some branches; read it from the URL.
			$host = is_string( $url ) ? (string) wp_parse_url( $url, PHP_URL_HOST ) : '';
		}
		if ( strtolower( trim( $host, '[].' ) ) === $endpoint['host'] && ! in_array( $endpoint['port'], $ports, true ) ) {
			$ports[] = $endpoint['port'];
		}
		return $ports;
	}
}
