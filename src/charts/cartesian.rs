//! Lines and columns: categories along the bottom, values up the left, the axis title above.

use std::fmt::Write;

use super::legend::{self, style};
use super::scale::Scale;
use super::svg::{self, Anchor, INK, MUTED};
use super::{Chart, Data, Kind, PAD, plot_height, text};

/// Row of the axis title above the plot.
const TITLE_ROW: f64 = 16.0;
/// Between the title and the plot: room for the top tick's label and for data labels above
/// the highest column or point.
const HEADROOM: f64 = 18.0;
/// Between the plot and the tick labels on its left.
const TICK_GAP: f64 = 6.0;
/// Least room between two category labels side by side.
const LABEL_GAP: f64 = 8.0;
/// Least distance between rotated labels (one line of text, measured across).
const ROTATED_PITCH: f64 = 18.0;
/// Longest rotated label, in px along its slant.
const ROTATED_MAX: f64 = 130.0;
const SIN45: f64 = std::f64::consts::FRAC_1_SQRT_2;

pub(super) fn draw(out: &mut String, chart: &Chart, data: &Data, width: f64) -> f64 {
    let mut y = PAD;
    if data.names.len() > 1 {
        y += legend::draw(out, chart.kind, &data.names, PAD, y, width - 2.0 * PAD) + 4.0;
    }
    let title = text::fit(&text::clean(&chart.y_label), width - 2.0 * PAD);
    svg::text(
        out,
        PAD,
        y + 12.0,
        Anchor::Start,
        "axis-title",
        INK,
        &title,
        "",
    );
    let top = y + TITLE_ROW + HEADROOM;
    let bottom = top + plot_height(width);

    let scale = Scale::new(
        data.all(),
        chart.y_range,
        chart.value_format.min_step(),
        (plot_height(width) / 45.0) as usize,
    );
    let tick_labels = chart.value_format.ticks(&scale.ticks, scale.step);
    let tick_width = tick_labels
        .iter()
        .map(|t| text::width(t))
        .fold(0.0, f64::max);
    let plot = Plot {
        left: PAD + tick_width + TICK_GAP,
        right: width - PAD,
        top,
        bottom,
        slot: (width - PAD - (PAD + tick_width + TICK_GAP)) / data.categories.len() as f64,
        scale,
    };

    out.push_str(r#"<g class="grid">"#);
    for (&tick, label) in plot.scale.ticks.iter().zip(&tick_labels) {
        let ty = plot.y(tick);
        svg::line(out, (plot.left, ty), (plot.right, ty), "grid");
        let extra = format!(r#" data-value="{tick}""#);
        svg::text(
            out,
            plot.left - TICK_GAP,
            ty + 4.0,
            Anchor::End,
            "tick",
            MUTED,
            label,
            &extra,
        );
    }
    out.push_str("</g>");
    svg::line(out, (plot.left, bottom), (plot.right, bottom), "axis");
    if plot.scale.spans_zero() {
        let zero = plot.y(0.0);
        svg::line(out, (plot.left, zero), (plot.right, zero), "zero");
    }
    let below = category_labels(out, chart.kind, data, &plot, width);
    match chart.kind {
        Kind::Columns => columns(out, chart, data, &plot),
        Kind::Line | Kind::Bars => lines(out, chart, data, &plot),
    }
    bottom + below + PAD
}

struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// Width given to each category.
    slot: f64,
    scale: Scale,
}

impl Plot {
    fn x(&self, category: usize) -> f64 {
        self.left + self.slot * (category as f64 + 0.5)
    }

    fn y(&self, value: f64) -> f64 {
        self.scale.pos(value, self.bottom, self.top)
    }
}

/// The category labels under the plot: side by side when they fit, every k-th when they
/// do not (lines: a time axis reads fine thinned); columns turn theirs 45° first, so each
/// column keeps its name as long as there is a line's height per column. Returns the height
/// they take below the plot.
fn category_labels(out: &mut String, kind: Kind, data: &Data, plot: &Plot, width: f64) -> f64 {
    let plot_width = plot.right - plot.left;
    let widest = data
        .categories
        .iter()
        .map(|c| text::width(c))
        .fold(0.0, f64::max)
        .min(plot_width);
    let every = ((widest + LABEL_GAP) / plot.slot).ceil().max(1.0) as usize;
    out.push_str(r#"<g class="categories">"#);
    let below = if every == 1 || kind == Kind::Line {
        let room = (every as f64 * plot.slot - LABEL_GAP).min(plot_width);
        for (i, name) in data.categories.iter().enumerate().step_by(every) {
            let name = text::fit(name, room);
            let half = text::width(&name) / 2.0;
            // Keep the first and last labels inside the picture.
            let x = plot.x(i).max(half + 2.0).min(width - half - 2.0);
            svg::text(
                out,
                x,
                plot.bottom + 18.0,
                Anchor::Middle,
                "category",
                INK,
                &name,
                "",
            );
        }
        22.0
    } else {
        let every = (ROTATED_PITCH / plot.slot).ceil().max(1.0) as usize;
        let baseline = plot.bottom + 12.0;
        let mut longest: f64 = 0.0;
        for (i, name) in data.categories.iter().enumerate().step_by(every) {
            let x = plot.x(i) + 4.0;
            // Turned text reaches left of its end by its length (and a line's height) × sin 45°.
            let room = ((x - 1.0) / SIN45 - 9.6).min(ROTATED_MAX);
            let name = text::fit(name, room);
            longest = longest.max(text::width(&name));
            let extra = format!(r#" transform="rotate(-45 {x:.1} {baseline:.1})""#);
            svg::text(
                out,
                x,
                baseline,
                Anchor::End,
                "category",
                INK,
                &name,
                &extra,
            );
        }
        12.0 + (longest + 3.0) * SIN45 + 2.0
    };
    out.push_str("</g>");
    below
}

fn columns(out: &mut String, chart: &Chart, data: &Data, plot: &Plot) {
    let count = data.values.len() as f64;
    let group = (plot.slot * 0.72).min(count * 48.0);
    let gap = if count > 1.0 && group / count > 8.0 {
        2.0
    } else {
        0.0
    };
    let column = (group - gap * (count - 1.0)) / count;
    let base = plot.y(plot.scale.base());
    let fmt = chart.value_format;
    // Where each column is: (series, category, left edge, end of the column, value).
    let mut placed = Vec::new();
    for (s, values) in data.values.iter().enumerate() {
        let _ = write!(
            out,
            r#"<g class="series" data-series="{s}" fill="{}">"#,
            style(s).color
        );
        for (i, value) in values.iter().enumerate() {
            let Some(v) = *value else { continue };
            let x = plot.x(i) - group / 2.0 + s as f64 * (column + gap);
            let end = plot.y(v);
            // A zero still shows as a hairline: it is a value, unlike a gap.
            let (y, h) = if (end - base).abs() < 1.0 {
                (if v < 0.0 { base } else { base - 1.0 }, 1.0)
            } else {
                (end.min(base), (end - base).abs())
            };
            svg::bar(out, (x, y), (column, h), &data.tooltip(s, i, &fmt.label(v)));
            placed.push((x, if v < 0.0 { y + h } else { y }, v));
        }
        out.push_str("</g>");
    }
    // Data labels only when every one fits over its column: a few missing would read as zero.
    let room = if count > 1.0 { column + gap } else { plot.slot } - 2.0;
    let labels: Vec<String> = placed.iter().map(|&(_, _, v)| fmt.label(v)).collect();
    if labels.iter().any(|l| text::width(l) > room) {
        return;
    }
    out.push_str(r#"<g class="values">"#);
    for (&(x, end, v), label) in placed.iter().zip(&labels) {
        let y = if v >= 0.0 {
            end - 4.0
        } else if end + 14.0 <= plot.bottom {
            end + 13.0
        } else {
            // No room under a negative column: above the zero line instead.
            base - 4.0
        };
        svg::text(
            out,
            x + column / 2.0,
            y,
            Anchor::Middle,
            "value",
            INK,
            label,
            "",
        );
    }
    out.push_str("</g>");
}

fn lines(out: &mut String, chart: &Chart, data: &Data, plot: &Plot) {
    let fmt = chart.value_format;
    let radius = if plot.slot >= 16.0 { 3.5 } else { 2.5 };
    for (s, values) in data.values.iter().enumerate() {
        let style = style(s);
        let _ = write!(
            out,
            r#"<g class="series" data-series="{s}" fill="{}">"#,
            style.color
        );
        // A gap (no data) breaks the line rather than bridging it.
        let mut path = String::new();
        let mut previous = false;
        for (i, value) in values.iter().enumerate() {
            match value {
                Some(v) => {
                    let command = if previous { 'L' } else { 'M' };
                    let _ = write!(path, "{command}{:.1} {:.1}", plot.x(i), plot.y(*v));
                    previous = true;
                }
                None => previous = false,
            }
        }
        let dash = if style.dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{}""#, style.dash)
        };
        if !path.is_empty() {
            let _ = write!(
                out,
                r#"<path class="line" d="{path}" fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"{dash}/>"#,
                style.color
            );
        }
        for (i, value) in values.iter().enumerate() {
            if let Some(v) = *value {
                let tip = data.tooltip(s, i, &fmt.label(v));
                legend::marker(out, style.marker, (plot.x(i), plot.y(v)), radius, &tip);
            }
        }
        out.push_str("</g>");
    }
    // Values over the points: for a single line whose labels fit their slots.
    let [values] = data.values.as_slice() else {
        return;
    };
    let labels: Vec<(usize, f64, String)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v, fmt.label(v))))
        .collect();
    if labels
        .iter()
        .any(|(_, _, l)| text::width(l) + 4.0 > plot.slot)
    {
        return;
    }
    out.push_str(r#"<g class="values">"#);
    for (i, v, label) in &labels {
        let y = plot.y(*v) - 8.0;
        svg::text(out, plot.x(*i), y, Anchor::Middle, "value", INK, label, "");
    }
    out.push_str("</g>");
}
