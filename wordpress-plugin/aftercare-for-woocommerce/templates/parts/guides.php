<?php
/**
 * Getting-started guides of the order's items that have shipped.
 *
 * Override by copying to yourtheme/aftercare/parts/guides.php.
 *
 * @package Aftercare
 *
 * @var array<int,array<string,mixed>> $guides Each: line_item_id, name, text (plain text),
 *                                             links ({title, url}, through aftercare's counter).
 */

use Aftercare\Data;

defined( 'ABSPATH' ) || exit;

if ( ! $guides ) {
	return;
}
?>
<h2 class="aftercare-heading"><?php esc_html_e( 'Getting started', 'aftercare-for-woocommerce' ); ?></h2>
<div class="aftercare-guides">
	<?php foreach ( $guides as $aftercare_guide ) : ?>
		<article class="aftercare-guide">
			<h3 class="aftercare-guide__name"><?php echo esc_html( Data::str( $aftercare_guide, 'name' ) ); ?></h3>
			<?php if ( '' !== Data::str( $aftercare_guide, 'text' ) ) : ?>
				<div class="aftercare-guide__text"><?php echo wp_kses_post( wpautop( esc_html( Data::str( $aftercare_guide, 'text' ) ) ) ); ?></div>
			<?php endif; ?>
			<?php $aftercare_links = array_filter( Data::rows( $aftercare_guide, 'links' ), static fn( $l ) => '' !== Data::url( $l, 'url' ) ); ?>
			<?php if ( $aftercare_links ) : ?>
				<ul class="aftercare-guide__links">
					<?php foreach ( $aftercare_links as $aftercare_link ) : ?>
						<li><a href="<?php echo esc_url( Data::url( $aftercare_link, 'url' ) ); ?>" target="_blank" rel="noopener noreferrer"><?php echo esc_html( Data::str( $aftercare_link, 'title' ) ); ?></a></li>
					<?php endforeach; ?>
				</ul>
			<?php endif; ?>
		</article>
	<?php endforeach; ?>
</div>
