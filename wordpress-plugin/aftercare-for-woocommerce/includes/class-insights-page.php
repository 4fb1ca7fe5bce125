<?php
/**
 * WooCommerce → Insights (also listed under Analytics): the store's survey, support, delivery,
 * returns and customer figures from aftercare, each chart with its table, formula and CSV.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * The Insights page, and the two admin-only proxies it shows charts and CSV files through: the
 * service is not public, so WordPress fetches both with the API key the browser never sees.
 */
final class Insights_Page {

	public const PAGE         = 'aftercare-insights';
	public const CAPABILITY   = 'view_woocommerce_reports';
	public const CHART_ACTION = 'aftercare_insights_chart';
	public const CSV_ACTION   = 'aftercare_insights_csv';
	/** Where WooCommerce Analytics lists the page (a wc-admin path; it leads here). */
	public const ANALYTICS_PATH = '/analytics/aftercare-insights';
	/** The charts aftercare draws, in the page's order; each has a table of the same name. */
	public const CHARTS = array( 'nps-weekly', 'csat-sources', 'support-times', 'support-topics', 'delivery-times', 'carrier-rates', 'return-products', 'return-reasons', 'cohorts' );
	/** The longest range aftercare answers for, in days (both ends included). */
	public const MAX_DAYS = 800;
	/** Chart widths asked for: a phone's, and the page's content column otherwise. */
	public const NARROW_WIDTH = 360;
	public const WIDE_WIDTH   = 760;
	/** The width below which the narrow chart is shown (CSS px). */
	public const NARROW_BELOW = 600;
	/** Seconds a chart or a CSV file may take (staff asked for it; aftercare answers in well under one). */
	public const FETCH_TIMEOUT = 15;
	/** The ranges offered as one click. */
	public const PRESETS = array( '30d', '90d', '12m', 'year' );
	/** The range shown at first: aftercare's own default, the last 365 days. */
	public const DEFAULT_PRESET = '12m';

	public static function register(): void {
		add_action( 'admin_menu', array( self::class, 'add_page' ), 62 );
		add_filter( 'woocommerce_analytics_report_menu_items', array( self::class, 'analytics_item' ) );
		// After WooCommerce registered the Analytics entries (admin_menu, priority 10).
		add_action( 'admin_menu', array( self::class, 'link_analytics_item' ), 999 );
		add_action( 'admin_init', array( self::class, 'redirect_from_analytics' ) );
		add_action( 'admin_post_' . self::CHART_ACTION, array( self::class, 'on_chart' ) );
		add_action( 'admin_post_' . self::CSV_ACTION, array( self::class, 'on_csv' ) );
	}

	public static function add_page(): void {
		add_submenu_page(
			'woocommerce',
			__( 'Insights', 'aftercare-for-woocommerce' ),
			__( 'Insights', 'aftercare-for-woocommerce' ),
			self::CAPABILITY,
			self::PAGE,
			array( self::class, 'print_page' )
		);
	}

	/**
	 * Filter woocommerce_analytics_report_menu_items: an Insights entry in WooCommerce's
	 * Analytics menu, before its Settings.
	 *
	 * @param mixed $items Report pages.
	 * @return array<int,mixed>
	 */
	public static function analytics_item( $items ): array {
		$items    = is_array( $items ) ? array_values( $items ) : array();
		$ours     = array(
			'id'         => 'aftercare-insights',
			'title'      => __( 'Insights', 'aftercare-for-woocommerce' ),
			'parent'     => 'woocommerce-analytics',
			'path'       => self::ANALYTICS_PATH,
			'capability' => self::CAPABILITY,
		);
		$settings = array_search( 'woocommerce-analytics-settings', array_map( static fn( $item ) => is_array( $item ) ? ( $item['id'] ?? '' ) : '', $items ), true );
		array_splice( $items, false === $settings ? count( $items ) : (int) $settings, 0, array( $ours ) );
		return $items;
	}

