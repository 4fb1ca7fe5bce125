<?php
/**
 * Staff download an order's invoice and credit notes from the order screen, through WordPress,
 * with a nonce and the right to edit orders.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Shipment_Box;
use Aftercare\Staff_Documents;

final class StaffDocumentsTest extends Scripted_Test_Case {

	private const SIGNATURE = 'gmpenfcWg3VW5w2MehfTARaHplw58PaHHd1YaioY_7Q';

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true;
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Stub::login( 1, array( 'manage_woocommerce', 'edit_shop_orders' ) );
		self::$server->script(
			array(
				'GET /api/v1/customers/42/orders/1001' => array( 'json' => self::fixture( 'order-view-full.json' ) ),
				'GET /api/v1/orders/1001/documents'    => array(
					'json' => array(
						'documents' => array(
							array( 'id' => 1, 'kind' => 'invoice', 'number' => 'INV-2026-00001', 'order_id' => 1001, 'download_url' => 'https://elsewhere.example/documents/1?expires=1798070400&signature=' . self::SIGNATURE ),
							array( 'id' => 2, 'kind' => 'credit_note', 'number' => 'CN-2026-00001', 'order_id' => 1001, 'download_url' => 'https://elsewhere.example/documents/2?expires=1798070400&signature=' . self::SIGNATURE ),
						),
					),
				),
				'GET /documents/1'                     => array(
					'headers'     => array( 'Content-Type' => 'application/pdf', 'Content-Disposition' => 'attachment; filename="INV-2026-00001.pdf"' ),
					'body_base64' => base64_encode( '%PDF-1.7 invoice' ),
				),
			)
		);
	}

	private static function query( string $url ): array {
		parse_str( (string) wp_parse_url( html_entity_decode( $url ), PHP_URL_QUERY ), $query );
		return $query;
	}

	public function test_the_order_screen_links_the_invoice_and_credit_notes(): void {
		$xpath = self::dom( Shipment_Box::box( wc_get_order( 1001 ) ) );
		$links = $xpath->query( '//ul[@class="aftercare-box__documents"]//a' );
		$this->assertSame( 2, $links->length );
		$this->assertSame( 'Invoice INV-2026-00001', trim( $links->item( 0 )->textContent ) );
		$this->assertSame( 'Credit note CN-2026-00001', trim( $links->item( 1 )->textContent ) );
		$href = $links->item( 0 )->getAttribute( 'href' );
		$this->assertStringStartsWith( admin_url( 'admin-post.php' ), $href, 'through WordPress, not aftercare\'s own address' );
		$this->assertSame( Staff_Documents::ACTION, self::query( $href )['action'] );
	}

	public function test_the_link_downloads_the_pdf_from_the_configured_aftercare(): void {
		$result = Staff_Documents::fetch( self::query( Staff_Documents::url( 1001, 1 ) ) );
		$this->assertArrayHasKey( 'file', $result, wp_json_encode( $result ) );
		$this->assertSame( '%PDF-1.7 invoice', file_get_contents( $result['file'] ) );
		$this->assertSame( 'INV-2026-00001.pdf', $result['filename'] );
		unlink( $result['file'] );
		$download = array_values( array_filter( self::$server->requests(), static fn( $r ) => str_starts_with( $r['uri'], '/documents/' ) ) );
		$this->assertSame( '/documents/1?expires=1798070400&signature=' . self::SIGNATURE, $download[0]['uri'] );
	}

	public function test_a_missing_or_foreign_nonce_is_refused(): void {
		$this->assertSame( 403, Staff_Documents::fetch( array( 'order_id' => '1001', 'document' => '1' ) )['status'] );
		$other = self::query( Staff_Documents::url( 1001, 2 ) );
		$this->assertSame( 403, Staff_Documents::fetch( array( 'document' => '1' ) + $other )['status'], 'a nonce is for one document' );
		$this->assertSame( array(), array_filter( self::$server->requests(), static fn( $r ) => str_starts_with( $r['uri'], '/documents/' ) ) );
	}

	public function test_a_customer_is_refused(): void {
		$url = Staff_Documents::url( 1001, 1 );
		Stub::login( 42, array( 'read', 'view_order' ) );
		$query = self::query( $url );
		$query['_wpnonce'] = wp_create_nonce( Staff_Documents::ACTION . '_1001_1' );
		$result = Staff_Documents::fetch( $query );
		$this->assertSame( 403, $result['status'] );
		$this->assertArrayNotHasKey( 'file', $result );
		$this->assertSame( array(), self::$server->requests() );
	}

	public function test_a_document_of_another_order_is_not_served(): void {
		$result = Staff_Documents::fetch( self::query( Staff_Documents::url( 1001, 9 ) ) );
		$this->assertSame( 404, $result['status'] );
	}
}
