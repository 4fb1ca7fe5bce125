<?php
/**
 * Deactivates and uninstalls the plugin as the Plugins screen would; its options must be gone.
 *
 * @package Aftercare\Tests
 */

require getcwd() . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
wp_set_current_user( 1 );

$plugin = 'aftercare-for-woocommerce/aftercare-for-woocommerce.php';
update_option( 'aftercare_api_key', 'to-be-removed', false );
set_transient( 'aftercare_c_smoke', array( 1 ), 60 );
deactivate_plugins( $plugin );
$rules = get_option( 'rewrite_rules' );
if ( is_array( $rules ) && preg_grep( '/[?&]returns=/', array_values( $rules ) ) ) {
	fwrite( STDERR, "deactivation left the returns endpoint in the rewrite rules\n" );
	exit( 1 );
}
uninstall_plugin( $plugin );
foreach ( array( 'aftercare_url', 'aftercare_api_key' ) as $option ) {
	if ( false !== get_option( $option ) ) {
		fwrite( STDERR, "uninstall left $option\n" );
		exit( 1 );
	}
}
if ( false !== get_transient( 'aftercare_c_smoke' ) ) {
	fwrite( STDERR, "uninstall left cached answers\n" );
	exit( 1 );
}
echo "smoke: deactivated and uninstalled cleanly\n";
