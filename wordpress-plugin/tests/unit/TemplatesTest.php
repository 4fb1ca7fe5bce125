<?php
/**
 * Templates load through WooCommerce's wc_get_template_html(): a theme's aftercare/ copy wins
 * over the plugin's own, a child theme's over its parent's, and the variables reach either.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Template;

final class TemplatesTest extends Plugin_Test_Case {

	private string $themes = '';

	protected function setUp(): void {
		parent::setUp();
		$this->themes = sys_get_temp_dir() . '/aftercare-themes-' . bin2hex( random_bytes( 6 ) );
	}

	protected function tearDown(): void {
		exec( 'rm -rf ' . escapeshellarg( $this->themes ) );
		parent::tearDown();
	}

	/**
	 * Puts a file into a theme of the temporary themes folder.
	 */
	private function theme_file( string $theme, string $path, string $php ): string {
		$file = $this->themes . '/' . $theme . '/' . $path;
		if ( ! is_dir( dirname( $file ) ) ) {
			mkdir( dirname( $file ), 0700, true );
		}
		file_put_contents( $file, $php );
		return $this->themes . '/' . $theme;
	}

	private static function documents(): string {
		return Template::render(
			'parts/documents',
			array(
				'invoice'  => array( 'number' => 'INV-7', 'issued_at' => '2026-11-16T09:00:00Z' ),
				'credits'  => array(),
				'currency' => 'EUR',
				'download' => static function (): void {},
			)
		);
	}

	public function test_without_an_override_the_plugins_template_renders(): void {
		Stub::$theme = $this->theme_file( 'plain', 'style.css', '' );
		$this->assertStringContainsString( 'Invoice <strong>INV-7</strong>, issued November 16, 2026.', self::documents() );
	}

	public function test_a_themes_copy_under_aftercare_wins_with_the_same_variables(): void {
		Stub::$theme = $this->theme_file( 'shop', 'aftercare/parts/documents.php', '<p class="theme">Theme: <?php echo esc_html( $invoice["number"] . " " . $currency ); ?></p>' );
		$this->assertSame( '<p class="theme">Theme: INV-7 EUR</p>', self::documents() );

		// Through a page the plugin renders, too: the guest tracking form.
		$this->theme_file( 'shop', 'aftercare/guest-track.php', '<form class="theme-track"><?php echo esc_html( $posted["number"] ); ?></form>' );
		$this->assertSame( '<form class="theme-track">1002</form>', \Aftercare\Guest_Tracking::render( null, array( 'number' => '1002' ) ) );
	}

	public function test_a_child_themes_copy_wins_over_its_parents(): void {
		Stub::$parent_theme = $this->theme_file( 'parent', 'aftercare/parts/documents.php', 'parent' );
		$this->assertSame( 'parent', self::documents(), 'the parent theme is searched after the child' );
		Stub::$theme = $this->theme_file( 'child', 'aftercare/parts/documents.php', 'child' );
		$this->assertSame( 'child', self::documents() );
	}
}
