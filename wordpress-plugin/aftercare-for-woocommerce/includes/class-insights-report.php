<?php
/**
 * The Insights page's words and numbers: aftercare's figures as the page prints them, each
 * with its formula and sample size, and one table per chart.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Shapes GET /api/v1/insights for the page. Every value comes back as plain text (the template
 * escapes it) except amounts, which are WooCommerce's price HTML; a missing figure reads "—".
 */
final class Insights_Report {

	/**
	 * The figures at the top of the page.
	 *
	 * @param array<string,mixed> $data GET /api/v1/insights.
	 * @return array<int,array{key:string,label:string,value:string,value_html:string,details:string[],formula:string,sample:string}>
	 */
	public static function figures( array $data ): array {
		$nps       = Data::obj( $data, 'nps' ) ?? array();
		$csat      = Data::obj( $data, 'csat' ) ?? array();
		$support   = Data::obj( $data, 'support' ) ?? array();
		$first     = Data::obj( $support, 'first_response' ) ?? array();
		$solved    = Data::obj( $support, 'resolution' ) ?? array();
		$deflect   = Data::obj( $support, 'deflection' ) ?? array();
		$customers = Data::obj( $data, 'customers' ) ?? array();
		$currency  = Data::str( $data, 'currency' );
		$days      = Data::int( $customers, 'active_days' );
		$value     = Data::str( $customers, 'historic_value' );
		return array(
			self::figure(
				'nps',
				__( 'NPS', 'aftercare-for-woocommerce' ),
				self::score( $nps['score'] ?? null ),
				array(
					/* translators: 1: promoters, 2: passives, 3: detractors */
					sprintf( __( '%1$d promoters · %2$d passives · %3$d detractors', 'aftercare-for-woocommerce' ), Data::int( $nps, 'promoters' ), Data::int( $nps, 'passives' ), Data::int( $nps, 'detractors' ) ),
					self::response_rate( $nps ),
				),
				__( '% promoters (9–10) − % detractors (0–6) of the answers recorded in the range. Response rate = surveys sent in the range that were answered ÷ surveys sent in the range.', 'aftercare-for-woocommerce' ),
				self::answers( Data::int( $nps, 'responses' ) )
			),
			self::figure(
				'csat',
				__( 'CSAT', 'aftercare-for-woocommerce' ),
				self::score( $csat['score'] ?? null ),
				array(
					/* translators: 1: satisfied answers, 2: all answers */
					sprintf( __( '%1$d of %2$d answers were 4 or 5', 'aftercare-for-woocommerce' ), Data::int( $csat, 'satisfied' ), Data::int( $csat, 'responses' ) ),
					self::response_rate( $csat ),
				),
				__( 'Answers 4 or 5 ÷ all answers × 100, after a return was closed and after a support request was solved. Response rate = surveys sent in the range that were answered ÷ surveys sent in the range.', 'aftercare-for-woocommerce' ),
				self::answers( Data::int( $csat, 'responses' ) )
			),
			self::figure(
				'first_response',
				__( 'First response time', 'aftercare-for-woocommerce' ),
				self::duration( $first['median_seconds'] ?? null ),
				self::time_details( $first ),
				__( 'First public staff reply − the customer\'s first message, for requests first answered in the range. Median and P90 by nearest rank; business hours count only the shop\'s support hours.', 'aftercare-for-woocommerce' ),
				self::requests( Data::int( $first, 'count' ) )
			),
			self::figure(
				'resolution',
				__( 'Resolution time', 'aftercare-for-woocommerce' ),
				self::duration( $solved['median_seconds'] ?? null ),
				self::time_details( $solved ),
				__( 'Last solve − the customer\'s first message, for requests last solved in the range. Median and P90 by nearest rank; business hours count only the shop\'s support hours.', 'aftercare-for-woocommerce' ),
				self::requests( Data::int( $solved, 'count' ) )
			),
			self::figure(
				'deflection',
				__( 'Answers followed by a request', 'aftercare-for-woocommerce' ),
				self::percent( $deflect['rate'] ?? null ),
				array(
					/* translators: 1: answers followed by a request, 2: answers shown */
					sprintf( __( '%1$d of %2$d shown answers', 'aftercare-for-woocommerce' ), Data::int( $deflect, 'followed_by_request' ), Data::int( $deflect, 'shown' ) ),
				),
				__( 'Shown answers (one answer, one order, one day) followed by a support request on that order within 7 days ÷ shown answers. Lower is better.', 'aftercare-for-woocommerce' ),
				/* translators: %d: number of answers shown */
				sprintf( _n( 'n = %d shown answer', 'n = %d shown answers', Data::int( $deflect, 'shown' ), 'aftercare-for-woocommerce' ), Data::int( $deflect, 'shown' ) )
			),
			self::figure(
				'repeat_rate',
				__( 'Repeat customers', 'aftercare-for-woocommerce' ),
				self::percent( $customers['repeat_rate'] ?? null ),
				array(
					/* translators: 1: customers who ordered again, 2: new customers */
					sprintf( __( '%1$d of %2$d new customers ordered again', 'aftercare-for-woocommerce' ), Data::int( $customers, 'repeat_customers' ), Data::int( $customers, 'new_customers' ) ),
				),
				__( 'Customers whose first order was in the range and who ordered again ÷ customers whose first order was in the range.', 'aftercare-for-woocommerce' ),
				self::customers( Data::int( $customers, 'new_customers' ) )
			),
			self::figure(
				'retention',
				__( 'Retention', 'aftercare-for-woocommerce' ),
				self::percent( $customers['retention'] ?? null ),
				array(
					/* translators: 1: active at the start, 2: active at the end, 3: new customers */
					sprintf( __( 'S = %1$d active at the start, E = %2$d active at the end, N = %3$d new', 'aftercare-for-woocommerce' ), Data::int( $customers, 'active_at_start' ), Data::int( $customers, 'active_at_end' ), Data::int( $customers, 'new_customers' ) ),
					/* translators: %d: number of days */
					sprintf( _n( 'Active = bought within the last %d day.', 'Active = bought within the last %d days.', $days, 'aftercare-for-woocommerce' ), $days ),
				),
				__( '(E − N) ÷ S: customers active at the end of the range, less the new ones, ÷ customers active at its start.', 'aftercare-for-woocommerce' ),
				self::customers( Data::int( $customers, 'active_at_start' ) )
			),
			self::figure(
				'historic_value',
				__( 'Historic customer value', 'aftercare-for-woocommerce' ),
				'' === $value ? '—' : '',
				array(
					/* translators: %d: number of customers */
					sprintf( _n( 'Per new customer; %d customer in all to date', 'Per new customer; %d customers in all to date', Data::int( $customers, 'customers_to_date' ), 'aftercare-for-woocommerce' ), Data::int( $customers, 'customers_to_date' ) ),
				),
				__( 'What customers whose first order was in the range have spent to date ÷ those customers. Spent = paid orders\' totals less their refunds.', 'aftercare-for-woocommerce' ),
				self::customers( Data::int( $customers, 'new_customers' ) ),
				'' === $value ? '' : Template::money( $value, $currency )
			),
		);
	}

