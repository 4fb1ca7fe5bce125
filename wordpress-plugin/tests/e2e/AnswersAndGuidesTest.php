<?php
/**
 * FAQ answers and product guides through the plugin's staff screens into the real aftercare,
 * and back out on the customer's order page and the question form.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Admin_Notices;
use Aftercare\Answers_Admin;
use Aftercare\Guide_Box;
use Aftercare\Support_Actions;

final class AnswersAndGuidesTest extends Service_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		$this->require_endpoint( 'GET', '/api/v1/answers', 'GET /api/v1/answers' );
	}

	private function save_answer( string $question, string $lang, array $extra = array() ): void {
		Stub::login( 1, array( 'manage_woocommerce' ), 'Jae Park' );
		Answers_Admin::save(
			array_merge(
				array(
					'id'       => '0',
					'question' => $question,
					'answer'   => '<p>Order {order_number}: charge the mouse for an hour first. <a href="javascript:alert(1)">x</a></p>',
					'lang'     => $lang,
					'_wpnonce' => wp_create_nonce( Answers_Admin::SAVE_ACTION . '_0' ),
				),
				$extra
			)
		);
	}

	public function test_staff_answers_reach_the_order_page_and_the_question_form_with_facts_and_counts(): void {
		// aftercare refuses a javascript: link: the plugin says so and keeps what was typed.
		$this->save_answer( 'Refused', 'en' );
		$notice = Admin_Notices::take()[0];
		$this->assertSame( 'error', $notice['type'] );
		$this->assertStringStartsWith( 'answer:', $notice['lines'][0] );

		$when = array(
			'order_statuses' => array( 'processing' ),
			'topics'         => array( 'how_to_use' ),
			'product_ids'    => '311',
		);
		foreach ( array( 'en', 'ko' ) as $lang ) {
			$this->save_answer( 'How do I start the mouse? (' . $lang . ')', $lang, $when + array( 'answer' => '<p>Order {order_number}: charge it for an hour first.</p><script>x()</script>' ) );
			$this->assertSame( 'success', Admin_Notices::take()[0]['type'] );
		}
		$this->save_answer( 'Not for this order', 'en', array( 'order_statuses' => array( 'cancelled' ), 'answer' => '<p>Cancelled orders are refunded.</p>' ) );
		$this->save_answer( 'Nor this', 'ko', array( 'order_statuses' => array( 'cancelled' ), 'answer' => '<p>취소된 주문은 환불됩니다.</p>' ) );

		Stub::login( 42 );
		$html = Account::order_section( 1001 );
		$this->assertMatchesRegularExpression( '/How do I start the mouse\? \((en|ko)\)/', $html );
		$this->assertStringContainsString( 'Order 1001: charge it for an hour first.', $html, 'the order number is filled in by aftercare' );
		$this->assertStringNotContainsString( 'Not for this order', $html );
		$this->assertStringNotContainsString( 'Nor this', $html );
		$this->assertStringNotContainsString( '<script>x()', $html, 'aftercare sanitised the answer' );

		$nonce = wp_create_nonce( Support_Actions::ANSWERS_ACTION . '_1001' );
		$topic = Support_Actions::answers( array( 'order_id' => '1001', 'topic' => 'how_to_use', 'nonce' => $nonce ), '203.0.113.9' );
		$this->assertMatchesRegularExpression( '/How do I start the mouse\? \((en|ko)\)/', $topic );
		$other = Support_Actions::answers( array( 'order_id' => '1001', 'topic' => 'invoice_and_billing', 'nonce' => $nonce ), '203.0.113.9' );
		$this->assertStringNotContainsString( 'How do I start the mouse?', $other, 'a chosen topic narrows' );

		Stub::login( 1, array( 'manage_woocommerce' ), 'Jae Park' );
		$list = self::dom( Answers_Admin::page( '' ) );
		$rows = array();
		foreach ( $list->query( '//table/tbody/tr' ) as $row ) {
			$cells                            = $list->query( './td', $row );
			$rows[ trim( preg_replace( '/\s+/', ' ', $cells->item( 0 )->textContent ) ) ] = trim( $cells->item( 2 )->textContent );
		}
		$shown = array_filter( $rows, static fn( $count, $question ) => str_starts_with( $question, 'How do I start the mouse?' ) && (int) $count > 0, ARRAY_FILTER_USE_BOTH );
		$this->assertCount( 1, $shown, 'aftercare counted the answer as shown: ' . json_encode( $rows ) );
	}

	public function test_a_products_guide_is_saved_from_its_box_and_shown_once_the_item_ships(): void {
		$this->require_endpoint( 'GET', '/api/v1/guides', 'GET /api/v1/guides' );
		Stub::login( 1, array( 'manage_woocommerce', 'edit_product' ), 'Jae Park' );
		$this->assertStringContainsString( 'aftercare_guide_text', Guide_Box::box( 311 ) );
		$fields = array(
			'aftercare_guide_text'   => "Charge it for an hour.\nThen hold the button for 3 seconds.",
			'aftercare_guide_title'  => array( 'Pairing video' ),
			'aftercare_guide_url'    => array( 'https://video.example/nimbus' ),
			'aftercare_guide_was'    => '',
			'_aftercare_guide_nonce' => wp_create_nonce( Guide_Box::NONCE ),
		);
		$this->assertSame( 'saved', Guide_Box::save( 311, $fields ) );
		$xpath = self::dom( Guide_Box::box( 311 ) );
		$this->assertSame( 'Pairing video', $xpath->query( '//input[@name="aftercare_guide_title[0]"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( '0', self::text( $xpath, '//tbody/tr[1]/td[3]' ), 'no clicks yet' );
		$this->assertSame( 'refused', Guide_Box::save( 311, array_merge( $fields, array( 'aftercare_guide_title' => array( str_repeat( 'x', 121 ) ) ) ) ) );
		Admin_Notices::take();

		// Order 1004 has not shipped: its product's guide waits. Order 1001 has: the mouse's guide
		// shows, its link through aftercare.
		$fields['aftercare_guide_title'] = array( 'Tea guide' );
		$fields['aftercare_guide_url']   = array( 'https://tea.example/brew' );
		$this->assertSame( 'saved', Guide_Box::save( 77, $fields ) );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/pending-eur.json' ) );
		Stub::login( 43 );
		$pending = Account::order_section( 1004 );
		$this->assertStringContainsString( 'id="aftercare-support"', $pending, 'the order view loaded' );
		$this->assertStringNotContainsString( 'Tea guide', $pending );
		Stub::login( 42 );
		$xpath = self::dom( Account::order_section( 1001 ) );
		$link  = $xpath->query( '//ul[@class="aftercare-guide__links"]//a' )->item( 0 );
		$this->assertSame( 'Pairing video', trim( $link->textContent ) );
		$this->assertStringStartsWith( self::$service->url . '/g/', $link->getAttribute( 'href' ), 'clicks are counted by aftercare' );
		$this->assertStringContainsString( 'Then hold the button for 3 seconds.', self::text( $xpath, '//div[@class="aftercare-guide__text"]' ) );

		Stub::login( 1, array( 'manage_woocommerce', 'edit_product' ), 'Jae Park' );
		$this->assertSame( 'deleted', Guide_Box::save( 311, array( 'aftercare_guide_text' => '', 'aftercare_guide_was' => 'x', '_aftercare_guide_nonce' => wp_create_nonce( Guide_Box::NONCE ) ) ) );
		$this->assertSame( '', self::text( self::dom( Guide_Box::box( 311 ) ), '//textarea[@name="aftercare_guide_text"]' ) );
	}
}
