<?php
/**
 * What every aftercare message sent through WooCommerce shares.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * A real WooCommerce email for one of aftercare's message types: listed under WooCommerce →
 * Settings → Emails (enable, subject, heading, additional content, format), sent in the
 * shop's template with its From address and mailer, and overridable in the theme as
 * yourtheme/woocommerce/emails/aftercare-{type}.php. aftercare decides what is sent and when;
 * this class only renders the message's `data` and sends it.
 */
abstract class Customer_Email extends \WC_Email {

	/** aftercare's message type, e.g. `shipped`. */
	public const TYPE = '';
	/** Whether the shop has to switch it on first. */
	public const ENABLED_BY_DEFAULT = true;

	/**
	 * The message's `data` while it is being sent.
	 *
	 * @var array<string,mixed>
	 */
	public array $message_data = array();

	/** The customer's language from aftercare (e.g. ko_KR), or '' for the shop's. */
	public string $message_locale = '';

	/** How setup_locale() switched to the customer's language: `site`, `plugin` or ''. */
	private string $switched = '';

	public function __construct() {
		$this->id             = 'aftercare_' . static::TYPE;
		$this->customer_email = true;
		$this->title          = $this->type_title();
		$this->description    = $this->type_description();
		$slug                 = str_replace( '_', '-', static::TYPE );
		$this->template_html  = 'emails/aftercare-' . $slug . '.php';
		$this->template_plain = 'emails/plain/aftercare-' . $slug . '.php';
		$this->template_base  = AFTERCARE_PLUGIN_DIR . '/templates/';
		$this->placeholders   = array(
			'{order_date}'   => '',
			'{order_number}' => '',
		);
		if ( property_exists( \WC_Email::class, 'email_group' ) ) {
			// WooCommerce 10.3+ groups its emails on the settings screen.
			$this->email_group = 'order-updates';
		}
		parent::__construct();
	}

	/**
	 * The name on WooCommerce → Settings → Emails.
	 */
	abstract protected function type_title(): string;

	/**
	 * What the email is for, on the settings screen.
	 */
	abstract protected function type_description(): string;

	/**
	 * The settings fields, with this type's default for `enabled`.
	 */
	public function init_form_fields() {
		parent::init_form_fields();
		if ( isset( $this->form_fields['enabled'] ) ) {
			$this->form_fields['enabled']['default'] = static::ENABLED_BY_DEFAULT ? 'yes' : 'no';
		}
	}

	/**
	 * The additional content: the shop's, once it saved one; until then the default in the
	 * customer's language (WooCommerce would keep the default in the language the settings were
	 * first read in).
	 */
	public function get_additional_content() {
		$saved = get_option( $this->get_option_key(), array() );
		if ( is_array( $saved ) && array_key_exists( 'additional_content', $saved ) ) {
			return parent::get_additional_content();
		}
		return apply_filters( 'woocommerce_email_additional_content_' . $this->id, $this->format_string( $this->get_default_additional_content() ), $this->object, $this );
	}

	/**
	 * Sends one message from aftercare about this order.
	 *
	 * @param array<string,mixed> $message The message as GET /api/v1/messages/due lists it.
	 * @param \WC_Order           $order   Its order.
	 * @return bool Whether the mailer accepted it.
	 */
	public function trigger_message( array $message, $order ): bool {
		$this->prepare( $message, $order );
		try {
			if ( ! $this->is_enabled() || ! $this->get_recipient() ) {
				return false;
			}
			return (bool) $this->send( $this->get_recipient(), $this->get_subject(), $this->get_content(), $this->get_headers(), $this->get_attachments() );
		} finally {
			// Also when a template or the mailer throws: the next email is in the shop's language.
			$this->finish();
		}
	}

	/**
	 * The message as the customer would see it (subject and styled HTML), without sending it.
	 *
	 * @param array<string,mixed> $message As for trigger_message().
	 * @param \WC_Order           $order   Its order.
	 * @return array{subject:string,html:string,plain:string}
	 */
	public function preview_message( array $message, $order ): array {
		$this->prepare( $message, $order );
		try {
			return array(
				'subject' => (string) $this->get_subject(),
				'html'    => (string) $this->style_inline( $this->get_content_html() ),
				// As WooCommerce sends plain text: tags stripped, entities decoded, wrapped.
				'plain'   => wordwrap( (string) preg_replace( $this->plain_search, $this->plain_replace, wp_strip_all_tags( (string) $this->get_content_plain() ) ), 70 ),
			);
		} finally {
			$this->finish();
		}
	}