	/**
	 * One table per chart, in the page's order.
	 *
	 * @param array<string,mixed> $data GET /api/v1/insights.
	 * @return array<string,array{title:string,columns:string[],numeric:bool[],rows:array<int,array<int,string>>,html:bool[],formula:string,sample:string,n:int}>
	 */
	public static function tables( array $data ): array {
		$currency  = Data::str( $data, 'currency' );
		$nps       = Data::obj( $data, 'nps' ) ?? array();
		$csat      = Data::obj( $data, 'csat' ) ?? array();
		$support   = Data::obj( $data, 'support' ) ?? array();
		$volume    = Data::obj( $support, 'volume' ) ?? array();
		$carriers  = Data::rows( $data, 'carriers' );
		$returns   = Data::rows( $data, 'returns' );
		$reasons   = Data::rows( $data, 'return_reasons' );
		$customers = Data::obj( $data, 'customers' ) ?? array();
		$cohorts   = Data::rows( $customers, 'cohorts' );
		$total     = Data::int( $volume, 'total' );
		$shipped   = array_sum( array_map( static fn( $c ) => Data::int( $c, 'shipments' ), $carriers ) );
		$delivered = array_sum( array_map( static fn( $c ) => Data::int( $c, 'delivered' ), $carriers ) );
		$times     = array();
		foreach ( array(
			'first_response' => __( 'First response', 'aftercare-for-woocommerce' ),
			'resolution'     => __( 'Resolution', 'aftercare-for-woocommerce' ),
		) as $key => $label ) {
			$row     = Data::obj( $support, $key ) ?? array();
			$times[] = array( $label, self::duration( $row['median_seconds'] ?? null ), self::duration( $row['p90_seconds'] ?? null ), self::duration( $row['median_business_seconds'] ?? null ), self::duration( $row['p90_business_seconds'] ?? null ), self::count( $row, 'count' ) );
		}
		$first    = Data::obj( $support, 'first_response' ) ?? array();
		$done     = Data::obj( $support, 'resolution' ) ?? array();
		$sold     = array_sum( array_map( static fn( $p ) => Data::int( $p, 'sold' ), $returns ) );
		$returned = array_sum( array_map( static fn( $r ) => Data::int( $r, 'returned' ), $reasons ) );
		$joined   = array_sum( array_map( static fn( $c ) => Data::int( $c, 'customers' ), $cohorts ) );
		return array(
			'nps-weekly'      => self::table(
				__( 'NPS by week', 'aftercare-for-woocommerce' ),
				array( __( 'Week of', 'aftercare-for-woocommerce' ), __( 'NPS', 'aftercare-for-woocommerce' ), __( 'Answers', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $w ) => array( self::day( Data::str( $w, 'week' ) ), self::score( $w['score'] ?? null ), self::count( $w, 'responses' ) ), Data::rows( $nps, 'weekly' ) ),
				__( 'NPS = % promoters (9–10) − % detractors (0–6) of the answers recorded in each week (weeks start on Monday).', 'aftercare-for-woocommerce' ),
				self::answers( Data::int( $nps, 'responses' ) ),
				Data::int( $nps, 'responses' )
			),
			'csat-sources'    => self::table(
				__( 'CSAT by source', 'aftercare-for-woocommerce' ),
				array( __( 'After', 'aftercare-for-woocommerce' ), __( 'CSAT', 'aftercare-for-woocommerce' ), __( 'Answers 4–5', 'aftercare-for-woocommerce' ), __( 'Answers', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $s ) => array( self::source( Data::str( $s, 'source' ) ), self::score( $s['score'] ?? null ), self::count( $s, 'satisfied' ), self::count( $s, 'responses' ) ), Data::rows( $csat, 'by_source' ) ),
				__( 'CSAT = answers 4 or 5 ÷ all answers × 100, per source.', 'aftercare-for-woocommerce' ),
				self::answers( Data::int( $csat, 'responses' ) ),
				Data::int( $csat, 'responses' )
			),
			'support-times'   => self::table(
				__( 'First response and resolution time', 'aftercare-for-woocommerce' ),
				array( __( 'Measure', 'aftercare-for-woocommerce' ), __( 'Median', 'aftercare-for-woocommerce' ), __( 'P90', 'aftercare-for-woocommerce' ), __( 'Median, business hours', 'aftercare-for-woocommerce' ), __( 'P90, business hours', 'aftercare-for-woocommerce' ), __( 'Requests', 'aftercare-for-woocommerce' ) ),
				$times,
				__( 'First response = first public staff reply − the customer\'s first message (requests first answered in the range); resolution = last solve − first message (requests last solved in the range). Median and P90 by nearest rank, on the clock and in the shop\'s support hours.', 'aftercare-for-woocommerce' ),
				/* translators: 1: requests answered, 2: requests solved */
				sprintf( __( 'n = %1$d answered, %2$d solved', 'aftercare-for-woocommerce' ), Data::int( $first, 'count' ), Data::int( $done, 'count' ) ),
				Data::int( $first, 'count' ) + Data::int( $done, 'count' )
			),
			'support-topics'  => self::table(
				__( 'Requests by topic', 'aftercare-for-woocommerce' ),
				array( __( 'Topic', 'aftercare-for-woocommerce' ), __( 'Requests', 'aftercare-for-woocommerce' ), __( 'Share', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $t ) => array( Support::topic( Data::str( $t, 'topic' ) ), self::count( $t, 'count' ), self::percent( $total > 0 ? Data::int( $t, 'count' ) / $total : null ) ), Data::rows( $volume, 'by_topic' ) ),
				__( 'Support requests opened in the range, by the topic the customer chose. Share = the topic\'s requests ÷ all requests.', 'aftercare-for-woocommerce' ),
				self::requests( $total ),
				$total
			),
			'delivery-times'  => self::table(
				__( 'Delivery time by carrier', 'aftercare-for-woocommerce' ),
				array( __( 'Carrier', 'aftercare-for-woocommerce' ), __( 'Shipped', 'aftercare-for-woocommerce' ), __( 'Delivered', 'aftercare-for-woocommerce' ), __( 'Median', 'aftercare-for-woocommerce' ), __( 'P90', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $c ) => array( self::carrier( $c ), self::count( $c, 'shipments' ), self::count( $c, 'delivered' ), self::hours( $c['median_delivery_hours'] ?? null ), self::hours( $c['p90_delivery_hours'] ?? null ) ), $carriers ),
				__( 'Delivery time = delivered − shipped, for parcels shipped in the range. Median and P90 by nearest rank.', 'aftercare-for-woocommerce' ),
				/* translators: %d: number of parcels */
				sprintf( _n( 'n = %d delivered parcel', 'n = %d delivered parcels', $delivered, 'aftercare-for-woocommerce' ), $delivered ),
				$delivered
			),
			'carrier-rates'   => self::table(
				__( 'Late deliveries and exceptions by carrier', 'aftercare-for-woocommerce' ),
				array( __( 'Carrier', 'aftercare-for-woocommerce' ), __( 'Shipped', 'aftercare-for-woocommerce' ), __( 'Late', 'aftercare-for-woocommerce' ), __( 'Late rate', 'aftercare-for-woocommerce' ), __( 'Exceptions', 'aftercare-for-woocommerce' ), __( 'Exception rate', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $c ) => array( self::carrier( $c ), self::count( $c, 'shipments' ), self::count( $c, 'late' ), self::percent( $c['late_rate'] ?? null ), self::count( $c, 'exceptions' ), self::percent( $c['exception_rate'] ?? null ) ), $carriers ),
				__( 'Late rate = parcels whose expected delivery date passed before they arrived ÷ parcels shipped in the range. Exception rate = parcels the carrier reported a problem with, or that went back ÷ parcels shipped.', 'aftercare-for-woocommerce' ),
				/* translators: %d: number of parcels */
				sprintf( _n( 'n = %d parcel shipped', 'n = %d parcels shipped', $shipped, 'aftercare-for-woocommerce' ), $shipped ),
				$shipped
			),
			'return-products' => self::table(
				__( 'Return rate by product', 'aftercare-for-woocommerce' ),
				array( __( 'Product', 'aftercare-for-woocommerce' ), __( 'Sold', 'aftercare-for-woocommerce' ), __( 'Returned', 'aftercare-for-woocommerce' ), __( 'Return rate', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $p ) => array( self::product( $p ), self::count( $p, 'sold' ), self::count( $p, 'returned' ), self::percent( $p['rate'] ?? null ) ), $returns ),
				__( 'Return rate = units returned ÷ units sold, of orders placed in the range; returns that were rejected or cancelled do not count.', 'aftercare-for-woocommerce' ),
				/* translators: %d: number of units */
				sprintf( _n( 'n = %d unit sold', 'n = %d units sold', $sold, 'aftercare-for-woocommerce' ), $sold ),
				$sold
			),
			'return-reasons'  => self::table(
				__( 'Returns by reason', 'aftercare-for-woocommerce' ),
				array( __( 'Reason', 'aftercare-for-woocommerce' ), __( 'Units returned', 'aftercare-for-woocommerce' ), __( 'Share', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $r ) => array( Labels::reason( Data::str( $r, 'reason' ) ), self::count( $r, 'returned' ), self::percent( $r['share'] ?? null ) ), $reasons ),
				__( 'Share = units returned for the reason ÷ all units returned, of orders placed in the range.', 'aftercare-for-woocommerce' ),
				/* translators: %d: number of units */
				sprintf( _n( 'n = %d unit returned', 'n = %d units returned', $returned, 'aftercare-for-woocommerce' ), $returned ),
				$returned
			),
			'cohorts'         => self::table(
				__( 'Customer value by first-order month', 'aftercare-for-woocommerce' ),
				array( __( 'First order', 'aftercare-for-woocommerce' ), __( 'Customers', 'aftercare-for-woocommerce' ), __( 'Within 90 days', 'aftercare-for-woocommerce' ), __( 'Within 365 days', 'aftercare-for-woocommerce' ), __( 'To date', 'aftercare-for-woocommerce' ) ),
				array_map( static fn( $c ) => array( self::month( Data::str( $c, 'month' ) ), self::count( $c, 'customers' ), self::money( $c, 'value_90_days', $currency ), self::money( $c, 'value_365_days', $currency ), self::money( $c, 'value_to_date', $currency ) ), $cohorts ),
				__( 'Per customer: what the customers whose first order fell in the month spent within 90 and 365 days of that first order, and to date, ÷ those customers. Spent = paid orders\' totals less their refunds.', 'aftercare-for-woocommerce' ),
				self::customers( $joined ),
				$joined,
				array( false, false, true, true, true )
			),
		);
	}

