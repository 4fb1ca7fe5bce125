<?php
/**
 * aftercare's `support_reply` message: the shop's answer, quoted as text.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-support-reply.php.
 *
 * @package Aftercare
 *
 * @var \WC_Order                 $order              The order.
 * @var string                    $email_heading      Heading.
 * @var string                    $additional_content From the email's settings.
 * @var \Aftercare\Customer_Email $email              The email.
 * @var array<string,mixed>       $data               The message's data from aftercare (`support.reply`: author, body).
 * @var string                    $first_name         Whom to greet.
 */

use Aftercare\Data;

defined( 'ABSPATH' ) || exit;

$aftercare_reply  = Data::obj( Data::obj( $data, 'support' ) ?? array(), 'reply' ) ?? array();
$aftercare_author = Data::str( $aftercare_reply, 'author' );
$aftercare_body   = Data::str( $aftercare_reply, 'body' );

do_action( 'woocommerce_email_header', $email_heading, $email );
?>
<?php wc_get_template( 'emails/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base ); ?>
<p><?php
/* translators: %s: order number */
printf( esc_html__( 'Here is our answer to your question about order #%s.', 'aftercare-for-woocommerce' ), esc_html( $order->get_order_number() ) );
?></p>
<?php if ( '' !== $aftercare_author ) : ?>
	<p><strong><?php
	/* translators: %s: the name of the staff member who answered */
	printf( esc_html__( '%s wrote:', 'aftercare-for-woocommerce' ), esc_html( $aftercare_author ) );
	?></strong></p>
<?php endif; ?>
<blockquote style="margin:0 0 16px;padding:12px 16px;border-left:4px solid #ccc;"><?php echo nl2br( esc_html( $aftercare_body ) ); ?></blockquote>
<p><?php esc_html_e( 'To write back, open the order in your account.', 'aftercare-for-woocommerce' ); ?></p>
<?php
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
