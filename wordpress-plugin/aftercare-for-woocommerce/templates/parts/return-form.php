<?php
/**
 * The return request form of one order.
 *
 * Override by copying to yourtheme/aftercare/parts/return-form.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed>            $view     The order view.
 * @var array<int,array<string,mixed>> $items    Line items by id.
 * @var int                            $order_id Order id.
 * @var array<string,string>           $errors   Field => message, after a failed submission.
 * @var array<string,mixed>            $old      What was typed, after a failed submission.
 * @var array<string,string>|null      $hidden   Guests: the form posts back to this page with
 *                                               these fields; otherwise to the order's
 *                                               My Account page (Customer_Actions).
 */

use Aftercare\Customer_Actions;
use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Return_Form;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_rows       = Data::rows( $view, 'return_eligibility' );
$aftercare_returnable = array_filter( $aftercare_rows, static fn( $row ) => Data::int( $row, 'returnable_quantity' ) > 0 );
if ( ! $aftercare_rows ) {
	return; // This aftercare does not offer returns (yet).
}
if ( ! $aftercare_returnable ) {
	// Why, item by item: the same reason for several items is said once, about all of them.
	$aftercare_groups = array();
	foreach ( $aftercare_rows as $aftercare_row ) {
		$aftercare_key                        = Data::str( $aftercare_row, 'reason' ) . "\n" . Data::str( $aftercare_row, 'message' );
		$aftercare_groups[ $aftercare_key ][] = Data::str( $items[ Data::int( $aftercare_row, 'line_item_id' ) ] ?? array(), 'name' );
	}
	$aftercare_why = array();
	foreach ( $aftercare_groups as $aftercare_key => $aftercare_names ) {
		list( $aftercare_code, $aftercare_message ) = explode( "\n", $aftercare_key, 2 );
		$aftercare_text                            = Labels::eligibility( $aftercare_code, $aftercare_message, count( $aftercare_names ) );
		if ( '' !== $aftercare_text ) {
			$aftercare_why[ $aftercare_text ] = array_merge( $aftercare_why[ $aftercare_text ] ?? array(), $aftercare_names );
		}
	}
	?>
	<h2 class="aftercare-heading"><?php esc_html_e( 'Return items', 'aftercare-for-woocommerce' ); ?></h2>
	<div class="aftercare-not-returnable">
		<p class="aftercare-muted"><?php esc_html_e( 'No items of this order can be returned online.', 'aftercare-for-woocommerce' ); ?></p>
		<?php if ( 1 === count( $aftercare_why ) ) : ?>
			<p><?php echo esc_html( (string) array_key_first( $aftercare_why ) ); ?></p>
		<?php elseif ( $aftercare_why ) : ?>
			<ul>
			<?php foreach ( $aftercare_why as $aftercare_text => $aftercare_names ) : ?>
				<li>
					<?php if ( array_filter( $aftercare_names ) ) : ?>
						<strong><?php echo esc_html( implode( ', ', array_filter( $aftercare_names ) ) ); ?>:</strong>
					<?php endif; ?>
					<?php echo esc_html( $aftercare_text ); ?>
				</li>
			<?php endforeach; ?>
			</ul>
		<?php endif; ?>
	</div>
	<?php
	return;
}
$aftercare_old_items = isset( $old['items'] ) && is_array( $old['items'] ) ? $old['items'] : array();
$aftercare_error     = static function ( string $field ) use ( $errors ): string {
	return isset( $errors[ $field ] ) && is_string( $errors[ $field ] ) ? $errors[ $field ] : '';
};
?>
<?php $aftercare_hidden = isset( $hidden ) && is_array( $hidden ) ? $hidden : null; ?>
<form class="aftercare-return-form<?php echo $errors ? ' aftercare-has-errors' : ''; ?>" id="aftercare-return" method="post" enctype="multipart/form-data"<?php if ( null === $aftercare_hidden ) : ?> action="<?php echo esc_url( Customer_Actions::form_url( (int) $order_id ) ); ?>"<?php endif; ?>>
	<h2 class="aftercare-heading"><?php esc_html_e( 'Request a return', 'aftercare-for-woocommerce' ); ?></h2>
	<?php if ( $errors ) : ?>
		<div class="woocommerce-error aftercare-errors" role="alert">
			<p><?php esc_html_e( 'Please check the highlighted fields.', 'aftercare-for-woocommerce' ); ?></p>
			<ul>
				<?php foreach ( $errors as $aftercare_message ) : ?>
					<li><?php echo esc_html( (string) $aftercare_message ); ?></li>
				<?php endforeach; ?>
			</ul>
		</div>
	<?php endif; ?>
	<table class="shop_table aftercare-return-items">
		<thead>
			<tr>
				<th scope="col"><?php esc_html_e( 'Item', 'aftercare-for-woocommerce' ); ?></th>
				<th scope="col"><?php esc_html_e( 'Quantity to return', 'aftercare-for-woocommerce' ); ?></th>
				<th scope="col"><?php esc_html_e( 'Reason', 'aftercare-for-woocommerce' ); ?></th>
			</tr>
		</thead>
		<tbody>
		<?php foreach ( $aftercare_rows as $aftercare_row ) : ?>
			<?php
			$aftercare_id    = Data::int( $aftercare_row, 'line_item_id' );
			$aftercare_max   = max( 0, Data::int( $aftercare_row, 'returnable_quantity' ) );
			$aftercare_name  = Data::str( $items[ $aftercare_id ] ?? array(), 'name' );
			$aftercare_until = Template::date( Data::str( $aftercare_row, 'returnable_until' ) );
			$aftercare_prev  = isset( $aftercare_old_items[ $aftercare_id ] ) && is_array( $aftercare_old_items[ $aftercare_id ] ) ? $aftercare_old_items[ $aftercare_id ] : array();
			$aftercare_field = 'aftercare-item-' . $aftercare_id;
			?>
			<?php // Each item is a card (see aftercare.css): name on top, then quantity and reason side by side, stacked on phones. ?>
			<tr class="aftercare-return-item<?php echo 0 === $aftercare_max ? ' aftercare-return-item--closed' : ''; ?><?php echo ( $aftercare_error( "items.$aftercare_id.quantity" ) . $aftercare_error( "items.$aftercare_id.reason" ) . $aftercare_error( "items.$aftercare_id.reason_text" ) ) ? ' aftercare-invalid' : ''; ?>">
				<td class="aftercare-return-item__name">
					<label for="<?php echo esc_attr( $aftercare_field ); ?>-qty"><?php echo esc_html( '' !== $aftercare_name ? $aftercare_name : __( 'Item', 'aftercare-for-woocommerce' ) ); ?></label>
					<?php if ( $aftercare_max > 0 && '' !== $aftercare_until ) : ?>
						<br><span class="aftercare-muted">
						<?php
						/* translators: %s: last day a return can be requested */
						printf( esc_html__( 'Returnable until %s', 'aftercare-for-woocommerce' ), esc_html( $aftercare_until ) );
						?>
						</span>
					<?php elseif ( 0 === $aftercare_max ) : ?>
						<?php $aftercare_text = Labels::eligibility( Data::str( $aftercare_row, 'reason' ), Data::str( $aftercare_row, 'message' ) ); ?>
						<?php if ( '' !== $aftercare_text ) : ?>
							<br><span class="aftercare-muted aftercare-eligibility"><?php echo esc_html( $aftercare_text ); ?></span>
						<?php endif; ?>
					<?php endif; ?>
				</td>
				<td class="aftercare-return-item__qty">
					<?php if ( $aftercare_max > 0 ) : ?>
						<span class="aftercare-return-item__label" aria-hidden="true"><?php esc_html_e( 'Quantity to return', 'aftercare-for-woocommerce' ); ?></span>
						<input type="number" class="input-text aftercare-qty-input" id="<?php echo esc_attr( $aftercare_field ); ?>-qty" name="items[<?php echo esc_attr( (string) $aftercare_id ); ?>][quantity]" min="0" max="<?php echo esc_attr( (string) $aftercare_max ); ?>" step="1" inputmode="numeric" value="<?php echo esc_attr( (string) ( $aftercare_prev['quantity'] ?? '0' ) ); ?>">
						<span class="aftercare-muted">
						<?php
						/* translators: %d: how many units may be returned */
						printf( esc_html__( 'of %d', 'aftercare-for-woocommerce' ), (int) $aftercare_max );
						?>
						</span>
						<?php if ( '' !== $aftercare_error( "items.$aftercare_id.quantity" ) ) : ?>
							<span class="aftercare-field-error"><?php echo esc_html( $aftercare_error( "items.$aftercare_id.quantity" ) ); ?></span>
						<?php endif; ?>
					<?php else : ?>
						&mdash;
					<?php endif; ?>
				</td>
				<td class="aftercare-return-item__reason">
					<?php if ( $aftercare_max > 0 ) : ?>
						<label class="aftercare-return-item__label" for="<?php echo esc_attr( $aftercare_field ); ?>-reason"><?php esc_html_e( 'Reason', 'aftercare-for-woocommerce' ); ?></label>
						<select id="<?php echo esc_attr( $aftercare_field ); ?>-reason" name="items[<?php echo esc_attr( (string) $aftercare_id ); ?>][reason]">
							<option value=""><?php esc_html_e( 'Choose a reason…', 'aftercare-for-woocommerce' ); ?></option>
							<?php foreach ( Labels::REASONS as $aftercare_code ) : ?>
								<option value="<?php echo esc_attr( $aftercare_code ); ?>" <?php selected( (string) ( $aftercare_prev['reason'] ?? '' ), $aftercare_code ); ?>><?php echo esc_html( Labels::reason( $aftercare_code ) ); ?></option>
							<?php endforeach; ?>
						</select>
						<?php if ( '' !== $aftercare_error( "items.$aftercare_id.reason" ) ) : ?>
							<span class="aftercare-field-error"><?php echo esc_html( $aftercare_error( "items.$aftercare_id.reason" ) ); ?></span>
						<?php endif; ?>
						<label class="aftercare-return-item__label aftercare-return-item__label--detail" for="<?php echo esc_attr( $aftercare_field ); ?>-detail"><?php esc_html_e( 'Details', 'aftercare-for-woocommerce' ); ?></label>
						<input type="text" class="input-text aftercare-detail" id="<?php echo esc_attr( $aftercare_field ); ?>-detail" name="items[<?php echo esc_attr( (string) $aftercare_id ); ?>][reason_text]" maxlength="<?php echo esc_attr( (string) Return_Form::MAX_DETAIL_CHARS ); ?>" placeholder="<?php esc_attr_e( 'Details (optional)', 'aftercare-for-woocommerce' ); ?>" value="<?php echo esc_attr( (string) ( $aftercare_prev['reason_text'] ?? '' ) ); ?>">
						<?php if ( '' !== $aftercare_error( "items.$aftercare_id.reason_text" ) ) : ?>
							<span class="aftercare-field-error"><?php echo esc_html( $aftercare_error( "items.$aftercare_id.reason_text" ) ); ?></span>
						<?php endif; ?>
					<?php endif; ?>
				</td>
			</tr>
		<?php endforeach; ?>
		</tbody>
	</table>
	<?php if ( '' !== $aftercare_error( 'items' ) ) : ?>
		<p class="aftercare-field-error"><?php echo esc_html( $aftercare_error( 'items' ) ); ?></p>
	<?php endif; ?>

	<fieldset class="aftercare-resolution<?php echo '' !== $aftercare_error( 'resolution' ) ? ' aftercare-invalid' : ''; ?>">
		<legend><?php esc_html_e( 'What would you like instead?', 'aftercare-for-woocommerce' ); ?></legend>
		<?php foreach ( Labels::RESOLUTIONS as $aftercare_code ) : ?>
			<label class="aftercare-choice">
				<input type="radio" name="resolution" value="<?php echo esc_attr( $aftercare_code ); ?>" <?php checked( (string) ( $old['resolution'] ?? '' ), $aftercare_code ); ?>>
				<?php echo esc_html( Labels::resolution( $aftercare_code ) ); ?>
			</label>
		<?php endforeach; ?>
		<?php if ( '' !== $aftercare_error( 'resolution' ) ) : ?>
			<span class="aftercare-field-error"><?php echo esc_html( $aftercare_error( 'resolution' ) ); ?></span>
		<?php endif; ?>
	</fieldset>

	<p class="form-row form-row-wide<?php echo '' !== $aftercare_error( 'comment' ) ? ' aftercare-invalid' : ''; ?>">
		<label for="aftercare-comment"><?php esc_html_e( 'Anything we should know? (optional)', 'aftercare-for-woocommerce' ); ?></label>
		<textarea id="aftercare-comment" name="comment" rows="3" maxlength="<?php echo esc_attr( (string) Return_Form::MAX_COMMENT_CHARS ); ?>"><?php echo esc_textarea( (string) ( $old['comment'] ?? '' ) ); ?></textarea>
		<?php if ( '' !== $aftercare_error( 'comment' ) ) : ?>
			<span class="aftercare-field-error"><?php echo esc_html( $aftercare_error( 'comment' ) ); ?></span>
		<?php endif; ?>
	</p>
	<p class="form-row form-row-wide<?php echo '' !== $aftercare_error( 'photos' ) ? ' aftercare-invalid' : ''; ?>">
		<label for="aftercare-photos">
			<?php
			/* translators: 1: maximum number of photos, 2: maximum size in megabytes */
			printf( esc_html__( 'Photos (optional): up to %1$d JPEG, PNG or WebP images, %2$d MB each', 'aftercare-for-woocommerce' ), (int) Return_Form::MAX_PHOTOS, (int) ( Return_Form::MAX_PHOTO_BYTES / 1024 / 1024 ) );
			?>
		</label>
		<input type="file" id="aftercare-photos" name="photos[]" multiple accept="image/jpeg,image/png,image/webp">
		<?php if ( '' !== $aftercare_error( 'photos' ) ) : ?>
			<span class="aftercare-field-error"><?php echo esc_html( $aftercare_error( 'photos' ) ); ?></span>
		<?php endif; ?>
	</p>
	<?php if ( null !== $aftercare_hidden ) : ?>
		<?php foreach ( $aftercare_hidden as $aftercare_key => $aftercare_value ) : ?>
			<input type="hidden" name="<?php echo esc_attr( (string) $aftercare_key ); ?>" value="<?php echo esc_attr( (string) $aftercare_value ); ?>">
		<?php endforeach; ?>
	<?php else : ?>
		<input type="hidden" name="<?php echo esc_attr( Customer_Actions::FIELD ); ?>" value="<?php echo esc_attr( Customer_Actions::REQUEST_ACTION ); ?>">
		<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) $order_id ); ?>">
		<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Customer_Actions::REQUEST_ACTION . '_' . $order_id ) ); ?>">
	<?php endif; ?>
	<p><button type="submit" class="button alt aftercare-submit"><?php esc_html_e( 'Send return request', 'aftercare-for-woocommerce' ); ?></button></p>
</form>
