<?php
/**
 * The shop's own facts for aftercare: name, address, logo, time zone and WooCommerce's address
 * formats, sent with PUT /api/v1/store/profile at Connect and again whenever they change.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Collects the profile from WordPress and WooCommerce and keeps aftercare's copy current.
 *
 * aftercare prints the seller on invoices, the tracking page's header and every date from this
 * profile, so it must not wait for someone to press Connect again: a change of the shop's name,
 * address, time zone or logo queues one background send (Action Scheduler, debounced).
 */
final class Shop_Profile {

	public const PATH = '/api/v1/store/profile';
	/** The Action Scheduler hook and group of the background send. */
	public const HOOK  = 'aftercare_send_shop_profile';
	public const GROUP = 'aftercare';
	/** Seconds a change waits, so that one settings screen saving ten options sends once. */
	public const DEBOUNCE = 10;
	/** A failed background send (aftercare down) is tried again this much later, a few times. */
	public const RETRY_DELAY  = 300;
	public const MAX_ATTEMPTS = 3;
	/** The body carries a logo: more than a page's short wait. */
	public const TIMEOUT = 10;
	/** What aftercare accepts as logo_png. */
	public const LOGO_MAX_WIDTH = 600;
	public const LOGO_MAX_BYTES = 524288;

	/** The options the profile is made of; a change of any of them re-sends it. */
	public const WATCHED_OPTIONS = array(
		'blogname',
		'woocommerce_store_address',
		'woocommerce_store_address_2',
		'woocommerce_store_city',
		'woocommerce_store_postcode',
		'woocommerce_default_country',
		'woocommerce_email_from_address',
		'timezone_string',
		'gmt_offset',
		'site_logo',
		Settings::TAX_ID_OPTION,
		Settings::PHONE_OPTION,
	);

	/** Until when a send queued by this request is pending (no need to ask Action Scheduler again). */
	private static int $queued_until = 0;

	public static function register(): void {
		add_action( self::HOOK, array( self::class, 'run' ) );
		foreach ( self::WATCHED_OPTIONS as $option ) {
			add_action( 'add_option_' . $option, array( self::class, 'changed' ), 10, 0 );
			add_action( 'update_option_' . $option, array( self::class, 'changed' ), 10, 0 );
			add_action( 'delete_option_' . $option, array( self::class, 'changed' ), 10, 0 );
		}
		// A classic theme keeps its logo in a theme mod; a new theme brings its own.
		add_action( 'add_option_theme_mods_' . get_stylesheet(), array( self::class, 'theme_mods_added' ), 10, 2 );
		add_action( 'update_option_theme_mods_' . get_stylesheet(), array( self::class, 'theme_mods_changed' ), 10, 2 );
		add_action( 'after_switch_theme', array( self::class, 'changed' ), 10, 0 );
	}

