<?php
/**
 * aftercare's `survey` message (plain text): the question and one link per score.
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-survey.php.
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

echo "=\n" . esc_html( wp_strip_all_tags( $email_heading ) ) . "\n=\n\n";
wc_get_template( 'emails/plain/aftercare-greeting.php', array( 'first_name' => $first_name ), '', $email->template_base );
echo esc_html( $intro ) . "\n\n";
echo esc_html( $question ) . "\n";
if ( $scores ) {
	$aftercare_first = $scores[0]['score'];
	$aftercare_last  = $scores[ count( $scores ) - 1 ]['score'];
	/* translators: 1: lowest score, 2: what it means, 3: highest score, 4: what it means */
	echo esc_html( sprintf( __( '(%1$s = %2$s, %3$s = %4$s)', 'aftercare-for-woocommerce' ), $aftercare_first, $scale_low, $aftercare_last, $scale_high ) ) . "\n\n";
	foreach ( $scores as $aftercare_score ) {
		echo esc_html( $aftercare_score['score'] ) . ': ' . esc_url_raw( $aftercare_score['url'] ) . "\n";
	}
	echo "\n";
}
if ( '' !== $survey_url ) {
	echo esc_html__( 'Open the survey', 'aftercare-for-woocommerce' ) . ': ' . esc_url_raw( $survey_url ) . "\n\n";
}
wc_get_template( 'emails/plain/aftercare-closing.php', array( 'additional_content' => $additional_content, 'data' => $data, 'surveys' => true ), '', $email->template_base );
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
