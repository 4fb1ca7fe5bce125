<?php
/**
 * A small stand-in for the WordPress functions the plugin uses, so its code runs under
 * PHPUnit without WordPress. Behaviour follows WordPress where the plugin depends on it
 * (escaping, hooks, options with autoload, transients with expiry, nonces bound to the user,
 * the HTTP API's arguments and response shape). HTTP is real: cURL, like WordPress's own
 * transport.
 *
 * @package Aftercare\Tests
 */

// phpcs:disable

/**
 * State of the stand-in, reset between tests.
 */
final class Stub {
	/** @var array<string,array<int,array<int,callable>>> */
	public static array $hooks = array();
	/** @var array<string,mixed> */
	public static array $options = array();
	/** @var array<string,bool> Autoload flag per option. */
	public static array $autoload = array();
	/** @var array<string,array{value:mixed,expires:int}> */
	public static array $transients = array();
	public static int $user_id = 0;
	/** @var array<int,string[]> Capabilities by user. */
	public static array $caps = array();
	/** @var array<int,string> Display names by user. */
	public static array $names = array();
	/** @var array<int,array<string,mixed>> Every HTTP request made. */
	public static array $http = array();
	/** @var array<int,array{message:string,type:string}> wc_add_notice() calls. */
	public static array $wc_notices = array();
	/**
	 * Loaded translations (msgid, or context EOT msgid => msgstr list), as a .mo file gives
	 * them to WordPress; empty means English.
	 *
	 * @var array<string,string[]>
	 */
	public static array $translations = array();
	/** @var array<int,array<string,mixed>> User meta by user. */
	public static array $user_meta = array();
	/** @var array<int,array{level:string,message:string}> WooCommerce log lines. */
	public static array $log = array();
	/** @var array<string,mixed> Registrations: shortcodes, endpoints, menus, boxes, blocks... */
	public static array $registered = array();
	public static int $now_offset = 0;
	/**
	 * Whether this is an admin request (wp-admin/, admin-post.php, admin-ajax.php): WordPress
	 * defines WP_ADMIN there, and WooCommerce then loads no front-end parts (notices, session).
	 */
	public static bool $admin = false;
	/** Whether this is admin-ajax.php (an admin request WooCommerce still treats as front end). */
	public static bool $ajax = false;
	/** The active theme's folder (get_stylesheet_directory()); '' for none with templates. */
	public static string $theme = '';
	/** Its parent theme's folder (get_template_directory()) when it is a child theme. */
	public static string $parent_theme = '';
	/** @var array<int,array{file:string,url:string}> Media library attachments by id. */
	public static array $attachments = array();
	/** @var array<string,int> How often each action ran (did_action()); like hooks, per process. */
	public static array $did = array();

	public static function reset(): void {
		self::$admin      = false;
		self::$ajax       = false;
		self::$theme        = '';
		self::$parent_theme = '';
		self::$options    = array(
			'date_format' => 'F j, Y',
			'time_format' => 'H:i',
		);
		self::$autoload   = array();
		self::$transients = array();
		self::$user_id    = 0;
		self::$caps       = array();
		self::$names      = array();
		self::$http       = array();
		self::$wc_notices = array();
		self::$log        = array();
		self::$translations = array();
		self::$user_meta    = array();
		self::$attachments  = array();
		// A WordPress site always has a name (the installer asks for it).
		self::$options['blogname'] = 'Aftercare Stub Shop';
	}

	/**
	 * Loads a compiled .mo file (GNU gettext's format) as WordPress's load_textdomain() would.
	 *
	 * @param string $file Path to the .mo.
	 */
	public static function load_mo( string $file ): void {
		$mo    = (string) file_get_contents( $file );
		$order = 0x950412de === unpack( 'V', $mo )[1] ? 'V' : 'N';
		$head  = unpack( $order . '5', $mo, 4 );
		list( , $count, $originals, $translated ) = array_values( $head ); // revision, count, offsets.
		for ( $i = 0; $i < $count; $i++ ) {
			$o   = unpack( $order . '2', $mo, $originals + 8 * $i );
			$t   = unpack( $order . '2', $mo, $translated + 8 * $i );
			$key = explode( "\0", substr( $mo, $o[2], $o[1] ) )[0];
			self::$translations[ $key ] = explode( "\0", substr( $mo, $t[2], $t[1] ) );
		}
	}