	/**
	 * The profile as the wire contract has it.
	 *
	 * @return array<string,mixed>
	 */
	public static function collect(): array {
		// Country names and the name order in the shop's language, not the admin's.
		$switched = function_exists( 'determine_locale' ) && function_exists( 'wc_switch_to_site_locale' )
			&& determine_locale() !== get_locale();
		if ( $switched ) {
			wc_switch_to_site_locale();
		}
		try {
			// WC()->countries caches its names in the language it was first asked in.
			$countries = $switched && class_exists( '\WC_Countries' ) ? new \WC_Countries() : WC()->countries;
			$base      = (string) $countries->get_base_country();
			$logo      = self::logo();
			return array(
				'name'            => trim( html_entity_decode( (string) get_bloginfo( 'name' ), ENT_QUOTES | ENT_HTML5, 'UTF-8' ) ),
				'url'             => home_url( '/' ),
				'address'         => array(
					'address_1' => (string) $countries->get_base_address(),
					'address_2' => (string) $countries->get_base_address_2(),
					'city'      => (string) $countries->get_base_city(),
					'state'     => (string) $countries->get_base_state(),
					'postcode'  => (string) $countries->get_base_postcode(),
					'country'   => $base,
				),
				'tax_id'          => self::or_null( Settings::tax_id() ),
				'email'           => self::or_null( sanitize_email( (string) get_option( 'woocommerce_email_from_address', '' ) ) ),
				'phone'           => self::or_null( Settings::phone() ),
				'logo_url'        => $logo['url'],
				'logo_png'        => null === $logo['png'] ? null : base64_encode( $logo['png'] ), // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the contract's encoding of the logo.
				'timezone'        => wp_timezone_string(),
				'locale'          => get_locale(),
				// WooCommerce's own string (its text domain), as get_formatted_address() uses it.
				'name_format'     => translate_with_gettext_context( '%1$s %2$s', 'full name', 'woocommerce' ),
				'address_formats' => (object) $countries->get_address_formats(),
				'countries'       => (object) $countries->get_countries(),
				'states'          => (object) self::states( $countries, $base ),
			);
		} finally {
			if ( $switched ) {
				wc_restore_locale();
			}
		}
	}

	/**
	 * Sends the profile.
	 *
	 * @param Api_Client $client The saved settings' client.
	 */
	public static function send( Api_Client $client ): Api_Response {
		return $client->put_json( self::PATH, self::collect(), array( 'timeout' => self::TIMEOUT ) );
	}

	/**
	 * What Connect says about the send, for the admin.
	 *
	 * @param Api_Response $response The answer to the send.
	 * @return array{refused:bool,lines:string[]}
	 */
	public static function explain( Api_Response $response ): array {
		if ( $response->ok() ) {
			$seller = Data::str( Data::obj( $response->data, 'seller' ), 'name' );
			$zone   = Data::str( Data::obj( $response->data, 'timezone' ), 'name' );
			$line   = '' !== $seller && '' !== $zone
				/* translators: 1: the seller's name on invoices, 2: a time zone such as America/Los_Angeles */
				? sprintf( __( 'The shop\'s details are sent: invoices name "%1$s" as the seller, and dates use the time zone %2$s.', 'aftercare-for-woocommerce' ), $seller, $zone )
				: __( 'The shop\'s details are sent.', 'aftercare-for-woocommerce' );
			return array(
				'refused' => false,
				'lines'   => array( $line ),
			);
		}
		if ( $response->missing_endpoint() ) {
			return array(
				'refused' => false,
				'lines'   => array( __( 'The shop\'s details were not sent: this aftercare is too old to receive them (PUT /api/v1/store/profile). Update aftercare so that invoices and the tracking page show the shop\'s name, address and time zone.', 'aftercare-for-woocommerce' ) ),
			);
		}
		if ( 422 === $response->status ) {
			$errors = array_map(
				static fn( $field ) => '' !== $field['field'] ? $field['field'] . ': ' . $field['message'] : $field['message'],
				$response->fields
			);
			return array(
				'refused' => true,
				'lines'   => array(
					sprintf(
						/* translators: %s: aftercare's reasons, such as "name: must not be empty" */
						__( 'aftercare refused the shop\'s details: %s. Correct them in WooCommerce → Settings → General or below, then press Connect again.', 'aftercare-for-woocommerce' ),
						$errors ? implode( '; ', $errors ) : ( '' !== $response->message ? $response->message : $response->code )
					),
				),
			);
		}
		return array(
			'refused' => false,
			'lines'   => array_merge(
				array( __( 'The shop\'s details could not be sent now; they are sent again in a few minutes.', 'aftercare-for-woocommerce' ) ),
				Connector::explain( $response )
			),
		);
	}

	/**
	 * Something the profile is made of changed: queue one send, if aftercare is connected.
	 */
	public static function changed(): void {
		if ( self::$queued_until > time() || ! Settings::is_connected() ) {
			return;
		}
		if ( self::schedule( self::DEBOUNCE ) ) {
			self::$queued_until = time() + self::DEBOUNCE;
		}
	}

