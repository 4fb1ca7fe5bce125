<?php
/**
 * Test connection and one-click Connect: the four order webhooks, created or repaired, and the
 * shop's profile sent.
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * Talks to aftercare about the connection and keeps WooCommerce's webhooks pointing at it.
 */
final class Connector {

	public const TOPICS              = array( 'order.created', 'order.updated', 'order.deleted', 'order.restored' );
	public const MIN_SERVICE_VERSION = '0.1.0';
	public const HEALTH_PATH         = '/api/v1/store/health';
	public const CONNECTION_PATH     = '/api/v1/store/connection';

	/**
	 * Reachability, key and version.
	 *
	 * @param Api_Client|null $client The URL and key to test; the saved ones by default.
	 * @return array{ok:bool,title:string,lines:string[],version:string,health?:array<string,mixed>}
	 */
	public static function test( ?Api_Client $client = null ): array {
		$client = $client ?? Api_Client::from_settings();
		if ( ! $client->is_configured() ) {
			return self::result( false, __( 'Enter the aftercare URL and API key first.', 'aftercare-for-woocommerce' ) );
		}
		Api_Client::resume();
		$fresh = array( 'fresh' => true );
		$alive = $client->get( '/healthz', array(), $fresh );
		if ( ! $alive->ok() ) {
			return self::result( false, __( 'aftercare could not be reached.', 'aftercare-for-woocommerce' ), self::explain( $alive ) );
		}
		$lines   = array( __( 'aftercare is reachable.', 'aftercare-for-woocommerce' ) );
		$version = '';
		$store   = '';
		$health  = $client->get( self::HEALTH_PATH, array(), $fresh );
		$checked = null;
		if ( $health->ok() ) {
			$version = Data::str( $health->data, 'version' );
			$store   = Data::str( $health->data, 'store' );
			$checked = is_array( $health->data ) ? $health->data : null;
		} elseif ( $health->missing_endpoint() ) {
			// An aftercare without the health endpoint: the API document still proves the key.
			$doc = $client->get( '/api/v1/openapi.json', array(), $fresh );
			if ( ! $doc->ok() ) {
				return self::result( false, __( 'aftercare is reachable, but the API key was not accepted.', 'aftercare-for-woocommerce' ), array_merge( $lines, self::explain( $doc ) ) );
			}
			$info    = Data::obj( $doc->data, 'info' );
			$version = Data::str( $info, 'version' );
		} else {
			return self::result( false, __( 'aftercare is reachable, but the API key was not accepted.', 'aftercare-for-woocommerce' ), array_merge( $lines, self::explain( $health ) ) );
		}
		$lines[] = __( 'The API key is accepted.', 'aftercare-for-woocommerce' );
		if ( '' !== $store ) {
			/* translators: %s: store id in aftercare */
			$lines[] = sprintf( __( 'This shop is the store "%s" in aftercare.', 'aftercare-for-woocommerce' ), $store );
		}
		if ( '' !== $version ) {
			/* translators: %s: aftercare version */
			$lines[] = sprintf( __( 'aftercare version: %s.', 'aftercare-for-woocommerce' ), $version );
			if ( version_compare( $version, self::MIN_SERVICE_VERSION, '<' ) ) {
				/* translators: %s: lowest supported aftercare version */
				return self::result( false, sprintf( __( 'This aftercare is too old for the plugin; update it to %s or later.', 'aftercare-for-woocommerce' ), self::MIN_SERVICE_VERSION ), $lines, $version );
			}
		}
		$result = self::result( true, __( 'The connection works.', 'aftercare-for-woocommerce' ), $lines, $version );
		if ( null !== $checked ) {
			// The settings page shows this same answer, so its health never contradicts the notice.
			$result['health'] = $checked;
		}
		return $result;
	}

