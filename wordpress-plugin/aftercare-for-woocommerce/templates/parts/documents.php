<?php
/**
 * An order's invoice and credit notes, each with its download control. The control differs
 * (a customer's nonce link, a guest's form that proves the order again), so the caller prints it.
 *
 * Override by copying to yourtheme/aftercare/parts/documents.php.
 *
 * @package Aftercare
 *
 * @var array<string,mixed>            $invoice  The order view's invoice.
 * @var array<int,array<string,mixed>> $credits  Its credit notes.
 * @var string                         $currency The order's currency.
 * @var callable                       $download Prints the control: (document, class name, label),
 *                                               document being 'invoice' or a credit note's id.
 */

use Aftercare\Data;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;
?>
<ul class="aftercare-documents">
	<li class="aftercare-document aftercare-invoice">
		<span class="aftercare-document__text">
		<?php
		printf(
			/* translators: 1: invoice number, 2: date the invoice was issued */
			esc_html__( 'Invoice %1$s, issued %2$s.', 'aftercare-for-woocommerce' ),
			'<strong>' . esc_html( Data::str( $invoice, 'number' ) ) . '</strong>',
			esc_html( Template::date( Data::str( $invoice, 'issued_at' ) ) )
		);
		?>
		</span>
		<?php $download( 'invoice', 'aftercare-invoice__download', __( 'Download invoice (PDF)', 'aftercare-for-woocommerce' ) ); ?>
	</li>
	<?php foreach ( $credits as $aftercare_credit ) : ?>
		<li class="aftercare-document aftercare-credit-note">
			<span class="aftercare-document__text">
			<?php
			printf(
				/* translators: 1: credit note number, 2: amount credited, 3: date issued */
				esc_html__( 'Credit note %1$s for %2$s, issued %3$s.', 'aftercare-for-woocommerce' ),
				'<strong>' . esc_html( Data::str( $aftercare_credit, 'number' ) ) . '</strong>',
				Template::money( Data::str( $aftercare_credit, 'total' ), $currency ), // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- money() returns escaped HTML.
				esc_html( Template::date( Data::str( $aftercare_credit, 'issued_at' ) ) )
			);
			?>
			</span>
			<?php $download( (string) Data::int( $aftercare_credit, 'id' ), 'aftercare-credit-note__download', __( 'Download credit note (PDF)', 'aftercare-for-woocommerce' ) ); ?>
		</li>
	<?php endforeach; ?>
</ul>
