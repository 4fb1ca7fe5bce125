<?php
/**
 * aftercare's daily staff digest (plain text).
 *
 * Override by copying to yourtheme/woocommerce/emails/plain/aftercare-staff-digest.php.
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

echo "=\n" . esc_html( wp_strip_all_tags( $email_heading ) ) . "\n=\n\n";
echo esc_html__( 'These orders need a look today:', 'aftercare-for-woocommerce' ) . "\n\n";
foreach ( $sections as $aftercare_section ) {
	if ( ! $aftercare_section[1] ) {
		continue;
	}
	echo esc_html( $aftercare_section[0] ) . "\n";
	foreach ( $aftercare_section[1] as $aftercare_row ) {
		/* translators: %s: order number */
		echo '- ' . esc_html( sprintf( __( 'Order #%s', 'aftercare-for-woocommerce' ), $aftercare_row['order'] ) . ': ' . $aftercare_row['what'] );
		if ( '' !== $aftercare_row['when'] ) {
			/* translators: %s: date and time (UTC) */
			echo ' (' . esc_html( sprintf( __( 'since %s UTC', 'aftercare-for-woocommerce' ), str_replace( 'T', ' ', substr( $aftercare_row['when'], 0, 16 ) ) ) ) . ')';
		}
		echo "\n";
		if ( '' !== $aftercare_row['url'] ) {
			echo '  ' . esc_url_raw( $aftercare_row['url'] ) . "\n";
		}
	}
	echo "\n";
}
if ( $additional_content ) {
	echo esc_html( wp_strip_all_tags( wptexturize( $additional_content ) ) ) . "\n\n";
}
echo wp_kses_post( apply_filters( 'woocommerce_email_footer_text', get_option( 'woocommerce_email_footer_text' ) ) );
