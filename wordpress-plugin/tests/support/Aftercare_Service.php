<?php
/**
 * Runs the real aftercare binary for end-to-end tests, and feeds it signed webhooks.
 *
 * @package Aftercare\Tests
 */

final class Aftercare_Service {

	public const SECRET  = 'plugin-e2e-webhook-secret';
	public const API_KEY = 'plugin-e2e-api-key-0123456789';

	public string $url;
	public string $data_dir;
	/** @var resource|null */
	private $process;
	private string $log_file;

	public static function repo_root(): string {
		return dirname( __DIR__, 3 );
	}

	/**
	 * The binary from AFTERCARE_BIN, else the debug build; null when neither exists.
	 */
	public static function binary(): ?string {
		$bin = getenv( 'AFTERCARE_BIN' );
		if ( is_string( $bin ) && '' !== $bin ) {
			return is_executable( $bin ) ? $bin : null;
		}
		$debug = self::repo_root() . '/target/debug/aftercare';
		return is_executable( $debug ) ? $debug : null;
	}

	/**
	 * A port nothing listens on (the OS picks a free one; we close it again).
	 */
	public static function free_port(): int {
		$socket = stream_socket_server( 'tcp://127.0.0.1:0', $errno, $errstr );
		$name   = stream_socket_get_name( $socket, false );
		fclose( $socket );
		return (int) substr( (string) strrchr( (string) $name, ':' ), 1 );
	}

	/**
	 * Starts aftercare on a free port with a fresh data directory.
	 *
	 * @param array<string,string> $env  More environment, e.g. the WooCommerce REST settings.
	 * @param int|null             $port A port chosen beforehand (free_port()), else a free one.
	 */
	public static function start( array $env = array(), ?int $port = null ): self {
		$bin = self::binary();
		if ( null === $bin ) {
			throw new RuntimeException( 'aftercare binary not found: set AFTERCARE_BIN or run cargo build' );
		}
		$service           = new self();
		$service->data_dir = sys_get_temp_dir() . '/aftercare-plugin-e2e-' . bin2hex( random_bytes( 6 ) );
		mkdir( $service->data_dir, 0700, true );
		$port              = $port ?? self::free_port();
		$service->url      = 'http://127.0.0.1:' . $port;
		$service->log_file = $service->data_dir . '.log';
		// aftercare issues invoices only for a named, addressed seller; the suites' shop is
		// configured here as an operator would (a test may send the shop's profile instead).
		$config = $service->data_dir . '/aftercare.toml';
		file_put_contents( $config, "[seller]\nname = \"Aftercare Test Shop\"\naddress = [\"1 Harbor Way\", \"San Francisco, CA 94107\"]\n" );
		// What the caller gives wins (a public URL shoppers would use, say).
		$env               = $env + array(
			'PATH'                     => (string) getenv( 'PATH' ),
			'AFTERCARE_CONFIG'         => $config,
			'AFTERCARE_WEBHOOK_SECRET' => self::SECRET,
			'AFTERCARE_API_KEY'        => self::API_KEY,
			'AFTERCARE_PUBLIC_URL'     => $service->url,
			'AFTERCARE_LOG'            => 'warn',
		);
		$service->process  = proc_open(
			array( $bin, 'serve', '--listen', '127.0.0.1:' . $port, '--data-dir', $service->data_dir . '/data' ),
			array(
				0 => array( 'file', '/dev/null', 'r' ),
				1 => array( 'file', $service->log_file, 'a' ),
				2 => array( 'file', $service->log_file, 'a' ),
			),
			$pipes,
			null,
			$env
		);
		$deadline = microtime( true ) + 30;
		while ( microtime( true ) < $deadline ) {
			$ch = curl_init( $service->url . '/readyz' );
			curl_setopt_array( $ch, array( CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 1 ) );
			curl_exec( $ch );
			$code = curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
			curl_close( $ch );
			if ( 200 === $code ) {
				return $service;
			}
			$status = proc_get_status( $service->process );
			if ( ! $status['running'] ) {
				throw new RuntimeException( 'aftercare exited: ' . file_get_contents( $service->log_file ) );
			}
			usleep( 100000 );
		}
		$service->stop();
		throw new RuntimeException( 'aftercare did not become ready in 30 s' );
	}

