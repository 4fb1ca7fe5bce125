<?php
/**
 * The greeting that opens each of aftercare's customer emails (plain text).
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-greeting.php.
 *
 * @package Aftercare
 *
 * @var string $first_name Whom to greet; empty for a plain "Hi,".
 */

defined( 'ABSPATH' ) || exit;

if ( '' !== $first_name ) {
	/* translators: %s: customer's first name */
	echo esc_html( sprintf( __( 'Hi %s,', 'aftercare-for-woocommerce' ), $first_name ) ) . "\n\n";
} else {
	echo esc_html__( 'Hi,', 'aftercare-for-woocommerce' ) . "\n\n";
}
