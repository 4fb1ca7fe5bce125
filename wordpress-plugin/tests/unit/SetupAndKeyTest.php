<?php
/**
 * Setting the shop up: Test connection never replaces a working key with a refused one, a
 * refused key is named to admins and not called a short outage to customers, and a fresh
 * activation asks for the set-up until Connect succeeds.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Admin_Notices;
use Aftercare\Admin_Settings;
use Aftercare\Api_Client;
use Aftercare\Plugin;
use Aftercare\Settings;

final class SetupAndKeyTest extends Scripted_Test_Case {

	private const WORKING_KEY = 'working-key-0123456789abcdef';
	private const WRONG_KEY   = 'wrong-key-0123456789abcdefgh';
	private const REFUSED     = array(
		'status' => 401,
		'json'   => array( 'error' => array( 'code' => 'invalid_api_key', 'message' => 'The API key is missing or wrong.' ) ),
	);

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true;
		Stub::login( 1, array( 'manage_woocommerce', 'read_private_shop_orders' ) );
	}

	private static function accepting(): array {
		return array(
			'GET /healthz'             => array( 'json' => array( 'status' => 'ok' ) ),
			'GET /api/v1/store/health' => array( 'json' => array( 'store' => 'default', 'version' => '0.3.1', 'problems' => array() ) ),
		);
	}

	private function press( string $action, string $key ): string {
		return Admin_Settings::handle_action(
			$action,
			array(
				'_aftercare_nonce'  => wp_create_nonce( Admin_Settings::NONCE_ACTION ),
				'aftercare_url'     => self::$server->url,
				'aftercare_api_key' => $key,
			)
		);
	}

	public function test_testing_a_refused_key_keeps_the_working_one(): void {
		$this->configure( self::$server->url, self::WORKING_KEY );
		self::$server->script( array( 'GET /healthz' => array( 'json' => array( 'status' => 'ok' ) ), 'GET /api/v1/store/health' => self::REFUSED ) );

		$this->press( Admin_Settings::TEST_ACTION, self::WRONG_KEY );

		$this->assertSame( self::WORKING_KEY, Settings::api_key(), 'the key being tested replaced the saved one' );
		$this->assertNull( Api_Client::auth_failure(), 'a refused candidate says nothing about the saved key' );
		$notice = Admin_Notices::take()[0];
		$this->assertSame( 'error', $notice['type'] );
		$this->assertStringStartsWith( 'Not saved:', $notice['title'] );
		$this->assertStringContainsString( 'The saved settings are unchanged.', $notice['title'] );
		$this->assertSame( 'Bearer ' . self::WRONG_KEY, self::$server->requests()[1]['headers']['authorization'], 'the typed key was tested' );

		// Connect with a refused key does not save it either.
		$this->press( Admin_Settings::CONNECT_ACTION, self::WRONG_KEY );
		$this->assertSame( self::WORKING_KEY, Settings::api_key() );
	}

	public function test_an_accepted_key_is_saved_and_the_page_shows_the_same_check(): void {
		$this->configure( self::$server->url, self::WORKING_KEY );
		self::$server->script( self::accepting() );

		$this->press( Admin_Settings::TEST_ACTION, self::WRONG_KEY . 'x' );

		$this->assertSame( self::WRONG_KEY . 'x', Settings::api_key() );
		$this->assertSame( 'The connection works.', Admin_Notices::take()[0]['title'] );
		$calls = count( self::$server->requests() );
		$page  = Admin_Settings::tab();
		$this->assertCount( $calls, self::$server->requests(), 'the page reuses the check the notice reports' );
		$this->assertStringContainsString( 'No problems reported.', $page );
		$this->assertStringContainsString( 'A key is saved.', $page );
	}

	public function test_the_store_health_shows_each_tracking_providers_use_this_month(): void {
		$this->configure( self::$server->url, self::WORKING_KEY );
		$feeds = array(
			array( 'provider' => '17track', 'unit' => 'registrations', 'used' => 37, 'limit' => 100, 'month' => '2026-12', 'resets_at' => '2027-01-01T00:00:00Z', 'requests' => 52, 'waiting' => 0, 'last_error' => null ),
			array( 'provider' => 'delivery-tracker', 'unit' => 'requests', 'used' => 12, 'limit' => null, 'month' => '2026-12', 'resets_at' => '2027-01-01T00:00:00Z', 'requests' => 12, 'waiting' => 0, 'last_error' => null ),
		);
		self::$server->script(
			array(
				'GET /healthz'             => array( 'json' => array( 'status' => 'ok' ) ),
				'GET /api/v1/store/health' => array( 'json' => array( 'store' => 'default', 'version' => '0.3.1', 'problems' => array(), 'feeds' => $feeds ) ),
			)
		);

		$page = Admin_Settings::tab();

		$this->assertStringContainsString( '17TRACK: 37 of 100 registrations this month', $page );
		$this->assertStringContainsString( 'Delivery Tracker: 12 requests this month', $page );
		$this->assertStringContainsString( 'The count starts again on', $page );
	}

	public function test_a_refused_saved_key_is_named_to_admins_and_not_called_brief_to_customers(): void {
		$this->configure( self::$server->url, self::WORKING_KEY );
		Stub::login( 7, array( 'read' ) );
		self::$server->script( array( 'GET ' . Account::orders_path( 7 ) => self::REFUSED ) );

		$tab = Account::tracking_tab();

		$this->assertStringContainsString( 'Parcel tracking is not available right now.', $tab );
		$this->assertStringNotContainsString( 'briefly', $tab );
		$failure = Api_Client::auth_failure();
		$this->assertNotNull( $failure );
		$this->assertSame( Account::orders_path( 7 ), $failure['path'] );
		$this->assertFalse( Stub::$autoload[ Api_Client::AUTH_FAILURE_OPTION ] );
		$this->assertStringNotContainsString( self::WORKING_KEY, (string) wp_json_encode( Stub::$options[ Api_Client::AUTH_FAILURE_OPTION ] ) );

		$this->assertSame( '', Admin_Notices::standing(), 'customers see no admin notice' );
		Stub::login( 1, array( 'manage_woocommerce' ) );
		$standing = html_entity_decode( Admin_Notices::standing(), ENT_QUOTES );
		$this->assertStringContainsString( 'aftercare refused this shop\'s API key', $standing );
		$this->assertStringContainsString( 'Customers cannot see parcels, invoices or returns.', $standing );
		$this->assertStringContainsString( 'The saved key was refused by aftercare.', Admin_Settings::tab() );
		$this->assertStringNotContainsString( 'A key is saved.', Admin_Settings::tab() );

		// aftercare accepts it again (the key was fixed there): the notice goes.
		self::$server->script( array( 'GET ' . Account::orders_path( 1 ) => array( 'json' => array( 'orders' => array() ) ) ) );
		Account::tracking_tab();
		$this->assertNull( Api_Client::auth_failure() );
		$this->assertSame( '', Admin_Notices::standing() );
	}

	public function test_an_outage_is_still_called_brief(): void {
		$this->configure( self::$server->url, self::WORKING_KEY );
		Stub::login( 7, array( 'read' ) );
		self::$server->script( array( 'GET ' . Account::orders_path( 7 ) => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'unavailable', 'message' => 'x' ) ) ) ) );
		$this->assertStringContainsString( 'Parcel tracking is briefly unavailable.', Account::tracking_tab() );
		$this->assertNull( Api_Client::auth_failure() );
	}

	public function test_activation_asks_for_the_set_up_until_connect_succeeds(): void {
		Plugin::activate();
		$standing = Admin_Notices::standing();
		$this->assertStringContainsString( 'Aftercare is active. Connect it to aftercare', $standing );
		$this->assertStringContainsString( 'href="' . esc_url( Admin_Settings::url() ) . '"', $standing );
		$this->assertStringContainsString( '>Set up aftercare<', $standing );

		Stub::login( 7, array( 'read' ) );
		$this->assertSame( '', Admin_Notices::standing(), 'only for those who can set it up' );
		Stub::login( 1, array( 'manage_woocommerce', 'read_private_shop_orders' ) );

		$_GET = array( 'page' => 'wc-settings', 'tab' => 'aftercare' );
		$this->assertSame( '', Admin_Notices::standing(), 'not on the settings tab itself' );
		$_GET = array();

		$this->configure( self::$server->url, self::WORKING_KEY );
		$this->assertStringContainsString( 'Set up aftercare', Admin_Notices::standing(), 'saved, but not connected yet' );
		update_option( Settings::CONNECTION_OPTION, array( 'connected_at' => time() ), false );
		$this->assertSame( '', Admin_Notices::standing() );
		$this->assertFalse( get_option( Admin_Notices::NEEDS_SETUP_OPTION ) );
	}

	public function test_the_set_up_notice_is_dismissed_per_user_with_a_nonce(): void {
		Plugin::activate();
		Admin_Notices::dismiss( array() );
		$this->assertStringContainsString( 'Set up aftercare', Admin_Notices::standing(), 'no nonce, no change' );
		Admin_Notices::dismiss( array( '_wpnonce' => wp_create_nonce( Admin_Notices::DISMISS_ACTION ) ) );
		$this->assertSame( '', Admin_Notices::standing() );
		Stub::login( 2, array( 'manage_woocommerce' ) );
		$this->assertStringContainsString( 'Set up aftercare', Admin_Notices::standing(), 'another admin still sees it' );
	}

	public function test_activation_of_a_connected_shop_asks_nothing(): void {
		$this->configure( self::$server->url, self::WORKING_KEY );
		update_option( Settings::CONNECTION_OPTION, array( 'connected_at' => time() ), false );
		Plugin::activate();
		$this->assertSame( '', Admin_Notices::standing() );
	}
}