	/**
	 * Posts a body as WooCommerce does, signed with the webhook secret.
	 *
	 * @param string $topic e.g. order.created.
	 * @param string $body  Exact bytes.
	 * @return array{0:int,1:array<string,mixed>|null} Status and decoded answer.
	 */
	public function deliver( string $topic, string $body ): array {
		$ch = curl_init( $this->url . '/webhooks/woocommerce' );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_POST           => true,
				CURLOPT_POSTFIELDS     => $body,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HTTPHEADER     => array(
					'Content-Type: application/json',
					'X-WC-Webhook-Topic: ' . $topic,
					'X-WC-Webhook-Resource: order',
					'X-WC-Webhook-Event: ' . explode( '.', $topic )[1],
					'X-WC-Webhook-ID: 16',
					'X-WC-Webhook-Source: https://shop.example.kr/',
					'X-WC-Webhook-Signature: ' . base64_encode( hash_hmac( 'sha256', $body, self::SECRET, true ) ),
				),
			)
		);
		$answer = (string) curl_exec( $ch );
		$code   = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		return array( $code, json_decode( $answer, true ) );
	}

	/**
	 * Delivers a fixture file's bytes unchanged.
	 *
	 * @param string $topic Topic.
	 * @param string $name  Path under fixtures/.
	 */
	public function deliver_fixture( string $topic, string $name ): array {
		return $this->deliver( $topic, (string) file_get_contents( self::repo_root() . '/fixtures/' . $name ) );
	}

	/**
	 * A GET with the API key, decoded.
	 *
	 * @param string $path API path.
	 * @return array{0:int,1:mixed}
	 */
	public function get( string $path ): array {
		$ch = curl_init( $this->url . $path );
		curl_setopt_array( $ch, array( CURLOPT_RETURNTRANSFER => true, CURLOPT_HTTPHEADER => array( 'Authorization: Bearer ' . self::API_KEY ) ) );
		$answer = (string) curl_exec( $ch );
		$code   = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		return array( $code, json_decode( $answer, true ) );
	}

	/**
	 * A JSON request with the API key (staff routes), decoded.
	 *
	 * @param string              $method HTTP method.
	 * @param string              $path   API path.
	 * @param array<string,mixed> $body   Sent as JSON.
	 * @return array{0:int,1:mixed}
	 */
	public function send( string $method, string $path, array $body ): array {
		$ch = curl_init( $this->url . $path );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_CUSTOMREQUEST  => $method,
				CURLOPT_POSTFIELDS     => json_encode( (object) $body ),
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HTTPHEADER     => array( 'Authorization: Bearer ' . self::API_KEY, 'Content-Type: application/json' ),
			)
		);
		$answer = (string) curl_exec( $ch );
		$code   = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		return array( $code, json_decode( $answer, true ) );
	}

	/**
	 * Polls until $ready returns true for the decoded GET, or fails after $seconds.
	 *
	 * @param string   $path    API path.
	 * @param callable $ready   fn(int $status, mixed $json): bool.
	 * @param float    $seconds Limit.
	 */
	public function wait_for( string $path, callable $ready, float $seconds = 20 ): mixed {
		$deadline = microtime( true ) + $seconds;
		do {
			list( $code, $json ) = $this->get( $path );
			if ( $ready( $code, $json ) ) {
				return $json;
			}
			usleep( 100000 );
		} while ( microtime( true ) < $deadline );
		throw new RuntimeException( "timed out waiting for $path" );
	}

	public function log(): string {
		return is_file( $this->log_file ) ? (string) file_get_contents( $this->log_file ) : '';
	}

	public function stop(): void {
		if ( is_resource( $this->process ) ) {
			proc_terminate( $this->process, 15 );
			proc_close( $this->process );
			$this->process = null;
		}
		if ( is_dir( $this->data_dir ) ) {
			exec( 'rm -rf ' . escapeshellarg( $this->data_dir ) . ' ' . escapeshellarg( $this->log_file ) );
		}
	}
}
