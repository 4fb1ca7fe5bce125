<?php
/**
 * Defensive reading of aftercare's JSON: a missing or odd key reads as empty, never a warning.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Typed reads from decoded JSON.
 */
final class Data {

	/**
	 * A string (numbers are accepted and stringified), or ''.
	 *
	 * @param mixed  $row Decoded object.
	 * @param string $key Key.
	 */
	public static function str( $row, string $key ): string {
		if ( ! is_array( $row ) || ! isset( $row[ $key ] ) ) {
			return '';
		}
		$value = $row[ $key ];
		if ( is_string( $value ) ) {
			return $value;
		}
		if ( is_int( $value ) || is_float( $value ) ) {
			return (string) $value;
		}
		return '';
	}

	/**
	 * An integer, or 0.
	 *
	 * @param mixed  $row Decoded object.
	 * @param string $key Key.
	 */
	public static function int( $row, string $key ): int {
		if ( ! is_array( $row ) || ! isset( $row[ $key ] ) || ! is_numeric( $row[ $key ] ) ) {
			return 0;
		}
		return (int) $row[ $key ];
	}

	/**
	 * A boolean, or $fallback when the key is missing or not a boolean.
	 *
	 * @param mixed  $row      Decoded object.
	 * @param string $key      Key.
	 * @param bool   $fallback Used when the key is missing.
	 */
	public static function bool( $row, string $key, bool $fallback = false ): bool {
		return ( is_array( $row ) && isset( $row[ $key ] ) && is_bool( $row[ $key ] ) ) ? $row[ $key ] : $fallback;
	}

	/**
	 * A list of objects (non-objects dropped), or [].
	 *
	 * @param mixed  $row Decoded object.
	 * @param string $key Key.
	 * @return array<int,array<string,mixed>>
	 */
	public static function rows( $row, string $key ): array {
		if ( ! is_array( $row ) || ! isset( $row[ $key ] ) || ! is_array( $row[ $key ] ) ) {
			return array();
		}
		return array_values( array_filter( $row[ $key ], 'is_array' ) );
	}

	/**
	 * A nested object, or null.
	 *
	 * @param mixed  $row Decoded object.
	 * @param string $key Key.
	 * @return array<string,mixed>|null
	 */
	public static function obj( $row, string $key ): ?array {
		return ( is_array( $row ) && isset( $row[ $key ] ) && is_array( $row[ $key ] ) ) ? $row[ $key ] : null;
	}

	/**
	 * An http(s) URL, or '' (anything else is not a link we print).
	 *
	 * @param mixed  $row Decoded object.
	 * @param string $key Key.
	 */
	public static function url( $row, string $key ): string {
		$url = self::str( $row, $key );
		return preg_match( '#^https?://#i', $url ) ? $url : '';
	}

	/**
	 * The order's line items by id.
	 *
	 * @param mixed $view The order view.
	 * @return array<int,array<string,mixed>>
	 */
	public static function items_by_id( $view ): array {
		$items = array();
		foreach ( self::rows( $view, 'line_items' ) as $item ) {
			$items[ self::int( $item, 'id' ) ] = $item;
		}
		return $items;
	}

	/**
	 * The order's parcels by id.
	 *
	 * @param mixed $view The order view.
	 * @return array<int,array<string,mixed>>
	 */
	public static function shipments_by_id( $view ): array {
		$shipments = array();
		foreach ( self::rows( $view, 'shipments' ) as $shipment ) {
			$shipments[ self::int( $shipment, 'id' ) ] = $shipment;
		}
		return $shipments;
	}

	/**
	 * Units of each line item not in any parcel yet: aftercare's own count
	 * (`line_items[].unshipped_quantity`), else worked out here for an older aftercare.
	 *
	 * @param mixed $view The order view.
	 * @return array<int,int> Line item id => quantity.
	 */
	public static function unshipped( $view ): array {
		$items = self::rows( $view, 'line_items' );
		if ( $items && array_key_exists( 'unshipped_quantity', $items[0] ) ) {
			$left = array();
			foreach ( $items as $item ) {
				$left[ self::int( $item, 'id' ) ] = max( 0, self::int( $item, 'unshipped_quantity' ) );
			}
			return array_filter( $left );
		}
		$left = array();
		foreach ( self::rows( $view, 'line_items' ) as $item ) {
			$left[ self::int( $item, 'id' ) ] = max( 0, self::int( $item, 'quantity' ) );
		}
		foreach ( self::rows( $view, 'shipments' ) as $shipment ) {
			$parcel_items = self::rows( $shipment, 'items' );
			if ( ! $parcel_items ) {
				// A parcel without an item list carries the whole order.
				return array_fill_keys( array_keys( $left ), 0 );
			}
			foreach ( $parcel_items as $item ) {
				$id = self::int( $item, 'line_item_id' );
				if ( isset( $left[ $id ] ) ) {
					$left[ $id ] = max( 0, $left[ $id ] - self::int( $item, 'quantity' ) );
				}
			}
		}
		return array_filter( $left );
	}
}
