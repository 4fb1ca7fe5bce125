<?php
/**
 * Guest tracking against the real guest endpoint, and hostile strings from real webhooks.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Guest_Tracking;

final class GuestAndHostileTest extends Service_Test_Case {

	private const HOSTILE = '<script>alert("x")</script>';

	public static function setUpBeforeClass(): void {
		parent::setUpBeforeClass();
		if ( ! self::$service ) {
			return;
		}
		// A guest order whose number and item names carry markup, delivered like any other.
		$order                            = self::order_fixture( 'orders/guest-usd.json' );
		$order['id']                      = 1005;
		$order['number']                  = '1005' . self::HOSTILE;
		$order['order_key']               = 'wc_order_hostile1005';
		$order['line_items'][0]['name']   = 'Mug ' . self::HOSTILE . ' & "friends"';
		$order['billing']['first_name']   = self::HOSTILE;
		list( $code ) = self::$service->deliver( 'order.created', (string) json_encode( $order ) );
		if ( 200 !== $code ) {
			throw new RuntimeException( 'hostile order was not accepted' );
		}
	}

	protected function setUp(): void {
		parent::setUp();
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/guest-usd.json' ) );
		$hostile            = self::order_fixture( 'orders/guest-usd.json' );
		$hostile['id']      = 1005;
		$hostile['number']  = '1005';
		$hostile['order_key'] = 'wc_order_hostile1005';
		WC_Stub::add_order_from_json( $hostile );
	}

	public function test_guest_finds_the_order_with_number_and_email_through_the_real_key_check(): void {
		$result = Guest_Tracking::lookup( '1002', 'Zoe.OBrien@Example.net', '203.0.113.50' );
		$this->assertSame( 'found', $result['status'] );
		$this->assertSame( '1002', $result['view']['number'] );
		$html = Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'Zoe.OBrien@Example.net' ) );
		self::dom( $html );
		$this->assertStringNotContainsString( 'wc_order_h3JdN8wYc5QeB', $html );
		$this->assertStringNotContainsString( Aftercare_Service::API_KEY, $html );
	}

	public function test_a_wrong_key_in_woocommerce_is_refused_by_aftercare(): void {
		WC_Stub::$orders[1002]->order_key = 'wc_order_not_the_key';
		$this->assertSame( 'pending', Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '203.0.113.51' )['status'], 'aftercare answers 404; the shopper is told calmly' );
	}

	public function test_hostile_strings_from_a_real_order_are_escaped(): void {
		$result = Guest_Tracking::lookup( '1005', 'zoe.obrien@example.net', '203.0.113.52' );
		$this->assertSame( 'found', $result['status'] );
		$this->assertSame( '1005' . self::HOSTILE, $result['view']['number'], 'aftercare keeps the text as it is' );
		$html = Guest_Tracking::render( $result, array( 'number' => '1005', 'email' => 'zoe.obrien@example.net' ) );
		self::dom( $html );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringContainsString( 'Order #1005&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', $html );
	}
}
