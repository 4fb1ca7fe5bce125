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
		// A variation may have a guide of its own (aftercare prefers it to the product's).
		add_action( 'woocommerce_product_after_variable_attributes', array( self::class, 'print_variation_fields' ), 20, 3 );
		add_action( 'woocommerce_save_product_variation', array( self::class, 'on_save_variation' ), 10, 2 );
	}

	/**
	 * The store's guides, read once per request (a product may show many variations).
	 *
	 * @var Api_Response|null
	 */
	private static ?Api_Response $guides = null;

	/**
	 * The store's guides, read once and reused for every variation of the product.
	 */
	private static function guides(): Api_Response {
		if ( null === self::$guides ) {
			self::$guides = Api_Client::from_settings()->get( '/api/v1/guides' );
		}
		return self::$guides;
	}

	public static function variation_path( int $product_id, int $variation_id ): string {
		return sprintf( '/api/v1/products/%d/variations/%d/guide', $product_id, $variation_id );
	}

	/**
	 * Action woocommerce_product_after_variable_attributes: the variation's own guide.
	 *
	 * @param int      $loop      The variation's index in the form.
	 * @param mixed    $data      Unused.
	 * @param \WP_Post $variation The variation.
	 */
	public static function print_variation_fields( $loop, $data, $variation ): void {
		echo self::variation_fields( (int) $loop, (int) $variation->ID ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	public static function variation_fields( int $loop, int $variation_id ): string {
		$response = self::guides();
		$guide    = $response->ok() ? self::find( Data::rows( $response->data, 'guides' ), $variation_id, 'variation' ) : null;
		return Template::render(
			'admin/guide-variation',
			array(
				'response' => $response,
				'guide'    => $guide,
				'loop'     => $loop,
			)
		);
	}

	/**
	 * Action woocommerce_save_product_variation (WooCommerce's variations form, over AJAX).
	 *
	 * @param int $variation_id Variation id.
	 * @param int $loop         Its index in the form.
	 */
	public static function on_save_variation( $variation_id, $loop ): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in save_variation().
		self::save_variation( (int) $variation_id, (int) $loop, wp_unslash( $_POST ) );
	}

	/**
	 * Sends one variation's guide from WooCommerce's variations form.
	 *
	 * @param int                 $variation_id Variation id.
	 * @param int                 $loop         Its index in the form.
	 * @param array<string,mixed> $post         Unslashed form fields (`product_id` is the parent).
	 * @return string As save().
	 */
	public static function save_variation( int $variation_id, int $loop, array $post ): string {
		$pick = static fn( string $key ) => isset( $post[ $key ][ $loop ] ) ? $post[ $key ][ $loop ] : null;
		if ( null === $pick( 'aftercare_vguide_text' ) ) {
			return 'unchanged';
		}
		$fields = array(
			'aftercare_guide_text'   => $pick( 'aftercare_vguide_text' ),
			'aftercare_guide_title'  => (array) ( $pick( 'aftercare_vguide_title' ) ?? array() ),
			'aftercare_guide_url'    => (array) ( $pick( 'aftercare_vguide_url' ) ?? array() ),
			'aftercare_guide_was'    => $pick( 'aftercare_vguide_was' ) ?? '',
			'_aftercare_guide_nonce' => $post['_aftercare_guide_nonce'] ?? '',
		);
		$product_id = isset( $post['product_id'] ) ? absint( $post['product_id'] ) : 0;
		if ( ! $product_id ) {
			return 'denied';
		}
		return self::send( self::variation_path( $product_id, $variation_id ), $variation_id, $fields );
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
		$response = Api_Client::from_settings()->get( self::path( $product_id ) );
		$guide    = $response->ok() && is_array( $response->data ) ? $response->data : null;
		if ( 'guide_not_found' === $response->code ) {
			// None kept yet: an empty box to write one in.
			$response = new Api_Response( Api_Response::OK, 200, array() );
		} elseif ( $response->missing_endpoint() ) {
			// An aftercare from before GET of one guide: look it up among all of them.
			$response = Api_Client::from_settings()->get( '/api/v1/guides' );
			$guide    = $response->ok() ? self::find( Data::rows( $response->data, 'guides' ), $product_id ) : null;
		}
		return Template::render(
			'admin/guide-box',
			array(
				'response' => $response,
				'guide'    => $guide,
			)
		);
	}

	/**
	 * A product's (or variation's) own guide among the store's (`GET /api/v1/guides`: scope
	 * and key).
	 *
	 * @param array<int,array<string,mixed>> $guides Every guide.
	 * @param int                            $id     Product or variation id.
	 * @param string                         $scope  `product` or `variation`.
	 * @return array<string,mixed>|null
	 */
	public static function find( array $guides, int $id, string $scope = 'product' ): ?array {
		foreach ( $guides as $guide ) {
			if ( $scope === Data::str( $guide, 'scope' ) && (string) $id === Data::str( $guide, 'key' ) ) {
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
		return self::send( self::path( $product_id ), $product_id, $post );
	}

	/**
	 * Puts or deletes a guide from the box's fields, when they changed it.
	 *
	 * @param string              $path API path of the guide.
	 * @param int                 $id   The product or variation (for the capability check).
	 * @param array<string,mixed> $post The box's fields.
	 * @return string As save().
	 */
	private static function send( string $path, int $id, array $post ): string {
		$nonce = isset( $post['_aftercare_guide_nonce'] ) && is_string( $post['_aftercare_guide_nonce'] ) ? $post['_aftercare_guide_nonce'] : '';
		if ( ! wp_verify_nonce( $nonce, self::NONCE ) || ! current_user_can( 'edit_product', $id ) ) {
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
		$client       = Api_Client::from_settings();
		$empty        = '' === $text && ! $links;
		self::$guides = null;
		$response = $empty ? $client->delete( $path ) : $client->put_json( $path, $body );
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
