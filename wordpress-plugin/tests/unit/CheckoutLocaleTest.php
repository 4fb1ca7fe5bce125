<?php
/**
 * The customer's language is recorded on the order at checkout, through the WC_Order CRUD.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Checkout_Locale;

final class CheckoutLocaleTest extends Plugin_Test_Case {

	public function test_classic_checkout_records_the_site_language_on_the_order_it_saves(): void {
		update_option( 'WPLANG', 'ko_KR' );
		$order = new WC_Order();
		do_action( 'woocommerce_checkout_create_order', $order, array() );
		$this->assertSame( 'ko_KR', $order->get_meta( Checkout_Locale::META ) );
		$this->assertSame( 0, $order->saves, 'WooCommerce saves the order after this hook' );
	}

	public function test_a_customer_who_reads_the_shop_in_english_gets_english(): void {
		update_option( 'WPLANG', 'ko_KR' );
		Stub::login( 42 );
		update_user_meta( 42, 'locale', 'en_US' );
		$order = new WC_Order();
		do_action( 'woocommerce_checkout_create_order', $order, array() );
		$this->assertSame( 'en_US', $order->get_meta( Checkout_Locale::META ) );
	}

	public function test_block_checkout_records_it_and_saves_the_order(): void {
		$order = new WC_Order();
		do_action( 'woocommerce_store_api_checkout_update_order_meta', $order );
		$this->assertSame( 'en_US', $order->get_meta( Checkout_Locale::META ), 'the site default' );
		$this->assertSame( 1, $order->saves );
	}

	public function test_a_malformed_locale_is_not_recorded(): void {
		update_option( 'WPLANG', 'ko_KR"><script>' );
		$order = new WC_Order();
		do_action( 'woocommerce_checkout_create_order', $order, array() );
		do_action( 'woocommerce_store_api_checkout_update_order_meta', $order );
		$this->assertSame( '', $order->get_meta( Checkout_Locale::META ) );
		$this->assertSame( 0, $order->saves );
	}
}
