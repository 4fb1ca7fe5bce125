<?php
/**
 * A variation's own getting-started guide, in WooCommerce's variations panel.
 *
 * Override by copying to yourtheme/aftercare/admin/guide-variation.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response  $response GET /api/v1/guides.
 * @var array<string,mixed>|null $guide    The variation's guide: text, links ({title, url, clicks}).
 * @var int                      $loop     The variation's index in the form.
 */

use Aftercare\Data;
use Aftercare\Guide_Box;

defined( 'ABSPATH' ) || exit;

if ( ! $response->ok() ) {
	return; // Left as it is when the variation is saved.
}
$aftercare_link = Data::rows( $guide, 'links' )[0] ?? array();
$aftercare_i    = (string) $loop;
?>
<div class="aftercare-guide-variation form-row form-row-full">
	<?php // In every variation: WooCommerce saves each variation's own fields, over AJAX. ?>
	<input type="hidden" name="_aftercare_guide_nonce" value="<?php echo esc_attr( wp_create_nonce( Guide_Box::NONCE ) ); ?>">
	<input type="hidden" name="aftercare_vguide_was[<?php echo esc_attr( $aftercare_i ); ?>]" value="<?php echo esc_attr( Guide_Box::fingerprint( $guide ) ); ?>">
	<label for="aftercare-vguide-text-<?php echo esc_attr( $aftercare_i ); ?>"><?php esc_html_e( 'Getting-started guide for this variation (instead of the product\'s)', 'aftercare-for-woocommerce' ); ?></label>
	<textarea id="aftercare-vguide-text-<?php echo esc_attr( $aftercare_i ); ?>" name="aftercare_vguide_text[<?php echo esc_attr( $aftercare_i ); ?>]" rows="2" maxlength="2000"><?php echo esc_textarea( Data::str( $guide, 'text' ) ); ?></textarea>
	<input type="text" name="aftercare_vguide_title[<?php echo esc_attr( $aftercare_i ); ?>][0]" aria-label="<?php esc_attr_e( 'Link title', 'aftercare-for-woocommerce' ); ?>" placeholder="<?php esc_attr_e( 'Link title', 'aftercare-for-woocommerce' ); ?>" value="<?php echo esc_attr( Data::str( $aftercare_link, 'title' ) ); ?>">
	<input type="url" name="aftercare_vguide_url[<?php echo esc_attr( $aftercare_i ); ?>][0]" aria-label="<?php esc_attr_e( 'Address', 'aftercare-for-woocommerce' ); ?>" placeholder="https://" value="<?php echo esc_attr( Data::url( $aftercare_link, 'url' ) ); ?>">
	<?php if ( $aftercare_link ) : ?>
		<span class="description">
			<?php
			/* translators: %d: clicks on the link */
			echo esc_html( sprintf( _n( '%d click', '%d clicks', Data::int( $aftercare_link, 'clicks' ), 'aftercare-for-woocommerce' ), Data::int( $aftercare_link, 'clicks' ) ) );
			?>
		</span>
	<?php endif; ?>
</div>
