<?php
/**
 * Records the customer's language on the order at checkout, so aftercare writes to them in
 * it (docs/notifications.md: "the order's language, else the shop's").
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * The `_aftercare_locale` order meta, through the WC_Order CRUD (HPOS or posts alike).
 */
final class Checkout_Locale {

	public const META = '_aftercare_locale';

	public static function register(): void {
		// Classic checkout: the order is saved right after this hook.
		add_action( 'woocommerce_checkout_create_order', array( self::class, 'record' ) );
		// Block checkout (Store API): the draft order exists already; save the meta now.
		add_action( 'woocommerce_store_api_checkout_update_order_meta', array( self::class, 'record_and_save' ) );
	}

	/**
	 * The language the customer shops in: their profile's, or the one a translation
	 * plugin switched the request to, else the site's.
	 */
	public static function current(): string {
		$locale = function_exists( 'determine_locale' ) ? determine_locale() : get_locale();
		return preg_match( '/^[a-z]{2,3}(_[A-Z]{2})?$/', (string) $locale ) ? (string) $locale : '';
	}

	/**
	 * Action woocommerce_checkout_create_order.
	 *
	 * @param \WC_Order $order The order being placed.
	 */
	public static function record( $order ): void {
		$locale = self::current();
		if ( $order instanceof \WC_Order && '' !== $locale ) {
			$order->update_meta_data( self::META, $locale );
		}
	}

	/**
	 * Action woocommerce_store_api_checkout_update_order_meta.
	 *
	 * @param \WC_Order $order The checkout's order.
	 */
	public static function record_and_save( $order ): void {
		if ( $order instanceof \WC_Order && '' !== self::current() ) {
			self::record( $order );
			$order->save();
		}
	}
}
