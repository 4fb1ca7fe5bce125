<?php
/**
 * A small stand-in for the WooCommerce classes and functions the plugin uses: orders read
 * through CRUD getters, notices, account URLs, and webhooks with WC_Webhook's setters and its
 * deliver_ping() (a real unsigned POST, as WooCommerce sends it).
 *
 * @package Aftercare\Tests
 */

// phpcs:disable

class WooCommerce {}

final class WC_Stub {
	/** @var array<int,WC_Order> */
	public static array $orders = array();
	/** @var array<int,WC_Webhook> */
	public static array $webhooks = array();
	public static int $next_webhook_id = 100;

	/** @var array<int,array{hook:string,args:array,group:string,timestamp:int,unique:bool}> Pending Action Scheduler actions. */
	public static array $actions = array();
	public static int $next_action_id = 1;

	/** @var array<int,array{to:string,subject:string,message:string,attachments:array}> What wp_mail() was given. */
	public static array $mails = array();
	/** What wp_mail() answers. */
	public static bool $mail_works = true;
	/** The mailer's emails, built once per test as WC_Emails does. */
	public static ?array $emails = null;

	public static function reset(): void {
		self::$mails           = array();
		self::$mail_works      = true;
		self::$emails          = null;
		self::$orders          = array();
		self::$webhooks        = array();
		self::$next_webhook_id = 100;
		self::$actions         = array();
		self::$next_action_id  = 1;
	}

	/**
	 * Registers an order built from a WooCommerce REST order (a webhook fixture).
	 *
	 * @param array<string,mixed> $json Decoded order.
	 */
	public static function add_order_from_json( array $json ): WC_Order {
		$order                 = new WC_Order();
		$order->id             = (int) $json['id'];
		$order->customer_id    = (int) $json['customer_id'];
		$order->number         = (string) $json['number'];
		$order->status         = (string) $json['status'];
		$order->order_key      = (string) $json['order_key'];
		$order->billing_email  = (string) ( $json['billing']['email'] ?? '' );
		$order->billing_name   = trim( ( $json['billing']['first_name'] ?? '' ) . ' ' . ( $json['billing']['last_name'] ?? '' ) );
		foreach ( $json['line_items'] ?? array() as $item ) {
			$order->items[ (int) $item['id'] ] = new WC_Order_Item_Product( (string) $item['name'], (int) $item['quantity'] );
		}
		self::$orders[ $order->id ] = $order;
		return $order;
	}
}

class WC_Order_Item_Product {
	public function __construct( private string $name, private int $quantity ) {}
	public function get_name() {
		return $this->name;
	}
	public function get_quantity() {
		return $this->quantity;
	}
}

class WC_Order {
	public int $id              = 0;
	public int $customer_id     = 0;
	public string $number       = '';
	public string $status       = 'processing';
	public string $order_key    = '';
	public string $billing_email = '';
	public string $billing_name = '';
	/** @var array<int,WC_Order_Item_Product> */
	public array $items = array();
	/** When the order was placed (a Unix time), or null, as WooCommerce gives a draft no date. */
	public ?int $date_created = null;

	public function get_id() {
		return $this->id;
	}
	/** Like WooCommerce: a WC_DateTime (a DateTime) or null. */
	public function get_date_created() {
		return null === $this->date_created ? null : ( new DateTime( '@' . $this->date_created ) );
	}
	public function get_customer_id() {
		return $this->customer_id;
	}
	public function get_order_number() {
		return $this->number;
	}
	public function get_status() {
		return $this->status;
	}
	public function get_order_key() {
		return $this->order_key;
	}
	public function get_billing_email() {
		return $this->billing_email;
	}
	public function get_formatted_billing_full_name() {
		return $this->billing_name;
	}
	public function get_items() {
		return $this->items;
	}
	/** @var array<string,mixed> Meta through the CRUD. */
	public array $meta = array();
	/** Times save() was called. */
	public int $saves = 0;
	public function get_meta( $key, $single = true ) {
		return $this->meta[ $key ] ?? '';
	}
	public function update_meta_data( $key, $value ) {
		$this->meta[ $key ] = $value;
	}
	public function save() {
		++$this->saves;
		return $this->id;
	}
	public function get_billing_first_name() {
		return (string) strtok( $this->billing_name, ' ' );
	}
	public function get_edit_order_url() {
		return admin_url( 'admin.php?page=wc-orders&action=edit&id=' . $this->id );
	}
}

