<?php
/**
 * Router for `php -S`: a stand-in for WooCommerce's REST API (`/wp-json/wc/v3`), with state,
 * for aftercare to call back: orders and webhooks to list (reconciliation, the webhook
 * watch), refunds and coupons it creates (settling returns) and finds again by their meta.
 *
 * State lives in SCRIPTED_DIR: orders.json, webhooks.json (given by the test), refunds.json,
 * coupons.json (made here), requests.jsonl (every request). script.json answers first, in
 * Scripted_Server's format, so a test can make any route fail.
 *
 * @package Aftercare\Tests
 */

$dir    = getenv( 'SCRIPTED_DIR' );
$method = $_SERVER['REQUEST_METHOD'];
$uri    = $_SERVER['REQUEST_URI'];
$path   = (string) strtok( $uri, '?' );
parse_str( (string) parse_url( $uri, PHP_URL_QUERY ), $query );
$body = (string) file_get_contents( 'php://input' );

$lock = fopen( $dir . '/lock', 'c' );
flock( $lock, LOCK_EX );
file_put_contents( $dir . '/requests.jsonl', json_encode( array( 'method' => $method, 'uri' => $uri, 'path' => $path, 'body' => $body ) ) . "\n", FILE_APPEND );

$load = static fn( string $name ) => json_decode( (string) @file_get_contents( $dir . '/' . $name ), true ) ?: array();
$save = static fn( string $name, $value ) => file_put_contents( $dir . '/' . $name, json_encode( $value ) );

/**
 * Sends a JSON answer, with WooCommerce's paging headers for lists.
 *
 * @param int        $status HTTP status.
 * @param mixed      $json   Body.
 * @param array|null $paging [total, pages] for lists.
 */
function answer( int $status, $json, ?array $paging = null ): void {
	http_response_code( $status );
	header( 'Content-Type: application/json; charset=UTF-8' );
	if ( null !== $paging ) {
		header( 'X-WP-Total: ' . $paging[0] );
		header( 'X-WP-TotalPages: ' . $paging[1] );
	}
	echo json_encode( $json );
}

/**
 * One page of a list, as WooCommerce pages it.
 *
 * @param array<int,mixed>     $all   Everything matching.
 * @param array<string,string> $query Request query.
 */
function page_of( array $all, array $query ): void {
	$per_page = max( 1, min( 100, (int) ( $query['per_page'] ?? 10 ) ) );
	$page     = max( 1, (int) ( $query['page'] ?? 1 ) );
	$total    = count( $all );
	answer( 200, array_values( array_slice( $all, ( $page - 1 ) * $per_page, $per_page ) ), array( $total, (int) ceil( $total / $per_page ) ) );
}

$script = $load( 'script.json' );
if ( isset( $script[ "$method $uri" ] ) || isset( $script[ "$method $path" ] ) ) {
	$scripted = $script[ "$method $uri" ] ?? $script[ "$method $path" ];
	answer( (int) ( $scripted['status'] ?? 200 ), $scripted['json'] ?? null );
	exit;
}

$route = preg_replace( '#^/wp-json/wc/v3#', '', $path );
$none  = array(
	'code'    => 'rest_no_route',
	'message' => 'No route was found matching the URL and request method.',
	'data'    => array( 'status' => 404 ),
);

if ( 'GET' === $method && '/orders' === $route ) {
	$trash  = 'trash' === ( $query['status'] ?? '' );
	$after  = isset( $query['modified_after'] ) ? strtotime( $query['modified_after'] . ( preg_match( '/(Z|[+-]\d\d:?\d\d)$/', $query['modified_after'] ) ? '' : 'Z' ) ) : null;
	$orders = array_filter(
		$load( 'orders.json' ),
		static fn( $o ) => ( 'trash' === $o['status'] ) === $trash
			&& ( null === $after || strtotime( $o['date_modified_gmt'] . 'Z' ) > $after )
	);
	usort( $orders, static fn( $a, $b ) => strcmp( $a['date_modified_gmt'], $b['date_modified_gmt'] ) );
	page_of( $orders, $query );
} elseif ( 'GET' === $method && preg_match( '#^/orders/(\d+)$#', $route, $m ) ) {
	$found = array_values( array_filter( $load( 'orders.json' ), static fn( $o ) => (int) $o['id'] === (int) $m[1] ) );
	$found ? answer( 200, $found[0] ) : answer( 404, array( 'code' => 'woocommerce_rest_shop_order_invalid_id', 'message' => 'Invalid ID.', 'data' => array( 'status' => 404 ) ) );
} elseif ( preg_match( '#^/orders/(\d+)/refunds$#', $route, $m ) ) {
	$refunds = $load( 'refunds.json' );
	$mine    = $refunds[ $m[1] ] ?? array();
	if ( 'GET' === $method ) {
		page_of( $mine, $query );
	} elseif ( 'POST' === $method ) {
		$request = json_decode( $body, true );
		$names   = array();
		foreach ( $load( 'orders.json' ) as $order ) {
			if ( (int) $order['id'] === (int) $m[1] ) {
				foreach ( $order['line_items'] as $item ) {
					$names[ (int) $item['id'] ] = $item['name'];
				}
			}
		}
		$next   = 1187 + array_sum( array_map( 'count', $refunds ) );
		$lines  = array();
		foreach ( $request['line_items'] ?? array() as $i => $line ) {
			$tax     = array_sum( array_map( static fn( $t ) => (float) $t['refund_total'], $line['refund_tax'] ?? array() ) );
			$lines[] = array(
				'id'        => $next * 10 + $i,
				'name'      => $names[ (int) $line['id'] ] ?? '',
				'quantity'  => -abs( (int) $line['quantity'] ),
				'total'     => '-' . $line['refund_total'],
				'total_tax' => '-' . $tax,
				'meta_data' => array( array( 'key' => '_refunded_item_id', 'value' => (string) $line['id'] ) ),
			);
		}
		$refund                  = array(
			'id'           => $next,
			'date_created' => gmdate( 'Y-m-d\TH:i:s' ),
			'amount'       => $request['amount'] ?? '0',
			'reason'       => $request['reason'] ?? '',
			'refunded_by'  => 1,
			'api_refund'   => $request['api_refund'] ?? true,
			'meta_data'    => $request['meta_data'] ?? array(),
			'line_items'   => $lines,
		);
		$refunds[ $m[1] ][]      = $refund;
		$save( 'refunds.json', $refunds );
		answer( 201, $refund );
	} else {
		answer( 404, $none );
	}
} elseif ( '/coupons' === $route ) {
	$coupons = $load( 'coupons.json' );
	if ( 'GET' === $method ) {
		$code = strtolower( (string) ( $query['code'] ?? '' ) );
		page_of( array_values( array_filter( $coupons, static fn( $c ) => '' === $code || strtolower( $c['code'] ) === $code ) ), $query );
	} elseif ( 'POST' === $method ) {
		$coupon    = array( 'id' => 770 + count( $coupons ) ) + json_decode( $body, true );
		$coupons[] = $coupon;
		$save( 'coupons.json', $coupons );
		answer( 201, $coupon );
	} else {
		answer( 404, $none );
	}
} elseif ( 'GET' === $method && '/webhooks' === $route ) {
	page_of( $load( 'webhooks.json' ), $query );
} else {
	answer( 404, $none );
}
flock( $lock, LOCK_UN );
