<?php
/**
 * [aftercare_track]: finding a guest's order by number and email, with a per-address limit.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Guest_Tracking;

final class GuestTrackingTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/guest-usd.json' ) );
		$draft = WC_Stub::add_order_from_json( self::order_fixture( 'orders/checkout-draft.json' ) );
		$this->assertSame( 'checkout-draft', $draft->get_status() );
		self::$server->script( array( 'GET /api/v1/guest/orders/1002' => array( 'json' => self::guest_view() ) ) );
	}

	/**
	 * The fixture as aftercare shows it to a guest: document URLs are signed public links.
	 */
	public static function guest_view(): array {
		$view                   = array_merge( self::fixture( 'order-view-full.json' ), array( 'id' => 1002, 'number' => '1002' ) );
		$view['invoice']['url'] = $view['invoice']['download_url'];
		foreach ( $view['credit_notes'] as &$note ) {
			$note['url'] = $note['download_url'];
		}
		unset( $note );
		return $view;
	}

	public function test_number_and_email_in_any_case_find_the_order_with_its_key(): void {
		$result = Guest_Tracking::lookup( '#1002', '  ZOE.OBRIEN@example.NET ', '203.0.113.9' );
		$this->assertSame( 'found', $result['status'] );
		$request = self::$server->requests()[0];
		parse_str( (string) parse_url( $request['uri'], PHP_URL_QUERY ), $query );
		$this->assertSame( 'wc_order_h3JdN8wYc5QeB', $query['key'] );
		$this->assertSame( '203.0.113.9', $request['headers']['x-aftercare-client-ip'] );

		$html = Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'zoe.obrien@example.net' ) );
		$xpath = self::dom( $html );
		$this->assertStringContainsString( 'Order #1002', self::text( $xpath, '//h2' ) );
		$this->assertSame( 2, $xpath->query( '//article' )->length );
		$this->assertStringNotContainsString( 'wc_order_', $html, 'the order key never reaches the page' );
		$this->assertStringNotContainsString( '<script>', $html );
	}

	public function test_the_result_says_what_was_ordered_when_and_where_it_goes(): void {
		$result = Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '203.0.113.9' );
		$xpath  = self::dom( Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'zoe.obrien@example.net' ) ) );
		$summary = '//div[@class="aftercare-order-summary"]';
		$this->assertSame( 'Placed on November 14, 2026', self::text( $xpath, $summary . '/p[contains(@class,"__date")]' ) );
		$items = array_map( static fn( $td ) => trim( preg_replace( '/\s+/u', ' ', $td->textContent ) ), iterator_to_array( $xpath->query( $summary . '//tbody/tr/td[1]' ) ) );
		$this->assertSame( array( 'Nimbus Wireless Mouse × 1', '오버핏 후드 티셔츠 - 블랙, L × 2', '제주 유기농 녹차 티백 <script>alert("item")</script> × 1' ), $items );
		$this->assertStringContainsString( '152,130', self::text( $xpath, $summary . '//tr[@class="aftercare-order-summary__total"]' ) );
		$address = self::text( $xpath, $summary . '//address' );
		foreach ( array( '민지 김', '강남구 테헤란로 123', '5층', '06236', 'South Korea' ) as $part ) {
			$this->assertStringContainsString( $part, $address );
		}
		$this->assertSame( 5, $xpath->query( $summary . "//address/br" )->length, "name, street, floor, city, postcode, country: one line each" );
	}

	public function test_a_guests_documents_are_buttons_posting_back_never_links_to_aftercare(): void {
		$result = Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '203.0.113.9' );
		$html   = Guest_Tracking::render( $result, array( 'number' => '1002', 'email' => 'zoe.obrien@example.net' ) );
		$xpath  = self::dom( $html );
		$this->assertStringNotContainsString( 'aftercare.example.com/documents', $html, 'shoppers need not reach aftercare for their documents' );
		$this->assertStringNotContainsString( 'signature=', $html );
		$this->assertSame( 0, $xpath->query( '//a[contains(@class,"__download")]' )->length );
		$forms = $xpath->query( '//form[contains(@class,"aftercare-document__form")]' );
		$this->assertSame( 2, $forms->length );
		$value = static fn( $form, string $name ) => $xpath->query( './/input[@name="' . $name . '"]', $form )->item( 0 )->getAttribute( 'value' );
		$this->assertFalse( $forms->item( 0 )->hasAttribute( 'action' ), 'posts back to the tracking page' );
		$this->assertSame( 'invoice', $value( $forms->item( 0 ), 'aftercare_guest_document' ) );
		$this->assertSame( '4', $value( $forms->item( 1 ), 'aftercare_guest_document' ) );
		$this->assertSame( 'zoe.obrien@example.net', $value( $forms->item( 1 ), 'aftercare_track_email' ) );
		$this->assertSame( wp_create_nonce( \Aftercare\Guest_Documents::NONCE_ACTION . '_4' ), $value( $forms->item( 1 ), '_aftercare_doc_nonce' ) );
		$this->assertSame( 'Credit note CN-2026-00001 for ₩15,000, issued November 16, 2026.', self::text( $xpath, '//li[contains(@class,"aftercare-credit-note")]/span' ) );

		$view                            = self::guest_view();
		$view['invoice']['download_url'] = 'javascript:alert(1)';
		$view['invoice']['url']          = 'javascript:alert(1)';
		self::$server->script( array( 'GET /api/v1/guest/orders/1002' => array( 'json' => $view ) ) );
		$html = Guest_Tracking::render( Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '203.0.113.9' ), array() );
		$this->assertStringNotContainsString( 'javascript:', $html );
		$this->assertStringNotContainsString( 'aftercare-invoice__download', $html, 'no signed link, no button' );
	}

	public function test_wrong_email_or_unknown_number_is_one_answer_and_asks_nothing(): void {
		$this->assertSame( 'not_found', Guest_Tracking::lookup( '1002', 'someone@example.net', '203.0.113.9' )['status'] );
		$this->assertSame( 'not_found', Guest_Tracking::lookup( '9999', 'zoe.obrien@example.net', '203.0.113.9' )['status'] );
		$this->assertSame( 'not_found', Guest_Tracking::lookup( '1003', 'minji.kim@example.com', '203.0.113.9' )['status'], 'checkout drafts are not orders yet' );
		$this->assertSame( array(), self::$server->requests() );
	}

	public function test_five_failures_block_the_address_but_not_others(): void {
		for ( $i = 0; $i < Guest_Tracking::MAX_FAILURES; $i++ ) {
			$this->assertSame( 'not_found', Guest_Tracking::lookup( '1002', 'wrong@example.net', '198.51.100.1' )['status'] );
		}
		$this->assertSame( 'limited', Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '198.51.100.1' )['status'], 'even the right answer waits' );
		$this->assertSame( 'found', Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '198.51.100.2' )['status'] );
		Stub::$now_offset = Guest_Tracking::WINDOW + 1;
		try {
			$this->assertSame( 'found', Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '198.51.100.1' )['status'] );
		} finally {
			Stub::$now_offset = 0;
		}
	}

	public function test_bad_input_and_expired_form(): void {
		$this->assertSame( 'invalid', Guest_Tracking::lookup( '', 'zoe.obrien@example.net', '1.2.3.4' )['status'] );
		$this->assertSame( 'invalid', Guest_Tracking::lookup( '1002', 'not-an-email', '1.2.3.4' )['status'] );
		$this->assertSame( 'expired', Guest_Tracking::lookup_from_post( array( 'aftercare_track_order' => '1002', 'aftercare_track_email' => 'zoe.obrien@example.net', '_aftercare_track_nonce' => 'old' ), '1.2.3.4' )['status'] );
		$this->assertSame( 'found', Guest_Tracking::lookup_from_post( array( 'aftercare_track_order' => '1002', 'aftercare_track_email' => 'zoe.obrien@example.net', '_aftercare_track_nonce' => wp_create_nonce( Guest_Tracking::NONCE_ACTION ) ), '1.2.3.4' )['status'] );
	}

	public function test_service_answers_map_to_calm_messages(): void {
		self::$server->script( array( 'GET /api/v1/guest/orders/1002' => array( 'status' => 429, 'json' => array( 'error' => array( 'code' => 'too_many_attempts', 'message' => 'x' ) ) ) ) );
		$this->assertSame( 'limited', Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '1.2.3.4' )['status'] );
		self::$server->script( array( 'GET /api/v1/guest/orders/1002' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'order_not_found', 'message' => 'x' ) ) ) ) );
		$pending = Guest_Tracking::lookup( '1002', 'zoe.obrien@example.net', '1.2.3.4' );
		$this->assertSame( 'pending', $pending['status'] );
		$this->assertStringContainsString( 'We have your order.', Guest_Tracking::render( $pending, array() ) );
	}

	public function test_form_keeps_typed_values_escaped_and_has_a_nonce(): void {
		$xpath = self::dom( Guest_Tracking::render( null, array( 'number' => '"><script>x</script>', 'email' => 'a@b.c' ) ) );
		$this->assertSame( '"><script>x</script>', $xpath->query( '//input[@name="aftercare_track_order"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( wp_create_nonce( Guest_Tracking::NONCE_ACTION ), $xpath->query( '//input[@name="_aftercare_track_nonce"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( array( Guest_Tracking::class, 'shortcode' ), Stub::$registered['shortcodes']['aftercare_track'] );
	}

	public function test_block_renders_like_the_shortcode(): void {
		$blocks = Stub::$registered['blocks'];
		$this->assertSame( AFTERCARE_PLUGIN_DIR . '/blocks/track', $blocks[0][0] );
		$meta = json_decode( (string) file_get_contents( $blocks[0][0] . '/block.json' ), true );
		$this->assertSame( 'aftercare/track', $meta['name'] );
		$this->assertSame( 'aftercare-for-woocommerce', $meta['textdomain'] );
		$this->assertSame( Guest_Tracking::shortcode(), call_user_func( $blocks[0][1]['render_callback'] ) );
	}
}
