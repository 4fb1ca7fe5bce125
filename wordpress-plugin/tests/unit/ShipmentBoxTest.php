<?php
/**
 * The Parcels box: what it shows, and the shipment it sends.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Shipment_Box;

final class ShipmentBoxTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true; // Staff screens and admin-post.php: WooCommerce has no front-end parts here.
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/guest-usd.json' ) );
		Stub::login( 1, array( 'manage_woocommerce', 'edit_shop_orders' ) );
	}

	private function fields( array $extra = array() ): array {
		return array_merge(
			array(
				'aftercare_carrier'         => 'cj-logistics',
				'aftercare_tracking_number' => ' 568912345678 ',
				'aftercare_tracking_url'    => '',
				'aftercare_shipped_on'      => '',
				'aftercare_items'           => array( '201' => '1', '202' => '0', '203' => '' ),
				'_aftercare_shipment_nonce' => wp_create_nonce( Shipment_Box::NONCE_ACTION . '_1001' ),
			),
			$extra
		);
	}

	public function test_request_body_follows_the_contract(): void {
		$now   = strtotime( '2026-11-22T10:00:00Z' );
		$built = Shipment_Box::build_request( $this->fields(), array( 201 => 1, 202 => 2, 203 => 1 ), new DateTimeZone( 'Asia/Seoul' ), $now );
		$this->assertSame( array(), $built['errors'] );
		$this->assertSame(
			array(
				'carrier'         => 'cj-logistics',
				'tracking_number' => '568912345678',
				'shipped_at'      => '2026-11-22T10:00:00Z',
				'tracking_url'    => null,
				'items'           => array( array( 'line_item_id' => 201, 'quantity' => 1 ) ),
			),
			$built['body']
		);
		// A past day in the shop's zone becomes noon there, in UTC.
		$past = Shipment_Box::build_request( $this->fields( array( 'aftercare_shipped_on' => '2026-11-20' ) ), array( 201 => 1 ), new DateTimeZone( 'Asia/Seoul' ), $now );
		$this->assertSame( '2026-11-20T03:00:00Z', $past['body']['shipped_at'] );
		// An order placed that afternoon: the parcel cannot have left before it (aftercare
		// refuses that), so it leaves when the order was placed, still on that day.
		$placed    = ( new DateTimeImmutable( '2026-11-20 15:30:00', new DateTimeZone( 'Asia/Seoul' ) ) )->getTimestamp();
		$afternoon = Shipment_Box::build_request( $this->fields( array( 'aftercare_shipped_on' => '2026-11-20' ) ), array( 201 => 1 ), new DateTimeZone( 'Asia/Seoul' ), $now, $placed );
		$this->assertSame( '2026-11-20T06:30:00Z', $afternoon['body']['shipped_at'] );
		// Placed on an earlier day: noon stands.
		$earlier = Shipment_Box::build_request( $this->fields( array( 'aftercare_shipped_on' => '2026-11-20' ) ), array( 201 => 1 ), new DateTimeZone( 'Asia/Seoul' ), $now, $placed - 86400 );
		$this->assertSame( '2026-11-20T03:00:00Z', $earlier['body']['shipped_at'] );
	}

	public function test_a_parcel_without_items_is_refused_never_sent_as_the_whole_order(): void {
		$tz = new DateTimeZone( 'UTC' );
		foreach ( array( array(), array( '201' => '0', '202' => '', '203' => '0' ) ) as $items ) {
			$built = Shipment_Box::build_request( $this->fields( array( 'aftercare_items' => $items ) ), array( 201 => 1, 202 => 2, 203 => 1 ), $tz, time() );
			$this->assertSame( array( 'Enter how many of each item this parcel carries (at least one).' ), $built['errors'] );
		}
		self::$server->script( array( 'POST /api/v1/orders/1001/shipments' => array( 'status' => 201, 'json' => array( 'id' => 9 ) ) ) );
		$this->assertFalse( Shipment_Box::handle_save( 1001, $this->fields( array( 'aftercare_items' => array( '201' => '0', '202' => '0', '203' => '0' ) ) ) ) );
		$this->assertSame( array(), self::$server->requests(), 'aftercare would read a parcel without items as every unit not yet shipped' );
		$this->assertSame( 'The parcel was not added.', \Aftercare\Admin_Notices::take()[0]['title'] );
	}

	public function test_a_fully_shipped_order_says_a_further_parcel_needs_its_items(): void {
		$view                          = self::fixture( 'order-view-full.json' );
		$view['shipments']             = array_slice( $view['shipments'], 0, 1 );
		$view['shipments'][0]['items'] = array_map( static fn( $item ) => array( 'line_item_id' => $item['id'], 'quantity' => $item['quantity'] ), $view['line_items'] );
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$xpath = self::dom( Shipment_Box::box( wc_get_order( 1001 ) ) );
		$this->assertSame( array( '0', '0', '0' ), array_map( static fn( $i ) => $i->getAttribute( 'value' ), iterator_to_array( $xpath->query( '//input[starts-with(@name,"aftercare_items[")]' ) ) ) );
		$this->assertStringContainsString( 'Everything in this order is already in a parcel.', self::text( $xpath, '//p[contains(@class,"aftercare-box__all-shipped")]' ) );
	}

	public function test_bad_fields_are_refused(): void {
		$tz = new DateTimeZone( 'UTC' );
		$this->assertNotEmpty( Shipment_Box::build_request( $this->fields( array( 'aftercare_carrier' => '' ) ), array(), $tz, time() )['errors'] );
		$this->assertNotEmpty( Shipment_Box::build_request( $this->fields( array( 'aftercare_shipped_on' => '2026-02-30' ) ), array( 201 => 1 ), $tz, time() )['errors'] );
		// 01:50 UTC on 4 December is still 3 December in Los Angeles: the 4th is tomorrow there.
		$la    = new DateTimeZone( 'America/Los_Angeles' );
		$early = strtotime( '2026-12-04T01:50:00Z' );
		$this->assertSame( array( 'The shipping date is later than today.' ), Shipment_Box::build_request( $this->fields( array( 'aftercare_shipped_on' => '2026-12-04' ) ), array( 201 => 1 ), $la, $early )['errors'] );
		$this->assertSame( '2026-12-04T01:50:00Z', Shipment_Box::build_request( $this->fields( array( 'aftercare_shipped_on' => '2026-12-03' ) ), array( 201 => 1 ), $la, $early )['body']['shipped_at'] );
		$this->assertNotEmpty( Shipment_Box::build_request( $this->fields( array( 'aftercare_tracking_url' => 'javascript:alert(1)' ) ), array( 201 => 1 ), $tz, time() )['errors'] );
		$this->assertNotEmpty( Shipment_Box::build_request( $this->fields( array( 'aftercare_items' => array( '201' => '2' ) ) ), array( 201 => 1 ), $tz, time() )['errors'] );
		$this->assertNotEmpty( Shipment_Box::build_request( $this->fields( array( 'aftercare_items' => array( '999' => '1' ) ) ), array( 201 => 1 ), $tz, time() )['errors'] );
	}

	public function test_saving_the_order_posts_the_parcel_once_with_nonce_and_capability(): void {
		self::$server->script( array( 'POST /api/v1/orders/1001/shipments' => array( 'status' => 201, 'json' => array( 'id' => 9 ) ) ) );
		$this->assertFalse( Shipment_Box::handle_save( 1001, array( 'aftercare_tracking_number' => '' ) ), 'an empty box adds nothing' );
		$this->assertFalse( Shipment_Box::handle_save( 1001, $this->fields( array( '_aftercare_shipment_nonce' => 'x' ) ) ) );
		Stub::login( 2, array( 'read' ) );
		$this->assertFalse( Shipment_Box::handle_save( 1001, $this->fields( array( '_aftercare_shipment_nonce' => wp_create_nonce( Shipment_Box::NONCE_ACTION . '_1001' ) ) ) ) );
		$this->assertSame( array(), self::$server->requests() );

		Stub::login( 1, array( 'manage_woocommerce', 'edit_shop_orders' ) );
		$this->assertTrue( Shipment_Box::handle_save( 1001, $this->fields() ) );
		$sent = json_decode( self::$server->requests()[0]['body'], true );
		$this->assertSame( '568912345678', $sent['tracking_number'] );
		$this->assertTrue( has_action( 'woocommerce_process_shop_order_meta', array( Shipment_Box::class, 'on_save' ) ) );
	}

	public function test_refusal_from_aftercare_is_shown_with_its_fields(): void {
		self::$server->script( array( 'POST /api/v1/orders/1001/shipments' => array( 'status' => 422, 'json' => array( 'error' => array( 'code' => 'validation_failed', 'message' => 'x', 'fields' => array( array( 'field' => 'carrier', 'message' => 'Unknown carrier; give a tracking_url.' ) ) ) ) ) ) );
		$this->assertFalse( Shipment_Box::handle_save( 1001, $this->fields() ) );
		$notice = \Aftercare\Admin_Notices::take()[0];
		$this->assertSame( 'error', $notice['type'] );
		$this->assertSame( array( 'carrier: Unknown carrier; give a tracking_url.' ), $notice['lines'] );
	}

	public function test_what_is_left_comes_from_aftercares_own_count_when_it_sends_one(): void {
		$view = self::fixture( 'order-view-full.json' );
		// aftercare counts a tracking-plugin parcel without an item list by its own rule.
		$view['shipments'] = array( array( 'id' => 9, 'carrier' => 'ups', 'tracking_number' => '1Z', 'status' => 'in_transit', 'items' => array(), 'events' => array() ) );
		foreach ( $view['line_items'] as $i => &$item ) {
			$item['unshipped_quantity'] = 0 === $i ? 1 : 0;
		}
		unset( $item );
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$xpath = self::dom( Shipment_Box::box( wc_get_order( 1001 ) ) );
		$first = (string) $view['line_items'][0]['id'];
		$this->assertSame( '1', $xpath->query( '//input[@name="aftercare_items[' . $first . ']"]' )->item( 0 )->getAttribute( 'value' ) );
	}

	public function test_box_shows_parcels_and_prefills_what_is_left(): void {
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => self::fixture( 'order-view-full.json' ) ) ) );
		$xpath = self::dom( Shipment_Box::box( wc_get_order( 1001 ) ) );
		$this->assertStringContainsString( '568912345678', self::text( $xpath, '//p[@class="aftercare-box__parcel"]' ) );
		$this->assertSame( 0, $xpath->query( '//span[contains(@class,"aftercare-box__feed")]' )->length, 'no feed, no feed line' );
		$this->assertSame( '0', $xpath->query( '//input[@name="aftercare_items[201]"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( '1', $xpath->query( '//input[@name="aftercare_items[203]"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 'woocommerce_page_wc-orders', Shipment_Box::screen() );
	}

	public function test_box_says_how_a_feed_follows_each_parcel_in_words(): void {
		update_option( 'timezone_string', 'Asia/Seoul' );
		$view                         = self::fixture( 'order-view-full.json' );
		$view['shipments'][0]['feed'] = array(
			'provider'        => '17track',
			'state'           => 'awaiting_carrier',
			'last_checked_at' => '2026-11-17T01:05:00Z',
			'last_event_at'   => '2026-11-17T00:40:00Z',
		);
		$view['shipments'][1]['feed'] = array(
			'provider'        => '17track',
			'state'           => 'pending',
			'last_checked_at' => null,
			'last_event_at'   => null,
			'last_error'      => 'the monthly quota is used up (100 of 100 registrations); it renews on 2027-01-01',
		);
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$xpath = self::dom( Shipment_Box::box( wc_get_order( 1001 ) ) );
		$feeds = $xpath->query( '//span[contains(@class,"aftercare-box__feed")]' );
		$this->assertSame( 2, $feeds->length );
		$words = static fn( $node ) => trim( preg_replace( '/\s+/u', ' ', $node->textContent ) );
		$this->assertSame( 'Live tracking by 17TRACK: Followed; the carrier has no scans yet Last event November 17, 2026 09:40 · Last checked November 17, 2026 10:05', $words( $feeds->item( 0 ) ) );
		$this->assertSame( 'Live tracking by 17TRACK: Waiting to be registered with the provider No carrier event yet · Not checked yet Problem: the monthly quota is used up (100 of 100 registrations); it renews on 2027-01-01', $words( $feeds->item( 1 ) ) );
		$this->assertSame( 0, $xpath->query( './/span[contains(@class,"aftercare-box__problem")]', $feeds->item( 0 ) )->length, 'no error, no problem line' );
		$this->assertStringNotContainsString( 'awaiting_carrier', $words( $feeds->item( 0 ) ) );
	}

	public function test_guest_orders_are_read_through_the_guest_route(): void {
		self::$server->script( array( 'GET /api/v1/guest/orders/1002' => array( 'json' => array( 'id' => 1002, 'shipments' => array() ) ) ) );
		$html = Shipment_Box::box( wc_get_order( 1002 ) );
		$this->assertStringContainsString( 'No parcels yet.', $html );
		$this->assertStringStartsWith( '/api/v1/guest/orders/1002?key=wc_order_', self::$server->requests()[0]['uri'] );
	}

	public function test_legacy_screen_passes_a_post(): void {
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => array( 'shipments' => array() ) ) ) );
		$post     = new WP_Post();
		$post->ID = 1001;
		ob_start();
		Shipment_Box::print_box( $post );
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'name="aftercare_tracking_number"', $html );
	}
}
