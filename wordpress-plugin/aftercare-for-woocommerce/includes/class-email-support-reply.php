<?php
/**
 * aftercare's `support_reply` message as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare when staff answer a customer's question about an order.
 */
class Email_Support_Reply extends Customer_Email {

	public const TYPE = 'support_reply';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: reply to a question', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare when staff answer a customer\'s question about an order.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'We answered your question about {site_title} order #{order_number}', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'We answered your question', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Reply on the order page if anything is still unclear.', 'aftercare-for-woocommerce' );
	}
}
