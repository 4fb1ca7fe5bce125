<?php
/**
 * Words for aftercare's codes: every known code has its own translatable sentence, and
 * codes from a newer aftercare still read as something.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Labels;

final class LabelsTest extends Plugin_Test_Case {

	/**
	 * A parcel as the order view has it.
	 *
	 * @param string $status Newest event's status.
	 * @param string $detail Its description.
	 */
	private static function parcel( string $status, string $detail = '' ): array {
		return array(
			7 => array(
				'id'              => 7,
				'carrier'         => 'hanjin',
				'carrier_name'    => '한진택배',
				'tracking_number' => '420112345678',
				'eta'             => '2026-11-20T14:59:59Z',
				'events'          => array(
					array( 'status' => $status, 'occurred_at' => '2026-11-18T02:00:00Z', 'description' => $detail ),
					array( 'status' => 'label_created', 'occurred_at' => '2026-11-17T02:00:00Z', 'description' => '' ),
				),
			),
		);
	}

	public function test_every_eligibility_code_has_its_own_sentence(): void {
		$codes     = array( 'not_paid', 'order_closed', 'not_delivered', 'window_closed', 'non_returnable', 'nothing_left' );
		$sentences = array_map( static fn( $c ) => Labels::eligibility( $c, 'aftercare English' ), $codes );
		$this->assertCount( 6, array_unique( $sentences ) );
		$this->assertNotContains( 'aftercare English', $sentences );
		$this->assertSame( 'A newer rule.', Labels::eligibility( 'a_newer_rule', 'A newer rule.' ) );
		$this->assertSame( 'A newer rule', Labels::eligibility( 'a_newer_rule' ) );
		$this->assertSame( '', Labels::eligibility( '' ) );
	}

	public function test_alerts_are_told_with_the_parcels_facts(): void {
		$alert = static fn( string $code ) => array( 'code' => $code, 'message' => 'English from aftercare.', 'shipment_id' => 7 );
		$this->assertSame( 'The shipping label for parcel 420112345678 was created on November 18, 2026, but 한진택배 hasn\'t scanned the parcel yet. It is probably still waiting to be picked up.', Labels::alert( $alert( 'no_carrier_scan' ), self::parcel( 'label_created' ) ) );
		$this->assertSame( '한진택배 hasn\'t reported any movement of parcel 420112345678 since November 18, 2026. Parcels sometimes go quiet between depots.', Labels::alert( $alert( 'stalled_in_transit' ), self::parcel( 'in_transit' ) ) );
		$this->assertSame( 'Parcel 420112345678 was expected by November 20, 2026, and 한진택배 hasn\'t marked it delivered yet. We\'re sorry for the delay.', Labels::alert( $alert( 'eta_passed' ), self::parcel( 'in_transit' ) ) );
		$this->assertSame( '한진택배 reported a problem delivering parcel 420112345678: "Address not found".', Labels::alert( $alert( 'delivery_exception' ), self::parcel( 'exception', 'Address not found' ) ) );
		$this->assertSame( '한진택배 reported a problem delivering parcel 420112345678.', Labels::alert( $alert( 'delivery_exception' ), self::parcel( 'exception' ) ) );
		$this->assertSame( '한진택배 is sending parcel 420112345678 back to the shop. Please contact us about a replacement or a refund.', Labels::alert( $alert( 'returned_to_sender' ), self::parcel( 'returned' ) ) );
		$this->assertStringStartsWith( 'Your order hasn\'t shipped yet', Labels::alert( array( 'code' => 'not_shipped', 'message' => 'x', 'shipment_id' => null ), array() ) );
		$this->assertSame( 'English from aftercare.', Labels::alert( $alert( 'a_newer_rule' ), self::parcel( 'in_transit' ) ) );
		$this->assertSame( 'English from aftercare.', Labels::alert( $alert( 'eta_passed' ), array() ), 'without the parcel, aftercare\'s own sentence' );
	}

	public function test_alerts_claim_no_notification_that_nobody_sends(): void {
		$codes = array( 'not_shipped', 'no_carrier_scan', 'stalled_in_transit', 'eta_passed', 'delivery_exception', 'returned_to_sender', 'carrier_silent' );
		foreach ( array( 'en', 'ko_KR' ) as $locale ) {
			if ( 'ko_KR' === $locale ) {
				Stub::load_mo( AFTERCARE_PLUGIN_DIR . '/languages/aftercare-for-woocommerce-ko_KR.mo' );
			}
			foreach ( $codes as $code ) {
				$status   = array( 'delivery_exception' => 'exception', 'returned_to_sender' => 'returned' )[ $code ] ?? 'in_transit';
				$sentence = Labels::alert( array( 'code' => $code, 'message' => '', 'shipment_id' => 7 ), self::parcel( $status, 'Address not found' ) );
				$this->assertNotSame( '', $sentence, "$locale $code" );
				foreach ( array( 'told', 'flagged', 'notified', '알렸습니다', '요청했어요', '알려 드렸' ) as $claim ) {
					$this->assertStringNotContainsString( $claim, $sentence, "$locale $code" );
				}
			}
		}
	}

	public function test_a_feed_account_reads_as_its_use_this_month(): void {
		$seventeen = array( 'provider' => '17track', 'unit' => 'registrations', 'used' => 37, 'limit' => 100 );
		$tracker   = array( 'provider' => 'delivery-tracker', 'unit' => 'requests', 'used' => 12, 'limit' => null );
		$this->assertSame( '17TRACK: 37 of 100 registrations this month', Labels::feed_usage( $seventeen ) );
		$this->assertSame( 'Delivery Tracker: 12 requests this month', Labels::feed_usage( $tracker ) );
		Stub::load_mo( AFTERCARE_PLUGIN_DIR . '/languages/aftercare-for-woocommerce-ko_KR.mo' );
		$this->assertSame( '17TRACK: 이번 달 등록 100건 중 37건 사용', Labels::feed_usage( $seventeen ) );
		$this->assertSame( 'Delivery Tracker: 이번 달 요청 12건', Labels::feed_usage( $tracker ) );
		$this->assertSame( '택배사 정보 없음', Labels::alert_title( 'carrier_silent' ) );
	}

	public function test_every_status_aftercare_sends_has_a_translated_label(): void {
		Stub::load_mo( AFTERCARE_PLUGIN_DIR . '/languages/aftercare-for-woocommerce-ko_KR.mo' );
		$this->assertSame( '발송 완료', Labels::shipment_status( 'shipped' ), 'a parcel before its first carrier event' );
		// aftercare's parcel statuses (a plain string in its API document), and the enums its
		// API document publishes: a code added there fails here until it has a label.
		$parcel   = array( 'shipped', 'label_created', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned' );
		$schemas  = json_decode( (string) file_get_contents( Aftercare_Service::repo_root() . '/docs/openapi.json' ), true )['components']['schemas'];
		$delivery = $schemas['DeliveryState']['enum'];
		$this->assertContains( 'partially_shipped', $delivery );
		$this->assertSame( $parcel, Labels::SHIPMENT_STATUSES );
		$as_words = static fn( string $code ) => ucfirst( str_replace( '_', ' ', $code ) );
		foreach ( $parcel as $code ) {
			$this->assertNotSame( $as_words( $code ), Labels::shipment_status( $code ), $code );
		}
		foreach ( $delivery as $code ) {
			$this->assertNotSame( $as_words( $code ), Labels::delivery_state( $code ), $code );
		}
		foreach ( $schemas['Status']['enum'] as $code ) {
			$this->assertNotSame( $as_words( $code ), Labels::return_status( $code ), $code );
		}
		$this->assertSame( array(), Stub::$log, 'no code fell back to words' );
	}

	public function test_a_code_without_a_label_is_noted_in_the_log(): void {
		$this->assertSame( 'Held at customs', Labels::shipment_status( 'held_at_customs' ) );
		Labels::shipment_status( 'held_at_customs' );
		$this->assertCount( 1, Stub::$log );
		$this->assertStringContainsString( '"held_at_customs"', Stub::$log[0]['message'] );
	}

	public function test_staff_moves_follow_aftercares_lifecycle(): void {
		$this->assertSame( array( 'approved', 'rejected', 'cancelled' ), array_keys( Labels::staff_transitions( 'requested' ) ) );
		$this->assertSame( array( 'received', 'cancelled' ), array_keys( Labels::staff_transitions( 'approved' ) ) );
		$this->assertSame( array( 'refunded', 'exchanged', 'credited' ), array_keys( Labels::staff_transitions( 'received' ) ) );
		foreach ( array( 'rejected', 'refunded', 'exchanged', 'credited', 'cancelled', 'unknown' ) as $final ) {
			$this->assertSame( array(), Labels::staff_transitions( $final ), $final );
		}
	}

	public function test_who_made_a_step(): void {
		$this->assertSame( 'You', Labels::actor( array( 'by' => 'customer' ), false ) );
		$this->assertSame( 'Customer', Labels::actor( array( 'by' => 'customer' ), true ) );
		$this->assertSame( 'Jae', Labels::actor( array( 'by' => 'staff', 'by_name' => 'Jae' ), false ) );
		$this->assertSame( 'The shop', Labels::actor( array( 'by' => 'staff', 'by_name' => null ), false ) );
	}
}
