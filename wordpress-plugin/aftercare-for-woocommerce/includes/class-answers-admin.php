<?php
/**
 * WooCommerce → Answers: the FAQ entries aftercare shows customers before they ask.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Lists, adds, edits and deletes answers, with how often each was shown and how often a
 * request followed anyway. aftercare sanitises the answer's HTML and fills in live facts.
 */
final class Answers_Admin {

	public const PAGE          = 'aftercare-answers';
	public const SAVE_ACTION   = 'aftercare_answer_save';
	public const DELETE_ACTION = 'aftercare_answer_delete';
	public const ORDER_STATUSES = array( 'pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed' );
	public const DELIVERY_STATES = array( 'unfulfilled', 'partially_shipped', 'shipped', 'out_for_delivery', 'delivered', 'exception' );
	public const LANGS           = array( 'en', 'ko' );

	public static function register(): void {
		add_action( 'admin_menu', array( self::class, 'add_page' ), 62 );
		add_action( 'admin_post_' . self::SAVE_ACTION, array( self::class, 'on_save' ) );
		add_action( 'admin_post_' . self::DELETE_ACTION, array( self::class, 'on_delete' ) );
	}

	public static function add_page(): void {
		add_submenu_page(
			'woocommerce',
			__( 'Answers (FAQ)', 'aftercare-for-woocommerce' ),
			__( 'Answers', 'aftercare-for-woocommerce' ),
			'manage_woocommerce',
			self::PAGE,
			array( self::class, 'print_page' )
		);
	}

	public static function url( string $answer = '' ): string {
		$args = array( 'page' => self::PAGE );
		if ( '' !== $answer ) {
			$args['answer'] = $answer;
		}
		return add_query_arg( $args, admin_url( 'admin.php' ) );
	}

	public static function print_page(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You may not manage answers.', 'aftercare-for-woocommerce' ), 403 );
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a read-only view.
		$which = isset( $_GET['answer'] ) ? sanitize_key( wp_unslash( $_GET['answer'] ) ) : '';
		echo self::page( $which ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The list, or one answer's form ('new' for a new one).
	 *
	 * @param string $which '' for the list, 'new', or an answer id.
	 */
	public static function page( string $which ): string {
		$response = Api_Client::from_settings()->get( '/api/v1/answers' );
		$answers  = $response->ok() ? Data::rows( $response->data, 'answers' ) : array();
		if ( '' === $which ) {
			return Template::render(
				'admin/answers',
				array(
					'response' => $response,
					'answers'  => $answers,
				)
			);
		}
		$answer = null;
		foreach ( $answers as $row ) {
			if ( (string) Data::int( $row, 'id' ) === $which ) {
				$answer = $row;
			}
		}
		$state = get_transient( self::state_key() );
		delete_transient( self::state_key() );
		return Template::render(
			'admin/answer-edit',
			array(
				'response' => $response,
				'answer'   => is_array( $state ) ? $state : $answer,
				'id'       => 'new' === $which ? 0 : absint( $which ),
				'missing'  => 'new' !== $which && null === $answer && $response->ok(),
			)
		);
	}

	/**
	 * The entry for aftercare from the edit form.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return array<string,mixed>
	 */
	public static function body( array $post ): array {
		$list = static function ( string $key, array $allowed ) use ( $post ): array {
			$values = isset( $post[ $key ] ) && is_array( $post[ $key ] ) ? array_map( 'sanitize_key', array_filter( $post[ $key ], 'is_string' ) ) : array();
			return array_values( array_intersect( $values, $allowed ) );
		};
		$products = isset( $post['product_ids'] ) && is_string( $post['product_ids'] ) ? preg_split( '/[\s,]+/', $post['product_ids'], -1, PREG_SPLIT_NO_EMPTY ) : array();
		$lang     = isset( $post['lang'] ) && is_string( $post['lang'] ) ? sanitize_key( $post['lang'] ) : 'en';
		return array(
			'question' => isset( $post['question'] ) && is_string( $post['question'] ) ? sanitize_text_field( $post['question'] ) : '',
			// Rich text: aftercare keeps a safe subset; the shop may keep less.
			'answer'   => isset( $post['answer'] ) && is_string( $post['answer'] ) ? wp_kses_post( $post['answer'] ) : '',
			'lang'     => in_array( $lang, self::LANGS, true ) ? $lang : 'en',
			'when'     => array(
				'order_statuses'  => $list( 'order_statuses', self::ORDER_STATUSES ),
				'delivery_states' => $list( 'delivery_states', self::DELIVERY_STATES ),
				'topics'          => $list( 'topics', Support::TOPICS ),
				'product_ids'     => array_values( array_unique( array_filter( array_map( 'absint', (array) $products ) ) ) ),
			),
		);
	}

	public static function on_save(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in save().
		wp_safe_redirect( self::save( wp_unslash( $_POST ) ) );
		exit;
	}

	/**
	 * Adds or updates an answer.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return string Where to go next.
	 */
	public static function save( array $post ): string {
		$id    = isset( $post['id'] ) ? absint( $post['id'] ) : 0;
		$nonce = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		$back  = self::url( $id ? (string) $id : 'new' );
		if ( ! current_user_can( 'manage_woocommerce' ) || ! wp_verify_nonce( $nonce, self::SAVE_ACTION . '_' . $id ) ) {
			Admin_Notices::add( 'error', __( 'The page expired or you may not manage answers. Please try again.', 'aftercare-for-woocommerce' ) );
			return $back;
		}
		$body     = self::body( $post );
		$client   = Api_Client::from_settings();
		$response = $id ? $client->put_json( '/api/v1/answers/' . $id, $body ) : $client->post_json( '/api/v1/answers', $body );
		if ( $response->ok() ) {
			Admin_Notices::add( 'success', __( 'The answer was saved.', 'aftercare-for-woocommerce' ) );
			return self::url();
		}
		// Keep what was typed for the form shown again.
		set_transient( self::state_key(), $body, 600 );
		$lines = array();
		foreach ( $response->fields as $field ) {
			$lines[] = $field['field'] . ': ' . $field['message'];
		}
		Admin_Notices::add( 'error', __( 'The answer was not saved.', 'aftercare-for-woocommerce' ), $lines ? $lines : Connector::explain( $response ) );
		return $back;
	}

	public static function on_delete(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in delete().
		wp_safe_redirect( self::delete( wp_unslash( $_POST ) ) );
		exit;
	}

	/**
	 * Deletes an answer.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return string Where to go next.
	 */
	public static function delete( array $post ): string {
		$id    = isset( $post['id'] ) ? absint( $post['id'] ) : 0;
		$nonce = isset( $post['_wpnonce'] ) && is_string( $post['_wpnonce'] ) ? $post['_wpnonce'] : '';
		if ( ! current_user_can( 'manage_woocommerce' ) || ! $id || ! wp_verify_nonce( $nonce, self::DELETE_ACTION . '_' . $id ) ) {
			Admin_Notices::add( 'error', __( 'The page expired or you may not manage answers. Please try again.', 'aftercare-for-woocommerce' ) );
			return self::url();
		}
		$response = Api_Client::from_settings()->delete( '/api/v1/answers/' . $id );
		if ( $response->ok() || $response->not_found() ) {
			Admin_Notices::add( 'success', __( 'The answer was deleted.', 'aftercare-for-woocommerce' ) );
		} else {
			Admin_Notices::add( 'error', __( 'The answer was not deleted.', 'aftercare-for-woocommerce' ), Connector::explain( $response ) );
		}
		return self::url();
	}

	private static function state_key(): string {
		return 'aftercare_answer_form_' . get_current_user_id();
	}
}
