<?php
/**
 * aftercare's `product_guide` message: getting-started guides, a few days after delivery.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-product-guide.php.
 *
 * @package Aftercare
 *
 * @var \WC_Order                 $order              The order.
 * @var string                    $email_heading      Heading.
 * @var string                    $additional_content From the email's settings.
 * @var \Aftercare\Customer_Email $email              The email.
 * @var array<string,mixed>       $data               The message's data: guides [{name, text,
 *                                                    links [{title, url}]}].
 * @var string                    $first_name         Whom to greet.
 */

use Aftercare\Data;

defined( 'ABSPATH' ) || exit;

do_action( 'woocommerce_email_header', $email_heading, $email );
?>
<?php wc_get_template( 'emails/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base ); ?>
<p><?php
/* translators: %s: order number */
printf( esc_html__( 'We hope order #%s arrived well. Here is how to get the most out of it:', 'aftercare-for-woocommerce' ), esc_html( $order->get_order_number() ) );
?></p>
<?php foreach ( Data::rows( $data, 'guides' ) as $aftercare_guide ) : ?>
	<h3><?php echo esc_html( Data::str( $aftercare_guide, 'name' ) ); ?></h3>
	<?php if ( '' !== Data::str( $aftercare_guide, 'text' ) ) : ?>
		<?php echo wp_kses_post( wpautop( esc_html( Data::str( $aftercare_guide, 'text' ) ) ) ); ?>
	<?php endif; ?>
	<?php $aftercare_links = array_filter( Data::rows( $aftercare_guide, 'links' ), static fn( $l ) => '' !== Data::url( $l, 'url' ) ); ?>
	<?php if ( $aftercare_links ) : ?>
		<ul>
			<?php foreach ( $aftercare_links as $aftercare_link ) : ?>
				<li><a href="<?php echo esc_url( Data::url( $aftercare_link, 'url' ) ); ?>"><?php echo esc_html( Data::str( $aftercare_link, 'title' ) ); ?></a></li>
			<?php endforeach; ?>
		</ul>
	<?php endif; ?>
<?php endforeach; ?>
<?php
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
