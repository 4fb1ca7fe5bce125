<?php
/**
 * The comparison side of `cargo bench --bench invoice`: renders the same invoice as the
 * Rust renderer, laid out as an HTML invoice template for dompdf (Debian php-dompdf),
 * the way the in-WordPress invoice plugins do it.
 *
 * Usage: php invoice.php DOCUMENT.json RUNS OUT.pdf FONT_DIR
 * Prints one JSON line: median and p90 milliseconds per render, bytes, peak memory.
 */

declare(strict_types=1);

require_once '/usr/share/php/dompdf/autoload.php';

use Dompdf\Dompdf;
use Dompdf\Options;

[$script, $docPath, $runs, $outPath, $fontDir] = $argv + [null, null, '20', '/dev/null', null];
$doc  = json_decode((string) file_get_contents($docPath), true, 512, JSON_THROW_ON_ERROR);
$runs = max(1, (int) $runs);

function h(?string $s): string {
	return htmlspecialchars((string) $s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

function party(array $p): string {
	$out = '<strong>' . h($p['name']) . '</strong>';
	foreach ($p['lines'] as $line) {
		$out .= '<br>' . h($line);
	}
	return $out;
}

function html(array $d): string {
	$rows = '';
	foreach ($d['lines'] as $l) {
		$rows .= '<tr><td>' . h($l['name'])
			. ($l['details'] ? '<div class="details">' . h($l['details']) . '</div>' : '')
			. '</td><td class="sku">' . h($l['sku']) . '</td><td class="num">' . h($l['quantity'])
			. '</td><td class="num">' . h($l['unit_price']) . '</td><td class="num">' . h($l['total']) . '</td></tr>';
	}
	$totals = '';
	foreach ($d['totals'] as $t) {
		$class   = $t['emphasis'] ? ' class="grand"' : '';
		$totals .= '<tr' . $class . '><td>' . h($t['label']) . '</td><td class="num">' . h($t['amount']) . '</td></tr>';
	}
	$note = $d['customer_note'] ? '<div class="note"><div class="label">Customer note</div>' . h($d['customer_note']) . '</div>' : '';
	return <<<HTML
<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page { margin: 40px 42px 62px 42px; }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; color: #383d45; }
h1 { color: #213a66; font-size: 22pt; text-align: right; margin: 0; }
.meta { float: right; width: 45%; } .meta td { padding: 1px 0; } .meta td.v { text-align: right; }
.seller { float: left; width: 50%; } .clear { clear: both; }
.parties td { vertical-align: top; width: 50%; padding-top: 20px; }
.label { font-size: 7pt; font-weight: bold; color: #737882; text-transform: uppercase; }
table.items { width: 100%; border-collapse: collapse; margin-top: 20px; }
table.items thead th { background: #eceff4; font-size: 7.5pt; text-align: left; padding: 6px; }
table.items td { border-bottom: 0.5px solid #d1d6de; padding: 6px; vertical-align: top; }
.num { text-align: right; } .sku { color: #737882; font-size: 7.5pt; } .details { color: #737882; font-size: 7.5pt; }
table.totals { width: 45%; margin-left: 55%; margin-top: 12px; } table.totals td { padding: 2px 0; }
tr.grand td { font-weight: bold; font-size: 10.5pt; border-top: 1px solid #1f2126; padding-top: 6px; }
.note { border: 0.5px solid #d1d6de; background: #f9f9fb; padding: 10px; width: 50%; margin-top: 12px; }
.footer { position: fixed; bottom: -40px; left: 0; right: 0; font-size: 7pt; color: #737882; }
</style></head><body>
<div class="footer">{$d['title']} {$d['number']}</div>
<div class="seller">{$d['seller']}</div>
<div class="meta"><h1>{$d['title']}</h1><table>
<tr><td>Number</td><td class="v"><strong>{$d['number']}</strong></td></tr>
<tr><td>Issue date</td><td class="v">{$d['issue_date']}</td></tr>
<tr><td>Order number</td><td class="v">{$d['order_number']}</td></tr>
<tr><td>Order date</td><td class="v">{$d['order_date']}</td></tr>
<tr><td>Payment method</td><td class="v">{$d['payment_method']}</td></tr>
<tr><td>Currency</td><td class="v">{$d['currency']}</td></tr>
</table></div><div class="clear"></div>
<table class="parties"><tr><td><div class="label">Bill to</div>{$d['billing']}</td><td><div class="label">Ship to</div>{$d['shipping']}</td></tr></table>
<table class="items"><thead><tr><th>Item</th><th>SKU</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Total</th></tr></thead>
<tbody>{$rows}</tbody></table>
<table class="totals">{$totals}</table>{$note}
</body></html>
HTML;
}

$view = [
	'title'          => h($doc['title']),
	'number'         => h($doc['number']),
	'issue_date'     => h($doc['issue_date']),
	'order_number'   => h($doc['order_number']),
	'order_date'     => h($doc['order_date']),
	'payment_method' => h($doc['payment_method']),
	'currency'       => h($doc['currency']),
	'seller'         => party($doc['seller']),
	'billing'        => party($doc['billing']),
	'shipping'       => $doc['shipping'] ? party($doc['shipping']) : '',
	'lines'          => $doc['lines'],
	'totals'         => $doc['totals'],
	'customer_note'  => $doc['customer_note'],
];
$markup = html($view);

$options = new Options();
$options->set('fontDir', $fontDir);
$options->set('fontCache', $fontDir);
$options->set('chroot', [dirname(__DIR__, 2), $fontDir]);
$options->set('defaultFont', 'DejaVu Sans');

// Debian's php-dompdf ships no font files: register the same DejaVu faces the Rust
// renderer embeds, once (dompdf caches their metrics in FONT_DIR).
$assets = dirname(__DIR__, 2) . '/assets/fonts';
$setup  = new Dompdf($options);
foreach (['normal' => 'DejaVuSans.ttf', 'bold' => 'DejaVuSans-Bold.ttf'] as $weight => $file) {
	$setup->getFontMetrics()->registerFont(
		['family' => 'DejaVu Sans', 'weight' => $weight, 'style' => 'normal'],
		'file://' . $assets . '/' . $file
	);
}

$times = [];
$pdf   = '';
for ($i = 0; $i < $runs; $i++) {
	$start  = hrtime(true);
	$dompdf = new Dompdf($options);
	$dompdf->loadHtml($markup, 'UTF-8');
	$dompdf->setPaper('A4');
	$dompdf->render();
	$pdf     = $dompdf->output();
	$times[] = (hrtime(true) - $start) / 1e6;
}
sort($times);
file_put_contents($outPath, $pdf);
echo json_encode([
	'median_ms'     => $times[intdiv(count($times), 2)],
	'p90_ms'        => $times[(int) floor(count($times) * 0.9)],
	'bytes'         => strlen($pdf),
	'peak_memory_mb' => memory_get_peak_usage(true) / 1048576,
	'runs'          => $runs,
]), "\n";