	/**
	 * Theme mods are one option: only a changed logo matters.
	 *
	 * @param mixed $old   The theme mods before.
	 * @param mixed $value The theme mods now.
	 */
	public static function theme_mods_changed( $old, $value ): void {
		$before = is_array( $old ) ? ( $old['custom_logo'] ?? null ) : null;
		$after  = is_array( $value ) ? ( $value['custom_logo'] ?? null ) : null;
		if ( (int) $before !== (int) $after ) {
			self::changed();
		}
	}

	/**
	 * The theme's first mods.
	 *
	 * @param string $option The option's name.
	 * @param mixed  $value  The theme mods.
	 */
	public static function theme_mods_added( $option, $value ): void {
		self::theme_mods_changed( array(), $value );
	}

	/**
	 * Queues the background send.
	 *
	 * @param int $delay   Seconds from now.
	 * @param int $attempt Which try this is (1 for a change).
	 * @return bool Whether a send is (or will be) queued.
	 */
	public static function schedule( int $delay, int $attempt = 1 ): bool {
		if ( ! function_exists( 'as_schedule_single_action' ) ) {
			return false;
		}
		if ( ! did_action( 'action_scheduler_init' ) ) {
			// Options can change before Action Scheduler is ready (early in a request).
			add_action( 'action_scheduler_init', static fn() => self::schedule( $delay, $attempt ) );
			return true;
		}
		$args = $attempt > 1 ? array( $attempt ) : array();
		// A retry is queued by the running send, which counts as "the same action" for
		// uniqueness: only a change's send is unique.
		return (bool) as_schedule_single_action( time() + $delay, self::HOOK, $args, self::GROUP, 1 === $attempt );
	}

	/**
	 * Drops queued sends (the plugin is deactivated or uninstalled).
	 */
	public static function unschedule(): void {
		if ( function_exists( 'as_unschedule_all_actions' ) && did_action( 'action_scheduler_init' ) ) {
			as_unschedule_all_actions( self::HOOK );
		}
	}

	/**
	 * The background send (Action Scheduler runs it).
	 *
	 * @param int $attempt Which try this is.
	 */
	public static function run( $attempt = 1 ): void {
		$attempt = max( 1, (int) $attempt );
		if ( ! Settings::is_connected() ) {
			return;
		}
		$response = self::send( Api_Client::from_settings() );
		if ( $response->ok() ) {
			return;
		}
		$said = self::explain( $response );
		if ( function_exists( 'wc_get_logger' ) ) {
			// The shop's own details and aftercare's reasons: no customer data, no key.
			wc_get_logger()->warning( implode( ' ', $said['lines'] ), array( 'source' => 'aftercare' ) );
		}
		if ( $response->unavailable() && $attempt < self::MAX_ATTEMPTS ) {
			self::schedule( self::RETRY_DELAY * $attempt, $attempt + 1 );
		}
	}

	/**
	 * The logo's URL and, when it can be had within aftercare's limits, its PNG bytes.
	 *
	 * @return array{url:?string,png:?string}
	 */
	private static function logo(): array {
		$id = (int) get_theme_mod( 'custom_logo' );
		if ( ! $id ) {
			$id = (int) get_option( 'site_logo' );
		}
		if ( ! $id ) {
			return array(
				'url' => null,
				'png' => null,
			);
		}
		$url  = wp_get_attachment_url( $id );
		$file = get_attached_file( $id );
		return array(
			'url' => is_string( $url ) && '' !== $url ? $url : null,
			// Without a PNG (an SVG logo, no image library) the tracking page still has the URL.
			'png' => is_string( $file ) && '' !== $file ? self::png( $file ) : null,
		);
	}

