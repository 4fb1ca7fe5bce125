//! Drawing an [`InvoiceDocument`] as an A4 PDF.
//!
//! The engine sits behind [`Renderer`] so it can be swapped (krilla is the measured faster
//! alternative). [`PdfRenderer`] uses printpdf 0.12 with `text_layout`, which is what makes
//! `subset_fonts` actually subset: a Korean invoice is tens of kilobytes, not 5 MB.
//!
//! Fonts: DejaVu Sans (regular + bold, Latin, Greek, Cyrillic) is compiled into the binary.
//! Korean, Japanese and Chinese come from fallback font files, chosen per character: every
//! string is split into runs by the first face that has a glyph for each character
//! (the style's own face, then regular DejaVu, then the fallbacks in order), and each run is
//! drawn with its face. There is no bold CJK face; bold runs in a fallback face are drawn
//! with a thin stroke ("faux bold"). printpdf does no shaping, which is fine for Latin,
//! Greek, Cyrillic, Hangul and Han but not for Arabic, Hebrew or Indic scripts.

use std::path::PathBuf;

use printpdf::{
    Color, FontId, Line as PdfLine, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, RawImage, Rect, Rgb, TextItem,
    TextRenderingMode, WindingOrder, XObjectTransform,
};

use super::document::{DocumentKind, InvoiceDocument, Party};

/// Turns an invoice document into PDF bytes.
pub trait Renderer: Send + Sync {
    fn render(&self, doc: &InvoiceDocument) -> Result<Vec<u8>, RenderError>;
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot read font file {path}: {source}")]
    FontRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse font {path} (face {face_index})")]
    FontParse { path: PathBuf, face_index: usize },
    #[error("cannot parse the embedded font {0}")]
    EmbeddedFont(&'static str),
}

/// A font file on disk: a `.ttf`/`.otf`, or one face of a `.ttc` collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontSource {
    pub path: PathBuf,
    /// Face inside a `.ttc`/`.otc` collection; 0 for a single-face file.
    pub face_index: usize,
}

