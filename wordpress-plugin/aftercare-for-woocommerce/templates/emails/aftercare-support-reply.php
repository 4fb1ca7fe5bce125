<?php
/**
 * aftercare's `support_reply` message: staff answered the customer's question.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-support-reply.php.
 *
 * @package Aftercare
 *
 * @var \WC_Order                 $order              The order.
 * @var string                    $email_heading      Heading.
 * @var string                    $additional_content From the email's settings.
 * @var \Aftercare\Customer_Email $email              The email.
 * @var array<string,mixed>       $data               The message's data: support {id, topic, status,
 *                                                    reply {body, author, created_at}}.
 * @var string                    $first_name         Whom to greet.
 */

use Aftercare\Data;
use Aftercare\Support;

defined( 'ABSPATH' ) || exit;

$aftercare_request = Data::obj( $data, 'support' ) ?? array();
$aftercare_reply   = Data::obj( $aftercare_request, 'reply' ) ?? array();
$aftercare_url     = '' !== Data::url( $data, 'url' ) ? Data::url( $data, 'url' ) : ( $order->get_customer_id() ? \Aftercare\Account::view_order_url( (int) $order->get_id() ) . '#aftercare-requests' : '' );

do_action( 'woocommerce_email_header', $email_heading, $email );
?>
<?php wc_get_template( 'emails/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base ); ?>
<p><?php
/* translators: 1: the question's topic, 2: order number */
printf( esc_html__( 'We answered your question "%1$s" about order #%2$s:', 'aftercare-for-woocommerce' ), esc_html( Support::topic( Data::str( $aftercare_request, 'topic' ) ) ), esc_html( $order->get_order_number() ) );
?></p>
<?php if ( '' !== Data::str( $aftercare_reply, 'author' ) ) : ?>
	<p><strong><?php
	/* translators: %s: the name of the staff member who answered */
	printf( esc_html__( '%s wrote:', 'aftercare-for-woocommerce' ), esc_html( Data::str( $aftercare_reply, 'author' ) ) );
	?></strong></p>
<?php endif; ?>
<blockquote style="margin: 0 0 16px; padding: 8px 12px; border-left: 3px solid #ccc;"><?php echo wp_kses_post( wpautop( esc_html( Support::body( $aftercare_reply ) ) ) ); ?></blockquote>
<?php if ( '' !== $aftercare_url ) : ?>
	<p><a href="<?php echo esc_url( $aftercare_url ); ?>"><?php esc_html_e( 'See the conversation and reply', 'aftercare-for-woocommerce' ); ?></a></p>
<?php endif; ?>
<?php
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
