<?php
/**
 * aftercare's `survey` message through its WooCommerce email: the question, one link per score
 * with the scale's ends, in the customer's language, escaped; sent and reported by the run.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Emails;
use Aftercare\Messages;

final class SurveyEmailTest extends Scripted_Test_Case {

	protected function setUp(): void {
		parent::setUp();
		$this->configure( self::$server->url );
		WC_Stub::add_order_from_json( self::order_fixture( 'orders/registered-krw.json' ) );
		Emails::register();
	}

	/**
	 * A survey message as GET /api/v1/messages/due lists it.
	 *
	 * @param array<string,mixed> $survey Overrides of the survey's data.
	 */
	private static function message( string $id, string $kind, string $source, string $locale = 'en_US', array $survey = array() ): array {
		$url    = 'https://aftercare.example/s/tok' . $id;
		$scores = array();
		foreach ( 'nps' === $kind ? range( 0, 10 ) : range( 1, 5 ) as $score ) {
			$scores[] = array( 'score' => $score, 'url' => $url . '?score=' . $score );
		}
		return array(
			'id'       => $id,
			'type'     => 'survey',
			'order_id' => 1001,
			'locale'   => $locale,
			'to'       => array( 'email' => 'minjun@example.com', 'name' => '김민준' ),
			'data'     => array(
				'shop'            => array( 'name' => 'Seoul Goods' ),
				'tracking_url'    => 'https://aftercare.example/t/abc',
				'parcels'         => array(),
				'parcel'          => null,
				'return'          => null,
				'unsubscribe_url' => 'https://aftercare.example/unsubscribe/xyz',
				'survey'          => array_merge(
					array(
						'id'     => 'srv_1',
						'kind'   => $kind,
						'source' => $source,
						'url'    => $url,
						'min'    => 'nps' === $kind ? 0 : 1,
						'max'    => 'nps' === $kind ? 10 : 5,
						'scores' => $scores,
					),
					$survey
				),
			),
		);
	}

	private function due( array $messages ): void {
		$routes = array( 'GET /api/v1/messages/due' => array( 'json' => array( 'messages' => $messages ) ) );
		foreach ( $messages as $message ) {
			$routes[ 'POST /api/v1/messages/' . $message['id'] . '/result' ] = array( 'json' => array( 'id' => $message['id'], 'state' => 'sent' ) );
		}
		self::$server->script( $routes );
	}

	/**
	 * The score links of an email's HTML, in order: score => href.
	 *
	 * @return array<string,string>
	 */
	private static function score_links( string $html ): array {
		preg_match_all( '#<a href="([^"]+)"[^>]*>(\d+)</a>#', $html, $m, PREG_SET_ORDER );
		$links = array();
		foreach ( $m as $match ) {
			$links[ $match[2] ] = html_entity_decode( $match[1] );
		}
		return $links;
	}

	public function test_an_nps_survey_is_sent_with_eleven_score_links_and_the_scale_and_reported(): void {
		$this->due( array( self::message( 'msg_nps', 'nps', 'delivery' ) ) );
		$this->assertSame( array( 'msg_nps' => 'sent' ), Messages::run() );
		$this->assertCount( 1, WC_Stub::$mails );
		$mail = WC_Stub::$mails[0];
		$this->assertSame( 'minjun@example.com', $mail['to'] );
		$this->assertStringContainsString( 'order #', $mail['subject'] );
		$html = $mail['message'];
		$this->assertStringContainsString( 'How likely are you to recommend Seoul Goods to a friend?', $html );
		$this->assertStringContainsString( 'Your order #' . wc_get_order( 1001 )->get_order_number() . ' arrived a few days ago.', $html );
		$links = self::score_links( $html );
		$this->assertSame( array_map( 'strval', range( 0, 10 ) ), array_map( 'strval', array_keys( $links ) ) );
		$this->assertSame( 'https://aftercare.example/s/tokmsg_nps?score=7', $links['7'] );
		$this->assertLessThan( strpos( $html, 'Extremely likely' ), strpos( $html, 'Not at all likely' ) );
		$this->assertStringContainsString( 'https://aftercare.example/unsubscribe/xyz', $html );
		$this->assertSame( 'sent', wc_get_order( 1001 )->get_meta( '_aftercare_message_msg_nps' ) );
	}

	public function test_a_csat_survey_after_a_return_asks_about_the_return_from_1_to_5(): void {
		$this->due( array( self::message( 'msg_csat', 'csat', 'return' ) ) );
		$this->assertSame( array( 'msg_csat' => 'sent' ), Messages::run() );
		$html = WC_Stub::$mails[0]['message'];
		$this->assertStringContainsString( 'How satisfied are you with your return?', $html );
		$this->assertStringContainsString( 'Your return for order #' . wc_get_order( 1001 )->get_order_number() . ' is complete.', $html );
		$this->assertSame( array( '1', '2', '3', '4', '5' ), array_map( 'strval', array_keys( self::score_links( $html ) ) ) );
		$this->assertStringContainsString( 'Very unsatisfied', $html );
		$this->assertStringContainsString( 'Very satisfied', $html );
		$this->assertStringNotContainsString( 'recommend', $html );
	}

	public function test_a_csat_survey_after_a_support_request_asks_about_the_help(): void {
		$this->due( array( self::message( 'msg_sup', 'csat', 'support' ) ) );
		Messages::run();
		$this->assertStringContainsString( 'How satisfied are you with the help you received?', WC_Stub::$mails[0]['message'] );
	}

	public function test_in_korean_even_when_wordpress_has_not_installed_it(): void {
		$this->due( array( self::message( 'msg_ko', 'nps', 'delivery', 'ko_KR' ), self::message( 'msg_ko2', 'csat', 'return', 'ko_KR' ) ) );
		Messages::run();
		$this->assertStringContainsString( '어떠셨나요', WC_Stub::$mails[0]['subject'] );
		$this->assertStringContainsString( 'Seoul Goods을(를) 친구에게 추천할 가능성은 얼마나 되나요?', WC_Stub::$mails[0]['message'] );
		$this->assertStringContainsString( '전혀 추천하지 않음', WC_Stub::$mails[0]['message'] );
		$this->assertStringContainsString( '매우 추천함', WC_Stub::$mails[0]['message'] );
		$this->assertStringContainsString( '반품 처리에 얼마나 만족하셨나요?', WC_Stub::$mails[1]['message'] );
		$this->assertStringContainsString( '매우 불만족', WC_Stub::$mails[1]['message'] );
		$this->assertSame( 'Not at all likely', __( 'Not at all likely', 'aftercare-for-woocommerce' ), 'the shop\'s language is back after the email' );
	}

	public function test_the_shop_name_is_escaped_and_only_http_links_are_printed(): void {
		$scores   = self::message( 'x', 'csat', 'return' )['data']['survey']['scores'];
		$scores[] = array( 'score' => 6, 'url' => 'javascript:alert(1)' );
		$scores[] = array( 'score' => '<b>9</b>', 'url' => 'https://aftercare.example/s/t?score=9' );
		$message  = self::message( 'msg_esc', 'nps', 'delivery', 'en_US', array( 'scores' => $scores, 'url' => 'javascript:alert(2)' ) );
		$message['data']['shop']['name'] = '<script>alert(3)</script>';
		$this->due( array( $message ) );
		Messages::run();
		$html = WC_Stub::$mails[0]['message'];
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringContainsString( '&lt;script&gt;', $html );
		$this->assertStringNotContainsString( 'javascript:', $html );
		$this->assertStringNotContainsString( '<b>9</b>', $html );
		$this->assertSame( array( '1', '2', '3', '4', '5' ), array_map( 'strval', array_keys( self::score_links( $html ) ) ) );
		$this->assertStringNotContainsString( 'Open the survey', $html, 'a survey link that is not http(s) is left out' );
	}

	public function test_the_plain_text_lists_each_score_with_its_link_and_the_scale(): void {
		$email   = Emails::for_type( 'survey' );
		$preview = $email->preview_message( self::message( 'msg_plain', 'csat', 'return' ), wc_get_order( 1001 ) );
		$this->assertStringContainsString( '(1 = Very unsatisfied, 5 = Very satisfied)', $preview['plain'] );
		$this->assertStringContainsString( "3: https://aftercare.example/s/tokmsg_plain?score=3\n", $preview['plain'] );
		$this->assertStringContainsString( 'Open the survey: https://aftercare.example/s/tokmsg_plain', $preview['plain'] );
	}

	public function test_its_closing_says_unsubscribing_stops_surveys_too_and_other_emails_keep_theirs(): void {
		$flat    = static fn( string $text ) => (string) preg_replace( '/\s+/', ' ', $text );
		$email   = Emails::for_type( 'survey' );
		$preview = $email->preview_message( self::message( 'msg_close', 'nps', 'delivery' ), wc_get_order( 1001 ) );
		$this->assertStringContainsString( 'Not interested in delivery updates and surveys?', $preview['html'] );
		$this->assertStringContainsString( 'Not interested in delivery updates and surveys? Unsubscribe: https://aftercare.example/unsubscribe/xyz', $flat( $preview['plain'] ) );
		$this->assertStringNotContainsString( 'Not interested in delivery updates?', $flat( $preview['html'] . $preview['plain'] ) );
		$korean = $email->preview_message( self::message( 'msg_close_ko', 'nps', 'delivery', 'ko_KR' ), wc_get_order( 1001 ) );
		$this->assertStringContainsString( '배송 소식과 설문을 받고 싶지 않으신가요?', $korean['html'] );
		$this->assertStringContainsString( '배송 소식과 설문을 받고 싶지 않으신가요? 수신 거부:', $flat( $korean['plain'] ) );

		// The same closing part, as every other email includes it (no `surveys`).
		$closing = static function ( string $file ): string {
			$additional_content = '';
			$data               = array( 'unsubscribe_url' => 'https://aftercare.example/unsubscribe/xyz' );
			ob_start();
			include dirname( __DIR__, 2 ) . '/aftercare-for-woocommerce/templates/emails/' . $file;
			return (string) ob_get_clean();
		};
		$html  = $closing( 'aftercare-closing.php' );
		$plain = $closing( 'plain/aftercare-closing.php' );
		$this->assertStringContainsString( 'Not interested in delivery updates?', $html );
		$this->assertStringContainsString( 'Not interested in delivery updates? Unsubscribe: https://aftercare.example/unsubscribe/xyz', $plain );
		$this->assertStringNotContainsString( 'surveys', $html . $plain );
	}

	public function test_it_is_a_customer_email_listed_with_woocommerces_emails_and_can_be_switched_off(): void {
		$emails = WC()->mailer()->get_emails();
		$this->assertArrayHasKey( 'Aftercare_Email_Survey', $emails );
		$this->assertSame( 'aftercare_survey', $emails['Aftercare_Email_Survey']->id );
		$this->assertTrue( $emails['Aftercare_Email_Survey']->is_customer_email() );
		$this->assertTrue( $emails['Aftercare_Email_Survey']->is_enabled() );
		WC_Stub::$emails = null;
		update_option( 'woocommerce_aftercare_survey_settings', array( 'enabled' => 'no' ) );
		$this->due( array( self::message( 'msg_off', 'nps', 'delivery' ) ) );
		$this->assertSame( array( 'msg_off' => 'disabled' ), Messages::run() );
		$this->assertSame( array(), WC_Stub::$mails );
	}
}
