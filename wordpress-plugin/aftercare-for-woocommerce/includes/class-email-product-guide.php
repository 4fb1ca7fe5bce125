<?php
/**
 * aftercare's `product_guide` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare once per order, a few days after its items were delivered: the
 * getting-started guides of what the customer bought.
 */
class Email_Product_Guide extends Customer_Email {

	public const TYPE = 'product_guide';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: getting started', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare once per order, a few days after delivery: the getting-started guides of the products bought.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'Getting started with your {site_title} order #{order_number}', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'Getting started', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Questions? Ask us from the order page.', 'aftercare-for-woocommerce' );
	}
}
