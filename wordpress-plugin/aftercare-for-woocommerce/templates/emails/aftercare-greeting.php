<?php
/**
 * The greeting that opens each of aftercare's customer emails.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-greeting.php.
 *
 * @package Aftercare
 *
 * @var string $first_name Whom to greet; empty for a plain "Hi,".
 */

defined( 'ABSPATH' ) || exit;
?>
<p><?php
if ( '' !== $first_name ) {
	/* translators: %s: customer's first name */
	printf( esc_html__( 'Hi %s,', 'aftercare-for-woocommerce' ), esc_html( $first_name ) );
} else {
	esc_html_e( 'Hi,', 'aftercare-for-woocommerce' );
}
?></p>
