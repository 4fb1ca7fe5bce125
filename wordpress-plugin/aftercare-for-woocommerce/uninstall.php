<?php
/**
 * Removes what the plugin stored: its options, cached answers, queued sends and the webhooks it
 * created.
 *
 * @package Aftercare
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/**
 * Runs the clean-up for the current site.
 */
function aftercare_uninstall_site() {
	global $wpdb;

	$ids = get_option( 'aftercare_webhook_ids', array() );
	if ( is_array( $ids ) ) {
		foreach ( $ids as $id ) {
			$id = absint( $id );
			if ( ! $id ) {
				continue;
			}
			if ( function_exists( 'wc_get_webhook' ) ) {
				$webhook = wc_get_webhook( $id );
				if ( $webhook ) {
					$webhook->delete( true );
				}
			} elseif ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->prefix . 'wc_webhooks' ) ) ) {
				// WooCommerce is inactive: remove the row itself so no webhook is left behind.
				$wpdb->delete( $wpdb->prefix . 'wc_webhooks', array( 'webhook_id' => $id ), array( '%d' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			}
		}
	}

	foreach ( array( 'aftercare_url', 'aftercare_api_key', 'aftercare_webhook_ids', 'aftercare_connection', 'aftercare_needs_setup', 'aftercare_auth_failure', 'aftercare_seller_tax_id', 'aftercare_seller_phone', 'aftercare_order_emails', 'aftercare_messages_running', 'aftercare_digests_sent', 'aftercare_endpoints' ) as $option ) {
		delete_option( $option );
	}
	// The settings WooCommerce keeps for aftercare's emails.
	foreach ( array( 'order_confirmation', 'shipped', 'out_for_delivery', 'delivered', 'delayed', 'return_update', 'support_reply', 'product_guide', 'staff_digest' ) as $type ) {
		delete_option( 'woocommerce_aftercare_' . $type . '_settings' );
	}
	delete_option( 'woocommerce_aftercare_survey_settings' );
	// Queued sends (the shop's profile, the due messages) would call hooks nobody answers any more.
	if ( function_exists( 'as_unschedule_all_actions' ) && did_action( 'action_scheduler_init' ) ) {
		as_unschedule_all_actions( 'aftercare_send_shop_profile' );
		as_unschedule_all_actions( 'aftercare_send_due_messages' );
	}
	delete_metadata( 'user', 0, 'aftercare_setup_dismissed', '', true );

	// Cached answers, notices and rate-limit counters are transients named aftercare_*; deleting
	// them through the API also clears them from the object cache.
	$names = $wpdb->get_col( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( '_transient_aftercare_' ) . '%' )
	);
	foreach ( (array) $names as $name ) {
		delete_transient( substr( (string) $name, strlen( '_transient_' ) ) );
	}
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $aftercare_site_id ) {
		switch_to_blog( $aftercare_site_id );
		aftercare_uninstall_site();
		restore_current_blog();
	}
} else {
	aftercare_uninstall_site();
}
