<?php
/**
 * Returns from request to money, through the plugin's real handlers and templates, the
 * real aftercare, and a stand-in WooCommerce REST API that aftercare settles refunds and
 * store credit with.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Customer_Actions;
use Aftercare\Returns_Queue;

final class ReturnsLifecycleTest extends Service_Test_Case {

	private static ?Scripted_Server $woo = null;

	public static function setUpBeforeClass(): void {
		if ( null !== Aftercare_Service::binary() ) {
			self::$woo = Scripted_Server::start( 'woocommerce-router.php' );
		}
		parent::setUpBeforeClass();
	}

	public static function tearDownAfterClass(): void {
		parent::tearDownAfterClass();
		if ( self::$woo ) {
			self::$woo->stop();
			self::$woo = null;
		}
	}

	protected static function service_env(): array {
		return array(
			'AFTERCARE_STORE_URL'          => self::$woo->url,
			'AFTERCARE_WC_CONSUMER_KEY'    => 'ck_e2e0000000000000000000000000000000000',
			'AFTERCARE_WC_CONSUMER_SECRET' => 'cs_e2e0000000000000000000000000000000000',
		);
	}

	protected function setUp(): void {
		parent::setUp();
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Stub::login( 42 );
	}

	/**
	 * Customer 42's order $id, completed yesterday so that its items can be returned, in
	 * aftercare, WooCommerce's REST API and the WooCommerce stand-in.
	 *
	 * @param int $id Order id.
	 * @return array<string,mixed> The order view.
	 */
	private function delivered_order( int $id ): array {
		$order              = self::order_fixture( 'orders/registered-krw.updated.json' );
		$yesterday          = gmdate( 'Y-m-d\TH:i:s', time() - 86400 );
		$order['id']        = $id;
		$order['number']    = (string) $id;
		$order['order_key'] = 'wc_order_e2e' . $id;
		$order['refunds']   = array();
		$order['date_completed_gmt'] = $yesterday;
		$order['date_modified_gmt']  = $yesterday;
		list( $code ) = self::$service->deliver( 'order.created', (string) json_encode( $order ) );
		$this->assertSame( 200, $code );
		self::$woo->put( 'orders.json', array_merge( self::$woo->state( 'orders.json' ), array( $order ) ) );
		WC_Stub::add_order_from_json( $order );
		return self::$service->get( "/api/v1/customers/42/orders/$id" )[1];
	}

	/**
	 * Sends a return request through the plugin's handler, as the customer's browser would.
	 *
	 * @param int                  $order_id Order.
	 * @param array<string,mixed>  $fields   Form fields.
	 * @param array<string,string> $photos   File name => bytes.
	 * @return array<string,mixed> The return as aftercare recorded it (staff view).
	 */
	private function request_return( int $order_id, array $fields, array $photos = array() ): array {
		$files = $photos ? Test_Image::uploads( $photos ) : null;
		add_filter( 'aftercare_is_uploaded_file', '__return_true' );
		try {
			Customer_Actions::handle_return_request(
				array_merge(
					array(
						'order_id' => (string) $order_id,
						'_wpnonce' => wp_create_nonce( Customer_Actions::REQUEST_ACTION . '_' . $order_id ),
					),
					$fields
				),
				$files
			);
		} finally {
			unset( Stub::$hooks['aftercare_is_uploaded_file'] );
			foreach ( $files['tmp_name'] ?? array() as $tmp ) {
				unlink( $tmp );
			}
		}
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'] ?? null, json_encode( Stub::$wc_notices ) . json_encode( Customer_Actions::take_form_state( 42, $order_id ) ) );
		Stub::$wc_notices = array();
		$returns = self::$service->get( '/api/v1/returns?per_page=100' )[1]['returns'];
		$this->assertSame( $order_id, $returns[0]['order_id'] );
		return $returns[0];
	}

	/**
	 * Presses a transition button in the queue as staff member "Jae Park".
	 *
	 * @param array<string,mixed> $return The return.
	 * @param string              $to     Target state.
	 * @param string              $note   Note for the customer.
	 */
	private function staff_moves( array $return, string $to, string $note = '' ): void {
		$customer = Stub::$user_id;
		Stub::login( 7, array( 'manage_woocommerce' ), 'Jae Park' );
		Returns_Queue::handle_transition(
			array(
				'return_id' => (string) $return['id'],
				'order_id'  => (string) $return['order_id'],
				'to'        => $to,
				'note'      => $note,
				'_wpnonce'  => wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_' . $return['id'] ),
			)
		);
		$notice = \Aftercare\Admin_Notices::take()[0];
		$this->assertSame( 'success', $notice['type'], $notice['title'] . ' ' . implode( ' ', $notice['lines'] ) );
		Stub::login( $customer );
	}

	private function settled( int $return_id, string $status ): array {
		return self::$service->wait_for(
			"/api/v1/returns/$return_id",
			static fn( $code, $json ) => 200 === $code && ( $json['settlement']['status'] ?? '' ) === $status
		);
	}

	public function test_eligibility_is_explained_in_the_plugins_words(): void {
		$view = self::$service->get( '/api/v1/customers/42/orders/1001' )[1];
		$this->assertSame( array( 'not_delivered' ), array_values( array_unique( array_column( $view['return_eligibility'], 'reason' ) ) ), 'the fixture order is on its way' );
		$xpath = self::dom( Account::order_section( 1001 ) );
		$this->assertSame( 0, $xpath->query( '//form[@id="aftercare-return"]' )->length );
		$this->assertGreaterThan( 1, count( $view['return_eligibility'] ), 'several items share the reason' );
		$this->assertSame(
			'No items of this order can be returned online. You can return these items once they have been delivered.',
			self::text( $xpath, '//div[@class="aftercare-not-returnable"]' )
		);
		$this->assertStringNotContainsString( $view['return_eligibility'][0]['message'], self::text( $xpath, '//section' ), 'the plugin\'s sentence, translatable, not aftercare\'s English' );

		$this->delivered_order( 3001 );
		$this->request_return( 3001, array( 'items' => array( '201' => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ) );
		$xpath = self::dom( Account::order_section( 3001 ) );
		$this->assertSame( 'Every unit of this item has been refunded or is already in a return.', self::text( $xpath, '//form[@id="aftercare-return"]//tbody/tr[1]//span[contains(@class,"aftercare-eligibility")]' ) );
		$this->assertSame( 'items[202][quantity]', $xpath->query( '//input[@type="number"]' )->item( 0 )->getAttribute( 'name' ) );
	}

	public function test_staff_see_comment_item_names_and_photos_through_wordpress(): void {
		$this->delivered_order( 3002 );
		$photo  = Test_Image::gradient( 40, 30 );
		$return = $this->request_return(
			3002,
			array(
				'items'      => array( '202' => array( 'quantity' => '1', 'reason' => 'too_small', 'reason_text' => 'Sleeves 5 cm too "short" & tight' ) ),
				'resolution' => 'exchange',
				'comment'    => "XL instead, please.\nThanks!",
			),
			array( 'hoodie.jpg' => $photo )
		);
		$this->assertCount( 1, $return['photos'] );

		Stub::login( 7, array( 'manage_woocommerce' ), 'Jae Park' );
		$html  = Returns_Queue::page( 'requested' );
		$xpath = self::dom( $html );
		$row   = $xpath->query( '//tr[@id="aftercare-return-' . $return['id'] . '"]' )->item( 0 );
		$this->assertNotNull( $row );
		$this->assertStringContainsString( '오버핏 후드 티셔츠 - 블랙, L × 1 — Too small', preg_replace( '/\s+/u', ' ', $row->textContent ) );
		$this->assertStringContainsString( 'Sleeves 5 cm too "short" & tight', $row->textContent );
		$this->assertSame( "XL instead, please.\nThanks!", $xpath->query( './/blockquote', $row )->item( 0 )->textContent );
		$src = html_entity_decode( $xpath->query( './/ul[@class="aftercare-photos"]//img', $row )->item( 0 )->getAttribute( 'src' ) );
		$this->assertStringStartsWith( 'https://shop.test/wp-admin/admin-post.php?action=aftercare_return_photo', $src );
		$this->assertStringNotContainsString( self::$service->url, $html, 'aftercare\'s address (and so its photo URLs) never reach the browser' );
		$this->assertStringNotContainsString( Aftercare_Service::API_KEY, $html );

		// The browser loads the thumbnail: WordPress fetches the photo with the key and passes it on.
		parse_str( (string) parse_url( $src, PHP_URL_QUERY ), $get );
		$fetched = Returns_Queue::fetch_photo( $get );
		$this->assertIsArray( $fetched );
		$this->assertSame( $photo, file_get_contents( $fetched['file'] ), 'the very bytes the customer sent' );
		$this->assertSame( 'image/png', $fetched['type'], 'the type of the bytes, not of the name "hoodie.jpg"' );
		unlink( $fetched['file'] );
		$headers = Returns_Queue::photo_headers( $fetched['type'], strlen( $photo ), $fetched['filename'] );
		$this->assertSame( 'nosniff', $headers['X-Content-Type-Options'] );
		$get['position'] = '2';
		$this->assertSame( 404, Returns_Queue::fetch_photo( $get ), 'aftercare has no second photo' );

		// One return's own page, from GET /api/v1/returns/{id}.
		$xpath = self::dom( Returns_Queue::return_page( $return['id'] ) );
		$this->assertSame( 'Return #' . $return['id'], self::text( $xpath, '//h1' ) );
		$this->assertSame( 1, $xpath->query( '//ul[@class="aftercare-photos"]//img' )->length );
		$this->assertStringContainsString( 'Requested · Customer', self::text( $xpath, '//ol[@class="aftercare-history"]' ) );
	}

	public function test_a_refund_is_made_in_woocommerce_and_everyone_sees_it(): void {
		$this->delivered_order( 3003 );
		$return = $this->request_return( 3003, array( 'items' => array( '201' => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund', 'comment' => 'Scroll wheel squeaks.' ) );
		$this->staff_moves( $return, 'approved', 'Please send it back with the label we emailed.' );
		$this->staff_moves( $return, 'received' );
		$this->staff_moves( $return, 'refunded', 'Refunded to your card.' );
		$done = $this->settled( $return['id'], 'done' );

		$refunds = self::$woo->state( 'refunds.json' )['3003'];
		$this->assertCount( 1, $refunds, 'one refund in WooCommerce' );
		$this->assertSame( $refunds[0]['id'], $done['settlement']['wc_refund_id'] );
		$this->assertSame( array( 'Jae Park' ), array_values( array_unique( array_filter( array_column( $done['history'], 'by_name' ) ) ) ), 'the staff member\'s name went with every move' );

		Stub::login( 7, array( 'manage_woocommerce' ), 'Jae Park' );
		$xpath = self::dom( Returns_Queue::page( 'refunded' ) );
		$row   = '//tr[@id="aftercare-return-' . $return['id'] . '"]';
		$this->assertSame( 'Done in WooCommerce WooCommerce refund #' . $refunds[0]['id'], self::text( $xpath, $row . '//div[contains(@class,"aftercare-settlement")]' ) );
		$this->assertSame( 'Refund: ' . html_entity_decode( strip_tags( wc_price( (float) $done['amount'], array( 'currency' => 'KRW', 'decimals' => 0 ) ) ) ), self::text( $xpath, $row . '//p[@class="aftercare-amount"]' ) );
		$this->assertStringContainsString( 'by Jae Park', self::text( $xpath, $row . '//p[contains(@class,"aftercare-last-step")]' ) );

		Stub::login( 42 );
		$xpath  = self::dom( Account::order_section( 3003 ) );
		$status = self::text( $xpath, '//table[contains(@class,"aftercare-returns")]/tbody/tr[1]/td[4]' );
		$this->assertStringContainsString( 'Refunded: ₩' . number_format( (float) $done['amount'] ), $status );
		$this->assertStringContainsString( 'Refunded to your card.', $status );
		$this->assertStringContainsString( 'Approved · Jae Park', $status );
		$this->assertStringNotContainsString( 'Done in WooCommerce', $status, 'the settlement is for staff' );
	}

	public function test_a_failed_settlement_shows_staff_the_error(): void {
		$this->delivered_order( 3004 );
		self::$woo->script( array( 'POST /wp-json/wc/v3/orders/3004/refunds' => array( 'status' => 500, 'json' => array( 'code' => 'woocommerce_rest_cannot_create_order_refund', 'message' => 'Payment gateway declined the refund.', 'data' => array( 'status' => 500 ) ) ) ) );
		try {
			$return = $this->request_return( 3004, array( 'items' => array( '203' => array( 'quantity' => '1', 'reason' => 'changed_mind' ) ), 'resolution' => 'refund' ) );
			$this->staff_moves( $return, 'approved' );
			$this->staff_moves( $return, 'received' );
			$this->staff_moves( $return, 'refunded' );
			$failed = $this->settled( $return['id'], 'failed' );
		} finally {
			self::$woo->script( array() );
		}
		Stub::login( 7, array( 'manage_woocommerce' ), 'Jae Park' );
		$xpath = self::dom( Returns_Queue::return_page( $return['id'] ) );
		$box   = self::text( $xpath, '//div[contains(@class,"aftercare-settlement--failed")]' );
		$this->assertStringContainsString( 'Failed; aftercare retries', $box );
		$this->assertSame( $failed['settlement']['error'], self::text( $xpath, '//p[@class="aftercare-settlement__error"]' ) );
		$this->assertStringContainsString( 'Payment gateway declined the refund.', $failed['settlement']['error'] );
	}

	public function test_store_credit_code_reaches_the_customer(): void {
		$this->delivered_order( 3005 );
		$return = $this->request_return( 3005, array( 'items' => array( '202' => array( 'quantity' => '2', 'reason' => 'too_large' ) ), 'resolution' => 'store_credit' ) );
		$this->staff_moves( $return, 'approved' );
		$this->staff_moves( $return, 'received' );
		$this->staff_moves( $return, 'credited', 'Enjoy!' );
		$done    = $this->settled( $return['id'], 'done' );
		$coupons = array_values( array_filter( self::$woo->state( 'coupons.json' ), static fn( $c ) => $c['code'] === $done['settlement']['coupon_code'] ) );
		$this->assertCount( 1, $coupons );
		$this->assertSame( array( 'minji.kim@example.com' ), $coupons[0]['email_restrictions'] );

		$xpath = self::dom( Account::returns_tab() );
		$row   = $xpath->query( '//tbody/tr[td//strong[text()="#' . $return['id'] . '"]]' )->item( 0 );
		$this->assertNotNull( $row );
		$this->assertSame( $done['store_credit_code'], $xpath->query( './/code[@class="aftercare-coupon"]', $row )->item( 0 )->textContent );
		$this->assertStringContainsString( 'Store credit: ₩' . number_format( (float) $done['amount'] ), preg_replace( '/\s+/u', ' ', $row->textContent ) );
	}
}
