<?php
/**
 * The "Getting-started guide" box on the product edit screen.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * A product's guide (a short text and links) is kept in aftercare, which shows it in My
 * Account once the item ships, links it from the delivered message, sends it a few days
 * after delivery, and counts the clicks on its links.
 */
final class Guide_Box {

	public const NONCE = 'aftercare_guide';
	/** Link rows the box offers (aftercare keeps up to ten). */
	public const LINK_ROWS = 5;

	public static function register(): void {
		add_action( 'add_meta_boxes_product', array( self::class, 'add_box' ) );
		add_action( 'woocommerce_process_product_meta', array( self::class, 'on_save' ) );
	}

	public static function add_box(): void {
		add_meta_box( 'aftercare-guide', __( 'Getting-started guide', 'aftercare-for-woocommerce' ), array( self::class, 'print_box' ), 'product', 'normal', 'default' );
	}

	public static function path( int $product_id ): string {
		return sprintf( '/api/v1/products/%d/guide', $product_id );
	}

	/**
	 * Meta box callback.
	 *
	 * @param \WP_Post $post The product.
	 */
	public static function print_box( $post ): void {
		echo self::box( (int) $post->ID ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	public static function box( int $product_id ): string {
		$response = Api_Client::from_settings()->get( '/api/v1/guides' );
		$guide    = $response->ok() ? self::find( Data::rows( $response->data, 'guides' ), $product_id ) : null;
		return Template::render(
			'admin/guide-box',
			array(
				'response' => $response,
				'guide'    => $guide,
			)
		);
	}

	/**
	 * The product's own guide among the store's (`GET /api/v1/guides`: scope and key).
	 *
	 * @param array<int,array<string,mixed>> $guides     Every guide.
	 * @param int                            $product_id Product id.
	 * @return array<string,mixed>|null
	 */
	public static function find( array $guides, int $product_id ): ?array {
		foreach ( $guides as $guide ) {
			if ( 'product' === Data::str( $guide, 'scope' ) && (string) $product_id === Data::str( $guide, 'key' ) ) {
				return $guide;
			}
		}
		return null;
	}

	/**
	 * Action woocommerce_process_product_meta.
	 *
	 * @param int $product_id Product id.
	 */
	public static function on_save( $product_id ): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in save().
		self::save( (int) $product_id, wp_unslash( $_POST ) );
	}

	/**
	 * Sends the box's guide to aftercare (or deletes it when emptied), when it changed.
	 *
	 * @param int                 $product_id Product id.
	 * @param array<string,mixed> $post       Unslashed form fields.
	 * @return string What happened: unchanged, saved, deleted, refused, failed or denied.
	 */
	public static function save( int $product_id, array $post ): string {
		if ( ! isset( $post['aftercare_guide_text'] ) ) {
			return 'unchanged'; // The box was not shown (aftercare away, quick edit).
		}
		$nonce = isset( $post['_aftercare_guide_nonce'] ) && is_string( $post['_aftercare_guide_nonce'] ) ? $post['_aftercare_guide_nonce'] : '';
		if ( ! wp_verify_nonce( $nonce, self::NONCE ) || ! current_user_can( 'edit_product', $product_id ) ) {
			return 'denied';
		}
		$text   = is_string( $post['aftercare_guide_text'] ) ? trim( sanitize_textarea_field( $post['aftercare_guide_text'] ) ) : '';
		$titles = isset( $post['aftercare_guide_title'] ) && is_array( $post['aftercare_guide_title'] ) ? $post['aftercare_guide_title'] : array();
		$urls   = isset( $post['aftercare_guide_url'] ) && is_array( $post['aftercare_guide_url'] ) ? $post['aftercare_guide_url'] : array();
		$links  = array();
		foreach ( $urls as $i => $url ) {
			$url   = is_string( $url ) ? esc_url_raw( trim( $url ), array( 'http', 'https' ) ) : '';
			$title = isset( $titles[ $i ] ) && is_string( $titles[ $i ] ) ? sanitize_text_field( $titles[ $i ] ) : '';
			if ( '' !== $url ) {
				$links[] = array(
					'title' => '' !== $title ? $title : $url,
					'url'   => $url,
				);
			}
		}
		$body = array(
			'text'  => $text,
			'links' => $links,
		);
		$was  = isset( $post['aftercare_guide_was'] ) && is_string( $post['aftercare_guide_was'] ) ? $post['aftercare_guide_was'] : '';
		if ( hash_equals( $was, md5( (string) wp_json_encode( $body ) ) ) ) {
			return 'unchanged';
		}
		$client   = Api_Client::from_settings();
		$empty    = '' === $text && ! $links;
		$response = $empty ? $client->delete( self::path( $product_id ) ) : $client->put_json( self::path( $product_id ), $body );
		if ( $response->ok() || ( $empty && $response->not_found() ) ) {
			return $empty ? 'deleted' : 'saved';
		}
		$lines = array();
		foreach ( $response->fields as $field ) {
			$lines[] = $field['field'] . ': ' . $field['message'];
		}
		Admin_Notices::add( 'error', __( 'The product was saved, but not its getting-started guide.', 'aftercare-for-woocommerce' ), $lines ? $lines : Connector::explain( $response ) );
		return $lines ? 'refused' : 'failed';
	}

	/**
	 * The fingerprint of a guide as the box shows it, to tell whether the form changed it.
	 *
	 * @param array<string,mixed>|null $guide The guide from aftercare.
	 */
	public static function fingerprint( ?array $guide ): string {
		$links = array();
		foreach ( Data::rows( $guide, 'links' ) as $link ) {
			$links[] = array(
				'title' => Data::str( $link, 'title' ),
				'url'   => Data::str( $link, 'url' ),
			);
		}
		return md5(
			(string) wp_json_encode(
				array(
					'text'  => Data::str( $guide, 'text' ),
					'links' => $links,
				)
			)
		);
	}
}
