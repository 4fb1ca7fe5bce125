<?php
/**
 * Test harness only (installed into the smoke site's mu-plugins): this machine has no internet,
 * so WordPress.org's update and browser checks get an empty JSON answer instead of a failed
 * connection (which WordPress itself reports as a PHP warning in the debug log).
 *
 * @package Aftercare\Tests
 */

add_filter(
	'pre_http_request',
	static function ( $pre, $args, $url ) {
		if ( 'api.wordpress.org' !== wp_parse_url( $url, PHP_URL_HOST ) ) {
			return $pre;
		}
		// The shapes of "nothing to update" answers.
		$path   = (string) wp_parse_url( $url, PHP_URL_PATH );
		$bodies = array(
			'/plugins/update-check/' => '{"plugins":{},"no_update":{},"translations":[]}',
			'/themes/update-check/'  => '{"themes":{},"no_update":{},"translations":[]}',
			'/core/version-check/'   => '{"offers":[],"translations":[]}',
		);
		$body   = '{}';
		foreach ( $bodies as $prefix => $answer ) {
			if ( str_contains( $path, $prefix ) ) {
				$body = $answer;
			}
		}
		return array(
			'headers'  => array( 'content-type' => 'application/json' ),
			'body'     => $body,
			'response' => array(
				'code'    => 200,
				'message' => 'OK',
			),
			'cookies'  => array(),
			'filename' => null,
		);
	},
	10,
	3
);
