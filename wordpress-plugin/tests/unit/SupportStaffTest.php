<?php
/**
 * The staff side of support: the inbox and its filters, one request's screen and its actions,
 * FAQ answers, the product guide box, and the support_reply and product_guide emails.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Admin_Notices;
use Aftercare\Answers_Admin;
use Aftercare\Emails;
use Aftercare\Guide_Box;
use Aftercare\Messages;
use Aftercare\Support_Inbox;

final class SupportStaffTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true;
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Stub::login( 2, array( 'manage_woocommerce' ), 'Mina Seo' );
		Stub::login( 1, array( 'manage_woocommerce', 'edit_product' ), 'Jae Park' );
	}

	private static function request( int $id, array $extra = array() ): array {
		return array_merge(
			array(
				'id'         => $id,
				'order_id'   => 1001,
				'topic'      => 'where_is_my_order',
				'status'     => 'open',
				'created_at' => gmdate( 'Y-m-d\TH:i:s\Z', time() - 3600 ),
				'assignee'   => null,
				'messages'   => array( array( 'from' => 'customer', 'body' => 'Where is it? <script>alert(1)</script>', 'created_at' => '2026-12-01T09:00:00Z' ) ),
			),
			$extra
		);
	}

	private function act( string $op, array $extra = array() ): string {
		return Support_Inbox::handle(
			array_merge(
				array(
					'request_id' => '7',
					'order_id'   => '1001',
					'op'         => $op,
					'_wpnonce'   => wp_create_nonce( Support_Inbox::ACTION . '_7' ),
				),
				$extra
			)
		);
	}

	public function test_the_inbox_filters_by_status_topic_age_and_assignee(): void {
		$old = gmdate( 'Y-m-d\TH:i:s\Z', time() - 4 * 86400 );
		self::$server->script(
			array(
				'GET /api/v1/requests' => array(
					'json' => array(
						'requests' => array(
							self::request( 7 ),
							self::request( 8, array( 'created_at' => $old, 'assignee' => 'user1' ) ),
							self::request( 9, array( 'created_at' => $old, 'assignee' => 'user2' ) ),
						),
						'total'    => 3,
					),
				),
			)
		);
		$filters = Support_Inbox::filters( array( 'topic' => 'where_is_my_order', 'age' => '3d', 'assignee' => 'me' ) );
		$this->assertSame( 'open', $filters['status'], 'open requests first' );
		$xpath = self::dom( Support_Inbox::page( $filters ) );
		$uri   = self::$server->requests()[0]['uri'];
		$this->assertSame( '/api/v1/requests?page=1&per_page=20&status=open&topic=where_is_my_order&assignee=user1&older_than_hours=72', $uri );
		$rows = $xpath->query( '//table/tbody/tr' );
		$this->assertSame( 1, $rows->length, 'older than three days and assigned to me: only #8' );
		$this->assertStringContainsString( '#8', $rows->item( 0 )->textContent );
		$this->assertStringContainsString( 'Jae Park', $rows->item( 0 )->textContent );

		$html = Support_Inbox::page( Support_Inbox::filters( array( 'status' => 'all', 'assignee' => 'none' ) ) );
		$this->assertSame( '/api/v1/requests?page=1&per_page=20&assignee=none', self::$server->requests()[1]['uri'] );
		$this->assertSame( 1, self::dom( $html )->query( '//table/tbody/tr' )->length, 'nobody assigned: only #7' );
		$this->assertStringNotContainsString( '<script>alert(1)</script>', $html );
		$this->assertSame( array( 'status' => 'all', 'topic' => '', 'age' => '', 'assignee' => '', 'paged' => 1 ), Support_Inbox::filters( array( 'status' => 'x', 'topic' => '<b>', 'age' => '99d', 'assignee' => '<script>' ) ) );
		$this->assertSame( 'manage_woocommerce', Stub::$registered['submenus'][ Support_Inbox::PAGE ]['capability'] ?? 'manage_woocommerce' );
	}

	public function test_the_inbox_is_calm_when_aftercare_is_down(): void {
		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$html = Support_Inbox::page( Support_Inbox::filters( array() ) );
		$this->assertStringContainsString( 'could not be loaded', $html );
		$html = Support_Inbox::request_page( 7 );
		$this->assertStringContainsString( 'could not be loaded', $html );
	}

	public function test_a_request_shows_its_thread_with_notes_beside_the_orders_facts(): void {
		$view = self::fixture( 'order-view-full.json' );
		self::$server->script(
			array(
				'GET /api/v1/requests/7'               => array(
					'json' => array( 'order' => $view, 'request' => self::request(
						7,
						array(
							'item'         => array( 'line_item_id' => 201, 'product_id' => 55, 'name' => 'Nimbus Wireless Mouse' ),
							'assignee'     => 'user2',
							'messages'     => array(
								array( 'from' => 'customer', 'body' => 'Where is it?', 'created_at' => '2026-12-01T09:00:00Z', 'photos' => array( array( 'position' => 1, 'content_type' => 'image/png', 'bytes' => 68, 'url' => 'http://aftercare.internal/api/v1/requests/7/photos/1' ) ) ),
								array( 'from' => 'note', 'author' => 'Jae Park', 'body' => 'Checking with CJ', 'created_at' => '2026-12-01T09:30:00Z' ),
							),
						)
					) ),
				),
			)
		);
		$xpath = self::dom( Support_Inbox::request_page( 7 ) );
		$this->assertSame( 1, $xpath->query( '//li[contains(@class,"aftercare-thread__message--internal")]' )->length, 'staff see internal notes, marked' );
		$this->assertSame( 'Nimbus Wireless Mouse', trim( str_replace( 'About:', '', self::text( $xpath, '//div[contains(@class,"aftercare-inbox__facts")]/p[strong="About:"]' ) ) ) );
		$this->assertGreaterThan( 0, $xpath->query( '//div[contains(@class,"aftercare-inbox__facts")]//code' )->length, 'the parcels are beside the thread' );
		$this->assertSame( 'user2', $xpath->query( '//select[@name="assignee"]/option[@selected]' )->item( 0 )->getAttribute( 'value' ) );
		$ops = array_map( static fn( $i ) => $i->getAttribute( 'value' ), iterator_to_array( $xpath->query( '//form//input[@name="op"]' ) ) );
		$this->assertSame( array( 'reply', 'note', 'assign', 'solve' ), $ops );
		$this->assertCount( 1, self::$server->requests(), 'one call: the request with its order view' );
		$photo = $xpath->query( '//ul[@class="aftercare-photos"]//img' )->item( 0 )->getAttribute( 'src' );
		$this->assertStringStartsWith( 'https://shop.test/wp-admin/admin-post.php?action=aftercare_support_photo', $photo, 'photos come through WordPress, never from aftercare\'s address' );
	}

	public function test_staff_actions_follow_the_interface_and_check_nonce_and_capability(): void {
		self::$server->script(
			array(
				'POST /api/v1/requests/7/replies'     => array( 'status' => 201, 'json' => array( 'id' => 7 ) ),
				'POST /api/v1/requests/7/transitions' => array( 'json' => array( 'id' => 7, 'status' => 'solved' ) ),
				'PUT /api/v1/requests/7/assignee'     => array( 'json' => array( 'id' => 7 ) ),
			)
		);
		$this->act( 'reply', array( 'body' => 'It is at the Incheon hub.' ) );
		$this->act( 'note', array( 'body' => 'Called CJ' ) );
		$this->act( 'solve' );
		$this->act( 'reopen' );
		$this->act( 'assign', array( 'assignee' => 'user2' ) );
		$sent = array_map( static fn( $r ) => array( $r['method'] . ' ' . $r['uri'], json_decode( $r['body'], true ) ), self::$server->requests() );
		$this->assertSame(
			array(
				array( 'POST /api/v1/requests/7/replies', array( 'body' => 'It is at the Incheon hub.', 'internal' => false, 'author' => 'Jae Park' ) ),
				array( 'POST /api/v1/requests/7/replies', array( 'body' => 'Called CJ', 'internal' => true, 'author' => 'Jae Park' ) ),
				array( 'POST /api/v1/requests/7/transitions', array( 'to' => 'solved', 'by' => 'Jae Park' ) ),
				array( 'POST /api/v1/requests/7/transitions', array( 'to' => 'open', 'by' => 'Jae Park' ) ),
				array( 'PUT /api/v1/requests/7/assignee', array( 'assignee' => 'user2', 'by' => 'Jae Park' ) ),
			),
			$sent
		);
		$this->assertSame( array( 'success' ), array_unique( array_column( Admin_Notices::take(), 'type' ) ) );

		self::$server->script( array() );
		$this->act( 'assign', array( 'assignee' => 'user99' ) ); // Not staff.
		$this->act( 'reply', array( 'body' => '   ' ) );
		$this->act( 'delete' );
		Support_Inbox::handle( array( 'request_id' => '7', 'op' => 'solve', '_wpnonce' => 'forged' ) );
		Stub::login( 5, array( 'read' ) );
		$this->act( 'solve' );
		$this->assertSame( array(), self::$server->requests(), 'nothing reaches aftercare' );
		$this->assertSame( array( 'error' ), array_unique( array_column( Admin_Notices::take(), 'type' ) ) );
	}

	public function test_a_requests_photo_is_fetched_with_the_key_and_checked_by_its_bytes(): void {
		$png = base64_decode( 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' );
		self::$server->script(
			array(
				'GET /api/v1/requests/7/photos/1' => array( 'headers' => array( 'Content-Type' => 'image/png' ), 'body_base64' => base64_encode( $png ) ),
				'GET /api/v1/requests/7/photos/2' => array( 'headers' => array( 'Content-Type' => 'image/png' ), 'body' => '<?php echo 1;' ),
			)
		);
		$nonce  = wp_create_nonce( Support_Inbox::PHOTO_ACTION . '_7' );
		$result = Support_Inbox::fetch_photo( array( 'request_id' => '7', 'position' => '1', '_wpnonce' => $nonce ) );
		$this->assertIsArray( $result );
		$this->assertSame( 'image/png', $result['type'] );
		$this->assertSame( $png, file_get_contents( $result['file'] ) );
		unlink( $result['file'] );
		$this->assertSame( 'Bearer test-api-key-0123456789', self::$server->requests()[0]['headers']['authorization'] );
		$this->assertSame( 502, Support_Inbox::fetch_photo( array( 'request_id' => '7', 'position' => '2', '_wpnonce' => $nonce ) ), 'not an image by its bytes' );
		$this->assertSame( 403, Support_Inbox::fetch_photo( array( 'request_id' => '8', 'position' => '1', '_wpnonce' => $nonce ) ) );
		Stub::login( 5, array( 'read' ) );
		$this->assertSame( 403, Support_Inbox::fetch_photo( array( 'request_id' => '7', 'position' => '1', '_wpnonce' => wp_create_nonce( Support_Inbox::PHOTO_ACTION . '_7' ) ) ) );
	}

	public function test_faq_answers_are_listed_with_their_counts_and_saved_as_the_interface_says(): void {
		$answer = array( 'id' => 3, 'question' => 'Where is my parcel?', 'answer' => '<p>At {parcel_location}</p>', 'lang' => 'en', 'when' => array( 'order_statuses' => array(), 'delivery_states' => array( 'shipped' ), 'topics' => array( 'where_is_my_order' ), 'product_ids' => array() ), 'shown' => 40, 'orders' => 20, 'followed_by_request' => 3 );
		self::$server->script(
			array(
				'GET /api/v1/answers'      => array( 'json' => array( 'answers' => array( $answer ) ) ),
				'POST /api/v1/answers'     => array( 'status' => 201, 'json' => array( 'id' => 4 ) ),
				'PUT /api/v1/answers/3'    => array( 'status' => 422, 'json' => array( 'error' => array( 'code' => 'validation_failed', 'message' => 'x', 'fields' => array( array( 'field' => 'answer', 'message' => '`{tomorrow}` is not a known placeholder' ) ) ) ) ),
				'DELETE /api/v1/answers/3' => array( 'status' => 204, 'body' => '' ),
			)
		);
		$xpath = self::dom( Answers_Admin::page( '' ) );
		$row   = $xpath->query( '//table/tbody/tr' )->item( 0 );
		$this->assertStringContainsString( '3 of 20 orders (15%)', $row->textContent );
		$this->assertStringContainsString( 'Where is my order?', $row->textContent );
		$edit = self::dom( Answers_Admin::page( '3' ) );
		$this->assertSame( 'Where is my parcel?', $edit->query( '//input[@name="question"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 1, $edit->query( '//input[@name="delivery_states[]"][@value="shipped"][@checked]' )->length );

		$url = Answers_Admin::save(
			array(
				'id'              => '0',
				'question'        => 'Invoice?',
				'answer'          => '<p>See <a href="{invoice_url}">your invoice</a></p>',
				'lang'            => 'ko',
				'order_statuses'  => array( 'completed', 'bogus' ),
				'topics'          => array( 'invoice_and_billing' ),
				'product_ids'     => '12, 12 x 40',
				'_wpnonce'        => wp_create_nonce( Answers_Admin::SAVE_ACTION . '_0' ),
			)
		);
		$this->assertSame( Answers_Admin::url(), $url );
		$posted = self::$server->requests()[2];
		$this->assertSame( 'POST /api/v1/answers', $posted['method'] . ' ' . $posted['uri'] );
		$this->assertSame(
			array( 'question' => 'Invoice?', 'answer' => '<p>See <a href="{invoice_url}">your invoice</a></p>', 'lang' => 'ko', 'when' => array( 'order_statuses' => array( 'completed' ), 'delivery_states' => array(), 'topics' => array( 'invoice_and_billing' ), 'product_ids' => array( 12, 40 ) ) ),
			json_decode( $posted['body'], true )
		);
		Admin_Notices::take();
		Answers_Admin::save( array( 'id' => '3', 'question' => 'Q', 'answer' => 'By {tomorrow}', '_wpnonce' => wp_create_nonce( Answers_Admin::SAVE_ACTION . '_3' ) ) );
		$notice = Admin_Notices::take()[0];
		$this->assertSame( 'error', $notice['type'] );
		$this->assertStringContainsString( '{tomorrow}', $notice['lines'][0] );
		$this->assertSame( 'By {tomorrow}', self::dom( Answers_Admin::page( '3' ) )->query( '//textarea[@name="answer"]' )->item( 0 )->textContent, 'what was typed is kept' );
		Answers_Admin::delete( array( 'id' => '3', '_wpnonce' => wp_create_nonce( Answers_Admin::DELETE_ACTION . '_3' ) ) );
		Answers_Admin::delete( array( 'id' => '3', '_wpnonce' => 'forged' ) );
		$deletes = array_filter( self::$server->requests(), static fn( $r ) => 'DELETE' === $r['method'] );
		$this->assertCount( 1, $deletes );
	}

	public function test_the_guide_box_shows_clicks_and_saves_or_deletes_the_guide(): void {
		$guide = array( 'scope' => 'product', 'key' => '55', 'text' => 'Charge first.', 'links' => array( array( 'title' => 'Setup video', 'url' => 'https://video.example/setup', 'tracked_url' => 'https://aftercare.example/g/t1', 'clicks' => 12 ) ) );
		self::$server->script(
			array(
				'GET /api/v1/products/55/guide'    => array( 'json' => $guide ),
				'PUT /api/v1/products/55/guide'    => array( 'json' => $guide ),
				'DELETE /api/v1/products/55/guide' => array( 'status' => 204, 'body' => '' ),
			)
		);
		$xpath = self::dom( Guide_Box::box( 55 ) );
		$this->assertSame( array( 'GET /api/v1/products/55/guide' ), array_map( static fn( $r ) => $r['method'] . ' ' . $r['uri'], self::$server->requests() ), 'only this product\'s guide is read' );
		$this->assertSame( 'Charge first.', self::text( $xpath, '//textarea[@name="aftercare_guide_text"]' ) );
		$this->assertSame( '12', self::text( $xpath, '//tbody/tr[1]/td[3]' ) );
		$was   = $xpath->query( '//input[@name="aftercare_guide_was"]' )->item( 0 )->getAttribute( 'value' );
		$nonce = wp_create_nonce( Guide_Box::NONCE );
		$same  = array(
			'aftercare_guide_text'   => 'Charge first.',
			'aftercare_guide_title'  => array( 'Setup video', '' ),
			'aftercare_guide_url'    => array( 'https://video.example/setup', '' ),
			'aftercare_guide_was'    => $was,
			'_aftercare_guide_nonce' => $nonce,
		);
		$this->assertSame( 'unchanged', Guide_Box::save( 55, $same ), 'saving a product without touching the guide sends nothing' );
		$this->assertSame( 'saved', Guide_Box::save( 55, array_merge( $same, array( 'aftercare_guide_title' => array( 'Setup video', '' ), 'aftercare_guide_url' => array( 'https://video.example/setup', 'https://manual.example/m.pdf' ) ) ) ) );
		$put = array_values( array_filter( self::$server->requests(), static fn( $r ) => 'PUT' === $r['method'] ) )[0];
		$this->assertSame( array( 'text' => 'Charge first.', 'links' => array( array( 'title' => 'Setup video', 'url' => 'https://video.example/setup' ), array( 'title' => 'https://manual.example/m.pdf', 'url' => 'https://manual.example/m.pdf' ) ) ), json_decode( $put['body'], true ) );
		$this->assertSame( 'deleted', Guide_Box::save( 55, array( 'aftercare_guide_text' => '', 'aftercare_guide_url' => array( 'javascript:alert(1)' ), 'aftercare_guide_was' => $was, '_aftercare_guide_nonce' => $nonce ) ) );
		$this->assertSame( 'denied', Guide_Box::save( 55, array( 'aftercare_guide_text' => 'x', '_aftercare_guide_nonce' => 'forged' ) ) );
		$this->assertSame( 'unchanged', Guide_Box::save( 55, array() ), 'a save without the box (quick edit) leaves the guide alone' );
	}

	public function test_the_guide_box_is_empty_without_a_guide_falls_back_on_an_older_aftercare_and_is_calm_when_it_is_down(): void {
		$other = array( 'scope' => 'product', 'key' => '5', 'text' => 'Another product', 'links' => array() );
		$mine  = array( 'scope' => 'product', 'key' => '55', 'text' => 'From the list.', 'links' => array( array( 'title' => 'Manual', 'url' => 'https://shop.example/m.pdf', 'clicks' => 3 ) ) );
		self::$server->script(
			array(
				'GET /api/v1/products/56/guide' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'guide_not_found', 'message' => 'No guide is kept for this.' ) ) ),
				'GET /api/v1/products/55/guide' => array( 'status' => 405, 'body' => '' ),
				'GET /api/v1/guides'            => array( 'json' => array( 'guides' => array( $other, $mine ) ) ),
			)
		);
		$xpath = self::dom( Guide_Box::box( 56 ) );
		$this->assertSame( 1, $xpath->query( '//textarea[@name="aftercare_guide_text"]' )->length, 'no guide yet: a box to write one in' );
		$this->assertSame( '', self::text( $xpath, '//textarea[@name="aftercare_guide_text"]' ) );
		$this->assertSame( Guide_Box::fingerprint( null ), $xpath->query( '//input[@name="aftercare_guide_was"]' )->item( 0 )->getAttribute( 'value' ) );
		$xpath = self::dom( Guide_Box::box( 55 ) );
		$this->assertSame( 'From the list.', self::text( $xpath, '//textarea[@name="aftercare_guide_text"]' ), 'an aftercare without GET of one guide: found in the list' );
		$this->assertSame( '3', self::text( $xpath, '//tbody/tr[1]/td[3]' ) );

		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$html = Guide_Box::box( 55 );
		$this->assertStringContainsString( 'could not be loaded', $html );
		$this->assertStringNotContainsString( 'aftercare_guide_text', $html, 'no form, so saving the product leaves the guide alone' );
		$this->assertSame( 'unchanged', Guide_Box::save( 55, array() ) );
	}

	public function test_a_variation_keeps_its_own_guide_from_woocommerces_variations_panel(): void {
		$guide = array( 'scope' => 'variation', 'key' => '418', 'text' => 'Wash cold.', 'links' => array( array( 'title' => 'Size chart', 'url' => 'https://shop.example/sizes', 'clicks' => 4 ) ) );
		self::$server->script(
			array(
				'GET /api/v1/guides'                            => array( 'json' => array( 'guides' => array( $guide ) ) ),
				'PUT /api/v1/products/402/variations/418/guide' => array( 'json' => $guide ),
			)
		);
		$xpath = self::dom( Guide_Box::variation_fields( 1, 418 ) . Guide_Box::variation_fields( 2, 419 ) );
		$this->assertCount( 1, self::$server->requests(), 'the guides are read once for all the variations' );
		$this->assertSame( 'Wash cold.', self::text( $xpath, '//textarea[@name="aftercare_vguide_text[1]"]' ) );
		$this->assertSame( '', self::text( $xpath, '//textarea[@name="aftercare_vguide_text[2]"]' ) );
		$this->assertStringContainsString( '4 clicks', $xpath->document->textContent );
		$was  = $xpath->query( '//input[@name="aftercare_vguide_was[1]"]' )->item( 0 )->getAttribute( 'value' );
		$post = array(
			'product_id'             => '402',
			'_aftercare_guide_nonce' => wp_create_nonce( Guide_Box::NONCE ),
			'aftercare_vguide_text'  => array( 1 => 'Wash cold, dry flat.' ),
			'aftercare_vguide_title' => array( 1 => array( 'Size chart' ) ),
			'aftercare_vguide_url'   => array( 1 => array( 'https://shop.example/sizes' ) ),
			'aftercare_vguide_was'   => array( 1 => $was ),
		);
		$this->assertSame( 'saved', Guide_Box::save_variation( 418, 1, $post ) );
		$put = self::$server->requests()[1];
		$this->assertSame( 'PUT /api/v1/products/402/variations/418/guide', $put['method'] . ' ' . $put['uri'] );
		$this->assertSame( array( 'text' => 'Wash cold, dry flat.', 'links' => array( array( 'title' => 'Size chart', 'url' => 'https://shop.example/sizes' ) ) ), json_decode( $put['body'], true ) );
		$this->assertSame( 'unchanged', Guide_Box::save_variation( 419, 2, $post ), 'a variation the form did not show' );
		$this->assertSame( 'denied', Guide_Box::save_variation( 418, 1, array( '_aftercare_guide_nonce' => 'forged' ) + $post ) );
	}

	public function test_support_reply_and_product_guide_go_out_through_their_woocommerce_emails(): void {
		Emails::register();
		$messages = array(
			array(
				'id'       => 'msg_reply',
				'type'     => 'support_reply',
				'order_id' => 1001,
				'locale'   => 'en_US',
				'to'       => array( 'email' => 'minjun@example.com' ),
				'data'     => array(
					'support' => array(
						'id'     => 'req_7',
						'topic'  => 'where_is_my_order',
						'status' => 'open',
						'reply'  => array( 'id' => 3, 'body' => "It is at the Incheon hub.\n<b>Due Friday</b>", 'author' => 'Jae Park', 'created_at' => '2026-12-01T10:00:00Z' ),
					),
				),
			),
			array(
				'id'       => 'msg_guide',
				'type'     => 'product_guide',
				'order_id' => 1001,
				'locale'   => 'ko_KR',
				'to'       => array( 'email' => 'minjun@example.com' ),
				'data'     => array( 'guides' => array( array( 'name' => 'Nimbus Wireless Mouse', 'text' => 'Charge it first.', 'links' => array( array( 'title' => 'Setup video', 'url' => 'https://aftercare.example/g/t1' ) ) ) ) ),
			),
		);
		$messages[] = array(
			'id'       => 'msg_delivered',
			'type'     => 'delivered',
			'order_id' => 1001,
			'locale'   => 'en_US',
			'to'       => array( 'email' => 'minjun@example.com' ),
			'data'     => array( 'guides' => $messages[1]['data']['guides'] ),
		);
		$routes     = array( 'GET /api/v1/messages/due' => array( 'json' => array( 'messages' => $messages ) ) );
		foreach ( $messages as $m ) {
			$routes[ 'POST /api/v1/messages/' . $m['id'] . '/result' ] = array( 'json' => array( 'id' => $m['id'] ) );
		}
		self::$server->script( $routes );
		$this->assertSame( array( 'msg_reply' => 'sent', 'msg_guide' => 'sent', 'msg_delivered' => 'sent' ), Messages::run() );
		$mails = WC_Stub::$mails;
		$this->assertCount( 3, $mails );
		$this->assertStringContainsString( 'Nimbus Wireless Mouse: <a href="https://aftercare.example/g/t1">Setup video</a>', $mails[2]['message'], 'the delivered email links the guides' );
		$this->assertStringContainsString( 'We answered your question', $mails[0]['subject'] );
		$this->assertStringContainsString( 'It is at the Incheon hub.', $mails[0]['message'] );
		$this->assertStringContainsString( '&lt;b&gt;Due Friday&lt;/b&gt;', $mails[0]['message'] );
		$this->assertStringContainsString( 'Where is my order?', $mails[0]['message'] );
		$this->assertStringContainsString( 'view-order/1001', $mails[0]['message'], 'a link back to the conversation' );
		$this->assertStringContainsString( '사용 시작 안내', $mails[1]['subject'], 'the customer\'s language' );
		$this->assertStringContainsString( 'https://aftercare.example/g/t1', $mails[1]['message'] );
	}
}
