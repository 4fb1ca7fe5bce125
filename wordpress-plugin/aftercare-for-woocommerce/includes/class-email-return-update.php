<?php
/**
 * aftercare's `return_update` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare when a return of the order moves on: approved, received, rejected, refunded or credited.
 */
class Email_Return_Update extends Customer_Email {

	public const TYPE = 'return_update';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: return update', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare when a return of the order moves on: approved, received, rejected, refunded or credited.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'An update on your return for {site_title} order #{order_number}', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'News about your return', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Thanks for shopping with us.', 'aftercare-for-woocommerce' );
	}
}
