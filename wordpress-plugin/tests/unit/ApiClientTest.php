<?php
/**
 * The API client against a real HTTP server that answers from a script.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Api_Client;
use Aftercare\Api_Response;

final class ApiClientTest extends Scripted_Test_Case {

	private function client(): Api_Client {
		return new Api_Client( self::$server->url . '/', 'key-with-0123456789' );
	}

	public function test_get_sends_the_bearer_key_with_a_two_second_timeout_and_no_redirects(): void {
		self::$server->script( array( 'GET /api/v1/x' => array( 'json' => array( 'a' => 1 ) ) ) );
		$response = $this->client()->get( '/api/v1/x', array( 'page' => 2 ) );
		$this->assertTrue( $response->ok() );
		$this->assertSame( array( 'a' => 1 ), $response->data );
		$request = self::$server->requests()[0];
		$this->assertSame( '/api/v1/x?page=2', $request['uri'] );
		$this->assertSame( 'Bearer key-with-0123456789', $request['headers']['authorization'] );
		$this->assertSame( 2, Stub::$http[0]['args']['timeout'] );
		$this->assertSame( 0, Stub::$http[0]['args']['redirection'] );
	}

	public function test_not_configured_makes_no_request(): void {
		$response = ( new Api_Client( '', '' ) )->get( '/api/v1/x' );
		$this->assertSame( Api_Response::NOT_CONFIGURED, $response->outcome );
		$this->assertSame( array(), Stub::$http );
	}

	public function test_error_bodies_and_422_field_errors_are_read(): void {
		self::$server->script(
			array(
				'POST /api/v1/r' => array(
					'status' => 422,
					'json'   => array(
						'error' => array(
							'code'    => 'validation_failed',
							'message' => 'Some fields are wrong.',
							'fields'  => array(
								array( 'field' => 'items[0].quantity', 'message' => 'Too many.', 'reason' => 'too_many' ),
								array( 'message' => 'No field name.' ),
								'garbage',
							),
						),
					),
				),
			)
		);
		$response = $this->client()->post_json( '/api/v1/r', array( 'x' => 'y' ) );
		$this->assertSame( Api_Response::REFUSED, $response->outcome );
		$this->assertSame( 422, $response->status );
		$this->assertSame( 'validation_failed', $response->code );
		$this->assertSame(
			array(
				array( 'field' => 'items[0].quantity', 'message' => 'Too many.', 'reason' => 'too_many' ),
				array( 'field' => '', 'message' => 'No field name.', 'reason' => '' ),
			),
			$response->fields
		);
		$sent = self::$server->requests()[0];
		$this->assertSame( 'application/json', $sent['headers']['content-type'] );
		$this->assertSame( '{"x":"y"}', $sent['body'] );
	}

	public function test_a_missing_route_is_told_apart_from_a_missing_order(): void {
		self::$server->script(
			array(
				'GET /api/v1/order' => array(
					'status' => 404,
					'json'   => array( 'error' => array( 'code' => 'order_not_found', 'message' => 'No such order.' ) ),
				),
			)
		);
		$missing_order = $this->client()->get( '/api/v1/order' );
		$missing_route = $this->client()->get( '/api/v1/nothing-here' );
		$this->assertTrue( $missing_order->not_found() );
		$this->assertFalse( $missing_order->missing_endpoint() );
		$this->assertTrue( $missing_route->missing_endpoint() );
		$this->assertFalse( $missing_route->not_found() );
	}

	public function test_server_errors_pause_calls_for_a_while(): void {
		self::$server->script( array( 'GET /api/v1/x' => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'storage_unavailable', 'message' => 'x' ) ) ) ) );
		$first  = $this->client()->get( '/api/v1/x' );
		$second = $this->client()->get( '/api/v1/x' );
		$this->assertTrue( $first->unavailable() );
		$this->assertTrue( $second->unavailable() );
		$this->assertSame( 'paused', $second->code );
		$this->assertCount( 1, self::$server->requests(), 'the second call must not reach the server' );
		$this->assertStringContainsString( 'GET /api/v1/x failed (HTTP 503)', Stub::$log[0]['message'] );

		$fresh = $this->client()->get( '/api/v1/x', array(), array( 'fresh' => true ) );
		$this->assertSame( 503, $fresh->status, 'fresh calls (admin checks) ignore the pause' );

		Stub::$now_offset = Api_Client::PAUSE_TTL + 1;
		try {
			$this->client()->get( '/api/v1/x' );
			$this->assertCount( 3, self::$server->requests(), 'after the pause calls resume' );
		} finally {
			Stub::$now_offset = 0;
		}
	}

	public function test_writes_are_never_skipped_by_the_pause(): void {
		self::$server->script(
			array(
				'GET /api/v1/x'                                 => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'storage_unavailable', 'message' => 'x' ) ) ),
				'POST /api/v1/customers/42/orders/1001/returns' => array( 'status' => 201, 'json' => array( 'id' => 40 ) ),
				'POST /api/v1/returns/40/transitions'           => array( 'json' => array( 'id' => 40, 'status' => 'approved' ) ),
			)
		);
		$this->client()->get( '/api/v1/x' );
		$this->assertTrue( Api_Client::is_paused() );
		$this->assertSame( 'paused', $this->client()->get( '/api/v1/x' )->code, 'reads wait' );
		$file = (string) tempnam( sys_get_temp_dir(), 'dl' );
		$this->assertSame( 'paused', $this->client()->download( '/api/v1/x', $file )->code, 'downloads are reads' );
		unlink( $file );

		$request = $this->client()->post_json( '/api/v1/customers/42/orders/1001/returns', array( 'resolution' => 'refund' ) );
		$this->assertSame( 201, $request->status, 'a customer\'s return request is sent' );
		$this->assertFalse( Api_Client::is_paused(), 'aftercare answered: reads resume' );
		self::pause_reads();
		$move = $this->client()->post_json( '/api/v1/returns/40/transitions', array( 'to' => 'approved' ) );
		$this->assertSame( 200, $move->status, 'a staff move is sent' );
		$this->assertSame( array( 'GET', 'POST', 'POST' ), array_column( self::$server->requests(), 'method' ) );
	}

	public function test_a_failed_write_pauses_reads_but_not_the_next_write(): void {
		self::$server->script( array( 'POST /api/v1/orders/1001/shipments' => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'storage_unavailable', 'message' => 'x' ) ) ) ) );
		$this->assertSame( 503, $this->client()->post_json( '/api/v1/orders/1001/shipments', array( 'tracking_number' => '1' ) )->status );
		$this->assertSame( 503, $this->client()->post_json( '/api/v1/orders/1001/shipments', array( 'tracking_number' => '1' ) )->status, 'tried again' );
		$this->assertSame( 'paused', $this->client()->get( '/api/v1/x' )->code );
		$this->assertCount( 2, self::$server->requests() );
		$this->assertSame( 404, $this->client()->post_json( '/api/v1/orders/1/shipments', array() )->status );
		$this->assertFalse( Api_Client::is_paused(), 'a refusal is an answer too: reads resume' );
	}

	public function test_a_redirect_is_not_followed_and_reads_as_invalid(): void {
		self::$server->script( array( 'GET /api/v1/x' => array( 'status' => 301, 'headers' => array( 'Location' => 'https://elsewhere.test/' ) ) ) );
		$response = $this->client()->get( '/api/v1/x' );
		$this->assertSame( Api_Response::INVALID, $response->outcome );
		$this->assertSame( 301, $response->status );
	}

	public function test_broken_json_reads_as_invalid_not_as_a_warning(): void {
		self::$server->script( array( 'GET /api/v1/x' => array( 'headers' => array( 'Content-Type' => 'application/json' ), 'body' => '{"orders": [' ) ) );
		$response = $this->client()->get( '/api/v1/x' );
		$this->assertSame( Api_Response::INVALID, $response->outcome );
		$this->assertTrue( $response->unavailable() );
	}

	public function test_cached_reads_are_reused_until_forgotten(): void {
		self::$server->script( array( 'GET /api/v1/x' => array( 'json' => array( 'n' => 1 ) ) ) );
		$client = $this->client();
		$client->get( '/api/v1/x', array(), array( 'cache' => true ) );
		$again = $client->get( '/api/v1/x', array(), array( 'cache' => true ) );
		$this->assertSame( array( 'n' => 1 ), $again->data );
		$this->assertCount( 1, self::$server->requests() );
		$client->forget( '/api/v1/x' );
		$client->get( '/api/v1/x', array(), array( 'cache' => true ) );
		$this->assertCount( 2, self::$server->requests() );
		// Another key (or URL) never sees this cache.
		( new Api_Client( self::$server->url, 'another-key-0123456789' ) )->get( '/api/v1/x', array(), array( 'cache' => true ) );
		$this->assertCount( 3, self::$server->requests() );
	}

	public function test_multipart_sends_the_request_part_and_photos(): void {
		self::$server->script( array( 'POST /api/v1/r' => array( 'status' => 201, 'json' => array( 'id' => 5 ) ) ) );
		$png = tempnam( sys_get_temp_dir(), 'png' );
		file_put_contents( $png, base64_decode( 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' ) );
		$response = $this->client()->post_multipart( '/api/v1/r', array( 'resolution' => 'refund' ), array( array( 'path' => $png, 'name' => 'a"b.png', 'type' => 'image/png' ) ) );
		unlink( $png );
		$this->assertTrue( $response->ok() );
		$request = self::$server->requests()[0];
		$this->assertStringStartsWith( 'multipart/form-data; boundary=', $request['headers']['content-type'] );
		$this->assertSame( array( 'request' => '{"resolution":"refund"}' ), $request['post'] );
		$this->assertSame( 'a_b.png', $request['files']['photos']['name'] );
		$this->assertSame( 'image/png', $request['files']['photos']['type'] );
	}

	public function test_download_streams_into_the_file(): void {
		self::$server->script(
			array(
				'GET /doc.pdf' => array(
					'headers'     => array( 'Content-Type' => 'application/pdf', 'Content-Disposition' => 'inline; filename="INV-1.pdf"' ),
					'body_base64' => base64_encode( "%PDF-1.7\nbinary\x00\xff" ),
				),
			)
		);
		$file     = tempnam( sys_get_temp_dir(), 'pdf' );
		$response = $this->client()->download( '/doc.pdf', $file );
		$this->assertTrue( $response->ok() );
		$this->assertSame( "%PDF-1.7\nbinary\x00\xff", file_get_contents( $file ) );
		$this->assertSame( '', $response->body, 'the body is in the file, not in memory' );
		$this->assertSame( 'inline; filename="INV-1.pdf"', $response->headers['content-disposition'] );
		$this->assertTrue( Stub::$http[0]['args']['stream'] );
		unlink( $file );
	}
}
