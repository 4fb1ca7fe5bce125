<?php
/**
 * The return request form: what was posted, checked against what may be returned.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Validates a return request before it is sent, and maps aftercare's field errors back onto the form.
 */
final class Return_Form {

	public const MAX_PHOTOS        = 3;
	public const MAX_PHOTO_BYTES   = 5 * 1024 * 1024;
	public const MAX_COMMENT_CHARS = 2000;
	public const MAX_DETAIL_CHARS  = 500;
	public const PHOTO_TYPES       = array(
		'image/jpeg' => 'jpg',
		'image/png'  => 'png',
		'image/webp' => 'webp',
	);

	/**
	 * Checks the posted form against the order view's return_eligibility.
	 *
	 * @param array<string,mixed> $post The form fields (unslashed).
	 * @param array<string,mixed> $view The order view.
	 * @return array{body:array<string,mixed>|null,errors:array<string,string>,old:array<string,mixed>}
	 *         body is the request for aftercare when there are no errors.
	 */
	public static function validate( array $post, array $view ): array {
		$errors   = array();
		$eligible = array();
		foreach ( Data::rows( $view, 'return_eligibility' ) as $row ) {
			$eligible[ Data::int( $row, 'line_item_id' ) ] = max( 0, Data::int( $row, 'returnable_quantity' ) );
		}
		$names = array();
		foreach ( Data::items_by_id( $view ) as $id => $item ) {
			$names[ $id ] = Data::str( $item, 'name' );
		}

		$posted_items = isset( $post['items'] ) && is_array( $post['items'] ) ? $post['items'] : array();
		$items        = array();
		$old_items    = array();
		foreach ( $posted_items as $raw_id => $raw ) {
			$id = absint( $raw_id );
			if ( ! $id || ! is_array( $raw ) ) {
				continue;
			}
			$quantity_raw = isset( $raw['quantity'] ) && is_scalar( $raw['quantity'] ) ? trim( (string) $raw['quantity'] ) : '0';
			$reason       = isset( $raw['reason'] ) && is_string( $raw['reason'] ) ? sanitize_key( $raw['reason'] ) : '';
			$detail       = isset( $raw['reason_text'] ) && is_string( $raw['reason_text'] ) ? sanitize_textarea_field( $raw['reason_text'] ) : '';

			$old_items[ $id ] = array(
				'quantity'    => $quantity_raw,
				'reason'      => $reason,
				'reason_text' => $detail,
			);
			if ( '' === $quantity_raw ) {
				$quantity_raw = '0';
			}
			if ( ! preg_match( '/^\d{1,6}$/', $quantity_raw ) ) {
				$errors[ "items.$id.quantity" ] = __( 'Enter a whole number.', 'aftercare-for-woocommerce' );
				continue;
			}
			$quantity = (int) $quantity_raw;
			if ( 0 === $quantity ) {
				continue;
			}
			if ( ! isset( $eligible[ $id ] ) || 0 === $eligible[ $id ] ) {
				$errors[ "items.$id.quantity" ] = Labels::eligibility( 'non_returnable' );
				continue;
			}
			if ( $quantity > $eligible[ $id ] ) {
				$errors[ "items.$id.quantity" ] = sprintf(
					/* translators: %d: how many units may still be returned */
					_n( 'You can return at most %d of this item.', 'You can return at most %d of these items.', $eligible[ $id ], 'aftercare-for-woocommerce' ),
					$eligible[ $id ]
				);
				continue;
			}
			if ( ! in_array( $reason, Labels::REASONS, true ) ) {
				$errors[ "items.$id.reason" ] = __( 'Choose a reason.', 'aftercare-for-woocommerce' );
				continue;
			}
			if ( 'other' === $reason && '' === $detail ) {
				$errors[ "items.$id.reason_text" ] = __( 'Tell us a little about the reason.', 'aftercare-for-woocommerce' );
				continue;
			}
			if ( mb_strlen( $detail ) > self::MAX_DETAIL_CHARS ) {
				/* translators: %d: maximum number of characters */
				$errors[ "items.$id.reason_text" ] = sprintf( __( 'Keep this under %d characters.', 'aftercare-for-woocommerce' ), self::MAX_DETAIL_CHARS );
				continue;
			}
			$items[] = array(
				'line_item_id' => $id,
				'quantity'     => $quantity,
				'reason'       => $reason,
				'reason_text'  => '' === $detail ? null : $detail,
			);
		}
		if ( ! $items && ! $errors ) {
			$errors['items'] = __( 'Choose at least one item to return.', 'aftercare-for-woocommerce' );
		}

		$resolution = isset( $post['resolution'] ) && is_string( $post['resolution'] ) ? sanitize_key( $post['resolution'] ) : '';
		if ( ! in_array( $resolution, Labels::RESOLUTIONS, true ) ) {
			$errors['resolution'] = __( 'Choose what you would like instead.', 'aftercare-for-woocommerce' );
		}
		$comment = isset( $post['comment'] ) && is_string( $post['comment'] ) ? sanitize_textarea_field( $post['comment'] ) : '';
		if ( mb_strlen( $comment ) > self::MAX_COMMENT_CHARS ) {
			/* translators: %d: maximum number of characters */
			$errors['comment'] = sprintf( __( 'Keep this under %d characters.', 'aftercare-for-woocommerce' ), self::MAX_COMMENT_CHARS );
		}

		$old = array(
			'items'      => $old_items,
			'resolution' => $resolution,
			'comment'    => $comment,
		);
		if ( $errors ) {
			return array(
				'body'   => null,
				'errors' => $errors,
				'old'    => $old,
			);
		}
		return array(
			'body'   => array(
				'items'      => $items,
				'resolution' => $resolution,
				'comment'    => $comment,
			),
			'errors' => array(),
			'old'    => $old,
		);
	}

