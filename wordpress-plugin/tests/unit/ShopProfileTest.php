<?php
/**
 * The shop's profile: what is collected from WordPress and WooCommerce (name, store address,
 * the seller's fields, logo as a small PNG, time zone, address formats), and that a change of
 * any of it queues one debounced background send while the shop is connected.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Admin_Settings;
use Aftercare\Plugin;
use Aftercare\Settings;
use Aftercare\Shop_Profile;

final class ShopProfileTest extends Scripted_Test_Case {

	/** @var string[] Files written by a test. */
	private array $files = array();

	protected function setUp(): void {
		parent::setUp();
		$options = array(
			'blogname'                       => 'Kim &amp; Lee&#039;s Shop',
			'woocommerce_store_address'      => '1 Harbor Way',
			'woocommerce_store_address_2'    => 'Suite 5',
			'woocommerce_store_city'         => 'San Francisco',
			'woocommerce_store_postcode'     => '94105',
			'woocommerce_default_country'    => 'US:CA',
			'woocommerce_email_from_address' => 'shop@example.com',
			'timezone_string'                => 'America/Los_Angeles',
			Settings::TAX_ID_OPTION          => 'US-12-3456789',
			Settings::PHONE_OPTION           => '+1 415 555 0100',
		);
		foreach ( $options as $name => $value ) {
			Stub::$options[ $name ] = $value; // As the shop already had them: no change hooks.
		}
	}

	protected function tearDown(): void {
		foreach ( $this->files as $file ) {
			@unlink( $file );
		}
		parent::tearDown();
	}

	/**
	 * A media library attachment holding $bytes.
	 *
	 * @param int    $id    Attachment id.
	 * @param string $bytes File contents.
	 * @param string $ext   File extension.
	 */
	private function attachment( int $id, string $bytes, string $ext = 'png' ): string {
		$file = sys_get_temp_dir() . '/aftercare-logo-test-' . bin2hex( random_bytes( 4 ) ) . '.' . $ext;
		file_put_contents( $file, $bytes );
		$this->files[]             = $file;
		Stub::$attachments[ $id ] = array(
			'file' => $file,
			'url'  => "https://shop.test/wp-content/uploads/logo-$id.$ext",
		);
		return $file;
	}

	/** Width, height and byte length of a base64 PNG. */
	private static function png_facts( string $base64 ): array {
		$bytes = base64_decode( $base64, true );
		self::assertIsString( $bytes );
		self::assertSame( "\x89PNG\r\n\x1a\n", substr( $bytes, 0, 8 ), 'a PNG' );
		$size = unpack( 'Nwidth/Nheight', substr( $bytes, 16, 8 ) );
		return array( $size['width'], $size['height'], strlen( $bytes ) );
	}

	private function connect_shop(): void {
		$this->configure( self::$server->url );
		Stub::$options[ Settings::CONNECTION_OPTION ] = array( 'connected_at' => time() );
	}

	private static function pending(): array {
		return array_values( array_filter( WC_Stub::$actions, static fn( $a ) => Shop_Profile::HOOK === $a['hook'] ) );
	}

	public function test_collect_reads_the_shop_as_the_wire_contract_says(): void {
		$logo                   = Test_Image::gradient( 120, 40 );
		$this->attachment( 42, $logo );
		Stub::$options['site_logo'] = 42;

		$profile = Shop_Profile::collect();

		$this->assertSame(
			array(
				'name'            => 'Kim & Lee\'s Shop',
				'url'             => 'https://shop.test/',
				'address'         => array(
					'address_1' => '1 Harbor Way',
					'address_2' => 'Suite 5',
					'city'      => 'San Francisco',
					'state'     => 'CA',
					'postcode'  => '94105',
					'country'   => 'US',
				),
				'tax_id'          => 'US-12-3456789',
				'email'           => 'shop@example.com',
				'phone'           => '+1 415 555 0100',
				'logo_url'        => 'https://shop.test/wp-content/uploads/logo-42.png',
				'logo_png'        => base64_encode( $logo ),
				'timezone'        => 'America/Los_Angeles',
				'locale'          => 'en_US',
				'name_format'     => '%1$s %2$s',
				'address_formats' => array(
					'default' => "{name}\n{company}\n{address_1}\n{address_2}\n{city}\n{state}\n{postcode}\n{country}",
					'US'      => "{name}\n{company}\n{address_1}\n{address_2}\n{city}, {state_code} {postcode}\n{country}",
				),
				'countries'       => array(
					'KR' => 'South Korea',
					'US' => 'United States (US)',
				),
				// Only countries that have states; KR has none.
				'states'          => array( 'US' => array( 'CA' => 'California', 'NY' => 'New York' ) ),
			),
			json_decode( (string) wp_json_encode( $profile ), true ),
			'the logo is small enough to be sent as it is'
		);
		// Maps stay JSON objects even when empty.
		Stub::$options['woocommerce_specific_allowed_countries'] = array( 'KR' );
		Stub::$options['woocommerce_default_country']            = 'KR';
		$this->assertStringContainsString( '"states":{}', (string) wp_json_encode( Shop_Profile::collect() ) );
	}

	public function test_empty_fields_are_null_and_an_offset_stands_for_the_zone(): void {
		Stub::$options[ Settings::TAX_ID_OPTION ]          = '';
		unset( Stub::$options[ Settings::PHONE_OPTION ], Stub::$options['woocommerce_email_from_address'], Stub::$options['timezone_string'] );
		Stub::$options['gmt_offset'] = 9;
		Stub::$options['WPLANG']     = 'ko_KR';
		Stub::$translations["full name\x04%1\$s %2\$s"] = array( '%2$s%1$s' );

		$profile = Shop_Profile::collect();

		$this->assertNull( $profile['tax_id'] );
		$this->assertNull( $profile['phone'] );
		$this->assertNull( $profile['email'] );
		$this->assertNull( $profile['logo_url'] );
		$this->assertNull( $profile['logo_png'] );
		$this->assertSame( '+09:00', $profile['timezone'] );
		$this->assertSame( 'ko_KR', $profile['locale'] );
		$this->assertSame( '%2$s%1$s', $profile['name_format'], 'the name order in the shop\'s language' );
	}

	public function test_a_wide_logo_is_sent_as_a_png_at_most_600_pixels_wide(): void {
		$this->attachment( 7, Test_Image::gradient( 900, 300 ) );
		$this->attachment( 8, Test_Image::gradient( 50, 50 ) );
		Stub::$options['site_logo'] = 8;
		set_theme_mod( 'custom_logo', 7 ); // A classic theme's logo comes first.

		$profile = Shop_Profile::collect();

		$this->assertSame( 'https://shop.test/wp-content/uploads/logo-7.png', $profile['logo_url'] );
		list( $width, $height ) = self::png_facts( $profile['logo_png'] );
		$this->assertSame( array( 600, 200 ), array( $width, $height ) );
	}

	public function test_a_jpeg_logo_is_converted_to_png(): void {
		$image = imagecreatetruecolor( 200, 80 );
		imagefill( $image, 0, 0, imagecolorallocate( $image, 30, 90, 160 ) );
		ob_start();
		imagejpeg( $image );
		$this->attachment( 9, (string) ob_get_clean(), 'jpg' );
		Stub::$options['site_logo'] = 9;

		list( $width, $height ) = self::png_facts( Shop_Profile::collect()['logo_png'] );

		$this->assertSame( array( 200, 80 ), array( $width, $height ) );
		$this->assertNotEmpty( Stub::$registered['tempfiles'] ?? array() );
		foreach ( Stub::$registered['tempfiles'] as $temp ) {
			$this->assertFileDoesNotExist( $temp );
			$this->assertFileDoesNotExist( $temp . '.png', 'the converted copy is removed too' );
		}
	}

	public function test_a_heavy_logo_is_made_smaller_until_it_fits(): void {
		// Noise does not compress: 600 x 400 pixels of it are far more than 512 KiB.
		mt_srand( 13 );
		$noise = Test_Image::png( 600, 400, static fn() => array( mt_rand( 0, 255 ), mt_rand( 0, 255 ), mt_rand( 0, 255 ) ) );
		$this->assertGreaterThan( Shop_Profile::LOGO_MAX_BYTES, strlen( $noise ) );
		$this->attachment( 10, $noise );
		Stub::$options['site_logo'] = 10;

		list( $width, , $bytes ) = self::png_facts( Shop_Profile::collect()['logo_png'] );

		$this->assertLessThanOrEqual( Shop_Profile::LOGO_MAX_WIDTH, $width );
		$this->assertLessThanOrEqual( Shop_Profile::LOGO_MAX_BYTES, $bytes );
	}

	public function test_a_logo_the_image_editor_cannot_read_is_skipped_not_the_profile(): void {
		$this->attachment( 11, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 'svg' );
		Stub::$options['site_logo'] = 11;

		$profile = Shop_Profile::collect();

		$this->assertNull( $profile['logo_png'] );
		$this->assertSame( 'https://shop.test/wp-content/uploads/logo-11.svg', $profile['logo_url'], 'the page can still show it' );
		$this->assertSame( 'Kim & Lee\'s Shop', $profile['name'] );
		$this->assertSame( '1 Harbor Way', $profile['address']['address_1'] );
	}

	public function test_a_change_queues_one_debounced_send_while_connected(): void {
		$this->connect_shop();

		update_option( 'blogname', 'Aftercare Test Shop' );
		update_option( 'woocommerce_store_city', 'Oakland' );
		update_option( 'woocommerce_store_address_2', '' );
		update_option( Settings::TAX_ID_OPTION, 'US-98-7654321', false );
		set_theme_mod( 'custom_logo', 12 );

		$pending = self::pending();
		$this->assertCount( 1, $pending, 'one send for all the changes' );
		$this->assertSame( Shop_Profile::GROUP, $pending[0]['group'] );
		$this->assertSame( array(), $pending[0]['args'] );
		$this->assertTrue( $pending[0]['unique'] );
		$this->assertEqualsWithDelta( time() + Shop_Profile::DEBOUNCE, $pending[0]['timestamp'], 2 );

		// Another request changes the zone while the send is still pending: still one.
		( new ReflectionProperty( Shop_Profile::class, 'queued_until' ) )->setValue( null, 0 );
		update_option( 'timezone_string', 'Asia/Seoul' );
		$this->assertCount( 1, self::pending() );
	}

	public function test_each_part_of_the_profile_is_watched(): void {
		$this->connect_shop();
		$changes = array(
			'blogname'                    => 'New name',
			'woocommerce_store_address'   => '2 Harbor Way',
			'woocommerce_store_postcode'  => '94107',
			'woocommerce_default_country' => 'US:NY',
			'gmt_offset'                  => -7,
			'site_logo'                   => 5,
			Settings::PHONE_OPTION        => '+1 415 555 0199',
		);
		foreach ( $changes as $option => $value ) {
			WC_Stub::$actions = array();
			( new ReflectionProperty( Shop_Profile::class, 'queued_until' ) )->setValue( null, 0 );
			update_option( $option, $value );
			$this->assertCount( 1, self::pending(), $option );
		}
		WC_Stub::$actions = array();
		( new ReflectionProperty( Shop_Profile::class, 'queued_until' ) )->setValue( null, 0 );
		delete_option( 'site_logo' );
		$this->assertCount( 1, self::pending(), 'a removed logo' );
	}

	public function test_nothing_is_queued_for_other_changes_or_an_unconnected_shop(): void {
		$this->connect_shop();
		update_option( 'blogname', 'Kim &amp; Lee&#039;s Shop' ); // Unchanged.
		update_option( 'woocommerce_currency', 'EUR' );
		set_theme_mod( 'background_color', 'fff' );
		$this->assertSame( array(), self::pending() );

		delete_option( Settings::CONNECTION_OPTION );
		update_option( 'blogname', 'Renamed before Connect' );
		$this->assertSame( array(), self::pending(), 'Connect sends it the first time' );
	}

	public function test_the_background_send_puts_the_profile_and_retries_only_an_outage(): void {
		$this->connect_shop();
		self::$server->script( array( 'PUT /api/v1/store/profile' => array( 'json' => array( 'name' => 'x' ) ) ) );

		do_action( Shop_Profile::HOOK );

		$put = self::$server->requests()[0];
		$this->assertSame( 'PUT', $put['method'] );
		$this->assertSame( 'Bearer test-api-key-0123456789', $put['headers']['authorization'] );
		$this->assertSame( 'application/json', $put['headers']['content-type'] );
		$this->assertSame( 'Kim & Lee\'s Shop', json_decode( $put['body'], true )['name'] );
		$this->assertSame( array(), self::pending() );

		self::$server->script( array( 'PUT /api/v1/store/profile' => array( 'status' => 503, 'json' => array( 'error' => array( 'code' => 'unavailable', 'message' => 'x' ) ) ) ) );
		do_action( Shop_Profile::HOOK );
		$retry = self::pending();
		$this->assertCount( 1, $retry );
		$this->assertSame( array( 2 ), $retry[0]['args'] );
		$this->assertEqualsWithDelta( time() + Shop_Profile::RETRY_DELAY, $retry[0]['timestamp'], 2 );
		WC_Stub::$actions = array();
		do_action( Shop_Profile::HOOK, Shop_Profile::MAX_ATTEMPTS );
		$this->assertSame( array(), self::pending(), 'it gives up after the last attempt' );

		self::$server->script( array( 'PUT /api/v1/store/profile' => array( 'status' => 422, 'json' => array( 'error' => array( 'code' => 'validation_failed', 'message' => 'x', 'fields' => array( array( 'field' => 'timezone', 'message' => 'is not a known time zone' ) ) ) ) ) ) );
		Stub::$log = array();
		do_action( Shop_Profile::HOOK );
		$this->assertSame( array(), self::pending(), 'a refusal is not retried' );
		$this->assertStringContainsString( 'timezone: is not a known time zone', Stub::$log[0]['message'] );
	}

	public function test_the_settings_save_the_seller_fields_and_refuse_bad_ones(): void {
		Stub::$admin = true;
		Stub::login( 1, array( 'manage_woocommerce' ) );
		$errors = Admin_Settings::save(
			array(
				Settings::TAX_ID_OPTION => " <b>DE123456789</b>\n",
				Settings::PHONE_OPTION  => ' +49 30 1234-5678 ',
			)
		);
		$this->assertSame( array(), $errors );
		$this->assertSame( 'DE123456789', Settings::tax_id() );
		$this->assertSame( '+49 30 1234-5678', Settings::phone() );
		$this->assertFalse( Stub::$autoload[ Settings::TAX_ID_OPTION ] );

		$errors = Admin_Settings::save( array( Settings::PHONE_OPTION => 'call me', Settings::TAX_ID_OPTION => str_repeat( 'x', 65 ) ) );
		$this->assertCount( 2, $errors );
		$this->assertSame( '+49 30 1234-5678', Settings::phone(), 'a refused value changes nothing' );
		$this->assertSame( 'DE123456789', Settings::tax_id() );

		$html = Admin_Settings::tab();
		$xpath = self::dom( $html );
		$this->assertSame( 'DE123456789', $xpath->query( '//input[@name="aftercare_seller_tax_id"]/@value' )->item( 0 )->nodeValue );
		$this->assertSame( '+49 30 1234-5678', $xpath->query( '//input[@name="aftercare_seller_phone"]/@value' )->item( 0 )->nodeValue );
		$this->assertStringContainsString( 'Tax number on invoices', $html );
		$this->assertStringContainsString( 'store address from WooCommerce', $html );
	}

	public function test_deactivation_drops_a_queued_send(): void {
		$this->connect_shop();
		update_option( 'blogname', 'Renamed' );
		$this->assertCount( 1, self::pending() );
		Plugin::deactivate();
		$this->assertSame( array(), self::pending() );
	}
}
