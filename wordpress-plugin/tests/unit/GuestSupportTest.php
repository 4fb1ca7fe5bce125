<?php
/**
 * Guests ask about an order and answer the shop from the [aftercare_track] result.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Guest_Support;
use Aftercare\Guest_Tracking;

final class GuestSupportTest extends Scripted_Test_Case {

	private const PROOF = '?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien%40example.net';
	private const TYPED = array(
		'aftercare_track_order' => '1002',
		'aftercare_track_email' => 'Zoe.OBrien@example.net',
	);

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/guest-usd.json' ) );
	}

	private function view( array $extra = array() ): array {
		return array_merge( GuestTrackingTest::guest_view(), $extra );
	}

	public function test_the_result_offers_the_question_form_and_reply_boxes_posting_back_to_the_page(): void {
		$request = array(
			'id'       => 12,
			'order_id' => 1002,
			'topic'    => 'where_is_my_order',
			'status'   => 'solved',
			'item'     => null,
			'messages' => array( array( 'from' => 'customer', 'body' => 'Where is it?', 'created_at' => '2026-12-01T09:00:00Z', 'photos' => array() ) ),
		);
		self::$server->script( array( 'GET /api/v1/guest/orders/1002' => array( 'json' => $this->view( array( 'requests' => array( $request ) ) ) ) ) );
		$result = Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '203.0.113.9' );
		$html   = Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'zoe.obrien@example.net' ) );
		$xpath  = self::dom( $html );
		$form   = $xpath->query( '//form[@id="aftercare-support"]' )->item( 0 );
		$this->assertFalse( $form->hasAttribute( 'action' ), 'posts back to the tracking page' );
		$this->assertSame( wp_create_nonce( Guest_Support::ACTION . '_1002' ), $xpath->query( './/input[@name="_aftercare_guest_nonce"]', $form )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( '{"aftercare_track_order":"1002","aftercare_track_email":"zoe.obrien@example.net"}', $form->getAttribute( 'data-answers-proof' ) );
		$reply = $xpath->query( '//form[@class="aftercare-reply"]' )->item( 0 );
		$this->assertFalse( $reply->hasAttribute( 'action' ) );
		$this->assertSame( '12', $xpath->query( './/input[@name="aftercare_guest_reply"]', $reply )->item( 0 )->getAttribute( 'value' ) );
		$this->assertStringNotContainsString( 'wc_order_', $html, 'the order key never reaches the page' );
	}

	public function test_a_guest_question_goes_to_the_guest_route_with_the_key_and_is_not_sent_twice(): void {
		self::$server->script(
			array(
				'GET /api/v1/guest/orders/1002'           => array( 'json' => $this->view() ),
				'POST /api/v1/guest/orders/1002/requests' => array( 'status' => 201, 'json' => array( 'id' => 12, 'status' => 'open' ) ),
			)
		);
		$post   = Guest_Support::request_fields( self::TYPED, 1002 ) + array(
			'topic'   => 'where_is_my_order',
			'message' => 'Has it left yet?',
		);
		$result = Guest_Support::handle( $post, null, '203.0.113.9' );
		$this->assertSame( 'success', $result['notice']['type'] );
		$sent = array_values( array_filter( self::$server->requests(), static fn( $r ) => 'POST' === $r['method'] ) );
		$this->assertCount( 1, $sent );
		$this->assertSame( '/api/v1/guest/orders/1002/requests' . self::PROOF, $sent[0]['uri'] );
		$this->assertSame( array( 'topic' => 'where_is_my_order', 'line_item_id' => null, 'body' => 'Has it left yet?' ), json_decode( $sent[0]['body'], true ) );
		$this->assertSame( '203.0.113.9', $sent[0]['headers']['x-aftercare-client-ip'] );
		Guest_Support::handle( $post, null, '203.0.113.9' );
		$this->assertCount( 1, array_filter( self::$server->requests(), static fn( $r ) => 'POST' === $r['method'] ), 'a reload sends nothing twice' );

		$wrong = Guest_Support::handle( array_merge( $post, array( 'aftercare_track_email' => 'someone@else.test' ) ), null, '203.0.113.9' );
		$this->assertSame( 'not_found', $wrong['status'], 'the order is proven again' );
	}

	public function test_a_guest_reply_goes_to_the_proven_orders_request_only(): void {
		self::$server->script(
			array(
				'GET /api/v1/guest/orders/1002'                       => array( 'json' => $this->view() ),
				'POST /api/v1/guest/orders/1002/requests/12/messages' => array( 'status' => 201, 'json' => array( 'id' => 12, 'status' => 'open' ) ),
			)
		);
		$post   = Guest_Support::reply_fields( self::TYPED, 12 ) + array( 'message' => 'Thanks, still waiting' );
		$result = Guest_Support::handle( $post, null, '203.0.113.9' );
		$this->assertSame( 'success', $result['notice']['type'] );
		$this->assertSame( 'found', $result['status'] );
		$sent = array_values( array_filter( self::$server->requests(), static fn( $r ) => 'POST' === $r['method'] ) );
		$this->assertSame( '/api/v1/guest/orders/1002/requests/12/messages' . self::PROOF, $sent[0]['uri'] );
		$this->assertSame( array( 'body' => 'Thanks, still waiting' ), json_decode( $sent[0]['body'], true ) );

		$forged = Guest_Support::handle( array_merge( $post, array( 'aftercare_guest_reply' => '13' ) ), null, '203.0.113.9' );
		$this->assertSame( 'error', $forged['notice']['type'], 'a nonce for another request' );
		$empty = Guest_Support::handle( array_merge( $post, array( 'message' => '  ' ) ), null, '203.0.113.9' );
		$this->assertSame( 'error', $empty['notice']['type'] );
		$this->assertCount( 1, array_filter( self::$server->requests(), static fn( $r ) => 'POST' === $r['method'] ) );
	}
}
