<?php
/**
 * aftercare's `delivered` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare when the last parcel of the order has been delivered.
 */
class Email_Delivered extends Customer_Email {

	public const TYPE = 'delivered';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: delivered', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare when the last parcel of the order has been delivered.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'Your {site_title} order #{order_number} has been delivered', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'Your order has arrived', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'We hope you enjoy it. If anything is wrong, reply to this email or start a return from your account.', 'aftercare-for-woocommerce' );
	}
}
