<?php
/**
 * Real PNG files drawn in plain PHP (no GD needed), for return photos in tests and
 * screenshots.
 *
 * @package Aftercare\Tests
 */

final class Test_Image {

	/**
	 * A truecolour PNG whose every pixel comes from $pixel.
	 *
	 * @param int      $width  Pixels.
	 * @param int      $height Pixels.
	 * @param callable $pixel  fn(int $x, int $y): array{0:int,1:int,2:int} (RGB 0-255).
	 */
	public static function png( int $width, int $height, callable $pixel ): string {
		$raw = '';
		for ( $y = 0; $y < $height; $y++ ) {
			$raw .= "\0"; // Filter: none.
			for ( $x = 0; $x < $width; $x++ ) {
				list( $r, $g, $b ) = $pixel( $x, $y );
				$raw              .= chr( max( 0, min( 255, (int) $r ) ) ) . chr( max( 0, min( 255, (int) $g ) ) ) . chr( max( 0, min( 255, (int) $b ) ) );
			}
		}
		$chunk = static fn( string $type, string $data ) => pack( 'N', strlen( $data ) ) . $type . $data . pack( 'N', crc32( $type . $data ) );
		return "\x89PNG\r\n\x1a\n"
			. $chunk( 'IHDR', pack( 'NNCCCCC', $width, $height, 8, 2, 0, 0, 0 ) )
			. $chunk( 'IDAT', (string) gzcompress( $raw, 6 ) )
			. $chunk( 'IEND', '' );
	}

	/**
	 * A small test picture: a diagonal gradient.
	 *
	 * @param int $width  Pixels.
	 * @param int $height Pixels.
	 */
	public static function gradient( int $width = 48, int $height = 32 ): string {
		return self::png( $width, $height, static fn( $x, $y ) => array( 40 + 4 * $x, 90 + 3 * $y, 160 ) );
	}

	/**
	 * $_FILES['photos'] as PHP builds it for these files (written to temporary files).
	 *
	 * @param array<string,string> $files Name => bytes.
	 * @return array<string,array<int,mixed>>
	 */
	public static function uploads( array $files ): array {
		$upload = array(
			'name'     => array(),
			'tmp_name' => array(),
			'error'    => array(),
			'size'     => array(),
		);
		foreach ( $files as $name => $bytes ) {
			$tmp = tempnam( sys_get_temp_dir(), 'upload' );
			file_put_contents( $tmp, $bytes );
			$upload['name'][]     = $name;
			$upload['tmp_name'][] = $tmp;
			$upload['error'][]    = UPLOAD_ERR_OK;
			$upload['size'][]     = strlen( $bytes );
		}
		return $upload;
	}
}