	/**
	 * The translation of a string, or the string itself.
	 *
	 * @param string      $text    msgid.
	 * @param string|null $context msgctxt.
	 * @param int         $form    Plural form (Korean has one).
	 */
	public static function translate( string $text, ?string $context = null, int $form = 0 ): ?string {
		$key   = null === $context ? $text : $context . "\x04" . $text;
		$forms = self::$translations[ $key ] ?? null;
		return null === $forms || '' === ( $forms[ $form ] ?? $forms[0] ) ? null : ( $forms[ $form ] ?? $forms[0] );
	}

	public static function login( int $user_id, array $caps = array( 'read', 'view_order' ), string $name = '' ): void {
		self::$user_id          = $user_id;
		self::$caps[ $user_id ] = $caps;
		if ( '' !== $name ) {
			self::$names[ $user_id ] = $name;
		}
	}
}

class WP_Error {
	private array $errors = array();
	public function __construct( $code = '', $message = '', $data = '' ) {
		if ( '' !== $code ) {
			$this->errors[ $code ] = array( $message );
		}
	}
	public function get_error_message( $code = '' ) {
		foreach ( $this->errors as $messages ) {
			return $messages[0];
		}
		return '';
	}
	public function get_error_code() {
		return (string) array_key_first( $this->errors );
	}
}

class WP_Post {
	public int $ID = 0;
	public string $post_content = '';
}

function is_wp_error( $thing ) {
	return $thing instanceof WP_Error;
}

// Hooks.
/** As WordPress: a callback for filters that should answer true. */
function __return_true() {
	return true;
}

/** As WordPress: the same callback added twice at one priority is there once. */
function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	if ( is_string( $callback ) ) {
		$id = $callback;
	} elseif ( is_array( $callback ) ) {
		$id = ( is_object( $callback[0] ) ? spl_object_hash( $callback[0] ) : $callback[0] ) . '::' . $callback[1];
	} else {
		$id = spl_object_hash( $callback );
	}
	Stub::$hooks[ $hook ][ $priority ][ $id ] = array( $callback, $accepted_args );
	return true;
}
function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	return add_filter( $hook, $callback, $priority, $accepted_args );
}
function apply_filters( $hook, $value, ...$args ) {
	if ( empty( Stub::$hooks[ $hook ] ) ) {
		return $value;
	}
	ksort( Stub::$hooks[ $hook ] );
	foreach ( Stub::$hooks[ $hook ] as $callbacks ) {
		foreach ( $callbacks as list( $callback, $accepted ) ) {
			$value = call_user_func_array( $callback, array_slice( array_merge( array( $value ), $args ), 0, max( 1, $accepted ) ) );
		}
	}
	return $value;
}
function do_action( $hook, ...$args ) {
	Stub::$did[ $hook ] = ( Stub::$did[ $hook ] ?? 0 ) + 1;
	if ( empty( Stub::$hooks[ $hook ] ) ) {
		return;
	}
	ksort( Stub::$hooks[ $hook ] );
	foreach ( Stub::$hooks[ $hook ] as $callbacks ) {
		foreach ( $callbacks as list( $callback, $accepted ) ) {
			call_user_func_array( $callback, array_slice( $args, 0, $accepted ) );
		}
	}
}
function did_action( $hook ) {
	return Stub::$did[ $hook ] ?? 0;
}
function has_action( $hook, $callback = false ) {
	foreach ( Stub::$hooks[ $hook ] ?? array() as $callbacks ) {
		foreach ( $callbacks as list( $registered ) ) {
			if ( false === $callback || $registered === $callback ) {
				return true;
			}
		}
	}
	return false;
}
function register_activation_hook( $file, $callback ) {
	Stub::$registered['activation'] = $callback;
}
function register_deactivation_hook( $file, $callback ) {
	Stub::$registered['deactivation'] = $callback;
}

// Options and transients.
function get_option( $name, $default = false ) {
	return array_key_exists( $name, Stub::$options ) ? Stub::$options[ $name ] : $default;
}
/**
 * As WordPress: an unchanged value changes nothing and fires nothing; a new option fires
 * add_option_{$name}, a changed one update_option_{$name} (old value, new value, name).
 */
