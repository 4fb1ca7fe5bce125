<?php
/**
 * Class loading: Aftercare\Api_Client lives in includes/class-api-client.php.
 *
 * @package Aftercare
 */

defined( 'ABSPATH' ) || exit;

spl_autoload_register(
	static function ( $class_name ) {
		$prefix = 'Aftercare\\';
		if ( 0 !== strpos( $class_name, $prefix ) ) {
			return;
		}
		$file = __DIR__ . '/class-' . str_replace( '_', '-', strtolower( substr( $class_name, strlen( $prefix ) ) ) ) . '.php';
		if ( is_readable( $file ) ) {
			require_once $file;
		}
	}
);
