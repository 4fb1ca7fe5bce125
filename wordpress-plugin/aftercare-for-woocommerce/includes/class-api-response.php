<?php
/**
 * What one call to aftercare gave back.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * An answer from aftercare, or the reason there is none.
 */
final class Api_Response {

	/** A 2xx with a body we could read. */
	public const OK = 'ok';
	/** URL or API key not set yet. */
	public const NOT_CONFIGURED = 'not_configured';
	/** Nothing listening, too slow, a 5xx, or recently so (circuit open). */
	public const UNAVAILABLE = 'unavailable';
	/** A 4xx with aftercare's error body. */
	public const REFUSED = 'refused';
	/** An answer that is not what aftercare sends. */
	public const INVALID = 'invalid';

	/**
	 * Builds a response.
	 *
	 * @param string                                     $outcome One of the constants.
	 * @param int                                        $status  HTTP status, 0 when there was no answer.
	 * @param array<mixed>|null                          $data    Decoded JSON body.
	 * @param string                                     $code    aftercare's error code.
	 * @param string                                     $message aftercare's error message (English, for logs and staff).
	 * @param array<int,array{field:string,message:string,reason?:string}> $fields Field errors of a 422.
	 * @param string                                     $body    Raw body (for non-JSON answers such as PDFs).
	 * @param array<string,string>                       $headers Response headers, lower-case names.
	 */
	public function __construct(
		public readonly string $outcome,
		public readonly int $status = 0,
		public readonly ?array $data = null,
		public readonly string $code = '',
		public readonly string $message = '',
		public readonly array $fields = array(),
		public readonly string $body = '',
		public readonly array $headers = array()
	) {}

	public function ok(): bool {
		return self::OK === $this->outcome;
	}

	/**
	 * True when aftercare refused the API key (the shop must fix its settings; no wait helps).
	 */
	public function key_refused(): bool {
		return 401 === $this->status;
	}

	public function unavailable(): bool {
		return self::UNAVAILABLE === $this->outcome || self::INVALID === $this->outcome;
	}

	/**
	 * True when this aftercare has no such route (an older version than the plugin expects).
	 */
	public function missing_endpoint(): bool {
		return ( 404 === $this->status && 'not_found' === $this->code ) || 405 === $this->status;
	}

	/**
	 * True for a 404 about the thing asked for (not a missing route).
	 */
	public function not_found(): bool {
		return 404 === $this->status && ! $this->missing_endpoint();
	}

	/**
	 * A key of the decoded body, or $fallback.
	 *
	 * @param string $key      Top-level key.
	 * @param mixed  $fallback Returned when missing.
	 * @return mixed
	 */
	public function get( string $key, $fallback = null ) {
		return ( is_array( $this->data ) && array_key_exists( $key, $this->data ) ) ? $this->data[ $key ] : $fallback;
	}
}
