<?php
/**
 * Answers (FAQ entries) that fit the order now, with its facts filled in by aftercare.
 *
 * Override by copying to yourtheme/aftercare/parts/answers.php.
 *
 * @package Aftercare
 *
 * @var array<int,array<string,mixed>> $answers Each: id, question (plain text), answer (HTML
 *                                              aftercare sanitised; sanitised again here).
 * @var string                         $heading Heading above them, or '' for none.
 */

use Aftercare\Data;

defined( 'ABSPATH' ) || exit;

if ( ! $answers ) {
	return;
}
?>
<div class="aftercare-answers">
	<?php if ( '' !== $heading ) : ?>
		<h3 class="aftercare-answers__heading"><?php echo esc_html( $heading ); ?></h3>
	<?php endif; ?>
	<?php foreach ( array_values( $answers ) as $aftercare_i => $aftercare_answer ) : ?>
		<?php // The best fit is open: most customers need only that one. ?>
		<details class="aftercare-answer" data-answer="<?php echo esc_attr( (string) Data::int( $aftercare_answer, 'id' ) ); ?>"<?php echo 0 === $aftercare_i ? ' open' : ''; ?>>
			<summary><?php echo esc_html( Data::str( $aftercare_answer, 'question' ) ); ?></summary>
			<div class="aftercare-answer__body"><?php echo wp_kses_post( Data::str( $aftercare_answer, 'answer' ) ); ?></div>
		</details>
	<?php endforeach; ?>
</div>
