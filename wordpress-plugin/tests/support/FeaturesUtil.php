<?php
/**
 * Records HPOS declarations like WooCommerce's FeaturesUtil.
 *
 * @package Aftercare\Tests
 */

namespace Automattic\WooCommerce\Utilities;

class FeaturesUtil {
	/** @var array<int,array{0:string,1:string,2:bool}> */
	public static array $declared = array();

	public static function declare_compatibility( $feature, $plugin_file, $positive = true ) {
		self::$declared[] = array( $feature, realpath( $plugin_file ), $positive );
		return true;
	}
}
