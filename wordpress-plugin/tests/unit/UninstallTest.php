<?php
/**
 * uninstall.php removes the options, cached answers, queued sends and the webhooks the plugin
 * created.
 *
 * @package Aftercare\Tests
 */

final class UninstallTest extends Plugin_Test_Case {

	public function test_uninstall_removes_options_transients_and_our_webhooks_only(): void {
		foreach ( array( 'order.created', 'order.updated' ) as $topic ) {
			$hook = new WC_Webhook();
			$hook->set_topic( $topic );
			$hook->save();
		}
		$theirs = new WC_Webhook();
		$theirs->set_topic( 'order.created' );
		$theirs->save();
		update_option( 'aftercare_url', 'http://127.0.0.1:8787' );
		update_option( 'aftercare_api_key', 'k', false );
		update_option( 'aftercare_webhook_ids', array( 'order.created' => 100, 'order.updated' => 101 ), false );
		update_option( 'aftercare_connection', array( 'store' => 'default' ), false );
		update_option( 'aftercare_needs_setup', 1, false );
		update_option( 'aftercare_auth_failure', array( 'at' => 1, 'path' => '/api/v1/store/health' ), false );
		update_option( 'aftercare_seller_tax_id', 'US-12-3456789', false );
		update_option( 'aftercare_seller_phone', '+1 415 555 0100', false );
		as_schedule_single_action( time() + 10, 'aftercare_send_shop_profile', array(), 'aftercare', true );
		as_schedule_single_action( time() + 10, 'woocommerce_deliver_webhook_async', array(), 'woocommerce-webhooks' );
		update_user_meta( 1, 'aftercare_setup_dismissed', 1 );
		update_option( 'blogname', 'Shop' );
		set_transient( 'aftercare_c_abc', array( 1 ), 60 );
		set_transient( 'other_plugin_cache', 1, 60 );

		global $wpdb;
		$wpdb = new Uninstall_Wpdb_Double();
		if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
			define( 'WP_UNINSTALL_PLUGIN', 'aftercare-for-woocommerce/aftercare-for-woocommerce.php' );
		}
		require AFTERCARE_PLUGIN_DIR . '/uninstall.php';

		$this->assertSame( array( 102 ), array_keys( WC_Stub::$webhooks ), 'webhooks set up by others stay' );
		$this->assertSame( '', get_user_meta( 1, 'aftercare_setup_dismissed', true ) );
		foreach ( array( 'aftercare_url', 'aftercare_api_key', 'aftercare_webhook_ids', 'aftercare_connection', 'aftercare_needs_setup', 'aftercare_auth_failure', 'aftercare_seller_tax_id', 'aftercare_seller_phone' ) as $option ) {
			$this->assertFalse( get_option( $option ), $option );
		}
		$this->assertSame( array( 'woocommerce_deliver_webhook_async' ), array_values( array_column( WC_Stub::$actions, 'hook' ) ), 'a queued profile send goes, others stay' );
		$this->assertSame( 'Shop', get_option( 'blogname' ) );
		$this->assertSame( array( "SELECT option_name FROM wp_options WHERE option_name LIKE '\\_transient\\_aftercare\\_%'" ), $wpdb->queries );
		$this->assertFalse( get_transient( 'aftercare_c_abc' ) );
		$this->assertSame( 1, get_transient( 'other_plugin_cache' ) );
	}
}

/**
 * Just enough of wpdb for uninstall.php's transient clean-up.
 */
final class Uninstall_Wpdb_Double {
	public string $options = 'wp_options';
	public string $prefix  = 'wp_';
	public array $queries  = array();

	public function esc_like( $text ) {
		return addcslashes( $text, '_%\\' );
	}
	public function prepare( $query, ...$args ) {
		return vsprintf( str_replace( '%s', "'%s'", $query ), array_map( static fn( $a ) => str_replace( "'", "\\'", $a ), $args ) );
	}
	public function get_col( $sql ) {
		$this->queries[] = $sql;
		// What WordPress keeps in wp_options for the stand-in's transients.
		$names = array();
		foreach ( array_keys( Stub::$transients ) as $name ) {
			if ( str_starts_with( $name, 'aftercare_' ) ) {
				$names[] = '_transient_' . $name;
			}
		}
		return $names;
	}
	public function get_var( $sql ) {
		return null;
	}
}

function is_multisite() {
	return false;
}
