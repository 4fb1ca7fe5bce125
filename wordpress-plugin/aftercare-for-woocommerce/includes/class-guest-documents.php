<?php
/**
 * A guest's invoice and credit notes, downloaded through WordPress from the [aftercare_track]
 * result, so shoppers never need to reach aftercare itself.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Each download button is a small form posting back to the tracking page with what the guest
 * typed (order number and billing email) and a nonce. On `template_redirect`, before the page is
 * rendered, the order is proved again against WooCommerce (under the look-up's failure limit),
 * aftercare's guest view is read with the order's key, and the document's signed link from that
 * view is used for its id, expiry and signature only: WordPress fetches `/documents/{id}` from
 * the configured aftercare URL (never from the host in the link) into a temporary file and
 * streams it. A failure renders the page with the result and a notice.
 */
final class Guest_Documents {

	/** The posted field: `invoice`, or a credit note's id. */
	public const FIELD        = 'aftercare_guest_document';
	public const NONCE_ACTION = 'aftercare_guest_document';

	public static function register(): void {
		add_action( 'template_redirect', array( self::class, 'on_template_redirect' ) );
	}

	/**
	 * Action template_redirect: sends the document and ends the request, or leaves the outcome
	 * for the shortcode to show.
	 */
	public static function on_template_redirect(): void {
		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_key( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : 'GET';
		// phpcs:disable WordPress.Security.NonceVerification.Missing -- verified in fetch().
		if ( 'POST' !== $method || ! isset( $_POST[ self::FIELD ] ) ) {
			return;
		}
		$result = self::fetch( wp_unslash( $_POST ), Guest_Tracking::client_ip() );
		// phpcs:enable
		if ( isset( $result['file'] ) ) {
			Customer_Actions::send_file( $result['file'], $result['filename'] );
			exit;
		}
		Guest_Tracking::set_result( $result );
	}

	/**
	 * The form fields of one download button.
	 *
	 * @param array<string,string> $proof    Number and email as typed.
	 * @param string               $document `invoice` or a credit note's id.
	 * @return array<string,string>
	 */
	public static function fields( array $proof, string $document ): array {
		return $proof + array(
			self::FIELD              => $document,
			'_aftercare_doc_nonce' => wp_create_nonce( self::NONCE_ACTION . '_' . $document ),
		);
	}

	/**
	 * Proves the order again and fetches the document into a temporary file.
	 *
	 * @param array<string,mixed> $post Unslashed $_POST.
	 * @param string              $ip   The shopper's address.
	 * @return array<string,mixed> `file` and `filename`, or a look-up result (as
	 *                             Guest_Tracking::lookup()) with a `notice`.
	 */
	public static function fetch( array $post, string $ip ): array {
		$document = isset( $post[ self::FIELD ] ) && is_string( $post[ self::FIELD ] ) ? $post[ self::FIELD ] : '';
		if ( 'invoice' !== $document && ! preg_match( '/^[1-9]\d{0,17}$/', $document ) ) {
			return array( 'status' => 'expired' );
		}
		$nonce = isset( $post['_aftercare_doc_nonce'] ) && is_string( $post['_aftercare_doc_nonce'] ) ? $post['_aftercare_doc_nonce'] : '';
		if ( ! wp_verify_nonce( $nonce, self::NONCE_ACTION . '_' . $document ) ) {
			return array( 'status' => 'expired' );
		}
		$number = isset( $post['aftercare_track_order'] ) && is_string( $post['aftercare_track_order'] ) ? sanitize_text_field( $post['aftercare_track_order'] ) : '';
		$email  = isset( $post['aftercare_track_email'] ) && is_string( $post['aftercare_track_email'] ) ? sanitize_email( $post['aftercare_track_email'] ) : '';
		$found  = Guest_Tracking::verify( $number, $email, $ip );
		if ( 'found' !== $found['status'] ) {
			return $found;
		}
		// The shopper asked for this file: not skipped by the pause after a failure.
		$current = Guest_Tracking::fetch( $found['order'], $ip, true );
		if ( 'found' !== $current['status'] ) {
			return $current;
		}
		$link = self::signed_link( $current['view'], $document );
		if ( null === $link ) {
			return self::with_notice( $current, __( 'That document is not available for this order.', 'aftercare-for-woocommerce' ) );
		}
		$fallback = 'invoice' === $document
			? 'invoice-' . sanitize_file_name( Data::str( $current['view'], 'number' ) ) . '.pdf'
			: 'credit-note-' . $document . '.pdf';
		$fetched  = self::download( $link, (int) $found['order']->get_id(), $fallback );
		if ( null === $fetched ) {
			return self::with_notice( $current, __( 'The document could not be downloaded just now. Please try again in a few minutes.', 'aftercare-for-woocommerce' ) );
		}
		return $fetched;
	}

	/**
	 * Fetches a document by its signed link's id, expiry and signature from the configured
	 * aftercare URL into a temporary file. Shared by the guest and staff downloads.
	 *
	 * @param array{id:int,expires:string,signature:string} $link     The signed link's parts.
	 * @param int                                           $order_id For the temporary file's name.
	 * @param string                                        $fallback File name when aftercare names none.
	 * @param int                                           $timeout  Seconds it may take.
	 * @return array{file:string,filename:string}|null Null when it could not be fetched as a PDF.
	 */
	public static function download( array $link, int $order_id, string $fallback, int $timeout = Api_Client::DOWNLOAD_TIMEOUT ): ?array {
		if ( ! function_exists( 'wp_tempnam' ) ) {
			require_once ABSPATH . 'wp-admin/includes/file.php';
		}
		$file = wp_tempnam( 'aftercare-document-' . $order_id );
		if ( ! $file ) {
			return null;
		}
		$response = Api_Client::from_settings()->download(
			'/documents/' . $link['id'],
			$file,
			'application/pdf',
			array(
				'expires'   => $link['expires'],
				'signature' => $link['signature'],
			),
			$timeout
		);
		$is_pdf = str_starts_with( strtolower( $response->headers['content-type'] ?? '' ), 'application/pdf' );
		if ( ! $response->ok() || ! $is_pdf || ! filesize( $file ) ) {
			wp_delete_file( $file );
			return null;
		}
		return array(
			'file'     => $file,
			'filename' => Customer_Actions::pdf_filename( $response->headers['content-disposition'] ?? '', $fallback ),
		);
	}

	/**
	 * The id, expiry and signature of a document's signed link in the guest view; the link's
	 * scheme and host are never used.
	 *
	 * @param array<string,mixed> $view     aftercare's guest view.
	 * @param string              $document `invoice` or a credit note's id.
	 * @return array{id:int,expires:string,signature:string}|null
	 */
	public static function signed_link( array $view, string $document ): ?array {
		$entry = null;
		if ( 'invoice' === $document ) {
			$entry = Data::obj( $view, 'invoice' );
		} else {
			foreach ( Data::rows( $view, 'credit_notes' ) as $credit ) {
				if ( (string) Data::int( $credit, 'id' ) === $document ) {
					$entry = $credit;
				}
			}
		}
		$url = Data::url( is_array( $entry ) ? $entry : array(), 'download_url' );
		if ( '' === $url || ! preg_match( '#/documents/([1-9]\d{0,17})$#', (string) wp_parse_url( $url, PHP_URL_PATH ), $m ) ) {
			return null;
		}
		parse_str( (string) wp_parse_url( $url, PHP_URL_QUERY ), $query );
		$expires   = isset( $query['expires'] ) && is_string( $query['expires'] ) ? $query['expires'] : '';
		$signature = isset( $query['signature'] ) && is_string( $query['signature'] ) ? $query['signature'] : '';
		if ( 'invoice' !== $document && $m[1] !== $document ) {
			return null;
		}
		if ( ! preg_match( '/^\d{1,12}$/', $expires ) || ! preg_match( '/^[A-Za-z0-9_-]{1,128}$/', $signature ) ) {
			return null;
		}
		return array(
			'id'        => (int) $m[1],
			'expires'   => $expires,
			'signature' => $signature,
		);
	}

	/**
	 * Adds an error notice to a look-up result.
	 *
	 * @param array<string,mixed> $result  Look-up result.
	 * @param string              $message What happened.
	 * @return array<string,mixed>
	 */
	private static function with_notice( array $result, string $message ): array {
		$result['notice'] = array(
			'type'    => 'error',
			'message' => $message,
		);
		return $result;
	}
}
