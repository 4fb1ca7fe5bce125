<?php
/**
 * Installs WordPress with WordPress's own installer (no wp-cli).
 *
 * @package Aftercare\Tests
 */

define( 'WP_INSTALLING', true );
require getcwd() . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
// No mail server here: skip the welcome email.
add_filter( 'pre_wp_mail', '__return_true' );

$result = wp_install( 'aftercare smoke', 'admin', 'admin@example.com', false, '', 'smoke-admin-password' );
if ( empty( $result['user_id'] ) ) {
	fwrite( STDERR, "wp_install failed\n" );
	exit( 1 );
}
update_option( 'permalink_structure', '/%postname%/' );
echo 'smoke: installed, admin user ' . (int) $result['user_id'] . "\n";
