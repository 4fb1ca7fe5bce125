<?php
/**
 * A guest's question about an order, from the [aftercare_track] result.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * As Guest_Returns: the form posts back to the tracking page with the order number and email,
 * which prove the order again (under the look-up's failure limit); aftercare checks the
 * order's key on its guest route.
 */
final class Guest_Support {

	public const ACTION       = 'aftercare_guest_support';
	public const REPLY_ACTION = 'aftercare_guest_support_reply';
	/** How long a sent request's submission id is remembered (a reload must not send it twice). */
	private const SENT_TTL = 3600;

	/**
	 * Whether a posted form is a guest's question.
	 *
	 * @param array<string,mixed> $post Unslashed $_POST.
	 */
	public static function is_action( array $post ): bool {
		return isset( $post['aftercare_guest_support'] ) || isset( $post['aftercare_guest_reply'] );
	}

	/**
	 * Proves the order, checks the form and sends it.
	 *
	 * @param array<string,mixed> $post  Unslashed $_POST.
	 * @param mixed               $files $_FILES['photos'].
	 * @param string              $ip    The shopper's address.
	 * @return array<string,mixed> As Guest_Tracking::lookup(), plus `notice` and, after a
	 *                             refused question, `support_form` ({errors, old}).
	 */
	public static function handle( array $post, $files, string $ip ): array {
		$number = isset( $post['aftercare_track_order'] ) && is_string( $post['aftercare_track_order'] ) ? sanitize_text_field( $post['aftercare_track_order'] ) : '';
		$email  = isset( $post['aftercare_track_email'] ) && is_string( $post['aftercare_track_email'] ) ? sanitize_email( $post['aftercare_track_email'] ) : '';
		$found  = Guest_Tracking::verify( $number, $email, $ip );
		if ( 'found' !== $found['status'] ) {
			return $found;
		}
		$order = $found['order'];
		$nonce = isset( $post['_aftercare_guest_nonce'] ) && is_string( $post['_aftercare_guest_nonce'] ) ? $post['_aftercare_guest_nonce'] : '';
		if ( isset( $post['aftercare_guest_reply'] ) ) {
			return self::reply( $order, absint( $post['aftercare_guest_reply'] ), $post, $nonce, $ip );
		}
		if ( ! wp_verify_nonce( $nonce, self::ACTION . '_' . (int) $order->get_id() ) ) {
			return self::with_notice( Guest_Tracking::fetch( $order, $ip ), 'error', __( 'Your session expired. Please send your message again.', 'aftercare-for-woocommerce' ) );
		}
		$current = Guest_Tracking::fetch( $order, $ip, true );
		if ( 'found' !== $current['status'] ) {
			return $current;
		}
		$submission = isset( $post['aftercare_submission'] ) && is_string( $post['aftercare_submission'] ) ? sanitize_key( $post['aftercare_submission'] ) : '';
		$sent_key   = 'aftercare_gs_' . md5( (int) $order->get_id() . '|' . $submission );
		$sent       = __( 'Your message has been sent. We will answer by email.', 'aftercare-for-woocommerce' );
		if ( '' !== $submission && false !== get_transient( $sent_key ) ) {
			return self::with_notice( $current, 'success', $sent );
		}
		$checked = Support::validate( $post, $current['view'] );
		$photos  = Return_Form::photos( $files );
		if ( '' !== $photos['error'] ) {
			$checked['errors']['photos'] = $photos['error'];
		}
		if ( $checked['errors'] ) {
			return self::with_form( $current, $checked['errors'], $checked['old'] );
		}
		$client   = Api_Client::from_settings();
		$path     = Support::guest_open_path( (int) $order->get_id() );
		$options  = array(
			'query'   => Guest_Tracking::proof( $order ),
			'headers' => array( 'X-Aftercare-Client-IP' => $ip ),
		);
		$response = $photos['files']
			? $client->post_multipart( $path, $checked['body'], $photos['files'], $options )
			: $client->post_json( $path, $checked['body'], $options );
		if ( $response->ok() ) {
			if ( '' !== $submission ) {
				set_transient( $sent_key, time(), self::SENT_TTL );
			}
			return self::with_notice( Guest_Tracking::fetch( $order, $ip ), 'success', $sent );
		}
		if ( 422 === $response->status || 400 === $response->status ) {
			return self::with_form( $current, Support::service_errors( $response ), $checked['old'] );
		}
		if ( 429 === $response->status ) {
			return array( 'status' => 'limited' );
		}
		if ( $response->missing_endpoint() ) {
			return self::with_notice( $current, 'error', __( 'Questions about orders cannot be sent online in this shop yet. Please contact us instead.', 'aftercare-for-woocommerce' ) );
		}
		$current = self::with_form( $current, array(), $checked['old'] );
		return self::with_notice( $current, 'error', __( 'Your message could not be sent just now. Nothing was submitted; please try again in a few minutes.', 'aftercare-for-woocommerce' ) );
	}

