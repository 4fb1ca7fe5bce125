<?php
/**
 * The WordPress and WooCommerce stand-ins with the plugin loaded exactly as WordPress would
 * load it. Used by the PHPUnit bootstrap and by the screenshot harness.
 *
 * @package Aftercare\Tests
 */

error_reporting( E_ALL );
ini_set( 'display_errors', '1' );

define( 'ABSPATH', __DIR__ . '/' );
define( 'EP_ROOT', 64 );
define( 'EP_PAGES', 4096 );

require __DIR__ . '/stubs/wordpress.php';
require __DIR__ . '/stubs/woocommerce.php';
require __DIR__ . '/support/Aftercare_Service.php';
require __DIR__ . '/support/Scripted_Server.php';
require __DIR__ . '/support/Test_Image.php';

Stub::reset();
require dirname( __DIR__ ) . '/aftercare-for-woocommerce/aftercare-for-woocommerce.php';
// Booted as an admin request, so the admin parts are registered too; every test then runs
// as a front-end request unless it says otherwise (Stub::$admin).
Stub::$admin = true;
do_action( 'plugins_loaded' );
do_action( 'init' );
// WooCommerce's Action Scheduler is ready after init (its data store initialises there).
do_action( 'action_scheduler_init' );
Stub::$admin = false;
