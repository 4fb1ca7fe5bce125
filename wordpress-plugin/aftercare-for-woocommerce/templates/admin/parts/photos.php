<?php
/**
 * Staff: the photos a customer sent, shown through WordPress (never straight from aftercare).
 *
 * Override by copying to yourtheme/aftercare/admin/parts/photos.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed> $return The return (staff view).
 * @var int                 $size   Thumbnail edge in pixels.
 */

use Aftercare\Data;
use Aftercare\Returns_Queue;

defined( 'ABSPATH' ) || exit;

$aftercare_return_id = Data::int( $return, 'id' );
$aftercare_photos    = array_filter( Data::rows( $return, 'photos' ), static fn( $p ) => Data::int( $p, 'position' ) > 0 );
?>
<?php if ( $aftercare_photos && $aftercare_return_id ) : ?>
	<ul class="aftercare-photos">
		<?php foreach ( $aftercare_photos as $aftercare_photo ) : ?>
			<?php
			$aftercare_position = Data::int( $aftercare_photo, 'position' );
			$aftercare_src      = Returns_Queue::photo_url( $aftercare_return_id, $aftercare_position );
			/* translators: 1: photo position, 2: return id */
			$aftercare_alt = sprintf( __( 'Photo %1$d of return #%2$d', 'aftercare-for-woocommerce' ), $aftercare_position, $aftercare_return_id );
			?>
			<li>
				<a href="<?php echo esc_url( $aftercare_src ); ?>" target="_blank" rel="noopener">
					<img src="<?php echo esc_url( $aftercare_src ); ?>" alt="<?php echo esc_attr( $aftercare_alt ); ?>" width="<?php echo esc_attr( (string) $size ); ?>" height="<?php echo esc_attr( (string) $size ); ?>" loading="lazy" decoding="async">
				</a>
			</li>
		<?php endforeach; ?>
	</ul>
<?php endif; ?>
