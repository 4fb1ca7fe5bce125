<?php
/**
 * My Account screens rendered by the plugin's real templates from the real aftercare.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Customer_Actions;

final class MyAccountTest extends Service_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/pending-eur.json' ) );
		Stub::login( 42 );
	}

	private function wait_for_invoice(): array {
		return self::$service->wait_for( '/api/v1/customers/42/orders/1001', static fn( $code, $json ) => 200 === $code && ! empty( $json['invoice'] ) );
	}

	public function test_order_page_shows_the_issued_invoice_with_one_request(): void {
		$view  = $this->wait_for_invoice();
		$html  = Account::order_section( 1001 );
		$xpath = self::dom( $html );
		$this->assertCount( 1, Stub::$http, 'one request to aftercare per page' );
		$this->assertStringContainsString( 'Invoice ' . $view['invoice']['number'] . ', issued', self::text( $xpath, '//li[contains(@class,"aftercare-invoice")]' ) );
		$this->assertSame( 1, $xpath->query( '//a[contains(@class,"aftercare-invoice__download")]' )->length );
		$this->assertStringNotContainsString( Aftercare_Service::API_KEY, $html );
		// The public tracking page (`/t/{token}`) is meant for shoppers; the API and the
		// signed document links are not: the invoice goes through WordPress.
		$this->assertStringNotContainsString( self::$service->url . '/api/', $html, 'aftercare\'s API address never reaches the customer' );
		$this->assertStringNotContainsString( self::$service->url . '/documents/', $html, 'the invoice is proxied, not linked' );
		$this->assertSame( 1, $xpath->query( '//a[starts-with(@href,"' . self::$service->url . '/t/")]' )->length, 'the tracking page is linked' );
		$state = $view['delivery_state'];
		$this->assertStringContainsString( \Aftercare\Labels::delivery_state( $state ), self::text( $xpath, '//h2/span' ) );

		Account::order_section( 1001 );
		$this->assertCount( 1, Stub::$http, 'the next view comes from the short cache' );
	}

	public function test_invoice_download_streams_the_real_pdf(): void {
		$view   = $this->wait_for_invoice();
		$result = Customer_Actions::fetch_invoice( array( 'order_id' => '1001', '_wpnonce' => wp_create_nonce( Customer_Actions::INVOICE_ACTION . '_1001' ) ) );
		$this->assertIsArray( $result, json_encode( Stub::$wc_notices ) );
		$this->assertStringStartsWith( '%PDF-', (string) file_get_contents( $result['file'], false, null, 0, 8 ) );
		$this->assertGreaterThan( 1000, filesize( $result['file'] ) );
		$this->assertSame( $view['invoice']['number'] . '.pdf', $result['filename'] );
		unlink( $result['file'] );
	}

	public function test_credit_note_is_offered_and_streamed_through_wordpress(): void {
		// Order 4001: invoiced, then WooCommerce records a refund, and aftercare issues a credit note.
		$order              = self::order_fixture( 'orders/registered-krw.json' );
		$order['id']        = 4001;
		$order['number']    = '4001';
		$order['order_key'] = 'wc_order_e2e4001';
		$order['refunds']   = array();
		self::$service->deliver( 'order.created', (string) json_encode( $order ) );
		self::$service->wait_for( '/api/v1/customers/42/orders/4001', static fn( $code, $json ) => 200 === $code && ! empty( $json['invoice'] ) );
		$refunded                      = self::order_fixture( 'orders/registered-krw.updated.json' );
		$refunded['id']                = 4001;
		$refunded['number']            = '4001';
		$refunded['order_key']         = 'wc_order_e2e4001';
		list( $code ) = self::$service->deliver( 'order.updated', (string) json_encode( $refunded ) );
		$this->assertSame( 200, $code );
		$view = self::$service->wait_for( '/api/v1/customers/42/orders/4001', static fn( $code, $json ) => 200 === $code && ! empty( $json['credit_notes'] ) );
		WC_Stub::add_order_from_json( $refunded );
		$note = $view['credit_notes'][0];

		$html  = Account::order_section( 4001 );
		$xpath = self::dom( $html );
		$this->assertSame( 'Invoice and credit notes', self::text( $xpath, '//h2[following-sibling::ul[@class="aftercare-documents"]][last()]' ) );
		$this->assertStringContainsString( 'Credit note ' . $note['number'] . ' for ₩15,000, issued', self::text( $xpath, '//li[contains(@class,"aftercare-credit-note")]' ) );
		$this->assertStringNotContainsString( self::$service->url . '/api/', $html );
		$this->assertStringNotContainsString( self::$service->url . '/documents/', $html, 'a customer\'s credit note is proxied, not linked' );

		$link = html_entity_decode( $xpath->query( '//a[contains(@class,"aftercare-credit-note__download")]' )->item( 0 )->getAttribute( 'href' ) );
		parse_str( (string) parse_url( $link, PHP_URL_QUERY ), $get );
		$result = Customer_Actions::fetch_document( $get );
		$this->assertIsArray( $result, json_encode( Stub::$wc_notices ) );
		$this->assertStringStartsWith( '%PDF-', (string) file_get_contents( $result['file'], false, null, 0, 8 ) );
		$this->assertSame( $note['number'] . '.pdf', $result['filename'] );
		$this->assertGreaterThan( 1000, filesize( $result['file'] ) );
		unlink( $result['file'] );

		// The credit note of order 4001 is not a document of order 1001, though both are the customer's.
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', Customer_Actions::fetch_document( array( 'order_id' => '1001', 'document_id' => (string) $note['id'], '_wpnonce' => wp_create_nonce( Customer_Actions::DOCUMENT_ACTION . '_1001_' . $note['id'] ) ) ) );
		$this->assertSame( 'That document does not belong to this order.', end( Stub::$wc_notices )['message'] );
	}

	public function test_unpaid_order_has_no_invoice_yet(): void {
		Stub::login( 43 );
		$html = Account::order_section( 1004 );
		$this->assertStringContainsString( 'Your invoice will be available here once the payment is received.', $html );
		$result = Customer_Actions::fetch_invoice( array( 'order_id' => '1004', '_wpnonce' => wp_create_nonce( Customer_Actions::INVOICE_ACTION . '_1004' ) ) );
		$this->assertSame( 'https://shop.test/my-account/view-order/1004/', $result );
		$this->assertStringContainsString( 'not ready yet', Stub::$wc_notices[0]['message'] );
	}

	public function test_aftercare_refuses_an_order_that_is_not_the_customers(): void {
		// WooCommerce and aftercare disagree (say, the order was reassigned): aftercare's 404 wins.
		WC_Stub::$orders[1004]->customer_id = 42;
		$html = Account::order_section( 1004 );
		$this->assertStringContainsString( 'Delivery details for this order will appear here shortly.', $html );
		$this->assertStringNotContainsString( 'Ελλ', $html );
	}

	public function test_tracking_tab_is_calm_when_nothing_is_on_its_way(): void {
		Stub::login( 43 );
		$xpath = self::dom( Account::tracking_tab() );
		$this->assertSame( 'No parcels are on their way to you right now.', self::text( $xpath, '//div[contains(@class,"aftercare-empty")]' ) );
		$this->assertSame( '/api/v1/customers/43/orders?page=1&per_page=20', parse_url( Stub::$http[0]['url'], PHP_URL_PATH ) . '?' . parse_url( Stub::$http[0]['url'], PHP_URL_QUERY ) );
	}

	public function test_order_page_shows_parcels_from_the_tracking_meta(): void {
		$view = self::$service->get( '/api/v1/customers/42/orders/1001' )[1];
		$this->assertCount( 2, $view['shipments'], 'aftercare derives both parcels of the tracking meta' );
		$xpath = self::dom( Account::order_section( 1001 ) );
		$this->assertSame( 2, $xpath->query( '//article[contains(@class,"aftercare-parcel")]' )->length );
		$text = self::text( $xpath, '//article' );
		$this->assertStringContainsString( '568912340017', $text );
		$this->assertStringContainsString( 'BG2026111600731', $text );
		$this->assertStringContainsString( '번개 로지스', $text );
		$this->assertSame( 'https://track.example.kr/parcel?no=BG2026111600731', $xpath->query( '//a[text()="BG2026111600731"]' )->item( 0 )->getAttribute( 'href' ) );
	}

	public function test_tracking_tab_lists_parcels_on_their_way(): void {
		$list = self::$service->get( '/api/v1/customers/42/orders' )[1];
		$this->assertNotEmpty( $list['orders'][0]['shipments'], 'the order list carries each order\'s parcels' );
		$xpath = self::dom( Account::tracking_tab() );
		$this->assertStringContainsString( 'Order #1001', self::text( $xpath, '//article' ) );
		$this->assertStringContainsString( '568912340017', self::text( $xpath, '//article' ) );
		// The table scrolls inside its card, its cells name their column for the stacked phone
		// layout, and the two links are spaced buttons rather than words run together.
		$this->assertSame( 1, $xpath->query( '(//article)[1]//div[@class="aftercare-table-scroll"]/table' )->length );
		$this->assertSame( array( 'Carrier', 'Tracking number', 'Status', 'Expected' ), array_map( static fn( $td ) => $td->getAttribute( 'data-title' ), iterator_to_array( $xpath->query( '(//article//tbody/tr)[1]/td' ) ) ) );
		$links = $xpath->query( '(//article)[1]//p[@class="aftercare-actions"]/a' );
		$this->assertSame( 2, $links->length );
		foreach ( $links as $link ) {
			$this->assertSame( 'button', $link->getAttribute( 'class' ) );
		}
		$css = (string) file_get_contents( AFTERCARE_PLUGIN_DIR . '/assets/aftercare.css' );
		$this->assertMatchesRegularExpression( '/\.aftercare-actions \{[^}]*display: flex;[^}]*gap:/', $css );
		$this->assertMatchesRegularExpression( '/\.aftercare-table-scroll \{[^}]*overflow-x: auto/', $css );
	}

	public function test_returns_tab_lists_the_customers_returns(): void {
		$this->require_endpoint( 'GET', '/api/v1/customers/42/returns', '/api/v1/customers/{customer_id}/returns' );
		$xpath = self::dom( Account::returns_tab() );
		$this->assertSame( 1, $xpath->query( '//section[contains(@class,"aftercare-returns-tab")]' )->length );
		$this->assertSame( 0, $xpath->query( '//div[contains(@class,"aftercare-unavailable")]' )->length );
	}

	public function test_aftercares_refusal_reaches_the_form_in_the_plugins_words(): void {
		$this->require_endpoint( 'POST', '/api/v1/customers/43/orders/1004/returns', '/api/v1/customers/{customer_id}/orders/{order_id}/returns' );
		// Order 1004 is not paid yet, and has no line item 999: aftercare refuses both items.
		$body     = array(
			'items'      => array(
				array( 'line_item_id' => 921, 'quantity' => 1, 'reason' => 'damaged' ),
				array( 'line_item_id' => 999, 'quantity' => 1, 'reason' => 'damaged' ),
			),
			'resolution' => 'refund',
		);
		$response = \Aftercare\Api_Client::from_settings()->post_json( '/api/v1/customers/43/orders/1004/returns', $body );
		$this->assertSame( 422, $response->status );
		$this->assertSame( array( 'not_paid', 'unknown_item' ), array_column( $response->fields, 'reason' ), json_encode( $response->fields ) );
		$this->assertSame(
			array(
				'items.921.quantity' => 'Returns open once the order is paid.',
				'items.999.quantity' => 'This item is not part of this order.',
			),
			\Aftercare\Return_Form::service_errors( $response, $body ),
			'each refusal in a sentence the plugin translates'
		);
	}

	public function test_return_request_round_trip(): void {
		$this->require_endpoint( 'POST', '/api/v1/customers/42/orders/1001/returns', '/api/v1/customers/{customer_id}/orders/{order_id}/returns' );
		// Returns open once the goods have arrived: the order was completed yesterday.
		$order     = self::order_fixture( 'orders/registered-krw.updated.json' );
		$yesterday = gmdate( 'Y-m-d\TH:i:s', time() - 86400 );
		$order['date_completed_gmt'] = $yesterday;
		$order['date_modified_gmt']  = $yesterday;
		list( $code ) = self::$service->deliver( 'order.updated', (string) json_encode( $order ) );
		$this->assertSame( 200, $code );
		$view = self::$service->get( '/api/v1/customers/42/orders/1001' )[1];
		$line = null;
		foreach ( $view['return_eligibility'] as $row ) {
			if ( $row['returnable_quantity'] > 0 ) {
				$line = $row['line_item_id'];
				break;
			}
		}
		$this->assertNotNull( $line, 'a completed order has something returnable' );
		$url = Customer_Actions::handle_return_request(
			array(
				'order_id'   => '1001',
				'_wpnonce'   => wp_create_nonce( Customer_Actions::REQUEST_ACTION . '_1001' ),
				'items'      => array( (string) $line => array( 'quantity' => '1', 'reason' => 'damaged', 'reason_text' => '<script>alert(1)</script> cracked' ) ),
				'resolution' => 'refund',
				'comment'    => 'Box was crushed',
			),
			null
		);
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'] ?? null, json_encode( Stub::$wc_notices ) . json_encode( Customer_Actions::take_form_state( 42, 1001 ) ) );
		$this->assertStringEndsWith( '#aftercare-return', $url );
		$html = Account::order_section( 1001 );
		$this->assertStringContainsString( 'Requested', $html );
		$this->assertStringNotContainsString( '<script>alert(1)', $html );

		$this->require_endpoint( 'POST', '/api/v1/customers/42/returns/1/cancel', '/api/v1/customers/{customer_id}/returns/{return_id}/cancel' );
		$returns = self::$service->get( '/api/v1/customers/42/returns' )[1]['returns'];
		Customer_Actions::handle_return_cancel(
			array(
				'return_id' => (string) $returns[0]['id'],
				'order_id'  => '1001',
				'_wpnonce'  => wp_create_nonce( Customer_Actions::CANCEL_ACTION . '_' . $returns[0]['id'] ),
			)
		);
		$this->assertSame( 'success', end( Stub::$wc_notices )['type'] );
		$this->assertStringContainsString( 'Cancelled', Account::returns_tab() );
	}

	public function test_email_preferences_link_the_real_unsubscribe_page_and_show_its_result(): void {
		$html  = \Aftercare\Email_Preferences::block();
		$xpath = self::dom( $html );
		$this->assertCount( 1, Stub::$http, 'one request to aftercare' );
		$this->assertSame( 'Email preferences', self::text( $xpath, '//section[contains(@class,"aftercare-email-preferences")]/h2' ) );
		$items = $xpath->query( '//li[contains(@class,"aftercare-preference")]' );
		$this->assertSame( 1, $items->length, $html );
		$item = self::text( $xpath, '//li[contains(@class,"aftercare-preference")]' );
		$this->assertStringContainsString( 'minji.kim@example.com', $item );
		$this->assertStringContainsString( 'Shipping updates', $item );
		$this->assertStringContainsString( 'You receive these.', $item );
		$link = html_entity_decode( $xpath->query( '//a[contains(@class,"aftercare-preference__manage")]' )->item( 0 )->getAttribute( 'href' ) );
		$this->assertMatchesRegularExpression( '#^' . preg_quote( self::$service->url, '#' ) . '/unsubscribe/[0-9a-f]{32}\?lang=en$#', $link );
		$this->assertStringNotContainsString( Aftercare_Service::API_KEY, $html );

		// The customer follows it and presses the page's button.
		$ch = curl_init( $link );
		curl_setopt_array( $ch, array( CURLOPT_RETURNTRANSFER => true, CURLOPT_POST => true, CURLOPT_POSTFIELDS => '' ) );
		$page = (string) curl_exec( $ch );
		$this->assertSame( 200, (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ) );
		curl_close( $ch );
		$this->assertStringContainsString( 'You are unsubscribed', $page );

		// Back in My Account: shown at once, not from a cache.
		$xpath = self::dom( \Aftercare\Email_Preferences::block() );
		$this->assertCount( 2, Stub::$http );
		$this->assertStringContainsString( 'You unsubscribed from these.', self::text( $xpath, '//li[contains(@class,"aftercare-preference")]' ) );
		$this->assertSame( 0, $xpath->query( '//a[contains(@class,"aftercare-preference__manage")]' )->length );
	}

	public function test_email_preferences_speak_korean_and_link_the_korean_page(): void {
		$order                      = self::order_fixture( 'orders/registered-krw.json' );
		$order['id']                = 4301;
		$order['number']            = '4301';
		$order['customer_id']       = 77;
		$order['order_key']         = 'wc_order_e2e4301';
		$order['billing']['email']  = 'Jiho.Park@example.com';
		list( $code ) = self::$service->deliver( 'order.created', (string) json_encode( $order ) );
		$this->assertSame( 200, $code );
		Stub::login( 77 );
		update_option( 'WPLANG', 'ko_KR' );
		Stub::load_mo( AFTERCARE_PLUGIN_DIR . '/languages/aftercare-for-woocommerce-ko_KR.mo' );
		$xpath = self::dom( \Aftercare\Email_Preferences::block() );
		$this->assertSame( '이메일 수신 설정', self::text( $xpath, '//section/h2' ) );
		$state = self::text( $xpath, '//li[contains(@class,"aftercare-preference")]' );
		$this->assertStringContainsString( 'jiho.park@example.com', $state, 'the address messages go to' );
		$this->assertStringContainsString( '배송 알림', $state );
		$this->assertStringContainsString( '받고 있습니다', $state );
		$link = html_entity_decode( $xpath->query( '//li//a' )->item( 0 )->getAttribute( 'href' ) );
		$this->assertStringEndsWith( '?lang=ko', $link );
		$ch = curl_init( $link );
		curl_setopt_array( $ch, array( CURLOPT_RETURNTRANSFER => true ) );
		$page = (string) curl_exec( $ch );
		curl_close( $ch );
		$this->assertStringContainsString( '수신 거부', $page, 'the page in Korean too' );
	}

	public function test_email_preferences_are_not_shown_to_guests_or_when_aftercare_is_down(): void {
		Stub::login( 0 );
		$this->assertSame( '', \Aftercare\Email_Preferences::block() );
		$this->assertCount( 0, Stub::$http );
		Stub::login( 42 );
		$this->configure( 'http://127.0.0.1:9', Aftercare_Service::API_KEY );
		$html = \Aftercare\Email_Preferences::block();
		$this->assertStringContainsString( 'briefly unavailable', $html );
		$this->assertStringNotContainsString( '/unsubscribe/', $html );
	}
}
