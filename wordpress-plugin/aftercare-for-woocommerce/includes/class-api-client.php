<?php
/**
 * The only place that talks to aftercare.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Calls aftercare's REST API with the store's key, through the WordPress HTTP API.
 *
 * Pages must render even when aftercare is slow or down, so every call has a short timeout,
 * and after a failure the client stops reading for a little while (the pause) instead of
 * making every page wait for the timeout again. Writes (a customer's return request, a staff
 * member's move or parcel) are never skipped: each is one person's deliberate action, and
 * aftercare may well answer it.
 */
final class Api_Client {

	/** Seconds a page may wait for aftercare. */
	public const TIMEOUT = 2;
	/** Seconds an invoice download may take (the shopper asked for it explicitly). */
	public const DOWNLOAD_TIMEOUT = 10;
	/** Seconds a read is reused for (until the customer's own action forgets it). */
	public const CACHE_TTL = 60;
	/** Seconds calls are skipped after aftercare failed to answer. */
	public const PAUSE_TTL = 30;

	private const PAUSE_KEY    = 'aftercare_paused';
	private const CACHE_PREFIX = 'aftercare_c_';
	/**
	 * Option set while aftercare refuses the saved API key: {at, path}, never key material.
	 * Not autoloaded; cleared by the next accepted call.
	 */
	public const AUTH_FAILURE_OPTION = 'aftercare_auth_failure';

	/** Whether this client uses the saved settings (a key being tested is not the shop's). */
	private bool $saved = false;

	/**
	 * Builds a client.
	 *
	 * @param string $base_url aftercare's URL, no trailing slash.
	 * @param string $api_key  The store's API key.
	 */
	public function __construct( private string $base_url, private string $api_key ) {
		$this->base_url = rtrim( $base_url, '/' );
	}

	public static function from_settings(): self {
		$client        = new self( Settings::url(), Settings::api_key() );
		$client->saved = true;
		return $client;
	}

	/**
	 * Since when and on which path aftercare refused the saved key, or null while it accepts it.
	 *
	 * @return array{at:int,path:string}|null
	 */
	public static function auth_failure(): ?array {
		$failure = get_option( self::AUTH_FAILURE_OPTION, null );
		return is_array( $failure ) && isset( $failure['at'] ) ? array(
			'at'   => (int) $failure['at'],
			'path' => (string) ( $failure['path'] ?? '' ),
		) : null;
	}

	/**
	 * Remembers whether aftercare accepts the saved key, so admins are told when it does not.
	 *
	 * @param int    $status HTTP status of a call made with the saved key.
	 * @param string $path   API path without query.
	 */
	private function note_key( int $status, string $path ): void {
		if ( ! $this->saved ) {
			return;
		}
		$failure = self::auth_failure();
		if ( 401 === $status && null === $failure ) {
			update_option(
				self::AUTH_FAILURE_OPTION,
				array(
					'at'   => time(),
					'path' => $path,
				),
				false
			);
		} elseif ( $status >= 200 && $status < 300 && null !== $failure ) {
			delete_option( self::AUTH_FAILURE_OPTION );
		}
	}

	public function is_configured(): bool {
		return '' !== $this->base_url && '' !== $this->api_key;
	}

	/**
	 * The full URL of an API path.
	 *
	 * @param string               $path  Path from the root, e.g. /api/v1/store/health.
	 * @param array<string,scalar> $query Query parameters.
	 */
	public function url( string $path, array $query = array() ): string {
		$url = $this->base_url . $path;
		if ( $query ) {
			$url .= '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
		}
		return $url;
	}

	/**
	 * GET and decode JSON.
	 *
	 * @param string               $path    API path.
	 * @param array<string,scalar> $query   Query parameters.
	 * @param array<string,mixed>  $options `cache` (bool): reuse for CACHE_TTL seconds;
	 *                                      `fresh` (bool): ignore the pause (admin checks);
	 *                                      `headers` (array): extra request headers.
	 */
	public function get( string $path, array $query = array(), array $options = array() ): Api_Response {
		$use_cache = ! empty( $options['cache'] );
		if ( $use_cache ) {
			$cached = get_transient( $this->cache_key( $path, $query ) );
			if ( is_array( $cached ) ) {
				return new Api_Response( Api_Response::OK, 200, $cached );
			}
		}
		$response = $this->send( 'GET', $path, $query, null, '', $options );
		if ( $use_cache && $response->ok() && is_array( $response->data ) ) {
			set_transient( $this->cache_key( $path, $query ), $response->data, self::CACHE_TTL );
		}
		return $response;
	}

