<?php
/**
 * WooCommerce → Settings → Aftercare: URL, API key, Test connection, Connect, health.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * The settings tab. WooCommerce prints the form, its nonce and the Save button; the tab
 * prints the fields. Test connection and Connect post the same form to admin-post.php.
 */
final class Admin_Settings {

	public const TAB            = 'aftercare';
	public const NONCE_ACTION   = 'aftercare_settings_action';
	public const TEST_ACTION    = 'aftercare_test_connection';
	public const CONNECT_ACTION = 'aftercare_connect';

	public static function register(): void {
		add_filter( 'woocommerce_settings_tabs_array', array( self::class, 'add_tab' ), 50 );
		add_action( 'woocommerce_settings_tabs_' . self::TAB, array( self::class, 'print_tab' ) );
		add_action( 'woocommerce_update_options_' . self::TAB, array( self::class, 'on_save' ) );
		add_action( 'admin_post_' . self::TEST_ACTION, array( self::class, 'on_action' ) );
		add_action( 'admin_post_' . self::CONNECT_ACTION, array( self::class, 'on_action' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( AFTERCARE_PLUGIN_FILE ), array( self::class, 'action_links' ) );
		add_action( 'admin_enqueue_scripts', array( self::class, 'enqueue_style' ) );
	}

	/**
	 * The admin stylesheet, on the screens that show our markup.
	 *
	 * @param string $hook_suffix Current admin page.
	 */
	public static function enqueue_style( $hook_suffix ): void {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		$ours   = str_contains( (string) $hook_suffix, 'wc-settings' ) || str_contains( (string) $hook_suffix, Returns_Queue::PAGE )
			|| str_contains( (string) $hook_suffix, Support_Inbox::PAGE ) || str_contains( (string) $hook_suffix, Answers_Admin::PAGE )
			|| str_contains( (string) $hook_suffix, Insights_Page::PAGE )
			|| ( $screen && in_array( $screen->id, array( Shipment_Box::screen(), 'woocommerce_page_wc-orders', 'edit-shop_order', 'product' ), true ) );
		if ( $ours ) {
			wp_enqueue_style( 'aftercare-admin', plugins_url( 'assets/admin.css', AFTERCARE_PLUGIN_FILE ), array(), AFTERCARE_VERSION );
		}
	}

	/**
	 * Filter woocommerce_settings_tabs_array.
	 *
	 * @param array<string,string> $tabs Tab id => label.
	 * @return array<string,string>
	 */
	public static function add_tab( $tabs ) {
		$tabs              = is_array( $tabs ) ? $tabs : array();
		$tabs[ self::TAB ] = __( 'Aftercare', 'aftercare-for-woocommerce' );
		return $tabs;
	}

	/**
	 * A Settings link on the Plugins screen.
	 *
	 * @param string[] $links Links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		$links   = is_array( $links ) ? $links : array();
		$links[] = '<a href="' . esc_url( self::url() ) . '">' . esc_html__( 'Settings', 'aftercare-for-woocommerce' ) . '</a>';
		return $links;
	}

	public static function url(): string {
		return admin_url( 'admin.php?page=wc-settings&tab=' . self::TAB );
	}

	public static function print_tab(): void {
		echo self::tab(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the template escapes.
	}

	/**
	 * The tab's content (one call to aftercare: the store's health).
	 */
	public static function tab(): string {
		$client = Api_Client::from_settings();
		$health = $client->get( Connector::HEALTH_PATH, array(), array( 'cache' => true ) );
		return Template::render(
			'admin/settings',
			array(
				'url'        => Settings::url(),
				'has_key'    => Settings::has_api_key(),
				'key_failure' => Api_Client::auth_failure(),
				'health'     => $health,
				'webhooks'   => Connector::local_webhooks(),
				'connection' => get_option( Settings::CONNECTION_OPTION, array() ),
				'tax_id'     => Settings::tax_id(),
				'phone'      => Settings::phone(),
				'order_emails' => Order_Emails::choices(),
			)
		);
	}

	/**
	 * WooCommerce checked its settings nonce before calling this.
	 */
	public static function on_save(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- WC_Admin_Settings::save() verified the woocommerce-settings nonce.
		$errors = self::save( wp_unslash( $_POST ) );
		foreach ( $errors as $error ) {
			if ( class_exists( 'WC_Admin_Settings' ) ) {
				\WC_Admin_Settings::add_error( $error );
			}
		}
	}

	/**
	 * Stores the URL, the API key when one was typed, and the seller's fields for invoices.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return string[] Error messages.
	 */
	public static function save( array $post ): array {
		$errors = self::save_seller( $post );
		Order_Emails::save( $post );
		if ( isset( $post['aftercare_url'] ) && is_string( $post['aftercare_url'] ) ) {
			$url = Settings::sanitize_url( $post['aftercare_url'] );
			if ( is_wp_error( $url ) ) {
				$errors[] = $url->get_error_message();
			} else {
				Settings::save_url( $url );
			}
		}
		if ( isset( $post['aftercare_api_key'] ) && is_string( $post['aftercare_api_key'] ) && '' !== trim( $post['aftercare_api_key'] ) ) {
			$key = Settings::sanitize_api_key( $post['aftercare_api_key'] );
			if ( is_wp_error( $key ) ) {
				$errors[] = $key->get_error_message();
			} else {
				Settings::save_api_key( $key );
			}
		}
		// New settings deserve a new try right away.
		Api_Client::resume();
		return $errors;
	}

	/**
	 * Stores the tax number and phone for invoices (they need no answer from aftercare).
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return string[] Error messages.
	 */
	public static function save_seller( array $post ): array {
		$errors = array();
		if ( isset( $post[ Settings::TAX_ID_OPTION ] ) && is_string( $post[ Settings::TAX_ID_OPTION ] ) ) {
			$tax_id = Settings::sanitize_tax_id( $post[ Settings::TAX_ID_OPTION ] );
			if ( is_wp_error( $tax_id ) ) {
				$errors[] = $tax_id->get_error_message();
			} else {
				Settings::save_tax_id( $tax_id );
			}
		}
		if ( isset( $post[ Settings::PHONE_OPTION ] ) && is_string( $post[ Settings::PHONE_OPTION ] ) ) {
			$phone = Settings::sanitize_phone( $post[ Settings::PHONE_OPTION ] );
			if ( is_wp_error( $phone ) ) {
				$errors[] = $phone->get_error_message();
			} else {
				Settings::save_phone( $phone );
			}
		}
		return $errors;
	}

	public static function on_action(): void {
		$action = isset( $_REQUEST['action'] ) ? sanitize_key( wp_unslash( $_REQUEST['action'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified in handle_action().
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in handle_action().
		wp_safe_redirect( self::handle_action( $action, wp_unslash( $_POST ) ) );
		exit;
	}

	/**
	 * Tests what was typed (or what is saved), saves it only when aftercare accepts it, then
	 * connects if asked: a wrong key being tried never replaces one that works.
	 *
	 * @param string              $action TEST_ACTION or CONNECT_ACTION.
	 * @param array<string,mixed> $post   Unslashed form fields.
	 * @return string Where to go next.
	 */
	public static function handle_action( string $action, array $post ): string {
		$nonce = isset( $post['_aftercare_nonce'] ) && is_string( $post['_aftercare_nonce'] ) ? $post['_aftercare_nonce'] : '';
		if ( ! current_user_can( 'manage_woocommerce' ) || ! wp_verify_nonce( $nonce, self::NONCE_ACTION ) ) {
			Admin_Notices::add( 'error', __( 'The page expired or you may not change these settings. Please try again.', 'aftercare-for-woocommerce' ) );
			return self::url();
		}
		$typed = self::typed( $post );
		if ( $typed['errors'] ) {
			Admin_Notices::add( 'error', __( 'The settings were not saved.', 'aftercare-for-woocommerce' ), $typed['errors'] );
			return self::url();
		}
		$changed = $typed['url'] !== Settings::url() || '' !== $typed['key'];
		$client  = $changed
			? new Api_Client( $typed['url'], '' !== $typed['key'] ? $typed['key'] : Settings::api_key() )
			: Api_Client::from_settings();
		$test    = Connector::test( $client );
		if ( ! $test['ok'] ) {
			$title = $changed
				? __( 'Not saved: aftercare did not accept what you entered. The saved settings are unchanged.', 'aftercare-for-woocommerce' )
				: $test['title'];
			Admin_Notices::add( 'error', $title, $changed ? array_merge( array( $test['title'] ), $test['lines'] ) : $test['lines'] );
			return self::url();
		}
		if ( $changed ) {
			self::save( $post );
		} else {
			// Connect sends the seller's fields as they were typed beside it.
			self::save_seller( $post );
		}
		$saved = Api_Client::from_settings();
		if ( isset( $test['health'] ) ) {
			$saved->remember( Connector::HEALTH_PATH, $test['health'] );
		}
		// The test went through with the key now saved: it is accepted.
		delete_option( Api_Client::AUTH_FAILURE_OPTION );
		$result = self::CONNECT_ACTION === $action ? Connector::connect( get_current_user_id() ) : $test;
		Admin_Notices::add( $result['ok'] ? 'success' : 'error', $result['title'], $result['lines'] );
		return self::url();
	}

	/**
	 * The URL and key as typed (the saved URL when the field is missing), checked but not saved;
	 * the seller's fields only checked.
	 *
	 * @param array<string,mixed> $post Unslashed form fields.
	 * @return array{url:string,key:string,errors:string[]}
	 */
	private static function typed( array $post ): array {
		$typed = array(
			'url'    => Settings::url(),
			'key'    => '',
			'errors' => array(),
		);
		if ( isset( $post['aftercare_url'] ) && is_string( $post['aftercare_url'] ) ) {
			$url = Settings::sanitize_url( $post['aftercare_url'] );
			if ( is_wp_error( $url ) ) {
				$typed['errors'][] = $url->get_error_message();
			} else {
				$typed['url'] = $url;
			}
		}
		if ( isset( $post['aftercare_api_key'] ) && is_string( $post['aftercare_api_key'] ) && '' !== trim( $post['aftercare_api_key'] ) ) {
			$key = Settings::sanitize_api_key( $post['aftercare_api_key'] );
			if ( is_wp_error( $key ) ) {
				$typed['errors'][] = $key->get_error_message();
			} else {
				$typed['key'] = $key;
			}
		}
		foreach ( array( Settings::TAX_ID_OPTION => 'sanitize_tax_id', Settings::PHONE_OPTION => 'sanitize_phone' ) as $field => $check ) {
			if ( isset( $post[ $field ] ) && is_string( $post[ $field ] ) ) {
				$value = Settings::$check( $post[ $field ] );
				if ( is_wp_error( $value ) ) {
					$typed['errors'][] = $value->get_error_message();
				}
			}
		}
		return $typed;
	}
}
