<?php
/**
 * My Account → Support: the customer's requests and their conversations.
 *
 * Override by copying to yourtheme/aftercare/myaccount/support.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response          $response The list request.
 * @var array<int,array<string,mixed>>   $requests The customer's requests, newest first.
 * @var string                           $back     This tab's URL.
 */

use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<section class="aftercare aftercare-support">
<?php if ( ! $response->ok() && ! $response->not_found() ) : ?>
	<div class="woocommerce-info aftercare-unavailable" role="status">
		<?php if ( $response->unavailable() ) : ?>
			<?php esc_html_e( 'Your questions and our answers are briefly unavailable. Please check back in a few minutes.', 'aftercare-for-woocommerce' ); ?>
		<?php else : ?>
			<?php esc_html_e( 'Your questions and our answers are not available right now. Please contact us if you need help.', 'aftercare-for-woocommerce' ); ?>
		<?php endif; ?>
	</div>
<?php elseif ( ! $requests ) : ?>
	<p class="aftercare-muted"><?php esc_html_e( 'You have not asked us anything yet. To ask about an order, open it under Orders and use "Ask about this order".', 'aftercare-for-woocommerce' ); ?></p>
<?php else : ?>
	<?php
	echo Template::render( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
		'parts/support-requests',
		array(
			'requests'   => $requests,
			'names'      => \Aftercare\Support_Actions::item_names( $requests ),
			'back'       => $back,
			'can_reply'  => true,
			'show_order' => true,
		)
	);
	?>
<?php endif; ?>
</section>
