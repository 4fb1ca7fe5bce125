<?php
/**
 * WooCommerce → Insights: the range, the figures with their formulas, the tables, the charts
 * and CSV files through the plugin's proxies, and the page while aftercare is away.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Api_Client;
use Aftercare\Insights_Page;

final class InsightsPageTest extends Scripted_Test_Case {

	private const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="760" height="320" viewBox="0 0 760 320"><text x="10" y="20">NPS</text></svg>';

	protected function setUp(): void {
		parent::setUp();
		Stub::$admin = true;
		$this->configure( self::$server->url );
		Stub::login( 1, array( 'view_woocommerce_reports' ), 'Jae Park' );
	}

	private function script_insights( array $data = array() ): void {
		self::$server->script( array( 'GET /api/v1/insights' => array( 'json' => $data ? $data : self::fixture( 'insights.json' ) ) ) );
	}

	public function test_presets_end_today_and_both_days_count(): void {
		$today = '2026-03-15';
		$this->assertSame( array( '2026-02-14', '2026-03-15' ), Insights_Page::preset_days( '30d', $today ) );
		$this->assertSame( array( '2025-12-16', '2026-03-15' ), Insights_Page::preset_days( '90d', $today ) );
		$this->assertSame( array( '2025-03-16', '2026-03-15' ), Insights_Page::preset_days( '12m', $today ) );
		$this->assertSame( array( '2026-01-01', '2026-03-15' ), Insights_Page::preset_days( 'year', $today ) );
		// A leap day: twelve months back from 29 February 2028 start on 1 March 2027.
		$this->assertSame( array( '2027-03-01', '2028-02-29' ), Insights_Page::preset_days( '12m', '2028-02-29' ) );

		$range = Insights_Page::range( array( 'range' => '90d' ), $today );
		$this->assertSame( array( 'from' => '2025-12-16', 'to' => '2026-03-15', 'preset' => '90d', 'note' => '' ), $range );
		$default = array( 'from' => '2025-03-16', 'to' => '2026-03-15', 'preset' => '12m', 'note' => '' );
		$this->assertSame( $default, Insights_Page::range( array(), $today ), 'the last 12 months, as aftercare\'s own default' );
		$this->assertSame( $default, Insights_Page::range( array( 'range' => 'forever' ), $today ) );
	}

	public function test_a_chosen_range_is_checked_before_it_is_used(): void {
		$today = '2026-03-15';
		$this->assertSame(
			array( 'from' => '2026-01-01', 'to' => '2026-01-31', 'preset' => '', 'note' => '' ),
			Insights_Page::range( array( 'from' => ' 2026-01-01 ', 'to' => '2026-01-31', 'range' => '30d' ), $today ),
			'days win over a preset left in the address'
		);
		foreach ( array(
			array( 'from' => '2026-02-30', 'to' => '2026-03-01' ),
			array( 'from' => '2026-01-01' ),
			array( 'from' => '2026-1-1', 'to' => '2026-03-01' ),
			array( 'from' => '<script>', 'to' => '2026-03-01' ),
			array( 'from' => array( '2026-01-01' ), 'to' => '2026-03-01' ),
			array( 'from' => '1969-12-31', 'to' => '2026-03-01' ),
		) as $get ) {
			$range = Insights_Page::range( $get, $today );
			$this->assertSame( array( '2025-03-16', '2026-03-15', '12m' ), array( $range['from'], $range['to'], $range['preset'] ), json_encode( $get ) );
			$this->assertSame( 'Enter both days as YYYY-MM-DD. Showing the last 12 months instead.', $range['note'], json_encode( $get ) );
		}
		$this->assertSame( 'The first day is after the last one. Showing the last 12 months instead.', Insights_Page::range( array( 'from' => '2026-03-02', 'to' => '2026-03-01' ), $today )['note'] );
		$long = Insights_Page::range( array( 'from' => '2020-01-01', 'to' => '2026-03-01' ), $today );
		$this->assertSame( array( '2023-12-23', '2026-03-01' ), array( $long['from'], $long['to'] ), '800 days, both ends included' );
		$this->assertSame( 'A range is at most 800 days: it now starts later.', $long['note'] );
		$this->assertSame( 800, ( new DateTimeImmutable( $long['from'] ) )->diff( new DateTimeImmutable( $long['to'] ) )->days + 1 );
	}

	public function test_the_range_asked_for_is_the_one_aftercare_is_asked(): void {
		$this->script_insights();
		Insights_Page::page( array( 'range' => 'year' ), '2026-03-15' );
		Insights_Page::page( array( 'from' => '2026-01-01', 'to' => '2026-01-31' ), '2026-03-15' );
		$this->assertSame( array( '/api/v1/insights?from=2026-01-01&to=2026-03-15', '/api/v1/insights?from=2026-01-01&to=2026-01-31' ), array_column( self::$server->requests(), 'uri' ) );
		$this->assertSame( 'Bearer test-api-key-0123456789', self::$server->requests()[0]['headers']['authorization'] );
	}

	public function test_figures_show_their_formula_and_sample_size(): void {
		update_option( 'timezone_string', 'America/Los_Angeles' );
		$this->script_insights();
		$html  = Insights_Page::page( array( 'range' => 'year' ), '2026-03-15' );
		$xpath = self::dom( $html );
		$figure = static fn( $key ) => self::text( $xpath, '//section[contains(@class,"aftercare-figure--' . $key . '")]' );
		$this->assertSame( 'NPS 40.0 6 promoters · 2 passives · 2 detractors Response rate 40.0% (10 of 25 surveys sent) % promoters (9–10) − % detractors (0–6) of the answers recorded in the range. Response rate = surveys sent in the range that were answered ÷ surveys sent in the range. n = 10 answers', $figure( 'nps' ) );
		$this->assertStringStartsWith( 'CSAT 80.0 8 of 10 answers were 4 or 5 Response rate 33.3% (10 of 30 surveys sent) Answers 4 or 5 ÷ all answers × 100', $figure( 'csat' ) );
		$this->assertSame( 0, $xpath->query( '//div[contains(@class,"notice")]' )->length, 'nothing left to count: no note' );
		$this->assertStringStartsWith( 'First response time 3.0 h P90 3.7 d Business hours: median 30 min, P90 2.0 h', $figure( 'first-response' ) );
		$this->assertStringEndsWith( 'n = 3 requests', $figure( 'first-response' ) );
		$this->assertStringStartsWith( 'Resolution time 26.0 h P90 3.8 d Business hours: median 3.5 h, P90 11.0 h', $figure( 'resolution' ) );
		$this->assertStringStartsWith( 'Answers followed by a request 7.5% 3 of 40 shown answers', $figure( 'deflection' ) );
		$this->assertStringEndsWith( 'n = 40 shown answers', $figure( 'deflection' ) );
		$this->assertStringStartsWith( 'Repeat customers 30.0% 30 of 100 new customers ordered again', $figure( 'repeat-rate' ) );
		$this->assertSame( 'Retention 60.0% S = 50 active at the start, E = 80 active at the end, N = 100 new Active = bought within the last 90 days. (E − N) ÷ S: customers active at the end of the range, less the new ones, ÷ customers active at its start. n = 50 customers', $figure( 'retention' ) );
		$this->assertStringStartsWith( 'Historic customer value ₩123,450 Per new customer; 400 customers in all to date', $figure( 'historic-value' ) );
		$this->assertSame( 'January 1, 2026 to March 15, 2026, both days included, in the shop\'s time zone (Asia/Seoul).', self::text( $xpath, '//p[contains(@class,"aftercare-insights__span")]' ) );
		// The range form: a plain GET back to this page, no nonce, the days filled in.
		$form = $xpath->query( '//form[contains(@class,"aftercare-insights__range")]' )->item( 0 );
		$this->assertSame( 'get', $form->getAttribute( 'method' ) );
		$this->assertSame( 0, $xpath->query( './/input[@name="_wpnonce"]', $form )->length );
		$this->assertSame( Insights_Page::PAGE, $xpath->query( './/input[@name="page"]', $form )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( '2026-01-01', $xpath->query( './/input[@name="from"]', $form )->item( 0 )->getAttribute( 'value' ) );
		$this->assertSame( 'This year', self::text( $xpath, '//ul[@class="subsubsub"]//a[@aria-current="page"]' ) );
	}

	public function test_each_chart_has_its_table_formula_sample_and_csv(): void {
		// aftercare's days are the shop's already: a zone west of UTC must not show the day before.
		update_option( 'timezone_string', 'America/Los_Angeles' );
		$this->script_insights();
		$html  = Insights_Page::page( array( 'range' => 'year' ), '2026-03-15' );
		$xpath = self::dom( $html );
		$sections = $xpath->query( '//section[contains(@class,"aftercare-insights__chart")]' );
		$this->assertSame( Insights_Page::CHARTS, array_map( static fn( $s ) => substr( $s->getAttribute( 'id' ), strlen( 'aftercare-chart-' ) ), iterator_to_array( $sections ) ) );
		foreach ( $sections as $section ) {
			$order = array_map( static fn( $n ) => $n->nodeName . '.' . $n->getAttribute( 'class' ), iterator_to_array( $xpath->query( './*', $section ) ) );
			$this->assertSame( array( 'h2.', 'picture.aftercare-chart', 'div.aftercare-insights__table', 'p.aftercare-formula', 'p.aftercare-sample', 'p.' ), $order, 'chart, table under it, then formula and n, then the CSV link' );
			$this->assertSame( '0', $xpath->query( './div', $section )->item( 0 )->getAttribute( 'tabindex' ), 'a table box that may scroll can be scrolled from the keyboard' );
		}
		$rows = static fn( $name ) => array_map(
			static fn( $tr ) => trim( preg_replace( '/\s+/u', ' ', $tr->textContent ) ),
			iterator_to_array( $xpath->query( '//section[@id="aftercare-chart-' . $name . '"]//tbody/tr' ) )
		);
		$this->assertSame( array( 'January 5, 2026 50.0 4', 'January 12, 2026 33.3 6' ), $rows( 'nps-weekly' ) );
		$this->assertSame( array( 'A closed return 75.0 3 4', 'A solved support request 83.3 5 6' ), $rows( 'csat-sources' ) );
		$this->assertSame( array( 'First response 3.0 h 3.7 d 30 min 2.0 h 3', 'Resolution 26.0 h 3.8 d 3.5 h 11.0 h 2' ), $rows( 'support-times' ) );
		$this->assertSame( array( 'Where is my order? 5 41.7%', 'Damaged or wrong item 4 33.3%', 'How to use the product 3 25.0%' ), $rows( 'support-topics' ) );
		$this->assertSame( array( 'CJ Logistics 100 95 30.5 h 70.0 h' ), $rows( 'delivery-times' ) );
		$this->assertSame( array( 'CJ Logistics 100 5 5.0% 2 2.0%' ), $rows( 'carrier-rates' ) );
		$this->assertSame( array( 'Hoodie <script>alert(1)</script> 40 4 10.0%' ), $rows( 'return-products' ) );
		$this->assertSame( array( 'Too small 3 50.0%', 'Arrived damaged 3 50.0%' ), $rows( 'return-reasons' ) );
		$this->assertSame( array( 'January 2026 10 ₩500,000 ₩800,000 ₩900,000' ), $rows( 'cohorts' ) );
		$this->assertStringNotContainsString( '<script>alert(1)</script>', $html );
		$sample = static fn( $name ) => self::text( $xpath, '//section[@id="aftercare-chart-' . $name . '"]/p[@class="aftercare-sample"]' );
		$this->assertSame( 'n = 3 answered, 2 solved', $sample( 'support-times' ) );
		$this->assertSame( 'n = 95 delivered parcels', $sample( 'delivery-times' ) );
		$this->assertSame( 'n = 100 parcels shipped', $sample( 'carrier-rates' ) );
		$this->assertSame( 'n = 40 units sold', $sample( 'return-products' ) );
		$this->assertSame( 'n = 6 units returned', $sample( 'return-reasons' ) );
		$this->assertSame( 'n = 12 requests', $sample( 'support-topics' ) );
		$this->assertSame( 'Return rate = units returned ÷ units sold, of orders placed in the range; returns that were rejected or cancelled do not count.', self::text( $xpath, '//section[@id="aftercare-chart-return-products"]/p[@class="aftercare-formula"]' ) );

		$csv = html_entity_decode( $xpath->query( '//section[@id="aftercare-chart-cohorts"]//a[.="Download CSV"]' )->item( 0 )->getAttribute( 'href' ) );
		parse_str( (string) parse_url( $csv, PHP_URL_QUERY ), $query );
		$this->assertSame( 'https://shop.test/wp-admin/admin-post.php', strtok( $csv, '?' ) );
		$this->assertSame( array( 'action' => Insights_Page::CSV_ACTION, 'table' => 'cohorts', 'from' => '2026-01-01', 'to' => '2026-03-15', '_wpnonce' => wp_create_nonce( Insights_Page::CSV_ACTION ) ), $query );
	}

	public function test_the_rate_counts_surveys_sent_in_the_range_not_answers_recorded_in_it(): void {
		$data        = self::fixture( 'insights.json' );
		$data['nps'] = array( 'responses' => 7, 'sent' => 20, 'response_rate' => 0.25 ) + $data['nps'];
		$data['pending'] = 3;
		$this->script_insights( $data );
		$xpath = self::dom( Insights_Page::page( array(), '2026-03-15' ) );
		$this->assertStringContainsString( 'Response rate 25.0% (5 of 20 surveys sent)', self::text( $xpath, '//section[contains(@class,"aftercare-figure--nps")]' ) );
		$this->assertStringEndsWith( 'n = 7 answers', self::text( $xpath, '//section[contains(@class,"aftercare-figure--nps")]' ) );
		$this->assertSame( 'aftercare is still counting 3 recent changes; the figures may move a little. Reload in a minute.', self::text( $xpath, '//div[contains(@class,"notice-info")]' ) );
	}

	public function test_a_year_of_weeks_scrolls_in_its_own_box(): void {
		$data                  = self::fixture( 'insights.json' );
		$data['nps']['weekly'] = array();
		for ( $i = 0; $i < 52; $i++ ) {
			$data['nps']['weekly'][] = array( 'week' => gmdate( 'Y-m-d', strtotime( "2025-03-17 +$i weeks" ) ), 'score' => 10.0, 'responses' => 1 );
		}
		$this->script_insights( $data );
		$xpath = self::dom( Insights_Page::page( array(), '2026-03-15' ) );
		$this->assertSame( 52, $xpath->query( '//section[@id="aftercare-chart-nps-weekly"]//tbody/tr' )->length, 'every week is in the table' );
		$this->assertSame( array( 'aftercare-insights__table aftercare-insights__table--long', 'aftercare-insights__table' ), array_map( static fn( $d ) => $d->getAttribute( 'class' ), iterator_to_array( $xpath->query( '//section[@id="aftercare-chart-nps-weekly" or @id="aftercare-chart-csat-sources"]/div' ) ) ) );
	}

	public function test_charts_are_images_served_by_wordpress_narrow_on_phones(): void {
		$this->script_insights();
		$html  = Insights_Page::page( array( 'from' => '2026-01-01', 'to' => '2026-01-31' ), '2026-03-15' );
		$xpath = self::dom( $html );
		$this->assertSame( 0, $xpath->query( '//svg' )->length, 'never inline' );
		// libxml does not know <source> is void: the <img> reads as inside it.
		$this->assertSame( count( Insights_Page::CHARTS ), $xpath->query( '//picture//img' )->length );
		$picture = $xpath->query( '//section[@id="aftercare-chart-carrier-rates"]/picture' )->item( 0 );
		$source  = $xpath->query( './source', $picture )->item( 0 );
		$img     = $xpath->query( './/img', $picture )->item( 0 );
		$this->assertSame( '(max-width: 599px)', $source->getAttribute( 'media' ) );
		$this->assertSame( '360', $source->getAttribute( 'width' ) );
		$this->assertSame( '760', $img->getAttribute( 'width' ) );
		$this->assertSame( 'Chart: Late deliveries and exceptions by carrier. The table below has its figures.', $img->getAttribute( 'alt' ) );
		$query = static function ( string $url ): array {
			parse_str( (string) parse_url( html_entity_decode( $url ), PHP_URL_QUERY ), $q );
			return $q;
		};
		$nonce = wp_create_nonce( Insights_Page::CHART_ACTION );
		$this->assertSame( array( 'action' => Insights_Page::CHART_ACTION, 'chart' => 'carrier-rates', 'from' => '2026-01-01', 'to' => '2026-01-31', 'width' => '760', 'lang' => 'en', '_wpnonce' => $nonce ), $query( $img->getAttribute( 'src' ) ) );
		$this->assertSame( '360', $query( $source->getAttribute( 'srcset' ) )['width'] );
		$this->assertSame( 'https://shop.test/wp-admin/admin-post.php', strtok( html_entity_decode( $img->getAttribute( 'src' ) ), '?' ) );
		$this->assertStringNotContainsString( self::$server->url, $html, 'aftercare\'s address never reaches the browser' );
		$this->assertStringNotContainsString( 'test-api-key', $html );
	}

	public function test_a_korean_admin_gets_korean_charts_and_words(): void {
		Stub::load_mo( AFTERCARE_PLUGIN_DIR . '/languages/aftercare-for-woocommerce-ko_KR.mo' );
		Stub::$user_meta[1]['locale'] = 'ko_KR';
		$this->script_insights();
		$xpath = self::dom( Insights_Page::page( array(), '2026-03-15' ) );
		$src   = html_entity_decode( $xpath->query( '//picture//img' )->item( 0 )->getAttribute( 'src' ) );
		$this->assertStringContainsString( '&lang=ko&', $src );
		$this->assertSame( '인사이트', self::text( $xpath, '//h1' ) );
		$this->assertSame( 'CSV 다운로드', self::text( $xpath, '(//section[contains(@class,"aftercare-insights__chart")]//a)[1]' ) );
		$this->assertStringContainsString( '활성 = 최근 90일 안에 구매한 고객', self::text( $xpath, '//section[contains(@class,"aftercare-figure--retention")]' ) );
	}

	public function test_with_aftercare_down_the_page_says_so_calmly(): void {
		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$xpath = self::dom( Insights_Page::page( array( 'range' => '30d' ), '2026-03-15' ) );
		$this->assertStringStartsWith( 'The insights could not be loaded. aftercare is unavailable at the moment; try again in a minute.', self::text( $xpath, '//div[contains(@class,"notice-warning")]' ) );
		$this->assertSame( 0, $xpath->query( '//picture' )->length, 'no broken chart images' );
		$this->assertSame( 0, $xpath->query( '//section' )->length );
		$this->assertSame( 1, $xpath->query( '//form[contains(@class,"aftercare-insights__range")]' )->length, 'the range can still be changed' );
		$this->assertTrue( Api_Client::is_paused() );
		// Paused: the next view does not wait for aftercare again, and says the same.
		$started = microtime( true );
		$xpath   = self::dom( Insights_Page::page( array(), '2026-03-15' ) );
		$this->assertLessThan( 1.0, microtime( true ) - $started );
		$this->assertStringStartsWith( 'The insights could not be loaded.', self::text( $xpath, '//div[contains(@class,"notice-warning")]' ) );

		Api_Client::resume();
		$this->configure( self::$server->url );
		self::$server->script( array( 'GET /api/v1/insights' => array( 'status' => 500, 'json' => array( 'error' => array( 'code' => 'internal', 'message' => 'Something went wrong.' ) ) ) ) );
		$this->assertStringContainsString( 'aftercare answered HTTP 500: Something went wrong.', self::text( self::dom( Insights_Page::page( array(), '2026-03-15' ) ), '//div[contains(@class,"notice-warning")]' ) );
		Api_Client::resume();
		self::$server->script( array() );
		$this->assertSame( 'This aftercare version does not compute insights yet. Update aftercare to see them.', self::text( self::dom( Insights_Page::page( array(), '2026-03-15' ) ), '//div[contains(@class,"notice-info")]' ) );
		update_option( \Aftercare\Settings::URL_OPTION, '' );
		$this->assertSame( 'Connect aftercare first under WooCommerce → Settings → Aftercare.', self::text( self::dom( Insights_Page::page( array(), '2026-03-15' ) ), '//div[contains(@class,"notice-info")]' ) );
	}

	public function test_figures_without_data_read_as_a_dash(): void {
		$this->script_insights(
			array(
				'from'      => '2026-03-01',
				'to'        => '2026-03-15',
				'currency'  => 'KRW',
				'nps'       => array( 'score' => null, 'promoters' => 0, 'passives' => 0, 'detractors' => 0, 'responses' => 0, 'sent' => 0, 'response_rate' => null, 'weekly' => array( array( 'week' => '2026-03-09', 'score' => null, 'responses' => 0 ) ) ),
				'csat'      => array( 'score' => null, 'satisfied' => 0, 'responses' => 0, 'by_source' => array( array( 'source' => 'return', 'score' => null, 'satisfied' => 0, 'responses' => 0 ) ) ),
				'support'   => array( 'first_response' => array( 'median_seconds' => null, 'count' => 0 ) ),
				'customers' => array( 'historic_value' => null, 'active_days' => 90 ),
			)
		);
		$xpath = self::dom( Insights_Page::page( array(), '2026-03-15' ) );
		$this->assertSame( '—', self::text( $xpath, '//section[contains(@class,"aftercare-figure--nps")]/p[contains(@class,"aftercare-figure__value")]' ) );
		$this->assertSame( '—', self::text( $xpath, '//section[contains(@class,"aftercare-figure--historic-value")]/p[contains(@class,"aftercare-figure__value")]' ) );
		$this->assertSame( count( Insights_Page::CHARTS ), $xpath->query( '//p[@class="aftercare-insights__empty"]' )->length );
		$this->assertSame( 0, $xpath->query( '//picture' )->length, 'no empty charts to fetch' );
		$this->assertSame( 0, $xpath->query( '//table' )->length, 'no tables of zeros (the weeks and sources are listed even without answers)' );
		$this->assertSame( count( Insights_Page::CHARTS ), $xpath->query( '//a[.="Download CSV"]' )->length, 'the CSV is still there' );
		$this->assertSame( 'n = 0 answers', self::text( $xpath, '//section[@id="aftercare-chart-nps-weekly"]/p[@class="aftercare-sample"]' ) );
	}

	public function test_chart_proxy_needs_the_capability_and_the_nonce(): void {
		self::$server->script( array( 'GET /api/v1/insights/charts/nps-weekly.svg' => array( 'headers' => array( 'Content-Type' => 'image/svg+xml' ), 'body' => self::SVG ) ) );
		$get = array( 'chart' => 'nps-weekly', 'from' => '2026-01-01', 'to' => '2026-01-31', 'width' => '360', 'lang' => 'ko', '_wpnonce' => wp_create_nonce( Insights_Page::CHART_ACTION ) );
		$this->assertSame( 403, Insights_Page::fetch_chart( array( '_wpnonce' => 'forged' ) + $get ) );
		$this->assertSame( 403, Insights_Page::fetch_chart( array( '_wpnonce' => wp_create_nonce( Insights_Page::CSV_ACTION ) ) + $get ), 'a CSV nonce is not a chart nonce' );
		Stub::login( 42, array( 'read', 'view_order' ) );
		$this->assertSame( 403, Insights_Page::fetch_chart( array( '_wpnonce' => wp_create_nonce( Insights_Page::CHART_ACTION ) ) + $get ), 'customers never get the store\'s figures' );
		Stub::login( 0, array() );
		$this->assertSame( 403, Insights_Page::fetch_chart( $get ) );
		Stub::login( 1, array( 'view_woocommerce_reports' ) );
		$this->assertSame( 404, Insights_Page::fetch_chart( array( 'chart' => '../returns/1/photos/1' ) + $get ) );
		$this->assertSame( 400, Insights_Page::fetch_chart( array( 'from' => '2026-02-01' ) + $get ) );
		$this->assertSame( array(), self::$server->requests(), 'nothing refused reaches aftercare' );

		$chart = Insights_Page::fetch_chart( $get );
		$this->assertSame( array( 'svg' => self::SVG, 'filename' => 'aftercare-nps-weekly-2026-01-01-2026-01-31.svg' ), $chart );
		$request = self::$server->requests()[0];
		$this->assertSame( '/api/v1/insights/charts/nps-weekly.svg?from=2026-01-01&to=2026-01-31&width=360&lang=ko', $request['uri'] );
		$this->assertSame( 'Bearer test-api-key-0123456789', $request['headers']['authorization'] );
		$this->assertSame( 'image/svg+xml', $request['headers']['accept'] );
		Insights_Page::fetch_chart( array( 'width' => '99999', 'lang' => 'fr"' ) + $get );
		$this->assertSame( '/api/v1/insights/charts/nps-weekly.svg?from=2026-01-01&to=2026-01-31&width=1600&lang=en', self::$server->requests()[1]['uri'] );

		$headers = Insights_Page::chart_headers( strlen( self::SVG ), $chart['filename'] );
		$this->assertSame( 'image/svg+xml; charset=utf-8', $headers['Content-Type'] );
		$this->assertSame( 'nosniff', $headers['X-Content-Type-Options'] );
		$this->assertStringStartsWith( "default-src 'none';", $headers['Content-Security-Policy'] );
		$this->assertStringContainsString( 'sandbox', $headers['Content-Security-Policy'] );
		$this->assertStringNotContainsString( 'script', $headers['Content-Security-Policy'] );
		$this->assertStringStartsWith( 'private', $headers['Cache-Control'] );
	}

	public function test_chart_proxy_passes_on_only_svg(): void {
		$get = array( 'chart' => 'cohorts', 'from' => '2026-01-01', 'to' => '2026-01-31', '_wpnonce' => wp_create_nonce( Insights_Page::CHART_ACTION ) );
		self::$server->script( array( 'GET /api/v1/insights/charts/cohorts.svg' => array( 'headers' => array( 'Content-Type' => 'text/html' ), 'body' => self::SVG ) ) );
		$this->assertSame( 502, Insights_Page::fetch_chart( $get ) );
		self::$server->script( array( 'GET /api/v1/insights/charts/cohorts.svg' => array( 'headers' => array( 'Content-Type' => 'image/svg+xml' ), 'body' => '<html><script>alert(1)</script></html>' ) ) );
		$this->assertSame( 502, Insights_Page::fetch_chart( $get ) );
		self::$server->script( array( 'GET /api/v1/insights/charts/cohorts.svg' => array( 'status' => 404, 'json' => array( 'error' => array( 'code' => 'not_found', 'message' => 'No such chart.' ) ) ) ) );
		$this->assertSame( 404, Insights_Page::fetch_chart( $get ) );
		self::$server->script( array( 'GET /api/v1/insights/charts/cohorts.svg' => array( 'headers' => array( 'Content-Type' => 'image/svg+xml' ), 'body' => '<?xml version="1.0"?>' . "\n" . self::SVG ) ) );
		$this->assertIsArray( Insights_Page::fetch_chart( $get ) );
		$asked = count( self::$server->requests() );
		// Down: a plain 502, no warning; the page's other charts do not wait for it again.
		$this->configure( 'http://127.0.0.1:' . Aftercare_Service::free_port() );
		$this->assertSame( 502, Insights_Page::fetch_chart( $get ) );
		$this->assertTrue( Api_Client::is_paused() );
		$this->configure( self::$server->url );
		$this->assertSame( 502, Insights_Page::fetch_chart( $get ) );
		$this->assertSame( $asked, count( self::$server->requests() ), 'paused: aftercare is not asked' );
	}

	public function test_csv_download_through_the_plugin(): void {
		$csv = "product_id,name,sold,returned,rate\n12,Hoodie,40,4,0.1\n";
		self::$server->script(
			array(
				'GET /api/v1/insights/return-products.csv' => array(
					'headers' => array(
						'Content-Type'        => 'text/csv; charset=utf-8',
						'Content-Disposition' => 'attachment; filename="aftercare-return-products-2026-01-01-2026-01-31.csv"',
					),
					'body'    => $csv,
				),
			)
		);
		$get = array( 'table' => 'return-products', 'from' => '2026-01-01', 'to' => '2026-01-31', '_wpnonce' => wp_create_nonce( Insights_Page::CSV_ACTION ) );
		$this->assertSame( 403, Insights_Page::fetch_csv( array( '_wpnonce' => wp_create_nonce( Insights_Page::CHART_ACTION ) ) + $get ) );
		Stub::login( 5, array( 'read' ) );
		$this->assertSame( 403, Insights_Page::fetch_csv( array( '_wpnonce' => wp_create_nonce( Insights_Page::CSV_ACTION ) ) + $get ) );
		Stub::login( 1, array( 'view_woocommerce_reports' ) );
		$this->assertSame( 404, Insights_Page::fetch_csv( array( 'table' => 'customers' ) + $get ) );
		$this->assertSame( array(), self::$server->requests() );

		$file = Insights_Page::fetch_csv( $get );
		$this->assertIsArray( $file );
		$this->assertSame( $csv, file_get_contents( $file['file'] ) );
		$this->assertSame( 'aftercare-return-products-2026-01-01-2026-01-31.csv', $file['filename'] );
		unlink( $file['file'] );
		$this->assertSame( '/api/v1/insights/return-products.csv?from=2026-01-01&to=2026-01-31', self::$server->requests()[0]['uri'] );
		$this->assertSame( 'text/csv', self::$server->requests()[0]['headers']['accept'] );
		$headers = Insights_Page::csv_headers( strlen( $csv ), $file['filename'] );
		$this->assertSame( 'attachment; filename="aftercare-return-products-2026-01-01-2026-01-31.csv"', $headers['Content-Disposition'] );
		$this->assertSame( 'text/csv; charset=utf-8', $headers['Content-Type'] );
		$this->assertSame( 'nosniff', $headers['X-Content-Type-Options'] );
		$this->assertStringContainsString( 'sandbox', $headers['Content-Security-Policy'] );

		Stub::$registered['tempfiles'] = array();
		self::$server->script( array( 'GET /api/v1/insights/return-products.csv' => array( 'headers' => array( 'Content-Type' => 'text/html' ), 'body' => '<script>alert(1)</script>' ) ) );
		$this->assertSame( 502, Insights_Page::fetch_csv( $get ) );
		foreach ( Stub::$registered['tempfiles'] as $temp ) {
			$this->assertFileDoesNotExist( $temp, 'a refused download leaves no file behind' );
		}
	}

	public function test_listed_under_woocommerce_and_in_analytics(): void {
		do_action( 'admin_menu' );
		$this->assertSame( array( 'parent' => 'woocommerce', 'capability' => 'view_woocommerce_reports', 'callback' => array( Insights_Page::class, 'print_page' ) ), Stub::$registered['submenus'][ Insights_Page::PAGE ] );
		$core  = array(
			array( 'id' => 'woocommerce-analytics-overview', 'parent' => 'woocommerce-analytics', 'path' => '/analytics/overview' ),
			array( 'id' => 'woocommerce-analytics-settings', 'parent' => 'woocommerce-analytics', 'path' => '/analytics/settings' ),
		);
		$items = apply_filters( 'woocommerce_analytics_report_menu_items', $core );
		$this->assertSame( array( 'woocommerce-analytics-overview', 'aftercare-insights', 'woocommerce-analytics-settings' ), array_column( $items, 'id' ) );
		$this->assertSame( array( 'id' => 'aftercare-insights', 'title' => 'Insights', 'parent' => 'woocommerce-analytics', 'path' => Insights_Page::ANALYTICS_PATH, 'capability' => 'view_woocommerce_reports' ), $items[1] );
		// WooCommerce registered it as a wc-admin page; the link goes to this page instead.
		global $submenu;
		$submenu = array(
			'wc-admin&path=/analytics/overview' => array(
				array( 'Overview', 'view_woocommerce_reports', 'wc-admin&path=/analytics/overview', 'Overview' ),
				array( 'Insights', 'view_woocommerce_reports', 'wc-admin&path=' . Insights_Page::ANALYTICS_PATH, 'Insights' ),
			),
		);
		Insights_Page::link_analytics_item();
		$this->assertSame( array( 'wc-admin&path=/analytics/overview', 'admin.php?page=aftercare-insights' ), array_column( $submenu['wc-admin&path=/analytics/overview'], 2 ) );
		$submenu = null;

		$_GET = array( 'page' => 'wc-admin', 'path' => Insights_Page::ANALYTICS_PATH );
		try {
			Insights_Page::redirect_from_analytics();
			$this->fail( 'no redirect' );
		} catch ( Stub_Redirect $e ) {
			$this->assertSame( 'https://shop.test/wp-admin/admin.php?page=aftercare-insights', $e->location );
		} finally {
			$_GET = array();
		}
	}

	public function test_the_page_gets_the_admin_stylesheet(): void {
		Stub::$registered['styles'] = array();
		\Aftercare\Admin_Settings::enqueue_style( 'woocommerce_page_' . Insights_Page::PAGE );
		$this->assertSame( array( 'aftercare-admin' ), Stub::$registered['styles'] );
	}

	public function test_the_page_itself_needs_the_capability(): void {
		Stub::login( 42, array( 'read', 'manage_options' ) );
		$this->expectExceptionMessage( 'wp_die: You may not view the store&#039;s reports.' );
		Insights_Page::print_page();
	}
}
