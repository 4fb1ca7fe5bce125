<?php
/**
 * aftercare's `shipped` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare when a parcel of the order leaves with the carrier, with its tracking number and expected date.
 */
class Email_Shipped extends Customer_Email {

	public const TYPE = 'shipped';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: shipped', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare when a parcel of the order leaves with the carrier, with its tracking number and expected date.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'Your {site_title} order #{order_number} is on its way', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'Your order is on its way', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Thanks for shopping with us.', 'aftercare-for-woocommerce' );
	}
}