	/**
	 * Takes in the message: its data, the customer's language, the order and the recipient.
	 *
	 * @param array<string,mixed> $message As for trigger_message().
	 * @param \WC_Order           $order   Its order.
	 */
	private function prepare( array $message, $order ): void {
		$this->message_data   = Data::obj( $message, 'data' ) ?? array();
		$locale               = Data::str( $message, 'locale' );
		$this->message_locale = preg_match( '/^[a-z]{2,3}(_[A-Z]{2})?$/', $locale ) ? $locale : '';
		$this->setup_locale();
		$this->object                         = $order;
		$to                                   = sanitize_email( Data::str( Data::obj( $message, 'to' ) ?? array(), 'email' ) );
		$this->recipient                      = '' !== $to ? $to : (string) $order->get_billing_email();
		$this->placeholders['{order_date}']   = wc_format_datetime( $order->get_date_created() );
		$this->placeholders['{order_number}'] = $order->get_order_number();
	}

	private function finish(): void {
		$this->restore_locale();
		$this->message_data   = array();
		$this->message_locale = '';
	}

	/**
	 * The customer's language when aftercare names one, else the shop's (as WooCommerce does).
	 * WordPress switches only to languages it has installed; without Korean, aftercare's own
	 * words are still Korean and WooCommerce's parts stay in the shop's language.
	 */
	public function setup_locale() {
		if ( '' !== $this->message_locale && function_exists( 'switch_to_locale' ) ) {
			if ( switch_to_locale( $this->message_locale ) ) {
				$this->switched = 'site';
				return;
			}
			$own = AFTERCARE_PLUGIN_DIR . '/languages/aftercare-for-woocommerce-' . $this->message_locale . '.mo';
			if ( is_readable( $own ) ) {
				unload_textdomain( 'aftercare-for-woocommerce', true );
				load_textdomain( 'aftercare-for-woocommerce', $own, $this->message_locale );
				$this->switched = 'plugin';
				/* translators: PHP date format for dates in emails, see https://www.php.net/manual/datetime.format.php */
				Order_Facts::$date_format = __( 'F j, Y', 'aftercare-for-woocommerce' );
				return;
			}
		}
		parent::setup_locale();
	}

	public function restore_locale() {
		$switched       = $this->switched;
		$this->switched = '';
		if ( 'site' === $switched ) {
			restore_previous_locale();
			return;
		}
		if ( 'plugin' === $switched ) {
			Order_Facts::$date_format = '';
			unload_textdomain( 'aftercare-for-woocommerce', true );
			Plugin::load_textdomain();
			return;
		}
		parent::restore_locale();
	}

	/**
	 * What the templates read.
	 *
	 * @param bool $plain The plain-text variant.
	 * @return array<string,mixed>
	 */
	public function template_args( bool $plain ): array {
		$parcel = Data::obj( $this->message_data, 'parcel' );
		$return = Data::obj( $this->message_data, 'return' );
		return array(
			'order'              => $this->object,
			'email_heading'      => $this->get_heading(),
			'additional_content' => $this->get_additional_content(),
			'sent_to_admin'      => false,
			'plain_text'         => $plain,
			'email'              => $this,
			'data'               => $this->message_data,
			'facts'              => Order_Facts::from_message( $this->message_data ),
			'parcel'             => null === $parcel ? null : Order_Facts::parcel( $parcel ),
			'delay'              => Data::obj( $this->message_data, 'delay' ),
			'return'             => $return,
			'refund'             => null === $return ? null : Data::obj( $return, 'refund' ),
			'first_name'         => self::first_name( $this->message_data, $this->object ),
		);
	}

	public function get_content_html() {
		return wc_get_template_html( $this->template_html, $this->template_args( false ), '', $this->template_base );
	}

	public function get_content_plain() {
		return wc_get_template_html( $this->template_plain, $this->template_args( true ), '', $this->template_base );
	}

	/**
	 * The name to greet: the order's billing first name, else aftercare's customer name.
	 *
	 * @param array<string,mixed> $data  The message's data.
	 * @param mixed               $order The order.
	 */
	private static function first_name( array $data, $order ): string {
		if ( $order instanceof \WC_Order && '' !== (string) $order->get_billing_first_name() ) {
			return (string) $order->get_billing_first_name();
		}
		return Data::str( Data::obj( $data, 'customer' ) ?? array(), 'name' );
	}
}