	/**
	 * Checks uploaded photos ($_FILES['photos'] in PHP's multi-file shape).
	 *
	 * @param mixed $files $_FILES['photos'] or null.
	 * @return array{files:array<int,array{path:string,name:string,type:string}>,error:string}
	 */
	public static function photos( $files ): array {
		$result = array(
			'files' => array(),
			'error' => '',
		);
		if ( ! is_array( $files ) || ! isset( $files['tmp_name'] ) ) {
			return $result;
		}
		$tmp_names = (array) $files['tmp_name'];
		$names     = (array) ( $files['name'] ?? array() );
		$errors    = (array) ( $files['error'] ?? array() );
		$sizes     = (array) ( $files['size'] ?? array() );
		foreach ( $tmp_names as $i => $tmp ) {
			$error = (int) ( $errors[ $i ] ?? UPLOAD_ERR_NO_FILE );
			if ( UPLOAD_ERR_NO_FILE === $error ) {
				continue;
			}
			if ( count( $result['files'] ) >= self::MAX_PHOTOS ) {
				/* translators: %d: maximum number of photos */
				$result['error'] = sprintf( __( 'Attach at most %d photos.', 'aftercare-for-woocommerce' ), self::MAX_PHOTOS );
				return $result;
			}
			if ( UPLOAD_ERR_OK !== $error || (int) ( $sizes[ $i ] ?? 0 ) > self::MAX_PHOTO_BYTES || ! is_string( $tmp ) || ! self::is_upload( $tmp ) ) {
				/* translators: %d: maximum size in megabytes */
				$result['error'] = sprintf( __( 'Each photo must be a JPEG, PNG or WebP image of at most %d MB.', 'aftercare-for-woocommerce' ), self::MAX_PHOTO_BYTES / 1024 / 1024 );
				return $result;
			}
			$type = self::image_type( $tmp );
			if ( '' === $type || filesize( $tmp ) > self::MAX_PHOTO_BYTES ) {
				/* translators: %d: maximum size in megabytes */
				$result['error'] = sprintf( __( 'Each photo must be a JPEG, PNG or WebP image of at most %d MB.', 'aftercare-for-woocommerce' ), self::MAX_PHOTO_BYTES / 1024 / 1024 );
				return $result;
			}
			$base              = sanitize_file_name( pathinfo( (string) ( $names[ $i ] ?? 'photo' ), PATHINFO_FILENAME ) );
			$result['files'][] = array(
				'path' => $tmp,
				'name' => ( '' === $base ? 'photo' : $base ) . '.' . self::PHOTO_TYPES[ $type ],
				'type' => $type,
			);
		}
		return $result;
	}

