<?php
/**
 * Test connection and Connect against a scripted aftercare.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Connector;
use Aftercare\Settings;
use Aftercare\Shop_Profile;

final class ConnectorTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true; // Staff screens and admin-post.php: WooCommerce has no front-end parts here.
		$this->configure( self::$server->url );
		Stub::login( 1, array( 'manage_woocommerce', 'read_private_shop_orders' ) );
	}

	private function script_connection( array $ping = array( 'json' => array( 'status' => 'ignored' ) ), ?array $profile = null ): void {
		$routes = array(
			'GET /api/v1/store/connection' => array(
				'json' => array(
					'store'          => 'default',
					'version'        => '0.2.0',
					'webhook_path'   => '/webhooks/woocommerce',
					'webhook_secret' => 'S3cretFromAftercare',
					'topics'         => array( 'order.created', 'order.updated', 'order.deleted', 'order.restored', 'coupon.created' ),
				),
			),
			'POST /webhooks/woocommerce'   => $ping,
		);
		if ( null !== $profile ) {
			$routes['PUT /api/v1/store/profile'] = $profile;
		}
		self::$server->script( $routes );
	}

	private function profile_puts(): array {
		return array_values( array_filter( self::$server->requests(), static fn( $r ) => 'PUT' === $r['method'] ) );
	}

	public function test_connect_sends_the_shop_profile_and_says_what_aftercare_made_of_it(): void {
		update_option( 'blogname', 'Aftercare Test Shop' );
		update_option( 'timezone_string', 'America/Los_Angeles' );
		update_option( Settings::TAX_ID_OPTION, 'US-12-3456789', false );
		$this->script_connection(
			array( 'json' => array( 'status' => 'ignored' ) ),
			array(
				'json' => array(
					'name'        => 'Aftercare Test Shop',
					'seller'      => array( 'name' => 'Aftercare Test Shop', 'lines' => array( '1 Harbor Way' ), 'source' => 'shop' ),
					'timezone'    => array( 'name' => 'America/Los_Angeles', 'source' => 'shop' ),
					'received_at' => '2026-12-03T12:00:00Z',
				),
			)
		);
		// The tax number was saved beside Connect: its queued send is covered by Connect's.
		$this->assertCount( 0, WC_Stub::$actions, 'not connected yet: nothing queued' );

		$result = Connector::connect( 1 );

		$this->assertTrue( $result['ok'], implode( "\n", $result['lines'] ) );
		$puts = $this->profile_puts();
		$this->assertCount( 1, $puts );
		$this->assertSame( '/api/v1/store/profile', $puts[0]['uri'] );
		$this->assertSame( 'Bearer test-api-key-0123456789', $puts[0]['headers']['authorization'] );
		$sent = json_decode( $puts[0]['body'], true );
		$this->assertSame( Shop_Profile::collect()['address'], $sent['address'] );
		$this->assertSame( 'Aftercare Test Shop', $sent['name'] );
		$this->assertSame( 'US-12-3456789', $sent['tax_id'] );
		$this->assertSame( 'America/Los_Angeles', $sent['timezone'] );
		$this->assertSame( 'The shop\'s details are sent: invoices name "Aftercare Test Shop" as the seller, and dates use the time zone America/Los_Angeles.', end( $result['lines'] ) );
		$this->assertStringStartsWith( 'Connected:', $result['title'] );

		// Connected now: a change queues a background send; the next Connect sends and drops it.
		update_option( 'blogname', 'Renamed' );
		$this->assertCount( 1, WC_Stub::$actions );
		Connector::connect( 1 );
		$this->assertCount( 0, WC_Stub::$actions );
	}

	public function test_a_refused_profile_is_named_with_aftercares_reasons(): void {
		$this->script_connection(
			array( 'json' => array( 'status' => 'ignored' ) ),
			array(
				'status' => 422,
				'json'   => array(
					'error' => array(
						'code'    => 'validation_failed',
						'message' => 'The request has invalid fields.',
						'fields'  => array(
							array( 'field' => 'name', 'message' => 'must not be empty' ),
							array( 'field' => 'timezone', 'message' => 'is not a known time zone' ),
						),
					),
				),
			)
		);

		$result = Connector::connect( 1 );

		$this->assertFalse( $result['ok'], 'invoices wait for the seller: the admin must act' );
		$this->assertStringContainsString( 'refused the shop\'s details', $result['title'] );
		$this->assertStringContainsString( 'name: must not be empty; timezone: is not a known time zone', end( $result['lines'] ) );
		$this->assertCount( 4, WC_Stub::$webhooks, 'the webhooks are set up all the same' );
		$this->assertNotEmpty( get_option( Settings::CONNECTION_OPTION ) );
	}

	public function test_an_aftercare_without_the_profile_route_still_connects(): void {
		foreach ( array( null, array( 'status' => 405, 'body' => '' ) ) as $answer ) {
			// null: the route is not scripted, and the stand-in answers aftercare's 404 not_found.
			$this->script_connection( array( 'json' => array( 'status' => 'ignored' ) ), $answer );
			$result = Connector::connect( 1 );
			$this->assertTrue( $result['ok'], implode( "\n", $result['lines'] ) );
			$this->assertStringStartsWith( 'The shop\'s details were not sent: this aftercare is too old', end( $result['lines'] ) );
			$this->assertCount( 1, $this->profile_puts() );
		}
	}

	public function test_an_unreachable_profile_route_is_tried_again_in_the_background(): void {
		$this->script_connection( array( 'json' => array( 'status' => 'ignored' ) ), array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'unavailable', 'message' => 'x' ) ) ) );
		$result = Connector::connect( 1 );
		$this->assertTrue( $result['ok'] );
		$this->assertStringContainsString( 'sent again in a few minutes', implode( ' ', $result['lines'] ) );
		$this->assertCount( 1, WC_Stub::$actions );
		$this->assertSame( Shop_Profile::HOOK, array_values( WC_Stub::$actions )[0]['hook'] );
	}

	public function test_connect_creates_four_active_v3_webhooks_owned_by_the_admin_and_pings_them(): void {
		$this->script_connection();
		$result = Connector::connect( 1 );
		$this->assertTrue( $result['ok'], implode( "\n", $result['lines'] ) );
		$this->assertCount( 4, WC_Stub::$webhooks );
		$topics = array();
		foreach ( WC_Stub::$webhooks as $webhook ) {
			$topics[] = $webhook->get_topic();
			$this->assertSame( self::$server->url . '/webhooks/woocommerce', $webhook->get_delivery_url() );
			$this->assertSame( 'S3cretFromAftercare', $webhook->get_secret() );
			$this->assertSame( 'active', $webhook->get_status() );
			$this->assertSame( 'wp_api_v3', $webhook->get_api_version() );
			$this->assertSame( 1, $webhook->get_user_id() );
		}
		$this->assertSame( Connector::TOPICS, $topics, 'only order topics, never others aftercare lists' );
		$pings = array_values( array_filter( self::$server->requests(), static fn( $r ) => 'POST' === $r['method'] ) );
		$this->assertCount( 4, $pings );
		$this->assertSame( 'webhook_id=100', $pings[0]['body'] );
		$this->assertArrayNotHasKey( 'x-wc-webhook-signature', $pings[0]['headers'] );
		$this->assertSame( array_combine( Connector::TOPICS, array( 100, 101, 102, 103 ) ), Settings::webhook_ids() );
		$this->assertFalse( Stub::$autoload[ Settings::WEBHOOKS_OPTION ] );
	}

	public function test_connect_again_reuses_and_repairs_instead_of_duplicating(): void {
		$this->script_connection();
		Connector::connect( 1 );
		// Someone disabled one, WooCommerce disabled another after failures, and one was deleted.
		$paused = wc_get_webhook( 100 );
		$paused->set_status( 'paused' );
		$paused->save();
		$moved = wc_get_webhook( 101 );
		$moved->set_delivery_url( 'https://old.example.com/webhooks/woocommerce' );
		$moved->save();
		unset( WC_Stub::$webhooks[103] );
		$this->script_connection();

		$result = Connector::connect( 1 );
		$this->assertTrue( $result['ok'] );
		$this->assertSame( array( 100, 101, 102, 104 ), array_keys( WC_Stub::$webhooks ) );
		$this->assertSame( 'active', WC_Stub::$webhooks[100]->get_status() );
		$this->assertSame( self::$server->url . '/webhooks/woocommerce', WC_Stub::$webhooks[101]->get_delivery_url() );
		$this->assertStringContainsString( 'already correct', $result['lines'][2] );
		$this->assertStringContainsString( 'created', $result['lines'][3] );
		$pings = array_filter( self::$server->requests(), static fn( $r ) => 'POST' === $r['method'] );
		$this->assertCount( 3, $pings, 'only changed webhooks are pinged' );
	}

	public function test_connect_resets_the_failures_of_a_webhook_woocommerce_disabled(): void {
		$this->script_connection();
		Connector::connect( 1 );
		// aftercare was down: WooCommerce counts failures in a row, then disables the webhook.
		$failing = wc_get_webhook( 101 );
		while ( 'active' === $failing->get_status() ) {
			$failing->failed_delivery();
		}
		$this->assertSame( 6, $failing->get_failure_count() );
		$flaky = wc_get_webhook( 102 );
		$flaky->failed_delivery();
		$flaky->failed_delivery();
		$this->script_connection();

		$result = Connector::connect( 1 );
		$this->assertTrue( $result['ok'] );
		foreach ( array( 101, 102 ) as $id ) {
			$this->assertSame( 'active', WC_Stub::$webhooks[ $id ]->get_status() );
			$this->assertSame( 0, WC_Stub::$webhooks[ $id ]->get_failure_count(), "webhook #$id starts counting again" );
		}
		$this->assertStringContainsString( 'repaired', $result['lines'][1] );
		$this->assertStringContainsString( 'repaired', $result['lines'][2] );
		$this->assertStringContainsString( 'already correct', $result['lines'][0] );
		// One failure now is one failure, not the end of the webhook.
		$again = wc_get_webhook( 101 );
		$again->failed_delivery();
		$this->assertSame( 'active', WC_Stub::$webhooks[101]->get_status() );
	}

	public function test_connect_adopts_a_webhook_set_up_by_hand(): void {
		$manual = new WC_Webhook();
		$manual->set_topic( 'order.updated' );
		$manual->set_delivery_url( self::$server->url . '/webhooks/woocommerce' );
		$manual->set_status( 'active' );
		$manual->set_user_id( 7 );
		$manual->save();
		Stub::$caps[7] = array( 'read_private_shop_orders' );
		$this->script_connection();
		Connector::connect( 1 );
		$this->assertCount( 4, WC_Stub::$webhooks );
		$this->assertSame( 100, Settings::webhook_ids()['order.updated'] );
		$this->assertSame( 7, WC_Stub::$webhooks[100]->get_user_id(), 'an owner who can read orders is kept' );
	}

	public function test_a_failed_ping_is_reported(): void {
		$this->script_connection( array( 'status' => 401, 'json' => array( 'error' => array( 'code' => 'x', 'message' => 'x' ) ) ) );
		$result = Connector::connect( 1 );
		$this->assertFalse( $result['ok'] );
		$this->assertStringContainsString( 'Delivery URL returned response code: 401', $result['lines'][0] );
	}

	public function test_connect_needs_a_user_who_can_read_orders(): void {
		Stub::login( 5, array( 'read' ) );
		$this->assertFalse( Connector::connect( 5 )['ok'] );
		$this->assertSame( array(), Stub::$http );
	}

	public function test_incomplete_connection_answers_are_refused(): void {
		self::$server->script( array( 'GET /api/v1/store/connection' => array( 'json' => array( 'webhook_path' => 'https://evil.test/hook', 'webhook_secret' => 'x' ) ) ) );
		$this->assertFalse( Connector::connect( 1 )['ok'] );
		$this->assertSame( array(), WC_Stub::$webhooks );
	}

	public function test_test_reports_reachability_key_and_version(): void {
		self::$server->script(
			array(
				'GET /healthz'             => array( 'json' => array( 'status' => 'ok' ) ),
				'GET /api/v1/store/health' => array( 'json' => array( 'store' => 'default', 'version' => '0.3.1', 'problems' => array() ) ),
			)
		);
		$result = Connector::test();
		$this->assertTrue( $result['ok'] );
		$this->assertSame( '0.3.1', $result['version'] );
		$this->assertContains( 'This shop is the store "default" in aftercare.', $result['lines'] );
	}

	public function test_test_falls_back_to_the_api_document_and_spots_a_wrong_key(): void {
		self::$server->script(
			array(
				'GET /healthz'              => array( 'json' => array( 'status' => 'ok' ) ),
				'GET /api/v1/openapi.json'  => array( 'status' => 401, 'json' => array( 'error' => array( 'code' => 'invalid_api_key', 'message' => 'x' ) ) ),
			)
		);
		$result = Connector::test();
		$this->assertFalse( $result['ok'] );
		$this->assertStringContainsString( 'refused the API key', implode( ' ', $result['lines'] ) );
	}
}