	/**
	 * The Analytics entry is a wc-admin (React) path, which would show an empty report: point
	 * it at this page instead. A submenu slug with ".php?" is used by WordPress as the link.
	 */
	public static function link_analytics_item(): void {
		global $submenu;
		if ( ! is_array( $submenu ) ) {
			return;
		}
		$wc_admin_slug = 'wc-admin&path=' . self::ANALYTICS_PATH;
		foreach ( $submenu as $parent => $entries ) {
			foreach ( (array) $entries as $position => $entry ) {
				if ( is_array( $entry ) && ( $entry[2] ?? '' ) === $wc_admin_slug ) {
					$submenu[ $parent ][ $position ][2] = 'admin.php?page=' . self::PAGE; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- only our own entry.
				}
			}
		}
	}

	/**
	 * Someone who reaches the wc-admin path anyway (a bookmark, WooCommerce's own links) lands
	 * on the page.
	 */
	public static function redirect_from_analytics(): void {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- a redirect, no change.
		$page = isset( $_GET['page'] ) && is_string( $_GET['page'] ) ? sanitize_key( wp_unslash( $_GET['page'] ) ) : '';
		$path = isset( $_GET['path'] ) && is_string( $_GET['path'] ) ? sanitize_text_field( wp_unslash( $_GET['path'] ) ) : '';
		// phpcs:enable
		if ( 'wc-admin' === $page && self::ANALYTICS_PATH === $path ) {
			wp_safe_redirect( self::url() );
			exit;
		}
	}

	/**
	 * The page's URL for a range.
	 *
	 * @param array{from?:string,to?:string,preset?:string} $range A range, or none for the default.
	 */
	public static function url( array $range = array() ): string {
		$args = array( 'page' => self::PAGE );
		if ( ! empty( $range['preset'] ) ) {
			$args['range'] = $range['preset'];
		} elseif ( ! empty( $range['from'] ) && ! empty( $range['to'] ) ) {
			$args['from'] = $range['from'];
			$args['to']   = $range['to'];
		}
		return add_query_arg( $args, admin_url( 'admin.php' ) );
	}

	/**
	 * A preset's first and last day, ending today.
	 *
	 * @param string $preset One of PRESETS.
	 * @param string $today  Today in the shop's time zone, Y-m-d.
	 * @return array{0:string,1:string}
	 */
	public static function preset_days( string $preset, string $today ): array {
		$end   = new \DateTimeImmutable( $today );
		$start = match ( $preset ) {
			'30d'   => $end->modify( '-29 days' ),
			'90d'   => $end->modify( '-89 days' ),
			'year'  => $end->setDate( (int) $end->format( 'Y' ), 1, 1 ),
			// The last twelve months: from the day after the same day a year ago.
			default => self::year_before( $end )->modify( '+1 day' ),
		};
		return array( $start->format( 'Y-m-d' ), $end->format( 'Y-m-d' ) );
	}

	/**
	 * The same day a year earlier; 29 February goes back to the 28th, not on to 1 March.
	 *
	 * @param \DateTimeImmutable $day A day.
	 */
	private static function year_before( \DateTimeImmutable $day ): \DateTimeImmutable {
		$first = $day->setDate( (int) $day->format( 'Y' ) - 1, (int) $day->format( 'n' ), 1 );
		return $first->setDate( (int) $first->format( 'Y' ), (int) $first->format( 'n' ), min( (int) $day->format( 'j' ), (int) $first->format( 't' ) ) );
	}