impl FontSource {
    /// The first (or only) face of a font file.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_face(path, 0)
    }

    pub fn with_face(path: impl Into<PathBuf>, face_index: usize) -> Self {
        Self {
            path: path.into(),
            face_index,
        }
    }

    /// Fallback fonts at their Debian paths, tried in this order when none is configured:
    ///
    /// - `/usr/share/fonts/truetype/nanum/NanumGothic.ttf` (package `fonts-nanum`): Hangul
    ///   and common Hanja, a small fast TrueType face.
    /// - `/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc` face 1 = KR (package
    ///   `fonts-noto-cjk`; face 0 is JP): Hangul, kana and the full Han repertoire.
    /// - `/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf` (package
    ///   `fonts-symbola`): monochrome emoji and symbols, for customer notes and product
    ///   names that carry them.
    ///
    /// Only files that exist are returned.
    pub fn well_known_fallbacks() -> Vec<FontSource> {
        [
            FontSource::new("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
            FontSource::with_face("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 1),
            FontSource::new("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
        ]
        .into_iter()
        .filter(|s| s.path.is_file())
        .collect()
    }
}

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// One parsed font face.
struct Face {
    font: ParsedFont,
    units_per_em: f32,
    /// A real bold design (otherwise bold text in this face gets a faux-bold stroke).
    bold: bool,
}

impl Face {
    fn parse(bytes: &[u8], face_index: usize) -> Option<Self> {
        let mut warnings = Vec::new();
        let font = ParsedFont::from_bytes(bytes, face_index, &mut warnings)?;
        let metrics = font.pdf_font_metrics;
        Some(Self {
            units_per_em: f32::from(metrics.units_per_em.max(1)),
            bold: metrics.us_weight_class >= 600,
            font,
        })
    }

    fn load(source: &FontSource) -> Result<Self, RenderError> {
        let bytes = std::fs::read(&source.path).map_err(|e| RenderError::FontRead {
            path: source.path.clone(),
            source: e,
        })?;
        Self::parse(&bytes, source.face_index).ok_or_else(|| RenderError::FontParse {
            path: source.path.clone(),
            face_index: source.face_index,
        })
    }

    /// The glyph for `c`, if this face has one (glyph 0 is `.notdef`, i.e. none).
    fn glyph(&self, c: char) -> Option<u16> {
        self.font.lookup_glyph_index(c as u32).filter(|&g| g != 0)
    }

    /// Advance of a glyph in ems.
    fn advance(&self, gid: u16) -> f32 {
        f32::from(self.font.get_horizontal_advance(gid)) / self.units_per_em
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Regular,
    Bold,
}

const REGULAR: usize = 0;
const BOLD: usize = 1;

/// A piece of a string drawn with one face.
struct Run {
    face: usize,
    text: String,
}

/// printpdf-based [`Renderer`]. Fonts are parsed once, here; rendering only lays text out
/// and subsets. Cheap to share behind an `Arc`.
pub struct PdfRenderer {
    /// `[regular, bold, fallbacks...]`.
    faces: Vec<Face>,
    fallbacks: Vec<FontSource>,
    /// Face search order per style.
    regular_chain: Vec<usize>,
    bold_chain: Vec<usize>,
}

impl PdfRenderer {
    /// Parse the embedded DejaVu faces and the fallback fonts, in order.
    ///
    /// With an empty `fallback_font_paths`, the Debian CJK fonts of
    /// [`FontSource::well_known_fallbacks`] are used when installed (a file that exists but does
    /// not parse is skipped with a warning). Configured fallbacks must load, or this fails.
    pub fn new(fallback_font_paths: &[FontSource]) -> Result<Self, RenderError> {
        if fallback_font_paths.is_empty() {
            let mut loaded = Vec::new();
            for source in FontSource::well_known_fallbacks() {
                match Face::load(&source) {
                    Ok(face) => loaded.push((source, face)),
                    Err(e) => tracing::warn!(error = %e, "skipping CJK fallback font"),
                }
            }
            Self::with_fallbacks(loaded)
        } else {
            let loaded = fallback_font_paths
                .iter()
                .map(|s| Ok((s.clone(), Face::load(s)?)))
                .collect::<Result<Vec<_>, RenderError>>()?;
            Self::with_fallbacks(loaded)
        }
    }

    fn with_fallbacks(fallbacks: Vec<(FontSource, Face)>) -> Result<Self, RenderError> {
        let regular =
            Face::parse(DEJAVU_SANS, 0).ok_or(RenderError::EmbeddedFont("DejaVuSans.ttf"))?;
        let bold = Face::parse(DEJAVU_SANS_BOLD, 0)
            .ok_or(RenderError::EmbeddedFont("DejaVuSans-Bold.ttf"))?;
        let mut faces = vec![regular, bold];
        let mut sources = Vec::new();
        for (source, face) in fallbacks {
            sources.push(source);
            faces.push(face);
        }
        let fallback_ids = 2..faces.len();
        Ok(Self {
            regular_chain: [REGULAR].into_iter().chain(fallback_ids.clone()).collect(),
            bold_chain: [BOLD, REGULAR].into_iter().chain(fallback_ids).collect(),
            faces,
            fallbacks: sources,
        })
    }

    /// The fallback fonts in use, in search order (for a startup log line).
    pub fn fallbacks(&self) -> &[FontSource] {
        &self.fallbacks
    }

    /// Characters of `text` that no face has a glyph for (each once, in order of first
    /// appearance). Whitespace and control characters are never reported. Such characters
    /// still render, as the regular face's missing-glyph box.
    pub fn missing_glyphs(&self, text: &str) -> Vec<char> {
        let mut missing = Vec::new();
        for c in text.chars() {
            if c.is_whitespace() || c.is_control() || is_invisible(c) || missing.contains(&c) {
                continue;
            }
            if !self
                .regular_chain
                .iter()
                .any(|&f| self.faces[f].glyph(c).is_some())
            {
                missing.push(c);
            }
        }
        missing
    }

    fn chain(&self, style: Style) -> &[usize] {
        match style {
            Style::Regular => &self.regular_chain,
            Style::Bold => &self.bold_chain,
        }
    }

    /// The face that draws `c` and its glyph (0 when no face has it).
    fn pick(&self, c: char, style: Style) -> (usize, u16) {
        let chain = self.chain(style);
        chain
            .iter()
            .find_map(|&f| self.faces[f].glyph(c).map(|g| (f, g)))
            .unwrap_or((chain[0], 0))
    }

    /// Each character with the face that draws it and its advance in ems. Whitespace stays
    /// in the preceding character's face when that face has it, so a Korean phrase is one
    /// run rather than one per word. Widths and drawing both go through here, so measured
    /// and drawn text agree.
    fn shape(&self, text: &str, style: Style) -> Vec<(char, usize, f32)> {
        let mut out: Vec<(char, usize, f32)> = Vec::with_capacity(text.len());
        for c in text.chars().filter(|&c| !is_invisible(c)) {
            let sticky = out.last().and_then(|&(_, face, _)| {
                c.is_whitespace()
                    .then(|| self.faces[face].glyph(c).map(|g| (face, g)))
                    .flatten()
            });
            let (face, gid) = sticky.unwrap_or_else(|| self.pick(c, style));
            out.push((c, face, self.faces[face].advance(gid)));
        }
        out
    }

    fn width(&self, text: &str, style: Style, size: f32) -> f32 {
        self.shape(text, style).iter().map(|g| g.2).sum::<f32>() * size
    }

    /// `text` split into runs of one face each.
    fn runs(&self, text: &str, style: Style) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        for (c, face, _) in self.shape(text, style) {
            match runs.last_mut() {
                Some(last) if last.face == face => last.text.push(c),
                _ => runs.push(Run {
                    face,
                    text: c.to_string(),
                }),
            }
        }
        runs
    }

    /// `text` cut to fit `max_width`, ending in `…` when something was cut.
    fn fit(&self, text: &str, style: Style, size: f32, max_width: f32) -> String {
        if self.width(text, style, size) <= max_width {
            return text.to_owned();
        }
        self.ellipsize(text, style, size, max_width)
    }

    /// As much of `text` as fits in `max_width` together with a trailing `…`.
    fn ellipsize(&self, text: &str, style: Style, size: f32, max_width: f32) -> String {
        let ellipsis = self.width("…", style, size);
        let mut out = String::new();
        let mut w = 0.0;
        for (c, _, advance) in self.shape(text, style) {
            w += advance * size;
            if w + ellipsis > max_width {
                break;
            }
            out.push(c);
        }
        let mut out = out.trim_end().to_owned();
        out.push('…');
        out
    }

    /// Greedy line breaking at spaces, hyphens and slashes, and between CJK characters;
    /// a word longer than a line is broken anywhere. At most `max_lines` lines: the last
    /// one ends in `…` if text was left over.
    fn wrap(
        &self,
        text: &str,
        style: Style,
        size: f32,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        // Byte offset in `line` where it may be broken.
        let mut break_at: Option<usize> = None;
        for (c, _, advance) in self.shape(text, style) {
            let cw = advance * size;
            if line_w + cw > max_width && !line.is_empty() {
                if c == ' ' {
                    lines.push(std::mem::take(&mut line).trim_end().to_owned());
                    line_w = 0.0;
                    break_at = None;
                    continue;
                }
                let rest = match break_at {
                    Some(at) if at > 0 && at < line.len() => line.split_off(at),
                    _ => String::new(),
                };
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                line = rest.trim_start().to_owned();
                line_w = self.width(&line, style, size);
                break_at = None;
            }
            if is_cjk(c) && !line.is_empty() {
                break_at = Some(line.len());
            }
            line.push(c);
            line_w += cw;
            if matches!(c, ' ' | '-' | '/' | ',') || is_cjk(c) {
                break_at = Some(line.len());
            }
        }
        if !line.trim().is_empty() || lines.is_empty() {
            lines.push(line.trim_end().to_owned());
        }
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            let last = lines.pop().unwrap_or_default();
            lines.push(self.ellipsize(&last, style, size, max_width));
        }
        lines
    }
}

/// Code points that select or join glyphs (emoji variation selectors, zero-width joiners)
/// rather than being drawn. Without shaping there is nothing to apply them to, and a face
/// would draw them as a missing-glyph box, so they are left out.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x200B..=0x200F | 0x2060..=0x2064 | 0xFE00..=0xFE0F | 0xFEFF | 0xE0100..=0xE01EF
        | 0x1F3FB..=0x1F3FF)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Control characters (newlines, tabs) become spaces: every string here is one line.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

