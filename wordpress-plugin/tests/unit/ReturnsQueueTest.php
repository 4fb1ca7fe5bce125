<?php
/**
 * The staff Returns queue and its transitions.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Returns_Queue;

final class ReturnsQueueTest extends Plugin_Test_Case {

	private static Scripted_Server $server;

	public static function setUpBeforeClass(): void {
		self::$server = Scripted_Server::start();
	}

	public static function tearDownAfterClass(): void {
		self::$server->stop();
	}

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		$json                    = self::order_fixture( 'orders/registered-krw.json' );
		$json['billing']['first_name'] = '<script>alert(1)</script>';
		WC_Stub::add_order_from_json( $json );
		Stub::login( 1, array( 'manage_woocommerce' ) );
	}

	private function returns(): array {
		$view = self::fixture( 'order-view-full.json' );
		return array_map( static fn( $r ) => $r + array( 'order_id' => 1001, 'order_number' => '1001' ), $view['returns'] );
	}

	public function test_queue_lists_returns_with_the_actions_their_state_allows(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => $this->returns() ) ) ) );
		$html  = Returns_Queue::page( 'all' );
		$xpath = self::dom( $html );
		$this->assertSame( '/api/v1/returns', self::$server->requests()[0]['uri'] );
		$rows = $xpath->query( '//table/tbody/tr' );
		$this->assertSame( 2, $rows->length );
		$approved_buttons = array_map( static fn( $b ) => $b->getAttribute( 'value' ), iterator_to_array( $xpath->query( './/button', $rows->item( 0 ) ) ) );
		$this->assertSame( array( 'received', 'rejected', 'cancelled' ), $approved_buttons );
		$requested_buttons = array_map( static fn( $b ) => $b->getAttribute( 'value' ), iterator_to_array( $xpath->query( './/button', $rows->item( 1 ) ) ) );
		$this->assertSame( array( 'approved', 'rejected', 'cancelled' ), $requested_buttons );
		$this->assertStringContainsString( 'Nimbus Wireless Mouse × 1 — Arrived damaged', preg_replace( '/\s+/u', ' ', $rows->item( 1 )->textContent ) );
		$this->assertStringContainsString( 'Scroll wheel squeaks', $rows->item( 1 )->textContent );
		$this->assertStringNotContainsString( '<script>alert(1)</script>', $html );
		$this->assertStringContainsString( 'page=wc-orders&#038;action=edit&#038;id=1001', $html );
	}

	public function test_filter_is_passed_to_aftercare_and_unknown_filters_mean_all(): void {
		self::$server->script( array( 'GET /api/v1/returns' => array( 'json' => array( 'returns' => array() ) ) ) );
		Returns_Queue::page( 'received' );
		Returns_Queue::page( 'bogus' );
		$uris = array_column( self::$server->requests(), 'uri' );
		$this->assertSame( array( '/api/v1/returns?status=received', '/api/v1/returns' ), $uris );
		do_action( 'admin_menu' );
		$this->assertSame( 'manage_woocommerce', Stub::$registered['submenus'][ Returns_Queue::PAGE ]['capability'] ?? null );
	}

	public function test_transition_posts_to_and_note_then_forgets_the_customers_views(): void {
		self::$server->script(
			array(
				'POST /api/v1/returns/32/transitions'   => array( 'json' => array( 'id' => 32, 'status' => 'approved' ) ),
				'GET /api/v1/customers/42/orders/1001' => array( 'json' => array( 'id' => 1001 ) ),
			)
		);
		Stub::login( 42 );
		Account::order_section( 1001 );
		Stub::login( 1, array( 'manage_woocommerce' ) );
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
		$this->assertSame( array( 'to' => 'approved', 'note' => "Label sent.\nThanks" ), json_decode( $post['body'], true ) );
		$this->assertSame( 'success', \Aftercare\Admin_Notices::take()[0]['type'] );
		Stub::login( 42 );
		Account::order_section( 1001 );
		$this->assertCount( 3, self::$server->requests(), 'the customer sees the new state at once' );
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

	public function test_older_aftercare_without_returns_says_so(): void {
		self::$server->script( array() );
		$this->assertStringContainsString( 'does not handle returns yet', Returns_Queue::page( 'requested' ) );
	}
}
