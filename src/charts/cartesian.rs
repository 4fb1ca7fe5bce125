//! Lines and columns: categories along the bottom, values up the left, the axis title above.

use std::fmt::Write;

use super::legend::{self, style};
use super::scale::Scale;
use super::svg::{self, Anchor, HALO, INK, MUTED};
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
        y += legend::draw(out, chart.kind, &data.names, PAD, y, width - 2.0 * PAD) + 8.0;
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
        (plot_height(width) / 36.0) as usize,
    );
    let tick_labels = chart.value_format.ticks(&scale.ticks, scale.step);
    let tick_width = tick_labels
        .iter()
        .map(|t| text::width(t))
        .fold(0.0, f64::max);
    let n = data.categories.len() as f64;
    let mut left = PAD + tick_width + TICK_GAP;
    let right = width - PAD;
    let mut labels = Labels::choose(chart.kind, data, (right - left) / n, right - left);
    let reach = labels.reach_left(data, (right - left) / n);
    if reach > left {
        left = reach.min(width * 0.25).max(left);
        labels = Labels::choose(chart.kind, data, (right - left) / n, right - left);
    }
    let plot = Plot {
        left,
        right,
        top,
        bottom,
        slot: (right - left) / n,
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
    let below = category_labels(out, &labels, data, &plot, width);
    if chart.kind == Kind::Columns {
        columns(out, chart, data, &plot);
    } else {
        lines(out, chart, data, &plot);
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

/// How the category labels sit under the plot.
enum Labels {
    /// Side by side, every k-th (1: all).
    Level(usize),
    /// Each on up to two lines.
    Wrapped(Vec<Vec<String>>),
    /// Turned 45°, every k-th.
    Turned(usize),
}

impl Labels {
    /// Side by side when they fit, every k-th when they do not (lines: a time axis reads
    /// fine thinned). Columns first try two lines, then turn their labels 45°, so each
    /// column keeps its name as long as there is a line's height per column.
    fn choose(kind: Kind, data: &Data, slot: f64, plot_width: f64) -> Labels {
        let widest = data
            .categories
            .iter()
            .map(|c| text::width(c))
            .fold(0.0, f64::max)
            .min(plot_width);
        let every = ((widest + LABEL_GAP) / slot).ceil().max(1.0) as usize;
        if every == 1 || kind != Kind::Columns {
            return Labels::Level(every);
        }
        let wrapped: Option<Vec<Vec<String>>> = data
            .categories
            .iter()
            .map(|c| text::wrap(c, slot - LABEL_GAP, 2))
            .collect();
        match wrapped {
            Some(wrapped) => Labels::Wrapped(wrapped),
            None => Labels::Turned((ROTATED_PITCH / slot).ceil().max(1.0) as usize),
        }
    }

    /// How far the turned labels reach left of the first columns' centres: the plot moves
    /// right by that much (up to a quarter of the width) rather than cut the first names short.
    fn reach_left(&self, data: &Data, slot: f64) -> f64 {
        let Labels::Turned(every) = *self else {
            return 0.0;
        };
        data.categories
            .iter()
            .enumerate()
            .step_by(every)
            .take(8)
            .map(|(i, c)| turned_reach(text::width(c).min(ROTATED_MAX)) - slot * (i as f64 + 0.5))
            .fold(0.0, f64::max)
    }
}

/// How far left of its anchor a turned label of `width` px reaches: its length and a line's
/// height, × sin 45°, less the 4 px the anchor sits right of the column's centre.
fn turned_reach(width: f64) -> f64 {
    (width + 9.6) * SIN45 - 4.0 + 1.0
}

/// Draws the category labels; returns the height they take below the plot.
fn category_labels(out: &mut String, labels: &Labels, data: &Data, plot: &Plot, width: f64) -> f64 {
    let plot_width = plot.right - plot.left;
    out.push_str(r#"<g class="categories">"#);
    let below = match labels {
        Labels::Wrapped(wrapped) => {
            for (i, lines) in wrapped.iter().enumerate() {
                let half = lines.iter().map(|l| text::width(l)).fold(0.0, f64::max) / 2.0;
                let x = plot.x(i).max(half + 2.0).min(width - half - 2.0);
                svg::text_lines(
                    out,
                    (x, plot.bottom + 18.0),
                    Anchor::Middle,
                    "category",
                    lines,
                );
            }
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f64;
            22.0 + (lines - 1.0) * svg::LINE_HEIGHT
        }
        Labels::Level(every) => {
            let room = (*every as f64 * plot.slot - LABEL_GAP).min(plot_width);
            for (i, name) in data.categories.iter().enumerate().step_by(*every) {
                let name = text::fit(name, room);
                let half = text::width(&name) / 2.0;
                // Keep the first and last labels inside the picture.
                let x = plot.x(i).max(half + 2.0).min(width - half - 2.0);
                let y = plot.bottom + 18.0;
                svg::text(out, x, y, Anchor::Middle, "category", INK, &name, "");
            }
            22.0
        }
        Labels::Turned(every) => {
            let baseline = plot.bottom + 12.0;
            let mut longest: f64 = 0.0;
            for (i, name) in data.categories.iter().enumerate().step_by(*every) {
                let x = plot.x(i) + 4.0;
                // Turned text reaches left of its end by its length and a line, × sin 45°.
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
        }
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
    // Where each column is: (series, left edge, end, height, value).
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
            placed.push((s, x, if v < 0.0 { y + h } else { y }, h, v));
        }
        out.push_str("</g>");
    }
    // Data labels only when every one fits over its column: a few missing would read as zero.
    let room = if count > 1.0 { column + gap } else { plot.slot } - 2.0;
    let labels: Vec<String> = placed.iter().map(|&(.., v)| fmt.label(v)).collect();
    if labels.iter().any(|l| text::width(l) > room) {
        return;
    }
    let _ = write!(out, r#"<g class="values"{HALO}>"#);
    for (&(s, x, end, h, v), label) in placed.iter().zip(&labels) {
        let inside = style(s)
            .ink_inside
            .filter(|_| h >= 18.0 && text::width(label) <= column - 4.0);
        let (y, fill, extra) = if v >= 0.0 {
            (end - 4.0, INK, "")
        } else if end + 14.0 <= plot.bottom {
            (end + 13.0, INK, "")
        } else if let Some(ink) = inside {
            // No room under a negative column: inside its end.
            (end - 5.0, ink, r#" stroke="none""#)
        } else {
            // Nor inside it: above the zero line.
            (base - 4.0, INK, "")
        };
        let x = x + column / 2.0;
        svg::text(out, x, y, Anchor::Middle, "value", fill, label, extra);
    }
    out.push_str("</g>");
}

fn lines(out: &mut String, chart: &Chart, data: &Data, plot: &Plot) {
    let fmt = chart.value_format;
    // Markers shrink as points crowd, so a long series stays a line rather than a string of beads.
    let radius = if plot.slot >= 16.0 {
        3.5
    } else if plot.slot >= 6.0 {
        2.5
    } else {
        1.5
    };
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
    let _ = write!(out, r#"<g class="values"{HALO}>"#);
    for (i, v, label) in &labels {
        // Under a negative point (when there is room above the category labels), over others.
        let y = plot.y(*v);
        let y = if *v < 0.0 && y + 16.0 <= plot.bottom - 2.0 {
            y + 16.0
        } else {
            y - 8.0
        };
        svg::text(out, plot.x(*i), y, Anchor::Middle, "value", INK, label, "");
    }
    out.push_str("</g>");
}
