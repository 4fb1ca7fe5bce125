//! Writing SVG elements: every text goes through `text::escape` here, and every number is
//! written with one decimal.

use std::fmt::Write;

use super::text::escape;

/// Body text: #1e1e1e on white is 16:1.
pub(super) const INK: &str = "#1e1e1e";
/// Ticks and secondary text: #50575e on white is 7.4:1.
pub(super) const MUTED: &str = "#50575e";
pub(super) const GRID: &str = "#dcdcde";
pub(super) const AXIS: &str = "#8c8f94";
/// A white outline under data labels, so a line or gridline running through one does not
/// hide a character (a minus sign under a falling line).
pub(super) const HALO: &str =
    r##" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke""##;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Anchor {
    Start,
    Middle,
    End,
}

/// A `<text>` element; `content` is clean (not yet escaped) text, `extra` more attributes.
#[allow(clippy::too_many_arguments)]
pub(super) fn text(
    out: &mut String,
    x: f64,
    y: f64,
    anchor: Anchor,
    class: &str,
    fill: &str,
    content: &str,
    extra: &str,
) {
    if content.is_empty() {
        return;
    }
    let anchor = match anchor {
        Anchor::Start => "",
        Anchor::Middle => r#" text-anchor="middle""#,
        Anchor::End => r#" text-anchor="end""#,
    };
    let _ = write!(
        out,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}"{anchor} fill="{fill}"{extra}>{}</text>"#,
        escape(content)
    );
}

/// Height of a line of text, for labels on two lines.
pub(super) const LINE_HEIGHT: f64 = 14.0;

/// A `<text>` of several lines, each a `<tspan>` under the one before.
pub(super) fn text_lines(
    out: &mut String,
    (x, y): (f64, f64),
    anchor: Anchor,
    class: &str,
    lines: &[String],
) {
    let anchor = match anchor {
        Anchor::Start => "",
        Anchor::Middle => r#" text-anchor="middle""#,
        Anchor::End => r#" text-anchor="end""#,
    };
    let _ = write!(
        out,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}"{anchor} fill="{INK}">"#
    );
    for (i, line) in lines.iter().enumerate() {
        let dy = if i == 0 { 0.0 } else { LINE_HEIGHT };
        let _ = write!(
            out,
            r#"<tspan x="{x:.1}" dy="{dy}">{}</tspan>"#,
            escape(line)
        );
    }
    out.push_str("</text>");
}

pub(super) fn line(out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str) {
    let (stroke, width) = match class {
        "zero" => (INK, 1.5),
        "axis" => (AXIS, 1.0),
        _ => (GRID, 1.0),
    };
    let _ = write!(
        out,
        r#"<line class="{class}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width}"/>"#
    );
}

/// A data bar with its value as a tooltip; its colour comes from the series' group.
pub(super) fn bar(out: &mut String, (x, y): (f64, f64), (w, h): (f64, f64), tooltip: &str) {
    let _ = write!(
        out,
        r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{}</title></rect>"#,
        escape(tooltip)
    );
}

/// What a bar or point says on hover: the category, the series when there are several, the value.
pub(super) fn tooltip(category: &str, series: Option<&str>, value: &str) -> String {
    match series {
        Some(series) if !series.is_empty() => format!("{category} · {series}: {value}"),
        _ => format!("{category}: {value}"),
    }
}
