<?php
/**
 * The test servers themselves: `php -S` forks workers, and stopping a server must end them
 * too, or every run leaves processes behind.
 *
 * @package Aftercare\Tests
 */

use PHPUnit\Framework\TestCase;

final class TestServersTest extends TestCase {

	public function test_a_scripted_server_stops_with_all_its_workers(): void {
		$server = Scripted_Server::start();
		try {
			// The server and the two workers it forks (PHP_CLI_SERVER_WORKERS=2), which may
			// come a moment after it listens.
			$deadline = microtime( true ) + 5;
			$pids     = $server->processes();
			while ( count( $pids ) < 3 && microtime( true ) < $deadline ) {
				usleep( 20000 );
				$pids = $server->processes();
			}
			$this->assertCount( 3, $pids, 'php -S and its workers run in a process group of their own' );
		} finally {
			$server->stop();
		}

		$this->assertSame( array(), $server->processes() );
		foreach ( $pids as $pid ) {
			$this->assertFalse( self::alive( $pid ), "process $pid outlived its server" );
		}
	}

	private static function alive( int $pid ): bool {
		$stat = @file_get_contents( "/proc/$pid/stat" );
		// A zombie has ended; it only waits to be reaped.
		return false !== $stat && 'Z' !== explode( ' ', substr( $stat, (int) strrpos( $stat, ')' ) + 2 ) )[0];
	}
}
