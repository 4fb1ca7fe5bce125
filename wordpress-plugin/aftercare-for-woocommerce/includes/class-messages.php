<?php
/**
 * Sends the messages aftercare has decided on, through WooCommerce's emails.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Every minute (Action Scheduler), one run at a time: takes the due messages from aftercare,
 * sends each with its WooCommerce email and reports the outcome. aftercare delivers a message
 * at least once; the order's meta `_aftercare_message_<id>` makes the shop send it at most
 * once. When aftercare is down nothing happens and the next minute tries again.
 */
final class Messages {

	public const HOOK  = 'aftercare_send_due_messages';
	public const GROUP = 'aftercare';
	public const DUE_PATH = '/api/v1/messages/due';
	/** Messages taken per run. */
	public const LIMIT = 20;
	/** Order meta prefix; the value is `sent`. */
	public const META_PREFIX = '_aftercare_message_';
	/** Option listing the staff digests sent (they belong to no order to carry the meta). */
	public const DIGESTS_OPTION = 'aftercare_digests_sent';
	/** Digest ids remembered: a month of days. */
	private const DIGESTS_KEPT = 31;
	/** Option held while a run is going on (its start time). */
	public const LOCK_OPTION = 'aftercare_messages_running';
	/** Transient set for an hour once the recurring action was seen queued. */
	private const CHECKED_KEY = 'aftercare_messages_checked';
	/** Seconds after which a run's lock is taken to be left over from a crash. */
	public const LOCK_TTL = 300;
	/** What aftercare reads from a failure; longer details are cut. */
	private const DETAIL_CHARS = 500;

	public static function register(): void {
		add_action( self::HOOK, array( self::class, 'run' ) );
		add_action( 'action_scheduler_init', array( self::class, 'schedule' ) );
	}

	/**
	 * Keeps the recurring action queued while the plugin is set up. Looked at once an hour,
	 * not on every request; the `unique` flag keeps it single.
	 */
	public static function schedule(): void {
		if ( ! Settings::is_configured() || ! function_exists( 'as_has_scheduled_action' ) || false !== get_transient( self::CHECKED_KEY ) ) {
			return;
		}
		if ( ! as_has_scheduled_action( self::HOOK, array(), self::GROUP ) ) {
			as_schedule_recurring_action( time() + MINUTE_IN_SECONDS, MINUTE_IN_SECONDS, self::HOOK, array(), self::GROUP, true );
		}
		set_transient( self::CHECKED_KEY, 1, HOUR_IN_SECONDS );
	}

	public static function unschedule(): void {
		delete_transient( self::CHECKED_KEY );
		if ( function_exists( 'as_unschedule_all_actions' ) ) {
			as_unschedule_all_actions( self::HOOK, array(), self::GROUP );
		}
	}

	/**
	 * One run: at most LIMIT messages. Returns what happened per message id (for tests and
	 * WP-CLI), or an empty list when another run is going on or aftercare did not answer.
	 *
	 * @return array<string,string> Message id => sent, failed, disabled or skipped.
	 */
	public static function run(): array {
		$client = Api_Client::from_settings();
		if ( ! $client->is_configured() || ! self::lock() ) {
			return array();
		}
		try {
			$response = $client->get( self::DUE_PATH, array( 'limit' => self::LIMIT ) );
			if ( ! $response->ok() ) {
				// Api_Client logged a failure to answer; a 404 is an aftercare without messages.
				return array();
			}
			$done = array();
			foreach ( Data::rows( $response->data, 'messages' ) as $message ) {
				$id = Data::str( $message, 'id' );
				if ( ! preg_match( '/^[A-Za-z0-9_-]{1,100}$/', $id ) ) {
					continue;
				}
				$done[ $id ] = self::handle( $client, $id, $message );
			}
			return $done;
		} finally {
			self::unlock();
		}
	}

	/**
	 * Sends one message and reports it.
	 *
	 * @param Api_Client          $client  aftercare.
	 * @param string              $id      The message id.
	 * @param array<string,mixed> $message As listed.
	 * @return string sent, failed, disabled or skipped (aftercare refused the report).
	 */
	private static function handle( Api_Client $client, string $id, array $message ): string {
		$type = Data::str( $message, 'type' );
		if ( Email_Staff_Digest::TYPE === $type ) {
			return self::handle_digest( $client, $id, $message );
		}
		$order = wc_get_order( Data::int( $message, 'order_id' ) );
		if ( ! $order instanceof \WC_Order ) {
			return self::report( $client, $id, 'failed', 'The order does not exist in the shop.' );
		}
		if ( 'sent' === $order->get_meta( self::META_PREFIX . $id ) ) {
			// Sent before; the report did not reach aftercare.
			return self::report( $client, $id, 'sent', '' );
		}
		$email = Emails::for_type( $type );
		if ( null === $email ) {
			return self::report( $client, $id, 'failed', sprintf( 'This plugin version cannot send "%s" messages.', $type ) );
		}
		if ( ! $email->is_enabled() ) {
			return self::report( $client, $id, 'disabled', '' );
		}
		$error = '';
		$catch = static function ( $wp_error ) use ( &$error ) {
			if ( is_wp_error( $wp_error ) ) {
				$error = $wp_error->get_error_message();
			}
		};
		add_action( 'wp_mail_failed', $catch );
		try {
			$sent = $email->trigger_message( $message, $order );
		} catch ( \Throwable $e ) {
			$sent  = false;
			$error = get_class( $e );
		}
		remove_action( 'wp_mail_failed', $catch );
		if ( ! $sent ) {
			self::log( sprintf( 'message %s (%s) for order %d was not sent', $id, $type, (int) $order->get_id() ) );
			// The mailer's message may name the recipient: aftercare gets the gist only.
			return self::report( $client, $id, 'failed', '' !== $error ? 'The mailer refused the email: ' . self::scrub( $error ) : 'The mailer refused the email.' );
		}
		$order->update_meta_data( self::META_PREFIX . $id, 'sent' );
		$order->save();
		return self::report( $client, $id, 'sent', '' );
	}