	/**
	 * A figure card.
	 *
	 * @param string   $key        Its key (a CSS class).
	 * @param string   $label      Its name.
	 * @param string   $value      The number as text.
	 * @param string[] $details    Lines under it.
	 * @param string   $formula    How it is computed.
	 * @param string   $sample     Its n.
	 * @param string   $value_html The number as safe HTML (amounts), instead of $value.
	 * @return array{key:string,label:string,value:string,value_html:string,details:string[],formula:string,sample:string}
	 */
	private static function figure( string $key, string $label, string $value, array $details, string $formula, string $sample, string $value_html = '' ): array {
		return compact( 'key', 'label', 'value', 'value_html', 'details', 'formula', 'sample' );
	}

	/**
	 * A table under a chart.
	 *
	 * @param string                     $title   Its heading.
	 * @param string[]                   $columns Column headings.
	 * @param array<int,array<int,string>> $rows  Cells as text (or safe HTML where $html says).
	 * @param string                     $formula How it is computed.
	 * @param string                     $sample  Its n, in words.
	 * @param int                        $n       Its n: without records there is nothing to draw.
	 * @param bool[]                     $html    Which columns hold safe HTML.
	 * @return array{title:string,columns:string[],numeric:bool[],rows:array<int,array<int,string>>,html:bool[],formula:string,sample:string,n:int}
	 */
	private static function table( string $title, array $columns, array $rows, string $formula, string $sample, int $n, array $html = array() ): array {
		// Every column but the first holds numbers: right-aligned, as spreadsheets do.
		$numeric = array_map( static fn( $i ) => $i > 0, array_keys( $columns ) );
		$html    = array_pad( $html, count( $columns ), false );
		return compact( 'title', 'columns', 'numeric', 'rows', 'html', 'formula', 'sample', 'n' );
	}

