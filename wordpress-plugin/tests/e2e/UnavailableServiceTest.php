<?php
/**
 * When aftercare is down or too slow, WooCommerce's pages still render, quickly and calmly.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Connector;
use Aftercare\Guest_Tracking;

final class UnavailableServiceTest extends Plugin_Test_Case {

	private const CALM = 'Parcel tracking, the invoice and returns are briefly unavailable.';

	protected function setUp(): void {
		parent::setUp();
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/guest-usd.json' ) );
		Stub::login( 42 );
	}

	public function test_nothing_listening(): void {
		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$html = Account::order_section( 1001 );
		self::dom( $html );
		$this->assertStringContainsString( self::CALM, $html );
		$this->assertCount( 1, Stub::$http );

		// The next pages do not wait again while aftercare is down.
		$this->assertStringContainsString( 'Parcel tracking is briefly unavailable.', Account::tracking_tab() );
		$this->assertStringContainsString( 'Your returns are briefly unavailable.', Account::returns_tab() );
		$this->assertSame( 'unavailable', Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '1.2.3.4' )['status'] );
		$this->assertCount( 1, Stub::$http );

		// Test connection always tries, and says why it failed.
		Stub::login( 1, array( 'manage_woocommerce' ) );
		$result = Connector::test();
		$this->assertSame( 'aftercare could not be reached.', $result['title'] );
		$this->assertStringContainsString( 'No answer: cURL error 7', $result['lines'][0] );
	}

	public function test_too_slow(): void {
		$slow = Scripted_Server::start( 'slow-router.php' );
		try {
			$this->configure( $slow->url );
			$started = microtime( true );
			$html    = Account::order_section( 1001 );
			$elapsed = microtime( true ) - $started;
			$this->assertStringContainsString( self::CALM, $html );
			$this->assertLessThan( 4.8, $elapsed, 'the 2 s timeout cut the wait short (the server sleeps 5 s)' );
			$this->assertGreaterThanOrEqual( 1.9, $elapsed, 'the request really waited for the timeout' );
			$this->assertStringContainsString( 'cURL error 28', Stub::$log[0]['message'] );
		} finally {
			$slow->stop();
		}
	}
}