function update_option( $name, $value, $autoload = null ) {
	$exists = array_key_exists( $name, Stub::$options );
	$old    = $exists ? Stub::$options[ $name ] : false;
	if ( $exists && $old === $value ) {
		return false;
	}
	Stub::$options[ $name ] = $value;
	if ( null !== $autoload ) {
		Stub::$autoload[ $name ] = ! in_array( $autoload, array( false, 'no', 'off' ), true );
	} elseif ( ! isset( Stub::$autoload[ $name ] ) ) {
		Stub::$autoload[ $name ] = true;
	}
	if ( $exists ) {
		do_action( "update_option_{$name}", $old, $value, $name );
	} else {
		do_action( "add_option_{$name}", $name, $value );
	}
	return true;
}
function delete_option( $name ) {
	if ( ! array_key_exists( $name, Stub::$options ) ) {
		return false;
	}
	unset( Stub::$options[ $name ], Stub::$autoload[ $name ] );
	do_action( "delete_option_{$name}", $name );
	return true;
}
function get_transient( $name ) {
	$entry = Stub::$transients[ $name ] ?? null;
	if ( null === $entry ) {
		return false;
	}
	if ( $entry['expires'] && $entry['expires'] <= time() + Stub::$now_offset ) {
		unset( Stub::$transients[ $name ] );
		return false;
	}
	return $entry['value'];
}
function set_transient( $name, $value, $expiration = 0 ) {
	Stub::$transients[ $name ] = array(
		'value'   => $value,
		'expires' => $expiration ? time() + Stub::$now_offset + (int) $expiration : 0,
	);
	return true;
}
function delete_transient( $name ) {
	unset( Stub::$transients[ $name ] );
	return true;
}

// Translation: the English strings, or a loaded .mo's (Stub::load_mo()).
function __( $text, $domain = 'default' ) {
	return Stub::translate( $text ) ?? $text;
}
function _e( $text, $domain = 'default' ) {
	echo __( $text, $domain );
}
function _x( $text, $context, $domain = 'default' ) {
	return Stub::translate( $text, $context ) ?? $text;
}
function translate_with_gettext_context( $text, $context, $domain = 'default' ) {
	return Stub::translate( $text, $context ) ?? $text;
}
function get_locale() {
	$locale = get_option( 'WPLANG', '' );
	return is_string( $locale ) && '' !== $locale ? $locale : 'en_US';
}
/** Like WordPress: the logged-in user's own language (profile meta `locale`), else the site's. */
function determine_locale() {
	$own = Stub::$user_meta[ Stub::$user_id ]['locale'] ?? '';
	return is_string( $own ) && '' !== $own ? $own : get_locale();
}
function _n( $single, $plural, $number, $domain = 'default' ) {
	// Korean, the one translation shipped, has a single plural form.
	return Stub::translate( $single ) ?? ( 1 === (int) $number ? $single : $plural );
}
function esc_html__( $text, $domain = 'default' ) {
	return esc_html( __( $text, $domain ) );
}
function esc_html_e( $text, $domain = 'default' ) {
	echo esc_html( __( $text, $domain ) );
}
function esc_attr__( $text, $domain = 'default' ) {
	return esc_attr( __( $text, $domain ) );
}
function esc_attr_e( $text, $domain = 'default' ) {
	echo esc_attr( __( $text, $domain ) );
}
function load_plugin_textdomain( $domain, $deprecated = false, $path = false ) {
	Stub::$registered['textdomain'] = $path;
	return true;
}

