//! The invoice's A4 layout: header, parties, the items table (its header repeated on every
//! page), totals, customer note, small print and "Page N of M" footers.

use krilla::Data;
use krilla::image::Image;

use crate::invoice::document::{DocumentKind, InvoiceDocument, Party};

use super::RenderError;
use super::fonts::{FontSet, Style};
use super::pdf::{self, Op, PAGE_H, PAGE_W, Rgb};
use super::text::{ShapedLine, Shaper, clean};

// Points; origin bottom-left.
const LEFT: f32 = 42.0;
const RIGHT: f32 = PAGE_W - 42.0;
const CONTENT_W: f32 = RIGHT - LEFT;
const TOP: f32 = PAGE_H - 40.0;
/// Content stays above this; the page footer (rule, number) is below it.
const BOTTOM: f32 = 62.0;
const CELL_PAD: f32 = 6.0;

const INK: Rgb = Rgb(0.12, 0.13, 0.15);
const BODY: Rgb = Rgb(0.22, 0.24, 0.27);
const MUTED: Rgb = Rgb(0.45, 0.47, 0.51);
const ACCENT: Rgb = Rgb(0.13, 0.23, 0.40);
const RULE: Rgb = Rgb(0.82, 0.84, 0.87);
const SHADE: Rgb = Rgb(0.925, 0.937, 0.957);
const NOTE_FILL: Rgb = Rgb(0.975, 0.978, 0.985);

struct Labels {
    title: &'static str,
    number: &'static str,
    short: &'static str,
}

fn labels(kind: DocumentKind) -> Labels {
    match kind {
        DocumentKind::Invoice => Labels {
            title: "INVOICE",
            number: "Invoice number",
            short: "Invoice",
        },
        DocumentKind::CreditNote => Labels {
            title: "CREDIT NOTE",
            number: "Credit note number",
            short: "Credit note",
        },
    }
}

/// Table column geometry.
struct Columns {
    item_x: f32,
    item_w: f32,
    sku_x: f32,
    sku_w: f32,
    qty_r: f32,
    unit_r: f32,
    total_r: f32,
}

/// A line item's single-line cells, shaped.
struct Cells {
    /// Full width; cut to the column when the row is built.
    sku: Option<ShapedLine>,
    quantity: ShapedLine,
    unit_price: ShapedLine,
    total: ShapedLine,
}

/// A line item, wrapped and measured.
struct Row {
    name: Vec<ShapedLine>,
    details: Vec<ShapedLine>,
    sku: Option<ShapedLine>,
    /// Without its `sku`, which is the cut one above.
    cells: Cells,
    height: f32,
}

const NAME_SIZE: f32 = 9.0;
const SKU_SIZE: f32 = 8.0;
const NAME_LEAD: f32 = 11.5;
const DETAIL_SIZE: f32 = 7.5;
const DETAIL_LEAD: f32 = 10.0;
const HEAD_SIZE: f32 = 7.5;
const HEAD_H: f32 = 20.0;
/// From the top of a table row to its first baseline, and from its last baseline to its bottom.
const ROW_FIRST_BASELINE: f32 = 14.5;
const ROW_BOTTOM_PAD: f32 = 8.0;
const TOTAL_SIZE: f32 = 9.0;
const TOTAL_BIG: f32 = 10.5;
const NOTE_PAD: f32 = 10.0;

struct TotalsPlan {
    x: f32,
    width: f32,
    /// Room kept for the widest label.
    label_w: f32,
    height: f32,
}

fn total_font(emphasis: bool) -> (Style, f32) {
    if emphasis {
        (Style::Bold, TOTAL_BIG)
    } else {
        (Style::Regular, TOTAL_SIZE)
    }
}

