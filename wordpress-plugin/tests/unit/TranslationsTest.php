<?php
/**
 * The .pot matches the sources, and the Korean translation is complete and compiled.
 *
 * @package Aftercare\Tests
 */

final class TranslationsTest extends Plugin_Test_Case {

	private const LANG = AFTERCARE_PLUGIN_DIR . '/languages';

	protected function setUp(): void {
		parent::setUp();
		foreach ( array( 'xgettext', 'msgfmt', 'msgcmp' ) as $tool ) {
			exec( 'command -v ' . $tool, $out, $code );
			if ( 0 !== $code ) {
				if ( getenv( 'CI' ) ) {
					$this->fail( "$tool (gettext) is required in CI" );
				}
				$this->markTestSkipped( "$tool (gettext) is not installed" );
			}
		}
	}

	public function test_pot_is_up_to_date_with_the_sources(): void {
		$fresh = tempnam( sys_get_temp_dir(), 'pot' );
		exec( escapeshellarg( dirname( __DIR__, 2 ) . '/tools/i18n.sh' ) . ' --pot ' . escapeshellarg( $fresh ) . ' 2>&1', $out, $code );
		$this->assertSame( 0, $code, implode( "\n", $out ) );
		// Source line references move with every edit; the strings and translator comments must not.
		$strip = static fn( string $pot ) => preg_replace( '/^#: .*\n/m', '', $pot );
		$this->assertSame( $strip( (string) file_get_contents( self::LANG . '/aftercare-for-woocommerce.pot' ) ), $strip( (string) file_get_contents( $fresh ) ), 'run wordpress-plugin/tools/i18n.sh' );
		unlink( $fresh );
	}

	public function test_korean_translates_every_string_without_fuzzy_entries(): void {
		exec( 'msgcmp ' . escapeshellarg( self::LANG . '/aftercare-for-woocommerce-ko_KR.po' ) . ' ' . escapeshellarg( self::LANG . '/aftercare-for-woocommerce.pot' ) . ' 2>&1', $out, $code );
		$this->assertSame( 0, $code, implode( "\n", $out ) );
		$po = (string) file_get_contents( self::LANG . '/aftercare-for-woocommerce-ko_KR.po' );
		$this->assertStringNotContainsString( '#, fuzzy', $po );
		$this->assertStringContainsString( 'msgstr "반품"', $po );
	}

	public function test_mo_is_compiled_from_the_po_and_keeps_placeholders(): void {
		$fresh = tempnam( sys_get_temp_dir(), 'mo' );
		exec( 'msgfmt --check -o ' . escapeshellarg( $fresh ) . ' ' . escapeshellarg( self::LANG . '/aftercare-for-woocommerce-ko_KR.po' ) . ' 2>&1', $out, $code );
		$this->assertSame( 0, $code, implode( "\n", $out ) );
		$this->assertSame( md5_file( $fresh ), md5_file( self::LANG . '/aftercare-for-woocommerce-ko_KR.mo' ), 'run wordpress-plugin/tools/i18n.sh' );
		unlink( $fresh );
	}

	public function test_every_string_uses_the_text_domain(): void {
		$functions = array( '__', '_e', '_n', '_x', 'esc_html__', 'esc_html_e', 'esc_attr__', 'esc_attr_e' );
		$calls     = 0;
		foreach ( glob( AFTERCARE_PLUGIN_DIR . '/{*.php,includes/*.php,templates/*.php,templates/*/*.php,templates/*/*/*.php}', GLOB_BRACE ) as $file ) {
			$tokens = token_get_all( (string) file_get_contents( $file ) );
			foreach ( $tokens as $i => $token ) {
				if ( ! is_array( $token ) || T_STRING !== $token[0] || ! in_array( $token[1], $functions, true ) || '(' !== ( $tokens[ $i + 1 ] ?? null ) ) {
					continue;
				}
				// The last string argument at the call's own depth is the text domain.
				$depth  = 0;
				$last   = '';
				for ( $j = $i + 1; $j < count( $tokens ); $j++ ) {
					$t = $tokens[ $j ];
					if ( '(' === $t ) {
						++$depth;
					} elseif ( ')' === $t && 0 === --$depth ) {
						break;
					} elseif ( 1 === $depth && is_array( $t ) && T_CONSTANT_ENCAPSED_STRING === $t[0] ) {
						$last = $t[1];
					}
				}
				++$calls;
				$this->assertSame( "'aftercare-for-woocommerce'", $last, basename( $file ) . ' line ' . $token[2] );
			}
		}
		$this->assertGreaterThan( 200, $calls );
	}
}
