<?php
/**
 * Guests request and withdraw returns from the [aftercare_track] result.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Guest_Returns;
use Aftercare\Guest_Tracking;

final class GuestReturnsTest extends Scripted_Test_Case {

	private const PNG   = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
	private const PROOF = '?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien%40example.net';

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/guest-usd.json' ) );
	}

	private function script( array $extra = array() ): void {
		self::$server->script( array_merge( array( 'GET /api/v1/guest/orders/1002' => array( 'json' => GuestTrackingTest::guest_view() ) ), $extra ) );
	}

	/**
	 * The guest's return form as posted: what the page's form carries, plus the fields.
	 *
	 * @param array<string,mixed> $fields Form fields.
	 */
	private function post( array $fields ): array {
		$hidden = Guest_Returns::request_fields(
			array(
				'aftercare_track_order' => '1002',
				'aftercare_track_email' => 'Zoe.OBrien@example.net',
			),
			1002
		);
		return array_merge( $hidden, $fields );
	}

	public function test_the_result_offers_the_form_and_withdrawal_posting_back_to_the_page(): void {
		$this->script();
		$result = Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '203.0.113.9' );
		$html   = Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'zoe.obrien@example.net' ) );
		$xpath  = self::dom( $html );
		$form   = $xpath->query( '//form[@id="aftercare-return"]' )->item( 0 );
		$this->assertFalse( $form->hasAttribute( 'action' ), 'posts back to the tracking page' );
		$field = static fn( string $name, $context = null ) => $xpath->query( './/input[@name="' . $name . '"]', $context ?? $form )->item( 0 )->getAttribute( 'value' );
		$this->assertSame( '1002', $field( 'aftercare_track_order' ) );
		$this->assertSame( 'zoe.obrien@example.net', $field( 'aftercare_track_email' ) );
		$this->assertSame( wp_create_nonce( Guest_Returns::REQUEST_ACTION . '_1002' ), $field( '_aftercare_guest_nonce' ) );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{16}$/', $field( 'aftercare_submission' ) );
		$this->assertSame( 0, $xpath->query( './/input[@name="action"]', $form )->length );

		$cancel = $xpath->query( '//form[contains(@class,"aftercare-return__cancel")]' );
		$this->assertSame( 1, $cancel->length, 'only the return aftercare says can be withdrawn' );
		$this->assertSame( '32', $field( 'aftercare_guest_cancel', $cancel->item( 0 ) ) );
		$this->assertSame( wp_create_nonce( Guest_Returns::CANCEL_ACTION . '_32' ), $field( '_aftercare_guest_nonce', $cancel->item( 0 ) ) );
		$this->assertStringNotContainsString( 'wc_order_', $html );
	}

	public function test_a_request_is_sent_even_while_reads_are_paused(): void {
		$this->script( array( 'POST /api/v1/guest/orders/1002/returns' => array( 'status' => 201, 'json' => array( 'id' => 50, 'status' => 'requested' ) ) ) );
		self::pause_reads();
		$post   = $this->post(
			array(
				'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'too_large' ) ),
				'resolution' => 'exchange',
			)
		);
		$result = Guest_Returns::handle( $post, null, '203.0.113.9' );
		$this->assertSame( 'success', $result['notice']['type'] ?? null, json_encode( $result ) );
		$this->assertSame( array( 'GET', 'POST', 'GET' ), array_column( self::$server->requests(), 'method' ) );
	}

	public function test_a_request_goes_to_the_guest_endpoint_with_the_key_it_never_showed(): void {
		$this->script( array( 'POST /api/v1/guest/orders/1002/returns' => array( 'status' => 201, 'json' => array( 'id' => 50, 'status' => 'requested' ) ) ) );
		$post   = $this->post(
			array(
				'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'too_large' ) ),
				'resolution' => 'exchange',
				'comment'    => 'One size down, please.',
			)
		);
		$result = Guest_Returns::handle( $post, null, '203.0.113.9' );
		$this->assertSame( 'found', $result['status'] );
		$this->assertSame( array( 'type' => 'success', 'message' => 'Your return request has been sent. You can follow it below.' ), $result['notice'] );
		$requests = self::$server->requests();
		$this->assertSame( array( 'GET', 'POST', 'GET' ), array_column( $requests, 'method' ), 'checked against the view, sent, and shown fresh' );
		$this->assertSame( '/api/v1/guest/orders/1002/returns' . self::PROOF, $requests[1]['uri'] );
		$this->assertSame( '203.0.113.9', $requests[1]['headers']['x-aftercare-client-ip'] );
		$this->assertSame(
			array(
				'items'      => array( array( 'line_item_id' => 202, 'quantity' => 1, 'reason' => 'too_large', 'reason_text' => null ) ),
				'resolution' => 'exchange',
				'comment'    => 'One size down, please.',
			),
			json_decode( $requests[1]['body'], true )
		);

		// The browser sends the same form again (reload): nothing goes out twice.
		Guest_Returns::handle( $post, null, '203.0.113.9' );
		$this->assertSame( array( 'GET', 'POST', 'GET', 'GET' ), array_column( self::$server->requests(), 'method' ) );
	}

	public function test_photos_go_as_multipart_to_the_guest_endpoint(): void {
		$this->script( array( 'POST /api/v1/guest/orders/1002/returns' => array( 'status' => 201, 'json' => array( 'id' => 51 ) ) ) );
		$file = tempnam( sys_get_temp_dir(), 'up' );
		file_put_contents( $file, base64_decode( self::PNG ) );
		add_filter( 'aftercare_is_uploaded_file', '__return_true' );
		try {
			Guest_Returns::handle(
				$this->post(
					array(
						'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ),
						'resolution' => 'refund',
					)
				),
				array(
					'name'     => array( 'torn.jpg' ),
					'tmp_name' => array( $file ),
					'error'    => array( UPLOAD_ERR_OK ),
					'size'     => array( filesize( $file ) ),
				),
				'203.0.113.9'
			);
		} finally {
			unset( Stub::$hooks['aftercare_is_uploaded_file'] );
			unlink( $file );
		}
		$post = self::$server->requests()[1];
		$this->assertSame( '/api/v1/guest/orders/1002/returns' . self::PROOF, $post['uri'] );
		$this->assertSame( 'torn.png', $post['files']['photos']['name'] );
		$this->assertSame( 'refund', json_decode( $post['post']['request'], true )['resolution'] );
	}

	public function test_mistakes_come_back_on_the_form_and_nothing_is_sent(): void {
		$this->script();
		$result = Guest_Returns::handle(
			$this->post(
				array(
					'items'      => array( '202' => array( 'quantity' => '5', 'reason' => 'too_large' ) ),
					'resolution' => '',
					'comment'    => 'keep me',
				)
			),
			null,
			'203.0.113.9'
		);
		$this->assertSame( 'You can return at most 1 of this item.', $result['form']['errors']['items.202.quantity'] );
		$this->assertSame( 'Choose what you would like instead.', $result['form']['errors']['resolution'] );
		$this->assertSame( array( 'GET' ), array_column( self::$server->requests(), 'method' ) );
		$xpath = self::dom( Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'zoe.obrien@example.net' ) ) );
		$this->assertSame( '5', $xpath->query( '//input[@name="items[202][quantity]"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 'keep me', $xpath->query( '//textarea[@name="comment"]' )->item( 0 )->textContent );
		$this->assertStringContainsString( 'You can return at most 1 of this item.', self::text( $xpath, '//div[@role="alert"]' ) );
	}

	public function test_aftercares_422_is_mapped_onto_the_fields(): void {
		$this->script(
			array(
				'POST /api/v1/guest/orders/1002/returns' => array(
					'status' => 422,
					'json'   => array(
						'error' => array(
							'code'    => 'validation_failed',
							'message' => 'x',
							'fields'  => array( array( 'field' => 'items[0].quantity', 'message' => 'exceeds what can be returned' ) ),
						),
					),
				),
			)
		);
		$result = Guest_Returns::handle( $this->post( array( 'items' => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ) ), null, '203.0.113.9' );
		$this->assertSame( array( 'items.202.quantity' => 'Fewer of this item can be returned now than you asked for. The form shows how many are left.' ), $result['form']['errors'] );
		$this->assertSame( array( 'GET', 'POST', 'GET' ), array_column( self::$server->requests(), 'method' ), 'the form comes back with aftercare\'s view as it is now' );
		$this->assertArrayNotHasKey( 'notice', $result );
	}

	public function test_a_wrong_email_or_an_expired_form_sends_nothing(): void {
		$this->script();
		$post                          = $this->post( array( 'items' => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ) );
		$post['aftercare_track_email'] = 'someone@example.net';
		$this->assertSame( array( 'status' => 'not_found' ), Guest_Returns::handle( $post, null, '203.0.113.10' ) );
		$this->assertSame( 1, get_transient( 'aftercare_gt_' . md5( '203.0.113.10' ) )['count'], 'counts as a failed look-up' );

		$post                           = $this->post( array( 'items' => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ) );
		$post['_aftercare_guest_nonce'] = 'expired';
		$result                         = Guest_Returns::handle( $post, null, '203.0.113.10' );
		$this->assertSame( 'error', $result['notice']['type'] );
		$this->assertSame( array( 'GET' ), array_column( self::$server->requests(), 'method' ) );
	}

	public function test_a_guest_withdraws_a_request(): void {
		$this->script( array( 'POST /api/v1/guest/orders/1002/returns/32/cancel' => array( 'json' => array( 'id' => 32, 'status' => 'cancelled' ) ) ) );
		$post   = array(
			'aftercare_track_order'  => '#1002',
			'aftercare_track_email'  => 'zoe.obrien@example.net',
			'aftercare_guest_cancel' => '32',
			'_aftercare_guest_nonce' => wp_create_nonce( Guest_Returns::CANCEL_ACTION . '_32' ),
		);
		$result = Guest_Returns::handle( $post, null, '203.0.113.9' );
		$this->assertSame( 'Your return request has been cancelled.', $result['notice']['message'] );
		$request = self::$server->requests()[0];
		$this->assertSame( '/api/v1/guest/orders/1002/returns/32/cancel' . self::PROOF, $request['uri'] );
		$this->assertSame( array( 'note' => 'Cancelled by the customer on the order tracking page.' ), json_decode( $request['body'], true ) );

		self::$server->script( array( 'POST /api/v1/guest/orders/1002/returns/32/cancel' => array( 'status' => 409, 'json' => array( 'error' => array( 'code' => 'invalid_transition', 'message' => 'x' ) ) ) ) );
		$this->assertStringContainsString( 'can no longer be cancelled', Guest_Returns::handle( $post, null, '203.0.113.9' )['notice']['message'] );

		$post['_aftercare_guest_nonce'] = wp_create_nonce( Guest_Returns::CANCEL_ACTION . '_31' );
		self::$server->script( array() );
		Guest_Returns::handle( $post, null, '203.0.113.9' );
		$this->assertSame( array( 'GET' ), array_column( self::$server->requests(), 'method' ), 'a nonce is for one return' );
	}

	public function test_the_shortcode_handles_the_posted_form(): void {
		$this->script( array( 'POST /api/v1/guest/orders/1002/returns' => array( 'status' => 201, 'json' => array( 'id' => 52 ) ) ) );
		$_POST = $this->post( array( 'items' => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ) );
		try {
			$html = Guest_Tracking::shortcode();
		} finally {
			$_POST = array();
		}
		$xpath = self::dom( $html );
		$this->assertSame( 'Your return request has been sent. You can follow it below.', self::text( $xpath, '//div[contains(@class,"woocommerce-message")]' ) );
		$this->assertSame( 'Order #1002', trim( preg_replace( '/\s+/u', ' ', $xpath->query( '//h2' )->item( 0 )->firstChild->textContent ) ) );
		$this->assertSame( 'POST', self::$server->requests()[1]['method'] );
	}
}
