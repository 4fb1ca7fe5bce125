<?php
/**
 * Staff see active delay alerts where they look: a Delivery column in the orders list (HPOS
 * and legacy) from one cached GET /api/v1/alerts, and the order screen's box.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Order_Alerts;
use Aftercare\Shipment_Box;

final class OrderAlertsTest extends Scripted_Test_Case {

	private const ALERTS = array(
		'orders'   => array(
			array(
				'order_id'     => 1001,
				'number'       => '1001',
				'tracking_url' => null,
				'alerts'       => array(
					array( 'code' => 'eta_passed', 'message' => 'Parcel 568912345678 was expected by <b>November 17</b>.', 'shipment_id' => 8, 'since' => '2026-11-18T00:00:00Z' ),
				),
			),
			array(
				'order_id' => 1003,
				'number'   => '1003',
				'alerts'   => array(
					array( 'code' => 'not_shipped', 'message' => 'Not shipped.', 'shipment_id' => null, 'since' => '2026-11-18T00:00:00Z' ),
					array( 'code' => 'a_future_rule', 'message' => 'New.', 'shipment_id' => null, 'since' => '2026-11-18T00:00:00Z' ),
				),
			),
		),
		'page'     => 1,
		'per_page' => 100,
		'total'    => 2,
	);

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true;
		$this->configure( self::$server->url );
		Stub::login( 1, array( 'manage_woocommerce', 'edit_shop_orders' ) );
		Order_Alerts::reset();
	}

	private function alert_requests(): array {
		return array_values( array_filter( self::$server->requests(), static fn( $r ) => str_starts_with( $r['uri'], '/api/v1/alerts' ) ) );
	}

	public function test_both_orders_lists_get_a_delivery_column_after_the_status(): void {
		Aftercare\Plugin::boot();
		$columns = array( 'cb' => '', 'order_number' => 'Order', 'order_status' => 'Status', 'order_total' => 'Total' );
		foreach ( array( 'manage_woocommerce_page_wc-orders_columns', 'manage_edit-shop_order_columns' ) as $hook ) {
			$this->assertSame( array( 'cb', 'order_number', 'order_status', Order_Alerts::COLUMN, 'order_total' ), array_keys( apply_filters( $hook, $columns ) ), $hook );
		}
		$this->assertTrue( (bool) has_action( 'manage_woocommerce_page_wc-orders_custom_column' ) );
		$this->assertTrue( (bool) has_action( 'manage_shop_order_posts_custom_column' ) );
	}

	public function test_rows_show_their_alerts_from_one_cached_request(): void {
		self::$server->script( array( 'GET /api/v1/alerts' => array( 'json' => self::ALERTS ) ) );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );

		ob_start();
		Order_Alerts::print_hpos_cell( Order_Alerts::COLUMN, wc_get_order( 1001 ) );
		Order_Alerts::print_legacy_cell( Order_Alerts::COLUMN, 1003 );
		Order_Alerts::print_legacy_cell( Order_Alerts::COLUMN, 1002 );
		Order_Alerts::print_legacy_cell( 'order_total', 1001 );
		$html = (string) ob_get_clean();

		$xpath  = self::dom( $html );
		$badges = array_map( static fn( $m ) => $m->textContent, iterator_to_array( $xpath->query( '//mark[contains(@class,"aftercare-alert-badge")]' ) ) );
		$this->assertSame( array( 'Late', 'Slow to ship', 'A future rule' ), $badges );
		$this->assertSame( 'Parcel 568912345678 was expected by <b>November 17</b>.', $xpath->query( '//mark' )->item( 0 )->getAttribute( 'title' ), 'the sentence as text' );
		$this->assertSame( 1, $xpath->query( '//span[@class="na"]' )->length, 'an order without alerts' );

		$requests = $this->alert_requests();
		$this->assertCount( 1, $requests, 'one request for the whole page' );
		$this->assertSame( '/api/v1/alerts?page=1&per_page=100', $requests[0]['uri'] );

		// The next page load within the minute reuses the answer.
		Order_Alerts::reset();
		$this->assertStringContainsString( 'Late', Order_Alerts::cell( 1001 ) );
		$this->assertCount( 1, $this->alert_requests() );
	}

	public function test_a_stopped_or_slow_aftercare_leaves_the_column_empty_and_asks_once(): void {
		self::$server->script( array( 'GET /api/v1/alerts' => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'unavailable', 'message' => 'x' ) ) ) ) );
		$this->assertStringContainsString( 'class="na"', Order_Alerts::cell( 1001 ) );
		$this->assertStringContainsString( 'class="na"', Order_Alerts::cell( 1003 ) );
		$this->assertCount( 1, $this->alert_requests() );
		Order_Alerts::reset();
		Order_Alerts::cell( 1001 );
		$this->assertCount( 1, $this->alert_requests(), 'paused after the failure: the next page does not wait again' );

		Aftercare\Api_Client::resume();
		Order_Alerts::reset();
		self::$server->script( array( 'GET /api/v1/alerts' => array( 'json' => self::ALERTS, 'sleep_ms' => 1600 ) ) );
		$started = microtime( true );
		$this->assertStringContainsString( 'class="na"', Order_Alerts::cell( 1001 ) );
		$this->assertLessThan( 1.5, microtime( true ) - $started, 'a short timeout' );
	}

	public function test_not_connected_asks_nothing(): void {
		Stub::$options = array();
		$before        = count( self::$server->requests() );
		$this->assertStringContainsString( 'class="na"', Order_Alerts::cell( 1001 ) );
		$this->assertCount( $before, self::$server->requests() );
	}

	public function test_the_order_screen_lists_the_orders_alerts(): void {
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => self::fixture( 'order-view-full.json' ) ) ) );
		$xpath = self::dom( Shipment_Box::box( wc_get_order( 1001 ) ) );
		$this->assertSame( 2, $xpath->query( '//ul[@class="aftercare-box__alerts"]/li' )->length );
		$first = self::text( $xpath, '//ul[@class="aftercare-box__alerts"]/li[1]' );
		$this->assertStringStartsWith( 'Late since November 18, 2026', $first );
		$this->assertStringContainsString( 'Parcel 568912345678 was expected by November 17, 2026', $first );
		$this->assertStringContainsString( 'Something new happened <img src=x onerror=alert(1)>.', self::text( $xpath, '//ul[@class="aftercare-box__alerts"]/li[2]' ) );
	}
}
