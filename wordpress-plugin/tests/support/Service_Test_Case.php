<?php
/**
 * End-to-end base: one real aftercare per test class, fed WooCommerce's fixture webhooks.
 *
 * @package Aftercare\Tests
 */

abstract class Service_Test_Case extends Plugin_Test_Case {

	protected static ?Aftercare_Service $service = null;

	public static function setUpBeforeClass(): void {
		if ( null === Aftercare_Service::binary() ) {
			if ( getenv( 'CI' ) || getenv( 'AFTERCARE_BIN' ) ) {
				throw new RuntimeException( 'the aftercare binary is required: AFTERCARE_BIN=' . getenv( 'AFTERCARE_BIN' ) );
			}
			return; // setUp() skips, naming the reason.
		}
		self::$service = Aftercare_Service::start( static::service_env() );
		foreach ( array( 'orders/registered-krw.json', 'orders/guest-usd.json', 'orders/pending-eur.json' ) as $fixture ) {
			list( $code, $answer ) = self::$service->deliver_fixture( 'order.created', $fixture );
			if ( 200 !== $code || 'accepted' !== ( $answer['status'] ?? '' ) ) {
				throw new RuntimeException( "delivery of $fixture failed: $code " . json_encode( $answer ) );
			}
		}
	}

	/**
	 * More environment for this class's aftercare.
	 *
	 * @return array<string,string>
	 */
	protected static function service_env(): array {
		return array();
	}

	public static function tearDownAfterClass(): void {
		if ( self::$service ) {
			self::$service->stop();
			self::$service = null;
		}
	}

	protected function setUp(): void {
		parent::setUp();
		if ( null === self::$service ) {
			$this->markTestSkipped( 'no aftercare binary: run cargo build or set AFTERCARE_BIN' );
		}
		$this->configure( self::$service->url, Aftercare_Service::API_KEY );
	}

	/**
	 * Skips when this aftercare has no such route yet (its fallback answers 404 not_found).
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Concrete path to probe.
	 * @param string $named  The endpoint as the contract names it.
	 */
	protected function require_endpoint( string $method, string $path, string $named ): void {
		$ch = curl_init( self::$service->url . $path );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_CUSTOMREQUEST  => $method,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HTTPHEADER     => array( 'Authorization: Bearer ' . Aftercare_Service::API_KEY, 'Content-Type: application/json' ),
				CURLOPT_POSTFIELDS     => 'GET' === $method ? null : '{"probe": true}',
			)
		);
		if ( 'GET' === $method ) {
			curl_setopt( $ch, CURLOPT_HTTPGET, true );
		}
		$body = json_decode( (string) curl_exec( $ch ), true );
		$code = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		if ( ( 404 === $code && 'not_found' === ( $body['error']['code'] ?? '' ) ) || 405 === $code ) {
			$this->fail( "$method $named is missing from aftercare" );
		}
	}
}
