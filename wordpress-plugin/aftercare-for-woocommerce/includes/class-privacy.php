<?php
/**
 * WordPress's privacy tools: Tools → Export Personal Data and Erase Personal Data cover
 * what aftercare holds of an address (orders as mirrored, returns, support requests,
 * surveys, messages, e-mail preferences, documents).
 *
 * @package Aftercare
 */

namespace Aftercare;

defined( 'ABSPATH' ) || exit;

/**
 * The personal data exporter and eraser, backed by aftercare's privacy API.
 */
final class Privacy {

	/** The key both are registered under. */
	public const ID = 'aftercare-for-woocommerce';

	/** Items handed to WordPress per exporter page. */
	public const PAGE_SIZE = 50;

	/** Seconds an export or an erasure may take (one transaction over all the records). */
	private const TIMEOUT = 20;

	public static function register(): void {
		add_filter( 'wp_privacy_personal_data_exporters', array( self::class, 'add_exporter' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( self::class, 'add_eraser' ) );
	}

	/**
	 * Adds the exporter.
	 *
	 * @param array<string,array<string,mixed>> $exporters Registered exporters.
	 * @return array<string,array<string,mixed>>
	 */
	public static function add_exporter( $exporters ): array {
		$exporters             = is_array( $exporters ) ? $exporters : array();
		$exporters[ self::ID ] = array(
			'exporter_friendly_name' => __( 'Aftercare (tracking, returns, support)', 'aftercare-for-woocommerce' ),
			'callback'               => array( self::class, 'export' ),
		);
		return $exporters;
	}

	/**
	 * Adds the eraser.
	 *
	 * @param array<string,array<string,mixed>> $erasers Registered erasers.
	 * @return array<string,array<string,mixed>>
	 */
	public static function add_eraser( $erasers ): array {
		$erasers             = is_array( $erasers ) ? $erasers : array();
		$erasers[ self::ID ] = array(
			'eraser_friendly_name' => __( 'Aftercare (tracking, returns, support)', 'aftercare-for-woocommerce' ),
			'callback'             => array( self::class, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * One page of the export. aftercare answers everything at once; WordPress takes it in
	 * pages of PAGE_SIZE items.
	 *
	 * @param string $email_address The requester's address.
	 * @param int    $page          1-based page.
	 * @return array{data:array<int,array<string,mixed>>,done:bool}|\WP_Error
	 */
	public static function export( $email_address, $page = 1 ) {
		$email = sanitize_email( (string) $email_address );
		$page  = max( 1, (int) $page );
		if ( '' === $email ) {
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$response = Api_Client::from_settings()->get(
			'/api/v1/privacy/export',
			array( 'email' => $email ),
			array(
				'fresh'   => true,
				'timeout' => self::TIMEOUT,
			)
		);
		if ( ! $response->ok() || ! is_array( $response->get( 'groups' ) ) ) {
			// An export without aftercare's records would look complete and is not: say so,
			// and let the administrator run it again.
			return new \WP_Error( 'aftercare_unavailable', self::unavailable_message( $response ) );
		}
		$items = self::items( $response->get( 'groups', array() ) );
		$slice = array_slice( $items, ( $page - 1 ) * self::PAGE_SIZE, self::PAGE_SIZE );
		return array(
			'data' => $slice,
			'done' => count( $items ) <= $page * self::PAGE_SIZE,
		);
	}

	/**
	 * The erasure, on the first page (aftercare erases in one transaction); later pages
	 * have nothing left to do.
	 *
	 * @param string $email_address The requester's address.
	 * @param int    $page          1-based page.
	 * @return array{items_removed:bool,items_retained:bool,messages:array<int,string>,done:bool}
	 */
	public static function erase( $email_address, $page = 1 ) {
		$result = array(
			'items_removed'  => false,
			'items_retained' => false,
			'messages'       => array(),
			'done'           => true,
		);
		$email  = sanitize_email( (string) $email_address );
		if ( '' === $email || (int) $page > 1 ) {
			return $result;
		}
		$response = Api_Client::from_settings()->post_json(
			'/api/v1/privacy/erase',
			array( 'email' => $email ),
			array( 'timeout' => self::TIMEOUT )
		);
		if ( ! $response->ok() ) {
			// Nothing was erased: WordPress reports what is retained and why, and the
			// request can be run again once aftercare answers.
			$result['items_retained'] = true;
			$result['messages'][]     = self::unavailable_message( $response );
			return $result;
		}
		$erased = $response->get( 'erased', array() );
		if ( is_array( $erased ) ) {
			foreach ( $erased as $count ) {
				if ( is_numeric( $count ) && (int) $count > 0 ) {
					$result['items_removed'] = true;
				}
			}
		}
		$retained = $response->get( 'retained', array() );
		if ( is_array( $retained ) ) {
			foreach ( $retained as $document ) {
				if ( ! is_array( $document ) ) {
					continue;
				}
				$result['items_retained'] = true;
				$result['messages'][]     = self::retained_message( $document );
			}
		}
		return $result;
	}

	/**
	 * aftercare's groups as WordPress export items, field names translated.
	 *
	 * @param mixed $groups The `groups` of the export.
	 * @return array<int,array<string,mixed>>
	 */
	private static function items( $groups ): array {
		$items = array();
		if ( ! is_array( $groups ) ) {
			return $items;
		}
		foreach ( $groups as $group ) {
			if ( ! is_array( $group ) || ! isset( $group['group_id'] ) || ! is_array( $group['items'] ?? null ) ) {
				continue;
			}
			$group_id = (string) $group['group_id'];
			$label    = self::group_labels()[ $group_id ] ?? array( (string) ( $group['group_label'] ?? $group_id ), (string) ( $group['group_description'] ?? '' ) );
			foreach ( $group['items'] as $item ) {
				if ( ! is_array( $item ) || ! is_array( $item['data'] ?? null ) ) {
					continue;
				}
				$data = array();
				foreach ( $item['data'] as $field ) {
					if ( ! is_array( $field ) ) {
						continue;
					}
					$key    = (string) ( $field['key'] ?? '' );
					$data[] = array(
						'name'  => self::field_names()[ $key ] ?? (string) ( $field['name'] ?? $key ),
						'value' => (string) ( $field['value'] ?? '' ),
					);
				}
				$items[] = array(
					'group_id'          => $group_id,
					'group_label'       => $label[0],
					'group_description' => $label[1],
					'item_id'           => (string) ( $item['item_id'] ?? '' ),
					'data'              => $data,
				);
			}
		}
		return $items;
	}

	/**
	 * Each group's label and description.
	 *
	 * @return array<string,array{0:string,1:string}>
	 */
	private static function group_labels(): array {
		return array(
			'aftercare-orders'        => array( __( 'Orders (aftercare)', 'aftercare-for-woocommerce' ), __( 'The orders aftercare mirrors from the shop to show their tracking, invoices, returns and support.', 'aftercare-for-woocommerce' ) ),
			'aftercare-returns'       => array( __( 'Returns (aftercare)', 'aftercare-for-woocommerce' ), __( 'Return requests, their reasons, comments and photos.', 'aftercare-for-woocommerce' ) ),
			'aftercare-requests'      => array( __( 'Support requests (aftercare)', 'aftercare-for-woocommerce' ), __( 'Questions asked about an order, the shop\'s replies and the photos attached.', 'aftercare-for-woocommerce' ) ),
			'aftercare-surveys'       => array( __( 'Surveys (aftercare)', 'aftercare-for-woocommerce' ), __( 'Satisfaction surveys sent after a delivery, a return or a support request, and the answers.', 'aftercare-for-woocommerce' ) ),
			'aftercare-messages'      => array( __( 'Messages (aftercare)', 'aftercare-for-woocommerce' ), __( 'The log of e-mails aftercare decided to send about orders.', 'aftercare-for-woocommerce' ) ),
			'aftercare-subscriptions' => array( __( 'E-mail preferences (aftercare)', 'aftercare-for-woocommerce' ), __( 'Which kinds of messages the address unsubscribed from.', 'aftercare-for-woocommerce' ) ),
			'aftercare-documents'     => array( __( 'Invoices and credit notes (aftercare)', 'aftercare-for-woocommerce' ), __( 'Documents issued for the orders. The shop must keep them for the legal retention period.', 'aftercare-for-woocommerce' ) ),
		);
	}

	/**
	 * Field names by aftercare's key.
	 *
	 * @return array<string,string>
	 */
	private static function field_names(): array {
		return array(
			'order_number'     => __( 'Order number', 'aftercare-for-woocommerce' ),
			'order_id'         => __( 'Order', 'aftercare-for-woocommerce' ),
			'status'           => __( 'Status', 'aftercare-for-woocommerce' ),
			'date_created'     => __( 'Date created', 'aftercare-for-woocommerce' ),
			'billing_email'    => __( 'Billing e-mail', 'aftercare-for-woocommerce' ),
			'billing_address'  => __( 'Billing address', 'aftercare-for-woocommerce' ),
			'billing_phone'    => __( 'Billing phone', 'aftercare-for-woocommerce' ),
			'shipping_address' => __( 'Shipping address', 'aftercare-for-woocommerce' ),
			'shipping_phone'   => __( 'Shipping phone', 'aftercare-for-woocommerce' ),
			'customer_note'    => __( 'Customer note', 'aftercare-for-woocommerce' ),
			'ip_address'       => __( 'IP address', 'aftercare-for-woocommerce' ),
			'user_agent'       => __( 'Browser', 'aftercare-for-woocommerce' ),
			'resolution'       => __( 'Resolution', 'aftercare-for-woocommerce' ),
			'reasons'          => __( 'Reasons', 'aftercare-for-woocommerce' ),
			'comment'          => __( 'Comment', 'aftercare-for-woocommerce' ),
			'photos'           => __( 'Photos', 'aftercare-for-woocommerce' ),
			'topic'            => __( 'Topic', 'aftercare-for-woocommerce' ),
			'messages'         => __( 'Messages', 'aftercare-for-woocommerce' ),
			'survey'           => __( 'Survey', 'aftercare-for-woocommerce' ),
			'recipient'        => __( 'Sent to', 'aftercare-for-woocommerce' ),
			'first_name'       => __( 'First name', 'aftercare-for-woocommerce' ),
			'state'            => __( 'State', 'aftercare-for-woocommerce' ),
			'score'            => __( 'Score', 'aftercare-for-woocommerce' ),
			'answered_at'      => __( 'Answered', 'aftercare-for-woocommerce' ),
			'message_type'     => __( 'Message', 'aftercare-for-woocommerce' ),
			'channel'          => __( 'Channel', 'aftercare-for-woocommerce' ),
			'sent_at'          => __( 'Sent', 'aftercare-for-woocommerce' ),
			'class'            => __( 'Messages about', 'aftercare-for-woocommerce' ),
			'unsubscribed_at'  => __( 'Unsubscribed', 'aftercare-for-woocommerce' ),
			'document'         => __( 'Document', 'aftercare-for-woocommerce' ),
			'number'           => __( 'Number', 'aftercare-for-woocommerce' ),
			'issued_at'        => __( 'Issued', 'aftercare-for-woocommerce' ),
			'total'            => __( 'Total', 'aftercare-for-woocommerce' ),
		);
	}

	/**
	 * Why aftercare's records are not in the answer.
	 *
	 * @param Api_Response $response What the call gave.
	 */
	private static function unavailable_message( Api_Response $response ): string {
		if ( Api_Response::NOT_CONFIGURED === $response->outcome ) {
			return __( 'Aftercare is not connected yet (WooCommerce → Settings → Aftercare), so its records could not be included.', 'aftercare-for-woocommerce' );
		}
		if ( $response->key_refused() ) {
			return __( 'Aftercare refused the API key saved in WooCommerce → Settings → Aftercare, so its records could not be included. Fix the key and run the request again.', 'aftercare-for-woocommerce' );
		}
		return __( 'Aftercare could not be reached, so its records of this address (tracking, returns, support requests, surveys, messages) were not included. Run the request again once the aftercare service answers.', 'aftercare-for-woocommerce' );
	}

	/**
	 * The eraser's message for a document kept.
	 *
	 * @param array<string,mixed> $document One of `retained`.
	 */
	private static function retained_message( array $document ): string {
		$kind = 'credit_note' === ( $document['kind'] ?? '' )
			? __( 'Credit note', 'aftercare-for-woocommerce' )
			: __( 'Invoice', 'aftercare-for-woocommerce' );
		return sprintf(
			/* translators: 1: Invoice or Credit note, 2: document number, 3: order id, 4: when it was issued */
			__( '%1$s %2$s (order #%3$s, issued %4$s) was kept: tax law requires the shop to keep issued invoices and credit notes for the legal retention period.', 'aftercare-for-woocommerce' ),
			$kind,
			(string) ( $document['number'] ?? '' ),
			(string) ( $document['order_id'] ?? '' ),
			(string) ( $document['issued_at'] ?? '' )
		);
	}
}
