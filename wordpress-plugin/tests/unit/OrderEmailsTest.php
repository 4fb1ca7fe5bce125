<?php
/**
 * WooCommerce's own order emails carry the parcels, the tracking page and the invoice or credit
 * note, as chosen in the settings, and go out unchanged when aftercare does not answer.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Order_Emails;
use Aftercare\Order_Facts;

final class OrderEmailsTest extends Scripted_Test_Case {

	private const SIGNATURE = 'gmpenfcWg3VW5w2MehfTARaHplw58PaHHd1YaioY_7Q';

	protected function setUp(): void {
		parent::setUp();
		Order_Facts::reset();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		self::$server->script(
			array(
				'GET /api/v1/customers/42/orders/1001' => array( 'json' => self::fixture( 'order-view-full.json' ) ),
				'GET /api/v1/orders/1001/documents'    => array(
					'json' => array(
						'documents' => array(
							array( 'id' => 1, 'kind' => 'invoice', 'number' => 'INV-2026-00001', 'order_id' => 1001, 'download_url' => 'https://elsewhere.example/documents/1?expires=1798070400&signature=' . self::SIGNATURE ),
							array( 'id' => 2, 'kind' => 'credit_note', 'number' => 'CN-2026-00001', 'order_id' => 1001, 'refund_id' => 77, 'download_url' => 'https://elsewhere.example/documents/2?expires=1798070400&signature=' . self::SIGNATURE ),
						),
					),
				),
				'GET /documents/1'                     => array(
					'headers'     => array( 'Content-Type' => 'application/pdf', 'Content-Disposition' => 'attachment; filename="INV-2026-00001.pdf"' ),
					'body_base64' => base64_encode( '%PDF-1.7 invoice' ),
				),
				'GET /documents/2'                     => array(
					'headers'     => array( 'Content-Type' => 'application/pdf', 'Content-Disposition' => 'attachment; filename="CN-2026-00001.pdf"' ),
					'body_base64' => base64_encode( '%PDF-1.7 credit note' ),
				),
			)
		);
	}

	protected function tearDown(): void {
		Order_Emails::clean_up();
		parent::tearDown();
	}

	private static function email( string $id, int $refund_id = 0 ): object {
		$email     = new stdClass();
		$email->id = $id;
		if ( $refund_id ) {
			$email->refund = new class( $refund_id ) {
				public function __construct( private int $id ) {}
				public function get_id() {
					return $this->id;
				}
			};
		}
		return $email;
	}

	private static function facts_html( string $email_id, bool $plain = false, bool $to_admin = false ): string {
		ob_start();
		Order_Emails::print_facts( wc_get_order( 1001 ), $to_admin, $plain, self::email( $email_id ) );
		return (string) ob_get_clean();
	}

	public function test_the_defaults_are_facts_everywhere_the_invoice_when_completed_the_credit_note_when_refunded(): void {
		$this->assertSame( Order_Emails::DEFAULTS, Order_Emails::choices() );
		$this->assertTrue( Order_Emails::wants( 'facts', 'customer_processing_order' ) );
		$this->assertFalse( Order_Emails::wants( 'invoice', 'customer_processing_order' ) );
		$this->assertTrue( Order_Emails::wants( 'invoice', 'customer_completed_order' ) );
		$this->assertTrue( Order_Emails::wants( 'credit_note', 'customer_partially_refunded_order' ), 'a partial refund is the refunded email' );
	}

	public function test_saving_keeps_ticked_boxes_only_and_never_foreign_ids(): void {
		Order_Emails::save(
			array(
				'aftercare_order_emails_shown' => '1',
				'aftercare_order_emails'       => array(
					'facts'       => array( 'customer_completed_order', 'customer_new_account' ),
					'invoice'     => array( 'customer_processing_order', 'customer_refunded_order' ),
				),
			)
		);
		$this->assertSame(
			array(
				'facts'       => array( 'customer_completed_order' ),
				'invoice'     => array( 'customer_processing_order' ),
				'credit_note' => array(),
			),
			Order_Emails::choices()
		);
		Order_Emails::save( array( 'aftercare_seller_phone' => '1' ) );
		$this->assertSame( array( 'customer_processing_order' ), Order_Emails::choices()['invoice'], 'a form without the boxes changes nothing' );
	}

	public function test_the_processing_email_shows_the_parcels_the_expected_date_and_the_tracking_page(): void {
		$xpath = self::dom( self::facts_html( 'customer_processing_order' ) );
		$this->assertSame( 'https://aftercare.example.com/t/q2w3e4r5t6y7u8i9', $xpath->query( '//a[contains(@class,"aftercare-email-button")]' )->item( 0 )->getAttribute( 'href' ) );
		$rows = $xpath->query( '//table//tbody/tr' );
		$this->assertSame( 2, $rows->length );
		$this->assertStringContainsString( '568912345678', $rows->item( 0 )->textContent );
		$this->assertStringContainsString( 'Out for delivery', $rows->item( 0 )->textContent );
		$this->assertStringContainsString( 'Expected delivery', self::text( $xpath, '//p[@class="aftercare-email-expected"]' ) );
		$plain = self::facts_html( 'customer_processing_order', true );
		$this->assertStringContainsString( 'Track your order: https://aftercare.example.com/t/q2w3e4r5t6y7u8i9', $plain );
		$this->assertStringContainsString( '568912345678', $plain );
		$this->assertStringNotContainsString( '<', $plain );
	}

	public function test_nothing_is_added_to_the_shops_copy_or_an_email_left_unticked(): void {
		$this->assertSame( '', self::facts_html( 'customer_processing_order', false, true ) );
		$this->assertSame( '', self::facts_html( 'customer_new_account' ) );
		update_option( Order_Emails::OPTION, array( 'facts' => array() ) );
		$this->assertSame( '', self::facts_html( 'customer_completed_order' ) );
		$this->assertSame( array(), self::$server->requests(), 'nothing asked of aftercare for an email without facts' );
	}

	public function test_the_completed_email_gets_the_invoice_named_after_it_and_it_is_deleted_once_sent(): void {
		$files = Order_Emails::attachments( array(), 'customer_completed_order', wc_get_order( 1001 ), self::email( 'customer_completed_order' ) );
		$this->assertCount( 1, $files );
		$this->assertSame( 'INV-2026-00001.pdf', basename( $files[0] ) );
		$this->assertSame( '%PDF-1.7 invoice', file_get_contents( $files[0] ) );
		do_action( 'woocommerce_email_sent', true, 'customer_completed_order', null );
		$this->assertFileDoesNotExist( $files[0] );
		$this->assertDirectoryDoesNotExist( dirname( $files[0] ) );
	}

	public function test_the_refunded_email_gets_the_credit_note_of_its_refund_and_no_invoice(): void {
		$files = Order_Emails::attachments( array( '/other.pdf' ), 'customer_partially_refunded_order', wc_get_order( 1001 ), self::email( 'customer_partially_refunded_order', 77 ) );
		$this->assertCount( 2, $files );
		$this->assertSame( '/other.pdf', $files[0], 'other plugins\' attachments stay' );
		$this->assertSame( 'CN-2026-00001.pdf', basename( $files[1] ) );
		$this->assertSame( array(), Order_Emails::attachments( array(), 'customer_processing_order', wc_get_order( 1001 ), self::email( 'customer_processing_order' ) ), 'no invoice on processing by default' );
		$this->assertSame( array(), Order_Emails::attachments( array(), 'customer_refunded_order', wc_get_order( 1001 ), self::email( 'customer_refunded_order', 78 ) ), 'no credit note of another refund' );
	}

	public function test_with_aftercare_down_the_email_goes_out_unchanged_and_the_log_has_no_personal_data(): void {
		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$this->assertSame( '', self::facts_html( 'customer_completed_order' ) );
		$this->assertSame( array( '/keep.pdf' ), Order_Emails::attachments( array( '/keep.pdf' ), 'customer_completed_order', wc_get_order( 1001 ), self::email( 'customer_completed_order' ) ) );
		$logged = implode( "\n", array_column( Stub::$log, 'message' ) );
		$this->assertStringContainsString( 'order 1001', $logged, 'the failure is logged with the order id' );
		$order = wc_get_order( 1001 );
		$this->assertStringNotContainsString( (string) $order->get_billing_email(), $logged );
		$this->assertStringNotContainsString( (string) $order->get_order_key(), $logged );
	}
}
