<?php
/**
 * The items of one return: name, quantity, reason and the customer's own words for each item.
 *
 * Override by copying to yourtheme/aftercare/parts/return-items.php.
 *
 * @package Aftercare
 *
 * @var array<int,array<string,mixed>> $return_items The return's items.
 * @var array<int,string>              $names        Item names by line item id, from the order,
 *                                                   for items the return does not name.
 * @var bool                           $staff        Staff (wp-admin) or the customer.
 * @var string                         $class_name   The list's class.
 */

use Aftercare\Data;
use Aftercare\Labels;

defined( 'ABSPATH' ) || exit;
?>
<ul class="<?php echo esc_attr( $class_name ); ?>">
<?php foreach ( $return_items as $aftercare_item ) : ?>
	<?php
	$aftercare_line = Data::int( $aftercare_item, 'line_item_id' );
	$aftercare_name = Data::str( $aftercare_item, 'name' );
	if ( '' === $aftercare_name ) {
		$aftercare_name = (string) ( $names[ $aftercare_line ] ?? '' );
	}
	if ( '' === $aftercare_name ) {
		$aftercare_name = $staff ? '#' . $aftercare_line : __( 'Item', 'aftercare-for-woocommerce' );
	}
	$aftercare_quantity = (string) Data::int( $aftercare_item, 'quantity' );
	$aftercare_reason   = Labels::reason( Data::str( $aftercare_item, 'reason' ) );
	?>
	<li>
		<?php if ( $staff ) : ?>
			<?php echo esc_html( $aftercare_name ); ?> &times; <?php echo esc_html( $aftercare_quantity ); ?>
			&mdash; <?php echo esc_html( $aftercare_reason ); ?>
			<?php if ( '' !== Data::str( $aftercare_item, 'reason_text' ) ) : ?>
				<br><em><?php echo esc_html( Data::str( $aftercare_item, 'reason_text' ) ); ?></em>
			<?php endif; ?>
		<?php else : ?>
			<?php echo esc_html( $aftercare_name ); ?> <span class="aftercare-qty">&times;&nbsp;<?php echo esc_html( $aftercare_quantity ); ?></span>
			<span class="aftercare-muted">(<?php echo esc_html( $aftercare_reason ); ?>)</span>
			<?php if ( '' !== Data::str( $aftercare_item, 'reason_text' ) ) : ?>
				<q class="aftercare-reason-text"><?php echo esc_html( Data::str( $aftercare_item, 'reason_text' ) ); ?></q>
			<?php endif; ?>
		<?php endif; ?>
	</li>
<?php endforeach; ?>
</ul>