	/**
	 * The lines under a time figure: P90 and the business-hours pair.
	 *
	 * @param array<string,mixed> $row first_response or resolution.
	 * @return string[]
	 */
	private static function time_details( array $row ): array {
		return array(
			/* translators: %s: a duration */
			sprintf( __( 'P90 %s', 'aftercare-for-woocommerce' ), self::duration( $row['p90_seconds'] ?? null ) ),
			/* translators: 1: median duration, 2: P90 duration */
			sprintf( __( 'Business hours: median %1$s, P90 %2$s', 'aftercare-for-woocommerce' ), self::duration( $row['median_business_seconds'] ?? null ), self::duration( $row['p90_business_seconds'] ?? null ) ),
		);
	}

	/**
	 * "Response rate 40% (10 of 25 surveys sent)": of the surveys sent in the range, the share
	 * answered (answers recorded in the range may be to surveys sent before it, so the count
	 * comes from the rate, not from the answers).
	 *
	 * @param array<string,mixed> $survey nps or csat.
	 */
	private static function response_rate( array $survey ): string {
		$rate     = $survey['response_rate'] ?? null;
		$sent     = Data::int( $survey, 'sent' );
		$answered = is_int( $rate ) || is_float( $rate ) ? (int) round( $rate * $sent ) : 0;
		/* translators: 1: response rate, 2: surveys answered, 3: surveys sent */
		return sprintf( __( 'Response rate %1$s (%2$d of %3$d surveys sent)', 'aftercare-for-woocommerce' ), self::percent( $rate ), $answered, $sent );
	}