	/**
	 * The image as a PNG at most LOGO_MAX_WIDTH wide and LOGO_MAX_BYTES long, or null.
	 *
	 * @param string $file The attachment's file.
	 */
	private static function png( string $file ): ?string {
		if ( ! is_readable( $file ) ) {
			return null;
		}
		$bytes = (string) file_get_contents( $file ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- a local upload.
		$width = self::png_width( $bytes );
		if ( null !== $width && $width <= self::LOGO_MAX_WIDTH && strlen( $bytes ) <= self::LOGO_MAX_BYTES ) {
			return $bytes;
		}
		// Another format, too wide or too heavy: WordPress's image editor makes a PNG of it,
		// at half the width if the full width is still too heavy.
		foreach ( array( self::LOGO_MAX_WIDTH, (int) ( self::LOGO_MAX_WIDTH / 2 ) ) as $max_width ) {
			$png = self::converted( $file, $max_width );
			if ( null === $png ) {
				return null;
			}
			if ( strlen( $png ) <= self::LOGO_MAX_BYTES ) {
				return $png;
			}
		}
		return null;
	}

	/**
	 * The image re-encoded as PNG, no wider than $max_width, or null when WordPress cannot.
	 *
	 * @param string $file      Image file.
	 * @param int    $max_width Pixels.
	 */
	private static function converted( string $file, int $max_width ): ?string {
		$editor = wp_get_image_editor( $file );
		if ( is_wp_error( $editor ) ) {
			return null;
		}
		$size = $editor->get_size();
		if ( (int) ( $size['width'] ?? 0 ) > $max_width && is_wp_error( $editor->resize( $max_width, null ) ) ) {
			return null;
		}
		if ( ! function_exists( 'wp_tempnam' ) ) {
			// Only wp-admin loads it; a background send runs from cron or the command line.
			require_once ABSPATH . 'wp-admin/includes/file.php';
		}
		$target = wp_tempnam( 'aftercare-logo.png' );
		$saved  = $editor->save( $target, 'image/png' );
		$png    = null;
		if ( is_array( $saved ) && ! empty( $saved['path'] ) && is_readable( $saved['path'] ) ) {
			$bytes = (string) file_get_contents( $saved['path'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- our own temporary file.
			$width = self::png_width( $bytes );
			$png   = null !== $width && $width <= self::LOGO_MAX_WIDTH ? $bytes : null;
			if ( $saved['path'] !== $target ) {
				wp_delete_file( $saved['path'] );
			}
		}
		wp_delete_file( $target );
		return $png;
	}

	/**
	 * A PNG's width from its header, or null when the bytes are not a PNG.
	 *
	 * @param string $bytes File contents.
	 */
	private static function png_width( string $bytes ): ?int {
		if ( strlen( $bytes ) < 24 || "\x89PNG\r\n\x1a\n" !== substr( $bytes, 0, 8 ) || 'IHDR' !== substr( $bytes, 12, 4 ) ) {
			return null;
		}
		return (int) unpack( 'N', substr( $bytes, 16, 4 ) )[1];
	}

	/**
	 * States of the countries the shop sells and ships to, and of its own.
	 *
	 * @param \WC_Countries|object $countries WooCommerce's countries.
	 * @param string               $base      The shop's country.
	 * @return array<string,object>
	 */
	private static function states( $countries, string $base ): array {
		$codes  = array_keys( (array) $countries->get_allowed_countries() + (array) $countries->get_shipping_countries() );
		$codes  = array_unique( array_merge( '' !== $base ? array( $base ) : array(), array_map( 'strval', $codes ) ) );
		$states = array();
		foreach ( $codes as $code ) {
			$list = $countries->get_states( $code );
			if ( is_array( $list ) && $list ) {
				$states[ $code ] = (object) $list;
			}
		}
		ksort( $states );
		return $states;
	}

	/**
	 * Empty text is "none" on the wire.
	 *
	 * @param string $text A trimmed value.
	 */
	private static function or_null( string $text ): ?string {
		return '' === $text ? null : $text;
	}
}
