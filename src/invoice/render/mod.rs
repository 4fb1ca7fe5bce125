//! Drawing an [`InvoiceDocument`] as an A4 PDF.
//!
//! The engine sits behind [`Renderer`], so numbering, storage and serving never see it.
//! [`PdfRenderer`] writes with krilla (pdf-writer underneath): every font is subset to the
//! glyphs used and gets a ToUnicode map, so text can be searched and copied, and a Korean
//! invoice stays at tens of kilobytes. Streams are deflated (zlib-rs).
//!
//! Fonts: DejaVu Sans (regular + bold: Latin, Greek, Cyrillic, Hebrew, Arabic...) is
//! compiled into the binary; Korean, Japanese, Chinese and emoji come from fallback font
//! files. Each character is drawn by the first face that has it, so one string may mix
//! faces. There is no bold CJK face: bold runs in a fallback face are filled and stroked
//! ("faux bold").
//!
//! Text is shaped with rustybuzz (HarfBuzz's algorithm, in Rust) and ordered with the Unicode
//! bidirectional algorithm; `text` says what that covers and what it does not.
//!
//! Modules: `fonts` (faces and fallback order), `text` (shaping, measuring, wrapping),
//! `layout` (where everything goes), `pdf` (writing it with krilla).

mod fonts;
mod layout;
mod pdf;
mod text;

use std::path::PathBuf;

pub use fonts::FontSource;
#[cfg(test)]
use fonts::Style;
use fonts::{Face, FontSet};
use text::Shaper;

use super::document::InvoiceDocument;
#[cfg(test)]
use super::document::{DocumentKind, Party};

/// Turns an invoice document into PDF bytes.
pub trait Renderer: Send + Sync {
    fn render(&self, doc: &InvoiceDocument) -> Result<Vec<u8>, RenderError>;

    /// What the output depends on besides the document (engine, its version, fonts),
    /// recorded with every issued document.
    fn describe(&self) -> serde_json::Value;
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
    /// krilla could not write the document (for example a font it cannot subset).
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
}

/// krilla-based [`Renderer`]. Fonts are loaded once, here; rendering only shapes, lays out
/// and subsets. Cheap to share behind an `Arc`.
pub struct PdfRenderer {
    fonts: FontSet,
    /// What [`Renderer::describe`] answers: fixed once the fonts are loaded.
    description: serde_json::Value,
}

impl PdfRenderer {
    /// Load the embedded DejaVu faces and the fallback fonts, in order.
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
        let fonts = FontSet::new(fallbacks)?;
        let fallback_fonts: Vec<String> = fonts
            .fallbacks
            .iter()
            .map(|f| format!("{}#{}", f.path.display(), f.face_index))
            .collect();
        let description = serde_json::json!({
            "engine": "krilla",
            "aftercare": env!("CARGO_PKG_VERSION"),
            "font": "DejaVu Sans (embedded)",
            "fallback_fonts": fallback_fonts,
        });
        Ok(Self { fonts, description })
    }

    /// The fallback fonts in use, in search order (for a startup log line).
    pub fn fallbacks(&self) -> &[FontSource] {
        &self.fonts.fallbacks
    }

    /// Characters of `text` that no face has a glyph for (each once, in order of first
    /// appearance). Whitespace, control characters and invisible marks (joiners, variation
    /// selectors, direction marks) are never reported. Such characters still render, as the
    /// regular face's missing-glyph box.
    pub fn missing_glyphs(&self, text: &str) -> Vec<char> {
        Shaper::new(&self.fonts).missing_glyphs(text)
    }

    #[cfg(test)]
    fn width(&self, text: &str, style: Style, size: f32) -> f32 {
        Shaper::new(&self.fonts).width(text, style, size)
    }

    #[cfg(test)]
    fn fit(&self, text: &str, style: Style, size: f32, max_width: f32) -> String {
        Shaper::new(&self.fonts)
            .fit(text, style, size, max_width)
            .text
    }

    #[cfg(test)]
    fn wrap(
        &self,
        text: &str,
        style: Style,
        size: f32,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        Shaper::new(&self.fonts)
            .wrap(text, style, size, max_width, max_lines)
            .into_iter()
            .map(|line| line.text)
            .collect()
    }
}

impl Renderer for PdfRenderer {
    fn render(&self, doc: &InvoiceDocument) -> Result<Vec<u8>, RenderError> {
        layout::render(&self.fonts, doc)
    }

    fn describe(&self) -> serde_json::Value {
        self.description.clone()
    }
}

impl std::fmt::Debug for PdfRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfRenderer")
            .field("fallbacks", &self.fonts.fallbacks)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
