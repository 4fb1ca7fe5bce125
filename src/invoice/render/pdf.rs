//! Writing laid-out pages as a PDF with krilla.
//!
//! The layout records each page as a list of [`Op`]s first, because "Page N of M" can only
//! be drawn once the last page exists; this module then draws them in one pass. krilla
//! subsets every font to the glyphs used, writes a ToUnicode map for text extraction and
//! compresses the streams. Layout coordinates are PDF points from the bottom-left corner;
//! krilla's origin is the top-left, so y is flipped here and nowhere else.

use krilla::color::rgb;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use super::fonts::{FontSet, Style};
use super::text::ShapedLine;

/// A4 in points.
pub(super) const PAGE_W: f32 = 595.28;
pub(super) const PAGE_H: f32 = 841.89;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rgb(pub(super) f32, pub(super) f32, pub(super) f32);

impl Rgb {
    fn color(self) -> rgb::Color {
        let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        rgb::Color::new(byte(self.0), byte(self.1), byte(self.2))
    }

    fn fill(self) -> Fill {
        Fill {
            paint: self.color().into(),
            ..Fill::default()
        }
    }

    fn stroke(self, width: f32) -> Stroke {
        Stroke {
            paint: self.color().into(),
            width,
            ..Stroke::default()
        }
    }
}

/// One drawing operation, in layout coordinates (points, origin bottom-left).
pub(super) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        color: Rgb,
        style: Style,
        line: ShapedLine,
    },
    HLine {
        x1: f32,
        x2: f32,
        y: f32,
        thickness: f32,
        color: Rgb,
    },
    /// `y` is the bottom edge.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgb,
        stroke: Option<Rgb>,
    },
    /// The document's logo with its top-left corner at (`x`, `top`).
    Logo { x: f32, top: f32, w: f32, h: f32 },
}

/// The PDF of `pages`. Without `logo`, [`Op::Logo`] draws nothing.
pub(super) fn write(
    fonts: &FontSet,
    title: &str,
    pages: &[Vec<Op>],
    logo: Option<&Image>,
) -> Result<Vec<u8>, KrillaError> {
    let mut doc = Document::new_with(SerializeSettings {
        // Nothing here is tagged; skip the structure tree bookkeeping.
        enable_tagging: false,
        ..SerializeSettings::default()
    });
    doc.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .creator("aftercare".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid page size");
    for ops in pages {
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, fonts, op, logo);
        }
        surface.finish();
        page.finish();
    }
    doc.finish()
}

fn draw(surface: &mut Surface<'_>, fonts: &FontSet, op: &Op, logo: Option<&Image>) {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            color,
            style,
            line,
        } => {
            surface.set_fill(Some(color.fill()));
            for run in &line.runs {
                let face = &fonts.faces[run.face];
                let Some(font) = face.font() else {
                    continue;
                };
                // A fallback face without a bold design: thicken the outline instead.
                let faux_bold = *style == Style::Bold && !face.bold;
                surface.set_stroke(faux_bold.then(|| Stroke {
                    line_join: LineJoin::Round,
                    ..color.stroke(size * 0.045)
                }));
                surface.draw_glyphs(
                    Point::from_xy(x + run.x * size, PAGE_H - baseline),
                    &run.glyphs,
                    font,
                    &line.text,
                    *size,
                    false,
                );
            }
            surface.set_stroke(None);
        }
        Op::HLine {
            x1,
            x2,
            y,
            thickness,
            color,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, PAGE_H - y);
            path.line_to(*x2, PAGE_H - y);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(color.stroke(*thickness)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            let Some(rect) = Rect::from_xywh(*x, PAGE_H - y - h, *w, *h) else {
                return;
            };
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            if let Some(path) = path.finish() {
                surface.set_fill(Some(fill.fill()));
                surface.set_stroke(stroke.map(|s| s.stroke(0.6)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Logo { x, top, w, h } => {
            let (Some(image), Some(size)) = (logo, Size::from_wh(*w, *h)) else {
                return;
            };
            surface.push_transform(&Transform::from_translate(*x, PAGE_H - top));
            surface.draw_image(image.clone(), size);
            surface.pop();
        }
    }
}
