<?php
/**
 * Plugin Name: Aftercare test bench
 * Description: Keeps the test store on loopback: no outbound HTTP beyond 127.0.0.1, and mail goes
 * to the bench's local SMTP sink. It deliberately does not widen WordPress's safe-request rules:
 * the aftercare plugin must do that itself for its own host and port. Action Scheduler runs only
 * when a test runs it (WP-Cron is off in wp-config.php), so a test knows when WooCommerce's
 * webhooks go out.
 *
 * @package Aftercare
 */

defined( 'ABSPATH' ) || exit;

add_filter(
	'pre_http_request',
	static function ( $response, $args, $url ) {
		$host = strtolower( (string) wp_parse_url( $url, PHP_URL_HOST ) );
		if ( in_array( $host, array( '127.0.0.1', 'localhost', '[::1]', '::1' ), true ) ) {
			return $response;
		}
		if ( 'wordpress.org' === $host || str_ends_with( $host, '.wordpress.org' ) ) {
			// Update checks treat a transport error as worth a PHP warning in the debug log, an
			// unavailable answer as "try later": refuse them quietly.
			return array(
				'headers'  => array(),
				'body'     => '',
				'response' => array(
					'code'    => 503,
					'message' => 'Service Unavailable',
				),
				'cookies'  => array(),
				'filename' => null,
			);
		}
		return new WP_Error( 'aftercare_bench_offline', 'The test bench refuses requests to ' . $host );
	},
	1,
	3
);

add_action(
	'phpmailer_init',
	static function ( $mailer ) {
		$mailer->isSMTP();
		$mailer->Host        = '127.0.0.1';
		$mailer->Port        = (int) AFTERCARE_BENCH_SMTP_PORT;
		$mailer->SMTPAuth    = false;
		$mailer->SMTPAutoTLS = false;
	}
);

add_filter( 'action_scheduler_allow_async_request_runner', '__return_false' );
