<?php
/**
 * An order's invoice and credit notes for staff, on the order screen, downloaded through
 * WordPress (aftercare's own address may not be reachable from the admin's browser).
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Lists GET /api/v1/orders/{id}/documents and streams one through admin-post.php, for users
 * who may edit orders, with a nonce per order and document. The document's signed link is
 * used for its id, expiry and signature only: the file comes from the configured aftercare URL.
 */
final class Staff_Documents {

	public const ACTION = 'aftercare_staff_document';
	/** Who may download an order's documents. */
	public const CAPABILITY = 'edit_shop_orders';

	public static function register(): void {
		add_action( 'admin_post_' . self::ACTION, array( self::class, 'on_request' ) );
	}

	/**
	 * The order's documents (invoice first), or an empty list when aftercare has none or does
	 * not answer.
	 *
	 * @param int $order_id Order id.
	 * @return array<int,array<string,mixed>>
	 */
	public static function for_order( int $order_id ): array {
		$client = Api_Client::from_settings();
		if ( ! $client->is_configured() ) {
			return array();
		}
		$response = $client->get( self::path( $order_id ), array(), array( 'cache' => true ) );
		return $response->ok() ? Data::rows( $response->data, 'documents' ) : array();
	}

	/**
	 * The download link of one document for staff.
	 *
	 * @param int $order_id    Order id.
	 * @param int $document_id Document id.
	 */
	public static function url( int $order_id, int $document_id ): string {
		return wp_nonce_url(
			add_query_arg(
				array(
					'action'   => self::ACTION,
					'order_id' => $order_id,
					'document' => $document_id,
				),
				admin_url( 'admin-post.php' )
			),
			self::nonce_action( $order_id, $document_id )
		);
	}

	public static function on_request(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in fetch().
		$result = self::fetch( wp_unslash( $_GET ) );
		if ( isset( $result['file'] ) ) {
			Customer_Actions::send_file( $result['file'], $result['filename'] );
			wp_delete_file( $result['file'] );
			exit;
		}
		wp_die( esc_html( $result['error'] ), '', array( 'response' => $result['status'] ) );
	}

	/**
	 * Checks the request and fetches the document into a temporary file.
	 *
	 * @param array<string,mixed> $get Unslashed query.
	 * @return array{file:string,filename:string}|array{error:string,status:int}
	 */
	public static function fetch( array $get ): array {
		$order_id    = isset( $get['order_id'] ) && is_scalar( $get['order_id'] ) ? absint( $get['order_id'] ) : 0;
		$document_id = isset( $get['document'] ) && is_scalar( $get['document'] ) ? absint( $get['document'] ) : 0;
		$nonce       = isset( $get['_wpnonce'] ) && is_string( $get['_wpnonce'] ) ? $get['_wpnonce'] : '';
		if ( ! $order_id || ! $document_id || ! wp_verify_nonce( $nonce, self::nonce_action( $order_id, $document_id ) ) ) {
			return self::error( __( 'The link expired. Reload the order and try again.', 'aftercare-for-woocommerce' ), 403 );
		}
		if ( ! current_user_can( self::CAPABILITY, $order_id ) ) {
			return self::error( __( 'You may not download this order\'s documents.', 'aftercare-for-woocommerce' ), 403 );
		}
		$document = null;
		foreach ( self::for_order( $order_id ) as $row ) {
			if ( Data::int( $row, 'id' ) === $document_id ) {
				$document = $row;
			}
		}
		$link = null === $document ? null : Guest_Documents::signed_link( array( 'invoice' => $document ), 'invoice' );
		if ( null === $link || $link['id'] !== $document_id ) {
			return self::error( __( 'That document is not available for this order.', 'aftercare-for-woocommerce' ), 404 );
		}
		$fetched = Guest_Documents::download( $link, $order_id, sanitize_file_name( Data::str( $document, 'number' ) ) . '.pdf' );
		if ( null === $fetched ) {
			return self::error( __( 'The document could not be downloaded just now. Please try again in a few minutes.', 'aftercare-for-woocommerce' ), 503 );
		}
		return $fetched;
	}

	private static function path( int $order_id ): string {
		return sprintf( '/api/v1/orders/%d/documents', $order_id );
	}

	private static function nonce_action( int $order_id, int $document_id ): string {
		return self::ACTION . '_' . $order_id . '_' . $document_id;
	}

	/**
	 * A refusal.
	 *
	 * @param string $message What to tell the user.
	 * @param int    $status  HTTP status.
	 * @return array{error:string,status:int}
	 */
	private static function error( string $message, int $status ): array {
		return array(
			'error'  => $message,
			'status' => $status,
		);
	}
}
