<?php
/**
 * Test connection, Connect, the webhook ping, health, the Returns queue and the Parcels box
 * against the real aftercare.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Admin_Settings;
use Aftercare\Connector;
use Aftercare\Returns_Queue;
use Aftercare\Settings;
use Aftercare\Shipment_Box;

final class StaffAndConnectTest extends Service_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true; // Staff screens and admin-post.php: WooCommerce has no front-end parts here.
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Stub::login( 1, array( 'manage_woocommerce', 'read_private_shop_orders', 'edit_shop_orders' ) );
	}

	public function test_test_connection_reports_reachable_key_and_version(): void {
		$result = Connector::test();
		$this->assertTrue( $result['ok'], implode( "\n", $result['lines'] ) );
		$this->assertMatchesRegularExpression( '/^\d+\.\d+\.\d+/', $result['version'] );
		$this->assertContains( 'The API key is accepted.', $result['lines'] );
	}

	public function test_test_connection_spots_a_wrong_key(): void {
		$this->configure( self::$service->url, 'wrong-key-0123456789abcdef' );
		$result = Connector::test();
		$this->assertFalse( $result['ok'] );
		$this->assertSame( 'aftercare is reachable, but the API key was not accepted.', $result['title'] );
	}

	public function test_webhook_ping_reaches_aftercare_on_a_loopback_address_and_odd_port(): void {
		$hook = new WC_Webhook();
		$hook->set_delivery_url( self::$service->url . '/webhooks/woocommerce' );
		$hook->save();
		$this->assertTrue( $hook->deliver_ping(), 'the plugin lets WordPress deliver to exactly this host and port' );

		update_option( Settings::URL_OPTION, 'http://192.0.2.1:9' );
		$refused = $hook->deliver_ping();
		$this->assertInstanceOf( WP_Error::class, $refused, 'any other private host or port stays refused' );
	}

	public function test_connect_sets_up_the_webhooks_and_they_answer(): void {
		$this->require_endpoint( 'GET', '/api/v1/store/connection', '/api/v1/store/connection' );
		$result = Connector::connect( 1 );
		$this->assertTrue( $result['ok'], implode( "\n", $result['lines'] ) );
		$this->assertCount( 4, WC_Stub::$webhooks );
		foreach ( WC_Stub::$webhooks as $hook ) {
			$this->assertStringStartsWith( self::$service->url . '/webhooks/woocommerce', $hook->get_delivery_url() );
			$this->assertSame( Aftercare_Service::SECRET, $hook->get_secret() );
		}
	}

	public function test_connect_sends_the_shop_profile_aftercare_then_uses(): void {
		$this->require_endpoint( 'GET', '/api/v1/store/profile', '/api/v1/store/profile' );
		update_option( 'blogname', 'Kim &amp; Lee&#039;s' );
		update_option( 'timezone_string', 'America/Los_Angeles' );
		update_option( 'woocommerce_store_address', '1 Harbor Way' );
		update_option( 'woocommerce_store_city', 'San Francisco' );
		update_option( 'woocommerce_store_postcode', '94105' );
		update_option( Settings::TAX_ID_OPTION, 'US-12-3456789', false );

		$result = Connector::connect( 1 );

		$this->assertTrue( $result['ok'], implode( "\n", $result['lines'] ) );
		list( $code, $profile ) = self::$service->get( '/api/v1/store/profile' );
		$this->assertSame( 200, $code );
		$this->assertSame( 'Kim & Lee\'s', $profile['name'] );
		$this->assertSame( 'America/Los_Angeles', $profile['timezone']['name'] );
		$this->assertSame( 'shop', $profile['timezone']['source'] );
		$this->assertNotNull( $profile['received_at'] );
		// This service's [seller] is configured, and configuration wins: Connect says so.
		$this->assertSame(
			sprintf( 'The shop\'s details are sent: invoices name "%s" as the seller, and dates use the time zone America/Los_Angeles.', $profile['seller']['name'] ),
			end( $result['lines'] )
		);
	}

	public function test_settings_tab_shows_health(): void {
		list( $code ) = self::$service->get( '/api/v1/store/health' );
		$this->assertSame( 200, $code );
		$html = Admin_Settings::tab();
		self::dom( $html );
		$this->assertStringContainsString( 'Last webhook received', $html );
		$this->assertStringNotContainsString( Aftercare_Service::API_KEY, $html );
	}

	public function test_returns_queue_lists_requested_returns(): void {
		$this->require_endpoint( 'GET', '/api/v1/returns', '/api/v1/returns?status=' );
		$html = Returns_Queue::page( 'requested' );
		self::dom( $html );
		$this->assertStringNotContainsString( 'could not be loaded', $html );
	}

	public function test_parcel_box_adds_a_shipment(): void {
		$this->require_endpoint( 'POST', '/api/v1/orders/1001/shipments', '/api/v1/orders/{order_id}/shipments' );
		$added = Shipment_Box::handle_save(
			1001,
			array(
				'aftercare_carrier'         => 'Test Courier',
				'aftercare_tracking_number' => 'TC-E2E-1',
				'aftercare_tracking_url'    => 'https://track.example.com/TC-E2E-1',
				'aftercare_items'           => array( '201' => '1' ),
				'_aftercare_shipment_nonce' => wp_create_nonce( Shipment_Box::NONCE_ACTION . '_1001' ),
			)
		);
		$this->assertTrue( $added, json_encode( \Aftercare\Admin_Notices::take() ) );
		$this->assertStringContainsString( 'TC-E2E-1', Shipment_Box::box( wc_get_order( 1001 ) ) );
	}
}
