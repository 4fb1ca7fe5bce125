<?php
/**
 * Admin notices: one-shot ones that survive the redirect after an action, and the standing
 * ones about the shop's set-up (not set up yet, API key refused).
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Per-user notices kept in a transient until the next admin page shows them, and notices that
 * stay while the set-up needs an admin.
 */
final class Admin_Notices {

	private const TTL = 300;

	/** Set at activation, removed once a Connect succeeds: the "set up aftercare" notice. */
	public const NEEDS_SETUP_OPTION = 'aftercare_needs_setup';
	/** User meta: this user dismissed the set-up notice. */
	public const SETUP_DISMISSED_META = 'aftercare_setup_dismissed';
	public const DISMISS_ACTION       = 'aftercare_dismiss_setup';

	public static function register(): void {
		add_action( 'admin_notices', array( self::class, 'print_notices' ) );
		add_action( 'admin_notices', array( self::class, 'print_standing' ) );
		add_action( 'admin_post_' . self::DISMISS_ACTION, array( self::class, 'on_dismiss' ) );
	}

	public static function print_standing(): void {
		echo self::standing(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built escaped.
	}

	/**
	 * The notices that stay until an admin fixes the set-up, for those who can.
	 */
	public static function standing(): string {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			return '';
		}
		$html    = '';
		$failure = Settings::has_api_key() ? Api_Client::auth_failure() : null;
		if ( null !== $failure ) {
			$html .= '<div class="notice notice-error aftercare-notice aftercare-notice--key"><p><strong>'
				. esc_html(
					sprintf(
						/* translators: %s: date and time aftercare first refused the key */
						__( 'aftercare refused this shop\'s API key (since %s). Customers cannot see parcels, invoices or returns.', 'aftercare-for-woocommerce' ),
						wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $failure['at'] )
					)
				)
				. '</strong></p><p>'
				. esc_html__( 'Paste api_key from aftercare-data/secrets.toml (or the AFTERCARE_API_KEY you set) in WooCommerce → Settings → Aftercare and press Test connection.', 'aftercare-for-woocommerce' )
				. ' <a href="' . esc_url( Admin_Settings::url() ) . '">' . esc_html__( 'Open the Aftercare settings', 'aftercare-for-woocommerce' ) . '</a></p></div>';
		}
		if ( self::needs_setup() && ! self::on_settings_tab() && ! get_user_meta( get_current_user_id(), self::SETUP_DISMISSED_META, true ) ) {
			$dismiss = wp_nonce_url( add_query_arg( 'action', self::DISMISS_ACTION, admin_url( 'admin-post.php' ) ), self::DISMISS_ACTION );
			$html   .= '<div class="notice notice-info aftercare-notice aftercare-notice--setup"><p>'
				. esc_html__( 'Aftercare is active. Connect it to aftercare to show parcels, invoices and returns in My Account.', 'aftercare-for-woocommerce' )
				. '</p><p><a class="button button-primary" href="' . esc_url( Admin_Settings::url() ) . '">' . esc_html__( 'Set up aftercare', 'aftercare-for-woocommerce' ) . '</a> '
				. '<a class="button-link" href="' . esc_url( $dismiss ) . '">' . esc_html__( 'Dismiss', 'aftercare-for-woocommerce' ) . '</a></p></div>';
		}
		return $html;
	}

	/**
	 * Until a Connect succeeds after activation.
	 */
	public static function needs_setup(): bool {
		if ( ! get_option( self::NEEDS_SETUP_OPTION ) ) {
			return false;
		}
		$connection = get_option( Settings::CONNECTION_OPTION, array() );
		if ( Settings::has_api_key() && '' !== Settings::url() && is_array( $connection ) && ! empty( $connection['connected_at'] ) ) {
			delete_option( self::NEEDS_SETUP_OPTION );
			return false;
		}
		return true;
	}

	private static function on_settings_tab(): bool {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- which screen this is, nothing is changed.
		$get = wp_unslash( $_GET );
		return 'wc-settings' === ( $get['page'] ?? '' ) && Admin_Settings::TAB === ( $get['tab'] ?? '' );
	}

	public static function on_dismiss(): void {
		wp_safe_redirect( self::dismiss( wp_unslash( $_GET ) ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in dismiss().
		exit;
	}

	/**
	 * Hides the set-up notice for the current user.
	 *
	 * @param array<string,mixed> $get Unslashed query.
	 * @return string Where to go next.
	 */
	public static function dismiss( array $get ): string {
		$nonce = isset( $get['_wpnonce'] ) && is_string( $get['_wpnonce'] ) ? $get['_wpnonce'] : '';
		if ( current_user_can( 'manage_woocommerce' ) && wp_verify_nonce( $nonce, self::DISMISS_ACTION ) ) {
			update_user_meta( get_current_user_id(), self::SETUP_DISMISSED_META, 1 );
		}
		return admin_url();
	}

	/**
	 * Queues a notice for the current user.
	 *
	 * @param string   $type  success, warning, error or info.
	 * @param string   $title The sentence that says what happened.
	 * @param string[] $lines Details, one per line.
	 */
	public static function add( string $type, string $title, array $lines = array() ): void {
		$key     = self::key();
		$notices = get_transient( $key );
		$notices = is_array( $notices ) ? $notices : array();
		$notices[] = array(
			'type'  => in_array( $type, array( 'success', 'warning', 'error', 'info' ), true ) ? $type : 'info',
			'title' => $title,
			'lines' => array_values( array_map( 'strval', $lines ) ),
		);
		set_transient( $key, $notices, self::TTL );
	}

	/**
	 * Takes the queued notices.
	 *
	 * @return array<int,array{type:string,title:string,lines:string[]}>
	 */
	public static function take(): array {
		$key     = self::key();
		$notices = get_transient( $key );
		if ( false !== $notices ) {
			delete_transient( $key );
		}
		return is_array( $notices ) ? $notices : array();
	}

	public static function print_notices(): void {
		foreach ( self::take() as $notice ) {
			echo '<div class="notice notice-' . esc_attr( $notice['type'] ) . ' is-dismissible aftercare-notice"><p><strong>' . esc_html( $notice['title'] ) . '</strong></p>';
			if ( $notice['lines'] ) {
				echo '<ul>';
				foreach ( $notice['lines'] as $line ) {
					echo '<li>' . esc_html( $line ) . '</li>';
				}
				echo '</ul>';
			}
			echo '</div>';
		}
	}

	private static function key(): string {
		return 'aftercare_notice_' . get_current_user_id();
	}
}
