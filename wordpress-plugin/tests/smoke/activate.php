<?php
/**
 * Activates the plugin the way the Plugins screen does.
 *
 * @package Aftercare\Tests
 */

require getcwd() . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
wp_set_current_user( 1 );

$result = activate_plugin( 'aftercare-for-woocommerce/aftercare-for-woocommerce.php', '', false, false );
if ( is_wp_error( $result ) ) {
	fwrite( STDERR, 'activation failed: ' . $result->get_error_message() . "\n" );
	exit( 1 );
}
if ( ! is_plugin_active( 'aftercare-for-woocommerce/aftercare-for-woocommerce.php' ) ) {
	fwrite( STDERR, "not active after activation\n" );
	exit( 1 );
}
$rules = get_option( 'rewrite_rules' );
if ( ! is_array( $rules ) || ! preg_grep( '/[?&]returns=/', array_values( $rules ) ) ) {
	fwrite( STDERR, "activation did not add the returns endpoint to the rewrite rules\n" );
	exit( 1 );
}
echo "smoke: activated, endpoints in the rewrite rules\n";