	/**
	 * POST a JSON body.
	 *
	 * @param string              $path    API path.
	 * @param array<mixed>        $body    Encoded as a JSON object.
	 * @param array<string,mixed> $options As for get(), and `query` (array): query parameters.
	 */
	public function post_json( string $path, array $body, array $options = array() ): Api_Response {
		return $this->send_json( 'POST', $path, $body, $options );
	}

	/**
	 * PUT a JSON body (a whole resource, such as the shop's profile).
	 *
	 * @param string              $path    API path.
	 * @param array<mixed>        $body    Encoded as a JSON object.
	 * @param array<string,mixed> $options As for post_json().
	 */
	public function put_json( string $path, array $body, array $options = array() ): Api_Response {
		return $this->send_json( 'PUT', $path, $body, $options );
	}

	/**
	 * DELETE a resource.
	 *
	 * @param string              $path    API path.
	 * @param array<string,mixed> $options As for post_json().
	 */
	public function delete( string $path, array $options = array() ): Api_Response {
		return $this->send( 'DELETE', $path, $options['query'] ?? array(), null, '', $options );
	}

	/**
	 * A write with a JSON body.
	 *
	 * @param string              $method  POST or PUT.
	 * @param string              $path    API path.
	 * @param array<mixed>        $body    Encoded as a JSON object.
	 * @param array<string,mixed> $options As for post_json().
	 */
	private function send_json( string $method, string $path, array $body, array $options ): Api_Response {
		$options['headers']                 = $options['headers'] ?? array();
		$options['headers']['Content-Type'] = 'application/json';
		return $this->send( $method, $path, $options['query'] ?? array(), null, (string) wp_json_encode( (object) $body ), $options );
	}

