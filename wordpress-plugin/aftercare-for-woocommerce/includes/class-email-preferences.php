<?php
/**
 * My Account → Dashboard: "Email preferences", the way to each unsubscribe page besides the
 * link in the messages themselves.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * One call to aftercare, not cached: a customer back from the unsubscribe page sees it at once.
 */
final class Email_Preferences {

	public static function register(): void {
		add_action( 'woocommerce_account_dashboard', array( self::class, 'print_block' ) );
	}

	public static function path( int $customer_id ): string {
		return sprintf( '/api/v1/customers/%d/email-preferences', $customer_id );
	}

	public static function print_block(): void {
		echo self::block(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The current customer's preferences; '' for a guest or when the plugin is not connected.
	 */
	public static function block(): string {
		$customer_id = get_current_user_id();
		if ( ! $customer_id ) {
			return '';
		}
		$client = Api_Client::from_settings();
		if ( ! $client->is_configured() ) {
			return '';
		}
		$response    = $client->get( self::path( $customer_id ) );
		$preferences = array();
		if ( $response->ok() ) {
			foreach ( Data::rows( $response->data, 'preferences' ) as $row ) {
				$url = Data::url( $row, 'unsubscribe_url' );
				if ( '' === $url ) {
					continue;
				}
				$preferences[] = array(
					'email'      => Data::str( $row, 'email' ),
					'class'      => Data::str( $row, 'class' ),
					'subscribed' => ! empty( $row['subscribed'] ),
					'url'        => self::in_language( $url ),
				);
			}
		}
		return Template::render(
			'myaccount/email-preferences',
			array(
				'response'    => $response,
				'preferences' => $preferences,
			)
		);
	}

	/**
	 * The page in the language the customer reads My Account in (it has English and Korean).
	 *
	 * @param string $url The unsubscribe page.
	 */
	public static function in_language( string $url ): string {
		$lang = 0 === strpos( Checkout_Locale::current(), 'ko' ) ? 'ko' : 'en';
		return (string) add_query_arg( 'lang', $lang, $url );
	}

	/**
	 * What a class of messages is, as the customer knows it.
	 *
	 * @param string $class_name `status_update`, or a later one.
	 */
	public static function class_label( string $class_name ): string {
		if ( 'status_update' === $class_name ) {
			return __( 'Shipping updates: shipped, out for delivery, delivered and delays', 'aftercare-for-woocommerce' );
		}
		return $class_name;
	}
}
