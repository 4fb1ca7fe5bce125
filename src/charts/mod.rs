//! Charts as SVG, drawn by the service itself: no plotting crate, no JavaScript.
//!
//! A [`Chart`] (categories, one to three series, an axis title with its unit, how values
//! print) is [`render`]ed for the width the page will show it at, so text stays 12 px on a
//! phone and on a desktop alike; the height follows from the width (and, for horizontal
//! bars, the number of rows). The SVG carries `role="img"`, a `<title>` and an `aria-label`,
//! a tooltip on every bar and point, axes with ticks at 1/2/5 × 10ⁿ and gridlines, a legend
//! when there are several series, and data labels where they fit.
//!
//! Category names come from the shop (product names): every text is cleaned of what XML
//! cannot carry and escaped, and shortened with … or thinned out (every k-th label) rather
//! than overlapping. Any input renders: NaN and infinite values count as no data, missing
//! values too, and a chart without a single value shows its `empty_text`.
//!
//! - `scale`: the value axis and its nice ticks; `format`: how values print.
//! - `text`: cleaning, escaping, width estimates, ellipsis, wrapping; `svg`: the elements.
//! - `cartesian`: lines and columns; `bars`: horizontal bars; `legend`: series styles.
//!
//! `cargo run --example chart_gallery -- DIR` draws samples at 1280, 720 and 360 px into
//! `DIR/index.html`.

mod bars;
mod cartesian;
mod format;
mod legend;
mod scale;
mod svg;
#[cfg(test)]
mod tests;
mod text;

use std::fmt::Write;

use svg::{Anchor, MUTED};

/// A chart to draw. Values line up with `categories`; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub kind: Kind,
    /// X labels (line, columns) or row labels (bars), in order.
    pub categories: Vec<String>,
    /// One to three series (more are drawn, but are hard to read).
    pub series: Vec<Series>,
    /// The value axis' title with its unit, e.g. "NPS (−100…100)", "Hours".
    pub y_label: String,
    /// A fixed value range (NPS −100..100, rates 0..100); `None`: from 0 (or below, for
    /// negative values) to a nice value at or above the largest.
    pub y_range: Option<(f64, f64)>,
    pub value_format: ValueFormat,
    /// Shown in the middle when there is no value at all.
    pub empty_text: String,
    /// The SVG's `<title>` and `aria-label`; not drawn.
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One per category; `None` (or NaN, infinite) is no data: a gap, no bar.
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    /// Vertical bars, grouped per category when there are several series.
    Columns,
    /// Horizontal bars, one row per category, its label on the left.
    Bars,
}

/// How values print on ticks, data labels and tooltips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    Integer,
    OneDecimal,
    /// The value is already in percent (12.5 prints as 12.5%).
    Percent,
}

pub const MIN_WIDTH: u32 = 320;
pub const MAX_WIDTH: u32 = 1600;

const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, \
     'Noto Sans', 'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif";

/// Space around the drawing, in px.
const PAD: f64 = 8.0;

/// The chart as an SVG document laid out for `width` CSS px (kept within
/// [`MIN_WIDTH`]..=[`MAX_WIDTH`]).
pub fn render(chart: &Chart, width: u32) -> String {
    let width = f64::from(width.clamp(MIN_WIDTH, MAX_WIDTH));
    let data = Data::new(chart);
    let mut body = String::with_capacity(4096);
    let height = if !data.has_values() {
        empty(&mut body, chart, width)
    } else {
        match chart.kind {
            Kind::Line | Kind::Columns => cartesian::draw(&mut body, chart, &data, width),
            Kind::Bars => bars::draw(&mut body, chart, &data, width),
        }
    };
    let height = height.ceil();
    let title = text::escape(&text::clean(&chart.title));
    let mut out = String::with_capacity(body.len() + 600);
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{title}" font-family="{FONT_FAMILY}" font-size="{}"><title>{title}</title><rect class="background" width="{width}" height="{height}" fill="#ffffff"/>"##,
        text::FONT_PX
    );
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// The chart's data as drawn: texts cleaned, every series as long as the categories, values
/// finite or `None`.
struct Data {
    categories: Vec<String>,
    names: Vec<String>,
    values: Vec<Vec<Option<f64>>>,
}

impl Data {
    fn new(chart: &Chart) -> Data {
        let n = chart.categories.len();
        Data {
            categories: chart.categories.iter().map(|c| text::clean(c)).collect(),
            names: chart.series.iter().map(|s| text::clean(&s.name)).collect(),
            values: chart
                .series
                .iter()
                .map(|s| {
                    (0..n)
                        .map(|i| s.values.get(i).copied().flatten().filter(|v| v.is_finite()))
                        .collect()
                })
                .collect(),
        }
    }

    fn has_values(&self) -> bool {
        self.values.iter().flatten().any(Option::is_some)
    }

    /// Every value there is, for the scale.
    fn all(&self) -> impl Iterator<Item = f64> + '_ {
        self.values.iter().flatten().filter_map(|v| *v)
    }

    /// The tooltip of one value: its series' name only when there are several.
    fn tooltip(&self, series: usize, category: usize, value: &str) -> String {
        let name = (self.names.len() > 1).then(|| self.names[series].as_str());
        svg::tooltip(&self.categories[category], name, value)
    }
}

/// Height of the plot of lines and columns: wide enough to read a trend on a phone, never
/// taller than a laptop screen can show beside the page's text.
fn plot_height(width: f64) -> f64 {
    (width * 0.42).clamp(180.0, 340.0)
}

/// No value at all: the chart's own message, in a box of the usual height so the page does
/// not jump when data arrives.
fn empty(out: &mut String, chart: &Chart, width: f64) -> f64 {
    let height = match chart.kind {
        Kind::Bars => 120.0,
        Kind::Line | Kind::Columns => plot_height(width) + 80.0,
    };
    let message = text::fit(&text::clean(&chart.empty_text), width - 2.0 * PAD);
    svg::text(
        out,
        width / 2.0,
        height / 2.0 + 4.0,
        Anchor::Middle,
        "empty",
        MUTED,
        &message,
        "",
    );
    height
}
