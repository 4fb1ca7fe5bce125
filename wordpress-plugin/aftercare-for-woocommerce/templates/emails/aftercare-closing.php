<?php
/**
 * What closes each of aftercare's customer emails: the additional content from the email's
 * settings, and the unsubscribe line when the message is a status update.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-closing.php.
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
	echo wp_kses_post( wpautop( wptexturize( $additional_content ) ) );
}
?>
<?php if ( '' !== Data::url( $data, 'unsubscribe_url' ) ) : ?>
	<p style="font-size: 12px;"><?php empty( $surveys ) ? esc_html_e( 'You get this email because you ordered from us. Not interested in delivery updates?', 'aftercare-for-woocommerce' ) : esc_html_e( 'You get this email because you ordered from us. Not interested in delivery updates and surveys?', 'aftercare-for-woocommerce' ); ?> <a href="<?php echo esc_url( Data::url( $data, 'unsubscribe_url' ) ); ?>"><?php esc_html_e( 'Unsubscribe', 'aftercare-for-woocommerce' ); ?></a></p>
<?php endif; ?>
