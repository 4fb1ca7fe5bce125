<?php
/**
 * The product's "Getting-started guide" box.
 *
 * Override by copying to yourtheme/aftercare/admin/guide-box.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response  $response GET /api/v1/products/{id}/guide (ok when none is kept).
 * @var array<string,mixed>|null $guide    The guide: text, links ({title, url, clicks}).
 */

use Aftercare\Data;
use Aftercare\Guide_Box;

defined( 'ABSPATH' ) || exit;

if ( ! $response->ok() ) : ?>
	<p class="description aftercare-unavailable">
		<?php echo esc_html( $response->missing_endpoint() ? __( 'This aftercare version does not keep product guides yet.', 'aftercare-for-woocommerce' ) : __( 'The guide could not be loaded from aftercare; it is left as it is when you save the product.', 'aftercare-for-woocommerce' ) ); ?>
	</p>
	<?php
	return;
endif;
$aftercare_links = Data::rows( $guide, 'links' );
?>
<div class="aftercare-guide-box">
	<?php wp_nonce_field( Guide_Box::NONCE, '_aftercare_guide_nonce' ); ?>
	<input type="hidden" name="aftercare_guide_was" value="<?php echo esc_attr( Guide_Box::fingerprint( $guide ) ); ?>">
	<p class="description"><?php esc_html_e( 'Shown in My Account once the item ships, linked from the delivered email, and sent a few days after delivery. Leave everything empty for no guide.', 'aftercare-for-woocommerce' ); ?></p>
	<p>
		<label for="aftercare-guide-text"><strong><?php esc_html_e( 'Getting started', 'aftercare-for-woocommerce' ); ?></strong></label>
		<textarea id="aftercare-guide-text" name="aftercare_guide_text" rows="4" class="large-text" maxlength="2000"><?php echo esc_textarea( Data::str( $guide, 'text' ) ); ?></textarea>
	</p>
	<table class="widefat striped">
		<thead><tr>
			<th><?php esc_html_e( 'Link title', 'aftercare-for-woocommerce' ); ?></th>
			<th><?php esc_html_e( 'Address (video, manual, FAQ)', 'aftercare-for-woocommerce' ); ?></th>
			<th><?php esc_html_e( 'Clicks', 'aftercare-for-woocommerce' ); ?></th>
		</tr></thead>
		<tbody>
		<?php for ( $aftercare_i = 0; $aftercare_i < max( Guide_Box::LINK_ROWS, count( $aftercare_links ) + 1 ); $aftercare_i++ ) : ?>
			<?php $aftercare_link = $aftercare_links[ $aftercare_i ] ?? array(); ?>
			<tr>
				<td><input type="text" class="widefat" name="aftercare_guide_title[<?php echo esc_attr( (string) $aftercare_i ); ?>]" maxlength="120" aria-label="<?php esc_attr_e( 'Link title', 'aftercare-for-woocommerce' ); ?>" value="<?php echo esc_attr( Data::str( $aftercare_link, 'title' ) ); ?>"></td>
				<td><input type="url" class="widefat" name="aftercare_guide_url[<?php echo esc_attr( (string) $aftercare_i ); ?>]" aria-label="<?php esc_attr_e( 'Address', 'aftercare-for-woocommerce' ); ?>" value="<?php echo esc_attr( Data::url( $aftercare_link, 'url' ) ); ?>"></td>
				<td><?php echo $aftercare_link ? esc_html( (string) Data::int( $aftercare_link, 'clicks' ) ) : '—'; ?></td>
			</tr>
		<?php endfor; ?>
		</tbody>
	</table>
</div>