	/**
	 * Creates or repairs one webhook per topic, owned by $user_id, and pings each changed one.
	 *
	 * @param int $user_id An administrator or shop manager who can read orders.
	 * @return array{ok:bool,title:string,lines:string[],version:string}
	 */
	public static function connect( int $user_id ): array {
		$client = Api_Client::from_settings();
		if ( ! $client->is_configured() ) {
			return self::result( false, __( 'Enter the aftercare URL and API key first.', 'aftercare-for-woocommerce' ) );
		}
		if ( ! $user_id || ! user_can( $user_id, 'read_private_shop_orders' ) ) {
			return self::result( false, __( 'Connect as an administrator or shop manager: the webhooks run as you and must be able to read orders.', 'aftercare-for-woocommerce' ) );
		}
		Api_Client::resume();
		$connection = $client->get( self::CONNECTION_PATH, array(), array( 'fresh' => true ) );
		if ( ! $connection->ok() ) {
			$lines = $connection->missing_endpoint()
				? array( __( 'This aftercare does not offer its webhook settings yet (GET /api/v1/store/connection). Update aftercare, or add the webhooks by hand as its README explains.', 'aftercare-for-woocommerce' ) )
				: self::explain( $connection );
			return self::result( false, __( 'Could not connect.', 'aftercare-for-woocommerce' ), $lines );
		}
		$path   = Data::str( $connection->data, 'webhook_path' );
		$secret = Data::str( $connection->data, 'webhook_secret' );
		if ( ! preg_match( '#^/webhooks/woocommerce(/[a-z0-9_-]{1,64})?$#', $path ) || '' === $secret ) {
			return self::result( false, __( 'Could not connect.', 'aftercare-for-woocommerce' ), array( __( 'aftercare answered with incomplete webhook settings.', 'aftercare-for-woocommerce' ) ) );
		}
		$topics = array();
		foreach ( (array) ( $connection->data['topics'] ?? self::TOPICS ) as $topic ) {
			if ( is_string( $topic ) && in_array( $topic, self::TOPICS, true ) ) {
				$topics[] = $topic;
			}
		}
		$topics       = $topics ? $topics : self::TOPICS;
		$delivery_url = Settings::url() . $path;
		$ids          = Settings::webhook_ids();
		$used         = array();
		$lines        = array();
		$all_ok       = true;

		foreach ( $topics as $topic ) {
			$webhook = self::find_webhook( $topic, $ids[ $topic ] ?? 0, $delivery_url, $used );
			$created = null === $webhook;
			if ( $created ) {
				$webhook = new \WC_Webhook();
			}
			$owner   = (int) $webhook->get_user_id();
			$changed = $created
				|| $webhook->get_delivery_url() !== $delivery_url
				|| $webhook->get_secret() !== $secret
				|| 'active' !== $webhook->get_status()
				|| (int) $webhook->get_failure_count() > 0
				|| $webhook->get_topic() !== $topic
				|| ! $owner || ! user_can( $owner, 'read_private_shop_orders' );

			/* translators: %s: webhook topic such as order.created */
			$webhook->set_name( sprintf( __( 'aftercare: %s', 'aftercare-for-woocommerce' ), $topic ) );
			$webhook->set_topic( $topic );
			$webhook->set_delivery_url( $delivery_url );
			$webhook->set_secret( $secret );
			$webhook->set_api_version( 'wp_api_v3' );
			$webhook->set_status( 'active' );
			// WooCommerce disables a webhook once its failures in a row pass the limit and keeps
			// the count: re-activated without this, the next failed delivery disables it again.
			$webhook->set_failure_count( 0 );
			if ( ! $owner || ! user_can( $owner, 'read_private_shop_orders' ) ) {
				$webhook->set_user_id( $user_id );
			}
			$webhook->save();
			$id             = (int) $webhook->get_id();
			$ids[ $topic ]  = $id;
			$used[]         = $id;

			$ping = true;
			if ( $changed ) {
				$ping = $webhook->deliver_ping();
			}
			if ( true === $ping ) {
				$lines[] = $created
					/* translators: 1: webhook topic, 2: webhook id */
					? sprintf( __( '%1$s: webhook #%2$d created and answered.', 'aftercare-for-woocommerce' ), $topic, $id )
					: ( $changed
						/* translators: 1: webhook topic, 2: webhook id */
						? sprintf( __( '%1$s: webhook #%2$d repaired and answered.', 'aftercare-for-woocommerce' ), $topic, $id )
						/* translators: 1: webhook topic, 2: webhook id */
						: sprintf( __( '%1$s: webhook #%2$d already correct.', 'aftercare-for-woocommerce' ), $topic, $id ) );
			} else {
				$all_ok  = false;
				$lines[] = sprintf(
					/* translators: 1: webhook topic, 2: webhook id, 3: error from WooCommerce */
					__( '%1$s: webhook #%2$d saved, but aftercare did not answer its test delivery: %3$s', 'aftercare-for-woocommerce' ),
					$topic,
					$id,
					is_wp_error( $ping ) ? $ping->get_error_message() : __( 'unknown error', 'aftercare-for-woocommerce' )
				);
			}
		}
		Settings::save_webhook_ids( $ids );
		update_option(
			Settings::CONNECTION_OPTION,
			array(
				'connected_at' => time(),
				'store'        => Data::str( $connection->data, 'store' ),
				'version'      => Data::str( $connection->data, 'version' ),
				'delivery_url' => $delivery_url,
			),
			false
		);
		$client->forget( self::HEALTH_PATH );

		// The shop's name, address, logo and time zone: the seller on invoices, the tracking
		// page's header and every date aftercare prints come from them.
		$profile = Shop_Profile::send( $client );
		$said    = Shop_Profile::explain( $profile );
		$lines   = array_merge( $lines, $said['lines'] );
		if ( $profile->ok() ) {
			// Sent just now: a send queued by the changes this Connect saved has nothing to add.
			Shop_Profile::unschedule();
		} elseif ( $profile->unavailable() ) {
			Shop_Profile::schedule( Shop_Profile::RETRY_DELAY );
		}
		if ( ! $all_ok ) {
			$title = __( 'The webhooks are saved, but aftercare could not be reached from this server.', 'aftercare-for-woocommerce' );
		} elseif ( $said['refused'] ) {
			$title = __( 'Connected, but aftercare refused the shop\'s details: invoices wait until they are corrected.', 'aftercare-for-woocommerce' );
		} else {
			$title = __( 'Connected: WooCommerce now sends order changes to aftercare.', 'aftercare-for-woocommerce' );
		}
		return self::result( $all_ok && ! $said['refused'], $title, $lines );
	}

