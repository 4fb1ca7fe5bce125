<?php
/**
 * Wiring: which parts run, and when.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Boots the plugin on plugins_loaded.
 */
final class Plugin {

	public static function boot(): void {
		add_action( 'init', array( self::class, 'load_textdomain' ), 0 );
		// A WordPress rule, not a WooCommerce one: it only ever widens it for the aftercare host.
		Safe_Requests::register();
		if ( ! self::woocommerce_active() ) {
			add_action( 'admin_notices', array( self::class, 'missing_woocommerce_notice' ) );
			return;
		}
		Account::register();
		Email_Preferences::register();
		// The customer's language, recorded at checkout for the messages aftercare writes.
		Checkout_Locale::register();
		Customer_Actions::register();
		Support_Actions::register();
		Guest_Tracking::register();
		// Not admin only: options change through the REST API and WP-CLI too, and Action
		// Scheduler runs the send from cron or the command line.
		Shop_Profile::register();
		// Emails go out from checkout, the admin, cron and the command line alike.
		Emails::register();
		Order_Emails::register();
		Messages::register();
		// Tools → Export / Erase Personal Data run from the admin, WP-CLI and cron alike.
		Privacy::register();
		if ( is_admin() ) {
			Admin_Settings::register();
			Returns_Queue::register();
			Support_Inbox::register();
			Answers_Admin::register();
			Insights_Page::register();
			Guide_Box::register();
			Shipment_Box::register();
			Order_Alerts::register();
			Staff_Documents::register();
			Admin_Notices::register();
		}
	}

	public static function woocommerce_active(): bool {
		return class_exists( 'WooCommerce' ) && function_exists( 'wc_get_order' );
	}

	public static function load_textdomain(): void {
		load_plugin_textdomain( 'aftercare-for-woocommerce', false, dirname( plugin_basename( AFTERCARE_PLUGIN_FILE ) ) . '/languages' );
	}

	public static function missing_woocommerce_notice(): void {
		if ( ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		echo '<div class="notice notice-warning"><p>'
			. esc_html__( 'Aftercare for WooCommerce needs WooCommerce. Install and activate WooCommerce, then the order tracking, invoice and returns features appear in My Account.', 'aftercare-for-woocommerce' )
			. '</p></div>';
	}

	/**
	 * Adds the My Account endpoints and rebuilds the rewrite rules, once; asks for the set-up
	 * when the plugin is not connected yet.
	 */
	public static function activate(): void {
		if ( '' === Settings::url() || ! Settings::has_api_key() ) {
			update_option( Admin_Notices::NEEDS_SETUP_OPTION, 1, false );
		}
		Account::add_endpoints();
		flush_rewrite_rules();
		update_option( Account::ENDPOINTS_OPTION, implode( ',', Account::endpoint_slugs() ), false );
	}

	/**
	 * Takes the endpoints out of the rewrite rules again and drops a queued profile send.
	 */
	public static function deactivate(): void {
		Shop_Profile::unschedule();
		Messages::unschedule();
		// The option that records the endpoints stays: a request that loaded the plugin just
		// before this one deactivated it must not see it missing and put them back (uninstall
		// removes it).
		global $wp_rewrite;
		if ( isset( $wp_rewrite->endpoints ) && is_array( $wp_rewrite->endpoints ) ) {
			$ours                  = Account::endpoint_slugs();
			$wp_rewrite->endpoints = array_values(
				array_filter(
					$wp_rewrite->endpoints,
					static fn( $endpoint ) => ! ( is_array( $endpoint ) && in_array( $endpoint[1] ?? '', $ours, true ) )
				)
			);
		}
		flush_rewrite_rules();
	}
}
