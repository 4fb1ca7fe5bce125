<?php
/**
 * aftercare's `delayed` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare when a parcel of the order is late: an apology, the new expected date and what the shop is doing about it.
 */
class Email_Delayed extends Customer_Email {

	public const TYPE = 'delayed';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: delayed', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare when a parcel of the order is late: an apology, the new expected date and what the shop is doing about it.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'Your {site_title} order #{order_number} is running late', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'Sorry, your order is late', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Thank you for your patience.', 'aftercare-for-woocommerce' );
	}
}
