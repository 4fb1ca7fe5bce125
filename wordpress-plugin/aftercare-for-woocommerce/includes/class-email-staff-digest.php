<?php
/**
 * aftercare's daily `staff_digest` as a WooCommerce email to the shop.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Once a day when something needs the shop: late and problem parcels, returns waiting for a
 * decision, messages that failed. aftercare decides when and what; this email sends it to the
 * recipient set under WooCommerce → Settings → Emails, else to the address aftercare names
 * (the shop profile's email), else to the site's admin address.
 */
class Email_Staff_Digest extends \WC_Email {

	public const TYPE = 'staff_digest';

	/**
	 * The message's `data` while it is being sent.
	 *
	 * @var array<string,mixed>
	 */
	public array $message_data = array();

	public function __construct() {
		$this->id             = 'aftercare_staff_digest';
		$this->customer_email = false;
		$this->title          = __( 'Aftercare: staff digest', 'aftercare-for-woocommerce' );
		$this->description    = __( 'Sent by aftercare once a day when something needs the shop: late and problem parcels, returns waiting for a decision and messages that could not be sent.', 'aftercare-for-woocommerce' );
		$this->template_html  = 'emails/aftercare-staff-digest.php';
		$this->template_plain = 'emails/plain/aftercare-staff-digest.php';
		$this->template_base  = AFTERCARE_PLUGIN_DIR . '/templates/';
		$this->placeholders   = array( '{digest_date}' => '' );
		parent::__construct();
		$this->recipient = (string) $this->get_option( 'recipient', '' );
	}

	/**
	 * WooCommerce's fields with a recipient field, as its own staff emails have.
	 */
	public function init_form_fields() {
		parent::init_form_fields();
		$fields = array();
		foreach ( $this->form_fields as $key => $field ) {
			$fields[ $key ] = $field;
			if ( 'enabled' === $key ) {
				$fields['recipient'] = array(
					'title'       => __( 'Recipient(s)', 'aftercare-for-woocommerce' ),
					'type'        => 'text',
					/* translators: %s: the site's admin email address */
					'description' => sprintf( __( 'Enter recipients (comma separated) for this email. Defaults to the shop\'s email in aftercare, else %s.', 'aftercare-for-woocommerce' ), '<code>' . esc_html( (string) get_option( 'admin_email' ) ) . '</code>' ),
					'placeholder' => '',
					'default'     => '',
					'desc_tip'    => true,
				);
			}
		}
		$this->form_fields = $fields;
	}

	public function get_default_subject() {
		return __( '[{site_title}] Daily aftercare digest for {digest_date}', 'aftercare-for-woocommerce' );
	}

	public function get_default_heading() {
		return __( 'What needs your attention', 'aftercare-for-woocommerce' );
	}

	public function get_default_additional_content() {
		return '';
	}

	/**
	 * Sends the digest aftercare listed.
	 *
	 * @param array<string,mixed> $message The message as GET /api/v1/messages/due lists it.
	 * @return bool Whether the mailer accepted it.
	 */
	public function trigger_message( array $message ): bool {
		$this->message_data                  = Data::obj( $message, 'data' ) ?? array();
		$this->placeholders['{digest_date}'] = Data::str( $this->message_data, 'date' );
		$this->setup_locale();
		try {
			$to = trim( (string) $this->get_option( 'recipient', '' ) );
			if ( '' === $to ) {
				$to = sanitize_email( Data::str( Data::obj( $message, 'to' ) ?? array(), 'email' ) );
			}
			if ( '' === $to ) {
				$to = (string) get_option( 'admin_email' );
			}
			$this->recipient = $to;
			if ( ! $this->is_enabled() || '' === $to ) {
				return false;
			}
			return (bool) $this->send( $this->get_recipient(), $this->get_subject(), $this->get_content(), $this->get_headers(), $this->get_attachments() );
		} finally {
			$this->restore_locale();
			$this->message_data = array();
		}
	}

