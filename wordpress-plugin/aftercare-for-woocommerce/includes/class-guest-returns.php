<?php
/**
 * Returns for guests, from the [aftercare_track] result: request one, or withdraw it.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * A guest has no account, so every action proves the order again (number and billing
 * email, under the same failure limit as the look-up), and aftercare checks the order's key
 * on its guest endpoints. The form posts back to the page that shows it.
 */
final class Guest_Returns {

	public const REQUEST_ACTION = 'aftercare_guest_return';
	public const CANCEL_ACTION  = 'aftercare_guest_cancel';
	/** How long a sent request's submission id is remembered (a reload must not send it twice). */
	private const SENT_TTL = 3600;

	/**
	 * Whether a posted form is a guest's return request or withdrawal.
	 *
	 * @param array<string,mixed> $post Unslashed $_POST.
	 */
	public static function is_action( array $post ): bool {
		return isset( $post['aftercare_guest_return'] ) || isset( $post['aftercare_guest_cancel'] );
	}

	/**
	 * Proves the order, carries out the action and answers with the fresh view and a notice.
	 *
	 * @param array<string,mixed> $post  Unslashed $_POST.
	 * @param mixed               $files $_FILES['photos'].
	 * @param string              $ip    The shopper's address.
	 * @return array<string,mixed> As Guest_Tracking::lookup(), plus `notice` ({type, message})
	 *                             and, after a refused request, `form` ({errors, old}).
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
		if ( isset( $post['aftercare_guest_cancel'] ) ) {
			$return_id = absint( $post['aftercare_guest_cancel'] );
			if ( ! $return_id || ! wp_verify_nonce( $nonce, self::CANCEL_ACTION . '_' . $return_id ) ) {
				return self::with_notice( Guest_Tracking::fetch( $order, $ip ), 'error', __( 'The form expired. Please send it again.', 'aftercare-for-woocommerce' ) );
			}
			return self::cancel( $order, $return_id, $ip );
		}
		if ( ! wp_verify_nonce( $nonce, self::REQUEST_ACTION . '_' . (int) $order->get_id() ) ) {
			return self::with_notice( Guest_Tracking::fetch( $order, $ip ), 'error', __( 'Your session expired. Please send the return request again.', 'aftercare-for-woocommerce' ) );
		}
		return self::request( $order, $post, $files, $ip );
	}

	/**
	 * Checks the form against the guest view's eligibility and sends it.
	 *
	 * @param \WC_Order           $order The verified order.
	 * @param array<string,mixed> $post  Unslashed $_POST.
	 * @param mixed               $files $_FILES['photos'].
	 * @param string              $ip    The shopper's address.
	 * @return array<string,mixed>
	 */
	private static function request( $order, array $post, $files, string $ip ): array {
		// Part of the guest's own request, so not skipped by the pause after a failure.
		$current = Guest_Tracking::fetch( $order, $ip, true );
		if ( 'found' !== $current['status'] ) {
			return $current;
		}
		$submission = isset( $post['aftercare_submission'] ) && is_string( $post['aftercare_submission'] ) ? sanitize_key( $post['aftercare_submission'] ) : '';
		$sent_key   = 'aftercare_gr_' . md5( (int) $order->get_id() . '|' . $submission );
		if ( '' !== $submission && false !== get_transient( $sent_key ) ) {
			// The page was reloaded after the request went out: show it, do not send it again.
			return self::with_notice( $current, 'success', __( 'Your return request has been sent. You can follow it below.', 'aftercare-for-woocommerce' ) );
		}
		$checked = Return_Form::validate( $post, $current['view'] );
		$photos  = Return_Form::photos( $files );
		if ( '' !== $photos['error'] ) {
			$checked['errors']['photos'] = $photos['error'];
		}
		if ( $checked['errors'] ) {
			return self::with_form( $current, $checked['errors'], $checked['old'] );
		}
		$client   = Api_Client::from_settings();
		$path     = sprintf( '/api/v1/guest/orders/%d/returns', (int) $order->get_id() );
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
			return self::with_notice( Guest_Tracking::fetch( $order, $ip ), 'success', __( 'Your return request has been sent. You can follow it below.', 'aftercare-for-woocommerce' ) );
		}
		if ( 422 === $response->status ) {
			// What can be returned may have changed since: show the form with aftercare's view now.
			$fresh = Guest_Tracking::fetch( $order, $ip, true );
			return self::with_form( 'found' === $fresh['status'] ? $fresh : $current, Return_Form::service_errors( $response, $checked['body'] ), $checked['old'] );
		}
		if ( 429 === $response->status ) {
			return array( 'status' => 'limited' );
		}
		if ( $response->missing_endpoint() ) {
			return self::with_notice( $current, 'error', __( 'Online returns are not available for this shop yet. Please contact us instead.', 'aftercare-for-woocommerce' ) );
		}
		$current['form'] = array(
			'errors' => array(),
			'old'    => $checked['old'],
		);
		return self::with_notice( $current, 'error', __( 'Your return request could not be sent just now. Nothing was submitted; please try again in a few minutes.', 'aftercare-for-woocommerce' ) );
	}

	/**
	 * Withdraws a return of the verified order while aftercare still allows it.
	 *
	 * @param \WC_Order $order     The verified order.
	 * @param int       $return_id Return id.
	 * @param string    $ip        The shopper's address.
	 * @return array<string,mixed>
	 */
	private static function cancel( $order, int $return_id, string $ip ): array {
		$response = Api_Client::from_settings()->post_json(
			sprintf( '/api/v1/guest/orders/%d/returns/%d/cancel', (int) $order->get_id(), $return_id ),
			array( 'note' => __( 'Cancelled by the customer on the order tracking page.', 'aftercare-for-woocommerce' ) ),
			array(
				'query'   => Guest_Tracking::proof( $order ),
				'headers' => array( 'X-Aftercare-Client-IP' => $ip ),
			)
		);
		if ( 429 === $response->status ) {
			return array( 'status' => 'limited' );
		}
		$view = Guest_Tracking::fetch( $order, $ip );
		if ( $response->ok() ) {
			return self::with_notice( $view, 'success', __( 'Your return request has been cancelled.', 'aftercare-for-woocommerce' ) );
		}
		if ( 409 === $response->status ) {
			return self::with_notice( $view, 'error', __( 'This return can no longer be cancelled: it is already being handled.', 'aftercare-for-woocommerce' ) );
		}
		return self::with_notice( $view, 'error', __( 'The return could not be cancelled just now. Please try again in a few minutes.', 'aftercare-for-woocommerce' ) );
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
	 * Adds the refused form (errors and what was typed) to a look-up result.
	 *
	 * @param array<string,mixed>  $result Look-up result.
	 * @param array<string,string> $errors Field => message.
	 * @param array<string,mixed>  $old    What was typed.
	 * @return array<string,mixed>
	 */
	private static function with_form( array $result, array $errors, array $old ): array {
		$result['form'] = array(
			'errors' => $errors,
			'old'    => $old,
		);
		return $result;
	}

	/**
	 * The hidden fields the guest's forms carry: what they typed to find the order, and a
	 * fresh submission id so a reload does not send a request twice.
	 *
	 * @param array<string,string> $proof    Number and email as typed.
	 * @param int                  $order_id Order id.
	 * @return array<string,string>
	 */
	public static function request_fields( array $proof, int $order_id ): array {
		return $proof + array(
			'aftercare_guest_return' => '1',
			'aftercare_submission'   => bin2hex( random_bytes( 8 ) ),
			'_aftercare_guest_nonce' => wp_create_nonce( self::REQUEST_ACTION . '_' . $order_id ),
		);
	}
}
