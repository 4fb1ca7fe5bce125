<?php
/**
 * Plugin Name:       Aftercare for WooCommerce
 * Description:       Parcels, tracking, invoices and returns in My Account, served by your self-hosted aftercare service. Connects WooCommerce's order webhooks in one click.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Requires Plugins:  woocommerce
 * WC requires at least: 8.0
 * WC tested up to:   10.3
 * Author:            aftercare
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       aftercare-for-woocommerce
 * Domain Path:       /languages
 *
 * @package Aftercare
 */

defined( 'ABSPATH' ) || exit;

define( 'AFTERCARE_VERSION', '0.1.0' );
define( 'AFTERCARE_PLUGIN_FILE', __FILE__ );
define( 'AFTERCARE_PLUGIN_DIR', __DIR__ );

require_once __DIR__ . '/includes/autoload.php';

// HPOS: everything goes through wc_get_order() and the order CRUD, never post meta.
add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', __FILE__, true );
		}
	}
);

register_activation_hook( __FILE__, array( \Aftercare\Plugin::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( \Aftercare\Plugin::class, 'deactivate' ) );

add_action( 'plugins_loaded', array( \Aftercare\Plugin::class, 'boot' ) );
