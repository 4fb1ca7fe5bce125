<?php
/**
 * What closes each of aftercare's customer emails (plain text): the additional content from
 * the email's settings, and the unsubscribe line when the message is a status update.
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-closing.php.
 *
 * @package Aftercare
 *
 * @var string              $additional_content From the email's settings.
 * @var array<string,mixed> $data               The message's data from aftercare.
 * @var bool                $surveys            Optional: the email is a survey, so unsubscribing
 *                                              stops surveys too (says so).
 */

use Aftercare\Data;

defined( 'ABSPATH' ) || exit;

if ( $additional_content ) {
	echo esc_html( wp_strip_all_tags( wptexturize( $additional_content ) ) ) . "\n\n";
}
if ( '' !== Data::url( $data, 'unsubscribe_url' ) ) {
	$aftercare_unsubscribe = empty( $surveys ) ? __( 'Not interested in delivery updates? Unsubscribe:', 'aftercare-for-woocommerce' ) : __( 'Not interested in delivery updates and surveys? Unsubscribe:', 'aftercare-for-woocommerce' );
	echo esc_html( $aftercare_unsubscribe ) . ' ' . esc_url_raw( Data::url( $data, 'unsubscribe_url' ) ) . "\n\n";
}
