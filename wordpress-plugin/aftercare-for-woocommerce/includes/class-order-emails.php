<?php
/**
 * WooCommerce's own order emails, with aftercare's facts: the tracking page, the parcels, the
 * expected date, and the invoice or credit note as a PDF.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Adds to the customer's processing, completed and refunded emails what the shop chose in
 * WooCommerce → Settings → Aftercare. aftercare answers within a couple of seconds or the email
 * goes out as WooCommerce wrote it; downloaded PDFs are deleted once the email is sent.
 */
final class Order_Emails {

	/** Which emails carry what: {facts: ids[], invoice: ids[], credit_note: ids[]}. */
	public const OPTION = 'aftercare_order_emails';

	public const PROCESSING = 'customer_processing_order';
	public const COMPLETED  = 'customer_completed_order';
	public const REFUNDED   = 'customer_refunded_order';
	/** WooCommerce gives the refunded email this id while it sends a partial refund. */
	public const PARTIALLY_REFUNDED = 'customer_partially_refunded_order';

	/** What can be added, and to which emails. */
	public const CHOICES = array(
		'facts'       => array( self::PROCESSING, self::COMPLETED, self::REFUNDED ),
		'invoice'     => array( self::PROCESSING, self::COMPLETED ),
		'credit_note' => array( self::REFUNDED ),
	);

	public const DEFAULTS = array(
		'facts'       => array( self::PROCESSING, self::COMPLETED, self::REFUNDED ),
		'invoice'     => array( self::COMPLETED ),
		'credit_note' => array( self::REFUNDED ),
	);

	/**
	 * Attachments waiting for their email to be sent: folder => file.
	 *
	 * @var array<string,string>
	 */
	private static array $pending = array();

	public static function register(): void {
		add_action( 'woocommerce_email_after_order_table', array( self::class, 'print_facts' ), 20, 4 );
		add_filter( 'woocommerce_email_attachments', array( self::class, 'attachments' ), 20, 4 );
		add_action( 'woocommerce_email_sent', array( self::class, 'clean_up' ), 10, 0 );
		// Should a mailer end the request without firing woocommerce_email_sent.
		add_action( 'shutdown', array( self::class, 'clean_up' ), 10, 0 );
	}

	/**
	 * The saved choices, each a list of email ids (the defaults until the shop saves its own).
	 *
	 * @return array{facts:string[],invoice:string[],credit_note:string[]}
	 */
	public static function choices(): array {
		$saved  = get_option( self::OPTION, null );
		$result = self::DEFAULTS;
		if ( is_array( $saved ) ) {
			foreach ( self::CHOICES as $what => $allowed ) {
				$ids           = isset( $saved[ $what ] ) && is_array( $saved[ $what ] ) ? $saved[ $what ] : array();
				$result[ $what ] = array_values( array_intersect( $allowed, $ids ) );
			}
		}
		return $result;
	}

	/**
	 * Stores the choices from the settings form: `aftercare_order_emails[facts][]` and so on;
	 * an unticked box is simply absent.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 */
	public static function save( array $post ): void {
		if ( empty( $post['aftercare_order_emails_shown'] ) ) {
			return; // The form did not show the boxes: keep what is saved.
		}
		$posted = isset( $post[ self::OPTION ] ) && is_array( $post[ self::OPTION ] ) ? $post[ self::OPTION ] : array();
		$clean  = array();
		foreach ( self::CHOICES as $what => $allowed ) {
			$ids            = isset( $posted[ $what ] ) && is_array( $posted[ $what ] ) ? array_map( 'strval', $posted[ $what ] ) : array();
			$clean[ $what ] = array_values( array_intersect( $allowed, $ids ) );
		}
		update_option( self::OPTION, $clean, false );
	}

	/**
	 * Whether this email gets this addition.
	 *
	 * @param string $what     `facts`, `invoice` or `credit_note`.
	 * @param string $email_id WooCommerce's email id.
	 */
	public static function wants( string $what, string $email_id ): bool {
		if ( self::PARTIALLY_REFUNDED === $email_id ) {
			$email_id = self::REFUNDED;
		}
		return in_array( $email_id, self::choices()[ $what ] ?? array(), true );
	}

	/**
	 * Action woocommerce_email_after_order_table: the parcels block, HTML or plain.
	 *
	 * @param mixed $order         The order.
	 * @param mixed $sent_to_admin Whether the email goes to the shop.
	 * @param mixed $plain_text    Plain-text email.
	 * @param mixed $email         The WC_Email.
	 */
	public static function print_facts( $order = null, $sent_to_admin = false, $plain_text = false, $email = null ): void {
		if ( $sent_to_admin || ! $order instanceof \WC_Order || ! is_object( $email ) || ! isset( $email->id ) || ! self::wants( 'facts', (string) $email->id ) ) {
			return;
		}
		$facts = Order_Facts::for_order( $order );
		if ( null === $facts || ( '' === $facts['tracking_url'] && ! $facts['parcels'] ) ) {
			return;
		}
		echo self::render_facts( $facts, (bool) $plain_text ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The parcels block of an email.
	 *
	 * @param array<string,mixed> $facts As Order_Facts returns.
	 * @param bool                $plain The plain-text variant.
	 */
	public static function render_facts( array $facts, bool $plain ): string {
		return (string) wc_get_template_html(
			$plain ? 'emails/plain/aftercare-parcels.php' : 'emails/aftercare-parcels.php',
			array( 'facts' => $facts ),
			'',
			AFTERCARE_PLUGIN_DIR . '/templates/'
		);
	}

	/**
	 * Filter woocommerce_email_attachments: the invoice or credit note as a PDF.
	 *
	 * @param mixed $attachments Files so far.
	 * @param mixed $email_id    WooCommerce's email id.
	 * @param mixed $order       The email's object.
	 * @param mixed $email       The WC_Email.
	 * @return mixed
	 */
	public static function attachments( $attachments, $email_id = '', $order = null, $email = null ) {
		if ( ! is_array( $attachments ) || ! is_string( $email_id ) || ! $order instanceof \WC_Order ) {
			return $attachments;
		}
		$order_id = (int) $order->get_id();
		$document = null;
		if ( self::wants( 'invoice', $email_id ) ) {
			$document = Order_Facts::document_file( $order_id, 'invoice' );
		} elseif ( self::wants( 'credit_note', $email_id ) ) {
			$refund   = is_object( $email ) && isset( $email->refund ) && is_object( $email->refund ) && method_exists( $email->refund, 'get_id' ) ? (int) $email->refund->get_id() : 0;
			$document = Order_Facts::document_file( $order_id, 'credit_note', $refund );
		}
		if ( null !== $document ) {
			self::$pending[ $document['dir'] ] = $document['file'];
			$attachments[]                     = $document['file'];
		}
		return $attachments;
	}

	/**
	 * Deletes the downloaded PDFs once their email is sent (or the request ends).
	 */
	public static function clean_up(): void {
		foreach ( self::$pending as $dir => $file ) {
			wp_delete_file( $file );
			@rmdir( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged, WordPress.WP.AlternativeFunctions.file_system_operations_rmdir -- our own folder, empty now.
		}
		self::$pending = array();
	}
}