	/**
	 * The guest's reply in a conversation of the proven order (it reopens a solved request).
	 *
	 * @param \WC_Order           $order      The verified order.
	 * @param int                 $request_id Request id.
	 * @param array<string,mixed> $post       Unslashed $_POST.
	 * @param string              $nonce      The form's nonce.
	 * @param string              $ip         The shopper's address.
	 * @return array<string,mixed>
	 */
	private static function reply( $order, int $request_id, array $post, string $nonce, string $ip ): array {
		if ( ! $request_id || ! wp_verify_nonce( $nonce, self::REPLY_ACTION . '_' . $request_id ) ) {
			return self::with_notice( Guest_Tracking::fetch( $order, $ip ), 'error', __( 'Your session expired. Please send your message again.', 'aftercare-for-woocommerce' ) );
		}
		$message = isset( $post['message'] ) && is_string( $post['message'] ) ? trim( sanitize_textarea_field( $post['message'] ) ) : '';
		$error   = Support::message_error( $message );
		if ( '' !== $error ) {
			return self::with_notice( Guest_Tracking::fetch( $order, $ip ), 'error', $error );
		}
		// aftercare answers 404 for a request of another order than the one proven.
		$response = Api_Client::from_settings()->post_json(
			sprintf( '/api/v1/guest/orders/%d/requests/%d/messages', (int) $order->get_id(), $request_id ),
			array( 'body' => $message ),
			array(
				'query'   => Guest_Tracking::proof( $order ),
				'headers' => array( 'X-Aftercare-Client-IP' => $ip ),
			)
		);
		if ( 429 === $response->status ) {
			return array( 'status' => 'limited' );
		}
		$view = Guest_Tracking::fetch( $order, $ip, true );
		if ( $response->ok() ) {
			return self::with_notice( $view, 'success', __( 'Your reply has been sent.', 'aftercare-for-woocommerce' ) );
		}
		if ( $response->not_found() ) {
			return self::with_notice( $view, 'error', __( 'That conversation could not be found for this order.', 'aftercare-for-woocommerce' ) );
		}
		return self::with_notice( $view, 'error', __( 'Your message could not be sent just now. Nothing was submitted; please try again in a few minutes.', 'aftercare-for-woocommerce' ) );
	}

	/**
	 * The hidden fields of a guest's reply form.
	 *
	 * @param array<string,string> $proof      Number and email as typed.
	 * @param int                  $request_id Request id.
	 * @return array<string,string>
	 */
	public static function reply_fields( array $proof, int $request_id ): array {
		return $proof + array(
			'aftercare_guest_reply'  => (string) $request_id,
			'_aftercare_guest_nonce' => wp_create_nonce( self::REPLY_ACTION . '_' . $request_id ),
		);
	}

	/**
	 * Adds a notice to a look-up result.
	 *
	 * @param array<string,mixed> $result  Look-up result.
	 * @param string              $type    success or error.
	 * @param string              $message What happened.
	 * @return array<string,mixed>
	 */
	private static function with_notice( array $result, string $type, string $message ): array {
		$result['notice'] = array(
			'type'    => $type,
			'message' => $message,
		);
		return $result;
	}

	/**
	 * Adds the refused form to a look-up result.
	 *
	 * @param array<string,mixed>  $result Look-up result.
	 * @param array<string,string> $errors Field => message.
	 * @param array<string,mixed>  $old    What was typed.
	 * @return array<string,mixed>
	 */
	private static function with_form( array $result, array $errors, array $old ): array {
		$result['support_form'] = array(
			'errors' => $errors,
			'old'    => $old,
		);
		return $result;
	}

	/**
	 * The hidden fields of the guest's question form.
	 *
	 * @param array<string,string> $proof    Number and email as typed.
	 * @param int                  $order_id Order id.
	 * @return array<string,string>
	 */
	public static function request_fields( array $proof, int $order_id ): array {
		return $proof + array(
			'aftercare_guest_support' => '1',
			'aftercare_submission'    => bin2hex( random_bytes( 8 ) ),
			'_aftercare_guest_nonce'  => wp_create_nonce( self::ACTION . '_' . $order_id ),
		);
	}
}