function wc_get_order( $id ) {
	return WC_Stub::$orders[ (int) $id ] ?? false;
}
/**
 * As WooCommerce: includes/wc-notice-functions.php and the session are loaded only when
 * WC()->is_request( 'frontend' ), that is not in an admin request (wp-admin/, admin-post.php)
 * unless it is admin-ajax.php. Anywhere else the call is PHP's fatal error.
 */
function wc_add_notice( $message, $type = 'success' ) {
	if ( is_admin() && ! wp_doing_ajax() ) {
		throw new Error( 'Call to undefined function wc_add_notice() (WooCommerce loads its notice functions only in front-end requests)' );
	}
	Stub::$wc_notices[] = array(
		'message' => $message,
		'type'    => $type,
	);
}
function wc_get_page_permalink( $page ) {
	return 'https://shop.test/my-account/';
}
function wc_get_endpoint_url( $endpoint, $value = '', $permalink = '' ) {
	return rtrim( $permalink, '/' ) . '/' . $endpoint . '/' . ( '' !== (string) $value ? $value . '/' : '' );
}
function wc_get_page_screen_id( $for ) {
	return 'woocommerce_page_wc-orders';
}
/** As WooCommerce: symbol and grouped number, in its own markup (symbol before the amount). */
// WooCommerce defines it false unless a site turns theme overrides off to debug templates.
const WC_TEMPLATE_DEBUG_MODE = false;

/**
 * As WooCommerce: yourtheme/$template_path/$template_name, then yourtheme/$template_name, then
 * $default_path/$template_name, and the woocommerce_locate_template filter last.
 */
function wc_locate_template( $template_name, $template_path = '', $default_path = '' ) {
	if ( ! $template_path ) {
		$template_path = apply_filters( 'woocommerce_template_path', 'woocommerce/' );
	}
	if ( ! $default_path ) {
		throw new LogicException( 'the stand-in has no WooCommerce templates of its own' );
	}
	$template = locate_template(
		array(
			trailingslashit( $template_path ) . $template_name,
			$template_name,
		)
	);
	if ( ! $template || WC_TEMPLATE_DEBUG_MODE ) {
		$template = $default_path . $template_name;
	}
	return apply_filters( 'woocommerce_locate_template', $template, $template_name, $template_path );
}

/**
 * As WooCommerce: locates the template, lets wc_get_template filter it (to a file that must
 * exist), extracts $args into the template's scope and includes it between the
 * woocommerce_before/after_template_part actions. (WooCommerce also keeps the located path
 * in the object cache, which lives one request: here, each test is one.)
 */
function wc_get_template( $template_name, $args = array(), $template_path = '', $default_path = '' ) {
	$template        = wc_locate_template( $template_name, $template_path, $default_path );
	$filter_template = apply_filters( 'wc_get_template', $template, $template_name, $args, $template_path, $default_path );
	if ( $filter_template !== $template ) {
		if ( ! file_exists( $filter_template ) ) {
			wc_doing_it_wrong( __FUNCTION__, $filter_template . ' does not exist.', '2.1' );
			return;
		}
		$template = $filter_template;
	}
	$action_args = array(
		'template_name' => $template_name,
		'template_path' => $template_path,
		'located'       => $template,
		'args'          => $args,
	);
	if ( ! empty( $args ) && is_array( $args ) ) {
		if ( isset( $args['action_args'] ) ) {
			wc_doing_it_wrong( __FUNCTION__, 'action_args should not be overwritten when calling wc_get_template.', '3.6.0' );
			unset( $args['action_args'] );
		}
		extract( $args );
	}
	do_action( 'woocommerce_before_template_part', $action_args['template_name'], $action_args['template_path'], $action_args['located'], $action_args['args'] );
	include $action_args['located'];
	do_action( 'woocommerce_after_template_part', $action_args['template_name'], $action_args['template_path'], $action_args['located'], $action_args['args'] );
}

function wc_get_template_html( $template_name, $args = array(), $template_path = '', $default_path = '' ) {
	ob_start();
	wc_get_template( $template_name, $args, $template_path, $default_path );
	return ob_get_clean();
}

/**
 * WooCommerce reports misuse as a notice with WP_DEBUG; a test must not pass over it.
 */
function wc_doing_it_wrong( $function, $message, $version ) {
	throw new LogicException( "$function was called incorrectly: $message" );
}

