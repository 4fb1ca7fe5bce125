<?php
/**
 * Checks inside a real WordPress: the safe-request filters against wp_http_validate_url(), and
 * the plugin's API client through WordPress's HTTP API (against the real aftercare when given).
 *
 * @package Aftercare\Tests
 */

require getcwd() . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/file.php';

$failures = array();
$check    = static function ( bool $ok, string $what ) use ( &$failures ) {
	if ( ! $ok ) {
		$failures[] = $what;
	}
};

// Before configuring, WordPress refuses a loopback host on an odd port, as for any plugin.
$target = 'http://127.0.0.1:8787/webhooks/woocommerce';
$check( false === wp_http_validate_url( $target ), 'WordPress should refuse 127.0.0.1:8787 by default' );
update_option( 'aftercare_url', 'http://127.0.0.1:8787' );
$check( $target === wp_http_validate_url( $target ), 'with the aftercare URL set, its host and port are allowed' );
$check( false === wp_http_validate_url( 'http://127.0.0.1:8788/x' ), 'another port on that host stays refused' );
$check( false === wp_http_validate_url( 'http://10.1.2.3:8787/x' ), 'another private host stays refused' );

$service = $argv[1] ?? '';
if ( '' !== $service ) {
	$client = new Aftercare\Api_Client( $service, 'smoke-api-key-0123456789' );
	$doc    = $client->get( '/api/v1/openapi.json', array(), array( 'fresh' => true ) );
	$check( $doc->ok() && '' !== Aftercare\Data::str( Aftercare\Data::obj( $doc->data, 'info' ), 'version' ), 'GET openapi.json through wp_remote_request' );
	$missing = $client->get( '/api/v1/nothing' );
	$check( $missing->missing_endpoint() && 'application/json' === $missing->headers['content-type'], 'a missing route reads as missing (headers through WordPress)' );

	$view = null;
	for ( $i = 0; $i < 100; $i++ ) {
		$view = $client->get( '/api/v1/customers/42/orders/1001' );
		if ( $view->ok() && ! empty( $view->data['invoice'] ) ) {
			break;
		}
		usleep( 100000 );
	}
	$check( $view->ok() && '1001' === $view->data['number'], 'the order view through WordPress' );
	$file = wp_tempnam( 'smoke-invoice' );
	$pdf  = $client->download( '/api/v1/customers/42/orders/1001/invoice.pdf', $file );
	$check( $pdf->ok() && str_starts_with( (string) file_get_contents( $file, false, null, 0, 5 ), '%PDF-' ), 'the invoice streamed into a file by WordPress' );
	$check( str_contains( $pdf->headers['content-disposition'] ?? '', '.pdf' ), 'the invoice file name header' );
	wp_delete_file( $file );
	$guest = $client->post_json(
		'/api/v1/guest/orders/1001/returns',
		array(
			'items'      => array(),
			'resolution' => 'refund',
		),
		array( 'query' => array( 'key' => 'wc_order_not_the_key', 'email' => 'nobody@example.com' ) )
	);
	$check( 404 === $guest->status && 'order_not_found' === $guest->code, 'a guest request with a wrong key is refused (query and JSON body through WordPress)' );
	$wrong = ( new Aftercare\Api_Client( $service, 'wrong-key-0123456789' ) )->get( '/api/v1/openapi.json' );
	$check( 401 === $wrong->status && 'invalid_api_key' === $wrong->code, 'a wrong key is a 401 with its code' );
	echo "smoke: plugin client checked against aftercare through WordPress's HTTP API\n";
}

// The tracking shortcode exists only with WooCommerce; without it, nothing is registered.
$check( ! shortcode_exists( 'aftercare_track' ), 'no shortcode without WooCommerce' );

if ( $failures ) {
	fwrite( STDERR, implode( "\n", $failures ) . "\n" );
	exit( 1 );
}
echo "smoke: safe-request filters checked with wp_http_validate_url()\n";
