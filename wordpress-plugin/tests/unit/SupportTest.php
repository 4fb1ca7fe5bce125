<?php
/**
 * Support requests from the customer's side: the ask form (with photos), replies, the answers
 * for a topic, the Support tab and the order page's answers, guides and conversations.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Support;
use Aftercare\Support_Actions;

final class SupportTest extends Scripted_Test_Case {

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

	private function open( array $fields, $files = null ): string {
		return Support_Actions::handle_open(
			array_merge(
				array(
					'order_id' => '1001',
					'_wpnonce' => wp_create_nonce( Support_Actions::OPEN_ACTION . '_1001' ),
				),
				$fields
			),
			$files
		);
	}

	private static function request( array $extra = array() ): array {
		return array_merge(
			array(
				'id'           => 7,
				'order_id'     => 1001,
				'topic'        => 'damaged_or_wrong_item',
				'status'       => 'open',
				'item'         => array( 'line_item_id' => 201, 'product_id' => 55, 'name' => 'Nimbus Wireless Mouse' ),
				'created_at'   => '2026-12-01T09:00:00Z',
				'messages'     => array(
					array( 'from' => 'customer', 'body' => 'The wheel <b>squeaks</b>', 'created_at' => '2026-12-01T09:00:00Z', 'photos' => array( array( 'position' => 1 ) ) ),
					array( 'from' => 'staff', 'author' => 'Jae Park', 'body' => 'Sorry! A new one is on its way.', 'internal' => false, 'created_at' => '2026-12-01T10:00:00Z' ),
					array( 'from' => 'note', 'author' => 'Jae Park', 'body' => 'SECRET: warehouse mixed up batch 12', 'created_at' => '2026-12-01T10:05:00Z' ),
				),
			),
			$extra
		);
	}

	public function test_the_form_checks_topic_item_and_message_before_anything_is_sent(): void {
		$checked = Support::validate( array( 'topic' => 'lost_parcel', 'line_item_id' => '999', 'message' => '   ' ), $this->view );
		$this->assertSame( array( 'topic', 'line_item_id', 'message' ), array_keys( $checked['errors'] ) );
		$this->assertNull( $checked['body'] );
		$checked = Support::validate( array( 'topic' => 'where_is_my_order', 'line_item_id' => '0', 'message' => "  Where is it?\nThanks  " ), $this->view );
		$this->assertSame( array( 'topic' => 'where_is_my_order', 'line_item_id' => null, 'body' => "Where is it?\nThanks" ), $checked['body'] );
		$too_long = Support::validate( array( 'topic' => 'something_else', 'message' => str_repeat( 'a', Support::MAX_MESSAGE_CHARS + 1 ) ), $this->view );
		$this->assertArrayHasKey( 'message', $too_long['errors'] );

		$this->script();
		$url = $this->open( array( 'topic' => 'shipping', 'message' => 'Hi' ) );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/#aftercare-support', $url );
		$this->assertSame( array( 'GET' ), array_column( self::$server->requests(), 'method' ), 'a refused form sends nothing' );
		$state = Support_Actions::take_form_state( 42, 1001 );
		$this->assertArrayHasKey( 'topic', $state['errors'] );
		$this->assertSame( 'Hi', $state['old']['message'] );
	}

	public function test_a_request_with_a_photo_goes_as_multipart_and_forgets_the_cached_views(): void {
		$this->script( array( 'POST /api/v1/customers/42/orders/1001/requests' => array( 'status' => 201, 'json' => array( 'id' => 7, 'status' => 'open' ) ) ) );
		$file = tempnam( sys_get_temp_dir(), 'up' );
		file_put_contents( $file, base64_decode( self::PNG ) );
		add_filter( 'aftercare_is_uploaded_file', '__return_true' );
		try {
			$this->open(
				array( 'topic' => 'damaged_or_wrong_item', 'line_item_id' => '201', 'message' => 'Arrived cracked' ),
				array(
					'name'     => array( 'crack.jpg' ),
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
		$this->assertSame( '/api/v1/customers/42/orders/1001/requests', $post['uri'] );
		$this->assertStringStartsWith( 'multipart/form-data; boundary=', $post['headers']['content-type'] );
		$this->assertSame( array( 'topic' => 'damaged_or_wrong_item', 'line_item_id' => 201, 'body' => 'Arrived cracked' ), json_decode( $post['post']['request'], true ) );
		$this->assertSame( 'image/png', $post['files']['photos']['type'], 'the type comes from the bytes' );
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'] );
	}

	public function test_a_fake_photo_is_refused_here_and_aftercares_refusal_is_shown_on_the_form(): void {
		$this->script( array( 'POST /api/v1/customers/42/orders/1001/requests' => array( 'status' => 422, 'json' => array( 'error' => array( 'code' => 'validation_failed', 'message' => 'Check the fields.', 'fields' => array( array( 'field' => 'topic', 'message' => 'unknown topic' ) ) ) ) ) ) );
		$file = tempnam( sys_get_temp_dir(), 'up' );
		file_put_contents( $file, '<?php echo "not an image";' );
		add_filter( 'aftercare_is_uploaded_file', '__return_true' );
		try {
			$this->open(
				array( 'topic' => 'how_to_use', 'message' => 'How?' ),
				array(
					'name'     => array( 'photo.jpg' ),
					'tmp_name' => array( $file ),
					'error'    => array( UPLOAD_ERR_OK ),
					'size'     => array( filesize( $file ) ),
				)
			);
		} finally {
			unset( Stub::$hooks['aftercare_is_uploaded_file'] );
			unlink( $file );
		}
		$this->assertCount( 1, self::$server->requests(), 'a fake photo is refused before anything is sent' );
		$this->assertArrayHasKey( 'photos', Support_Actions::take_form_state( 42, 1001 )['errors'] );

		$this->open( array( 'topic' => 'how_to_use', 'message' => 'How?' ) );
		$this->assertSame( array( 'topic' => 'Choose what your question is about.' ), Support_Actions::take_form_state( 42, 1001 )['errors'] );
	}

	public function test_with_aftercare_down_the_form_keeps_what_was_typed_and_says_so(): void {
		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$this->open( array( 'topic' => 'where_is_my_order', 'message' => 'Where?' ) );
		$this->assertSame( 'error', Stub::$wc_notices[0]['type'] );
		$this->assertStringContainsString( 'Nothing was submitted', Stub::$wc_notices[0]['message'] );
		$this->assertSame( 'Where?', Support_Actions::take_form_state( 42, 1001 )['old']['message'] );
	}

	public function test_a_reply_goes_to_the_customers_own_request_only(): void {
		self::$server->script( array( 'POST /api/v1/customers/42/requests/7/messages' => array( 'status' => 201, 'json' => array( 'id' => 7, 'status' => 'open' ) ) ) );
		$url = Support_Actions::handle_reply(
			array(
				'request_id' => '7',
				'order_id'   => '1001',
				'message'    => 'Still squeaks',
				'back'       => 'https://evil.example/',
				'_wpnonce'   => wp_create_nonce( Support_Actions::REPLY_ACTION . '_7' ),
			)
		);
		$this->assertStringStartsWith( 'https://shop.test/', $url, 'never redirected off the shop' );
		$this->assertStringEndsWith( '#aftercare-request-7', $url );
		$this->assertSame( array( 'body' => 'Still squeaks' ), json_decode( self::$server->requests()[0]['body'], true ) );
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'] );

		Stub::$wc_notices = array();
		Support_Actions::handle_reply( array( 'request_id' => '8', 'message' => 'x', '_wpnonce' => wp_create_nonce( Support_Actions::REPLY_ACTION . '_7' ) ) );
		$this->assertCount( 1, self::$server->requests(), 'a nonce for another request sends nothing' );
		$this->assertSame( 'error', Stub::$wc_notices[0]['type'] );
	}

	public function test_the_answers_for_a_topic_are_asked_for_and_fall_back_to_the_order_views(): void {
		$nonce = wp_create_nonce( Support_Actions::ANSWERS_ACTION . '_1001' );
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001/answers' => array( 'json' => array( 'answers' => array( array( 'id' => 3, 'question' => 'Where is <my> parcel?', 'answer' => '<p>At Incheon hub, due Dec 5.</p><script>bad()</script>' ) ) ) ) ) );
		$html = Support_Actions::answers( array( 'order_id' => '1001', 'topic' => 'where_is_my_order', 'nonce' => $nonce ), '203.0.113.9' );
		$this->assertSame( '/api/v1/customers/42/orders/1001/answers?topic=where_is_my_order', self::$server->requests()[0]['uri'] );
		$this->assertStringContainsString( 'Where is &lt;my&gt; parcel?', $html );
		$this->assertStringContainsString( '<p>At Incheon hub, due Dec 5.</p>', $html );
		$this->assertNull( Support_Actions::answers( array( 'order_id' => '1001', 'topic' => 'where_is_my_order', 'nonce' => 'bad' ), '203.0.113.9' ) );
		$this->assertNull( Support_Actions::answers( array( 'order_id' => '1001', 'topic' => 'lost', 'nonce' => $nonce ), '203.0.113.9' ) );

		// An aftercare without the route: the order view's answers that fit the topic.
		$this->view['answers'] = array(
			array( 'id' => 1, 'question' => 'Invoice?', 'answer' => '<p>Download it here.</p>', 'topics' => array( 'invoice_and_billing' ) ),
			array( 'id' => 2, 'question' => 'Any time', 'answer' => '<p>We answer within a day.</p>', 'topics' => array() ),
		);
		$this->script();
		$html = Support_Actions::answers( array( 'order_id' => '1001', 'topic' => 'where_is_my_order', 'nonce' => $nonce ), '203.0.113.9' );
		$this->assertStringContainsString( 'Any time', $html );
		$this->assertStringNotContainsString( 'Invoice?', $html );
	}

	public function test_the_order_page_shows_answers_guides_conversations_and_the_ask_form(): void {
		$this->view['answers'] = array( array( 'id' => 1, 'question' => 'When does it arrive?', 'answer' => '<p>Expected <strong>Dec 5</strong>.</p>', 'topics' => array() ) );
		$this->view['guides']  = array( array( 'line_item_id' => 201, 'name' => 'Nimbus Wireless Mouse', 'text' => "Charge it first.\n<b>Then</b> pair.", 'links' => array( array( 'title' => 'Setup video', 'url' => 'https://aftercare.example/g/tok1' ), array( 'title' => 'Bad', 'url' => 'javascript:alert(1)' ) ) ) );
		$this->view['requests'] = array( self::request() );
		$this->script();
		$html  = Account::order_section( 1001 );
		$xpath = self::dom( $html );
		$this->assertSame( 'When does it arrive?', self::text( $xpath, '//details[@class="aftercare-answer"]/summary' ) );
		$this->assertSame( 'https://aftercare.example/g/tok1', $xpath->query( '//ul[@class="aftercare-guide__links"]//a' )->item( 0 )->getAttribute( 'href' ) );
		$this->assertSame( 1, $xpath->query( '//ul[@class="aftercare-guide__links"]//a' )->length, 'only web links' );
		$this->assertStringContainsString( '&lt;b&gt;Then&lt;/b&gt; pair.', $html );
		$this->assertSame( 2, $xpath->query( '//li[@id="aftercare-request-7"]//li[contains(@class,"aftercare-thread__message")]' )->length, 'internal notes are never shown to the customer' );
		$this->assertStringNotContainsString( 'SECRET', $html );
		$this->assertStringContainsString( 'The wheel &lt;b&gt;squeaks&lt;/b&gt;', $html );
		$this->assertSame( 1, $xpath->query( '//form[@class="aftercare-reply"]//input[@name="request_id"][@value="7"]' )->length );
		$topics = array_map( static fn( $o ) => $o->getAttribute( 'value' ), iterator_to_array( $xpath->query( '//form[@id="aftercare-support"]//select[@name="topic"]/option' ) ) );
		$this->assertSame( array_merge( array( '' ), Support::TOPICS ), $topics );
		$this->assertSame( 4, $xpath->query( '//form[@id="aftercare-support"]//select[@name="line_item_id"]/option' )->length );
		$this->assertSame( 'multipart/form-data', $xpath->query( '//form[@id="aftercare-support"]' )->item( 0 )->getAttribute( 'enctype' ) );
		$this->assertContains( 'aftercare-support', Stub::$registered['scripts'] ?? array() );
	}

	public function test_the_support_tab_lists_requests_and_stays_calm_when_aftercare_is_down(): void {
		self::$server->script( array( 'GET /api/v1/customers/42/requests' => array( 'json' => array( 'requests' => array( self::request( array( 'status' => 'solved' ) ) ) ) ) ) );
		$xpath = self::dom( Account::support_tab() );
		$this->assertSame( 'Solved', self::text( $xpath, '//li[@id="aftercare-request-7"]//span[contains(@class,"aftercare-badge")]' ) );
		$this->assertStringContainsString( 'Reply to reopen', self::text( $xpath, '//form[@class="aftercare-reply"]/label' ) );
		$this->assertSame( 'Nimbus Wireless Mouse', trim( explode( '·', self::text( $xpath, '//li[@id="aftercare-request-7"]//span[@class="aftercare-muted"]' ) )[1] ) );

		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$html = Account::support_tab();
		$this->assertStringContainsString( 'briefly unavailable', $html );
	}
}