// Escaping and sanitizing, as WordPress does them.
function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8', false );
}
function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8', false );
}
function esc_textarea( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function esc_url_raw( $url, $protocols = null ) {
	$url = trim( (string) $url );
	if ( '' === $url ) {
		return '';
	}
	$url = preg_replace( '|[^a-z0-9-~+_.?#=!&;,/:%@$\|*\'()\[\]\x80-\xff]|i', '', str_replace( ' ', '%20', $url ) );
	$protocols = $protocols ?? array( 'http', 'https', 'mailto' );
	if ( preg_match( '/^([a-z][a-z0-9+.-]*):/i', $url, $m ) && ! in_array( strtolower( $m[1] ), $protocols, true ) ) {
		return '';
	}
	return $url;
}
function esc_url( $url, $protocols = null ) {
	$clean = esc_url_raw( $url, $protocols );
	// As wp_kses_normalize_entities() then esc_url()'s display step.
	$clean = preg_replace( '/&(?!(?:[a-z][a-z0-9]*|#\d+|#x[0-9a-f]+);)/i', '&amp;', $clean );
	return str_replace( array( '&amp;', "'" ), array( '&#038;', '&#039;' ), $clean );
}
function wp_kses( $content, $allowed_html, $allowed_protocols = array() ) {
	// Enough for the plugin's uses: tags without attributes.
	return strip_tags( (string) $content, array_keys( (array) $allowed_html ) );
}
function sanitize_text_field( $text ) {
	$text = wp_check_invalid_utf8( (string) $text );
	$text = strip_tags( $text );
	$text = preg_replace( '/[\r\n\t ]+/', ' ', $text );
	return trim( $text );
}
function sanitize_textarea_field( $text ) {
	$text = strip_tags( wp_check_invalid_utf8( (string) $text ) );
	return trim( $text );
}
function wp_check_invalid_utf8( $text ) {
	return mb_check_encoding( $text, 'UTF-8' ) ? $text : '';
}
function sanitize_key( $key ) {
	return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( (string) $key ) );
}
function sanitize_email( $email ) {
	$email = trim( (string) $email );
	return false === filter_var( $email, FILTER_VALIDATE_EMAIL ) ? '' : $email;
}
function is_email( $email ) {
	return false !== filter_var( (string) $email, FILTER_VALIDATE_EMAIL ) ? $email : false;
}
function sanitize_file_name( $name ) {
	$name = preg_replace( '/[^A-Za-z0-9._-]+/', '-', (string) $name );
	return trim( $name, '.-_' );
}
function absint( $value ) {
	return abs( (int) $value );
}
function wp_unslash( $value ) {
	return is_array( $value ) ? array_map( 'wp_unslash', $value ) : ( is_string( $value ) ? stripslashes( $value ) : $value );
}
function wp_parse_url( $url, $component = -1 ) {
	return parse_url( (string) $url, $component );
}
function wp_json_encode( $data, $options = 0, $depth = 512 ) {
	return json_encode( $data, $options, $depth );
}
function selected( $selected, $current = true, $echo = true ) {
	$result = (string) $selected === (string) $current ? " selected='selected'" : '';
	if ( $echo ) {
		echo $result;
	}
	return $result;
}
function checked( $checked, $current = true, $echo = true ) {
	$result = (string) $checked === (string) $current ? " checked='checked'" : '';
	if ( $echo ) {
		echo $result;
	}
	return $result;
}

// Users, capabilities, nonces.
function get_user_meta( $user_id, $key = '', $single = false ) {
	$value = Stub::$user_meta[ (int) $user_id ][ $key ] ?? null;
	return null === $value ? ( $single ? '' : array() ) : ( $single ? $value : array( $value ) );
}
function update_user_meta( $user_id, $key, $value, $prev_value = '' ) {
	Stub::$user_meta[ (int) $user_id ][ $key ] = $value;
	return true;
}
function delete_metadata( $meta_type, $object_id, $meta_key, $meta_value = '', $delete_all = false ) {
	foreach ( Stub::$user_meta as $user => $meta ) {
		if ( $delete_all || (int) $object_id === $user ) {
			unset( Stub::$user_meta[ $user ][ $meta_key ] );
		}
	}
	return true;
}
function get_current_user_id() {
	return Stub::$user_id;
}
function is_user_logged_in() {
	return Stub::$user_id > 0;
}
function current_user_can( $capability, ...$args ) {
	return user_can( Stub::$user_id, $capability );
}
function user_can( $user_id, $capability ) {
	return in_array( $capability, Stub::$caps[ (int) $user_id ] ?? array(), true );
}
function wp_get_current_user() {
	$user               = new stdClass();
	$user->ID           = Stub::$user_id;
	$user->display_name = Stub::$names[ Stub::$user_id ] ?? '';
	$user->user_login   = Stub::$user_id ? 'user' . Stub::$user_id : '';
	return $user;
}
function wp_create_nonce( $action = -1 ) {
	return substr( hash_hmac( 'sha256', $action . '|' . Stub::$user_id, 'stub-nonce-salt' ), 0, 10 );
}
function wp_verify_nonce( $nonce, $action = -1 ) {
	return is_string( $nonce ) && hash_equals( wp_create_nonce( $action ), $nonce ) ? 1 : false;
}
function wp_nonce_field( $action = -1, $name = '_wpnonce', $referer = true, $echo = true ) {
	$field = '<input type="hidden" id="' . esc_attr( $name ) . '" name="' . esc_attr( $name ) . '" value="' . wp_create_nonce( $action ) . '" />';
	if ( $echo ) {
		echo $field;
	}
	return $field;
}
function wp_nonce_url( $url, $action = -1, $name = '_wpnonce' ) {
	return str_replace( '&', '&amp;', add_query_arg( $name, wp_create_nonce( $action ), html_entity_decode( $url ) ) );
}

