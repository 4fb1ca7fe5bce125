<?php
/**
 * The every-minute run: due messages from aftercare are sent once through their WooCommerce
 * email and each outcome is reported; nothing happens while aftercare is down.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Emails;
use Aftercare\Messages;

final class MessagesTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Emails::register();
	}

	private static function message( string $id, string $type = 'shipped', int $order_id = 1001, string $locale = 'en_US' ): array {
		$parcel = array( 'id' => 'shp_1', 'carrier' => 'cj-logistics', 'carrier_name' => 'CJ대한통운', 'number' => '568912345678', 'status' => 'in_transit', 'carrier_url' => 'https://trace.cjlogistics.com/?n=568912345678', 'eta' => '2026-12-05', 'last_event' => null );
		return array(
			'id'       => $id,
			'type'     => $type,
			'order_id' => $order_id,
			'locale'   => $locale,
			'to'       => array( 'email' => 'minjun@example.com', 'name' => '김민준' ),
			'data'     => array(
				'tracking_url'    => 'https://aftercare.example/t/abc',
				'parcels'         => array( $parcel ),
				'parcel'          => $parcel,
				'expected_date'   => '2026-12-05',
				'delay'           => null,
				'return'          => null,
				'unsubscribe_url' => 'https://aftercare.example/unsubscribe/xyz',
			),
		);
	}

	private function due( array $messages, array $extra = array() ): void {
		$routes = array( 'GET /api/v1/messages/due' => array( 'json' => array( 'messages' => $messages ) ) );
		foreach ( $messages as $message ) {
			$routes[ 'POST /api/v1/messages/' . $message['id'] . '/result' ] = array( 'json' => array( 'id' => $message['id'], 'state' => 'sent' ) );
		}
		self::$server->script( array_merge( $routes, $extra ) );
	}

	/**
	 * The reports aftercare received: id => body.
	 *
	 * @return array<string,array<string,mixed>>
	 */
	private static function reports(): array {
		$reports = array();
		foreach ( self::$server->requests() as $request ) {
			if ( 'POST' === $request['method'] && preg_match( '#^/api/v1/messages/([^/]+)/result$#', $request['uri'], $m ) ) {
				$reports[ rawurldecode( $m[1] ) ] = json_decode( $request['body'], true );
			}
		}
		return $reports;
	}

	public function test_a_due_message_is_sent_once_recorded_on_the_order_and_reported(): void {
		$this->due( array( self::message( 'msg_1' ) ) );
		$this->assertSame( array( 'msg_1' => 'sent' ), Messages::run() );
		$this->assertCount( 1, WC_Stub::$mails );
		$mail = WC_Stub::$mails[0];
		$this->assertSame( 'minjun@example.com', $mail['to'] );
		$this->assertStringContainsString( 'is on its way', $mail['subject'] );
		$this->assertStringContainsString( '568912345678', $mail['message'] );
		$this->assertStringContainsString( 'https://aftercare.example/t/abc', $mail['message'] );
		$this->assertStringContainsString( 'https://aftercare.example/unsubscribe/xyz', $mail['message'] );
		$this->assertSame( 'sent', wc_get_order( 1001 )->get_meta( '_aftercare_message_msg_1' ) );
		$this->assertSame( array( 'msg_1' => array( 'outcome' => 'sent' ) ), self::reports() );
		$this->assertStringContainsString( 'limit=20', self::$server->requests()[0]['uri'] );

		// Listed again (the report was lost): reported again, not sent again.
		$this->due( array( self::message( 'msg_1' ) ) );
		$this->assertSame( array( 'msg_1' => 'sent' ), Messages::run() );
		$this->assertCount( 1, WC_Stub::$mails );
		$this->assertSame( array( 'msg_1' => array( 'outcome' => 'sent' ) ), self::reports() );
	}

	public function test_a_support_reply_quotes_the_shops_answer_escaped(): void {
		$message                    = self::message( 'msg_9', 'support_reply' );
		$message['data']['support'] = array(
			'id'     => 'req_3',
			'topic'  => 'how_to_use',
			'status' => 'open',
			'reply'  => array( 'id' => 13, 'author' => 'Jane', 'body' => "Hold it <script>alert(1)</script>\nfor 3 s.", 'created_at' => '2026-12-03T10:00:00.000Z' ),
		);
		$this->due( array( $message ) );
		$this->assertSame( array( 'msg_9' => 'sent' ), Messages::run() );
		$this->assertCount( 1, WC_Stub::$mails );
		$mail = WC_Stub::$mails[0];
		$this->assertStringContainsString( 'your question', $mail['subject'] );
		$this->assertStringContainsString( 'Jane wrote:', $mail['message'] );
		$this->assertStringContainsString( 'for 3 s.', $mail['message'] );
		$this->assertStringNotContainsString( '<script>', $mail['message'] );
		$this->assertStringContainsString( '&lt;script&gt;', $mail['message'] );
	}

	public function test_a_switched_off_email_is_reported_disabled_and_not_sent(): void {
		update_option( 'woocommerce_aftercare_delivered_settings', array( 'enabled' => 'no' ) );
		$this->due( array( self::message( 'msg_2', 'delivered' ) ) );
		$this->assertSame( array( 'msg_2' => 'disabled' ), Messages::run() );
		$this->assertSame( array(), WC_Stub::$mails );
		$this->assertSame( '', wc_get_order( 1001 )->get_meta( '_aftercare_message_msg_2' ) );
		$this->assertSame( array( 'msg_2' => array( 'outcome' => 'disabled' ) ), self::reports() );
	}

	public function test_order_confirmation_is_off_until_the_shop_switches_it_on(): void {
		$this->due( array( self::message( 'msg_3', 'order_confirmation' ) ) );
		$this->assertSame( array( 'msg_3' => 'disabled' ), Messages::run() );
		$this->assertTrue( Emails::for_type( 'shipped' )->is_enabled() );
	}

	public function test_an_unknown_type_or_order_and_a_refusing_mailer_are_reported_failed_without_the_address(): void {
		WC_Stub::$mail_works = false;
		$this->due( array( self::message( 'msg_4', 'gift_card' ), self::message( 'msg_5', 'shipped', 999 ), self::message( 'msg_6' ) ) );
		$this->assertSame( array( 'msg_4' => 'failed', 'msg_5' => 'failed', 'msg_6' => 'failed' ), Messages::run() );
		$reports = self::reports();
		$this->assertStringContainsString( 'gift_card', $reports['msg_4']['detail'] );
		$this->assertStringContainsString( 'does not exist', $reports['msg_5']['detail'] );
		$this->assertStringContainsString( 'SMTP connect() failed', $reports['msg_6']['detail'] );
		$this->assertStringNotContainsString( 'minjun@example.com', wp_json_encode( $reports ) . wp_json_encode( Stub::$log ) );
		$this->assertSame( '', wc_get_order( 1001 )->get_meta( '_aftercare_message_msg_6' ), 'a failed send is not recorded as sent' );
	}

	public function test_the_customers_language_is_used_even_when_wordpress_has_not_installed_it(): void {
		$this->due( array( self::message( 'msg_7', 'shipped', 1001, 'ko_KR' ) ) );
		Messages::run();
		$this->assertStringContainsString( '발송되었습니다', WC_Stub::$mails[0]['subject'] );
		$this->assertStringContainsString( '2026년 12월 5일', WC_Stub::$mails[0]['message'] );
		$this->assertSame( 'Your order #%s has been delivered.', __( 'Your order #%s has been delivered.', 'aftercare-for-woocommerce' ), 'the shop\'s language is back after the email' );
	}

	private static function digest( string $id ): array {
		return array(
			'id'       => $id,
			'type'     => 'staff_digest',
			'order_id' => 0,
			'locale'   => 'en_US',
			'to'       => array( 'email' => 'staff@example.com', 'name' => '' ),
			'data'     => array(
				'date'    => '2026-12-04',
				'shop'    => array( 'name' => 'Aftercare Test Shop', 'url' => 'https://shop.example/', 'logo_url' => null ),
				'late'    => array( array( 'order_id' => 1001, 'order_number' => '1001', 'parcel_id' => 'shp_1', 'code' => 'carrier_silent', 'raised_at' => '2026-12-03T01:02:03.000Z', 'admin_url' => null ) ),
				'returns' => array( array( 'id' => 'ret_2', 'order_id' => 4242, 'order_number' => '4242', 'status' => 'requested', 'updated_at' => '2026-12-03T02:00:00.000Z', 'admin_url' => 'https://shop.example/wp-admin/post.php?post=4242&action=edit' ) ),
				'failed'  => array( array( 'id' => 'msg_3', 'type' => 'shipped', 'order_id' => 1001, 'order_number' => '1001', 'reason' => '<b>the mail server refused the message (550)</b>', 'failed_at' => '2026-12-03T03:00:00.000Z', 'admin_url' => null ) ),
			),
		);
	}

	public function test_the_staff_digest_goes_to_the_shop_once_with_order_links_and_follows_its_settings(): void {
		$this->due( array( self::digest( 'msg_9' ) ) );
		$this->assertSame( array( 'msg_9' => 'sent' ), Messages::run() );
		$this->assertCount( 1, WC_Stub::$mails );
		$mail = WC_Stub::$mails[0];
		$this->assertSame( 'staff@example.com', $mail['to'], 'the address aftercare names' );
		$this->assertStringContainsString( 'Daily aftercare digest for 2026-12-04', $mail['subject'] );
		$this->assertStringContainsString( 'the carrier has gone silent (shp_1)', $mail['message'] );
		$this->assertStringContainsString( esc_url( wc_get_order( 1001 )->get_edit_order_url() ), $mail['message'], 'the order\'s own edit screen' );
		$this->assertStringContainsString( esc_url( 'https://shop.example/wp-admin/post.php?post=4242&action=edit' ), $mail['message'], 'aftercare\'s link for an order the shop cannot load' );
		$this->assertStringContainsString( 'ret_2 requested: approve or reject', $mail['message'] );
		$this->assertStringNotContainsString( '<b>the mail server', $mail['message'], 'escaped' );
		$this->assertSame( array( 'msg_9' => array( 'outcome' => 'sent' ) ), self::reports() );
		$email = Emails::staff_digest();
		$this->assertFalse( $email->is_customer_email() );
		$this->assertArrayHasKey( 'recipient', $email->form_fields );

		// Listed again (the report was lost): reported again, not sent again.
		$this->due( array( self::digest( 'msg_9' ) ) );
		$this->assertSame( array( 'msg_9' => 'sent' ), Messages::run() );
		$this->assertCount( 1, WC_Stub::$mails );

	}

	public function test_the_shops_own_digest_recipient_wins(): void {
		update_option( 'woocommerce_aftercare_staff_digest_settings', array( 'recipient' => 'team@example.com' ) );
		$this->due( array( self::digest( 'msg_10' ) ) );
		$this->assertSame( array( 'msg_10' => 'sent' ), Messages::run() );
		$this->assertSame( 'team@example.com', WC_Stub::$mails[0]['to'] );
	}

	public function test_a_switched_off_digest_is_reported_disabled_and_not_sent(): void {
		update_option( 'woocommerce_aftercare_staff_digest_settings', array( 'enabled' => 'no' ) );
		$this->due( array( self::digest( 'msg_11' ) ) );
		$this->assertSame( array( 'msg_11' => 'disabled' ), Messages::run() );
		$this->assertSame( array(), WC_Stub::$mails );
	}

	public function test_with_aftercare_down_nothing_is_sent_and_the_lock_is_released(): void {
		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$this->assertSame( array(), Messages::run() );
		$this->assertSame( array(), WC_Stub::$mails );
		$this->assertFalse( get_option( Messages::LOCK_OPTION ) );
	}

	public function test_one_run_at_a_time(): void {
		$this->due( array( self::message( 'msg_8' ) ) );
		add_option( Messages::LOCK_OPTION, time() );
		$this->assertSame( array(), Messages::run() );
		$this->assertSame( array(), self::$server->requests() );
		update_option( Messages::LOCK_OPTION, time() - Messages::LOCK_TTL - 1 );
		$this->assertSame( array( 'msg_8' => 'sent' ), Messages::run(), 'a lock left by a run that died is taken over' );
	}

	public function test_the_recurring_action_is_queued_once_while_the_plugin_is_set_up(): void {
		Messages::schedule();
		Messages::schedule();
		$queued = array_values( array_filter( WC_Stub::$actions, fn( $a ) => Messages::HOOK === $a['hook'] ) );
		$this->assertCount( 1, $queued );
		$this->assertSame( 60, $queued[0]['interval'] );
		$this->assertTrue( $queued[0]['unique'] );
		Messages::unschedule();
		$this->assertSame( array(), array_filter( WC_Stub::$actions, fn( $a ) => Messages::HOOK === $a['hook'] ) );
	}
}
