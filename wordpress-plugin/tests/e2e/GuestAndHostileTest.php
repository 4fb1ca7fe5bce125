<?php
/**
 * Guest tracking against the real guest endpoint, and hostile strings from real webhooks.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Guest_Documents;
use Aftercare\Guest_Returns;
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

	/**
	 * aftercare's public address is one shoppers could not reach from here: a guest's
	 * documents must come through WordPress, which uses its configured URL.
	 */
	protected static function service_env(): array {
		return array( 'AFTERCARE_PUBLIC_URL' => 'https://aftercare.invalid' );
	}

	public function test_a_guest_downloads_the_invoice_through_wordpress_from_the_configured_url(): void {
		self::$service->wait_for( '/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien%40example.net', static fn( $code, $json ) => 200 === $code && ! empty( $json['invoice'] ) );
		$result = Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '203.0.113.53' );
		$this->assertStringStartsWith( 'https://aftercare.invalid/documents/', $result['view']['invoice']['download_url'] );
		$html  = Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'Zoe.OBrien@example.net' ) );
		$xpath = self::dom( $html );
		$this->assertStringNotContainsString( 'aftercare.invalid/documents', $html, 'no document link to aftercare on the page' );
		$this->assertStringNotContainsString( 'signature=', $html );
		$form   = $xpath->query( '//button[contains(@class,"aftercare-invoice__download")]/ancestor::form' )->item( 0 );
		$fields = array();
		foreach ( $xpath->query( './/input', $form ) as $input ) {
			$fields[ $input->getAttribute( 'name' ) ] = $input->getAttribute( 'value' );
		}
		$this->assertSame( 'invoice', $fields['aftercare_guest_document'] );
		$this->assertSame( 'Zoe.OBrien@example.net', $fields['aftercare_track_email'] );

		$file = Guest_Documents::fetch( $fields, '203.0.113.53' );
		$this->assertArrayHasKey( 'file', $file, json_encode( $file['notice'] ?? $file ) );
		$this->assertStringStartsWith( '%PDF-', (string) file_get_contents( $file['file'] ) );
		$this->assertStringEndsWith( '.pdf', $file['filename'] );
		unlink( $file['file'] );

		// A forged proof gets nothing, and counts as a failed look-up.
		$fields['aftercare_track_email'] = 'someone@example.net';
		$this->assertSame( array( 'status' => 'not_found' ), Guest_Documents::fetch( $fields, '203.0.113.53' ) );
	}

	public function test_a_guest_requests_a_return_and_withdraws_it_through_the_guest_endpoints(): void {
		// Returns open once the goods have arrived: the order was completed yesterday.
		$order                       = self::order_fixture( 'orders/guest-usd.json' );
		$yesterday                   = gmdate( 'Y-m-d\TH:i:s', time() - 86400 );
		$order['date_completed_gmt'] = $yesterday;
		$order['date_modified_gmt']  = $yesterday;
		list( $code ) = self::$service->deliver( 'order.updated', (string) json_encode( $order ) );
		$this->assertSame( 200, $code );

		$proof  = array(
			'aftercare_track_order' => '1002',
			'aftercare_track_email' => 'ZOE.OBRIEN@example.net',
		);
		$post   = Guest_Returns::request_fields( $proof, 1002 ) + array(
			'items'      => array( '611' => array( 'quantity' => '2', 'reason' => 'too_large' ) ),
			'resolution' => 'refund',
			'comment'    => 'Size L runs big.',
		);
		$result = Guest_Returns::handle( $post, null, '203.0.113.54' );
		$this->assertSame( 'success', $result['notice']['type'] ?? null, json_encode( $result['form'] ?? $result ) );
		$return = $result['view']['returns'][0];
		$this->assertSame( 'requested', $return['status'] );
		$this->assertSame( 2, $return['items'][0]['quantity'] );
		$this->assertSame( 1, $result['view']['return_eligibility'][0]['returnable_quantity'], 'one pair of the three is left' );

		$html  = Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'ZOE.OBRIEN@example.net' ) );
		$xpath = self::dom( $html );
		$this->assertStringContainsString( 'Merino Trail Socks (3-Pack) × 2', self::text( $xpath, '//table[contains(@class,"aftercare-returns")]' ) );
		$this->assertSame( '1', $xpath->query( '//input[@name="items[611][quantity]"]' )->item( 0 )->getAttribute( 'max' ) );
		$this->assertStringNotContainsString( 'wc_order_h3JdN8wYc5QeB', $html );

		// Reloading the page that sent it does not send it again.
		Guest_Returns::handle( $post, null, '203.0.113.54' );
		$this->assertCount( 1, self::$service->get( '/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien%40example.net' )[1]['returns'] );

		// The guest withdraws it from the same page.
		$cancel = $xpath->query( '//form[contains(@class,"aftercare-return__cancel")]' )->item( 0 );
		$fields = array();
		foreach ( $xpath->query( './/input', $cancel ) as $input ) {
			$fields[ $input->getAttribute( 'name' ) ] = $input->getAttribute( 'value' );
		}
		$result = Guest_Returns::handle( $fields, null, '203.0.113.54' );
		$this->assertSame( 'Your return request has been cancelled.', $result['notice']['message'] );
		$this->assertSame( 'cancelled', $result['view']['returns'][0]['status'] );
		$this->assertSame( 'customer', end( $result['view']['returns'][0]['history'] )['by'] );
		$this->assertSame( 3, $result['view']['return_eligibility'][0]['returnable_quantity'] );
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