// URLs and pages.
function home_url( $path = '' ) {
	return 'https://shop.test' . ( '' === $path ? '' : '/' . ltrim( $path, '/' ) );
}
function admin_url( $path = '' ) {
	return 'https://shop.test/wp-admin/' . ltrim( $path, '/' );
}
function plugins_url( $path = '', $plugin = '' ) {
	return 'https://shop.test/wp-content/plugins/aftercare-for-woocommerce/' . ltrim( $path, '/' );
}
function plugin_basename( $file ) {
	return 'aftercare-for-woocommerce/' . basename( $file );
}
function add_query_arg( ...$args ) {
	if ( is_array( $args[0] ) ) {
		$params = $args[0];
		$url    = $args[1] ?? '';
	} else {
		$params = array( $args[0] => $args[1] );
		$url    = $args[2] ?? '';
	}
	$parts = explode( '?', (string) $url, 2 );
	$query = array();
	if ( isset( $parts[1] ) ) {
		parse_str( $parts[1], $query );
	}
	foreach ( $params as $key => $value ) {
		$query[ $key ] = $value;
	}
	return $parts[0] . ( $query ? '?' . http_build_query( $query ) : '' );
}
function wp_validate_redirect( $location, $default = '' ) {
	$host = parse_url( (string) $location, PHP_URL_HOST );
	return ( null === $host || 'shop.test' === $host ) ? $location : $default;
}
/**
 * The plugin always ends the request after a redirect (`exit`); here the request ends with
 * this exception instead, so a test can run a handler from its hook to the end.
 */
final class Stub_Redirect extends RuntimeException {
	public function __construct( public readonly string $location ) {
		parent::__construct( 'redirect to ' . $location );
	}
}
function wp_safe_redirect( $location, $status = 302 ) {
	Stub::$registered['redirect'] = $location;
	throw new Stub_Redirect( (string) $location );
}
function nocache_headers() {}
function is_admin() {
	return Stub::$admin;
}
function wp_doing_ajax() {
	return Stub::$ajax;
}
function get_stylesheet_directory() {
	return Stub::$theme;
}
function get_template_directory() {
	return '' !== Stub::$parent_theme ? Stub::$parent_theme : Stub::$theme;
}
function is_child_theme() {
	return get_template_directory() !== get_stylesheet_directory();
}
function trailingslashit( $value ) {
	return rtrim( $value, '/\\' ) . '/';
}
/**
 * As WordPress: the first name found in the (child) theme, then in its parent theme. (Core's
 * theme-compat folder, the last place WordPress looks, holds nothing the plugin's names match.)
 */
function locate_template( $template_names, $load = false, $load_once = true, $args = array() ) {
	$located = '';
	foreach ( (array) $template_names as $template_name ) {
		if ( ! $template_name ) {
			continue;
		}
		if ( '' !== get_stylesheet_directory() && file_exists( get_stylesheet_directory() . '/' . $template_name ) ) {
			$located = get_stylesheet_directory() . '/' . $template_name;
			break;
		}
		if ( is_child_theme() && file_exists( get_template_directory() . '/' . $template_name ) ) {
			$located = get_template_directory() . '/' . $template_name;
			break;
		}
	}
	if ( $load && '' !== $located ) {
		throw new LogicException( 'the stand-in does not load templates through locate_template()' );
	}
	return $located;
}
function wp_date( $format, $timestamp = null, $timezone = null ) {
	$date = new DateTimeImmutable( '@' . ( $timestamp ?? time() ) );
	return $date->setTimezone( $timezone ?? wp_timezone() )->format( $format );
}
/** As WordPress with the default (English) locale: a comma for thousands, a dot for decimals. */
function number_format_i18n( $number, $decimals = 0 ) {
	return number_format( (float) $number, absint( $decimals ) );
}
function wp_timezone() {
	return new DateTimeZone( (string) get_option( 'timezone_string', 'UTC' ) ?: 'UTC' );
}
/** As WordPress: the zone's name, else an offset such as +09:00 made from gmt_offset. */
function wp_timezone_string() {
	$name = get_option( 'timezone_string' );
	if ( $name ) {
		return $name;
	}
	$offset  = (float) get_option( 'gmt_offset' );
	$hours   = (int) $offset;
	$minutes = abs( ( $offset - $hours ) * 60 );
	return sprintf( '%s%02d:%02d', $offset < 0 ? '-' : '+', abs( $hours ), $minutes );
}
function get_bloginfo( $show = '', $filter = 'raw' ) {
	return 'name' === $show ? (string) get_option( 'blogname', '' ) : '';
}
function get_stylesheet() {
	return 'twentytwentyfive';
}
function get_theme_mod( $name, $default = false ) {
	$mods = get_option( 'theme_mods_' . get_stylesheet(), array() );
	return is_array( $mods ) && isset( $mods[ $name ] ) ? $mods[ $name ] : $default;
}
function set_theme_mod( $name, $value ) {
	$mods          = (array) get_option( 'theme_mods_' . get_stylesheet(), array() );
	$mods[ $name ] = $value;
	return update_option( 'theme_mods_' . get_stylesheet(), $mods );
}

