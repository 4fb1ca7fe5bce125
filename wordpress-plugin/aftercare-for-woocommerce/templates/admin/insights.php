<?php
/**
 * WooCommerce → Insights.
 *
 * Override by copying to yourtheme/aftercare/admin/insights.php.
 *
 * @package Aftercare
 *
 * @var array{from:string,to:string,preset:string,note:string} $range    The range shown.
 * @var string                                                  $today    Today (Y-m-d), the shop's time zone.
 * @var \Aftercare\Api_Response                                 $response GET /api/v1/insights.
 * @var array<string,mixed>|null                                $insights Its answer.
 * @var string                                                  $lang     Charts' language (en, ko).
 */

use Aftercare\Api_Response;
use Aftercare\Connector;
use Aftercare\Data;
use Aftercare\Insights_Page;
use Aftercare\Insights_Report;

defined( 'ABSPATH' ) || exit;
?>
<div class="wrap aftercare-insights">
	<h1 class="wp-heading-inline"><?php esc_html_e( 'Insights', 'aftercare-for-woocommerce' ); ?></h1>
	<hr class="wp-header-end">
	<ul class="subsubsub">
		<?php foreach ( Insights_Page::PRESETS as $aftercare_i => $aftercare_preset ) : ?>
			<li>
				<a href="<?php echo esc_url( Insights_Page::url( array( 'preset' => $aftercare_preset ) ) ); ?>" <?php echo $aftercare_preset === $range['preset'] ? 'class="current" aria-current="page"' : ''; ?>><?php echo esc_html( Insights_Page::preset_label( $aftercare_preset ) ); ?></a><?php echo $aftercare_i < count( Insights_Page::PRESETS ) - 1 ? ' |' : ''; ?>
			</li>
		<?php endforeach; ?>
	</ul>
	<br class="clear">
	<?php // A read-only page: a plain GET form, no nonce. ?>
	<form method="get" action="<?php echo esc_url( admin_url( 'admin.php' ) ); ?>" class="aftercare-insights__range">
		<input type="hidden" name="page" value="<?php echo esc_attr( Insights_Page::PAGE ); ?>">
		<span class="aftercare-insights__day">
			<label for="aftercare-insights-from"><?php esc_html_e( 'From', 'aftercare-for-woocommerce' ); ?></label>
			<input type="date" id="aftercare-insights-from" name="from" value="<?php echo esc_attr( $range['from'] ); ?>" max="<?php echo esc_attr( $today ); ?>" required>
		</span>
		<span class="aftercare-insights__day">
			<label for="aftercare-insights-to"><?php esc_html_e( 'To', 'aftercare-for-woocommerce' ); ?></label>
			<input type="date" id="aftercare-insights-to" name="to" value="<?php echo esc_attr( $range['to'] ); ?>" max="<?php echo esc_attr( $today ); ?>" required>
		</span>
		<button type="submit" class="button"><?php esc_html_e( 'Show', 'aftercare-for-woocommerce' ); ?></button>
	</form>
	<?php if ( '' !== $range['note'] ) : ?>
		<div class="notice notice-warning inline"><p><?php echo esc_html( $range['note'] ); ?></p></div>
	<?php endif; ?>

	<?php if ( Api_Response::NOT_CONFIGURED === $response->outcome ) : ?>
		<div class="notice notice-info inline"><p>
			<?php esc_html_e( 'Connect aftercare first under WooCommerce → Settings → Aftercare.', 'aftercare-for-woocommerce' ); ?>
		</p></div>
	<?php elseif ( $response->missing_endpoint() ) : ?>
		<div class="notice notice-info inline"><p><?php esc_html_e( 'This aftercare version does not compute insights yet. Update aftercare to see them.', 'aftercare-for-woocommerce' ); ?></p></div>
	<?php elseif ( null === $insights ) : ?>
		<div class="notice notice-warning inline"><p><?php esc_html_e( 'The insights could not be loaded. aftercare is unavailable at the moment; try again in a minute.', 'aftercare-for-woocommerce' ); ?></p>
			<ul><?php foreach ( Connector::explain( $response ) as $aftercare_line ) : ?><li><?php echo esc_html( $aftercare_line ); ?></li><?php endforeach; ?></ul>
		</div>
	<?php else : ?>
		<?php
		$aftercare_zone = Data::str( $insights, 'time_zone' );
		$aftercare_from = Data::str( $insights, 'from' );
		$aftercare_to   = Data::str( $insights, 'to' );
		?>
		<p class="description aftercare-insights__span">
			<?php
			if ( '' !== $aftercare_zone ) {
				echo esc_html(
					sprintf(
						/* translators: 1: first day, 2: last day, 3: time zone name */
						__( '%1$s to %2$s, both days included, in the shop\'s time zone (%3$s).', 'aftercare-for-woocommerce' ),
						Insights_Report::day( '' !== $aftercare_from ? $aftercare_from : $range['from'] ),
						Insights_Report::day( '' !== $aftercare_to ? $aftercare_to : $range['to'] ),
						$aftercare_zone
					)
				);
			} else {
				echo esc_html(
					sprintf(
						/* translators: 1: first day, 2: last day */
						__( '%1$s to %2$s, both days included.', 'aftercare-for-woocommerce' ),
						Insights_Report::day( $range['from'] ),
						Insights_Report::day( $range['to'] )
					)
				);
			}
			?>
		</p>
		<?php $aftercare_pending = Data::int( $insights, 'pending' ); ?>
		<?php if ( $aftercare_pending > 0 ) : ?>
			<div class="notice notice-info inline"><p>
				<?php
				/* translators: %d: number of changed records */
				echo esc_html( sprintf( _n( 'aftercare is still counting %d recent change; the figures may move a little. Reload in a minute.', 'aftercare is still counting %d recent changes; the figures may move a little. Reload in a minute.', $aftercare_pending, 'aftercare-for-woocommerce' ), $aftercare_pending ) );
				?>
			</p></div>
		<?php endif; ?>

		<h2 class="screen-reader-text"><?php esc_html_e( 'Figures', 'aftercare-for-woocommerce' ); ?></h2>
		<div class="aftercare-insights__figures">
			<?php foreach ( Insights_Report::figures( $insights ) as $aftercare_figure ) : ?>
				<section class="aftercare-figure aftercare-figure--<?php echo esc_attr( str_replace( '_', '-', $aftercare_figure['key'] ) ); ?>">
					<h3 class="aftercare-figure__label"><?php echo esc_html( $aftercare_figure['label'] ); ?></h3>
					<p class="aftercare-figure__value">
						<?php
						if ( '' !== $aftercare_figure['value_html'] ) {
							echo wp_kses_post( $aftercare_figure['value_html'] );
						} else {
							echo esc_html( $aftercare_figure['value'] );
						}
						?>
					</p>
					<ul class="aftercare-figure__details">
						<?php foreach ( $aftercare_figure['details'] as $aftercare_line ) : ?>
							<li><?php echo esc_html( $aftercare_line ); ?></li>
						<?php endforeach; ?>
					</ul>
					<p class="aftercare-formula"><?php echo esc_html( $aftercare_figure['formula'] ); ?></p>
					<p class="aftercare-sample"><?php echo esc_html( $aftercare_figure['sample'] ); ?></p>
				</section>
			<?php endforeach; ?>
		</div>

		<?php foreach ( Insights_Report::tables( $insights ) as $aftercare_name => $aftercare_table ) : ?>
			<section class="aftercare-insights__chart" id="aftercare-chart-<?php echo esc_attr( $aftercare_name ); ?>">
				<h2><?php echo esc_html( $aftercare_table['title'] ); ?></h2>
				<?php if ( $aftercare_table['n'] > 0 ) : ?>
					<?php // Drawn by aftercare as SVG, shown as an image (never inline), narrower on phones. ?>
					<picture class="aftercare-chart">
						<source media="(max-width: <?php echo esc_attr( (string) ( Insights_Page::NARROW_BELOW - 1 ) ); ?>px)" srcset="<?php echo esc_url( Insights_Page::chart_url( $aftercare_name, $range, Insights_Page::NARROW_WIDTH, $lang ) ); ?>" width="<?php echo esc_attr( (string) Insights_Page::NARROW_WIDTH ); ?>">
						<img src="<?php echo esc_url( Insights_Page::chart_url( $aftercare_name, $range, Insights_Page::WIDE_WIDTH, $lang ) ); ?>" width="<?php echo esc_attr( (string) Insights_Page::WIDE_WIDTH ); ?>" alt="<?php echo esc_attr( sprintf( /* translators: %s: chart title */ __( 'Chart: %s. The table below has its figures.', 'aftercare-for-woocommerce' ), $aftercare_table['title'] ) ); ?>" loading="lazy" decoding="async">
					</picture>
				<?php endif; ?>
				<?php if ( $aftercare_table['n'] > 0 && $aftercare_table['rows'] ) : ?>
					<?php // A long table (a year of weeks) scrolls in its own box, its headings kept in view. ?>
					<div class="aftercare-insights__table<?php echo count( $aftercare_table['rows'] ) > 12 ? ' aftercare-insights__table--long' : ''; ?>" tabindex="0">
						<table class="widefat striped">
							<caption class="screen-reader-text"><?php echo esc_html( $aftercare_table['title'] ); ?></caption>
							<thead>
								<tr>
									<?php foreach ( $aftercare_table['columns'] as $aftercare_c => $aftercare_column ) : ?>
										<th scope="col"<?php echo $aftercare_table['numeric'][ $aftercare_c ] ? ' class="num"' : ''; ?>><?php echo esc_html( $aftercare_column ); ?></th>
									<?php endforeach; ?>
								</tr>
							</thead>
							<tbody>
								<?php foreach ( $aftercare_table['rows'] as $aftercare_row ) : ?>
									<tr>
										<?php foreach ( $aftercare_row as $aftercare_c => $aftercare_cell ) : ?>
											<?php $aftercare_tag = 0 === $aftercare_c ? 'th' : 'td'; ?>
											<<?php echo esc_attr( $aftercare_tag ); ?><?php echo 0 === $aftercare_c ? ' scope="row"' : ''; ?><?php echo ! empty( $aftercare_table['numeric'][ $aftercare_c ] ) ? ' class="num"' : ''; ?>>
												<?php
												if ( ! empty( $aftercare_table['html'][ $aftercare_c ] ) ) {
													echo wp_kses_post( $aftercare_cell );
												} else {
													echo esc_html( $aftercare_cell );
												}
												?>
											</<?php echo esc_attr( $aftercare_tag ); ?>>
										<?php endforeach; ?>
									</tr>
								<?php endforeach; ?>
							</tbody>
						</table>
					</div>
				<?php else : ?>
					<?php // Nothing counted: no empty chart or table of zeros, only the sentence. ?>
					<p class="aftercare-insights__empty"><?php esc_html_e( 'Nothing in this range yet.', 'aftercare-for-woocommerce' ); ?></p>
				<?php endif; ?>
				<p class="aftercare-formula"><?php echo esc_html( $aftercare_table['formula'] ); ?></p>
				<p class="aftercare-sample"><?php echo esc_html( $aftercare_table['sample'] ); ?></p>
				<p><a class="button" href="<?php echo esc_url( Insights_Page::csv_url( $aftercare_name, $range ) ); ?>"><?php esc_html_e( 'Download CSV', 'aftercare-for-woocommerce' ); ?></a></p>
			</section>
		<?php endforeach; ?>
	<?php endif; ?>
</div>