	/**
	 * A count from a row, or '—' when it is missing.
	 *
	 * @param array<string,mixed> $row Row.
	 * @param string              $key Key.
	 */
	private static function count( array $row, string $key ): string {
		return isset( $row[ $key ] ) && is_numeric( $row[ $key ] ) ? number_format_i18n( (int) $row[ $key ] ) : '—';
	}

	/**
	 * An amount from a row as price HTML, or '—'.
	 *
	 * @param array<string,mixed> $row      Row.
	 * @param string              $key      Key.
	 * @param string              $currency ISO code.
	 */
	private static function money( array $row, string $key, string $currency ): string {
		$amount = Data::str( $row, $key );
		return '' === $amount ? '—' : Template::money( $amount, $currency );
	}

	/**
	 * @param int $n Answers.
	 */
	private static function answers( int $n ): string {
		/* translators: %d: number of survey answers */
		return sprintf( _n( 'n = %d answer', 'n = %d answers', $n, 'aftercare-for-woocommerce' ), $n );
	}

	/**
	 * @param int $n Requests.
	 */
	private static function requests( int $n ): string {
		/* translators: %d: number of support requests */
		return sprintf( _n( 'n = %d request', 'n = %d requests', $n, 'aftercare-for-woocommerce' ), $n );
	}