// The media library: attachments registered in Stub::$attachments.
function wp_get_attachment_url( $id ) {
	return Stub::$attachments[ (int) $id ]['url'] ?? false;
}
function get_attached_file( $id, $unfiltered = false ) {
	return Stub::$attachments[ (int) $id ]['file'] ?? false;
}
/**
 * As WordPress with its GD editor: an editor for an image file, or a WP_Error for anything
 * GD cannot read (an SVG, a broken file).
 */
function wp_get_image_editor( $path, $args = array() ) {
	$image = is_readable( $path ) ? @imagecreatefromstring( (string) file_get_contents( $path ) ) : false;
	if ( false === $image ) {
		return new WP_Error( 'invalid_image', 'File is not an image.' );
	}
	return new Stub_Image_Editor( $image );
}
final class Stub_Image_Editor {
	public function __construct( private GdImage $image ) {}
	public function get_size() {
		return array(
			'width'  => imagesx( $this->image ),
			'height' => imagesy( $this->image ),
		);
	}
	public function resize( $max_w, $max_h, $crop = false ) {
		$width  = imagesx( $this->image );
		$height = imagesy( $this->image );
		$scale  = min( $max_w ? $max_w / $width : 1, $max_h ? $max_h / $height : 1 );
		if ( $scale >= 1 ) {
			return new WP_Error( 'error_getting_dimensions', 'Could not calculate resized image dimensions' );
		}
		$this->image = imagescale( $this->image, max( 1, (int) round( $width * $scale ) ), max( 1, (int) round( $height * $scale ) ) );
		return true;
	}
	/** As WordPress: the file gets the extension of the type written. */
	public function save( $filename = null, $mime_type = null ) {
		$ext  = 'image/png' === $mime_type ? 'png' : 'jpg';
		$path = preg_replace( '/\.[^.\/]*$/', '', $filename ) . '.' . $ext;
		'png' === $ext ? imagepng( $this->image, $path ) : imagejpeg( $this->image, $path );
		return array(
			'path'      => $path,
			'file'      => basename( $path ),
			'width'     => imagesx( $this->image ),
			'height'    => imagesy( $this->image ),
			'mime-type' => 'png' === $ext ? 'image/png' : 'image/jpeg',
		);
	}
}
function wp_tempnam( $filename = '' ) {
	$file                             = tempnam( sys_get_temp_dir(), 'wp' );
	Stub::$registered['tempfiles'][] = $file;
	return $file;
}
function wp_delete_file( $file ) {
	if ( is_file( $file ) ) {
		unlink( $file );
	}
}

// Registrations the plugin makes; recorded so tests can check them.
function add_shortcode( $tag, $callback ) {
	Stub::$registered['shortcodes'][ $tag ] = $callback;
}
function add_rewrite_endpoint( $name, $places ) {
	Stub::$registered['endpoints'][] = $name;
}
function flush_rewrite_rules() {
	Stub::$registered['flushes'] = ( Stub::$registered['flushes'] ?? 0 ) + 1;
}
function add_submenu_page( $parent, $page_title, $menu_title, $capability, $slug, $callback ) {
	Stub::$registered['submenus'][ $slug ] = compact( 'parent', 'capability', 'callback' );
	return $slug;
}
function add_meta_box( $id, $title, $callback, $screen, $context = 'advanced', $priority = 'default' ) {
	Stub::$registered['meta_boxes'][ $id ] = compact( 'callback', 'screen', 'context' );
}
function register_block_type( $block, $args = array() ) {
	Stub::$registered['blocks'][] = array( $block, $args );
}
function wp_register_script( ...$args ) {}
function wp_enqueue_script( $handle, ...$args ) {
	Stub::$registered['scripts'][] = $handle;
}
function wp_send_json_success( $data = null, $status = null ) {
	throw new Stub_Json_Sent( true, $data, $status ?? 200 );
}
function wp_send_json_error( $data = null, $status = null ) {
	throw new Stub_Json_Sent( false, $data, $status ?? 200 );
}
/**
 * What wp_send_json_*() would have sent (they end the request; here they throw).
 */
