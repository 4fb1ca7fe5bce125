<?php
/**
 * A guest's invoice and credit notes, fetched by WordPress from the configured aftercare after
 * the order is proved again.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Guest_Documents;
use Aftercare\Guest_Tracking;

final class GuestDocumentsTest extends Scripted_Test_Case {

	private const INVOICE = '/documents/1?expires=1798070400&signature=gmpenfcWg3VW5w2MehfTARaHplw58PaHHd1YaioY_7Q';
	private const CREDIT  = '/documents/4?expires=1798070400&signature=EC2apUgu_xcsQ7GiyK4A8j3qhu1-sLVWgR9FNo6YwHA';

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/guest-usd.json' ) );
	}

	private function script( array $extra = array() ): void {
		self::$server->script(
			array_merge(
				array(
					'GET /api/v1/guest/orders/1002' => array( 'json' => GuestTrackingTest::guest_view() ),
					'GET ' . self::INVOICE          => array(
						'headers'     => array( 'Content-Type' => 'application/pdf', 'Content-Disposition' => 'attachment; filename="INV-2026-00001.pdf"' ),
						'body_base64' => base64_encode( '%PDF-1.7 invoice' ),
					),
					'GET ' . self::CREDIT           => array(
						'headers'     => array( 'Content-Type' => 'application/pdf' ),
						'body_base64' => base64_encode( '%PDF-1.7 credit note' ),
					),
				),
				$extra
			)
		);
	}

	private function post( string $document, string $email = 'Zoe.OBrien@example.net' ): array {
		return Guest_Documents::fields(
			array(
				'aftercare_track_order' => '1002',
				'aftercare_track_email' => $email,
			),
			$document
		);
	}

	public function test_the_invoice_comes_from_the_configured_aftercare_not_the_links_host(): void {
		$this->script();
		$result = Guest_Documents::fetch( $this->post( 'invoice' ), '203.0.113.9' );
		$this->assertSame( '%PDF-1.7 invoice', file_get_contents( $result['file'] ) );
		$this->assertSame( 'INV-2026-00001.pdf', $result['filename'] );
		unlink( $result['file'] );
		$requests = self::$server->requests();
		$this->assertSame( array( '/api/v1/guest/orders/1002', self::INVOICE ), array_map( static fn( $r ) => strtok( $r['uri'], '?' ) === '/api/v1/guest/orders/1002' ? '/api/v1/guest/orders/1002' : $r['uri'], $requests ), 'the view is read with the order\'s key, then the document by its signed id (aftercare.example.com is never asked)' );
		$this->assertStringContainsString( 'key=wc_order_h3JdN8wYc5QeB', $requests[0]['uri'] );
		$this->assertSame( '203.0.113.9', $requests[0]['headers']['x-aftercare-client-ip'] );
	}

	public function test_a_credit_note_of_the_order_and_no_other(): void {
		$this->script();
		$result = Guest_Documents::fetch( $this->post( '4' ), '203.0.113.9' );
		$this->assertSame( '%PDF-1.7 credit note', file_get_contents( $result['file'] ) );
		$this->assertSame( 'credit-note-4.pdf', $result['filename'] );
		unlink( $result['file'] );

		$other = Guest_Documents::fetch( $this->post( '9' ), '203.0.113.9' );
		$this->assertSame( 'found', $other['status'] );
		$this->assertSame( 'That document is not available for this order.', $other['notice']['message'] );
		$this->assertCount( 1, array_filter( self::$server->requests(), static fn( $r ) => str_starts_with( $r['uri'], '/documents/' ) ) );
	}

	public function test_the_proof_and_the_nonce_are_checked_before_anything_is_asked(): void {
		$this->script();
		$this->assertSame( array( 'status' => 'not_found' ), Guest_Documents::fetch( $this->post( 'invoice', 'someone@example.net' ), '198.51.100.7' ) );
		$this->assertSame( 1, get_transient( 'aftercare_gt_' . md5( '198.51.100.7' ) )['count'], 'a wrong email counts as a failed look-up' );
		$forged = array_merge( $this->post( '4' ), array( 'aftercare_guest_document' => '5' ) );
		$this->assertSame( array( 'status' => 'expired' ), Guest_Documents::fetch( $forged, '198.51.100.7' ), 'a nonce is for one document' );
		$this->assertSame( array( 'status' => 'expired' ), Guest_Documents::fetch( array_merge( $this->post( 'invoice' ), array( 'aftercare_guest_document' => '../x' ) ), '198.51.100.7' ) );
		$this->assertSame( array(), self::$server->requests() );
	}

	public function test_a_refused_download_shows_the_order_again_with_a_notice_on_the_page(): void {
		$this->script( array( 'GET ' . self::INVOICE => array( 'status' => 410, 'json' => array( 'error' => array( 'code' => 'link_expired', 'message' => 'x' ) ) ) ) );
		$_SERVER['REQUEST_METHOD'] = 'POST';
		$_POST                     = $this->post( 'invoice' );
		try {
			do_action( 'template_redirect' );
			$html = Guest_Tracking::shortcode();
		} finally {
			$_POST = array();
			unset( $_SERVER['REQUEST_METHOD'] );
		}
		$xpath = self::dom( $html );
		$this->assertSame( 'The document could not be downloaded just now. Please try again in a few minutes.', self::text( $xpath, '//div[contains(@class,"woocommerce-error")]' ) );
		$this->assertStringContainsString( 'Order #1002', self::text( $xpath, '//h2' ) );
		$this->assertSame( 'Zoe.OBrien@example.net', $xpath->query( '//input[@name="aftercare_track_email"][@type="email"]' )->item( 0 )->getAttribute( 'value' ) );
		$this->assertCount( 2, self::$server->requests(), 'the shortcode did not handle the form a second time' );
	}

	public function test_signed_links_are_read_for_their_id_expiry_and_signature_only(): void {
		$view = array(
			'invoice'      => array( 'download_url' => 'https://elsewhere.example/sub/documents/12?expires=1798070400&signature=abc_-9' ),
			'credit_notes' => array(
				array( 'id' => 13, 'download_url' => 'https://x.example/documents/14?expires=1&signature=s' ),
				array( 'id' => 15, 'download_url' => 'https://x.example/documents/15?expires=1&signature=bad%20sig' ),
			),
		);
		$this->assertSame( array( 'id' => 12, 'expires' => '1798070400', 'signature' => 'abc_-9' ), Guest_Documents::signed_link( $view, 'invoice' ) );
		$this->assertNull( Guest_Documents::signed_link( $view, '13' ), 'the link must be the credit note\'s own' );
		$this->assertNull( Guest_Documents::signed_link( $view, '15' ) );
		$this->assertNull( Guest_Documents::signed_link( $view, '99' ) );
		$this->assertTrue( has_action( 'template_redirect', array( Guest_Documents::class, 'on_template_redirect' ) ) );
	}
}
