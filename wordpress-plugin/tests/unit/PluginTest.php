<?php
/**
 * The plugin as WordPress loads it: header, HPOS declaration, hooks, settings, activation.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Admin_Settings;
use Aftercare\Plugin;
use Aftercare\Safe_Requests;
use Aftercare\Settings;

final class PluginTest extends Plugin_Test_Case {

	private const MAIN = AFTERCARE_PLUGIN_DIR . '/aftercare-for-woocommerce.php';

	public function test_header_declares_requirements(): void {
		$header = (string) file_get_contents( self::MAIN, false, null, 0, 2048 );
		foreach ( array(
			'Plugin Name:       Aftercare for WooCommerce',
			'Requires PHP:      8.1',
			'Requires Plugins:  woocommerce',
			'Text Domain:       aftercare-for-woocommerce',
			'Domain Path:       /languages',
		) as $line ) {
			$this->assertStringContainsString( $line, $header );
		}
		$this->assertMatchesRegularExpression( '/WC tested up to:\s+10\.\d+/', $header );
		$this->assertMatchesRegularExpression( '/\* Version:\s+' . preg_quote( AFTERCARE_VERSION, '/' ) . '\n/', $header );
	}

	public function test_hpos_compatibility_is_declared_for_the_main_file(): void {
		require_once dirname( __DIR__ ) . '/support/FeaturesUtil.php';
		do_action( 'before_woocommerce_init' );
		$this->assertContains( array( 'custom_order_tables', realpath( self::MAIN ), true ), \Automattic\WooCommerce\Utilities\FeaturesUtil::$declared );
	}

	public function test_orders_are_read_only_through_crud(): void {
		$sources = '';
		foreach ( glob( AFTERCARE_PLUGIN_DIR . '/{includes,templates}/{,*/}*.php', GLOB_BRACE ) as $file ) {
			$sources .= file_get_contents( $file );
		}
		foreach ( array( 'get_post_meta', 'update_post_meta', 'WP_Query', 'get_posts(', '$wpdb' ) as $forbidden ) {
			$this->assertStringNotContainsString( $forbidden, $sources );
		}
	}

	public function test_activation_adds_endpoints_and_flushes_once(): void {
		Stub::$registered['endpoints'] = array();
		Stub::$registered['flushes']   = 0;
		call_user_func( Stub::$registered['activation'] );
		$this->assertSame( array( 'returns', 'tracking', 'support' ), Stub::$registered['endpoints'] );
		$this->assertSame( 1, Stub::$registered['flushes'] );
		do_action( 'init' );
		$this->assertSame( 1, Stub::$registered['flushes'], 'never on a normal request' );
	}

	public function test_an_update_that_adds_a_tab_rebuilds_the_rules_once(): void {
		// Installed before the Support tab: the rules know returns and tracking only.
		update_option( Account::ENDPOINTS_OPTION, 'returns,tracking' );
		Stub::$registered['flushes'] = 0;
		do_action( 'init' );
		$this->assertSame( 1, Stub::$registered['flushes'] );
		$this->assertSame( 'returns,tracking,support', get_option( Account::ENDPOINTS_OPTION ) );
		do_action( 'init' );
		$this->assertSame( 1, Stub::$registered['flushes'], 'once, not on every request' );
	}

	public function test_deactivation_removes_only_our_endpoints(): void {
		global $wp_rewrite;
		$wp_rewrite            = new stdClass();
		$wp_rewrite->endpoints = array( array( EP_PAGES, 'returns', 'returns' ), array( EP_PAGES, 'orders', 'orders' ), array( EP_ROOT, 'tracking', 'tracking' ) );
		call_user_func( Stub::$registered['deactivation'] );
		$this->assertSame( array( array( EP_PAGES, 'orders', 'orders' ) ), $wp_rewrite->endpoints );
	}

	public function test_menu_gets_tracking_and_returns_after_orders(): void {
		$menu = apply_filters(
			'woocommerce_account_menu_items',
			array(
				'dashboard'       => 'Dashboard',
				'orders'          => 'Orders',
				'edit-account'    => 'Account details',
				'customer-logout' => 'Log out',
			)
		);
		$this->assertSame( array( 'dashboard', 'orders', 'tracking', 'returns', 'support', 'edit-account', 'customer-logout' ), array_keys( $menu ) );
		$this->assertSame( array( 'orders' => 'orders', 'returns' => 'returns', 'tracking' => 'tracking', 'support' => 'support' ), apply_filters( 'woocommerce_get_query_vars', array( 'orders' => 'orders' ) ) );
		$this->assertSame( 'Support', apply_filters( 'woocommerce_endpoint_support_title', 'x' ) );
		$this->assertSame( 'Returns', apply_filters( 'woocommerce_endpoint_returns_title', 'x' ) );
		$this->assertTrue( has_action( 'woocommerce_view_order', array( Account::class, 'print_order_section' ) ) );
	}

	public function test_missing_woocommerce_notice_is_for_admins_only(): void {
		Stub::login( 1, array( 'activate_plugins' ) );
		ob_start();
		Plugin::missing_woocommerce_notice();
		$this->assertStringContainsString( 'needs WooCommerce', (string) ob_get_clean() );
		Stub::login( 2, array( 'read' ) );
		ob_start();
		Plugin::missing_woocommerce_notice();
		$this->assertSame( '', ob_get_clean() );
	}

	public function test_urls_are_validated(): void {
		$this->assertSame( 'http://127.0.0.1:8787', Settings::sanitize_url( ' HTTP://127.0.0.1:8787/ ' ) );
		$this->assertSame( 'https://aftercare.example.com/sub', Settings::sanitize_url( 'https://Aftercare.Example.com/sub/' ) );
		$this->assertSame( '', Settings::sanitize_url( '' ) );
		foreach ( array( 'ftp://x.test', 'javascript:alert(1)', 'https://user:pw@x.test', 'https://x.test/?a=1', 'x.test', 'https://' ) as $bad ) {
			$this->assertInstanceOf( WP_Error::class, Settings::sanitize_url( $bad ), $bad );
		}
		$this->assertInstanceOf( WP_Error::class, Settings::sanitize_api_key( "key with space" ) );
		$this->assertInstanceOf( WP_Error::class, Settings::sanitize_api_key( "kéy" ) );
	}

	public function test_api_key_is_not_autoloaded_and_never_printed(): void {
		Stub::login( 1, array( 'manage_woocommerce' ) );
		$errors = Admin_Settings::save( array( 'aftercare_url' => 'http://127.0.0.1:1', 'aftercare_api_key' => 'super-secret-api-key-value' ) );
		$this->assertSame( array(), $errors );
		$this->assertFalse( Stub::$autoload[ Settings::API_KEY_OPTION ] );
		$html = Admin_Settings::tab();
		$this->assertStringNotContainsString( 'super-secret-api-key-value', $html );
		$xpath = self::dom( $html );
		$key   = $xpath->query( '//input[@name="aftercare_api_key"]' )->item( 0 );
		$this->assertSame( '', $key->getAttribute( 'value' ) );
		$this->assertSame( 'password', $key->getAttribute( 'type' ) );
		$this->assertStringContainsString( 'Saved.', $key->getAttribute( 'placeholder' ) );
		// An empty key field keeps the saved key.
		Admin_Settings::save( array( 'aftercare_url' => 'http://127.0.0.1:1', 'aftercare_api_key' => '' ) );
		$this->assertSame( 'super-secret-api-key-value', Settings::api_key() );
		// The buttons post the same form elsewhere, with their own nonce.
		$this->assertSame( 2, $xpath->query( '//button[@formaction]' )->length );
		$this->assertSame( wp_create_nonce( Admin_Settings::NONCE_ACTION ), $xpath->query( '//input[@name="_aftercare_nonce"]' )->item( 0 )->getAttribute( 'value' ) );
	}

	public function test_settings_actions_need_nonce_and_capability(): void {
		Stub::login( 2, array( 'read' ) );
		Admin_Settings::handle_action( Admin_Settings::TEST_ACTION, array( '_aftercare_nonce' => wp_create_nonce( Admin_Settings::NONCE_ACTION ), 'aftercare_url' => 'http://x.test' ) );
		$this->assertSame( '', Settings::url() );
		Stub::login( 1, array( 'manage_woocommerce' ) );
		Admin_Settings::handle_action( Admin_Settings::TEST_ACTION, array( '_aftercare_nonce' => 'forged', 'aftercare_url' => 'http://x.test' ) );
		$this->assertSame( '', Settings::url() );
		$this->assertSame( array(), Stub::$http );
		$bad = Admin_Settings::handle_action( Admin_Settings::TEST_ACTION, array( '_aftercare_nonce' => wp_create_nonce( Admin_Settings::NONCE_ACTION ), 'aftercare_url' => 'ftp://x' ) );
		$this->assertSame( 'https://shop.test/wp-admin/admin.php?page=wc-settings&tab=aftercare', $bad );
		$notices = \Aftercare\Admin_Notices::take();
		$this->assertSame( 'The settings were not saved.', end( $notices )['title'] );
	}

	public function test_safe_request_filters_allow_exactly_the_aftercare_host_and_port(): void {
		update_option( Settings::URL_OPTION, 'http://10.0.0.5:8787' );
		$this->assertTrue( Safe_Requests::allow_host( false, '10.0.0.5', 'http://10.0.0.5:8787/webhooks/woocommerce' ) );
		$this->assertFalse( Safe_Requests::allow_host( false, '10.0.0.6', 'http://10.0.0.6/' ) );
		$this->assertSame( array( 80, 443, 8080, 8787 ), Safe_Requests::allow_port( array( 80, 443, 8080 ), '10.0.0.5', 'http://10.0.0.5:8787/x' ) );
		$this->assertSame( array( 80, 443, 8080 ), Safe_Requests::allow_port( array( 80, 443, 8080 ), 'evil.test', 'http://evil.test:8787/x' ) );
		$this->assertSame( array( 80, 443, 8080, 8787 ), Safe_Requests::allow_port( array( 80, 443, 8080 ), '', 'http://10.0.0.5:8787/x' ) );
		update_option( Settings::URL_OPTION, '' );
		$this->assertFalse( Safe_Requests::allow_host( false, '10.0.0.5', 'http://10.0.0.5/' ) );
	}

	public function test_tracking_tab_keeps_orders_on_their_way(): void {
		$this->assertTrue( Account::on_the_way( array( 'delivery_state' => 'shipped' ) ) );
		$this->assertTrue( Account::on_the_way( array( 'delivery_state' => 'unfulfilled', 'shipments' => array( array( 'status' => 'in_transit' ) ) ) ) );
		$this->assertFalse( Account::on_the_way( array( 'delivery_state' => 'delivered', 'shipments' => array( array( 'status' => 'delivered' ) ) ) ) );
		$this->assertFalse( Account::on_the_way( array( 'delivery_state' => 'unfulfilled' ) ) );
	}
}