final class Stub_Json_Sent extends Exception {
	public function __construct( public bool $success, public $data, public int $status ) {
		parent::__construct( 'json sent' );
	}
}
function wp_editor( $content, $editor_id, $settings = array() ) {
	echo '<textarea id="' . esc_attr( $editor_id ) . '" name="' . esc_attr( $settings['textarea_name'] ?? $editor_id ) . '">' . esc_textarea( $content ) . '</textarea>';
}
function wp_strip_all_tags( $text ) {
	return trim( strip_tags( (string) preg_replace( '@<(script|style)[^>]*?>.*?</\\1>@si', '', (string) $text ) ) );
}
function wp_html_excerpt( $str, $count, $more = '' ) {
	$str = wp_strip_all_tags( (string) $str );
	return mb_strlen( $str ) > $count ? mb_substr( $str, 0, $count ) . $more : $str;
}
function submit_button( $text = '' ) {
	echo '<p class="submit"><button type="submit" class="button button-primary">' . esc_html( $text ) . '</button></p>';
}
function get_users( $args = array() ) {
	$users = array();
	foreach ( Stub::$caps as $id => $caps ) {
		if ( empty( $args['capability'] ) || in_array( $args['capability'], $caps, true ) ) {
			$users[] = (object) array(
				'ID'           => $id,
				'user_login'   => 'user' . $id,
				'display_name' => Stub::$names[ $id ] ?? 'user' . $id,
			);
		}
	}
	return $users;
}
function wp_set_script_translations( ...$args ) {}
function wp_enqueue_style( $handle, ...$args ) {
	Stub::$registered['styles'][] = $handle;
}
function wp_die( $message = '', $title = '', $args = array() ) {
	throw new RuntimeException( 'wp_die: ' . $message );
}

// The HTTP API, over cURL.
function wp_remote_request( $url, $args = array() ) {
	$args = array_merge(
		array(
			'method'      => 'GET',
			'timeout'     => 5,
			'redirection' => 5,
			'headers'     => array(),
			'body'        => null,
			'stream'      => false,
			'filename'    => null,
			'user-agent'  => 'WordPress/6.1; https://shop.test',
		),
		$args
	);
	Stub::$http[] = array(
		'method' => $args['method'],
		'url'    => $url,
		'args'   => $args,
	);
	$response_headers = array();
	$ch               = curl_init( $url );
	$header_lines     = array();
	foreach ( $args['headers'] as $name => $value ) {
		$header_lines[] = $name . ': ' . $value;
	}
	$header_lines[] = 'Expect:';
	curl_setopt_array(
		$ch,
		array(
			CURLOPT_CUSTOMREQUEST     => $args['method'],
			CURLOPT_TIMEOUT_MS        => (int) ( $args['timeout'] * 1000 ),
			CURLOPT_CONNECTTIMEOUT_MS => (int) ( $args['timeout'] * 1000 ),
			CURLOPT_FOLLOWLOCATION    => $args['redirection'] > 0,
			CURLOPT_MAXREDIRS         => max( 0, (int) $args['redirection'] ),
			CURLOPT_HTTPHEADER        => $header_lines,
			CURLOPT_USERAGENT         => $args['user-agent'],
			CURLOPT_HEADERFUNCTION    => static function ( $ch, $line ) use ( &$response_headers ) {
				if ( preg_match( '#^HTTP/#', $line ) ) {
					$response_headers = array();
				} elseif ( str_contains( $line, ':' ) ) {
					list( $name, $value )                          = explode( ':', $line, 2 );
					$response_headers[ strtolower( trim( $name ) ) ] = trim( $value );
				}
				return strlen( $line );
			},
		)
	);
	if ( null !== $args['body'] && '' !== $args['body'] ) {
		curl_setopt( $ch, CURLOPT_POSTFIELDS, is_array( $args['body'] ) ? http_build_query( $args['body'] ) : $args['body'] );
	}
	$file = null;
	if ( $args['stream'] ) {
		$file = fopen( $args['filename'], 'wb' );
		curl_setopt( $ch, CURLOPT_FILE, $file );
	} else {
		curl_setopt( $ch, CURLOPT_RETURNTRANSFER, true );
	}
	$body = curl_exec( $ch );
	if ( $file ) {
		fclose( $file );
	}
	if ( false === $body ) {
		$error = new WP_Error( 'http_request_failed', 'cURL error ' . curl_errno( $ch ) . ': ' . curl_error( $ch ) );
		curl_close( $ch );
		return $error;
	}
	$code = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
	curl_close( $ch );
	return array(
		'headers'  => $response_headers,
		'body'     => $args['stream'] ? '' : (string) $body,
		'response' => array(
			'code'    => $code,
			'message' => '',
		),
		'filename' => $args['filename'],
	);
}
function wp_remote_get( $url, $args = array() ) {
	return wp_remote_request( $url, array_merge( $args, array( 'method' => 'GET' ) ) );
}
function wp_remote_post( $url, $args = array() ) {
	return wp_remote_request( $url, array_merge( $args, array( 'method' => 'POST' ) ) );
}
/**
 * WordPress's rules for "safe" requests (wp_http_validate_url), reduced to what webhooks meet:
 * loopback/private hosts and ports other than 80/443/8080 need the two filters.
 */