	/**
	 * The digest's lines for the templates: each with the order number, what is wrong, since
	 * when and the order's edit screen.
	 *
	 * @param string $section late, returns or failed.
	 * @return list<array{order:string,what:string,when:string,url:string}>
	 */
	public function rows( string $section ): array {
		$rows = array();
		foreach ( Data::rows( $this->message_data, $section ) as $row ) {
			$order_id = Data::int( $row, 'order_id' );
			$order    = $order_id > 0 && function_exists( 'wc_get_order' ) ? wc_get_order( $order_id ) : null;
			$url      = $order instanceof \WC_Order && method_exists( $order, 'get_edit_order_url' ) ? (string) $order->get_edit_order_url() : Data::url( $row, 'admin_url' );
			$rows[]   = array(
				'order' => Data::str( $row, 'order_number' ),
				'what'  => self::what( $section, $row ),
				'when'  => Data::str( $row, 'late' === $section ? 'raised_at' : ( 'returns' === $section ? 'updated_at' : 'failed_at' ) ),
				'url'   => $url,
			);
		}
		return $rows;
	}

	/**
	 * What one line says is wrong.
	 *
	 * @param string              $section late, returns or failed.
	 * @param array<string,mixed> $row     The line's data.
	 */
	private static function what( string $section, array $row ): string {
		if ( 'late' === $section ) {
			$labels = array(
				'not_shipped'        => __( 'not shipped in time', 'aftercare-for-woocommerce' ),
				'no_carrier_scan'    => __( 'no carrier scan yet', 'aftercare-for-woocommerce' ),
				'stalled_in_transit' => __( 'stuck in transit', 'aftercare-for-woocommerce' ),
				'eta_passed'         => __( 'expected date passed', 'aftercare-for-woocommerce' ),
				'delivery_exception' => __( 'delivery problem', 'aftercare-for-woocommerce' ),
				'returned_to_sender' => __( 'returned to sender', 'aftercare-for-woocommerce' ),
				'carrier_silent'     => __( 'the carrier has gone silent', 'aftercare-for-woocommerce' ),
			);
			$label  = $labels[ Data::str( $row, 'code' ) ] ?? __( 'late', 'aftercare-for-woocommerce' );
			$parcel = Data::str( $row, 'parcel_id' );
			return '' !== $parcel ? $label . ' (' . $parcel . ')' : $label;
		}
		if ( 'returns' === $section ) {
			$next = 'requested' === Data::str( $row, 'status' )
				? __( 'requested: approve or reject', 'aftercare-for-woocommerce' )
				: __( 'received: refund, exchange or credit', 'aftercare-for-woocommerce' );
			return Data::str( $row, 'id' ) . ' ' . $next;
		}
		return Data::str( $row, 'id' ) . ' ' . Data::str( $row, 'type' ) . ': ' . Data::str( $row, 'reason' );
	}

	/**
	 * What the templates read.
	 *
	 * @param bool $plain The plain-text variant.
	 * @return array<string,mixed>
	 */
	public function template_args( bool $plain ): array {
		return array(
			'email_heading'      => $this->get_heading(),
			'additional_content' => $this->get_additional_content(),
			'sent_to_admin'      => true,
			'plain_text'         => $plain,
			'email'              => $this,
			'data'               => $this->message_data,
			'sections'           => array(
				array( __( 'Late and problem parcels', 'aftercare-for-woocommerce' ), $this->rows( 'late' ) ),
				array( __( 'Returns waiting for you', 'aftercare-for-woocommerce' ), $this->rows( 'returns' ) ),
				array( __( 'Messages that failed', 'aftercare-for-woocommerce' ), $this->rows( 'failed' ) ),
			),
		);
	}

	public function get_content_html() {
		return wc_get_template_html( $this->template_html, $this->template_args( false ), '', $this->template_base );
	}

	public function get_content_plain() {
		return wc_get_template_html( $this->template_plain, $this->template_args( true ), '', $this->template_base );
	}
}
