<?php
/**
 * aftercare's `survey` message (NPS or CSAT) as a WooCommerce email.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Sent by aftercare a few days after the order arrived (how likely to recommend the shop, 0–10)
 * and after a return is closed or a support request solved (how satisfied, 1–5). aftercare
 * decides who is asked and when; the email shows the question and one link per score.
 */
class Email_Survey extends Customer_Email {

	public const TYPE = 'survey';
	public const ENABLED_BY_DEFAULT = true;

	protected function type_title(): string {
		return __( 'Aftercare: survey', 'aftercare-for-woocommerce' );
	}

	protected function type_description(): string {
		return __( 'Sent by aftercare a few days after the order arrived, and after a return is closed or a question answered, asking the customer for a score.', 'aftercare-for-woocommerce' );
	}

	public function get_default_subject() {
		return __( 'How was your {site_title} order #{order_number}?', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'How did we do?', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return __( 'Thanks for shopping with us.', 'aftercare-for-woocommerce' );
	}

	/**
	 * What the survey templates read besides the shared ones: the question, the sentence before
	 * it, the scale's ends, the score links (only http(s) ones) and the survey's own link.
	 *
	 * @param bool $plain The plain-text variant.
	 * @return array<string,mixed>
	 */
	public function template_args( bool $plain ): array {
		$survey = Data::obj( $this->message_data, 'survey' ) ?? array();
		$nps    = 'nps' === Data::str( $survey, 'kind' );
		$source = Data::str( $survey, 'source' );
		$scores = array();
		foreach ( Data::rows( $survey, 'scores' ) as $row ) {
			$url = Data::url( $row, 'url' );
			if ( '' !== $url && is_numeric( $row['score'] ?? null ) ) {
				$scores[] = array(
					'score' => (string) (int) $row['score'],
					'url'   => $url,
				);
			}
		}
		$shop = Data::str( Data::obj( $this->message_data, 'shop' ) ?? array(), 'name' );
		if ( '' === $shop ) {
			$shop = (string) get_option( 'blogname' );
		}
		$number = $this->object instanceof \WC_Order ? (string) $this->object->get_order_number() : '';
		if ( $nps ) {
			/* translators: %s: the shop's name */
			$question = sprintf( __( 'How likely are you to recommend %s to a friend?', 'aftercare-for-woocommerce' ), $shop );
			/* translators: %s: order number */
			$intro    = sprintf( __( 'Your order #%s arrived a few days ago. Pick a number below: it opens a short page where you can send it, with a comment if you like.', 'aftercare-for-woocommerce' ), $number );
			$low      = __( 'Not at all likely', 'aftercare-for-woocommerce' );
			$high     = __( 'Extremely likely', 'aftercare-for-woocommerce' );
		} elseif ( 'return' === $source ) {
			$question = __( 'How satisfied are you with your return?', 'aftercare-for-woocommerce' );
			/* translators: %s: order number */
			$intro    = sprintf( __( 'Your return for order #%s is complete. Pick a number below: it opens a short page where you can send it.', 'aftercare-for-woocommerce' ), $number );
			$low      = __( 'Very unsatisfied', 'aftercare-for-woocommerce' );
			$high     = __( 'Very satisfied', 'aftercare-for-woocommerce' );
		} else {
			$question = __( 'How satisfied are you with the help you received?', 'aftercare-for-woocommerce' );
			/* translators: %s: order number */
			$intro    = sprintf( __( 'Your question about order #%s was answered. Pick a number below: it opens a short page where you can send it.', 'aftercare-for-woocommerce' ), $number );
			$low      = __( 'Very unsatisfied', 'aftercare-for-woocommerce' );
			$high     = __( 'Very satisfied', 'aftercare-for-woocommerce' );
		}
		return array_merge(
			parent::template_args( $plain ),
			array(
				'question'   => $question,
				'intro'      => $intro,
				'scale_low'  => $low,
				'scale_high' => $high,
				'scores'     => $scores,
				'survey_url' => Data::url( $survey, 'url' ),
			)
		);
	}
}
