<?php
/**
 * WooCommerce → Answers → add or edit one answer.
 *
 * Override by copying to yourtheme/aftercare/admin/answer-edit.php.
 *
 * @package Aftercare
 *
 * @var \Aftercare\Api_Response   $response GET /api/v1/answers.
 * @var array<string,mixed>|null  $answer   The answer (or what was typed), null for a new one.
 * @var int                       $id       Its id, 0 for a new one.
 * @var bool                      $missing  Whether the id names no answer.
 */

use Aftercare\Answers_Admin;
use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Support;

defined( 'ABSPATH' ) || exit;

$aftercare_when  = is_array( $answer ) ? ( Data::obj( $answer, 'when' ) ?? array() ) : array();
$aftercare_has   = static fn( string $key, string $value ): bool => in_array( $value, (array) ( $aftercare_when[ $key ] ?? array() ), true );
$aftercare_boxes = static function ( string $key, array $options ) use ( $aftercare_has ): void {
	foreach ( $options as $aftercare_value => $aftercare_label ) {
		printf(
			'<label class="aftercare-check"><input type="checkbox" name="%1$s[]" value="%2$s"%3$s> %4$s</label> ',
			esc_attr( $key ),
			esc_attr( $aftercare_value ),
			$aftercare_has( $key, (string) $aftercare_value ) ? ' checked' : '',
			esc_html( $aftercare_label )
		);
	}
};
$aftercare_statuses = array();
foreach ( Answers_Admin::ORDER_STATUSES as $aftercare_s ) {
	$aftercare_statuses[ $aftercare_s ] = function_exists( 'wc_get_order_status_name' ) ? wc_get_order_status_name( $aftercare_s ) : Labels::humanize( $aftercare_s );
}
$aftercare_states = array();
foreach ( Answers_Admin::DELIVERY_STATES as $aftercare_s ) {
	$aftercare_states[ $aftercare_s ] = Labels::delivery_state( $aftercare_s );
}
$aftercare_topics = array();
foreach ( Support::TOPICS as $aftercare_s ) {
	$aftercare_topics[ $aftercare_s ] = Support::topic( $aftercare_s );
}
?>
<div class="wrap aftercare-answers-admin">
	<p><a href="<?php echo esc_url( Answers_Admin::url() ); ?>">&larr; <?php esc_html_e( 'All answers', 'aftercare-for-woocommerce' ); ?></a></p>
	<h1><?php echo esc_html( $id ? __( 'Edit answer', 'aftercare-for-woocommerce' ) : __( 'Add answer', 'aftercare-for-woocommerce' ) ); ?></h1>
	<?php if ( $missing ) : ?>
		<div class="notice notice-warning inline"><p><?php esc_html_e( 'There is no such answer.', 'aftercare-for-woocommerce' ); ?></p></div>
		<?php return; ?>
	<?php endif; ?>
	<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
		<input type="hidden" name="action" value="<?php echo esc_attr( Answers_Admin::SAVE_ACTION ); ?>">
		<input type="hidden" name="id" value="<?php echo esc_attr( (string) $id ); ?>">
		<?php wp_nonce_field( Answers_Admin::SAVE_ACTION . '_' . $id ); ?>
		<table class="form-table" role="presentation">
			<tr>
				<th scope="row"><label for="aftercare-question"><?php esc_html_e( 'Question', 'aftercare-for-woocommerce' ); ?></label></th>
				<td><input type="text" id="aftercare-question" name="question" class="large-text" maxlength="300" required value="<?php echo esc_attr( is_array( $answer ) ? Data::str( $answer, 'question' ) : '' ); ?>"></td>
			</tr>
			<tr>
				<th scope="row"><label for="aftercare-answer"><?php esc_html_e( 'Answer', 'aftercare-for-woocommerce' ); ?></label></th>
				<td>
					<?php
					wp_editor(
						is_array( $answer ) ? Data::str( $answer, 'answer' ) : '',
						'aftercare-answer',
						array(
							'textarea_name' => 'answer',
							'textarea_rows' => 8,
							'media_buttons' => false,
							'teeny'         => true,
						)
					);
					?>
					<p class="description"><?php esc_html_e( 'Live facts about the order can be written in braces: {order_number}, {parcel_status}, {parcel_location}, {carrier}, {tracking_number}, {tracking_url}, {eta}, {invoice_number}, {invoice_url}, {return_window_ends}. An answer whose facts the order does not have yet is not shown.', 'aftercare-for-woocommerce' ); ?></p>
				</td>
			</tr>
			<tr>
				<th scope="row"><label for="aftercare-lang"><?php esc_html_e( 'Language', 'aftercare-for-woocommerce' ); ?></label></th>
				<td>
					<select id="aftercare-lang" name="lang">
						<option value="en"<?php selected( is_array( $answer ) ? Data::str( $answer, 'lang' ) : 'en', 'en' ); ?>><?php esc_html_e( 'English', 'aftercare-for-woocommerce' ); ?></option>
						<option value="ko"<?php selected( is_array( $answer ) ? Data::str( $answer, 'lang' ) : 'en', 'ko' ); ?>><?php esc_html_e( 'Korean', 'aftercare-for-woocommerce' ); ?></option>
					</select>
				</td>
			</tr>
			<tr>
				<th scope="row"><?php esc_html_e( 'Order statuses', 'aftercare-for-woocommerce' ); ?></th>
				<td><?php $aftercare_boxes( 'order_statuses', $aftercare_statuses ); ?><p class="description"><?php esc_html_e( 'None ticked: any.', 'aftercare-for-woocommerce' ); ?></p></td>
			</tr>
			<tr>
				<th scope="row"><?php esc_html_e( 'Delivery states', 'aftercare-for-woocommerce' ); ?></th>
				<td><?php $aftercare_boxes( 'delivery_states', $aftercare_states ); ?><p class="description"><?php esc_html_e( 'None ticked: any.', 'aftercare-for-woocommerce' ); ?></p></td>
			</tr>
			<tr>
				<th scope="row"><?php esc_html_e( 'Topics', 'aftercare-for-woocommerce' ); ?></th>
				<td><?php $aftercare_boxes( 'topics', $aftercare_topics ); ?><p class="description"><?php esc_html_e( 'Shown on the question form after the customer chooses one of these topics. None ticked: any.', 'aftercare-for-woocommerce' ); ?></p></td>
			</tr>
			<tr>
				<th scope="row"><label for="aftercare-products"><?php esc_html_e( 'Products', 'aftercare-for-woocommerce' ); ?></label></th>
				<td>
					<input type="text" id="aftercare-products" name="product_ids" class="regular-text" value="<?php echo esc_attr( implode( ', ', array_map( 'intval', (array) ( $aftercare_when['product_ids'] ?? array() ) ) ) ); ?>">
					<p class="description"><?php esc_html_e( 'Product or variation IDs, separated by commas. Empty: any.', 'aftercare-for-woocommerce' ); ?></p>
				</td>
			</tr>
		</table>
		<?php submit_button( __( 'Save answer', 'aftercare-for-woocommerce' ) ); ?>
	</form>
</div>