	/**
	 * Reads the range from the page's query: a preset, or a from and a to day. Anything else
	 * gives the default range, with a note saying why.
	 *
	 * @param array<string,mixed> $get   Unslashed $_GET.
	 * @param string|null         $today Today in the shop's time zone (Y-m-d); now when null.
	 * @return array{from:string,to:string,preset:string,note:string}
	 */
	public static function range( array $get, ?string $today = null ): array {
		$today  = $today ?? self::today();
		$preset = isset( $get['range'] ) && is_string( $get['range'] ) ? sanitize_key( $get['range'] ) : '';
		$from   = isset( $get['from'] ) && is_string( $get['from'] ) ? self::day( $get['from'] ) : null;
		$to     = isset( $get['to'] ) && is_string( $get['to'] ) ? self::day( $get['to'] ) : null;
		$asked  = ( isset( $get['from'] ) && '' !== $get['from'] ) || ( isset( $get['to'] ) && '' !== $get['to'] );
		$note   = '';
		if ( in_array( $preset, self::PRESETS, true ) && ! $asked ) {
			list( $start, $end ) = self::preset_days( $preset, $today );
			return array(
				'from'   => $start,
				'to'     => $end,
				'preset' => $preset,
				'note'   => '',
			);
		}
		if ( $asked ) {
			if ( null === $from || null === $to ) {
				$note = __( 'Enter both days as YYYY-MM-DD. Showing the last 12 months instead.', 'aftercare-for-woocommerce' );
			} elseif ( $from > $to ) {
				$note = __( 'The first day is after the last one. Showing the last 12 months instead.', 'aftercare-for-woocommerce' );
			} else {
				$days = (int) ( new \DateTimeImmutable( $from ) )->diff( new \DateTimeImmutable( $to ) )->days + 1;
				if ( $days > self::MAX_DAYS ) {
					$from = ( new \DateTimeImmutable( $to ) )->modify( sprintf( '-%d days', self::MAX_DAYS - 1 ) )->format( 'Y-m-d' );
					/* translators: %d: number of days */
					$note = sprintf( __( 'A range is at most %d days: it now starts later.', 'aftercare-for-woocommerce' ), self::MAX_DAYS );
				}
				return array(
					'from'   => $from,
					'to'     => $to,
					'preset' => '',
					'note'   => $note,
				);
			}
		}
		list( $start, $end ) = self::preset_days( self::DEFAULT_PRESET, $today );
		return array(
			'from'   => $start,
			'to'     => $end,
			'preset' => self::DEFAULT_PRESET,
			'note'   => $note,
		);
	}

	/**
	 * A calendar day written YYYY-MM-DD, or null.
	 *
	 * @param string $text User input.
	 */
	public static function day( string $text ): ?string {
		$text = trim( $text );
		if ( ! preg_match( '/^(\d{4})-(\d{2})-(\d{2})$/', $text, $m ) || ! checkdate( (int) $m[2], (int) $m[3], (int) $m[1] ) || (int) $m[1] < 1970 ) {
			return null;
		}
		return $text;
	}

	/**
	 * A preset's name on the page.
	 *
	 * @param string $preset One of PRESETS.
	 */
	public static function preset_label( string $preset ): string {
		$labels = array(
			'30d'  => __( 'Last 30 days', 'aftercare-for-woocommerce' ),
			'90d'  => __( 'Last 90 days', 'aftercare-for-woocommerce' ),
			'12m'  => __( 'Last 12 months', 'aftercare-for-woocommerce' ),
			'year' => __( 'This year', 'aftercare-for-woocommerce' ),
		);
		return $labels[ $preset ] ?? $preset;
	}

	/**
	 * Today in the shop's time zone, the one aftercare counts days in.
	 */
	public static function today(): string {
		return ( new \DateTimeImmutable( 'now', wp_timezone() ) )->format( 'Y-m-d' );
	}

	/**
	 * The language charts are drawn in: Korean for a Korean admin, English otherwise.
	 */
	public static function chart_lang(): string {
		return str_starts_with( (string) determine_locale(), 'ko' ) ? 'ko' : 'en';
	}