impl Renderer for PdfRenderer {
    fn render(&self, doc: &InvoiceDocument) -> Result<Vec<u8>, RenderError> {
        Ok(Layout::new(self, doc).run())
    }
}

// ---- layout ------------------------------------------------------------------------------

// A4 in points; origin bottom-left.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 42.0;
const RIGHT: f32 = PAGE_W - 42.0;
const CONTENT_W: f32 = RIGHT - LEFT;
const TOP: f32 = PAGE_H - 40.0;
/// Content stays above this; the page footer (rule, number) is below it.
const BOTTOM: f32 = 62.0;
const CELL_PAD: f32 = 6.0;

#[derive(Clone, Copy)]
struct Rgb3(f32, f32, f32);

impl From<Rgb3> for Color {
    fn from(c: Rgb3) -> Color {
        Color::Rgb(Rgb::new(c.0, c.1, c.2, None))
    }
}

const INK: Rgb3 = Rgb3(0.12, 0.13, 0.15);
const BODY: Rgb3 = Rgb3(0.22, 0.24, 0.27);
const MUTED: Rgb3 = Rgb3(0.45, 0.47, 0.51);
const ACCENT: Rgb3 = Rgb3(0.13, 0.23, 0.40);
const RULE: Rgb3 = Rgb3(0.82, 0.84, 0.87);
const SHADE: Rgb3 = Rgb3(0.925, 0.937, 0.957);
const NOTE_FILL: Rgb3 = Rgb3(0.975, 0.978, 0.985);

