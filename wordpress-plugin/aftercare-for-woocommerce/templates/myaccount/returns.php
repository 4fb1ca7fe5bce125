<?php
/**
 * My Account → Returns.
 *
 * Override by copying to yourtheme/aftercare/myaccount/returns.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response         $response The returns request.
 * @var array<int,array<string,mixed>>  $returns  The customer's returns.
 * @var array<int,array<int,string>>    $names    Item names by order id and line item id.
 */

use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<section class="aftercare aftercare-returns-tab">
<?php if ( ! $response->ok() && ! $response->missing_endpoint() ) : ?>
	<div class="woocommerce-info aftercare-unavailable" role="status">
		<?php if ( $response->unavailable() ) : ?>
			<?php esc_html_e( 'Your returns are briefly unavailable. Please check back in a few minutes.', 'aftercare-for-woocommerce' ); ?>
		<?php else : ?>
			<?php esc_html_e( 'Your returns are not available right now. Please contact us if you need help with a return.', 'aftercare-for-woocommerce' ); ?>
		<?php endif; ?>
	</div>
<?php elseif ( ! $returns ) : ?>
	<div class="woocommerce-info aftercare-empty">
		<?php esc_html_e( 'You have no returns. To return an item, open the order in Orders and use the return form below the order details.', 'aftercare-for-woocommerce' ); ?>
		<a class="woocommerce-Button button" href="<?php echo esc_url( wc_get_endpoint_url( 'orders', '', wc_get_page_permalink( 'myaccount' ) ) ); ?>"><?php esc_html_e( 'Go to orders', 'aftercare-for-woocommerce' ); ?></a>
	</div>
<?php else : ?>
	<?php
	echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		'parts/returns-list',
		array(
			'returns'    => $returns,
			'items'      => array(),
			'names'      => $names,
			'order_id'   => 0,
			'back'       => wc_get_endpoint_url( \Aftercare\Account::endpoint_slugs()['returns'], '', wc_get_page_permalink( 'myaccount' ) ),
			'show_order' => true,
		)
	);
	?>
<?php endif; ?>
</section>