	public static function print_page(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You may not view the store\'s reports.', 'aftercare-for-woocommerce' ), 403 );
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a read-only page.
		echo self::page( wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The page for the range in the query.
	 *
	 * @param array<string,mixed> $get   Unslashed $_GET.
	 * @param string|null         $today Today (Y-m-d), for tests.
	 */
	public static function page( array $get, ?string $today = null ): string {
		$range    = self::range( $get, $today );
		$response = Api_Client::from_settings()->get(
			'/api/v1/insights',
			array(
				'from' => $range['from'],
				'to'   => $range['to'],
			)
		);
		return Template::render(
			'admin/insights',
			array(
				'range'    => $range,
				'today'    => $today ?? self::today(),
				'response' => $response,
				'insights' => $response->ok() && is_array( $response->data ) ? $response->data : null,
				'lang'     => self::chart_lang(),
			)
		);
	}

	/**
	 * Where the browser loads a chart from: WordPress, which fetches it from aftercare.
	 *
	 * @param string                         $chart One of CHARTS.
	 * @param array{from:string,to:string} $range The page's range.
	 * @param int                            $width Width in CSS px.
	 * @param string                         $lang  en or ko.
	 */
	public static function chart_url( string $chart, array $range, int $width, string $lang ): string {
		return wp_nonce_url(
			add_query_arg(
				array(
					'action' => self::CHART_ACTION,
					'chart'  => $chart,
					'from'   => $range['from'],
					'to'     => $range['to'],
					'width'  => $width,
					'lang'   => $lang,
				),
				admin_url( 'admin-post.php' )
			),
			self::CHART_ACTION
		);
	}

	/**
	 * Where a table's CSV file is downloaded from.
	 *
	 * @param string                       $table One of CHARTS.
	 * @param array{from:string,to:string} $range The page's range.
	 */
	public static function csv_url( string $table, array $range ): string {
		return wp_nonce_url(
			add_query_arg(
				array(
					'action' => self::CSV_ACTION,
					'table'  => $table,
					'from'   => $range['from'],
					'to'     => $range['to'],
				),
				admin_url( 'admin-post.php' )
			),
			self::CSV_ACTION
		);
	}

	/**
	 * What a proxy request asks for, once its nonce and the user's capability are checked.
	 *
	 * @param array<string,mixed> $get    Unslashed $_GET.
	 * @param string              $action The nonce action.
	 * @param string              $key    The query key naming the chart or table.
	 * @return array{name:string,from:string,to:string}|int The request, or the HTTP status to answer.
	 */
	private static function proxy_request( array $get, string $action, string $key ) {
		$nonce = isset( $get['_wpnonce'] ) && is_string( $get['_wpnonce'] ) ? $get['_wpnonce'] : '';
		if ( ! current_user_can( self::CAPABILITY ) || ! wp_verify_nonce( $nonce, $action ) ) {
			return 403;
		}
		$name = isset( $get[ $key ] ) && is_string( $get[ $key ] ) ? $get[ $key ] : '';
		if ( ! in_array( $name, self::CHARTS, true ) ) {
			return 404;
		}
		$from = isset( $get['from'] ) && is_string( $get['from'] ) ? self::day( $get['from'] ) : null;
		$to   = isset( $get['to'] ) && is_string( $get['to'] ) ? self::day( $get['to'] ) : null;
		if ( null === $from || null === $to || $from > $to ) {
			return 400;
		}
		return array(
			'name' => $name,
			'from' => $from,
			'to'   => $to,
		);
	}

	public static function on_chart(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in fetch_chart().
		$result = self::fetch_chart( wp_unslash( $_GET ) );
		if ( is_int( $result ) ) {
			wp_die( esc_html__( 'The chart could not be loaded.', 'aftercare-for-woocommerce' ), '', array( 'response' => $result ) );
		}
		foreach ( self::chart_headers( strlen( $result['svg'] ), $result['filename'] ) as $name => $value ) {
			header( $name . ': ' . $value );
		}
		echo $result['svg']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- an image served as image/svg+xml under a sandboxing CSP, shown only through <img>.
		exit;
	}

	/**
	 * Checks the nonce and the capability, then fetches a chart from aftercare. Only an SVG
	 * document comes back through here.
	 *
	 * @param array<string,mixed> $get Unslashed $_GET.
	 * @return array{svg:string,filename:string}|int The chart, or the HTTP status to answer.
	 */
	public static function fetch_chart( array $get ) {
		$request = self::proxy_request( $get, self::CHART_ACTION, 'chart' );
		if ( is_int( $request ) ) {
			return $request;
		}
		$width = isset( $get['width'] ) && is_scalar( $get['width'] ) ? absint( $get['width'] ) : self::WIDE_WIDTH;
		$width = max( 320, min( 1600, $width ) );
		$lang  = isset( $get['lang'] ) && 'ko' === $get['lang'] ? 'ko' : 'en';
		// The client's pause applies: when one chart finds aftercare down, the page's other
		// charts fail at once instead of each waiting for the timeout.
		$response = Api_Client::from_settings()->get(
			sprintf( '/api/v1/insights/charts/%s.svg', $request['name'] ),
			array(
				'from'  => $request['from'],
				'to'    => $request['to'],
				'width' => $width,
				'lang'  => $lang,
			),
			array(
				'timeout' => self::FETCH_TIMEOUT,
				'headers' => array( 'Accept' => 'image/svg+xml' ),
			)
		);
		if ( ! $response->ok() ) {
			return $response->not_found() || $response->missing_endpoint() ? 404 : 502;
		}
		$type = strtolower( trim( explode( ';', $response->headers['content-type'] ?? '' )[0] ) );
		$svg  = $response->body;
		if ( 'image/svg+xml' !== $type || ! preg_match( '/^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg[\s>]/s', $svg ) ) {
			return 502;
		}
		return array(
			'svg'      => $svg,
			'filename' => sprintf( 'aftercare-%s-%s-%s.svg', $request['name'], $request['from'], $request['to'] ),
		);
	}

	/**
	 * What a chart goes out with: never sniffed as anything else, never run as a page (no
	 * script, no outside fetch), cached only by the staff member's own browser.
	 *
	 * @param int    $bytes    Size.
	 * @param string $filename Name for saving.
	 * @return array<string,string>
	 */
	public static function chart_headers( int $bytes, string $filename ): array {
		return array(
			'Content-Type'            => 'image/svg+xml; charset=utf-8',
			'Content-Length'          => (string) $bytes,
			'Content-Disposition'     => 'inline; filename="' . $filename . '"',
			'X-Content-Type-Options'  => 'nosniff',
			'Content-Security-Policy' => "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
			'Cache-Control'           => 'private, max-age=300',
		);
	}

	public static function on_csv(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in fetch_csv().
		$result = self::fetch_csv( wp_unslash( $_GET ) );
		if ( is_int( $result ) ) {
			wp_die( esc_html__( 'The table could not be downloaded.', 'aftercare-for-woocommerce' ), '', array( 'response' => $result ) );
		}
		foreach ( self::csv_headers( (int) filesize( $result['file'] ), $result['filename'] ) as $name => $value ) {
			header( $name . ': ' . $value );
		}
		readfile( $result['file'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_readfile -- streaming our own temporary file.
		wp_delete_file( $result['file'] );
		exit;
	}

	/**
	 * Checks the nonce and the capability, then fetches a table's CSV from aftercare into a
	 * temporary file.
	 *
	 * @param array<string,mixed> $get Unslashed $_GET.
	 * @return array{file:string,filename:string}|int The file, or the HTTP status to answer.
	 */
	public static function fetch_csv( array $get ) {
		$request = self::proxy_request( $get, self::CSV_ACTION, 'table' );
		if ( is_int( $request ) ) {
			return $request;
		}
		if ( ! function_exists( 'wp_tempnam' ) ) {
			require_once ABSPATH . 'wp-admin/includes/file.php';
		}
		$file = wp_tempnam( 'aftercare-insights-' . $request['name'] );
		if ( ! $file ) {
			return 500;
		}
		$response = Api_Client::from_settings()->download(
			sprintf( '/api/v1/insights/%s.csv', $request['name'] ),
			$file,
			'text/csv',
			array(
				'from' => $request['from'],
				'to'   => $request['to'],
			),
			self::FETCH_TIMEOUT
		);
		$type = strtolower( trim( explode( ';', $response->headers['content-type'] ?? '' )[0] ) );
		if ( ! $response->ok() || 'text/csv' !== $type ) {
			wp_delete_file( $file );
			return $response->not_found() || $response->missing_endpoint() ? 404 : 502;
		}
		return array(
			'file'     => $file,
			'filename' => sprintf( 'aftercare-%s-%s-%s.csv', $request['name'], $request['from'], $request['to'] ),
		);
	}

	/**
	 * What a CSV download goes out with: saved as a file, never shown or sniffed as a page.
	 *
	 * @param int    $bytes    Size.
	 * @param string $filename Name for saving.
	 * @return array<string,string>
	 */
	public static function csv_headers( int $bytes, string $filename ): array {
		return array(
			'Content-Type'            => 'text/csv; charset=utf-8',
			'Content-Length'          => (string) $bytes,
			'Content-Disposition'     => 'attachment; filename="' . $filename . '"',
			'X-Content-Type-Options'  => 'nosniff',
			'Content-Security-Policy' => "default-src 'none'; sandbox",
			'Cache-Control'           => 'private, no-store',
		);
	}
}
