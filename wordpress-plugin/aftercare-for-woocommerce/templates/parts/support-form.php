<?php
/**
 * "Ask about this order": topic, optional item, message and photos. Choosing a topic shows
 * the answers that fit it before the question is sent.
 *
 * Override by copying to yourtheme/aftercare/parts/support-form.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed>            $view     The order view.
 * @var int                            $order_id Order id.
 * @var array<string,string>           $errors   Field => message, after a failed submission.
 * @var array<string,mixed>            $old      What was typed, after a failed submission.
 * @var array<string,string>|null      $hidden   Guests: the form posts back to this page with
 *                                               these fields; otherwise to the order's page.
 */

use Aftercare\Customer_Actions;
use Aftercare\Data;
use Aftercare\Return_Form;
use Aftercare\Support;
use Aftercare\Support_Actions;

defined( 'ABSPATH' ) || exit;

$aftercare_hidden = isset( $hidden ) && is_array( $hidden ) ? $hidden : null;
$aftercare_error  = static fn( string $field ): string => isset( $errors[ $field ] ) && is_string( $errors[ $field ] ) ? $errors[ $field ] : '';
$aftercare_topic  = (string) ( $old['topic'] ?? '' );
$aftercare_item   = (int) ( $old['line_item_id'] ?? 0 );
$aftercare_proof  = array();
if ( null !== $aftercare_hidden ) {
	$aftercare_proof = array_intersect_key( $aftercare_hidden, array_flip( array( 'aftercare_track_order', 'aftercare_track_email' ) ) );
}
wp_enqueue_script( 'aftercare-support' );
?>
<form class="aftercare-support-form<?php echo $errors ? ' aftercare-has-errors' : ''; ?>" id="aftercare-support" method="post" enctype="multipart/form-data"
	<?php if ( null === $aftercare_hidden ) : ?>action="<?php echo esc_url( Customer_Actions::form_url( (int) $order_id ) ); ?>#aftercare-support"<?php endif; ?>
	data-order-id="<?php echo esc_attr( (string) (int) $order_id ); ?>"
	data-answers-url="<?php echo esc_url( admin_url( 'admin-ajax.php' ) ); ?>"
	data-answers-nonce="<?php echo esc_attr( wp_create_nonce( Support_Actions::ANSWERS_ACTION . '_' . (int) $order_id ) ); ?>"
	data-answers-proof="<?php echo esc_attr( (string) wp_json_encode( (object) $aftercare_proof ) ); ?>">
	<h2 class="aftercare-heading"><?php esc_html_e( 'Ask about this order', 'aftercare-for-woocommerce' ); ?></h2>
	<?php if ( $errors ) : ?>
		<div class="woocommerce-error aftercare-errors" role="alert">
			<p><?php esc_html_e( 'Please check the highlighted fields.', 'aftercare-for-woocommerce' ); ?></p>
		</div>
	<?php endif; ?>
	<p class="form-row">
		<label for="aftercare-support-topic"><?php esc_html_e( 'What is it about?', 'aftercare-for-woocommerce' ); ?> <abbr class="required" title="<?php esc_attr_e( 'required', 'aftercare-for-woocommerce' ); ?>">*</abbr></label>
		<select id="aftercare-support-topic" name="topic" required>
			<option value=""><?php esc_html_e( 'Choose a topic', 'aftercare-for-woocommerce' ); ?></option>
			<?php foreach ( Support::TOPICS as $aftercare_code ) : ?>
				<option value="<?php echo esc_attr( $aftercare_code ); ?>"<?php selected( $aftercare_topic, $aftercare_code ); ?>><?php echo esc_html( Support::topic( $aftercare_code ) ); ?></option>
			<?php endforeach; ?>
		</select>
		<?php if ( '' !== $aftercare_error( 'topic' ) ) : ?>
			<span class="aftercare-field-error" role="alert"><?php echo esc_html( $aftercare_error( 'topic' ) ); ?></span>
		<?php endif; ?>
	</p>
	<div class="aftercare-support-form__answers" aria-live="polite"></div>
	<?php $aftercare_items = Data::items_by_id( $view ); ?>
	<?php if ( $aftercare_items ) : ?>
		<p class="form-row">
			<label for="aftercare-support-item"><?php esc_html_e( 'Which item? (optional)', 'aftercare-for-woocommerce' ); ?></label>
			<select id="aftercare-support-item" name="line_item_id">
				<option value="0"><?php esc_html_e( 'The whole order', 'aftercare-for-woocommerce' ); ?></option>
				<?php foreach ( $aftercare_items as $aftercare_id => $aftercare_row ) : ?>
					<option value="<?php echo esc_attr( (string) $aftercare_id ); ?>"<?php selected( $aftercare_item, (int) $aftercare_id ); ?>><?php echo esc_html( Data::str( $aftercare_row, 'name' ) ); ?></option>
				<?php endforeach; ?>
			</select>
			<?php if ( '' !== $aftercare_error( 'line_item_id' ) ) : ?>
				<span class="aftercare-field-error" role="alert"><?php echo esc_html( $aftercare_error( 'line_item_id' ) ); ?></span>
			<?php endif; ?>
		</p>
	<?php endif; ?>
	<p class="form-row">
		<label for="aftercare-support-message"><?php esc_html_e( 'Your message', 'aftercare-for-woocommerce' ); ?> <abbr class="required" title="<?php esc_attr_e( 'required', 'aftercare-for-woocommerce' ); ?>">*</abbr></label>
		<textarea id="aftercare-support-message" name="message" rows="5" required maxlength="<?php echo esc_attr( (string) Support::MAX_MESSAGE_CHARS ); ?>"><?php echo esc_textarea( (string) ( $old['message'] ?? '' ) ); ?></textarea>
		<?php if ( '' !== $aftercare_error( 'message' ) ) : ?>
			<span class="aftercare-field-error" role="alert"><?php echo esc_html( $aftercare_error( 'message' ) ); ?></span>
		<?php endif; ?>
	</p>
	<p class="form-row">
		<label for="aftercare-support-photos"><?php esc_html_e( 'Photos (optional)', 'aftercare-for-woocommerce' ); ?></label>
		<input type="file" id="aftercare-support-photos" name="photos[]" accept="image/jpeg,image/png,image/webp" multiple>
		<span class="aftercare-muted">
			<?php
			/* translators: 1: maximum number of photos, 2: maximum size in megabytes */
			echo esc_html( sprintf( __( 'Up to %1$d JPEG, PNG or WebP images, %2$d MB each.', 'aftercare-for-woocommerce' ), Return_Form::MAX_PHOTOS, Return_Form::MAX_PHOTO_BYTES / 1024 / 1024 ) );
			?>
		</span>
		<?php if ( '' !== $aftercare_error( 'photos' ) ) : ?>
			<span class="aftercare-field-error" role="alert"><?php echo esc_html( $aftercare_error( 'photos' ) ); ?></span>
		<?php endif; ?>
	</p>
	<?php if ( null === $aftercare_hidden ) : ?>
		<input type="hidden" name="<?php echo esc_attr( Customer_Actions::FIELD ); ?>" value="<?php echo esc_attr( Support_Actions::OPEN_ACTION ); ?>">
		<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) (int) $order_id ); ?>">
		<?php // Several forms share the page: no id on the nonce field. ?>
				<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Support_Actions::OPEN_ACTION . '_' . (int) $order_id ) ); ?>">
	<?php else : ?>
		<?php foreach ( $aftercare_hidden as $aftercare_name => $aftercare_value ) : ?>
			<input type="hidden" name="<?php echo esc_attr( $aftercare_name ); ?>" value="<?php echo esc_attr( $aftercare_value ); ?>">
		<?php endforeach; ?>
	<?php endif; ?>
	<p class="form-row"><button type="submit" class="button"><?php esc_html_e( 'Send question', 'aftercare-for-woocommerce' ); ?></button></p>
</form>