fn pt(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

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

/// A line item, wrapped and measured.
struct Row {
    name: Vec<String>,
    details: Vec<String>,
    sku: String,
    quantity: String,
    unit_price: String,
    total: String,
    height: f32,
}

const NAME_SIZE: f32 = 9.0;
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

struct Layout<'a> {
    r: &'a PdfRenderer,
    d: &'a InvoiceDocument,
    pdf: PdfDocument,
    /// The document's font id for each face, added on first use.
    font_ids: Vec<Option<FontId>>,
    pages: Vec<Vec<Op>>,
    /// The page being drawn on.
    page: usize,
    /// Current position: the top of the next block.
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(r: &'a PdfRenderer, d: &'a InvoiceDocument) -> Self {
        let title = format!("{} {}", labels(d.kind).short, d.number);
        Self {
            r,
            d,
            pdf: PdfDocument::new(&title),
            font_ids: vec![None; r.faces.len()],
            pages: vec![Vec::new()],
            page: 0,
            y: TOP,
        }
    }

    fn run(mut self) -> Vec<u8> {
        self.header();
        self.parties();
        self.table();
        self.summary();
        self.footer();
        self.page_footers();
        let pages = std::mem::take(&mut self.pages)
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        let mut warnings = Vec::new();
        self.pdf.with_pages(pages).save(
            &PdfSaveOptions {
                subset_fonts: true,
                ..Default::default()
            },
            &mut warnings,
        )
    }

    // ---- drawing primitives ----

    fn ops(&mut self) -> &mut Vec<Op> {
        &mut self.pages[self.page]
    }

    fn font_id(&mut self, face: usize) -> FontId {
        if let Some(id) = &self.font_ids[face] {
            return id.clone();
        }
        let id = self.pdf.add_font(&self.r.faces[face].font);
        self.font_ids[face] = Some(id.clone());
        id
    }

    /// One text section per string: `SetTextCursor` is a relative `Td`, so positions must
    /// not accumulate across strings. Within the section the pen advances run by run.
    fn text(&mut self, x: f32, baseline: f32, text: &str, style: Style, size: f32, color: Rgb3) {
        let text = clean(text);
        let runs = self.r.runs(&text, style);
        if runs.is_empty() {
            return;
        }
        let mut ops = Vec::with_capacity(4 + runs.len() * 4);
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFillColor { col: color.into() });
        ops.push(Op::SetTextCursor {
            pos: pt(x, baseline),
        });
        for run in runs {
            let faux_bold = style == Style::Bold && !self.r.faces[run.face].bold;
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(self.font_id(run.face)),
                size: Pt(size),
            });
            if faux_bold {
                ops.push(Op::SetOutlineColor { col: color.into() });
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(size * 0.045),
                });
                ops.push(Op::SetTextRenderingMode {
                    mode: TextRenderingMode::FillStroke,
                });
            }
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run.text)],
            });
            if faux_bold {
                ops.push(Op::SetTextRenderingMode {
                    mode: TextRenderingMode::Fill,
                });
            }
        }
        ops.push(Op::EndTextSection);
        self.ops().extend(ops);
    }

    fn text_right(
        &mut self,
        right: f32,
        baseline: f32,
        text: &str,
        style: Style,
        size: f32,
        color: Rgb3,
    ) {
        let text = clean(text);
        let w = self.r.width(&text, style, size);
        self.text(right - w, baseline, &text, style, size, color);
    }

    fn text_center(&mut self, cx: f32, baseline: f32, text: &str, size: f32, color: Rgb3) {
        let text = clean(text);
        let w = self.r.width(&text, Style::Regular, size);
        self.text(cx - w / 2.0, baseline, &text, Style::Regular, size, color);
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, color: Rgb3) {
        self.ops().extend([
            Op::SaveGraphicsState,
            Op::SetOutlineColor { col: color.into() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: PdfLine {
                    points: vec![
                        LinePoint {
                            p: pt(x1, y),
                            bezier: false,
                        },
                        LinePoint {
                            p: pt(x2, y),
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
            Op::RestoreGraphicsState,
        ]);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb3, stroke: Option<Rgb3>) {
        let mut ops = vec![Op::SaveGraphicsState, Op::SetFillColor { col: fill.into() }];
        if let Some(s) = stroke {
            ops.push(Op::SetOutlineColor { col: s.into() });
            ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        }
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(if stroke.is_some() {
                    PaintMode::FillStroke
                } else {
                    PaintMode::Fill
                }),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
        ops.push(Op::RestoreGraphicsState);
        self.ops().extend(ops);
    }

    /// Draws the logo with its top-left corner at (`x`, `top`) inside `max_w` × `max_h`;
    /// returns its height, or `None` when the PNG does not decode (the invoice is still
    /// issued, without the logo).
    fn logo(&mut self, x: f32, top: f32, max_w: f32, max_h: f32) -> Option<f32> {
        let png = self.d.logo_png.as_ref()?;
        let mut warnings = Vec::new();
        let image = match RawImage::decode_from_bytes(png, &mut warnings) {
            Ok(image) if image.width > 0 && image.height > 0 => image,
            Ok(_) => return None,
            Err(e) => {
                tracing::warn!(error = %e, invoice = %self.d.number, "logo is not a usable PNG; drawing the invoice without it");
                return None;
            }
        };
        // At 72 dpi one pixel is one point; scale down to the box, never up.
        let (w, h) = (image.width as f32, image.height as f32);
        let scale = (max_w / w).min(max_h / h).min(1.0);
        let id = self.pdf.add_image(&image);
        self.ops().push(Op::UseXobject {
            id,
            transform: XObjectTransform {
                translate_x: Some(Pt(x)),
                translate_y: Some(Pt(top - h * scale)),
                scale_x: Some(scale),
                scale_y: Some(scale),
                dpi: Some(72.0),
                ..Default::default()
            },
        });
        Some(h * scale)
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
            .map(|(l, _)| self.r.width(l, Style::Regular, meta_size))
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
            let value = self.r.fit(&clean(value), style, meta_size, value_w);
            self.text(label_x, base, label, Style::Regular, meta_size, MUTED);
            self.text_right(RIGHT, base, &value, style, meta_size, INK);
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
            .r
            .fit(&clean(&d.seller.name), Style::Bold, 12.0, left_w);
        self.text(LEFT, y - 10.0, &name, Style::Bold, 12.0, INK);
        y -= 10.0;
        for line in &d.seller.lines {
            y -= 12.0;
            let line = self.r.fit(&clean(line), Style::Regular, 8.5, left_w);
            self.text(LEFT, y, &line, Style::Regular, 8.5, BODY);
        }
        self.y = y.min(right_bottom) - 22.0;
    }

    /// Draws a party under a small heading; returns the baseline of its last line.
    fn party(&mut self, heading: &str, party: &Party, x: f32, top: f32, width: f32) -> f32 {
        self.text(x, top - 6.0, heading, Style::Bold, 7.0, MUTED);
        let mut base = top - 21.0;
        for (i, line) in self
            .r
            .wrap(&clean(&party.name), Style::Bold, 10.0, width, 2)
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                base -= 12.5;
            }
            self.text(x, base, &line, Style::Bold, 10.0, INK);
        }
        for line in &party.lines {
            for wrapped in self.r.wrap(&clean(line), Style::Regular, 9.0, width, 2) {
                base -= 12.5;
                self.text(x, base, &wrapped, Style::Regular, 9.0, BODY);
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

    fn columns(&self) -> Columns {
        let r = self.r;
        let lines = &self.d.lines;
        let col = |head: &str, values: &mut dyn Iterator<Item = &str>, min: f32, max: f32| {
            let head_w = r.width(head, Style::Bold, HEAD_SIZE);
            let widest = values
                .map(|v| r.width(&clean(v), Style::Regular, NAME_SIZE))
                .fold(head_w, f32::max);
            (widest + 2.0 * CELL_PAD).clamp(min, max)
        };
        let total_w = col(
            "Total",
            &mut lines.iter().map(|l| l.total.as_str()),
            70.0,
            130.0,
        );
        let unit_w = col(
            "Unit price",
            &mut lines.iter().map(|l| l.unit_price.as_str()),
            70.0,
            120.0,
        );
        let qty_w = col(
            "Qty",
            &mut lines.iter().map(|l| l.quantity.as_str()),
            36.0,
            60.0,
        );
        let sku_w = lines
            .iter()
            .filter_map(|l| l.sku.as_deref())
            .map(|s| r.width(&clean(s), Style::Regular, 8.0))
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
        let c = self.columns();
        let text_w = c.item_w - 2.0 * CELL_PAD;
        let rows: Vec<Row> = self
            .d
            .lines
            .iter()
            .map(|l| {
                let name = self
                    .r
                    .wrap(&clean(&l.name), Style::Regular, NAME_SIZE, text_w, 3);
                let details = l
                    .details
                    .as_deref()
                    .map(clean)
                    .filter(|s| !s.is_empty())
                    .map(|s| self.r.wrap(&s, Style::Regular, DETAIL_SIZE, text_w, 2))
                    .unwrap_or_default();
                let sku = l
                    .sku
                    .as_deref()
                    .map(|s| {
                        self.r
                            .fit(&clean(s), Style::Regular, 8.0, c.sku_w - 2.0 * CELL_PAD)
                    })
                    .unwrap_or_default();
                let height = ROW_FIRST_BASELINE
                    + (name.len() - 1) as f32 * NAME_LEAD
                    + details.len() as f32 * DETAIL_LEAD
                    + ROW_BOTTOM_PAD;
                Row {
                    name,
                    details,
                    sku,
                    quantity: clean(&l.quantity),
                    unit_price: clean(&l.unit_price),
                    total: clean(&l.total),
                    height,
                }
            })
            .collect();

        self.table_header(&c);
        for row in &rows {
            if self.y - row.height < BOTTOM {
                self.new_page();
                self.table_header(&c);
            }
            let top = self.y;
            let first = top - ROW_FIRST_BASELINE;
            let mut base = first;
            for (i, line) in row.name.iter().enumerate() {
                if i > 0 {
                    base -= NAME_LEAD;
                }
                self.text(
                    c.item_x + CELL_PAD,
                    base,
                    line,
                    Style::Regular,
                    NAME_SIZE,
                    INK,
                );
            }
            for line in &row.details {
                base -= DETAIL_LEAD;
                self.text(
                    c.item_x + CELL_PAD,
                    base,
                    line,
                    Style::Regular,
                    DETAIL_SIZE,
                    MUTED,
                );
            }
            self.text(
                c.sku_x + CELL_PAD,
                first,
                &row.sku,
                Style::Regular,
                8.0,
                MUTED,
            );
            let n = NAME_SIZE;
            self.text_right(
                c.qty_r - CELL_PAD,
                first,
                &row.quantity,
                Style::Regular,
                n,
                INK,
            );
            self.text_right(
                c.unit_r - CELL_PAD,
                first,
                &row.unit_price,
                Style::Regular,
                n,
                INK,
            );
            self.text_right(
                c.total_r - CELL_PAD,
                first,
                &row.total,
                Style::Regular,
                n,
                INK,
            );
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
                self.r.width(&clean(&t.label), style, size)
            })
            .fold(0.0, f32::max);
        let amount_w = totals
            .iter()
            .map(|t| self.r.width(&clean(&t.amount), Style::Bold, TOTAL_BIG))
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
            let amount = self.r.fit(&clean(&t.amount), style, size, amount_max);
            let amount_w = self.r.width(&amount, style, size);
            let label = self.r.fit(
                &clean(&t.label),
                style,
                size,
                label_max.min(plan.width - amount_w - 12.0),
            );
            if t.emphasis {
                base -= 6.0;
                self.hline(plan.x, RIGHT, base + 14.0, 0.9, INK);
                base -= 2.0;
                self.text(plan.x, base, &label, style, size, INK);
            } else {
                self.text(plan.x, base, &label, style, size, BODY);
            }
            self.text_right(RIGHT, base, &amount, style, size, INK);
            base -= 16.0;
        }
    }

    fn note_lines(&self, note: &str, box_w: f32) -> Vec<String> {
        self.r
            .wrap(note, Style::Regular, 9.0, box_w - 2.0 * NOTE_PAD, 14)
    }

    fn note_height(lines: &[String]) -> f32 {
        NOTE_PAD + 8.0 + lines.len() as f32 * 12.0 + NOTE_PAD
    }

    fn draw_note(&mut self, x: f32, top: f32, width: f32, lines: &[String]) {
        let height = Self::note_height(lines);
        self.rect(x, top - height, width, height, NOTE_FILL, Some(RULE));
        let mut base = top - NOTE_PAD - 5.5;
        self.text(x + NOTE_PAD, base, "CUSTOMER NOTE", Style::Bold, 7.0, MUTED);
        base -= 2.0;
        for line in lines {
            base -= 12.0;
            self.text(x + NOTE_PAD, base, line, Style::Regular, 9.0, BODY);
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
            self.draw_note(LEFT, top, side_w, &lines);
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
            self.draw_note(LEFT, top, CONTENT_W, &lines);
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
        let lines = self.r.wrap(&text, Style::Regular, 7.5, CONTENT_W, 6);
        let height = lines.len() as f32 * 10.0 + 4.0;
        self.ensure(height + 8.0);
        let mut base = BOTTOM + height - 10.0;
        for line in &lines {
            self.text_center(PAGE_W / 2.0, base, line, 7.5, MUTED);
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
            .r
            .fit(&clean(&d.seller.name), Style::Bold, 9.5, CONTENT_W / 2.0);
        self.text(LEFT, TOP - 10.0, &name, Style::Bold, 9.5, INK);
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

impl std::fmt::Debug for PdfRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfRenderer")
            .field("fallbacks", &self.fallbacks)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
