<?php
/**
 * aftercare's `out_for_delivery` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare when the carrier is delivering a parcel of the order today.
 */
class Email_Out_For_Delivery extends Customer_Email {

	public const TYPE = 'out_for_delivery';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: out for delivery', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare when the carrier is delivering a parcel of the order today.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'Your {site_title} order #{order_number} arrives today', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'Out for delivery today', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Thanks for shopping with us.', 'aftercare-for-woocommerce' );
	}
}
