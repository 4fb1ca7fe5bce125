<?php
/**
 * Words for aftercare's codes, translatable.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Labels for states, reasons and resolutions. Unknown codes read as words, not as a blank.
 */
final class Labels {

	public const REASONS          = array( 'damaged', 'wrong_item', 'not_as_described', 'too_small', 'too_large', 'changed_mind', 'other' );
	public const RESOLUTIONS      = array( 'refund', 'exchange', 'store_credit' );
	public const RETURN_STATUSES  = array( 'requested', 'approved', 'rejected', 'received', 'refunded', 'exchanged', 'credited', 'cancelled' );
	public const SHIPMENT_STATUSES = array( 'label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned' );
	/** Delivery states that mean "on its way". */
	public const ON_THE_WAY = array( 'partially_shipped', 'shipped', 'out_for_delivery', 'exception' );

	public static function delivery_state( string $code ): string {
		$labels = array(
			'unfulfilled'       => __( 'Being prepared', 'aftercare-for-woocommerce' ),
			'partially_shipped' => __( 'Partly shipped', 'aftercare-for-woocommerce' ),
			'shipped'           => __( 'Shipped', 'aftercare-for-woocommerce' ),
			'out_for_delivery'  => __( 'Out for delivery', 'aftercare-for-woocommerce' ),
			'delivered'         => __( 'Delivered', 'aftercare-for-woocommerce' ),
			'exception'         => __( 'Delivery problem', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	public static function shipment_status( string $code ): string {
		$labels = array(
			'label_created'    => __( 'Label created', 'aftercare-for-woocommerce' ),
			'in_transit'       => __( 'In transit', 'aftercare-for-woocommerce' ),
			'out_for_delivery' => __( 'Out for delivery', 'aftercare-for-woocommerce' ),
			'delivered'        => __( 'Delivered', 'aftercare-for-woocommerce' ),
			'exception'        => __( 'Delivery problem', 'aftercare-for-woocommerce' ),
			'returned'         => __( 'Returned to sender', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	public static function return_status( string $code ): string {
		$labels = array(
			'requested' => __( 'Requested', 'aftercare-for-woocommerce' ),
			'approved'  => __( 'Approved', 'aftercare-for-woocommerce' ),
			'rejected'  => __( 'Declined', 'aftercare-for-woocommerce' ),
			'received'  => __( 'Received', 'aftercare-for-woocommerce' ),
			'refunded'  => __( 'Refunded', 'aftercare-for-woocommerce' ),
			'exchanged' => __( 'Exchanged', 'aftercare-for-woocommerce' ),
			'credited'  => __( 'Store credit issued', 'aftercare-for-woocommerce' ),
			'cancelled' => __( 'Cancelled', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	public static function reason( string $code ): string {
		$labels = array(
			'damaged'          => __( 'Arrived damaged', 'aftercare-for-woocommerce' ),
			'wrong_item'       => __( 'Wrong item sent', 'aftercare-for-woocommerce' ),
			'not_as_described' => __( 'Not as described', 'aftercare-for-woocommerce' ),
			'too_small'        => __( 'Too small', 'aftercare-for-woocommerce' ),
			'too_large'        => __( 'Too large', 'aftercare-for-woocommerce' ),
			'changed_mind'     => __( 'Changed my mind', 'aftercare-for-woocommerce' ),
			'other'            => __( 'Other reason', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	public static function resolution( string $code ): string {
		$labels = array(
			'refund'       => __( 'Refund', 'aftercare-for-woocommerce' ),
			'exchange'     => __( 'Exchange', 'aftercare-for-woocommerce' ),
			'store_credit' => __( 'Store credit', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? self::humanize( $code );
	}

	/**
	 * What staff may do to a return in each state (aftercare has the last word: 409 otherwise).
	 *
	 * @param string $status The return's status.
	 * @return array<string,string> Target state => button label.
	 */
	public static function staff_transitions( string $status ): array {
		$labels = array(
			'approved'  => __( 'Approve', 'aftercare-for-woocommerce' ),
			'rejected'  => __( 'Reject', 'aftercare-for-woocommerce' ),
			'received'  => __( 'Mark received', 'aftercare-for-woocommerce' ),
			'refunded'  => __( 'Refund', 'aftercare-for-woocommerce' ),
			'exchanged' => __( 'Mark exchanged', 'aftercare-for-woocommerce' ),
			'credited'  => __( 'Issue store credit', 'aftercare-for-woocommerce' ),
			'cancelled' => __( 'Cancel', 'aftercare-for-woocommerce' ),
		);
		$next   = array(
			'requested' => array( 'approved', 'rejected', 'cancelled' ),
			'approved'  => array( 'received', 'rejected', 'cancelled' ),
			'received'  => array( 'refunded', 'exchanged', 'credited', 'rejected' ),
		);
		$result = array();
		foreach ( $next[ $status ] ?? array() as $to ) {
			$result[ $to ] = $labels[ $to ];
		}
		return $result;
	}

	/**
	 * "out_for_delivery" => "Out for delivery", for codes this version does not know yet.
	 *
	 * @param string $code A snake_case code.
	 */
	public static function humanize( string $code ): string {
		return ucfirst( str_replace( array( '_', '-' ), ' ', $code ) );
	}
}
