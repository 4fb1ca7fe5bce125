<?php
/**
 * Return requests, cancellations and the document downloads, handled on the front end
 * (template_redirect) where WooCommerce's notices and session exist.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Customer_Actions;

final class CustomerActionsTest extends Scripted_Test_Case {

	private const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

	private array $view;

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Stub::login( 42 );
		$this->view = self::fixture( 'order-view-full.json' );
	}

	private function script( array $extra = array() ): void {
		self::$server->script( array_merge( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $this->view ) ), $extra ) );
	}

	private function post( array $fields ): array {
		return array_merge(
			array(
				'order_id' => '1001',
				'_wpnonce' => wp_create_nonce( Customer_Actions::REQUEST_ACTION . '_1001' ),
			),
			$fields
		);
	}

	public function test_a_valid_request_is_sent_as_json_and_forgets_the_cached_views(): void {
		$this->script( array( 'POST /api/v1/customers/42/orders/1001/returns' => array( 'status' => 201, 'json' => array( 'id' => 40, 'status' => 'requested' ) ) ) );
		Account::order_section( 1001 ); // Fills the cache.
		$url = Customer_Actions::handle_return_request(
			$this->post(
				array(
					'items'      => array(
						'202' => array( 'quantity' => '1', 'reason' => 'too_small', 'reason_text' => '' ),
						'203' => array( 'quantity' => '0', 'reason' => '' ),
					),
					'resolution' => 'exchange',
					'comment'    => "Could I get an XL?\nThanks",
				)
			),
			null
		);
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/#aftercare-return', $url );
		$requests = self::$server->requests();
		$this->assertCount( 2, $requests, 'the form is checked against the cached view: one GET, one POST' );
		$this->assertSame( 'POST', $requests[1]['method'] );
		$this->assertSame(
			array(
				'items'      => array( array( 'line_item_id' => 202, 'quantity' => 1, 'reason' => 'too_small', 'reason_text' => null ) ),
				'resolution' => 'exchange',
				'comment'    => "Could I get an XL?\nThanks",
			),
			json_decode( $requests[1]['body'], true )
		);
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'] );
		Account::order_section( 1001 );
		$this->assertCount( 3, self::$server->requests(), 'the order view was fetched again after the request' );
	}

	public function test_a_request_is_sent_even_while_reads_are_paused(): void {
		$this->script( array( 'POST /api/v1/customers/42/orders/1001/returns' => array( 'status' => 201, 'json' => array( 'id' => 40, 'status' => 'requested' ) ) ) );
		self::pause_reads();
		Customer_Actions::handle_return_request(
			$this->post(
				array(
					'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ),
					'resolution' => 'refund',
				)
			),
			null
		);
		$this->assertSame( array( 'success' ), array_column( Stub::$wc_notices, 'type' ) );
		$this->assertSame( array( 'GET', 'POST' ), array_column( self::$server->requests(), 'method' ), 'the view it is checked against, then the request' );
	}

	public function test_too_many_units_never_reach_aftercare(): void {
		$this->script();
		Customer_Actions::handle_return_request(
			$this->post(
				array(
					'items'      => array( '202' => array( 'quantity' => '2', 'reason' => 'too_small' ) ),
					'resolution' => 'refund',
				)
			),
			null
		);
		$this->assertCount( 1, self::$server->requests(), 'only the order view' );
		$state = Customer_Actions::take_form_state( 42, 1001 );
		$this->assertSame( 'You can return at most 1 of this item.', $state['errors']['items.202.quantity'] );
		$this->assertSame( '2', $state['old']['items'][202]['quantity'] );
	}

	public function test_a_422_comes_back_onto_the_form_fields(): void {
		$this->script(
			array(
				'POST /api/v1/customers/42/orders/1001/returns' => array(
					'status' => 422,
					'json'   => array(
						'error' => array(
							'code'    => 'validation_failed',
							'message' => 'The request has errors.',
							'fields'  => array(
								array( 'field' => 'items[0].quantity', 'message' => 'Only 0 left to return.' ),
								array( 'field' => 'comment', 'message' => 'Too long.' ),
							),
						),
					),
				),
			)
		);
		Customer_Actions::handle_return_request(
			$this->post(
				array(
					'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ),
					'resolution' => 'refund',
				)
			),
			null
		);
		$state = Customer_Actions::take_form_state( 42, 1001 );
		$this->assertSame(
			array(
				'items.202.quantity' => 'Fewer of this item can be returned now than you asked for. The form shows how many are left.',
				'comment'            => 'Keep this under 2000 characters.',
			),
			$state['errors'],
			'the plugin\'s translatable words, never aftercare\'s English'
		);
		$this->assertSame( array(), Stub::$wc_notices );
		Account::order_section( 1001 );
		$this->assertSame( array( 'GET', 'POST', 'GET' ), array_column( self::$server->requests(), 'method' ), 'the form is shown with what can be returned now' );
	}

	public function test_photos_go_as_multipart(): void {
		$this->script( array( 'POST /api/v1/customers/42/orders/1001/returns' => array( 'status' => 201, 'json' => array( 'id' => 41 ) ) ) );
		$file = tempnam( sys_get_temp_dir(), 'up' );
		file_put_contents( $file, base64_decode( self::PNG ) );
		add_filter( 'aftercare_is_uploaded_file', '__return_true' );
		try {
			Customer_Actions::handle_return_request(
				$this->post(
					array(
						'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ),
						'resolution' => 'refund',
					)
				),
				array(
					'name'     => array( 'box.jpg' ),
					'tmp_name' => array( $file ),
					'error'    => array( UPLOAD_ERR_OK ),
					'size'     => array( filesize( $file ) ),
				)
			);
		} finally {
			unset( Stub::$hooks['aftercare_is_uploaded_file'] );
			unlink( $file );
		}
		$post = self::$server->requests()[1];
		$this->assertSame( 'image/png', $post['files']['photos']['type'], 'the type comes from the bytes, not the name' );
		$this->assertSame( 'box.png', $post['files']['photos']['name'] );
		$this->assertSame( 'refund', json_decode( $post['post']['request'], true )['resolution'] );
	}

	public function test_bad_nonce_or_someone_elses_order_changes_nothing(): void {
		$this->script();
		Customer_Actions::handle_return_request( array_merge( $this->post( array() ), array( '_wpnonce' => 'forged' ) ), null );
		Stub::login( 43 );
		Customer_Actions::handle_return_request( $this->post( array( '_wpnonce' => wp_create_nonce( Customer_Actions::REQUEST_ACTION . '_1001' ) ) ), null );
		$this->assertSame( array(), self::$server->requests() );
		$this->assertSame( array( 'error', 'error' ), array_column( Stub::$wc_notices, 'type' ) );
	}

	public function test_service_down_keeps_what_was_typed(): void {
		$this->script( array( 'POST /api/v1/customers/42/orders/1001/returns' => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'storage_unavailable', 'message' => 'x' ) ) ) ) );
		Customer_Actions::handle_return_request(
			$this->post(
				array(
					'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ),
					'resolution' => 'refund',
					'comment'    => 'keep me',
				)
			),
			null
		);
		$this->assertStringContainsString( 'Nothing was submitted', Stub::$wc_notices[0]['message'] );
		$this->assertSame( 'keep me', Customer_Actions::take_form_state( 42, 1001 )['old']['comment'] );
	}

	public function test_cancel_posts_to_the_customer_route(): void {
		$this->script( array( 'POST /api/v1/customers/42/returns/32/cancel' => array( 'json' => array( 'id' => 32, 'status' => 'cancelled' ) ) ) );
		$back = Customer_Actions::handle_return_cancel(
			array(
				'return_id' => '32',
				'order_id'  => '1001',
				'back'      => 'https://evil.test/phish',
				'_wpnonce'  => wp_create_nonce( Customer_Actions::CANCEL_ACTION . '_32' ),
			)
		);
		$this->assertSame( 'https://shop.test/my-account/', $back, 'never redirects off the shop' );
		$this->assertSame( 'POST', self::$server->requests()[0]['method'] );
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'] );
	}

	public function test_cancel_refused_with_409_says_so(): void {
		$this->script( array( 'POST /api/v1/customers/42/returns/32/cancel' => array( 'status' => 409, 'json' => array( 'error' => array( 'code' => 'invalid_transition', 'message' => 'x' ) ) ) ) );
		Customer_Actions::handle_return_cancel(
			array(
				'return_id' => '32',
				'order_id'  => '1001',
				'_wpnonce'  => wp_create_nonce( Customer_Actions::CANCEL_ACTION . '_32' ),
			)
		);
		$this->assertStringContainsString( 'can no longer be cancelled', Stub::$wc_notices[0]['message'] );
	}

	public function test_invoice_is_fetched_to_a_file_with_a_safe_name(): void {
		$this->script(
			array(
				'GET /api/v1/customers/42/orders/1001/invoice.pdf' => array(
					'headers'     => array( 'Content-Type' => 'application/pdf', 'Content-Disposition' => 'inline; filename="../INV-2026-00001.pdf"' ),
					'body_base64' => base64_encode( '%PDF-1.7 test' ),
				),
			)
		);
		$result = Customer_Actions::fetch_invoice(
			array(
				'order_id' => '1001',
				'_wpnonce' => wp_create_nonce( Customer_Actions::INVOICE_ACTION . '_1001' ),
			)
		);
		$this->assertIsArray( $result );
		$this->assertSame( '%PDF-1.7 test', file_get_contents( $result['file'] ) );
		$this->assertSame( 'INV-2026-00001.pdf', $result['filename'] );
		unlink( $result['file'] );
		$this->assertSame( 'Bearer test-api-key-0123456789', self::$server->requests()[0]['headers']['authorization'] );
	}

	public function test_invoice_needs_the_nonce_and_the_owner(): void {
		$this->script();
		$this->assertIsString( Customer_Actions::fetch_invoice( array( 'order_id' => '1001', '_wpnonce' => 'x' ) ) );
		Stub::login( 43 );
		$this->assertIsString( Customer_Actions::fetch_invoice( array( 'order_id' => '1001', '_wpnonce' => wp_create_nonce( Customer_Actions::INVOICE_ACTION . '_1001' ) ) ) );
		$this->assertSame( array(), self::$server->requests() );
	}

	public function test_invoice_not_issued_yet_is_a_notice_not_a_broken_file(): void {
		$this->script( array( 'GET /api/v1/customers/42/orders/1001/invoice.pdf' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'invoice_not_found', 'message' => 'x' ) ) ) ) );
		$result = Customer_Actions::fetch_invoice( array( 'order_id' => '1001', '_wpnonce' => wp_create_nonce( Customer_Actions::INVOICE_ACTION . '_1001' ) ) );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', $result );
		$this->assertStringContainsString( 'not ready yet', Stub::$wc_notices[0]['message'] );
	}

	public function test_an_item_aftercare_says_is_not_delivered_never_reaches_it(): void {
		$this->script();
		Customer_Actions::handle_return_request(
			$this->post(
				array(
					'items'      => array( '203' => array( 'quantity' => '1', 'reason' => 'damaged' ) ),
					'resolution' => 'refund',
				)
			),
			null
		);
		$this->assertCount( 1, self::$server->requests(), 'only the order view' );
		$this->assertSame( 'This item cannot be returned.', Customer_Actions::take_form_state( 42, 1001 )['errors']['items.203.quantity'] );
	}

	public function test_credit_note_is_fetched_by_id_from_the_customers_order(): void {
		$this->script(
			array(
				'GET /api/v1/customers/42/orders/1001/documents/4' => array(
					'headers'     => array( 'Content-Type' => 'application/pdf', 'Content-Disposition' => 'inline; filename="CN-2026-00001.pdf"' ),
					'body_base64' => base64_encode( '%PDF-1.7 credit note' ),
				),
			)
		);
		$url = html_entity_decode( Customer_Actions::document_url( 1001, 4 ) );
		parse_str( (string) parse_url( $url, PHP_URL_QUERY ), $get );
		$this->assertSame( Customer_Actions::DOCUMENT_ACTION, $get['aftercare_action'] );
		$result = Customer_Actions::fetch_document( $get );
		$this->assertIsArray( $result, json_encode( Stub::$wc_notices ) );
		$this->assertSame( '%PDF-1.7 credit note', file_get_contents( $result['file'] ) );
		$this->assertSame( 'CN-2026-00001.pdf', $result['filename'] );
		unlink( $result['file'] );
		$this->assertSame( 'Bearer test-api-key-0123456789', self::$server->requests()[0]['headers']['authorization'] );
		$this->assertSame( 'application/pdf', self::$server->requests()[0]['headers']['accept'] );
	}

	public function test_credit_note_needs_its_own_nonce_and_the_owner(): void {
		$this->script();
		$nonce = wp_create_nonce( Customer_Actions::DOCUMENT_ACTION . '_1001_4' );
		$this->assertIsString( Customer_Actions::fetch_document( array( 'order_id' => '1001', 'document_id' => '5', '_wpnonce' => $nonce ) ), 'a nonce is for one document' );
		$this->assertIsString( Customer_Actions::fetch_document( array( 'order_id' => '1001', 'document_id' => '4', '_wpnonce' => wp_create_nonce( Customer_Actions::INVOICE_ACTION . '_1001' ) ) ) );
		Stub::login( 43 );
		$this->assertIsString( Customer_Actions::fetch_document( array( 'order_id' => '1001', 'document_id' => '4', '_wpnonce' => wp_create_nonce( Customer_Actions::DOCUMENT_ACTION . '_1001_4' ) ) ) );
		$this->assertSame( array(), self::$server->requests() );
	}

	public function test_a_document_of_another_order_is_refused_by_aftercare(): void {
		$this->script( array( 'GET /api/v1/customers/42/orders/1001/documents/9' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'document_not_found', 'message' => 'x' ) ) ) ) );
		$result = Customer_Actions::fetch_document( array( 'order_id' => '1001', 'document_id' => '9', '_wpnonce' => wp_create_nonce( Customer_Actions::DOCUMENT_ACTION . '_1001_9' ) ) );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', $result );
		$this->assertSame( 'That document does not belong to this order.', Stub::$wc_notices[0]['message'] );
	}

	public function test_logged_out_visitors_are_sent_to_log_in(): void {
		Stub::login( 0, array() );
		foreach ( array( array( 'POST', array(), array( 'aftercare_action' => Customer_Actions::REQUEST_ACTION ) ), array( 'GET', array( 'aftercare_action' => Customer_Actions::INVOICE_ACTION ), array() ) ) as list( $method, $get, $post ) ) {
			$this->assertSame( 'https://shop.test/my-account/', Customer_Actions::dispatch( $method, $get, $post, null ) );
		}
		$this->assertSame( array(), Stub::$http );
	}

	public function test_customer_actions_are_front_end_hooks_never_admin_post(): void {
		$this->assertTrue( has_action( 'template_redirect', array( Customer_Actions::class, 'on_template_redirect' ) ) );
		foreach ( array( Customer_Actions::REQUEST_ACTION, Customer_Actions::CANCEL_ACTION, Customer_Actions::INVOICE_ACTION, Customer_Actions::DOCUMENT_ACTION ) as $action ) {
			$this->assertFalse( has_action( 'admin_post_' . $action ), $action );
			$this->assertFalse( has_action( 'admin_post_nopriv_' . $action ), $action );
		}
		foreach ( array( Customer_Actions::invoice_url( 1001 ), Customer_Actions::document_url( 1001, 4 ), Customer_Actions::form_url( 1001 ) ) as $url ) {
			$this->assertStringStartsWith( 'https://shop.test/my-account/view-order/1001/', $url );
		}
	}

	public function test_the_stand_in_has_no_notices_in_an_admin_request_as_woocommerce(): void {
		Stub::$admin = true;
		$this->expectException( Error::class );
		$this->expectExceptionMessage( 'Call to undefined function wc_add_notice()' );
		Customer_Actions::handle_return_request( array( 'order_id' => '1001', '_wpnonce' => 'forged' ), null );
	}

	/**
	 * Runs the template_redirect hook as WordPress would for this request.
	 *
	 * @return string Where the request was sent.
	 */
	private function front_end_request( string $method, array $get, array $post ): string {
		$_SERVER['REQUEST_METHOD'] = $method;
		$_GET                      = $get;
		$_POST                     = $post;
		try {
			do_action( 'template_redirect' );
		} catch ( Stub_Redirect $redirect ) {
			return $redirect->location;
		} finally {
			$_GET  = array();
			$_POST = array();
			unset( $_SERVER['REQUEST_METHOD'] );
		}
		$this->fail( 'the request was not redirected' );
	}

	public function test_a_return_request_posted_to_the_order_page_is_sent_with_a_notice(): void {
		$this->script( array( 'POST /api/v1/customers/42/orders/1001/returns' => array( 'status' => 201, 'json' => array( 'id' => 40, 'status' => 'requested' ) ) ) );
		$xpath  = self::dom( Account::order_section( 1001 ) );
		$fields = array();
		foreach ( $xpath->query( '//form[@id="aftercare-return"]//input[@type="hidden"]' ) as $input ) {
			$fields[ $input->getAttribute( 'name' ) ] = $input->getAttribute( 'value' );
		}
		$this->assertSame( Customer_Actions::form_url( 1001 ), $xpath->query( '//form[@id="aftercare-return"]' )->item( 0 )->getAttribute( 'action' ) );
		$fields += array(
			'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'damaged' ) ),
			'resolution' => 'refund',
		);
		$location = $this->front_end_request( 'POST', array(), $fields );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/#aftercare-return', $location );
		$this->assertSame( array( 'success' ), array_column( Stub::$wc_notices, 'type' ) );
		$this->assertSame( 'POST', self::$server->requests()[1]['method'] );
	}

	public function test_a_cancel_posted_from_the_page_redirects_back_with_a_notice(): void {
		$this->script( array( 'POST /api/v1/customers/42/returns/32/cancel' => array( 'json' => array( 'id' => 32, 'status' => 'cancelled' ) ) ) );
		$location = $this->front_end_request(
			'POST',
			array(),
			array(
				'aftercare_action' => Customer_Actions::CANCEL_ACTION,
				'return_id'        => '32',
				'order_id'         => '1001',
				'back'             => 'https://shop.test/my-account/returns/',
				'_wpnonce'         => wp_create_nonce( Customer_Actions::CANCEL_ACTION . '_32' ),
			)
		);
		$this->assertSame( 'https://shop.test/my-account/returns/', $location );
		$this->assertSame( 'Your return request has been cancelled.', Stub::$wc_notices[0]['message'] );
	}

	public function test_an_expired_download_link_redirects_with_a_notice_and_a_good_one_gives_the_file(): void {
		$this->script(
			array(
				'GET /api/v1/customers/42/orders/1001/invoice.pdf' => array(
					'headers'     => array( 'Content-Type' => 'application/pdf' ),
					'body_base64' => base64_encode( '%PDF-1.7 test' ),
				),
			)
		);
		$link = html_entity_decode( Customer_Actions::invoice_url( 1001 ) );
		parse_str( (string) parse_url( $link, PHP_URL_QUERY ), $get );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', $this->front_end_request( 'GET', array_merge( $get, array( '_wpnonce' => 'old' ) ), array() ) );
		$this->assertStringContainsString( 'expired', Stub::$wc_notices[0]['message'] );
		$result = Customer_Actions::dispatch( 'GET', $get, array(), null );
		$this->assertIsArray( $result );
		$this->assertSame( '%PDF-1.7 test', file_get_contents( $result['file'] ) );
		unlink( $result['file'] );
	}

	public function test_other_requests_are_left_alone(): void {
		$this->assertNull( Customer_Actions::dispatch( 'GET', array(), array(), null ) );
		$this->assertNull( Customer_Actions::dispatch( 'GET', array( 'aftercare_action' => Customer_Actions::REQUEST_ACTION ), array(), null ), 'a change needs a POST' );
		$this->assertNull( Customer_Actions::dispatch( 'POST', array(), array( 'aftercare_action' => 'something_else' ), null ) );
		$this->assertNull( Customer_Actions::dispatch( 'POST', array(), array( 'action' => Customer_Actions::REQUEST_ACTION ), null ), 'only our own field' );
		$_SERVER['REQUEST_METHOD'] = 'GET';
		try {
			do_action( 'template_redirect' );
		} finally {
			unset( $_SERVER['REQUEST_METHOD'] );
		}
		$this->assertSame( array(), Stub::$http );
	}
}
