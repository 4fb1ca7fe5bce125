<?php
/**
 * Staff: the next steps a return's state allows, with a note for the customer.
 *
 * Override by copying to yourtheme/aftercare/admin/parts/return-actions.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed> $return    The return.
 * @var string              $filter    The queue filter to come back to.
 * @var bool                $from_view Come back to the return's own page.
 */

use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Returns_Queue;

defined( 'ABSPATH' ) || exit;

$aftercare_id    = Data::int( $return, 'id' );
$aftercare_moves = Labels::staff_transitions( Data::str( $return, 'status' ) );
$aftercare_field = 'aftercare-note-' . $aftercare_id . ( $from_view ? '-view' : '' );
?>
<?php if ( $aftercare_moves && $aftercare_id ) : ?>
	<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="aftercare-actions">
		<input type="hidden" name="action" value="<?php echo esc_attr( Returns_Queue::TRANSITION_ACTION ); ?>">
		<input type="hidden" name="return_id" value="<?php echo esc_attr( (string) $aftercare_id ); ?>">
		<input type="hidden" name="order_id" value="<?php echo esc_attr( (string) Data::int( $return, 'order_id' ) ); ?>">
		<input type="hidden" name="status_filter" value="<?php echo esc_attr( $filter ); ?>">
		<?php if ( $from_view ) : ?>
			<input type="hidden" name="from_view" value="1">
		<?php endif; ?>
		<input type="hidden" name="_wpnonce" value="<?php echo esc_attr( wp_create_nonce( Returns_Queue::TRANSITION_ACTION . '_' . $aftercare_id ) ); ?>"><?php // One form per row: no id, unlike wp_nonce_field(). ?>
		<label class="screen-reader-text" for="<?php echo esc_attr( $aftercare_field ); ?>"><?php esc_html_e( 'Note', 'aftercare-for-woocommerce' ); ?></label>
		<textarea id="<?php echo esc_attr( $aftercare_field ); ?>" name="note" rows="2" class="large-text" maxlength="<?php echo esc_attr( (string) Returns_Queue::MAX_NOTE_CHARS ); ?>" placeholder="<?php esc_attr_e( 'Note for the customer (optional)', 'aftercare-for-woocommerce' ); ?>"></textarea>
		<span class="aftercare-actions__buttons">
		<?php foreach ( $aftercare_moves as $aftercare_to => $aftercare_label ) : ?>
			<button type="submit" name="to" value="<?php echo esc_attr( $aftercare_to ); ?>" class="button<?php echo in_array( $aftercare_to, array( 'approved', 'received', 'refunded' ), true ) ? ' button-primary' : ''; ?>"><?php echo esc_html( $aftercare_label ); ?></button>
		<?php endforeach; ?>
		</span>
	</form>
<?php else : ?>
	<span class="description"><?php esc_html_e( 'Closed', 'aftercare-for-woocommerce' ); ?></span>
<?php endif; ?>
