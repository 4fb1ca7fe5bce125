<?php
/**
 * A support request's whole life through the plugin's real handlers and the real aftercare:
 * opened from My Account with a photo, answered, noted, assigned and solved from the inbox,
 * reopened by the customer's reply, told by the support_reply email; another customer cannot
 * touch it.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Account;
use Aftercare\Admin_Notices;
use Aftercare\Emails;
use Aftercare\Messages;
use Aftercare\Support_Actions;
use Aftercare\Support_Inbox;

final class SupportLifecycleTest extends Service_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		$this->require_endpoint( 'GET', '/api/v1/requests', 'GET /api/v1/requests' );
		Emails::register();
	}

	private static function staff(): void {
		Stub::login( 1, array( 'manage_woocommerce' ), 'Jae Park' );
	}

	private function staff_act( int $request_id, string $op, array $extra = array() ): array {
		self::staff();
		Support_Inbox::handle(
			array_merge(
				array(
					'request_id' => (string) $request_id,
					'order_id'   => '1001',
					'op'         => $op,
					'_wpnonce'   => wp_create_nonce( Support_Inbox::ACTION . '_' . $request_id ),
				),
				$extra
			)
		);
		return Admin_Notices::take()[0];
	}

	private function status( int $request_id ): string {
		list( $code, $json ) = self::$service->get( '/api/v1/requests/' . $request_id );
		$this->assertSame( 200, $code );
		return (string) $json['request']['status'];
	}

	public function test_open_answer_solve_reopen_and_solve_again(): void {
		Stub::login( 42 );
		$png  = Test_Image::gradient();
		$file = tempnam( sys_get_temp_dir(), 'up' );
		file_put_contents( $file, $png );
		add_filter( 'aftercare_is_uploaded_file', '__return_true' );
		try {
			Support_Actions::handle_open(
				array(
					'order_id'     => '1001',
					'topic'        => 'damaged_or_wrong_item',
					'line_item_id' => '201',
					'message'      => 'The scroll wheel <b>squeaks</b> & rattles',
					'_wpnonce'     => wp_create_nonce( Support_Actions::OPEN_ACTION . '_1001' ),
				),
				array(
					'name'     => array( 'wheel.png' ),
					'tmp_name' => array( $file ),
					'error'    => array( UPLOAD_ERR_OK ),
					'size'     => array( strlen( $png ) ),
				)
			);
		} finally {
			unset( Stub::$hooks['aftercare_is_uploaded_file'] );
			unlink( $file );
		}
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'], json_encode( Stub::$wc_notices ) );
		list( , $listed ) = self::$service->get( '/api/v1/requests?status=open' );
		$this->assertCount( 1, $listed['requests'] );
		$request_id = (int) $listed['requests'][0]['id'];
		$this->assertSame( 'The scroll wheel squeaks & rattles', $listed['requests'][0]['messages'][0]['body'], 'sanitised as WordPress sanitises a textarea: no markup reaches aftercare' );
		$this->assertCount( 1, $listed['requests'][0]['messages'][0]['photos'] );

		// The order page shows it, escaped.
		$html = Account::order_section( 1001 );
		$this->assertStringContainsString( 'The scroll wheel squeaks &amp; rattles', $html, 'escaped on output' );
		$this->assertStringContainsString( 'Nimbus Wireless Mouse ·', preg_replace( '/\s+/', ' ', $html ) );

		// Staff: the inbox, the request beside its order, a note, an assignee, a reply.
		self::staff();
		$inbox = self::dom( Support_Inbox::page( Support_Inbox::filters( array() ) ) );
		$this->assertStringContainsString( '#' . $request_id . ' · Damaged or wrong item', $inbox->query( '//table/tbody/tr' )->item( 0 )->textContent );
		$screen = self::dom( Support_Inbox::request_page( $request_id ) );
		$this->assertSame( 1, $screen->query( '//ul[@class="aftercare-photos"]//img' )->length );
		$photo = Support_Inbox::fetch_photo( array( 'request_id' => (string) $request_id, 'position' => '1', '_wpnonce' => wp_create_nonce( Support_Inbox::PHOTO_ACTION . '_' . $request_id ) ) );
		$this->assertIsArray( $photo, 'the photo comes back through WordPress' );
		$this->assertSame( $png, file_get_contents( $photo['file'] ), 'byte for byte' );
		unlink( $photo['file'] );
		$this->assertStringContainsString( 'Nimbus Wireless Mouse', self::text( $screen, '//div[contains(@class,"aftercare-inbox__facts")]' ) );
		$this->assertSame( 'success', $this->staff_act( $request_id, 'note', array( 'body' => 'Batch 12 wheels are loose.' ) )['type'] );
		$this->assertSame( 'success', $this->staff_act( $request_id, 'assign', array( 'assignee' => 'user1' ) )['type'] );
		$mine = self::dom( Support_Inbox::page( Support_Inbox::filters( array( 'assignee' => 'me' ) ) ) );
		$this->assertSame( 1, $mine->query( '//table/tbody/tr' )->length, 'assigned to me' );
		$this->assertSame( 'success', $this->staff_act( $request_id, 'reply', array( 'body' => 'Sorry! A new mouse ships today.' ) )['type'] );

		// The customer reads the reply, never the note, and is told by email.
		Stub::login( 42 );
		$tab = Account::support_tab();
		$this->assertStringContainsString( 'Sorry! A new mouse ships today.', $tab );
		$this->assertStringNotContainsString( 'Batch 12', $tab );
		$sent     = array();
		$deadline = microtime( true ) + 15;
		while ( ! in_array( 'sent', $sent, true ) && microtime( true ) < $deadline ) {
			$sent = Messages::run();
			usleep( 300000 );
		}
		$replies = array_values( array_filter( WC_Stub::$mails, static fn( $m ) => str_contains( $m['subject'], 'We answered your question' ) ) );
		$this->assertCount( 1, $replies, 'the support_reply email: ' . json_encode( array_column( WC_Stub::$mails, 'subject' ) ) );
		$this->assertStringContainsString( 'Sorry! A new mouse ships today.', $replies[0]['message'] );
		$this->assertStringContainsString( 'Jae Park wrote:', $replies[0]['message'] );
		$this->assertStringNotContainsString( 'Batch 12', $replies[0]['message'] );

		// Solved; the customer's reply reopens it; solved again.
		$this->assertSame( 'success', $this->staff_act( $request_id, 'solve' )['type'] );
		$this->assertSame( 'solved', $this->status( $request_id ) );
		$this->assertSame( 'error', $this->staff_act( $request_id, 'solve' )['type'], 'aftercare refuses solving twice (409)' );
		Stub::login( 43 );
		Stub::$wc_notices = array();
		Support_Actions::handle_reply( array( 'request_id' => (string) $request_id, 'message' => 'Not mine', '_wpnonce' => wp_create_nonce( Support_Actions::REPLY_ACTION . '_' . $request_id ) ) );
		$this->assertSame( 'That conversation could not be found in your account.', Stub::$wc_notices[0]['message'], 'another customer gets the same 404' );
		$this->assertSame( 'solved', $this->status( $request_id ) );
		Stub::login( 42 );
		Stub::$wc_notices = array();
		Support_Actions::handle_reply( array( 'request_id' => (string) $request_id, 'order_id' => '1001', 'message' => 'It squeaks again.', '_wpnonce' => wp_create_nonce( Support_Actions::REPLY_ACTION . '_' . $request_id ) ) );
		$this->assertSame( 'success', Stub::$wc_notices[0]['type'] );
		$this->assertSame( 'open', $this->status( $request_id ), 'the customer\'s reply reopened it' );
		$this->assertSame( 'success', $this->staff_act( $request_id, 'solve' )['type'] );
		$this->assertSame( 'solved', $this->status( $request_id ) );
	}
}
