<?php
/**
 * aftercare's daily staff digest.
 *
 * Override by copying to yourtheme/woocommerce/emails/aftercare-staff-digest.php.
 *
 * @package Aftercare
 *
 * @var string                          $email_heading      Heading.
 * @var string                          $additional_content From the email's settings.
 * @var \Aftercare\Email_Staff_Digest   $email              The email.
 * @var array<string,mixed>             $data               The digest's data from aftercare.
 * @var list<array{0:string,1:list<array{order:string,what:string,when:string,url:string}>}> $sections Title and lines.
 */

defined( 'ABSPATH' ) || exit;

do_action( 'woocommerce_email_header', $email_heading, $email );
?>
<p><?php esc_html_e( 'These orders need a look today:', 'aftercare-for-woocommerce' ); ?></p>
<?php foreach ( $sections as $aftercare_section ) : ?>
	<?php if ( $aftercare_section[1] ) : ?>
		<h2><?php echo esc_html( $aftercare_section[0] ); ?></h2>
		<ul>
		<?php foreach ( $aftercare_section[1] as $aftercare_row ) : ?>
			<li>
				<?php
				/* translators: %s: order number */
				$aftercare_order = sprintf( __( 'Order #%s', 'aftercare-for-woocommerce' ), $aftercare_row['order'] );
				if ( '' !== $aftercare_row['url'] ) {
					echo '<a href="' . esc_url( $aftercare_row['url'] ) . '">' . esc_html( $aftercare_order ) . '</a>';
				} else {
					echo '<strong>' . esc_html( $aftercare_order ) . '</strong>';
				}
				?>
				&middot; <?php echo esc_html( $aftercare_row['what'] ); ?>
				<?php if ( '' !== $aftercare_row['when'] ) : ?>
					<br><small>
					<?php
					/* translators: %s: date and time (UTC) */
					printf( esc_html__( 'since %s UTC', 'aftercare-for-woocommerce' ), esc_html( str_replace( 'T', ' ', substr( $aftercare_row['when'], 0, 16 ) ) ) );
					?>
					</small>
				<?php endif; ?>
			</li>
		<?php endforeach; ?>
		</ul>
	<?php endif; ?>
<?php endforeach; ?>
<?php
if ( $additional_content ) {
	echo wp_kses_post( wpautop( wptexturize( $additional_content ) ) );
}
do_action( 'woocommerce_email_footer', $email );
