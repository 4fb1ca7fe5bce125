<?php
/**
 * The staff Returns queue, one return's page, its photos and its transitions.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Returns_Queue;

final class ReturnsQueueTest extends Scripted_Test_Case {

	private const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true; // Staff screens and admin-post.php: WooCommerce has no front-end parts here.
		$this->configure( self::$server->url );
		$json                          = self::order_fixture( 'orders/registered-krw.json' );
		$json['billing']['first_name'] = '<script>alert(1)</script>';
		WC_Stub::add_order_from_json( $json );
		Stub::login( 1, array( 'manage_woocommerce' ), 'Jae Park' );
	}

	/**
	 * The fixture's returns as staff see them: with settlement, newest first.
	 */
	private function returns(): array {
		$view    = self::fixture( 'order-view-full.json' );
		$returns = array_reverse( $view['returns'] );
		foreach ( $returns as &$return ) {
			if ( 'credited' === $return['status'] ) {
				$return['settlement'] = array( 'status' => 'done', 'attempts' => 1, 'error' => null, 'wc_refund_id' => null, 'coupon_code' => 'RETURN-30-9F2C41AB' );
			}
		}
		unset( $return );
		$returns[] = array(
			'id'         => 29,
			'order_id'   => 1001,
			'status'     => 'refunded',
			'resolution' => 'refund',
			'amount'     => '38610',
			'currency'   => 'KRW',
			'items'      => array( array( 'line_item_id' => 201, 'name' => 'Nimbus Wireless Mouse', 'quantity' => 1, 'reason' => 'damaged' ) ),
			'settlement' => array( 'status' => 'failed', 'attempts' => 3, 'error' => 'creating the refund: WooCommerce answered HTTP 500: <b>Internal error</b>', 'wc_refund_id' => null, 'coupon_code' => null ),
		);
		return $returns;
	}

	public function test_queue_lists_returns_with_the_actions_their_state_allows(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => $this->returns(), 'page' => 1, 'per_page' => 20, 'total' => 4 ) ) ) );
		$html  = Returns_Queue::page( 'all' );
		$xpath = self::dom( $html );
		$this->assertSame( '/api/v1/returns?page=1&per_page=20', self::$server->requests()[0]['uri'] );
		// One <tbody> per return: its row, then its next steps in a full-width row.
		$rows = $xpath->query( '//table/tbody' );
		$this->assertSame( 4, $rows->length );
		$buttons = static fn( $row ) => array_map( static fn( $b ) => $b->getAttribute( 'value' ), iterator_to_array( $xpath->query( './/button[@name="to"]', $row ) ) );
		$this->assertSame( array( 'approved', 'rejected', 'cancelled' ), $buttons( $rows->item( 0 ) ) );
		$this->assertSame( array( 'received', 'cancelled' ), $buttons( $rows->item( 1 ) ), 'aftercare\'s lifecycle: an approved return is received or cancelled' );
		$this->assertSame( array(), $buttons( $rows->item( 2 ) ) );
		$this->assertStringContainsString( 'Nimbus Wireless Mouse × 1 — Arrived damaged', preg_replace( '/\s+/u', ' ', $rows->item( 0 )->textContent ) );
		$this->assertStringContainsString( 'Scroll wheel squeaks', $rows->item( 0 )->textContent );
		$this->assertStringNotContainsString( '<script>alert(1)</script>', $html );
		$this->assertStringNotContainsString( '<script>alert("comment")</script>', $html );
		$this->assertSame( 'The box was crushed <script>alert("comment")</script>', self::text( $xpath, '(//table/tbody)[1]//blockquote[@class="aftercare-comment"]' ) );
		$this->assertStringContainsString( 'page=wc-orders&#038;action=edit&#038;id=1001', $html );
	}

	public function test_columns_size_to_their_content_and_actions_get_a_full_row(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => $this->returns(), 'page' => 1, 'per_page' => 20, 'total' => 4 ) ) ) );
		$xpath = self::dom( Returns_Queue::page( 'all' ) );
		$table = $xpath->query( '//table[contains(@class,"aftercare-queue__table")]' )->item( 0 );
		$this->assertNotContains( 'fixed', explode( ' ', $table->getAttribute( 'class' ) ), 'a fixed layout squeezed "Items and reasons" at 1280 px' );
		$headings = $xpath->query( '//table/thead/tr/th' )->length;
		$this->assertSame( 5, $headings );
		$this->assertSame( 0, $xpath->query( '//*[contains(@class,"column-action")]' )->length );
		foreach ( $xpath->query( '//tr[@class="aftercare-queue__actions"]/td' ) as $cell ) {
			$this->assertSame( (string) $headings, $cell->getAttribute( 'colspan' ) );
		}
		$this->assertSame( 2, $xpath->query( '//tr[@class="aftercare-queue__actions"]' )->length, 'open returns only' );
		$this->assertSame( 4, $xpath->query( '//td[contains(@class,"column-primary")]/button[@class="toggle-row"]' )->length, 'WordPress\'s narrow-screen list layout' );
		$this->assertSame( 'Items and reasons', $xpath->query( '//td[contains(@class,"column-items")]' )->item( 0 )->getAttribute( 'data-colname' ) );
		$css = (string) file_get_contents( AFTERCARE_PLUGIN_DIR . '/assets/admin.css' );
		$this->assertDoesNotMatchRegularExpression( '/aftercare-queue__table[^{]*\{[^}]*(?<![-\w])width:/', $css, 'no fixed column widths' );
	}

	public function test_photos_are_thumbnails_served_by_wordpress_never_by_aftercare(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => $this->returns() ) ) ) );
		$html  = Returns_Queue::page( 'all' );
		$xpath = self::dom( $html );
		$images = $xpath->query( '(//table/tbody)[1]//ul[@class="aftercare-photos"]//img' );
		$this->assertSame( 2, $images->length );
		$src = html_entity_decode( $images->item( 1 )->getAttribute( 'src' ) );
		parse_str( (string) parse_url( $src, PHP_URL_QUERY ), $query );
		$this->assertSame( 'https://shop.test/wp-admin/admin-post.php', strtok( $src, '?' ) );
		$this->assertSame( array( 'action' => Returns_Queue::PHOTO_ACTION, 'return_id' => '32', 'position' => '2', '_wpnonce' => wp_create_nonce( Returns_Queue::PHOTO_ACTION . '_32' ) ), $query );
		$this->assertSame( 'Photo 2 of return #32', $images->item( 1 )->getAttribute( 'alt' ) );
		$this->assertStringNotContainsString( 'aftercare.example.com', $html, 'the API address of a photo never reaches the browser' );
		$this->assertStringNotContainsString( 'test-api-key', $html );
	}

	public function test_settlement_shows_what_woocommerce_did_and_why_it_failed(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => $this->returns() ) ) ) );
		$xpath = self::dom( Returns_Queue::page( 'all' ) );
		$done  = self::text( $xpath, '(//table/tbody)[3]//div[contains(@class,"aftercare-settlement--done")]' );
		$this->assertSame( 'Done in WooCommerce Coupon RETURN-30-9F2C41AB', $done );
		$this->assertSame( 'Store credit: ₩17,820', self::text( $xpath, '(//table/tbody)[3]//p[@class="aftercare-amount"]' ) );
		$this->assertStringContainsString( 'by Jae <b>Park</b>, November 19, 2026 01:05 “Enjoy your next tea!”', self::text( $xpath, '(//table/tbody)[3]//p[contains(@class,"aftercare-last-step")]' ) );
		$failed = self::text( $xpath, '(//table/tbody)[4]//div[contains(@class,"aftercare-settlement--failed")]' );
		$this->assertStringContainsString( 'Failed; aftercare retries 3 attempts so far', $failed );
		$this->assertSame( 'creating the refund: WooCommerce answered HTTP 500: <b>Internal error</b>', self::text( $xpath, '(//table/tbody)[4]//p[@class="aftercare-settlement__error"]' ) );
		$this->assertSame( 'Refund: ₩38,610', self::text( $xpath, '(//table/tbody)[4]//p[@class="aftercare-amount"]' ) );
	}

	public function test_filter_and_page_are_passed_to_aftercare_and_unknown_filters_mean_all(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => array() ) ) ) );
		Returns_Queue::page( 'received' );
		Returns_Queue::page( 'bogus', 3 );
		$uris = array_column( self::$server->requests(), 'uri' );
		$this->assertSame( array( '/api/v1/returns?status=received&page=1&per_page=20', '/api/v1/returns?page=3&per_page=20' ), $uris );
		do_action( 'admin_menu' );
		$this->assertSame( 'manage_woocommerce', Stub::$registered['submenus'][ Returns_Queue::PAGE ]['capability'] ?? null );
	}

	public function test_a_long_queue_has_pages(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => $this->returns(), 'page' => 2, 'per_page' => 20, 'total' => 45 ) ) ) );
		$xpath = self::dom( Returns_Queue::page( 'requested', 2 ) );
		$this->assertSame( '45 returns ‹Previous page 2 of 3 ›Next page', self::text( $xpath, '//div[@class="tablenav-pages"]' ) );
		$this->assertSame( 'https://shop.test/wp-admin/admin.php?page=aftercare-returns&status=requested&paged=3', $xpath->query( '//a[contains(@class,"next-page")]' )->item( 0 )->getAttribute( 'href' ) );
	}

	public function test_one_return_in_full(): void {
		$return = $this->returns()[0];
		self::$server->script( array( 'GET /api/v1/returns/32' => array( 'json' => $return + array( 'settlement' => null ) ) ) );
		$html  = Returns_Queue::return_page( 32 );
		$xpath = self::dom( $html );
		$this->assertSame( '/api/v1/returns/32', self::$server->requests()[0]['uri'] );
		$this->assertSame( 'Return #32', self::text( $xpath, '//h1' ) );
		$this->assertSame( 'Requested', self::text( $xpath, '//span[contains(@class,"aftercare-badge")]' ) );
		$this->assertSame( 2, $xpath->query( '//ul[@class="aftercare-photos"]//img[@width="180"]' )->length );
		$this->assertSame( 'Requested · Customer', self::text( $xpath, '//ol[@class="aftercare-history"]/li/span[@class="aftercare-history__what"]' ) );
		$this->assertSame( array( 'approved', 'rejected', 'cancelled' ), array_map( static fn( $b ) => $b->getAttribute( 'value' ), iterator_to_array( $xpath->query( '//form[@class="aftercare-actions"]//button' ) ) ) );
		$this->assertSame( '1', $xpath->query( '//form[@class="aftercare-actions"]//input[@name="from_view"]' )->item( 0 )->getAttribute( 'value' ) );

		self::$server->script( array( 'GET /api/v1/returns/99' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'return_not_found', 'message' => 'No such return.' ) ) ) ) );
		$this->assertStringContainsString( 'There is no such return.', Returns_Queue::return_page( 99 ) );
	}

	public function test_transition_sends_the_staff_members_name_and_forgets_the_customers_views(): void {
		self::$server->script(
			array(
				'POST /api/v1/returns/32/transitions'  => array( 'json' => array( 'id' => 32, 'status' => 'approved' ) ),
				'GET /api/v1/customers/42/orders/1001' => array( 'json' => array( 'id' => 1001 ) ),
			)
		);
		Stub::login( 42 );
		Account::order_section( 1001 );
		Stub::login( 1, array( 'manage_woocommerce' ), 'Jae Park' );
		$back = Returns_Queue::handle_transition(
			array(
				'return_id'     => '32',
				'order_id'      => '1001',
				'to'            => 'approved',
				'note'          => "Label sent.\n<b>Thanks</b>",
				'status_filter' => 'requested',
				'_wpnonce'      => wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_32' ),
			)
		);
		$this->assertSame( 'https://shop.test/wp-admin/admin.php?page=aftercare-returns&status=requested', $back );
		$post = self::$server->requests()[1];
		$this->assertSame( array( 'to' => 'approved', 'note' => "Label sent.\nThanks", 'by' => 'Jae Park' ), json_decode( $post['body'], true ) );
		$this->assertSame( 'success', \Aftercare\Admin_Notices::take()[0]['type'] );
		Stub::login( 42 );
		Account::order_section( 1001 );
		$this->assertCount( 3, self::$server->requests(), 'the customer sees the new state at once' );
	}

	public function test_from_a_returns_page_the_transition_comes_back_to_it(): void {
		self::$server->script( array( 'POST /api/v1/returns/31/transitions' => array( 'json' => array( 'id' => 31, 'status' => 'received' ) ) ) );
		$back = Returns_Queue::handle_transition( array( 'return_id' => '31', 'to' => 'received', 'from_view' => '1', '_wpnonce' => wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_31' ) ) );
		$this->assertSame( 'https://shop.test/wp-admin/admin.php?page=aftercare-returns&return=31', $back );
	}

	public function test_409_and_missing_rights_change_nothing(): void {
		self::$server->script( array( 'POST /api/v1/returns/31/transitions' => array( 'status' => 409, 'json' => array( 'error' => array( 'code' => 'invalid_transition', 'message' => 'A refunded return cannot be approved.' ) ) ) ) );
		Returns_Queue::handle_transition( array( 'return_id' => '31', 'to' => 'approved', '_wpnonce' => wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_31' ) ) );
		$notice = \Aftercare\Admin_Notices::take()[0];
		$this->assertSame( 'error', $notice['type'] );
		$this->assertSame( array( 'A refunded return cannot be approved.' ), $notice['lines'] );

		Stub::login( 3, array( 'read' ) );
		Returns_Queue::handle_transition( array( 'return_id' => '31', 'to' => 'approved', '_wpnonce' => wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_31' ) ) );
		Stub::login( 1, array( 'manage_woocommerce' ) );
		Returns_Queue::handle_transition( array( 'return_id' => '31', 'to' => 'requested', '_wpnonce' => wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_31' ) ) );
		Returns_Queue::handle_transition( array( 'return_id' => '31', 'to' => 'approved', '_wpnonce' => 'forged' ) );
		$this->assertCount( 1, self::$server->requests() );
	}

	public function test_photo_proxy_needs_the_nonce_and_the_capability(): void {
		self::$server->script( array( 'GET /api/v1/returns/32/photos/1' => array( 'headers' => array( 'Content-Type' => 'image/png' ), 'body_base64' => self::PNG ) ) );
		$nonce = wp_create_nonce( Returns_Queue::PHOTO_ACTION . '_32' );
		$this->assertSame( 403, Returns_Queue::fetch_photo( array( 'return_id' => '32', 'position' => '1', '_wpnonce' => 'forged' ) ) );
		$this->assertSame( 403, Returns_Queue::fetch_photo( array( 'return_id' => '31', 'position' => '1', '_wpnonce' => $nonce ) ), 'a nonce is for one return' );
		$this->assertSame( 404, Returns_Queue::fetch_photo( array( 'return_id' => '32', 'position' => '4', '_wpnonce' => $nonce ) ) );
		Stub::login( 42, array( 'read', 'view_order' ) );
		$this->assertSame( 403, Returns_Queue::fetch_photo( array( 'return_id' => '32', 'position' => '1', '_wpnonce' => wp_create_nonce( Returns_Queue::PHOTO_ACTION . '_32' ) ) ), 'customers never see photos through the proxy' );
		$this->assertSame( array(), self::$server->requests() );

		Stub::login( 1, array( 'manage_woocommerce' ) );
		$photo = Returns_Queue::fetch_photo( array( 'return_id' => '32', 'position' => '1', '_wpnonce' => wp_create_nonce( Returns_Queue::PHOTO_ACTION . '_32' ) ) );
		$this->assertIsArray( $photo );
		$this->assertSame( base64_decode( self::PNG ), file_get_contents( $photo['file'] ) );
		$this->assertSame( 'image/png', $photo['type'] );
		$this->assertSame( 'return-32-photo-1.png', $photo['filename'] );
		unlink( $photo['file'] );
		$request = self::$server->requests()[0];
		$this->assertSame( 'Bearer test-api-key-0123456789', $request['headers']['authorization'] );
		$this->assertSame( 'image/jpeg, image/png, image/webp', $request['headers']['accept'] );
	}

	public function test_photo_proxy_refuses_what_is_not_the_image_it_claims(): void {
		Stub::$registered['tempfiles'] = array();
		$nonce = wp_create_nonce( Returns_Queue::PHOTO_ACTION . '_32' );
		$get   = array( 'return_id' => '32', 'position' => '1', '_wpnonce' => $nonce );
		self::$server->script( array( 'GET /api/v1/returns/32/photos/1' => array( 'headers' => array( 'Content-Type' => 'text/html' ), 'body' => '<script>alert(1)</script>' ) ) );
		$this->assertSame( 502, Returns_Queue::fetch_photo( $get ) );
		self::$server->script( array( 'GET /api/v1/returns/32/photos/1' => array( 'headers' => array( 'Content-Type' => 'image/jpeg' ), 'body' => '<svg onload="alert(1)"/>' ) ) );
		$this->assertSame( 502, Returns_Queue::fetch_photo( $get ), 'the bytes must be the image the type says' );
		self::$server->script( array( 'GET /api/v1/returns/32/photos/1' => array( 'headers' => array( 'Content-Type' => 'image/jpeg' ), 'body_base64' => self::PNG ) ) );
		$this->assertSame( 502, Returns_Queue::fetch_photo( $get ) );
		self::$server->script( array( 'GET /api/v1/returns/32/photos/1' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'photo_not_found', 'message' => 'x' ) ) ) ) );
		$this->assertSame( 404, Returns_Queue::fetch_photo( $get ) );
		$this->assertCount( 4, Stub::$registered['tempfiles'] );
		$this->assertSame( array(), array_filter( Stub::$registered['tempfiles'], 'file_exists' ), 'no temporary file is left behind' );
	}

	public function test_photo_goes_out_as_an_image_that_is_never_sniffed(): void {
		$headers = Returns_Queue::photo_headers( 'image/webp', 1234, 'return-7-photo-2.webp' );
		$this->assertSame( 'nosniff', $headers['X-Content-Type-Options'] );
		$this->assertSame( 'image/webp', $headers['Content-Type'] );
		$this->assertSame( '1234', $headers['Content-Length'] );
		$this->assertSame( "default-src 'none'; sandbox", $headers['Content-Security-Policy'] );
		$this->assertStringStartsWith( 'private', $headers['Cache-Control'] );
	}

	public function test_older_aftercare_without_returns_says_so(): void {
		self::$server->script( array() );
		$this->assertStringContainsString( 'does not handle returns yet', Returns_Queue::page( 'requested' ) );
	}
}