function wc_price( $price, $args = array() ) {
	$symbols  = array(
		'KRW' => '&#8361;',
		'USD' => '&#36;',
		'EUR' => '&euro;',
		'JPY' => '&yen;',
		'GBP' => '&pound;',
	);
	$currency = $args['currency'] ?? 'KRW';
	$decimals = (int) ( $args['decimals'] ?? 2 );
	$number   = number_format( abs( (float) $price ), $decimals, '.', ',' );
	return ( (float) $price < 0 ? '-' : '' ) . '<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-Price-currencySymbol">' . ( $symbols[ $currency ] ?? '' ) . '</span>' . $number . '</bdi></span>';
}
function is_account_page() {
	return true;
}

final class WC_Stub_Logger {
	public function warning( $message, $context = array() ) {
		Stub::$log[] = array(
			'level'   => 'warning',
			'message' => $message,
		);
	}
}
function wc_get_logger() {
	return new WC_Stub_Logger();
}

class WC_Webhook {
	private int $id              = 0;
	private string $name         = '';
	private string $topic        = '';
	private string $delivery_url = '';
	private string $secret       = '';
	private string $status       = 'disabled';
	private int $user_id         = 0;
	private string $api_version  = 'wp_api_v3';
	private int $failure_count   = 0;
	public int $pings            = 0;

	public function get_id() {
		return $this->id;
	}
	public function set_name( $name ) {
		$this->name = (string) $name;
	}
	public function get_name() {
		return $this->name;
	}
	public function set_topic( $topic ) {
		$this->topic = (string) $topic;
	}
	public function get_topic() {
		return $this->topic;
	}
	public function set_delivery_url( $url ) {
		$this->delivery_url = esc_url_raw( $url, array( 'http', 'https' ) );
	}
	public function get_delivery_url() {
		return $this->delivery_url;
	}
	public function set_secret( $secret ) {
		$this->secret = (string) $secret;
	}
	public function get_secret() {
		return $this->secret;
	}
	public function set_status( $status ) {
		$this->status = in_array( $status, array( 'active', 'paused', 'disabled' ), true ) ? $status : 'disabled';
	}
	public function get_status() {
		return $this->status;
	}
	public function set_user_id( $user_id ) {
		$this->user_id = (int) $user_id;
	}
	public function get_user_id() {
		return $this->user_id;
	}
	public function set_api_version( $version ) {
		$this->api_version = is_numeric( $version ) ? 'wp_api_v' . (int) $version : (string) $version;
	}
	public function get_api_version() {
		return $this->api_version;
	}
	public function get_failure_count() {
		return $this->failure_count;
	}
	public function set_failure_count( $count ) {
		$this->failure_count = (int) $count;
	}
	/**
	 * As WC_Webhook::failed_delivery() (private there): past the limit (filter
	 * woocommerce_max_webhook_delivery_failures, 5) the webhook is disabled and the count kept.
	 */
	public function failed_delivery() {
		if ( $this->failure_count > apply_filters( 'woocommerce_max_webhook_delivery_failures', 5 ) ) {
			$this->set_status( 'disabled' );
		} else {
			++$this->failure_count;
		}
		$this->save();
	}
	public function save() {
		if ( ! $this->id ) {
			$this->id = WC_Stub::$next_webhook_id++;
		}
		WC_Stub::$webhooks[ $this->id ] = clone $this;
		return $this->id;
	}
	public function delete( $force = false ) {
		unset( WC_Stub::$webhooks[ $this->id ] );
		return true;
	}
	/** As WooCommerce: an unsigned form POST `webhook_id=N`; only exactly 200 passes. */
	public function deliver_ping() {
		++$this->pings;
		WC_Stub::$webhooks[ $this->id ] = clone $this;
		$response = wp_safe_remote_post( $this->delivery_url, array( 'body' => 'webhook_id=' . $this->id, 'user-agent' => 'WooCommerce/10.3.4 Hookshot (WordPress/6.8.3)' ) );
		if ( is_wp_error( $response ) ) {
			return new WP_Error( 'error', 'Error: Delivery URL cannot be reached: ' . $response->get_error_message() );
		}
		if ( 200 !== wp_remote_retrieve_response_code( $response ) ) {
			return new WP_Error( 'error', 'Error: Delivery URL returned response code: ' . absint( wp_remote_retrieve_response_code( $response ) ) );
		}
		return true;
	}
}

function wc_get_webhook( $id ) {
	return isset( WC_Stub::$webhooks[ (int) $id ] ) ? clone WC_Stub::$webhooks[ (int) $id ] : null;
}

