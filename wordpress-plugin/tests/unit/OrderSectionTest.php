<?php
/**
 * The My Account order section rendered from an order view in its final shape.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Customer_Actions;

final class OrderSectionTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Stub::login( 42 );
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => self::fixture( 'order-view-full.json' ) ) ) );
	}

	public function test_parcels_show_carrier_linked_number_eta_items_and_history(): void {
		$html  = Account::order_section( 1001 );
		$xpath = self::dom( $html );

		$parcels = $xpath->query( '//article[contains(@class,"aftercare-parcel")]' );
		$this->assertSame( 2, $parcels->length );
		$first = self::text( $xpath, '(//article[contains(@class,"aftercare-parcel")])[1]' );
		$this->assertStringContainsString( 'Parcel 1 of 2', $first );
		$this->assertStringContainsString( 'CJ대한통운', $first );
		$this->assertStringContainsString( 'Out for delivery', $first );
		$this->assertStringContainsString( 'Was expected by November 17, 2026', $first, 'the date has passed' );
		$this->assertStringNotContainsString( 'Expected November 17', $first );
		$this->assertStringContainsString( '오버핏 후드 티셔츠 - 블랙, L × 1', $first );

		$link = $xpath->query( '(//article)[1]//dd/a' )->item( 0 );
		$this->assertSame( '568912345678', $link->textContent );
		$this->assertSame( 'https://trace.cjlogistics.com/next/tracking.html?wblNo=568912345678&lang=ko', $link->getAttribute( 'href' ) );
		$this->assertSame( 'noopener noreferrer', $link->getAttribute( 'rel' ) );

		// History newest first, as aftercare sends it; each step with its place.
		$steps = $xpath->query( '(//article)[1]//ol[@class="aftercare-timeline"]/li' );
		$this->assertSame( 3, $steps->length );
		$this->assertStringContainsString( 'Out for delivery', $steps->item( 0 )->textContent );
		$this->assertStringContainsString( '서울 강남', $steps->item( 0 )->textContent );
		$this->assertStringContainsString( 'November 17, 2026 00:40', $steps->item( 0 )->textContent );
		$this->assertStringContainsString( 'Label created', $steps->item( 2 )->textContent );

		// A javascript: tracking link is not a link at all.
		$second = $xpath->query( '(//article)[2]//dd' );
		$this->assertSame( 'FF-1001-A', trim( $second->item( 1 )->textContent ) );
		$this->assertSame( 0, $xpath->query( '(//article)[2]//dd/a' )->length );
		$this->assertStringNotContainsString( 'javascript:', $html );
		$this->assertStringContainsString( 'Fast &amp; &quot;Friendly&quot; Couriers', $html );
		// No feed follows these parcels: nothing about checks.
		$this->assertStringNotContainsString( 'Last checked', $html );

		// The item not in any parcel yet.
		$this->assertStringContainsString( 'Not shipped yet', self::text( $xpath, '//div[@class="aftercare-unshipped"]' ) );
		$this->assertStringContainsString( '제주 유기농 녹차 티백', self::text( $xpath, '//div[@class="aftercare-unshipped"]' ) );
	}

	public function test_a_parcel_a_feed_follows_says_when_it_was_last_checked_in_the_sites_zone(): void {
		update_option( 'timezone_string', 'Asia/Seoul' );
		$view                            = self::fixture( 'order-view-full.json' );
		$view['shipments'][0]['feed']    = array(
			'provider'        => '17track',
			'state'           => 'subscribed',
			'last_checked_at' => '2026-11-17T01:05:00Z',
			'last_event_at'   => '2026-11-17T00:40:00Z',
		);
		$view['shipments'][1]['feed']    = array(
			'provider'        => '17track',
			'state'           => 'pending',
			'last_checked_at' => '<b>soon</b>',
			'last_event_at'   => null,
		);
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$xpath = self::dom( Account::order_section( 1001 ) );

		$checked = $xpath->query( '(//article)[1]//p[contains(@class,"aftercare-parcel__checked")]' );
		$this->assertSame( 1, $checked->length );
		$this->assertSame( 'Last checked November 17, 2026 10:05', trim( preg_replace( '/\s+/u', ' ', $checked->item( 0 )->textContent ) ), '01:05 UTC is 10:05 in Seoul' );
		$this->assertSame( '2026-11-17T01:05:00+00:00', $checked->item( 0 )->getElementsByTagName( 'time' )->item( 0 )->getAttribute( 'datetime' ) );
		// Not checked yet (a value that is no time): no line, nothing of it printed.
		$this->assertSame( 0, $xpath->query( '(//article)[2]//p[contains(@class,"aftercare-parcel__checked")]' )->length );
		$this->assertStringNotContainsString( '<b>soon', $xpath->document->saveHTML() );
	}

	public function test_hostile_strings_are_escaped_everywhere(): void {
		$html = Account::order_section( 1001 );
		self::dom( $html );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringNotContainsString( '<img', $html );
		$this->assertStringNotContainsString( '<b>you</b>', $html );
		$this->assertStringContainsString( '&lt;script&gt;alert(&quot;evt&quot;)&lt;/script&gt;', $html );
		$this->assertStringContainsString( '&lt;img src=x onerror=alert(1)&gt;', $html );
		$this->assertStringContainsString( 'The box was crushed &lt;script&gt;alert(&quot;comment&quot;)&lt;/script&gt;', $html );
		$this->assertStringContainsString( '&lt;b&gt;you&lt;/b&gt;', $html );
	}

	public function test_delivery_state_alerts_tracking_page_and_invoice(): void {
		$xpath = self::dom( Account::order_section( 1001 ) );
		$this->assertSame( 'Partly shipped', self::text( $xpath, '//h2/span[contains(@class,"aftercare-badge")]' ) );
		$alerts = array_map( static fn( $li ) => trim( $li->textContent ), iterator_to_array( $xpath->query( '//div[contains(@class,"aftercare-alerts")]//li' ) ) );
		$this->assertSame(
			array(
				'Parcel 568912345678 was expected by November 17, 2026, and CJ대한통운 hasn\'t marked it delivered yet. We\'re sorry for the delay.',
				'Something new happened <img src=x onerror=alert(1)>.',
			),
			$alerts,
			'known codes in the plugin\'s words with the parcel\'s facts; others in aftercare\'s, as text'
		);
		$this->assertSame( 'https://aftercare.example.com/t/q2w3e4r5t6y7u8i9', $xpath->query( '//p[@class="aftercare-tracking-page"]/a' )->item( 0 )->getAttribute( 'href' ) );

		$this->assertStringContainsString( 'Invoice INV-2026-00001, issued November 14, 2026.', self::text( $xpath, '//li[contains(@class,"aftercare-invoice")]' ) );
		$download = $xpath->query( '//a[contains(@class,"aftercare-invoice__download")]' )->item( 0 )->getAttribute( 'href' );
		$this->assertStringStartsWith( 'https://shop.test/my-account/view-order/1001/?aftercare_action=aftercare_invoice&order_id=1001&_wpnonce=', $download, 'a front-end link: WooCommerce\'s notices exist there' );
		$this->assertStringNotContainsString( 'aftercare.example.com', $download, 'the invoice is proxied, never linked to aftercare' );
		$this->assertStringNotContainsString( 'test-api-key', Account::order_section( 1001 ) );
	}

	public function test_credit_notes_are_offered_next_to_the_invoice_through_wordpress(): void {
		$html  = Account::order_section( 1001 );
		$xpath = self::dom( $html );
		$this->assertSame( 'Invoice and credit notes', self::text( $xpath, '//h2[following-sibling::ul[@class="aftercare-documents"]][last()]' ) );
		$this->assertSame( 'Credit note CN-2026-00001 for ₩15,000, issued November 16, 2026.', self::text( $xpath, '//li[contains(@class,"aftercare-credit-note")]/span' ) );
		$link = $xpath->query( '//a[contains(@class,"aftercare-credit-note__download")]' )->item( 0 )->getAttribute( 'href' );
		parse_str( (string) parse_url( $link, PHP_URL_QUERY ), $query );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', strtok( $link, '?' ) );
		$this->assertSame( array( 'aftercare_action' => 'aftercare_document', 'order_id' => '1001', 'document_id' => '4', '_wpnonce' => wp_create_nonce( Customer_Actions::DOCUMENT_ACTION . '_1001_4' ) ), $query );
		$this->assertStringNotContainsString( '/documents/4?expires', $html, 'a customer\'s documents are proxied, never linked' );
	}

	public function test_returns_show_state_outcome_history_and_a_cancel_button_only_when_allowed(): void {
		$xpath = self::dom( Account::order_section( 1001 ) );
		$rows  = $xpath->query( '//table[contains(@class,"aftercare-returns")]/tbody/tr' );
		$this->assertSame( 3, $rows->length );

		$credited = preg_replace( '/\s+/u', ' ', $rows->item( 0 )->textContent );
		$this->assertStringContainsString( 'Store credit issued', $credited );
		$this->assertStringContainsString( 'Store credit: ₩17,820', $credited );
		$this->assertSame( 'RETURN-30-9F2C41AB', self::text( $xpath, '//tbody/tr[1]//code[@class="aftercare-coupon"]' ) );
		$this->assertStringContainsString( 'Enjoy your next tea!', $credited );
		$steps = $xpath->query( './/details[contains(@class,"aftercare-return__history")]//li', $rows->item( 0 ) );
		$this->assertSame( 4, $steps->length );
		$this->assertStringContainsString( 'Requested · You', preg_replace( '/\s+/u', ' ', $steps->item( 0 )->textContent ) );
		$this->assertStringContainsString( 'Store credit issued · Jae <b>Park</b>', preg_replace( '/\s+/u', ' ', $steps->item( 3 )->textContent ), 'a staff name is text, never markup' );

		$this->assertStringContainsString( 'Approved', $rows->item( 1 )->textContent );
		$this->assertStringContainsString( 'Exchange', $rows->item( 1 )->textContent );
		$this->assertStringContainsString( 'Too small', $rows->item( 1 )->textContent );
		$this->assertStringContainsString( 'Please send it back', $rows->item( 1 )->textContent );
		$this->assertStringContainsString( 'Could I get an XL instead?', $rows->item( 1 )->textContent );
		$this->assertSame( 0, $xpath->query( './/form', $rows->item( 1 ) )->length, 'can_cancel is false' );

		$this->assertStringContainsString( '2 photos sent', $rows->item( 2 )->textContent );
		$this->assertSame( 0, $xpath->query( './/img', $rows->item( 2 ) )->length, 'customers never get the staff-only photo address' );
		$cancel = $xpath->query( './/form', $rows->item( 2 ) );
		$this->assertSame( 1, $cancel->length );
		$this->assertSame( wp_create_nonce( Customer_Actions::CANCEL_ACTION . '_32' ), $xpath->query( './/input[@name="_wpnonce"]', $rows->item( 2 ) )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', $cancel->item( 0 )->getAttribute( 'action' ), 'posted to the order page, not admin-post.php' );
		$this->assertSame( Customer_Actions::CANCEL_ACTION, $xpath->query( './/input[@name="aftercare_action"]', $rows->item( 2 ) )->item( 0 )->getAttribute( 'value' ) );
	}

	public function test_return_form_offers_only_returnable_quantities_and_says_why_not(): void {
		$xpath = self::dom( Account::order_section( 1001 ) );
		$form  = $xpath->query( '//form[@id="aftercare-return"]' )->item( 0 );
		$this->assertSame( 'multipart/form-data', $form->getAttribute( 'enctype' ) );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', $form->getAttribute( 'action' ), 'posted to the order page, not admin-post.php' );
		$this->assertSame( Customer_Actions::REQUEST_ACTION, $xpath->query( '//form[@id="aftercare-return"]//input[@name="aftercare_action"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 0, $xpath->query( '//form[@id="aftercare-return"]//input[@name="action"]' )->length );
		$inputs = $xpath->query( '//input[@type="number"]' );
		$this->assertSame( 1, $inputs->length, 'the mouse is in an open return, the tea is not delivered yet' );
		$this->assertSame( 'items[202][quantity]', $inputs->item( 0 )->getAttribute( 'name' ) );
		$this->assertSame( '1', $inputs->item( 0 )->getAttribute( 'max' ) );
		$rows = $xpath->query( '//form[@id="aftercare-return"]//tbody/tr' );
		$this->assertSame( 'Every unit of this item has been refunded or is already in a return.', self::text( $xpath, '//form[@id="aftercare-return"]//tbody/tr[1]//span[contains(@class,"aftercare-eligibility")]' ) );
		$this->assertSame( 'You can return this item once it has been delivered.', self::text( $xpath, '//form[@id="aftercare-return"]//tbody/tr[3]//span[contains(@class,"aftercare-eligibility")]' ) );
		$this->assertStringNotContainsString( 'nothing_left', $rows->item( 0 )->textContent, 'codes are never shown' );
		$this->assertSame( 8, $xpath->query( '//select[@name="items[202][reason]"]/option' )->length );
		$this->assertSame( 3, $xpath->query( '//input[@name="resolution"]' )->length );
		$this->assertSame( 'photos[]', $xpath->query( '//input[@type="file"]' )->item( 0 )->getAttribute( 'name' ) );
		$this->assertSame( wp_create_nonce( Customer_Actions::REQUEST_ACTION . '_1001' ), $xpath->query( '//form[@id="aftercare-return"]//input[@name="_wpnonce"]' )->item( 0 )->getAttribute( 'value' ) );
	}

	public function test_nothing_returnable_says_why_in_the_plugins_words_per_item(): void {
		$view                       = self::fixture( 'order-view-full.json' );
		$view['return_eligibility'] = array(
			array( 'line_item_id' => 201, 'returnable_quantity' => 0, 'returnable_until' => '2026-11-01T00:00:00Z', 'reason' => 'window_closed', 'message' => 'The return period for this item has ended.' ),
			array( 'line_item_id' => 202, 'returnable_quantity' => 0, 'returnable_until' => null, 'reason' => 'non_returnable', 'message' => 'This item cannot be returned.' ),
			array( 'line_item_id' => 203, 'returnable_quantity' => 0, 'returnable_until' => null, 'reason' => 'a_future_rule', 'message' => 'A sentence from a newer <b>aftercare</b>.' ),
		);
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$xpath = self::dom( Account::order_section( 1001 ) );
		$this->assertSame( 0, $xpath->query( '//form[@id="aftercare-return"]' )->length );
		$lines = array_map( static fn( $li ) => trim( preg_replace( '/\s+/u', ' ', $li->textContent ) ), iterator_to_array( $xpath->query( '//div[@class="aftercare-not-returnable"]//li' ) ) );
		$this->assertSame(
			array(
				'Nimbus Wireless Mouse: The return period for this item has ended.',
				'오버핏 후드 티셔츠 - 블랙, L: This item cannot be returned.',
				'제주 유기농 녹차 티백 <script>alert("item")</script>: A sentence from a newer <b>aftercare</b>.',
			),
			$lines,
			'unknown codes fall back to aftercare\'s sentence, as text'
		);

		foreach ( $view['return_eligibility'] as &$row ) {
			$row['reason'] = 'not_paid';
		}
		unset( $row );
		Stub::reset();
		$this->configure( self::$server->url );
		Stub::login( 42 );
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$xpath = self::dom( Account::order_section( 1001 ) );
		$this->assertSame( 'No items of this order can be returned online. Returns open once the order is paid.', self::text( $xpath, '//div[@class="aftercare-not-returnable"]' ), 'one reason for all is said once' );
	}

	public function test_return_form_items_are_cards_with_visible_labels_and_full_size_controls(): void {
		$xpath = self::dom( Account::order_section( 1001 ) );
		$open  = $xpath->query( '//form[@id="aftercare-return"]//tr[contains(@class,"aftercare-return-item") and not(contains(@class,"--closed"))]' );
		$this->assertGreaterThan( 0, $open->length );
		foreach ( $open as $row ) {
			$labels = array_map( static fn( $l ) => trim( $l->textContent ), iterator_to_array( $xpath->query( './/*[contains(@class,"aftercare-return-item__label")]', $row ) ) );
			$this->assertSame( array( 'Quantity to return', 'Reason', 'Details' ), $labels, 'labels a phone user can see' );
			$this->assertSame( 0, $xpath->query( './/label[contains(@class,"screen-reader-text")]', $row )->length );
		}
		$this->assertSame( 2, $xpath->query( '//form[@id="aftercare-return"]//tr[contains(@class,"aftercare-return-item--closed")]' )->length );
		$css = (string) file_get_contents( AFTERCARE_PLUGIN_DIR . '/assets/aftercare.css' );
		$this->assertMatchesRegularExpression( '/\.aftercare-return-form select,\s*\.aftercare-return-form textarea \{[^}]*font-size: 1rem;[^}]*min-height: 2\.75rem;/', $css, 'controls at a readable size where the theme leaves them unstyled' );
		$this->assertMatchesRegularExpression( '/@media \(max-width: 600px\) \{\s*\.aftercare-return-items tr\.aftercare-return-item \{ grid-template-columns: minmax\(0, 1fr\); \}/', $css, 'cards stack on phones' );
	}

	public function test_items_sharing_a_reason_are_spoken_of_in_the_plural(): void {
		$view                       = self::fixture( 'order-view-full.json' );
		$view['return_eligibility'] = array(
			array( 'line_item_id' => 201, 'returnable_quantity' => 0, 'returnable_until' => null, 'reason' => 'not_delivered', 'message' => 'x' ),
			array( 'line_item_id' => 202, 'returnable_quantity' => 0, 'returnable_until' => null, 'reason' => 'not_delivered', 'message' => 'x' ),
			array( 'line_item_id' => 203, 'returnable_quantity' => 0, 'returnable_until' => null, 'reason' => 'non_returnable', 'message' => 'x' ),
		);
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$xpath = self::dom( Account::order_section( 1001 ) );
		$lines = array_map( static fn( $li ) => trim( preg_replace( '/\s+/u', ' ', $li->textContent ) ), iterator_to_array( $xpath->query( '//div[@class="aftercare-not-returnable"]//li' ) ) );
		$this->assertSame(
			array(
				'Nimbus Wireless Mouse, 오버핏 후드 티셔츠 - 블랙, L: You can return these items once they have been delivered.',
				'제주 유기농 녹차 티백 <script>alert("item")</script>: This item cannot be returned.',
			),
			$lines
		);
	}

	public function test_the_customers_own_words_about_a_returned_item_come_back_to_them(): void {
		$xpath = self::dom( Account::order_section( 1001 ) );
		$this->assertSame( 'Scroll wheel squeaks', self::text( $xpath, '//section//q[@class="aftercare-reason-text"]' ) );
		$view = self::fixture( 'order-view-full.json' );
		$view['returns'][2]['items'][0]['reason_text'] = '<img src=x onerror=alert(1)>';
		Stub::reset();
		$this->configure( self::$server->url );
		Stub::login( 42 );
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$html = Account::order_section( 1001 );
		$this->assertStringContainsString( '&lt;img src=x onerror=alert(1)&gt;', $html );
		$this->assertStringNotContainsString( '<img src=x', $html );
	}

	public function test_an_expected_date_ahead_reads_expected(): void {
		$view                              = self::fixture( 'order-view-full.json' );
		$ahead                             = gmdate( 'Y-m-d\TH:i:s\Z', time() + 5 * 86400 );
		$view['shipments'][0]['eta']       = $ahead;
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ) ) );
		$first = self::text( self::dom( Account::order_section( 1001 ) ), '(//article[contains(@class,"aftercare-parcel")])[1]' );
		$this->assertStringContainsString( 'Expected ' . wp_date( 'F j, Y', strtotime( $ahead ) ), $first );
		$this->assertStringNotContainsString( 'Was expected by', $first );
	}

	public function test_errors_and_typed_values_come_back_after_a_failed_submission(): void {
		set_transient(
			'aftercare_form_42_1001',
			array(
				'errors' => array(
					'items.202.quantity' => 'You can return at most 1 of this item.',
					'resolution'         => 'Choose what you would like instead.',
				),
				'old'    => array(
					'items'      => array( 202 => array( 'quantity' => '3', 'reason' => 'too_small', 'reason_text' => '<b>tight</b>' ) ),
					'resolution' => '',
					'comment'    => 'Sleeves </textarea><script>x</script>',
				),
			),
			600
		);
		$html  = Account::order_section( 1001 );
		$xpath = self::dom( $html );
		$this->assertStringContainsString( 'You can return at most 1 of this item.', self::text( $xpath, '//div[@role="alert"]' ) );
		$this->assertSame( '3', $xpath->query( '//input[@name="items[202][quantity]"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 'too_small', $xpath->query( '//select[@name="items[202][reason]"]/option[@selected]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( '<b>tight</b>', $xpath->query( '//input[@name="items[202][reason_text]"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 'Sleeves </textarea><script>x</script>', $xpath->query( '//textarea[@name="comment"]' )->item( 0 )->textContent );
		$this->assertStringContainsString( 'aftercare-invalid', $xpath->query( '//input[@name="items[202][quantity]"]/ancestor::tr' )->item( 0 )->getAttribute( 'class' ) );
		// Shown once.
		$this->assertStringNotContainsString( 'You can return at most', Account::order_section( 1001 ) );
	}

	public function test_another_customers_order_is_never_asked_for(): void {
		Stub::login( 43 );
		$this->assertSame( '', Account::order_section( 1001 ) );
		$this->assertSame( array(), Stub::$http );
	}

	public function test_one_request_per_page_and_the_cache_serves_the_next_view(): void {
		Account::order_section( 1001 );
		Account::order_section( 1001 );
		$this->assertCount( 1, self::$server->requests() );
	}

	public function test_order_unknown_to_aftercare_reads_calmly(): void {
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'order_not_found', 'message' => 'No such order.' ) ) ) ) );
		$html = Account::order_section( 1001 );
		$this->assertStringContainsString( 'Delivery details for this order will appear here shortly.', $html );
	}

	public function test_view_with_missing_keys_renders_without_warnings(): void {
		self::$server->script( array( 'GET /api/v1/customers/42/orders/1001' => array( 'json' => array( 'id' => 1001, 'shipments' => array( array( 'status' => 'weird_new_state', 'events' => 'not-a-list' ), 'junk' ), 'invoice' => 'nope', 'return_eligibility' => array( array() ) ) ) ) );
		$html = Account::order_section( 1001 );
		self::dom( $html );
		$this->assertStringContainsString( 'Weird new state', $html );
		$this->assertStringContainsString( 'No news from the carrier yet.', $html );
	}

	public function test_returns_tab_names_items_from_aftercare_then_from_the_woocommerce_order(): void {
		$view    = self::fixture( 'order-view-full.json' );
		$returns = array_reverse( $view['returns'] );
		unset( $returns[1]['items'][0]['name'] ); // An older aftercare without names: WooCommerce's.
		$returns[] = array( 'id' => 9, 'status' => 'refunded', 'resolution' => 'refund', 'order_id' => 555, 'amount' => '19.99', 'currency' => 'USD', 'items' => array( array( 'line_item_id' => 1, 'quantity' => 1, 'reason' => 'damaged' ) ) );
		self::$server->script( array( 'GET /api/v1/customers/42/returns' => array( 'json' => array( 'returns' => $returns ) ) ) );
		$xpath = self::dom( Account::returns_tab() );
		$rows  = $xpath->query( '//tbody/tr' );
		$this->assertSame( 4, $rows->length );
		$this->assertStringContainsString( 'Nimbus Wireless Mouse', $rows->item( 0 )->textContent );
		$this->assertStringContainsString( '오버핏 후드 티셔츠 - 블랙, L', $rows->item( 1 )->textContent );
		$this->assertStringContainsString( 'Item', $rows->item( 3 )->textContent, 'an order WooCommerce does not know reads as a plain item' );
		$this->assertStringContainsString( 'Refunded: $19.99', preg_replace( '/\s+/u', ' ', $rows->item( 3 )->textContent ) );
		$this->assertSame( 'https://shop.test/my-account/view-order/1001/', $xpath->query( '//tbody/tr[1]//a' )->item( 0 )->getAttribute( 'href' ) );
		$this->assertSame( 1, $xpath->query( '//tbody/tr[1]//form' )->length, 'a request that can still be withdrawn can be cancelled from the tab' );
		$this->assertSame( 'https://shop.test/my-account/returns/', $xpath->query( '//tbody/tr[1]//input[@name="back"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 0, $xpath->query( '//tbody/tr[position()>1]//form' )->length );
		$this->assertCount( 1, Stub::$http );
	}

	public function test_not_configured_renders_nothing(): void {
		delete_option( \Aftercare\Settings::API_KEY_OPTION );
		$this->assertSame( '', Account::order_section( 1001 ) );
	}
}
