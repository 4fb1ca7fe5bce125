<?php
/**
 * Support requests: the topics, the words for them, the API paths and the ask form's checks.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * What the customer side and the staff side of support requests share. aftercare stores the
 * requests; this class only names things and checks what a shopper typed before it is sent.
 */
final class Support {

	/** The six topics of the interface, in the order the form lists them. */
	public const TOPICS   = array( 'where_is_my_order', 'damaged_or_wrong_item', 'invoice_and_billing', 'return_or_exchange', 'how_to_use', 'something_else' );
	public const STATUSES = array( 'open', 'solved' );
	/** Longest message a customer or staff member may send (aftercare checks again). */
	public const MAX_MESSAGE_CHARS = 5000;

	public static function topic( string $code ): string {
		$labels = array(
			'where_is_my_order'     => __( 'Where is my order?', 'aftercare-for-woocommerce' ),
			'damaged_or_wrong_item' => __( 'Damaged or wrong item', 'aftercare-for-woocommerce' ),
			'invoice_and_billing'   => __( 'Invoice and billing', 'aftercare-for-woocommerce' ),
			'return_or_exchange'    => __( 'Return or exchange', 'aftercare-for-woocommerce' ),
			'how_to_use'            => __( 'How to use the product', 'aftercare-for-woocommerce' ),
			'something_else'        => __( 'Something else', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? Labels::humanize( $code );
	}

	public static function status( string $code ): string {
		$labels = array(
			'open'    => __( 'Open', 'aftercare-for-woocommerce' ),
			'solved'  => __( 'Solved', 'aftercare-for-woocommerce' ),
			'waiting' => __( 'Waiting for you', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? Labels::humanize( $code );
	}

	public static function customer_requests_path( int $customer_id ): string {
		return sprintf( '/api/v1/customers/%d/requests', $customer_id );
	}

	public static function open_path( int $customer_id, int $order_id ): string {
		return Account::order_path( $customer_id, $order_id ) . '/requests';
	}

	public static function guest_open_path( int $order_id ): string {
		return sprintf( '/api/v1/guest/orders/%d/requests', $order_id );
	}

	public static function customer_reply_path( int $customer_id, int $request_id ): string {
		return self::customer_requests_path( $customer_id ) . '/' . $request_id . '/messages';
	}

	/**
	 * Who wrote a message of a conversation: customer, staff (replies and notes) or system.
	 *
	 * @param array<string,mixed> $message One message.
	 */
	public static function side( array $message ): string {
		$from = Data::str( $message, 'from' );
		return in_array( $from, array( 'customer', 'system' ), true ) ? $from : 'staff';
	}

	/**
	 * Whether a message is an internal note (aftercare's `from: note`), which only staff see.
	 *
	 * @param array<string,mixed> $message One message.
	 */
	public static function is_note( array $message ): bool {
		return 'note' === Data::str( $message, 'from' ) || Data::bool( $message, 'internal' );
	}

	/**
	 * The line item a request is about (aftercare's `item.line_item_id`), or 0.
	 *
	 * @param array<string,mixed> $request A request.
	 */
	public static function item_id( array $request ): int {
		$item = Data::obj( $request, 'item' );
		return null !== $item ? Data::int( $item, 'line_item_id' ) : Data::int( $request, 'line_item_id' );
	}

	/**
	 * The messages of a request, oldest first. Internal notes only when $staff.
	 *
	 * @param array<string,mixed> $request A request from aftercare.
	 * @param bool                $staff   Whether staff are reading.
	 * @return array<int,array<string,mixed>>
	 */
	public static function thread( array $request, bool $staff = false ): array {
		$messages = Data::rows( $request, 'messages' );
		if ( ! $staff ) {
			$messages = array_values( array_filter( $messages, static fn( $m ) => ! self::is_note( $m ) ) );
		}
		return $messages;
	}

	/**
	 * The text of a message.
	 *
	 * @param array<string,mixed> $message One message.
	 */
	public static function body( array $message ): string {
		return Data::str( $message, 'body' );
	}

	/**
	 * Checks the ask form against the order view (the item must be one of its line items).
	 *
	 * @param array<string,mixed> $post The form fields (unslashed).
	 * @param array<string,mixed> $view The order view.
	 * @return array{body:array<string,mixed>|null,errors:array<string,string>,old:array<string,mixed>}
	 */
	public static function validate( array $post, array $view ): array {
		$errors  = array();
		$topic   = isset( $post['topic'] ) && is_string( $post['topic'] ) ? sanitize_key( $post['topic'] ) : '';
		$item    = isset( $post['line_item_id'] ) && is_scalar( $post['line_item_id'] ) ? absint( $post['line_item_id'] ) : 0;
		$message = isset( $post['message'] ) && is_string( $post['message'] ) ? trim( sanitize_textarea_field( $post['message'] ) ) : '';
		if ( ! in_array( $topic, self::TOPICS, true ) ) {
			$errors['topic'] = __( 'Choose what your question is about.', 'aftercare-for-woocommerce' );
		}
		if ( $item && ! isset( Data::items_by_id( $view )[ $item ] ) ) {
			$errors['line_item_id'] = __( 'This item is not part of this order.', 'aftercare-for-woocommerce' );
		}
		$message_error = self::message_error( $message );
		if ( '' !== $message_error ) {
			$errors['message'] = $message_error;
		}
		$old = array(
			'topic'        => $topic,
			'line_item_id' => $item,
			'message'      => $message,
		);
		if ( $errors ) {
			return array(
				'body'   => null,
				'errors' => $errors,
				'old'    => $old,
			);
		}
		return array(
			'body'   => array(
				'topic'        => $topic,
				'line_item_id' => $item ? $item : null,
				'body'         => $message,
			),
			'errors' => array(),
			'old'    => $old,
		);
	}

	/**
	 * Why a message cannot be sent, or ''.
	 *
	 * @param string $message Sanitised text.
	 */
	public static function message_error( string $message ): string {
		if ( '' === $message ) {
			return __( 'Write your message.', 'aftercare-for-woocommerce' );
		}
		if ( mb_strlen( $message ) > self::MAX_MESSAGE_CHARS ) {
			/* translators: %d: maximum number of characters */
			return sprintf( __( 'Keep this under %d characters.', 'aftercare-for-woocommerce' ), self::MAX_MESSAGE_CHARS );
		}
		return '';
	}

	/**
	 * aftercare's refusal (422) as errors on the ask form, in the plugin's words where it knows
	 * the field.
	 *
	 * @param Api_Response $response The 422.
	 * @return array<string,string> Never empty.
	 */
	public static function service_errors( Api_Response $response ): array {
		$errors = array();
		foreach ( $response->fields as $field ) {
			$name = preg_replace( '/\[\d+\]$/', '', $field['field'] );
			switch ( $name ) {
				case 'topic':
					$errors['topic'] = __( 'Choose what your question is about.', 'aftercare-for-woocommerce' );
					break;
				case 'line_item_id':
					$errors['line_item_id'] = __( 'This item is not part of this order.', 'aftercare-for-woocommerce' );
					break;
				case 'body':
					$errors['message'] = '' !== $field['message'] ? $field['message'] : __( 'Write your message.', 'aftercare-for-woocommerce' );
					break;
				case 'photos':
					/* translators: 1: maximum number of photos, 2: maximum size in megabytes */
					$errors['photos'] = sprintf( __( 'Attach at most %1$d photos, each a JPEG, PNG or WebP image of at most %2$d MB.', 'aftercare-for-woocommerce' ), Return_Form::MAX_PHOTOS, Return_Form::MAX_PHOTO_BYTES / 1024 / 1024 );
					break;
				default:
					$errors['message'] = $field['message'];
			}
		}
		if ( ! $errors ) {
			$errors['message'] = '' !== $response->message && 'validation_failed' !== $response->code ? $response->message : __( 'Please check the form.', 'aftercare-for-woocommerce' );
		}
		return $errors;
	}

	/**
	 * The answers that fit a topic among the order view's `answers` (entries without topics fit
	 * every topic), for an aftercare without the answers-for-a-topic route.
	 *
	 * @param array<int,array<string,mixed>> $answers The order view's answers.
	 * @param string                         $topic   Chosen topic.
	 * @return array<int,array<string,mixed>>
	 */
	public static function answers_for_topic( array $answers, string $topic ): array {
		return array_values(
			array_filter(
				$answers,
				static function ( $answer ) use ( $topic ) {
					$topics = isset( $answer['topics'] ) && is_array( $answer['topics'] ) ? $answer['topics'] : array();
					return ! $topics || in_array( $topic, $topics, true );
				}
			)
		);
	}
}