	/**
	 * @param int $n Customers.
	 */
	private static function customers( int $n ): string {
		/* translators: %d: number of customers */
		return sprintf( _n( 'n = %d customer', 'n = %d customers', $n, 'aftercare-for-woocommerce' ), $n );
	}

	/**
	 * What a CSAT survey followed.
	 *
	 * @param string $code return or request.
	 */
	private static function source( string $code ): string {
		$labels = array(
			'return'  => __( 'A closed return', 'aftercare-for-woocommerce' ),
			'request' => __( 'A solved support request', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $code ] ?? Labels::humanize( $code );
	}

	/**
	 * A carrier's name, else its code.
	 *
	 * @param array<string,mixed> $row A carrier row.
	 */
	private static function carrier( array $row ): string {
		$name = Data::str( $row, 'name' );
		return '' !== $name ? $name : Labels::humanize( Data::str( $row, 'carrier' ) );
	}

	/**
	 * A product's name, else its id.
	 *
	 * @param array<string,mixed> $row A product row.
	 */
	private static function product( array $row ): string {
		$name = Data::str( $row, 'name' );
		/* translators: %d: product id */
		return '' !== $name ? $name : sprintf( __( 'Product #%d', 'aftercare-for-woocommerce' ), Data::int( $row, 'product_id' ) );
	}

	/**
	 * A calendar day (YYYY-MM-DD) as the site writes dates. It is a day in the shop's time zone
	 * already, so it is written as it is, never moved by a zone.
	 *
	 * @param string $day YYYY-MM-DD.
	 */
	public static function day( string $day ): string {
		if ( ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', $day ) || false === strtotime( $day . ' 12:00:00 UTC' ) ) {
			return $day;
		}
		return (string) wp_date( (string) get_option( 'date_format', 'F j, Y' ), (int) strtotime( $day . ' 12:00:00 UTC' ), new \DateTimeZone( 'UTC' ) );
	}

	/**
	 * A month (YYYY-MM) as the site writes months.
	 *
	 * @param string $month YYYY-MM.
	 */
	private static function month( string $month ): string {
		if ( ! preg_match( '/^\d{4}-(0[1-9]|1[0-2])$/', $month ) ) {
			return $month;
		}
		return (string) wp_date( _x( 'F Y', 'a month, as PHP date() writes it', 'aftercare-for-woocommerce' ), (int) strtotime( $month . '-15 12:00:00 UTC' ), new \DateTimeZone( 'UTC' ) );
	}

	/**
	 * A fraction (0..1) as a percentage, or '—' when there is no figure.
	 *
	 * @param mixed $rate Fraction or null.
	 */
	public static function percent( $rate ): string {
		if ( ! is_int( $rate ) && ! is_float( $rate ) ) {
			return '—';
		}
		/* translators: %s: a number */
		return sprintf( __( '%s%%', 'aftercare-for-woocommerce' ), number_format_i18n( 100 * $rate, 1 ) );
	}

	/**
	 * A score (NPS −100..100, CSAT 0..100), or '—'.
	 *
	 * @param mixed $score Score or null.
	 */
	public static function score( $score ): string {
		if ( ! is_int( $score ) && ! is_float( $score ) ) {
			return '—';
		}
		return number_format_i18n( (float) $score, 1 );
	}

	/**
	 * A number of hours, or '—'.
	 *
	 * @param mixed $hours Hours or null.
	 */
	public static function hours( $hours ): string {
		if ( ! is_int( $hours ) && ! is_float( $hours ) ) {
			return '—';
		}
		/* translators: %s: a number of hours */
		return sprintf( __( '%s h', 'aftercare-for-woocommerce' ), number_format_i18n( (float) $hours, 1 ) );
	}

	/**
	 * A duration in seconds, in the unit that reads best, or '—'.
	 *
	 * @param mixed $seconds Seconds or null.
	 */
	public static function duration( $seconds ): string {
		if ( ! is_int( $seconds ) && ! is_float( $seconds ) ) {
			return '—';
		}
		if ( $seconds < 3600 ) {
			/* translators: %s: a number of minutes */
			return sprintf( __( '%s min', 'aftercare-for-woocommerce' ), number_format_i18n( max( 0, $seconds ) / 60, 0 ) );
		}
		if ( $seconds < 72 * 3600 ) {
			return self::hours( $seconds / 3600 );
		}
		/* translators: %s: a number of days */
		return sprintf( __( '%s d', 'aftercare-for-woocommerce' ), number_format_i18n( $seconds / 86400, 1 ) );
	}
}