	/**
	 * The webhook we made for a topic, else one set up by hand for the same topic and URL.
	 *
	 * @param string $topic        Topic.
	 * @param int    $known_id     Id remembered from an earlier Connect.
	 * @param string $delivery_url aftercare's webhook URL.
	 * @param int[]  $used         Ids already claimed by another topic.
	 * @return \WC_Webhook|null
	 */
	private static function find_webhook( string $topic, int $known_id, string $delivery_url, array $used ) {
		if ( $known_id && ! in_array( $known_id, $used, true ) ) {
			$webhook = wc_get_webhook( $known_id );
			if ( $webhook && $webhook->get_id() ) {
				return $webhook;
			}
		}
		$store = \WC_Data_Store::load( 'webhook' );
		foreach ( (array) $store->search_webhooks( array( 'limit' => -1 ) ) as $id ) {
			$id = (int) $id;
			if ( in_array( $id, $used, true ) ) {
				continue;
			}
			$webhook = wc_get_webhook( $id );
			if ( $webhook && $webhook->get_topic() === $topic && rtrim( $webhook->get_delivery_url(), '/' ) === rtrim( $delivery_url, '/' ) ) {
				return $webhook;
			}
		}
		return null;
	}

	/**
	 * The webhooks this plugin manages, as WooCommerce has them now.
	 *
	 * @return array<int,array{topic:string,id:int,status:string,delivery_url:string,failures:int,exists:bool}>
	 */
	public static function local_webhooks(): array {
		$rows = array();
		foreach ( Settings::webhook_ids() as $topic => $id ) {
			$webhook = function_exists( 'wc_get_webhook' ) ? wc_get_webhook( $id ) : null;
			$exists  = $webhook && $webhook->get_id();
			$rows[]  = array(
				'topic'        => $topic,
				'id'           => $id,
				'exists'       => (bool) $exists,
				'status'       => $exists ? (string) $webhook->get_status() : '',
				'delivery_url' => $exists ? (string) $webhook->get_delivery_url() : '',
				'failures'     => $exists ? (int) $webhook->get_failure_count() : 0,
			);
		}
		return $rows;
	}

	/**
	 * What went wrong, for an admin.
	 *
	 * @param Api_Response $response The failed call.
	 * @return string[]
	 */
	public static function explain( Api_Response $response ): array {
		$lines = array();
		if ( Api_Response::NOT_CONFIGURED === $response->outcome ) {
			$lines[] = __( 'Enter the aftercare URL and API key first.', 'aftercare-for-woocommerce' );
		} elseif ( 0 === $response->status ) {
			/* translators: %s: error from the HTTP library */
			$lines[] = sprintf( __( 'No answer: %s', 'aftercare-for-woocommerce' ), $response->message );
			$lines[] = __( 'Check the URL, that aftercare is running, and that this server may connect to it (firewall, port).', 'aftercare-for-woocommerce' );
		} elseif ( 401 === $response->status ) {
			$lines[] = __( 'aftercare refused the API key. Copy api_key from aftercare-data/secrets.toml (or AFTERCARE_API_KEY) again.', 'aftercare-for-woocommerce' );
		} elseif ( $response->status >= 300 && $response->status < 400 ) {
			/* translators: %d: HTTP status */
			$lines[] = sprintf( __( 'aftercare answered with a redirect (HTTP %d). Use the exact URL, including https:// if it redirects there.', 'aftercare-for-woocommerce' ), $response->status );
		} else {
			$lines[] = sprintf(
				/* translators: 1: HTTP status, 2: error message from aftercare */
				__( 'aftercare answered HTTP %1$d: %2$s', 'aftercare-for-woocommerce' ),
				$response->status,
				'' !== $response->message ? $response->message : $response->code
			);
		}
		return $lines;
	}

	/**
	 * Shapes a result.
	 *
	 * @param bool     $ok      Success.
	 * @param string   $title   Headline.
	 * @param string[] $lines   Details.
	 * @param string   $version aftercare version when known.
	 * @return array{ok:bool,title:string,lines:string[],version:string}
	 */
	private static function result( bool $ok, string $title, array $lines = array(), string $version = '' ): array {
		return array(
			'ok'      => $ok,
			'title'   => $title,
			'lines'   => $lines,
			'version' => $version,
		);
	}
}
