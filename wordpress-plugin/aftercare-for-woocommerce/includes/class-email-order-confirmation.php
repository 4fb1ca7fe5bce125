<?php
/**
 * aftercare's `order_confirmation` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare when an order is confirmed, with its parcels and expected date once known. Off by default: WooCommerce's own processing email already confirms orders.
 */
class Email_Order_Confirmation extends Customer_Email {

	public const TYPE = 'order_confirmation';
	public const ENABLED_BY_DEFAULT = false;

	protected function type_title(): string {
		return __( 'Aftercare: order confirmation', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare when an order is confirmed, with its parcels and expected date once known. Off by default: WooCommerce\'s own processing email already confirms orders.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'Your {site_title} order #{order_number} is confirmed', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'Thank you for your order', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Thanks for shopping with us.', 'aftercare-for-woocommerce' );
	}
}