	/**
	 * Sends the staff digest (about no one order: an option, not order meta, keeps it from
	 * going twice) and
	 * reports it.
	 *
	 * @param Api_Client          $client  aftercare.
	 * @param string              $id      The message id.
	 * @param array<string,mixed> $message As listed.
	 */
	private static function handle_digest( Api_Client $client, string $id, array $message ): string {
		$sent_before = (array) get_option( self::DIGESTS_OPTION, array() );
		if ( in_array( $id, $sent_before, true ) ) {
			return self::report( $client, $id, 'sent', '' );
		}
		$email = Emails::staff_digest();
		if ( null === $email ) {
			return self::report( $client, $id, 'failed', 'This plugin version cannot send "staff_digest" messages.' );
		}
		if ( ! $email->is_enabled() ) {
			return self::report( $client, $id, 'disabled', '' );
		}
		$error = '';
		$catch = static function ( $wp_error ) use ( &$error ) {
			if ( is_wp_error( $wp_error ) ) {
				$error = $wp_error->get_error_message();
			}
		};
		add_action( 'wp_mail_failed', $catch );
		try {
			$sent = $email->trigger_message( $message );
		} catch ( \Throwable $e ) {
			$sent  = false;
			$error = get_class( $e );
		}
		remove_action( 'wp_mail_failed', $catch );
		if ( ! $sent ) {
			self::log( sprintf( 'message %s (staff_digest) was not sent', $id ) );
			return self::report( $client, $id, 'failed', '' !== $error ? 'The mailer refused the email: ' . self::scrub( $error ) : 'The mailer refused the email.' );
		}
		$sent_before[] = $id;
		update_option( self::DIGESTS_OPTION, array_slice( $sent_before, -self::DIGESTS_KEPT ), false );
		return self::report( $client, $id, 'sent', '' );
	}

	/**
	 * Tells aftercare how a message went. A report that does not arrive is not repeated here:
	 * aftercare lists the message again after its lease, and the order's meta keeps it from
	 * being sent twice.
	 *
	 * @param Api_Client $client  aftercare.
	 * @param string     $id      The message id.
	 * @param string     $outcome sent, failed or disabled.
	 * @param string     $detail  Why, without personal data.
	 */
	private static function report( Api_Client $client, string $id, string $outcome, string $detail ): string {
		$body = array( 'outcome' => $outcome );
		if ( '' !== $detail ) {
			$body['detail'] = mb_substr( $detail, 0, self::DETAIL_CHARS );
		}
		$response = $client->post_json( sprintf( '/api/v1/messages/%s/result', rawurlencode( $id ) ), $body );
		if ( ! $response->ok() ) {
			self::log( sprintf( 'message %s: the %s report was not accepted (%s)', $id, $outcome, $response->status ? 'HTTP ' . $response->status : 'no answer' ) );
			return 'sent' === $outcome ? 'sent' : 'skipped';
		}
		return $outcome;
	}

	/**
	 * Takes the run's lock: add_option() is atomic (the option name is unique), so two runs
	 * started at once cannot both get it.
	 */
	private static function lock(): bool {
		if ( add_option( self::LOCK_OPTION, time(), '', false ) ) {
			return true;
		}
		$since = (int) get_option( self::LOCK_OPTION, 0 );
		if ( $since > 0 && time() - $since < self::LOCK_TTL ) {
			return false;
		}
		// Left over from a run that died.
		delete_option( self::LOCK_OPTION );
		return add_option( self::LOCK_OPTION, time(), '', false );
	}

	private static function unlock(): void {
		delete_option( self::LOCK_OPTION );
	}

	/**
	 * Removes email addresses from a mailer's message.
	 *
	 * @param string $text The message.
	 */
	private static function scrub( string $text ): string {
		return (string) preg_replace( '/[^\s<>"\']+@[^\s<>"\']+/', '[address]', $text );
	}

	/**
	 * Notes a problem in WooCommerce's log, with ids only.
	 *
	 * @param string $message What happened.
	 */
	private static function log( string $message ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->warning( $message, array( 'source' => 'aftercare' ) );
		}
	}
}
