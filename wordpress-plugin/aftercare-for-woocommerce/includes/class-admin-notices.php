<?php
/**
 * One-shot admin notices that survive the redirect after an action.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Per-user notices kept in a transient until the next admin page shows them.
 */
final class Admin_Notices {

	private const TTL = 300;

	public static function register(): void {
		add_action( 'admin_notices', array( self::class, 'print_notices' ) );
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