class WC_Data_Store {
	public static function load( $type ) {
		return new self();
	}
	public function search_webhooks( $args = array() ) {
		return array_keys( WC_Stub::$webhooks );
	}
}

class WC_Admin_Settings {
	public static array $errors = array();
	public static function add_error( $text ) {
		self::$errors[] = $text;
	}
}

/**
 * Action Scheduler, as WooCommerce bundles it: a unique action is not added while another
 * with the same hook and group is pending.
 */
function as_schedule_single_action( $timestamp, $hook, $args = array(), $group = '', $unique = false, $priority = 10 ) {
	if ( $unique ) {
		foreach ( WC_Stub::$actions as $action ) {
			if ( $action['hook'] === $hook && $action['group'] === $group ) {
				return 0;
			}
		}
	}
	$id                      = WC_Stub::$next_action_id++;
	WC_Stub::$actions[ $id ] = array(
		'hook'      => $hook,
		'args'      => $args,
		'group'     => $group,
		'timestamp' => (int) $timestamp,
		'unique'    => (bool) $unique,
	);
	return $id;
}
function as_unschedule_all_actions( $hook, $args = array(), $group = '' ) {
	foreach ( WC_Stub::$actions as $id => $action ) {
		if ( $action['hook'] === $hook && ( '' === $group || $action['group'] === $group ) ) {
			unset( WC_Stub::$actions[ $id ] );
		}
	}
}

/**
 * WC()->countries: the address formatter as WooCommerce's default format prints it (no
 * per-country formats here; name, company, street, city, state, postcode, country by name),
 * the store's base address from WooCommerce's options, and a small world of two countries.
 */
final class WC_Stub_Countries {
	public function get_countries() {
		return array( 'KR' => 'South Korea', 'US' => 'United States (US)' );
	}
	public function get_states( $cc = null ) {
		$states = array( 'KR' => array(), 'US' => array( 'CA' => 'California', 'NY' => 'New York' ) );
		return null === $cc ? $states : ( $states[ $cc ] ?? false );
	}
	public function get_allowed_countries() {
		$codes = get_option( 'woocommerce_specific_allowed_countries', array() );
		return $codes ? array_intersect_key( $this->get_countries(), array_flip( $codes ) ) : $this->get_countries();
	}
	public function get_shipping_countries() {
		return $this->get_allowed_countries();
	}
	public function get_address_formats() {
		return array(
			'default' => "{name}\n{company}\n{address_1}\n{address_2}\n{city}\n{state}\n{postcode}\n{country}",
			'US'      => "{name}\n{company}\n{address_1}\n{address_2}\n{city}, {state_code} {postcode}\n{country}",
		);
	}
	public function get_base_address() {
		return get_option( 'woocommerce_store_address', '' );
	}
	public function get_base_address_2() {
		return get_option( 'woocommerce_store_address_2', '' );
	}
	public function get_base_city() {
		return get_option( 'woocommerce_store_city', '' );
	}
	public function get_base_postcode() {
		return get_option( 'woocommerce_store_postcode', '' );
	}
	public function get_base_country() {
		return explode( ':', (string) get_option( 'woocommerce_default_country', 'US:CA' ) )[0];
	}
	public function get_base_state() {
		return explode( ':', (string) get_option( 'woocommerce_default_country', 'US:CA' ) . ':' )[1];
	}
	public function get_formatted_address( $args = array(), $separator = '<br/>' ) {
		$names = array( 'KR' => 'South Korea', 'US' => 'United States (US)' );
		$a     = array_merge( array_fill_keys( array( 'first_name', 'last_name', 'company', 'address_1', 'address_2', 'city', 'state', 'postcode', 'country' ), '' ), $args );
		$lines = array( trim( $a['first_name'] . ' ' . $a['last_name'] ), $a['company'], $a['address_1'], $a['address_2'], $a['city'], $a['state'], $a['postcode'], $names[ $a['country'] ] ?? $a['country'] );
		return implode( $separator, array_filter( array_map( 'trim', $lines ) ) );
	}
}
final class WC_Stub_Main {
	public WC_Stub_Countries $countries;
	public function __construct() {
		$this->countries = new WC_Stub_Countries();
	}
	public function mailer() {
		return new WC_Stub_Mailer();
	}
}

/** WC_Emails: the email classes, through woocommerce_email_classes. */
final class WC_Stub_Mailer {
	public function get_emails() {
		return WC_Stub::$emails ??= apply_filters( 'woocommerce_email_classes', array() );
	}
}

