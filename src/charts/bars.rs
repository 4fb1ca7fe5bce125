//! Horizontal bars: a row per category with its label on the left (long names shortened
//! with …), values along the bottom with the axis title under them, each bar's value at its
//! end. The chart grows taller with its rows.

use std::fmt::Write;

use super::legend::{self, style};
use super::scale::Scale;
use super::svg::{self, Anchor, HALO, INK, MUTED};
use super::{Chart, Data, PAD, text};

/// Thickness of a bar alone in its row, and of each bar of a group.
const BAR_SINGLE: f64 = 20.0;
const BAR_GROUPED: f64 = 14.0;
const BAR_GAP: f64 = 2.0;
/// Space between rows.
const ROW_GAP: f64 = 10.0;
/// Between a row label and the plot, and between a bar's end and its value.
const LABEL_GAP: f64 = 8.0;
const VALUE_GAP: f64 = 4.0;
/// Least width left for the bars themselves.
const MIN_PLOT: f64 = 100.0;

pub(super) fn draw(out: &mut String, chart: &Chart, data: &Data, width: f64) -> f64 {
    let fmt = chart.value_format;
    let mut top = PAD;
    if data.names.len() > 1 {
        top += legend::draw(out, chart.kind, &data.names, PAD, top, width - 2.0 * PAD) + 6.0;
    }
    let count = data.values.len() as f64;
    let bar = if count > 1.0 { BAR_GROUPED } else { BAR_SINGLE };
    let group = count * bar + (count - 1.0) * BAR_GAP;
    let row = group + ROW_GAP;
    let bottom = top + row * data.categories.len() as f64;

    // Values print past the bars' ends: keep room for the widest on the right.
    let widest_value = data
        .all()
        .map(|v| text::width(&fmt.label(v)))
        .fold(0.0, f64::max);
    let right = width - PAD - widest_value - VALUE_GAP;
    let label_room = (width * 0.38)
        .min(280.0)
        .min(right - MIN_PLOT - LABEL_GAP - PAD)
        .max(0.0);
    let names: Vec<String> = data
        .categories
        .iter()
        .map(|c| text::fit(c, label_room))
        .collect();
    let label_width = names.iter().map(|n| text::width(n)).fold(0.0, f64::max);
    let left = PAD + label_width + LABEL_GAP;

    let (scale, tick_labels, every) = ticks(chart, data, right - left);
    let x = |v: f64| scale.pos(v, left, right);

    out.push_str(r#"<g class="grid">"#);
    for (i, (&tick, label)) in scale.ticks.iter().zip(&tick_labels).enumerate() {
        let tx = x(tick);
        svg::line(out, (tx, top), (tx, bottom), "grid");
        if i % every == 0 {
            let half = text::width(label) / 2.0;
            let lx = tx.max(half + 2.0).min(width - half - 2.0);
            let extra = format!(r#" data-value="{tick}""#);
            svg::text(
                out,
                lx,
                bottom + 16.0,
                Anchor::Middle,
                "tick",
                MUTED,
                label,
                &extra,
            );
        }
    }
    out.push_str("</g>");
    svg::line(out, (left, bottom), (right, bottom), "axis");
    let base = x(scale.base());
    let class = if scale.spans_zero() { "zero" } else { "axis" };
    svg::line(out, (base, top), (base, bottom), class);

    out.push_str(r#"<g class="categories">"#);
    for (i, name) in names.iter().enumerate() {
        let y = top + row * i as f64 + row / 2.0 + 4.0;
        svg::text(
            out,
            left - LABEL_GAP,
            y,
            Anchor::End,
            "category",
            INK,
            name,
            "",
        );
    }
    out.push_str("</g>");

    let mut values = String::new();
    for (s, series) in data.values.iter().enumerate() {
        let _ = write!(
            out,
            r#"<g class="series" data-series="{s}" fill="{}">"#,
            style(s).color
        );
        for (i, value) in series.iter().enumerate() {
            let Some(v) = *value else { continue };
            let y = top + row * i as f64 + ROW_GAP / 2.0 + s as f64 * (bar + BAR_GAP);
            let end = x(v);
            // A zero still shows as a hairline: it is a value, unlike a gap.
            let (bx, w) = if (end - base).abs() < 1.0 {
                (if v < 0.0 { base - 1.0 } else { base }, 1.0)
            } else {
                (end.min(base), (end - base).abs())
            };
            let label = fmt.label(v);
            svg::bar(out, (bx, y), (w, bar), &data.tooltip(s, i, &label));
            let label_width = text::width(&label);
            let (lx, anchor) = if v >= 0.0 {
                (bx + w + VALUE_GAP, Anchor::Start)
            } else if bx - VALUE_GAP - label_width >= left {
                (bx - VALUE_GAP, Anchor::End)
            } else if let Some(ink) = style(s)
                .ink_inside
                .filter(|_| w >= label_width + 2.0 * VALUE_GAP)
            {
                // No room left of a negative bar: inside its end.
                let ly = y + bar / 2.0 + 4.0;
                let extra = r#" stroke="none""#;
                svg::text(
                    &mut values,
                    bx + VALUE_GAP,
                    ly,
                    Anchor::Start,
                    "value",
                    ink,
                    &label,
                    extra,
                );
                continue;
            } else {
                // Nor inside it: on the other side of the zero line.
                (base + VALUE_GAP, Anchor::Start)
            };
            let ly = y + bar / 2.0 + 4.0;
            svg::text(&mut values, lx, ly, anchor, "value", INK, &label, "");
        }
        out.push_str("</g>");
    }
    let _ = write!(out, r#"<g class="values"{HALO}>{values}</g>"#);

    let title = text::fit(&text::clean(&chart.y_label), width - 2.0 * PAD);
    let half = text::width(&title) / 2.0;
    let tx = ((left + right) / 2.0)
        .max(half + PAD)
        .min(width - half - PAD);
    svg::text(
        out,
        tx,
        bottom + 36.0,
        Anchor::Middle,
        "axis-title",
        INK,
        &title,
        "",
    );
    bottom + 36.0 + 4.0 + PAD
}

/// The value scale with as many ticks as the plot's width can label side by side, and
/// which of them get a label (every one, or every k-th when even two are too many).
fn ticks(chart: &Chart, data: &Data, plot_width: f64) -> (Scale, Vec<String>, usize) {
    let fmt = chart.value_format;
    let mut target = (plot_width / 60.0) as usize;
    loop {
        let scale = Scale::new(data.all(), chart.y_range, fmt.min_step(), target);
        let labels = fmt.ticks(&scale.ticks, scale.step);
        let widest = labels.iter().map(|l| text::width(l)).fold(0.0, f64::max);
        let pitch = plot_width * scale.step / (scale.hi - scale.lo);
        if widest + LABEL_GAP <= pitch || target <= 2 {
            let every = ((widest + LABEL_GAP) / pitch).ceil().max(1.0) as usize;
            return (scale, labels, every);
        }
        target -= 1;
    }
}
