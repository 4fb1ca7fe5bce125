<?php
/**
 * Base test case: a clean stand-in state for every test.
 *
 * @package Aftercare\Tests
 */

use PHPUnit\Framework\TestCase;

abstract class Plugin_Test_Case extends TestCase {

	protected function setUp(): void {
		Stub::reset();
		WC_Stub::reset();
		$result = new ReflectionProperty( \Aftercare\Guest_Tracking::class, 'result' );
		$result->setAccessible( true );
		$result->setValue( null, null );
		// Each test is one request: nothing queued by an earlier one.
		$queued = new ReflectionProperty( \Aftercare\Shop_Profile::class, 'queued_until' );
		$queued->setAccessible( true );
		$queued->setValue( null, 0 );
	}

	protected function configure( string $url, string $key = 'test-api-key-0123456789' ): void {
		update_option( \Aftercare\Settings::URL_OPTION, $url );
		update_option( \Aftercare\Settings::API_KEY_OPTION, $key, false );
	}

	/**
	 * Starts the client's pause, as a call that found aftercare down does.
	 */
	protected static function pause_reads(): void {
		( new ReflectionMethod( \Aftercare\Api_Client::class, 'pause' ) )->invoke( \Aftercare\Api_Client::from_settings() );
		self::assertTrue( \Aftercare\Api_Client::is_paused() );
	}

	/**
	 * A decoded JSON file from tests/fixtures.
	 *
	 * @param string $name File name.
	 * @return array<string,mixed>
	 */
	protected static function fixture( string $name ): array {
		return json_decode( (string) file_get_contents( dirname( __DIR__ ) . '/fixtures/' . $name ), true, 512, JSON_THROW_ON_ERROR );
	}

	/**
	 * A webhook fixture of the service's repository, decoded.
	 *
	 * @param string $name e.g. orders/registered-krw.json.
	 * @return array<string,mixed>
	 */
	protected static function order_fixture( string $name ): array {
		return json_decode( (string) file_get_contents( Aftercare_Service::repo_root() . '/fixtures/' . $name ), true, 512, JSON_THROW_ON_ERROR );
	}

	/**
	 * Parses HTML and fails on markup a browser would have to guess at.
	 *
	 * @param string $html Fragment.
	 */
	protected static function dom( string $html ): DOMXPath {
		$doc      = new DOMDocument();
		$previous = libxml_use_internal_errors( true );
		$doc->loadHTML( '<!doctype html><html><head><meta charset="utf-8"></head><body>' . $html . '</body></html>' );
		$errors = array_filter(
			libxml_get_errors(),
			// libxml's HTML4 parser does not know HTML5 elements; everything else is a real error.
			static fn( $e ) => ! preg_match( '/Tag (section|article|header|time|datalist|main|nav|details|summary|bdi|mark|picture|source) invalid/', $e->message )
		);
		libxml_clear_errors();
		libxml_use_internal_errors( $previous );
		self::assertSame( array(), array_map( static fn( $e ) => trim( $e->message ) . ' line ' . $e->line, array_values( $errors ) ), 'HTML parse errors' );
		return new DOMXPath( $doc );
	}

	protected static function text( DOMXPath $xpath, string $query ): string {
		$nodes = $xpath->query( $query );
		$text  = '';
		foreach ( $nodes as $node ) {
			$text .= ' ' . $node->textContent;
		}
		return trim( preg_replace( '/\s+/u', ' ', $text ) );
	}
}