	/**
	 * POST multipart/form-data: the JSON in a part named `request` and files in parts named `photos`.
	 *
	 * @param string                                               $path  API path.
	 * @param array<mixed>                                         $json  The request document.
	 * @param array<int,array{path:string,name:string,type:string}> $files Files already validated.
	 * @param array<string,mixed>                                  $options As for post_json().
	 */
	public function post_multipart( string $path, array $json, array $files, array $options = array() ): Api_Response {
		$boundary = 'aftercare-' . bin2hex( random_bytes( 12 ) );
		$body     = '--' . $boundary . "\r\n"
			. "Content-Disposition: form-data; name=\"request\"\r\n"
			. "Content-Type: application/json\r\n\r\n"
			. wp_json_encode( (object) $json ) . "\r\n";
		foreach ( $files as $file ) {
			$bytes = file_get_contents( $file['path'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- a local upload.
			if ( false === $bytes ) {
				continue;
			}
			$name  = str_replace( array( '"', "\r", "\n", '\\' ), '_', $file['name'] );
			$body .= '--' . $boundary . "\r\n"
				. 'Content-Disposition: form-data; name="photos"; filename="' . $name . "\"\r\n"
				. 'Content-Type: ' . $file['type'] . "\r\n\r\n"
				. $bytes . "\r\n";
		}
		$body                              .= '--' . $boundary . "--\r\n";
		$options['headers']                 = $options['headers'] ?? array();
		$options['headers']['Content-Type'] = 'multipart/form-data; boundary=' . $boundary;
		return $this->send( 'POST', $path, $options['query'] ?? array(), null, $body, $options );
	}

	/**
	 * GET a document or an image straight into a file, without holding it in memory.
	 *
	 * @param string               $path   API path.
	 * @param string               $file   Where to write the body.
	 * @param string               $accept What is expected (the Accept header).
	 * @param array<string,scalar> $query  Query parameters.
	 * @param int                  $timeout Seconds it may take (an email waits less than a shopper).
	 */
	public function download( string $path, string $file, string $accept = 'application/pdf', array $query = array(), int $timeout = self::DOWNLOAD_TIMEOUT ): Api_Response {
		return $this->send(
			'GET',
			$path,
			$query,
			$file,
			'',
			array(
				'timeout' => $timeout,
				'headers' => array( 'Accept' => $accept ),
			)
		);
	}

	/**
	 * Drops a cached read, after an action that changes what it shows.
	 *
	 * @param string               $path  API path as passed to get().
	 * @param array<string,scalar> $query Query as passed to get().
	 */
	/**
	 * Caches an answer obtained another way (a fresh check), as get() with `cache` would.
	 *
	 * @param string               $path  API path.
	 * @param array<mixed>         $data  The decoded answer.
	 * @param array<string,scalar> $query Query parameters.
	 */
	public function remember( string $path, array $data, array $query = array() ): void {
		set_transient( $this->cache_key( $path, $query ), $data, self::CACHE_TTL );
	}

	/**
	 * Drops a cached answer.
	 *
	 * @param string               $path  API path.
	 * @param array<string,scalar> $query Query parameters.
	 */
	public function forget( string $path, array $query = array() ): void {
		delete_transient( $this->cache_key( $path, $query ) );
	}

	public static function is_paused(): bool {
		return false !== get_transient( self::PAUSE_KEY );
	}

	public static function resume(): void {
		delete_transient( self::PAUSE_KEY );
	}

	/**
	 * One HTTP exchange.
	 *
	 * @param string               $method  HTTP method.
	 * @param string               $path    API path.
	 * @param array<string,scalar> $query   Query parameters.
	 * @param string|null          $file    Stream the body into this file.
	 * @param string               $body    Request body.
	 * @param array<string,mixed>  $options See get().
	 */
	private function send( string $method, string $path, array $query, ?string $file, string $body, array $options ): Api_Response {
		if ( ! $this->is_configured() ) {
			return new Api_Response( Api_Response::NOT_CONFIGURED );
		}
		if ( 'GET' === $method && empty( $options['fresh'] ) && self::is_paused() ) {
			return new Api_Response( Api_Response::UNAVAILABLE, 0, null, 'paused', 'aftercare did not answer a moment ago; not asking again yet.' );
		}
		$headers = array_merge(
			array(
				'Authorization' => 'Bearer ' . $this->api_key,
				'Accept'        => null === $file ? 'application/json' : 'application/pdf',
			),
			$options['headers'] ?? array()
		);
		$args    = array(
			'method'      => $method,
			'timeout'     => $options['timeout'] ?? self::TIMEOUT,
			'redirection' => 0,
			'headers'     => $headers,
			'user-agent'  => 'aftercare-for-woocommerce/' . AFTERCARE_VERSION,
		);
		if ( '' !== $body ) {
			$args['body'] = $body;
		}
		if ( null !== $file ) {
			$args['stream']   = true;
			$args['filename'] = $file;
		}
		$raw = wp_remote_request( $this->url( $path, $query ), $args );

		if ( is_wp_error( $raw ) ) {
			$this->pause();
			$this->log( $method, $path, 0, $raw->get_error_message() );
			return new Api_Response( Api_Response::UNAVAILABLE, 0, null, 'unreachable', $raw->get_error_message() );
		}
		$status  = (int) wp_remote_retrieve_response_code( $raw );
		$this->note_key( $status, $path );
		$headers = array();
		foreach ( array( 'content-type', 'content-disposition', 'retry-after' ) as $name ) {
			$value = wp_remote_retrieve_header( $raw, $name );
			if ( is_string( $value ) && '' !== $value ) {
				$headers[ $name ] = $value;
			}
		}
		$text = null === $file ? (string) wp_remote_retrieve_body( $raw ) : '';
		if ( null !== $file && ( $status < 200 || $status >= 300 ) && is_readable( $file ) ) {
			// An error body was streamed into the file: it is small JSON, read it back.
			$text = (string) file_get_contents( $file, false, null, 0, 65536 ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- our own temporary file.
		}
		$json = null;
		if ( '' !== $text && str_contains( $headers['content-type'] ?? '', 'json' ) ) {
			$decoded = json_decode( $text, true );
			$json    = is_array( $decoded ) ? $decoded : null;
		}

		if ( $status >= 500 ) {
			$this->pause();
			$this->log( $method, $path, $status, (string) ( $json['error']['code'] ?? '' ) );
			return $this->error_response( Api_Response::UNAVAILABLE, $status, $json, $headers );
		}
		if ( self::is_paused() ) {
			// It answers again (a write went through during the pause): stop skipping reads.
			self::resume();
		}
		if ( $status >= 400 ) {
			if ( 401 === $status ) {
				$this->log( $method, $path, $status, 'the API key was refused' );
			}
			return $this->error_response( Api_Response::REFUSED, $status, $json, $headers );
		}
		if ( $status < 200 || $status >= 300 ) {
			// Redirects are not followed: a redirect here means the URL is wrong (http vs https).
			$this->log( $method, $path, $status, 'unexpected status' );
			return new Api_Response( Api_Response::INVALID, $status, null, 'unexpected_status', sprintf( 'aftercare answered with HTTP %d.', $status ), array(), '', $headers );
		}
		if ( null === $file && null === $json && '' !== $text && str_contains( $headers['content-type'] ?? '', 'json' ) ) {
			return new Api_Response( Api_Response::INVALID, $status, null, 'invalid_json', 'aftercare answered with a body that is not JSON.', array(), '', $headers );
		}
		return new Api_Response( Api_Response::OK, $status, $json, '', '', array(), null === $json ? $text : '', $headers );
	}

	/**
	 * Reads aftercare's error body: {"error":{"code","message","fields":[{"field","message",
	 * "reason"?}]}} (`reason`: a code for a refused return item, e.g. `window_closed`).
	 *
	 * @param string                $outcome Outcome constant.
	 * @param int                   $status  HTTP status.
	 * @param array<mixed>|null     $json    Decoded body.
	 * @param array<string,string>  $headers Response headers.
	 */
	private function error_response( string $outcome, int $status, ?array $json, array $headers ): Api_Response {
		$error  = ( is_array( $json ) && isset( $json['error'] ) && is_array( $json['error'] ) ) ? $json['error'] : array();
		$fields = array();
		if ( isset( $error['fields'] ) && is_array( $error['fields'] ) ) {
			foreach ( $error['fields'] as $field ) {
				if ( is_array( $field ) && isset( $field['message'] ) && is_scalar( $field['message'] ) ) {
					$fields[] = array(
						'field'   => isset( $field['field'] ) && is_scalar( $field['field'] ) ? (string) $field['field'] : '',
						'message' => (string) $field['message'],
						'reason'  => isset( $field['reason'] ) && is_string( $field['reason'] ) ? $field['reason'] : '',
					);
				}
			}
		}
		return new Api_Response(
			$outcome,
			$status,
			$json,
			isset( $error['code'] ) && is_string( $error['code'] ) ? $error['code'] : '',
			isset( $error['message'] ) && is_string( $error['message'] ) ? $error['message'] : '',
			$fields,
			'',
			$headers
		);
	}

	private function pause(): void {
		set_transient( self::PAUSE_KEY, time(), self::PAUSE_TTL );
	}

	/**
	 * Keys are per aftercare URL and key, so changing either never shows stale data.
	 *
	 * @param string               $path  API path.
	 * @param array<string,scalar> $query Query parameters.
	 */
	private function cache_key( string $path, array $query ): string {
		return self::CACHE_PREFIX . md5( $this->base_url . '|' . hash( 'sha256', $this->api_key ) . '|' . $this->url( $path, $query ) );
	}

	/**
	 * Notes a failure in WooCommerce's log (source "aftercare"). The path carries ids only;
	 * guest queries (key, email) are never logged.
	 *
	 * @param string $method HTTP method.
	 * @param string $path   API path without query.
	 * @param int    $status HTTP status or 0.
	 * @param string $detail Short reason.
	 */
	private function log( string $method, string $path, int $status, string $detail ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->warning(
				sprintf( '%s %s failed (%s): %s', $method, $path, $status ? 'HTTP ' . $status : 'no answer', $detail ),
				array( 'source' => 'aftercare' )
			);
		}
	}
}