/**
 * The parts of WC_Email the plugin's emails use: settings with defaults from the form fields,
 * placeholders, the subject, heading and additional content, and send() through wp_mail().
 */
class WC_Email {
	public $plugin_id = 'woocommerce_';
	public $id;
	public $title;
	public $description;
	public $enabled;
	public $customer_email = false;
	public $template_html;
	public $template_plain;
	public $template_base;
	public $recipient;
	public $object;
	public $placeholders = array();
	public $form_fields = array();
	public $settings = array();
	public $plain_search = array();
	public $plain_replace = array();

	public function __construct() {
		$this->placeholders = array_merge( array( '{site_title}' => get_option( 'blogname' ) ), $this->placeholders );
		$this->init_form_fields();
		$this->init_settings();
		$this->enabled = $this->get_option( 'enabled' );
	}
	public function init_form_fields() {
		$this->form_fields = array(
			'enabled'            => array( 'default' => 'yes' ),
			'subject'            => array( 'default' => '' ),
			'heading'            => array( 'default' => '' ),
			'additional_content' => array( 'default' => $this->get_default_additional_content() ),
		);
	}
	public function init_settings() {
		$saved          = get_option( $this->get_option_key(), null );
		$this->settings = array_merge( array_map( fn( $f ) => $f['default'] ?? '', $this->form_fields ), is_array( $saved ) ? $saved : array() );
	}
	public function get_option_key() {
		return $this->plugin_id . $this->id . '_settings';
	}
	public function get_option( $key, $empty_value = null ) {
		$value = $this->settings[ $key ] ?? '';
		return ( '' === $value && null !== $empty_value ) ? $empty_value : $value;
	}
	public function is_enabled() {
		return 'yes' === $this->enabled;
	}
	public function is_customer_email() {
		return $this->customer_email;
	}
	public function get_recipient() {
		return $this->recipient;
	}
	public function format_string( $text ) {
		return str_replace( array_keys( $this->placeholders ), array_values( $this->placeholders ), (string) $text );
	}
	public function get_default_subject() {
		return '';
	}
	public function get_default_heading() {
		return '';
	}
	public function get_default_additional_content() {
		return '';
	}
	public function get_subject() {
		return $this->format_string( $this->get_option( 'subject', $this->get_default_subject() ) );
	}
	public function get_heading() {
		return $this->format_string( $this->get_option( 'heading', $this->get_default_heading() ) );
	}
	public function get_additional_content() {
		return $this->format_string( $this->get_option( 'additional_content', '' ) );
	}
	public function get_content() {
		return $this->get_content_html();
	}
	public function get_headers() {
		return "Content-Type: text/html\r\n";
	}
	public function get_attachments() {
		return apply_filters( 'woocommerce_email_attachments', array(), $this->id, $this->object, $this );
	}
	public function style_inline( $content ) {
		return $content;
	}
	public function setup_locale() {}
	public function restore_locale() {}
	public function send( $to, $subject, $message, $headers, $attachments ) {
		$sent = wp_mail( $to, $subject, $message, $headers, $attachments );
		do_action( 'woocommerce_email_sent', $sent, (string) $this->id, $this );
		return $sent;
	}
}

function wp_mail( $to, $subject, $message, $headers = '', $attachments = array() ) {
	WC_Stub::$mails[] = compact( 'to', 'subject', 'message', 'attachments' );
	if ( ! WC_Stub::$mail_works ) {
		do_action( 'wp_mail_failed', new WP_Error( 'wp_mail_failed', 'SMTP connect() failed for ' . $to ) );
	}
	return WC_Stub::$mail_works;
}
function wc_format_datetime( $date, $format = '' ) {
	return $date ? $date->format( 'F j, Y' ) : '';
}
function as_has_scheduled_action( $hook, $args = null, $group = '' ) {
	foreach ( WC_Stub::$actions as $action ) {
		if ( $action['hook'] === $hook ) {
			return true;
		}
	}
	return false;
}
function as_schedule_recurring_action( $timestamp, $interval, $hook, $args = array(), $group = '', $unique = false ) {
	$id                       = WC_Stub::$next_action_id++;
	WC_Stub::$actions[ $id ] = array( 'hook' => $hook, 'args' => $args, 'group' => $group, 'timestamp' => $timestamp, 'unique' => $unique, 'interval' => $interval );
	return $id;
}
function WC() {
	static $wc = null;
	return $wc ??= new WC_Stub_Main();
}
function wc_strtoupper( $text ) {
	return mb_strtoupper( (string) $text );
}
