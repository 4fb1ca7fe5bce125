<?php
/**
 * aftercare's message types as WooCommerce emails.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Adds one WC_Email per customer message type to WooCommerce's mailer.
 */
final class Emails {

	/** Customer message type => email class. */
	public const CLASSES = array(
		'order_confirmation' => Email_Order_Confirmation::class,
		'shipped'            => Email_Shipped::class,
		'out_for_delivery'   => Email_Out_For_Delivery::class,
		'delivered'          => Email_Delivered::class,
		'delayed'            => Email_Delayed::class,
		'return_update'      => Email_Return_Update::class,
		'support_reply'      => Email_Support_Reply::class,
		'product_guide'      => Email_Product_Guide::class,
		'survey'             => Email_Survey::class,
	);

	public static function register(): void {
		add_filter( 'woocommerce_email_classes', array( self::class, 'add_classes' ) );
	}

	/**
	 * Filter woocommerce_email_classes.
	 *
	 * @param mixed $emails Class name => instance.
	 * @return mixed
	 */
	public static function add_classes( $emails ) {
		if ( ! is_array( $emails ) || ! class_exists( 'WC_Email' ) ) {
			return $emails;
		}
		foreach ( array_merge( self::CLASSES, array( Email_Staff_Digest::TYPE => Email_Staff_Digest::class ) ) as $class ) {
			$key = 'Aftercare_' . substr( $class, strrpos( $class, '\\' ) + 1 );
			if ( ! isset( $emails[ $key ] ) ) {
				$emails[ $key ] = new $class();
			}
		}
		return $emails;
	}

	/**
	 * The email of a message type, or null for a type this plugin does not send.
	 *
	 * @param string $type Message type.
	 */
	public static function for_type( string $type ): ?Customer_Email {
		if ( ! isset( self::CLASSES[ $type ] ) || ! function_exists( 'WC' ) ) {
			return null;
		}
		foreach ( WC()->mailer()->get_emails() as $email ) {
			if ( $email instanceof Customer_Email && $email::TYPE === $type ) {
				return $email;
			}
		}
		return null;
	}

	/**
	 * The staff digest's email, or null without WooCommerce.
	 */
	public static function staff_digest(): ?Email_Staff_Digest {
		if ( ! function_exists( 'WC' ) ) {
			return null;
		}
		foreach ( WC()->mailer()->get_emails() as $email ) {
			if ( $email instanceof Email_Staff_Digest ) {
				return $email;
			}
		}
		return null;
	}
}