function wp_safe_remote_post( $url, $args = array() ) {
	$host = (string) parse_url( $url, PHP_URL_HOST );
	$port = parse_url( $url, PHP_URL_PORT );
	$ip   = filter_var( $host, FILTER_VALIDATE_IP ) ? $host : gethostbyname( $host );
	if ( preg_match( '/^(127\.|10\.|0\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/', $ip ) && ! apply_filters( 'http_request_host_is_external', false, $host, $url ) ) {
		return new WP_Error( 'http_request_failed', 'A valid URL was not provided.' );
	}
	if ( $port && ! in_array( $port, (array) apply_filters( 'http_allowed_safe_ports', array( 80, 443, 8080 ), $host, $url ), true ) ) {
		return new WP_Error( 'http_request_failed', 'A valid URL was not provided.' );
	}
	return wp_remote_post( $url, $args );
}
function wp_remote_retrieve_response_code( $response ) {
	return is_array( $response ) ? $response['response']['code'] : '';
}
function wp_remote_retrieve_body( $response ) {
	return is_array( $response ) ? $response['body'] : '';
}
function wp_remote_retrieve_header( $response, $header ) {
	return is_array( $response ) ? ( $response['headers'][ strtolower( $header ) ] ?? '' ) : '';
}

// Files and options the email attachments and the message run use.
function get_temp_dir() {
	return trailingslashit( sys_get_temp_dir() );
}
function wp_mkdir_p( $target ) {
	return is_dir( $target ) || mkdir( $target, 0777, true );
}
function wp_generate_password( $length = 12, $special_chars = true, $extra_special_chars = false ) {
	return substr( bin2hex( random_bytes( $length ) ), 0, $length );
}
/** As WordPress: false when the option exists already. */
function add_option( $name, $value = '', $deprecated = '', $autoload = null ) {
	if ( array_key_exists( $name, Stub::$options ) ) {
		return false;
	}
	return update_option( $name, $value, $autoload );
}
function wpautop( $text ) {
	return '<p>' . $text . '</p>';
}
function wptexturize( $text ) {
	return $text;
}
function wp_kses_post( $text ) {
	return $text;
}

// Switching languages for one email: WordPress switches only to installed languages (none here).
if ( ! defined( 'MINUTE_IN_SECONDS' ) ) {
	define( 'MINUTE_IN_SECONDS', 60 );
	define( 'HOUR_IN_SECONDS', 3600 );
}
function switch_to_locale( $locale ) {
	return false;
}
function restore_previous_locale() {
	return false;
}
function load_textdomain( $domain, $mofile, $locale = null ) {
	Stub::load_mo( $mofile );
	return true;
}
function unload_textdomain( $domain, $reloadable = false ) {
	Stub::$translations = array();
	return true;
}
function remove_filter( $hook, $callback, $priority = 10 ) {
	foreach ( Stub::$hooks[ $hook ][ $priority ] ?? array() as $id => list( $registered ) ) {
		if ( $registered === $callback ) {
			unset( Stub::$hooks[ $hook ][ $priority ][ $id ] );
			return true;
		}
	}
	return false;
}
function remove_action( $hook, $callback, $priority = 10 ) {
	return remove_filter( $hook, $callback, $priority );
}
