<?php
/**
 * A real HTTP server (PHP's built-in one) that answers from a script.
 *
 * @package Aftercare\Tests
 */

final class Scripted_Server {

	public string $url;
	private string $dir;
	/** @var resource|null */
	private $process;
	/** The server's process group: `php -S` and the workers it forks. */
	private int $group = 0;

	public static function start( string $router = 'scripted-router.php' ): self {
		$server      = new self();
		$server->dir = sys_get_temp_dir() . '/aftercare-scripted-' . bin2hex( random_bytes( 6 ) );
		mkdir( $server->dir );
		file_put_contents( $server->dir . '/script.json', '{}' );
		$port            = Aftercare_Service::free_port();
		$server->url     = 'http://127.0.0.1:' . $port;
		// In a process group of its own (setsid execs in place: the pid is the group's id),
		// so that stop() ends the workers too, which outlive a killed parent otherwise.
		$server->process = proc_open(
			array( 'setsid', PHP_BINARY, '-S', '127.0.0.1:' . $port, __DIR__ . '/' . $router ),
			array(
				0 => array( 'file', '/dev/null', 'r' ),
				1 => array( 'file', '/dev/null', 'w' ),
				2 => array( 'file', '/dev/null', 'w' ),
			),
			$pipes,
			null,
			array(
				'SCRIPTED_DIR'          => $server->dir,
				'PHP_CLI_SERVER_WORKERS' => '2',
			)
		);
		$server->group = (int) proc_get_status( $server->process )['pid'];
		$deadline      = microtime( true ) + 10;
		while ( microtime( true ) < $deadline ) {
			$socket = @stream_socket_client( 'tcp://127.0.0.1:' . $port, $errno, $errstr, 0.2 );
			if ( $socket ) {
				fclose( $socket );
				return $server;
			}
			usleep( 50000 );
		}
		$server->stop();
		throw new RuntimeException( 'php -S did not start' );
	}

	/**
	 * Sets the answers.
	 *
	 * @param array<string,array<string,mixed>> $routes "METHOD /path" => answer.
	 */
	public function script( array $routes ): void {
		file_put_contents( $this->dir . '/script.json', json_encode( $routes ) );
		@unlink( $this->dir . '/requests.jsonl' );
	}

	/**
	 * The requests received since the last script().
	 *
	 * @return array<int,array<string,mixed>>
	 */
	public function requests(): array {
		$file = $this->dir . '/requests.jsonl';
		if ( ! is_file( $file ) ) {
			return array();
		}
		return array_map( static fn( $line ) => json_decode( $line, true ), array_filter( explode( "\n", (string) file_get_contents( $file ) ) ) );
	}

	/**
	 * Writes a state file of the server (woocommerce-router.php: orders.json, webhooks.json).
	 *
	 * @param string $name  File name.
	 * @param mixed  $value Encoded as JSON.
	 */
	public function put( string $name, $value ): void {
		file_put_contents( $this->dir . '/' . $name, json_encode( $value ) );
	}

	/**
	 * Reads a state file the server keeps (woocommerce-router.php: refunds.json, coupons.json).
	 *
	 * @param string $name File name.
	 * @return mixed
	 */
	public function state( string $name ) {
		return json_decode( (string) @file_get_contents( $this->dir . '/' . $name ), true ) ?: array();
	}

	/**
	 * The ids of the processes still in the server's group.
	 *
	 * @return array<int,int>
	 */
	public function processes(): array {
		$pids = array();
		foreach ( glob( '/proc/[0-9]*/stat' ) ?: array() as $stat ) {
			// pid (comm) state ppid pgrp ...: comm may hold spaces, so read after its ')'.
			$line = (string) @file_get_contents( $stat );
			$rest = explode( ' ', substr( $line, (int) strrpos( $line, ')' ) + 2 ) );
			if ( isset( $rest[2] ) && (int) $rest[2] === $this->group && 'Z' !== $rest[0] ) {
				$pids[] = (int) basename( dirname( $stat ) );
			}
		}
		return $pids;
	}

	/**
	 * Ends the server with all its workers, and fails when any is left.
	 */
	public function stop(): void {
		if ( $this->group > 0 ) {
			posix_kill( -$this->group, 9 ); // SIGKILL: the workers need no goodbye.
		}
		if ( is_resource( $this->process ) ) {
			proc_close( $this->process );
			$this->process = null;
		}
		exec( 'rm -rf ' . escapeshellarg( $this->dir ) );
		// Orphaned workers are reaped by init, a moment after the kill.
		$deadline = microtime( true ) + 5;
		while ( $this->group > 0 && $this->processes() && microtime( true ) < $deadline ) {
			usleep( 20000 );
		}
		$left = $this->group > 0 ? $this->processes() : array();
		if ( $left ) {
			throw new RuntimeException( 'php -S left processes running: ' . implode( ', ', $left ) );
		}
	}
}
