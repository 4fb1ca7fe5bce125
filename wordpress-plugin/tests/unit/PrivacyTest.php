<?php
/**
 * The personal data exporter and eraser: aftercare's groups in WordPress's pages, the erasure's
 * counts and retained invoices as WordPress reports them, and a calm answer when aftercare is
 * down or refuses the key.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Privacy;

final class PrivacyTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
	}

	/**
	 * An export of `count` orders.
	 */
	private static function export( int $count ): array {
		$items = array();
		for ( $i = 1; $i <= $count; $i++ ) {
			$items[] = array(
				'item_id' => "order-$i",
				'data'    => array(
					array( 'key' => 'order_number', 'name' => 'Order number', 'value' => (string) $i ),
					array( 'key' => 'billing_email', 'name' => 'Billing e-mail', 'value' => 'minji.kim@example.com' ),
					array( 'key' => 'new_field', 'name' => 'A field this plugin does not know', 'value' => '<b>x</b>' ),
				),
			);
		}
		return array(
			'email'  => 'minji.kim@example.com',
			'groups' => array(
				array(
					'group_id'          => 'aftercare-orders',
					'group_label'       => 'Orders (aftercare)',
					'group_description' => 'English description',
					'items'             => $items,
				),
			),
		);
	}

	public function test_both_are_registered_with_wordpress(): void {
		Privacy::register();
		$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
		$erasers   = apply_filters( 'wp_privacy_personal_data_erasers', array() );
		$this->assertSame( array( Privacy::class, 'export' ), $exporters[ Privacy::ID ]['callback'] );
		$this->assertSame( array( Privacy::class, 'erase' ), $erasers[ Privacy::ID ]['callback'] );
		$this->assertNotSame( '', $exporters[ Privacy::ID ]['exporter_friendly_name'] );
		$this->assertNotSame( '', $erasers[ Privacy::ID ]['eraser_friendly_name'] );
	}

	public function test_the_export_is_handed_over_in_pages_until_done(): void {
		self::$server->script( array( 'GET /api/v1/privacy/export' => array( 'json' => self::export( 120 ) ) ) );
		$pages = array();
		for ( $page = 1; $page <= 5; $page++ ) {
			$answer  = Privacy::export( 'Minji.Kim@example.com', $page );
			$pages[] = $answer;
			if ( $answer['done'] ) {
				break;
			}
		}
		$this->assertCount( 3, $pages, '120 items in pages of 50' );
		$this->assertSame( array( 50, 50, 20 ), array_map( static fn( $p ) => count( $p['data'] ), $pages ) );
		$first = $pages[0]['data'][0];
		$this->assertSame( 'aftercare-orders', $first['group_id'] );
		$this->assertSame( 'Orders (aftercare)', $first['group_label'] );
		$this->assertSame( 'order-1', $first['item_id'] );
		$this->assertSame( array( 'name' => 'Billing e-mail', 'value' => 'minji.kim@example.com' ), $first['data'][1] );
		$this->assertSame( 'A field this plugin does not know', $first['data'][2]['name'], 'unknown keys keep the service\'s name' );
		$this->assertSame( 'order-120', $pages[2]['data'][19]['item_id'] );
		// The address went to aftercare in the query, with the API key.
		$request = self::$server->requests()[0];
		parse_str( (string) parse_url( $request['uri'], PHP_URL_QUERY ), $query );
		$this->assertSame( 'Minji.Kim@example.com', $query['email'] );
		$this->assertSame( 'Bearer test-api-key-0123456789', $request['headers']['authorization'] );
	}

	public function test_nothing_held_is_one_empty_page(): void {
		self::$server->script( array( 'GET /api/v1/privacy/export' => array( 'json' => array( 'email' => 'x@example.com', 'groups' => array() ) ) ) );
		$this->assertSame( array( 'data' => array(), 'done' => true ), Privacy::export( 'x@example.com', 1 ) );
	}

	public function test_an_export_without_aftercare_says_so_instead_of_looking_complete(): void {
		self::$server->script( array( 'GET /api/v1/privacy/export' => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'storage_unavailable', 'message' => 'x' ) ) ) ) );
		$answer = Privacy::export( 'minji.kim@example.com', 1 );
		$this->assertInstanceOf( WP_Error::class, $answer );
		$this->assertStringContainsString( 'could not be reached', $answer->get_error_message() );

		self::$server->script( array( 'GET /api/v1/privacy/export' => array( 'status' => 401, 'json' => array( 'error' => array( 'code' => 'invalid_api_key', 'message' => 'x' ) ) ) ) );
		$answer = Privacy::export( 'minji.kim@example.com', 1 );
		$this->assertInstanceOf( WP_Error::class, $answer );
		$this->assertStringContainsString( 'refused the API key', $answer->get_error_message() );
	}

	public function test_the_erasure_reports_what_was_removed_and_each_invoice_kept(): void {
		self::$server->script(
			array(
				'POST /api/v1/privacy/erase' => array(
					'json' => array(
						'email'    => 'minji.kim@example.com',
						'erased'   => array( 'orders' => 2, 'returns' => 1, 'return_photos' => 0 ),
						'retained' => array(
							array( 'kind' => 'invoice', 'number' => 'INV-2026-000123', 'order_id' => 1001, 'issued_at' => '2026-11-14T01:13:02Z', 'total' => '152130', 'currency' => 'KRW', 'reason' => 'tax law' ),
							array( 'kind' => 'credit_note', 'number' => 'CN-2026-00001', 'order_id' => 1001, 'issued_at' => '2026-11-16T06:40:12Z', 'total' => '15000', 'currency' => 'KRW', 'reason' => 'tax law' ),
						),
					),
				),
			)
		);
		$answer = Privacy::erase( 'minji.kim@example.com', 1 );
		$this->assertTrue( $answer['items_removed'] );
		$this->assertTrue( $answer['items_retained'] );
		$this->assertTrue( $answer['done'] );
		$this->assertCount( 2, $answer['messages'] );
		$this->assertStringContainsString( 'Invoice INV-2026-000123 (order #1001', $answer['messages'][0] );
		$this->assertStringContainsString( 'tax law requires', $answer['messages'][0] );
		$this->assertStringContainsString( 'Credit note CN-2026-00001', $answer['messages'][1] );
		$request = self::$server->requests()[0];
		$this->assertSame( array( 'email' => 'minji.kim@example.com' ), json_decode( $request['body'], true ) );

		// A second page has nothing left to do and does not ask aftercare again.
		self::$server->script( array() );
		$this->assertSame(
			array( 'items_removed' => false, 'items_retained' => false, 'messages' => array(), 'done' => true ),
			Privacy::erase( 'minji.kim@example.com', 2 )
		);
		$this->assertSame( array(), self::$server->requests() );
	}

	public function test_nothing_to_erase_is_a_quiet_done(): void {
		self::$server->script( array( 'POST /api/v1/privacy/erase' => array( 'json' => array( 'email' => 'x@example.com', 'erased' => array( 'orders' => 0 ), 'retained' => array() ) ) ) );
		$this->assertSame(
			array( 'items_removed' => false, 'items_retained' => false, 'messages' => array(), 'done' => true ),
			Privacy::erase( 'x@example.com', 1 )
		);
	}

	public function test_with_aftercare_down_the_eraser_keeps_calm_and_says_what_was_not_erased(): void {
		// Nothing listens at this address.
		$this->configure( 'http://127.0.0.1:9' );
		$answer = Privacy::erase( 'minji.kim@example.com', 1 );
		$this->assertFalse( $answer['items_removed'] );
		$this->assertTrue( $answer['items_retained'], 'the records are still there' );
		$this->assertTrue( $answer['done'], 'WordPress moves on; the request can be run again' );
		$this->assertCount( 1, $answer['messages'] );
		$this->assertStringContainsString( 'could not be reached', $answer['messages'][0] );
		$this->assertStringContainsString( 'Run the request again', $answer['messages'][0] );
	}
}
