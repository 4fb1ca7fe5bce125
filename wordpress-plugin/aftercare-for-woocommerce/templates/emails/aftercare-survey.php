<?php
/**
 * aftercare's `survey` message: the question and one button per score.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-survey.php.
 *
 * @package Aftercare
 *
 * @var \WC_Order                 $order              The order.
 * @var string                    $email_heading      Heading.
 * @var string                    $additional_content From the email's settings.
 * @var \Aftercare\Customer_Email $email              The email.
 * @var array<string,mixed>       $data               The message's data from aftercare.
 * @var string                    $first_name         Whom to greet.
 * @var string                    $question           The question (NPS or CSAT).
 * @var string                    $intro              The sentence before it.
 * @var string                    $scale_low          What the lowest score means.
 * @var string                    $scale_high         What the highest score means.
 * @var array<int,array{score:string,url:string}> $scores The score links, lowest first.
 * @var string                    $survey_url         The survey's page without a score, or ''.
 */

defined( 'ABSPATH' ) || exit;

do_action( 'woocommerce_email_header', $email_heading, $email );
?>
<?php wc_get_template( 'emails/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base ); ?>
<p style="word-break: keep-all; overflow-wrap: anywhere;"><?php echo esc_html( $intro ); ?></p>
<p style="font-size: 18px; font-weight: bold; word-break: keep-all; overflow-wrap: anywhere;"><?php echo esc_html( $question ); ?></p>
<?php if ( $scores ) : ?>
	<table role="presentation" cellspacing="0" cellpadding="0" border="0" width="100%" style="border-collapse: separate; margin: 0;">
		<tr>
			<?php foreach ( $scores as $aftercare_score ) : ?>
				<td align="center" width="<?php echo esc_attr( (string) floor( 100 / count( $scores ) ) ); ?>%" style="padding: 1px;">
					<a href="<?php echo esc_url( $aftercare_score['url'] ); ?>" style="display: block; padding: 10px 2px; border: 2px solid currentColor; border-radius: 6px; font-weight: bold; font-size: 16px; text-decoration: none; text-align: center;"><?php echo esc_html( $aftercare_score['score'] ); ?></a>
				</td>
			<?php endforeach; ?>
		</tr>
	</table>
	<table role="presentation" cellspacing="0" cellpadding="0" border="0" width="100%" style="margin: 0 0 16px;">
		<tr>
			<td align="left" style="padding: 4px 2px 0; font-size: 13px; word-break: keep-all;"><?php echo esc_html( $scale_low ); ?></td>
			<td align="right" style="padding: 4px 2px 0; font-size: 13px; word-break: keep-all;"><?php echo esc_html( $scale_high ); ?></td>
		</tr>
	</table>
<?php endif; ?>
<?php if ( '' !== $survey_url ) : ?>
	<p><a href="<?php echo esc_url( $survey_url ); ?>"><?php esc_html_e( 'Open the survey', 'aftercare-for-woocommerce' ); ?></a></p>
<?php endif; ?>
<?php
wc_get_template( 'emails/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data, 'surveys' => true ), '', $email->template_base );
do_action( 'woocommerce_email_footer', $email );