	/**
	 * The image type from the file's bytes (never the browser's claim), or ''.
	 *
	 * @param string $path File.
	 */
	public static function image_type( string $path ): string {
		$info = @getimagesize( $path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- a non-image is an expected answer, not an error.
		$mime = is_array( $info ) ? (string) ( $info['mime'] ?? '' ) : '';
		return isset( self::PHOTO_TYPES[ $mime ] ) ? $mime : '';
	}

	/**
	 * Whether the file came from this request's upload (filterable for tests of the handler).
	 *
	 * @param string $path Temporary file.
	 */
	private static function is_upload( string $path ): bool {
		return (bool) apply_filters( 'aftercare_is_uploaded_file', is_uploaded_file( $path ), $path );
	}

	/**
	 * aftercare's refusal of a return request (422) as errors on the form, in the plugin's own,
	 * translatable words. aftercare's body is `{"error": {"code": "validation_failed",
	 * "message", "fields": [{"field": "items[0].quantity", "message", "reason"?}]}}` with
	 * English sentences: an item refused with a known `reason` code, or a field the plugin
	 * knows, gets the plugin's sentence; only an unknown reason, an unknown field (or an unknown
	 * code without fields) shows aftercare's text.
	 *
	 * @param Api_Response        $response The 422.
	 * @param array<string,mixed> $body     The request that was sent.
	 * @return array<string,string> Never empty.
	 */
	public static function service_errors( Api_Response $response, array $body ): array {
		$errors = self::map_service_errors( $response->fields, $body );
		if ( ! $errors ) {
			$errors['items'] = ( 'validation_failed' === $response->code || '' === $response->message )
				? __( 'Please check the form.', 'aftercare-for-woocommerce' )
				: $response->message;
		}
		return $errors;
	}

	/**
	 * Maps aftercare's 422 fields onto the form: `items[0].quantity` (index into the items sent)
	 * becomes `items.{line item id}.quantity`, and the message the plugin's own for that field.
	 *
	 * @param array<int,array{field:string,message:string,reason?:string}> $fields Field errors from aftercare.
	 * @param array<string,mixed>                                          $body   The request that was sent.
	 * @return array<string,string>
	 */
	public static function map_service_errors( array $fields, array $body ): array {
		$errors = array();
		$sent   = isset( $body['items'] ) && is_array( $body['items'] ) ? array_values( $body['items'] ) : array();
		foreach ( $fields as $field ) {
			$name = $field['field'];
			$item = null;
			$sub  = '';
			if ( preg_match( '/^items(?:\[(\d+)\]|\.(\d+))(?:\.(\w+))?$/', $name, $m ) ) {
				$index = (int) ( '' !== $m[1] ? $m[1] : $m[2] );
				$sub   = $m[3] ?? '';
				if ( isset( $sent[ $index ]['line_item_id'] ) ) {
					$item = $sent[ $index ];
					$name = 'items.' . (int) $item['line_item_id'] . '.' . ( in_array( $sub, array( 'reason', 'reason_text' ), true ) ? $sub : 'quantity' );
				} else {
					$name = 'items';
					$sub  = '';
				}
			} elseif ( preg_match( '/^photos(?:\[\d+\])?$/', $name ) ) {
				$sub  = 'photos' === $name ? 'count' : 'photo';
				$name = 'photos';
			}
			$reason  = (string) ( $field['reason'] ?? '' );
			$message = '' !== $reason ? self::reason_message( $reason ) : self::field_message( $name, $sub, $item, $body );
			if ( null === $message ) {
				// A field this plugin does not know (a newer aftercare): its sentence, as text.
				$message = $field['message'];
			}
			if ( ! isset( $errors[ $name ] ) ) {
				$errors[ $name ] = $message;
			} elseif ( ! str_contains( $errors[ $name ], $message ) ) {
				$errors[ $name ] .= ' ' . $message;
			}
		}
		return $errors;
	}

	/**
	 * The plugin's sentence for why aftercare refused an item (its `reason` code), or null for
	 * a code this version does not know.
	 *
	 * @param string $reason An eligibility code (`window_closed`, ...), `too_many` or `unknown_item`.
	 */
	private static function reason_message( string $reason ): ?string {
		if ( 'too_many' === $reason ) {
			return __( 'Fewer of this item can be returned now than you asked for. The form shows how many are left.', 'aftercare-for-woocommerce' );
		}
		if ( 'unknown_item' === $reason ) {
			return __( 'This item is not part of this order.', 'aftercare-for-woocommerce' );
		}
		// An eligibility code (`window_closed`, ...): the sentence the form uses for it; the
		// marker comes back for a code Labels does not know.
		$text = Labels::eligibility( $reason, "\0" );
		return "\0" === $text ? null : $text;
	}

	/**
	 * The plugin's sentence for a field aftercare refused, or null for a field it does not know.
	 *
	 * @param string                   $name Form field (items.{id}.quantity, resolution, ...).
	 * @param string                   $sub  What of an item or of the photos was refused.
	 * @param array<string,mixed>|null $item The item sent, for item fields.
	 * @param array<string,mixed>      $body The request that was sent.
	 */
	private static function field_message( string $name, string $sub, ?array $item, array $body ): ?string {
		if ( null !== $item ) {
			switch ( $sub ) {
				case 'quantity':
					return __( 'Fewer of this item can be returned now than you asked for. The form shows how many are left.', 'aftercare-for-woocommerce' );
				case 'reason':
					return __( 'Choose a reason.', 'aftercare-for-woocommerce' );
				case 'reason_text':
					return '' === (string) ( $item['reason_text'] ?? '' )
						? __( 'Tell us a little about the reason.', 'aftercare-for-woocommerce' )
						/* translators: %d: maximum number of characters */
						: sprintf( __( 'Keep this under %d characters.', 'aftercare-for-woocommerce' ), self::MAX_DETAIL_CHARS );
				case 'line_item_id':
				case '':
					return __( 'This item can no longer be returned.', 'aftercare-for-woocommerce' );
				default:
					return null;
			}
		}
		switch ( $name ) {
			case 'items':
				return __( 'Choose at least one item to return.', 'aftercare-for-woocommerce' );
			case 'resolution':
				return __( 'Choose what you would like instead.', 'aftercare-for-woocommerce' );
			case 'comment':
				/* translators: %d: maximum number of characters */
				return sprintf( __( 'Keep this under %d characters.', 'aftercare-for-woocommerce' ), self::MAX_COMMENT_CHARS );
			case 'photos':
				return 'count' === $sub
					/* translators: %d: maximum number of photos */
					? sprintf( __( 'Attach at most %d photos.', 'aftercare-for-woocommerce' ), self::MAX_PHOTOS )
					/* translators: %d: maximum size in megabytes */
					: sprintf( __( 'Each photo must be a JPEG, PNG or WebP image of at most %d MB.', 'aftercare-for-woocommerce' ), self::MAX_PHOTO_BYTES / 1024 / 1024 );
			case 'request':
				return __( 'Please check the form.', 'aftercare-for-woocommerce' );
			default:
				return null;
		}
	}
}