/// Lays `d` out and writes it as a PDF.
pub(super) fn render(fonts: &FontSet, d: &InvoiceDocument) -> Result<Vec<u8>, RenderError> {
    let mut layout = Layout::new(fonts, d);
    layout.run();
    let title = format!("{} {}", labels(d.kind).short, clean(&d.number));
    let written = match pdf::write(fonts, &title, &layout.pages, layout.logo.as_ref()) {
        // The PNG header was fine but its pixels do not decode: issue it without the logo.
        Err(krilla::error::KrillaError::Image(_, _, e)) => {
            tracing::warn!(error = %e, invoice = %d.number, "logo is not a usable PNG; drawing the invoice without it");
            pdf::write(fonts, &title, &layout.pages, None)
        }
        other => other,
    };
    written.map_err(|e| RenderError::Pdf(e.to_string()))
}

struct Layout<'a> {
    t: Shaper<'a>,
    d: &'a InvoiceDocument,
    pages: Vec<Vec<Op>>,
    /// The page being drawn on.
    page: usize,
    /// Current position: the top of the next block.
    y: f32,
    logo: Option<Image>,
}

impl<'a> Layout<'a> {
    fn new(fonts: &'a FontSet, d: &'a InvoiceDocument) -> Self {
        Self {
            t: Shaper::new(fonts),
            d,
            pages: vec![Vec::new()],
            page: 0,
            y: TOP,
            logo: None,
        }
    }

    fn run(&mut self) {
        self.header();
        self.parties();
        self.table();
        self.summary();
        self.footer();
        self.page_footers();
    }

    // ---- drawing primitives ----

    fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.pages[self.page]
    }

    fn text(&mut self, x: f32, baseline: f32, text: &str, style: Style, size: f32, color: Rgb) {
        let line = self.t.shape(&clean(text), style);
        self.draw_line(x, baseline, line, style, size, color);
    }

    fn draw_line(
        &mut self,
        x: f32,
        baseline: f32,
        line: ShapedLine,
        style: Style,
        size: f32,
        color: Rgb,
    ) {
        if line.runs.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            baseline,
            size,
            color,
            style,
            line,
        });
    }

    fn text_right(
        &mut self,
        right: f32,
        baseline: f32,
        text: &str,
        style: Style,
        size: f32,
        color: Rgb,
    ) {
        let line = self.t.shape(&clean(text), style);
        self.draw_line_right(right, baseline, line, style, size, color);
    }

    fn draw_line_right(
        &mut self,
        right: f32,
        baseline: f32,
        line: ShapedLine,
        style: Style,
        size: f32,
        color: Rgb,
    ) {
        let w = line.width * size;
        self.draw_line(right - w, baseline, line, style, size, color);
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, color: Rgb) {
        self.ops().push(Op::HLine {
            x1,
            x2,
            y,
            thickness,
            color,
        });
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb, stroke: Option<Rgb>) {
        self.ops().push(Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        });
    }

    /// Draws the logo with its top-left corner at (`x`, `top`) inside `max_w` × `max_h`;
    /// returns its height, or `None` when the PNG is unusable (the invoice is still
    /// issued, without the logo).
    fn logo(&mut self, x: f32, top: f32, max_w: f32, max_h: f32) -> Option<f32> {
        let png = self.d.logo_png.as_ref()?;
        let image = match Image::from_png(Data::from(png.clone()), true) {
            Ok(image) => image,
            Err(e) => {
                tracing::warn!(error = %e, invoice = %self.d.number, "logo is not a usable PNG; drawing the invoice without it");
                return None;
            }
        };
        let (w, h) = image.size();
        if w == 0 || h == 0 {
            return None;
        }
        // At 72 dpi one pixel is one point; scale down to the box, never up.
        let (w, h) = (w as f32, h as f32);
        let scale = (max_w / w).min(max_h / h).min(1.0);
        let (w, h) = (w * scale, h * scale);
        self.ops().push(Op::Logo { x, top, w, h });
        self.logo = Some(image);
        Some(h)
    }

    // ---- blocks ----

    fn header(&mut self) {
        let d = self.d;
        let labels = labels(d.kind);

        // Right: title and the document's facts.
        let title_size = 22.0;
        let title_base = TOP - 18.0;
        self.text_right(
            RIGHT,
            title_base,
            labels.title,
            Style::Bold,
            title_size,
            ACCENT,
        );

        let mut meta: Vec<(&str, &str)> = vec![
            (labels.number, &d.number),
            ("Issue date", &d.issue_date),
            ("Order number", &d.order_number),
            ("Order date", &d.order_date),
        ];
        if !d.payment_method.trim().is_empty() {
            meta.push(("Payment method", &d.payment_method));
        }
        if !d.currency.trim().is_empty() {
            meta.push(("Currency", &d.currency));
        }
        if d.kind == DocumentKind::CreditNote
            && let Some(reference) = &d.reference
        {
            meta.push(("Refers to invoice", reference));
        }
        let meta_size = 8.5;
        let label_w = meta
            .iter()
            .map(|(l, _)| self.t.width(l, Style::Regular, meta_size))
            .fold(0.0, f32::max);
        let meta_w = 230.0;
        let label_x = RIGHT - meta_w;
        let value_w = meta_w - label_w - 12.0;
        let mut base = title_base - 24.0;
        for (label, value) in meta {
            let is_number = label == labels.number;
            let style = if is_number {
                Style::Bold
            } else {
                Style::Regular
            };
            let value = self.t.fit(&clean(value), style, meta_size, value_w);
            self.text(label_x, base, label, Style::Regular, meta_size, MUTED);
            self.draw_line_right(RIGHT, base, value, style, meta_size, INK);
            base -= 13.0;
        }
        let right_bottom = base + 13.0 - 4.0;

        // Left: logo, then the seller.
        let left_w = label_x - LEFT - 24.0;
        let mut y = TOP;
        if let Some(h) = self.logo(LEFT, TOP, left_w.min(170.0), 56.0) {
            y -= h + 14.0;
        } else {
            y -= 4.0;
        }
        let name = self
            .t
            .fit(&clean(&d.seller.name), Style::Bold, 12.0, left_w);
        self.draw_line(LEFT, y - 10.0, name, Style::Bold, 12.0, INK);
        y -= 10.0;
        for line in &d.seller.lines {
            y -= 12.0;
            let line = self.t.fit(&clean(line), Style::Regular, 8.5, left_w);
            self.draw_line(LEFT, y, line, Style::Regular, 8.5, BODY);
        }
        self.y = y.min(right_bottom) - 22.0;
    }

    /// Draws a party under a small heading; returns the baseline of its last line.
    fn party(&mut self, heading: &str, party: &Party, x: f32, top: f32, width: f32) -> f32 {
        self.text(x, top - 6.0, heading, Style::Bold, 7.0, MUTED);
        let mut base = top - 21.0;
        for (i, line) in self
            .t
            .wrap(&clean(&party.name), Style::Bold, 10.0, width, 2)
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                base -= 12.5;
            }
            self.draw_line(x, base, line, Style::Bold, 10.0, INK);
        }
        for line in &party.lines {
            for wrapped in self.t.wrap(&clean(line), Style::Regular, 9.0, width, 2) {
                base -= 12.5;
                self.draw_line(x, base, wrapped, Style::Regular, 9.0, BODY);
            }
        }
        base
    }

    fn parties(&mut self) {
        let top = self.y;
        let col_w = CONTENT_W / 2.0 - 20.0;
        let d = self.d;
        let mut bottom = self.party("BILL TO", &d.billing, LEFT, top, col_w);
        if let Some(shipping) = &d.shipping {
            let b = self.party("SHIP TO", shipping, LEFT + CONTENT_W / 2.0, top, col_w);
            bottom = bottom.min(b);
        }
        self.y = bottom - 20.0;
    }

    /// Column widths from the widest cell of each column, within limits.
    fn columns(&self, cells: &[Cells]) -> Columns {
        let r = &self.t;
        let col = |head: &str, widths: &mut dyn Iterator<Item = f32>, min: f32, max: f32| {
            let head_w = r.width(head, Style::Bold, HEAD_SIZE);
            (widths.fold(head_w, f32::max) + 2.0 * CELL_PAD).clamp(min, max)
        };
        let total_w = col(
            "Total",
            &mut cells.iter().map(|c| c.total.width * NAME_SIZE),
            70.0,
            130.0,
        );
        let unit_w = col(
            "Unit price",
            &mut cells.iter().map(|c| c.unit_price.width * NAME_SIZE),
            70.0,
            120.0,
        );
        let qty_w = col(
            "Qty",
            &mut cells.iter().map(|c| c.quantity.width * NAME_SIZE),
            36.0,
            60.0,
        );
        let sku_w = cells
            .iter()
            .filter_map(|c| c.sku.as_ref())
            .map(|s| s.width * SKU_SIZE)
            .fold(r.width("SKU", Style::Bold, HEAD_SIZE), f32::max);
        let sku_w = (sku_w + 2.0 * CELL_PAD).clamp(56.0, 110.0);
        let item_w = CONTENT_W - total_w - unit_w - qty_w - sku_w;
        Columns {
            item_x: LEFT,
            item_w,
            sku_x: LEFT + item_w,
            sku_w,
            qty_r: LEFT + item_w + sku_w + qty_w,
            unit_r: LEFT + item_w + sku_w + qty_w + unit_w,
            total_r: RIGHT,
        }
    }

    fn table_header(&mut self, c: &Columns) {
        let top = self.y;
        self.rect(LEFT, top - HEAD_H, CONTENT_W, HEAD_H, SHADE, None);
        let base = top - 12.8;
        let (s, st, col) = (HEAD_SIZE, Style::Bold, BODY);
        self.text(c.item_x + CELL_PAD, base, "ITEM", st, s, col);
        self.text(c.sku_x + CELL_PAD, base, "SKU", st, s, col);
        self.text_right(c.qty_r - CELL_PAD, base, "QTY", st, s, col);
        self.text_right(c.unit_r - CELL_PAD, base, "UNIT PRICE", st, s, col);
        self.text_right(c.total_r - CELL_PAD, base, "TOTAL", st, s, col);
        self.y = top - HEAD_H;
    }

    fn table(&mut self) {
        // Every cell is shaped once: its width sizes the columns, then it is drawn.
        let cells: Vec<Cells> = self
            .d
            .lines
            .iter()
            .map(|l| Cells {
                sku: l
                    .sku
                    .as_deref()
                    .map(|s| self.t.shape(&clean(s), Style::Regular)),
                quantity: self.t.shape(&clean(&l.quantity), Style::Regular),
                unit_price: self.t.shape(&clean(&l.unit_price), Style::Regular),
                total: self.t.shape(&clean(&l.total), Style::Regular),
            })
            .collect();
        let c = self.columns(&cells);
        let text_w = c.item_w - 2.0 * CELL_PAD;
        let rows: Vec<Row> = self
            .d
            .lines
            .iter()
            .zip(cells)
            .map(|(l, mut cells)| {
                let name = self
                    .t
                    .wrap(&clean(&l.name), Style::Regular, NAME_SIZE, text_w, 3);
                let details = l
                    .details
                    .as_deref()
                    .map(clean)
                    .filter(|s| !s.is_empty())
                    .map(|s| self.t.wrap(&s, Style::Regular, DETAIL_SIZE, text_w, 2))
                    .unwrap_or_default();
                let sku = cells.sku.take().map(|s| {
                    self.t
                        .fit_line(s, Style::Regular, SKU_SIZE, c.sku_w - 2.0 * CELL_PAD)
                });
                let height = ROW_FIRST_BASELINE
                    + (name.len().max(1) - 1) as f32 * NAME_LEAD
                    + details.len() as f32 * DETAIL_LEAD
                    + ROW_BOTTOM_PAD;
                Row {
                    name,
                    details,
                    sku,
                    cells,
                    height,
                }
            })
            .collect();

        self.table_header(&c);
        for row in rows {
            if self.y - row.height < BOTTOM {
                self.new_page();
                self.table_header(&c);
            }
            let top = self.y;
            let first = top - ROW_FIRST_BASELINE;
            let x = c.item_x + CELL_PAD;
            let mut base = first;
            for (i, line) in row.name.into_iter().enumerate() {
                if i > 0 {
                    base -= NAME_LEAD;
                }
                self.draw_line(x, base, line, Style::Regular, NAME_SIZE, INK);
            }
            for line in row.details {
                base -= DETAIL_LEAD;
                self.draw_line(x, base, line, Style::Regular, DETAIL_SIZE, MUTED);
            }
            if let Some(sku) = row.sku {
                let x = c.sku_x + CELL_PAD;
                self.draw_line(x, first, sku, Style::Regular, SKU_SIZE, MUTED);
            }
            let (st, n) = (Style::Regular, NAME_SIZE);
            let cells = row.cells;
            self.draw_line_right(c.qty_r - CELL_PAD, first, cells.quantity, st, n, INK);
            self.draw_line_right(c.unit_r - CELL_PAD, first, cells.unit_price, st, n, INK);
            self.draw_line_right(c.total_r - CELL_PAD, first, cells.total, st, n, INK);
            self.y = top - row.height;
            self.hline(LEFT, RIGHT, self.y, 0.5, RULE);
        }
        self.y -= 16.0;
    }

    /// Measures the totals block; `None` when there are no totals.
    fn totals_plan(&self) -> Option<TotalsPlan> {
        let totals = &self.d.totals;
        if totals.is_empty() {
            return None;
        }
        let label_w = totals
            .iter()
            .map(|t| {
                let (style, size) = total_font(t.emphasis);
                self.t.width(&clean(&t.label), style, size)
            })
            .fold(0.0, f32::max);
        let amount_w = totals
            .iter()
            .map(|t| self.t.width(&clean(&t.amount), Style::Bold, TOTAL_BIG))
            .fold(0.0, f32::max);
        let width = (label_w + amount_w + 30.0).clamp(220.0, CONTENT_W * 0.62);
        let height = totals
            .iter()
            .map(|t| if t.emphasis { 24.0 } else { 16.0 })
            .sum::<f32>()
            + 4.0;
        Some(TotalsPlan {
            x: RIGHT - width,
            width,
            label_w: label_w.min(width * 0.5),
            height,
        })
    }

    fn draw_totals(&mut self, plan: &TotalsPlan, top: f32) {
        let amount_max = plan.width - plan.label_w - 12.0;
        let label_max = plan.width - 12.0 - 40.0;
        let mut base = top - 11.0;
        for t in &self.d.totals {
            let (style, size) = total_font(t.emphasis);
            let amount = self.t.fit(&clean(&t.amount), style, size, amount_max);
            let amount_w = amount.width * size;
            let label = self.t.fit(
                &clean(&t.label),
                style,
                size,
                label_max.min(plan.width - amount_w - 12.0),
            );
            if t.emphasis {
                base -= 6.0;
                self.hline(plan.x, RIGHT, base + 14.0, 0.9, INK);
                base -= 2.0;
                self.draw_line(plan.x, base, label, style, size, INK);
            } else {
                self.draw_line(plan.x, base, label, style, size, BODY);
            }
            self.draw_line_right(RIGHT, base, amount, style, size, INK);
            base -= 16.0;
        }
    }

    fn note_lines(&self, note: &str, box_w: f32) -> Vec<ShapedLine> {
        self.t
            .wrap(note, Style::Regular, 9.0, box_w - 2.0 * NOTE_PAD, 14)
    }

    fn note_height(lines: &[ShapedLine]) -> f32 {
        NOTE_PAD + 8.0 + lines.len() as f32 * 12.0 + NOTE_PAD
    }

    fn draw_note(&mut self, x: f32, top: f32, width: f32, lines: Vec<ShapedLine>) {
        let height = Self::note_height(&lines);
        self.rect(x, top - height, width, height, NOTE_FILL, Some(RULE));
        let mut base = top - NOTE_PAD - 5.5;
        self.text(x + NOTE_PAD, base, "CUSTOMER NOTE", Style::Bold, 7.0, MUTED);
        base -= 2.0;
        for line in lines {
            base -= 12.0;
            self.draw_line(x + NOTE_PAD, base, line, Style::Regular, 9.0, BODY);
        }
    }

    /// Totals on the right; the customer note beside them on the left when there is room,
    /// otherwise below them at full width.
    fn summary(&mut self) {
        let plan = self.totals_plan();
        let note = self
            .d
            .customer_note
            .as_deref()
            .map(clean)
            .filter(|n| !n.is_empty());
        let side_w = plan.as_ref().map_or(CONTENT_W, |p| p.x - LEFT - 28.0);
        if let (Some(plan), Some(note)) = (&plan, &note)
            && side_w >= 170.0
        {
            let lines = self.note_lines(note, side_w);
            let height = plan.height.max(Self::note_height(&lines));
            self.ensure(height);
            let top = self.y;
            self.draw_totals(plan, top);
            self.draw_note(LEFT, top, side_w, lines);
            self.y = top - height - 16.0;
            return;
        }
        if let Some(plan) = &plan {
            self.ensure(plan.height);
            let top = self.y;
            self.draw_totals(plan, top);
            self.y = top - plan.height - 16.0;
        }
        if let Some(note) = &note {
            let lines = self.note_lines(note, CONTENT_W);
            let height = Self::note_height(&lines);
            self.ensure(height);
            let top = self.y;
            self.draw_note(LEFT, top, CONTENT_W, lines);
            self.y = top - height - 16.0;
        }
    }

    /// The document's small print, pinned to the bottom of the last page.
    fn footer(&mut self) {
        let Some(text) = self.d.footer.as_deref().map(clean) else {
            return;
        };
        if text.is_empty() {
            return;
        }
        let lines = self.t.wrap(&text, Style::Regular, 7.5, CONTENT_W, 6);
        let height = lines.len() as f32 * 10.0 + 4.0;
        self.ensure(height + 8.0);
        let mut base = BOTTOM + height - 10.0;
        for line in lines {
            let x = PAGE_W / 2.0 - line.width * 7.5 / 2.0;
            self.draw_line(x, base, line, Style::Regular, 7.5, MUTED);
            base -= 10.0;
        }
    }

    /// Starts a new page when `height` does not fit above the bottom margin.
    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    /// A continuation page: a slim header with the seller and the document number.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.page = self.pages.len() - 1;
        let d = self.d;
        let labels = labels(d.kind);
        let name = self
            .t
            .fit(&clean(&d.seller.name), Style::Bold, 9.5, CONTENT_W / 2.0);
        self.draw_line(LEFT, TOP - 10.0, name, Style::Bold, 9.5, INK);
        let right = format!("{} {} (continued)", labels.short, clean(&d.number));
        self.text_right(RIGHT, TOP - 10.0, &right, Style::Regular, 9.0, MUTED);
        self.hline(LEFT, RIGHT, TOP - 18.0, 0.6, RULE);
        self.y = TOP - 32.0;
    }

    /// "Page N of M" and the document number at the bottom of every page.
    fn page_footers(&mut self) {
        let total = self.pages.len();
        let d = self.d;
        let left = format!("{} {}", labels(d.kind).short, clean(&d.number));
        for page in 0..total {
            self.page = page;
            self.hline(LEFT, RIGHT, 46.0, 0.5, RULE);
            self.text(LEFT, 34.0, &left, Style::Regular, 7.5, MUTED);
            let label = format!("Page {} of {total}", page + 1);
            self.text_right(RIGHT, 34.0, &label, Style::Regular, 7.5, MUTED);
        }
    }
}
