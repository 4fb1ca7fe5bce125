//! How series look and the legend that names them.
//!
//! Colours are Okabe–Ito's (told apart with every common colour-vision deficiency), picked for
//! at least 3:1 against white; lines also differ by dash and marker shape, so a series is
//! recognisable in grey too.

use std::fmt::Write;

use super::Kind;
use super::svg::{self, Anchor, INK};
use super::text;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Marker {
    Circle,
    Square,
    Diamond,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Style {
    pub color: &'static str,
    /// `stroke-dasharray` of a line; empty for solid.
    pub dash: &'static str,
    pub marker: Marker,
    /// A text colour readable on the series' colour (4.5:1), for a value drawn inside its
    /// bar; `None` where neither white nor black reaches that.
    pub ink_inside: Option<&'static str>,
}

/// Blue, vermillion, bluish green, then reddish purple and black for charts given more than
/// the three series they are meant for.
const COLORS: [&str; 5] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"];
const DASHES: [&str; 3] = ["", "7 4", "2 3"];
const MARKERS: [Marker; 3] = [Marker::Circle, Marker::Square, Marker::Diamond];

pub(super) fn style(series: usize) -> Style {
    Style {
        color: COLORS[series % COLORS.len()],
        dash: DASHES[series % DASHES.len()],
        marker: MARKERS[series % MARKERS.len()],
        // White on #0072B2 is 5.3:1 and on black 21:1; on the others it is under 4.5:1.
        ink_inside: match series % COLORS.len() {
            0 | 4 => Some("#ffffff"),
            _ => None,
        },
    }
}

/// A data point's marker, `r` its half size, with the value as a tooltip; without a tooltip,
/// the legend's sample of it.
pub(super) fn marker(out: &mut String, marker: Marker, (x, y): (f64, f64), r: f64, tip: &str) {
    let (class, tip) = if tip.is_empty() {
        ("swatch", String::new())
    } else {
        ("point", format!("<title>{}</title>", text::escape(tip)))
    };
    let _ = match marker {
        Marker::Circle => write!(
            out,
            r#"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="{r:.1}">{tip}</circle>"#
        ),
        Marker::Square => {
            let r = r * 0.9;
            write!(
                out,
                r#"<rect class="{class}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}">{tip}</rect>"#,
                x - r,
                y - r,
                2.0 * r,
                2.0 * r
            )
        }
        Marker::Diamond => {
            let r = r * 1.25;
            write!(
                out,
                r#"<path class="{class}" d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z">{tip}</path>"#,
                y - r,
                x + r,
                y + r,
                x - r
            )
        }
    };
}

const ROW: f64 = 18.0;
const ITEM_GAP: f64 = 18.0;

/// Draws the legend from (`x`, `y`) within `width`, wrapping to more rows when the names
/// do not fit on one. Returns the height it took.
pub(super) fn draw(
    out: &mut String,
    kind: Kind,
    names: &[String],
    x: f64,
    y: f64,
    width: f64,
) -> f64 {
    out.push_str(r#"<g class="legend">"#);
    let (mut cx, mut cy) = (x, y);
    // A line's sample shows its dash and marker; a bar's is a square.
    let swatch = if kind == Kind::Line { 22.0 } else { 12.0 };
    for (i, name) in names.iter().enumerate() {
        let name = text::fit(name, (width - swatch - 6.0).max(0.0));
        let item = swatch + 6.0 + text::width(&name);
        if cx > x && cx + item > x + width {
            cx = x;
            cy += ROW;
        }
        let style = style(i);
        let mid = cy + ROW / 2.0;
        let _ = write!(
            out,
            r#"<g class="legend-item" fill="{0}" stroke="{0}">"#,
            style.color
        );
        match kind {
            Kind::Line => {
                let dash = if style.dash.is_empty() {
                    String::new()
                } else {
                    format!(r#" stroke-dasharray="{}""#, style.dash)
                };
                let _ = write!(
                    out,
                    r#"<line x1="{cx:.1}" y1="{mid:.1}" x2="{:.1}" y2="{mid:.1}" stroke-width="2"{dash}/>"#,
                    cx + swatch
                );
                marker(out, style.marker, (cx + swatch / 2.0, mid), 3.5, "");
            }
            Kind::Columns | Kind::Bars => {
                let _ = write!(
                    out,
                    r#"<rect x="{cx:.1}" y="{:.1}" width="12" height="12" stroke="none"/>"#,
                    mid - 6.0
                );
            }
        }
        out.push_str("</g>");
        svg::text(
            out,
            cx + swatch + 6.0,
            mid + 4.0,
            Anchor::Start,
            "legend-label",
            INK,
            &name,
            "",
        );
        cx += item + ITEM_GAP;
    }
    out.push_str("</g>");
    cy + ROW - y
}
