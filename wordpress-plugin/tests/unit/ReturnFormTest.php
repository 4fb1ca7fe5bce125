<?php
/**
 * Checking a return request against return_eligibility, and photos against their bytes.
 *
 * @package Aftercare\Tests
 */

use Aftercare\Api_Response;
use Aftercare\Return_Form;

final class ReturnFormTest extends Plugin_Test_Case {

	private function view(): array {
		return self::fixture( 'order-view-full.json' );
	}

	public function test_quantities_reasons_and_resolution_are_required_and_bounded(): void {
		$cases = array(
			'nothing chosen'      => array( array( 'resolution' => 'refund' ), 'items' ),
			'not a number'        => array( array( 'items' => array( 202 => array( 'quantity' => '1e3' ) ), 'resolution' => 'refund' ), 'items.202.quantity' ),
			'negative'            => array( array( 'items' => array( 202 => array( 'quantity' => '-1' ) ), 'resolution' => 'refund' ), 'items.202.quantity' ),
			'over the limit'      => array( array( 'items' => array( 202 => array( 'quantity' => '2', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ), 'items.202.quantity' ),
			'not returnable'      => array( array( 'items' => array( 201 => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ), 'items.201.quantity' ),
			'not in the order'    => array( array( 'items' => array( 999 => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ), 'items.999.quantity' ),
			'reason not listed'   => array( array( 'items' => array( 202 => array( 'quantity' => '1', 'reason' => 'bored' ) ), 'resolution' => 'refund' ), 'items.202.reason' ),
			'other without words' => array( array( 'items' => array( 202 => array( 'quantity' => '1', 'reason' => 'other' ) ), 'resolution' => 'refund' ), 'items.202.reason_text' ),
			'bad resolution'      => array( array( 'items' => array( 202 => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'cash' ), 'resolution' ),
			'long comment'        => array( array( 'items' => array( 202 => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund', 'comment' => str_repeat( 'é', 2001 ) ), 'comment' ),
			'items not a list'    => array( array( 'items' => 'x', 'resolution' => 'refund' ), 'items' ),
		);
		foreach ( $cases as $name => list( $post, $field ) ) {
			$result = Return_Form::validate( $post, $this->view() );
			$this->assertNull( $result['body'], $name );
			$this->assertArrayHasKey( $field, $result['errors'], $name );
		}
	}

	public function test_a_good_request_is_built_with_trimmed_text(): void {
		$result = Return_Form::validate(
			array(
				'items'      => array(
					202 => array( 'quantity' => ' 1 ', 'reason' => 'other', 'reason_text' => " <b>Seam</b> split\n" ),
					203 => array( 'quantity' => '', 'reason' => '' ),
				),
				'resolution' => 'store_credit',
				'comment'    => '  thanks  ',
			),
			$this->view()
		);
		$this->assertSame( array(), $result['errors'] );
		$this->assertSame(
			array(
				'items'      => array( array( 'line_item_id' => 202, 'quantity' => 1, 'reason' => 'other', 'reason_text' => 'Seam split' ) ),
				'resolution' => 'store_credit',
				'comment'    => 'thanks',
			),
			$result['body']
		);
	}

	public function test_an_order_without_eligibility_accepts_nothing(): void {
		$view                       = $this->view();
		$view['return_eligibility'] = array();
		$result                     = Return_Form::validate( array( 'items' => array( 202 => array( 'quantity' => '1', 'reason' => 'damaged' ) ), 'resolution' => 'refund' ), $view );
		$this->assertArrayHasKey( 'items.202.quantity', $result['errors'] );
	}

	public function test_service_fields_map_onto_the_form_in_the_plugins_words(): void {
		$body = array(
			'items' => array(
				array( 'line_item_id' => 202, 'reason_text' => null ),
				array( 'line_item_id' => 203, 'reason_text' => 'Scratched' ),
			),
		);
		$this->assertSame(
			array(
				'items.203.reason'      => 'Choose a reason.',
				'items.202.quantity'    => 'Fewer of this item can be returned now than you asked for. The form shows how many are left. This item can no longer be returned.',
				'items.203.quantity'    => 'This item can no longer be returned.',
				'items'                 => 'Choose at least one item to return.',
				'items.203.reason_text' => 'Keep this under 500 characters.',
				'items.202.reason_text' => 'Tell us a little about the reason.',
				'photos'                => 'Each photo must be a JPEG, PNG or WebP image of at most 5 MB. Attach at most 3 photos.',
				'resolution'            => 'Choose what you would like instead.',
				'comment'               => 'Keep this under 2000 characters.',
				'gift_wrap'             => 'A field of a newer aftercare.',
			),
			Return_Form::map_service_errors(
				array(
					array( 'field' => 'items[1].reason', 'message' => 'Choose one of `damaged`, `wrong_item`.' ),
					array( 'field' => 'items.0.quantity', 'message' => 'Only 0 of this item can still be returned.' ),
					array( 'field' => 'items[0].quantity', 'message' => 'Only 0 of this item can still be returned.' ),
					array( 'field' => 'items[0]', 'message' => 'Really.' ),
					array( 'field' => 'items[1].line_item_id', 'message' => 'The return period for this item has ended.' ),
					array( 'field' => 'items[7].quantity', 'message' => 'Unknown index.' ),
					array( 'field' => 'items[1].reason_text', 'message' => 'At most 500 characters.' ),
					array( 'field' => 'items[0].reason_text', 'message' => 'Tell us in a few words why you return this item.' ),
					array( 'field' => 'photos[2]', 'message' => 'Not an image.' ),
					array( 'field' => 'photos', 'message' => 'Attach at most 3 photos.' ),
					array( 'field' => 'resolution', 'message' => 'Choose one of `refund`.' ),
					array( 'field' => 'comment', 'message' => 'At most 2000 characters.' ),
					array( 'field' => 'gift_wrap', 'message' => 'A field of a newer aftercare.' ),
				),
				$body
			),
			'known fields in translatable words, once each; only an unknown field keeps aftercare\'s'
		);
	}

	public function test_an_items_reason_code_is_worded_by_the_plugin_and_only_an_unknown_one_by_aftercare(): void {
		$body = array(
			'items' => array(
				array( 'line_item_id' => 201 ),
				array( 'line_item_id' => 202 ),
				array( 'line_item_id' => 203 ),
				array( 'line_item_id' => 204 ),
				array( 'line_item_id' => 205 ),
			),
		);
		$this->assertSame(
			array(
				'items.201.quantity' => 'The return period for this item has ended.',
				'items.202.quantity' => 'Fewer of this item can be returned now than you asked for. The form shows how many are left.',
				'items.203.quantity' => 'This item is not part of this order.',
				'items.204.quantity' => 'You can return this item once it has been delivered.',
				'items.205.quantity' => 'Held at customs.',
			),
			Return_Form::map_service_errors(
				array(
					array( 'field' => 'items[0].line_item_id', 'message' => 'The return period for this item has ended.', 'reason' => 'window_closed' ),
					array( 'field' => 'items[1].quantity', 'message' => 'Only 1 of this item can still be returned.', 'reason' => 'too_many' ),
					array( 'field' => 'items[2].line_item_id', 'message' => 'This order has no such item.', 'reason' => 'unknown_item' ),
					array( 'field' => 'items[3].line_item_id', 'message' => 'Items can be returned once they have been delivered.', 'reason' => 'not_delivered' ),
					array( 'field' => 'items[4].line_item_id', 'message' => 'Held at customs.', 'reason' => 'customs_hold' ),
				),
				$body
			)
		);
	}

	public function test_a_refusal_without_fields_falls_back_to_aftercares_text_only_for_an_unknown_code(): void {
		$known = new Api_Response( Api_Response::REFUSED, 422, null, 'validation_failed', 'The request is not valid: `x` is invalid.' );
		$this->assertSame( array( 'items' => 'Please check the form.' ), Return_Form::service_errors( $known, array() ) );
		$unknown = new Api_Response( Api_Response::REFUSED, 422, null, 'returns_closed', 'The shop takes no returns this week.' );
		$this->assertSame( array( 'items' => 'The shop takes no returns this week.' ), Return_Form::service_errors( $unknown, array() ) );
	}

	public function test_photos_are_checked_by_their_bytes_count_and_size(): void {
		add_filter( 'aftercare_is_uploaded_file', '__return_true' );
		$png  = tempnam( sys_get_temp_dir(), 'p' );
		$text = tempnam( sys_get_temp_dir(), 't' );
		file_put_contents( $png, base64_decode( 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' ) );
		file_put_contents( $text, '<?php echo "not an image";' );
		$files = static fn( array $paths, array $sizes = array() ) => array(
			'name'     => array_map( static fn( $i ) => "photo$i.jpg", array_keys( $paths ) ),
			'tmp_name' => $paths,
			'error'    => array_fill( 0, count( $paths ), UPLOAD_ERR_OK ),
			'size'     => $sizes ? $sizes : array_map( 'filesize', $paths ),
		);
		try {
			$ok = Return_Form::photos( $files( array( $png, $png, $png ) ) );
			$this->assertSame( '', $ok['error'] );
			$this->assertCount( 3, $ok['files'] );
			$this->assertSame( array( 'path' => $png, 'name' => 'photo0.png', 'type' => 'image/png' ), $ok['files'][0] );

			$this->assertNotSame( '', Return_Form::photos( $files( array( $png, $png, $png, $png ) ) )['error'], 'four photos' );
			$this->assertNotSame( '', Return_Form::photos( $files( array( $text ) ) )['error'], 'a PHP file named .jpg' );
			$this->assertNotSame( '', Return_Form::photos( $files( array( $png ), array( Return_Form::MAX_PHOTO_BYTES + 1 ) ) )['error'], 'too large' );
			$this->assertSame( array( 'files' => array(), 'error' => '' ), Return_Form::photos( array( 'name' => array( '' ), 'tmp_name' => array( '' ), 'error' => array( UPLOAD_ERR_NO_FILE ), 'size' => array( 0 ) ) ) );
		} finally {
			unset( Stub::$hooks['aftercare_is_uploaded_file'] );
			unlink( $png );
			unlink( $text );
		}
		// Without the upload check passing (a path that was not uploaded), nothing is accepted.
		$this->assertNotSame( '', Return_Form::photos( array( 'name' => array( 'x.png' ), 'tmp_name' => array( '/etc/passwd' ), 'error' => array( 0 ), 'size' => array( 10 ) ) )['error'] );
	}
}
