<?php
/**
 * Router for `php -S`: answers from a script file and records every request, so unit tests
 * exercise the plugin's real HTTP calls against a real (scripted) server.
 *
 * Script: {"GET /path?query": {"status": 200, "headers": {...}, "body": "...", "json": {...}, "sleep_ms": 0}}.
 * The key without the query matches too. Unknown routes answer aftercare's 404.
 *
 * @package Aftercare\Tests
 */

$dir     = getenv( 'SCRIPTED_DIR' );
$script  = json_decode( (string) @file_get_contents( $dir . '/script.json' ), true ) ?: array();
$method  = $_SERVER['REQUEST_METHOD'];
$uri     = $_SERVER['REQUEST_URI'];
$path    = strtok( $uri, '?' );
$headers = function_exists( 'getallheaders' ) ? getallheaders() : array();
$body    = file_get_contents( 'php://input' );

$record = array(
	'method'  => $method,
	'uri'     => $uri,
	'headers' => array_change_key_case( $headers, CASE_LOWER ),
	'body'    => $body,
	'files'   => array_map( static fn( $f ) => array( 'name' => $f['name'], 'type' => $f['type'], 'size' => $f['size'] ), $_FILES ),
	'post'    => $_POST,
);
file_put_contents( $dir . '/requests.jsonl', json_encode( $record ) . "\n", FILE_APPEND | LOCK_EX );

$answer = $script[ "$method $uri" ] ?? $script[ "$method $path" ] ?? array(
	'status' => 404,
	'json'   => array( 'error' => array( 'code' => 'not_found', 'message' => 'There is nothing at this address.' ) ),
);
if ( ! empty( $answer['sleep_ms'] ) ) {
	usleep( 1000 * (int) $answer['sleep_ms'] );
}
http_response_code( (int) ( $answer['status'] ?? 200 ) );
foreach ( $answer['headers'] ?? array() as $name => $value ) {
	header( "$name: $value" );
}
if ( array_key_exists( 'json', $answer ) ) {
	header( 'Content-Type: application/json' );
	echo json_encode( $answer['json'] );
} elseif ( isset( $answer['body_base64'] ) ) {
	echo base64_decode( $answer['body_base64'] );
} else {
	echo $answer['body'] ?? '';
}
