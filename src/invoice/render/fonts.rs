//! Font faces: the embedded DejaVu Sans pair, fallback font files, and the order in which
//! they are tried for each character.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use krilla::Data;
use krilla::text::Font;
use rustybuzz::ttf_parser;

use super::RenderError;

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

/// One font face, opened once for the life of the renderer.
///
/// Font files are memory-mapped, not read: a CJK collection is 20 MB, and most invoices
/// need a few of its tables (the character map, to learn that it has a glyph) or none of
/// it. Only the pages that are touched count against the process's memory.
pub struct Face {
    /// The font file's bytes, shared with krilla (which subsets them into each PDF) and
    /// borrowed by the shaper.
    pub(super) data: Data,
    pub(super) index: u32,
    /// krilla's handle, made the first time the face is drawn with: creating it hashes the
    /// whole file, which would bring every page of it into memory.
    font: OnceLock<Option<Font>>,
    /// A real bold design (otherwise bold text in this face gets a faux-bold stroke).
    pub(super) bold: bool,
}

impl Face {
    fn parse(data: Data, index: u32) -> Option<Self> {
        let weight = ttf_parser::Face::parse(data.as_ref(), index)
            .ok()?
            .weight()
            .to_number();
        Some(Self {
            data,
            index,
            font: OnceLock::new(),
            bold: weight >= 600,
        })
    }

    /// krilla's handle for drawing; `None` only if krilla cannot read a face that
    /// ttf-parser could (then the text is left out rather than the invoice failing).
    pub(super) fn font(&self) -> Option<Font> {
        self.font
            .get_or_init(|| Font::new(self.data.clone(), self.index))
            .clone()
    }

    pub(super) fn load(source: &FontSource) -> Result<Self, RenderError> {
        let read_error = |e| RenderError::FontRead {
            path: source.path.clone(),
            source: e,
        };
        let file = std::fs::File::open(&source.path).map_err(read_error)?;
        // SAFETY: the map is read-only and font files are not rewritten while aftercare
        // runs (a package upgrade replaces the file, which leaves this mapping intact).
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(read_error)?;
        let data = Data::from(Arc::new(map) as Arc<dyn AsRef<[u8]> + Send + Sync>);
        u32::try_from(source.face_index)
            .ok()
            .and_then(|index| Self::parse(data, index))
            .ok_or_else(|| RenderError::FontParse {
                path: source.path.clone(),
                face_index: source.face_index,
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Style {
    Regular,
    Bold,
}

const REGULAR: usize = 0;
const BOLD: usize = 1;

/// The faces a renderer draws with, and the order they are tried in.
pub(super) struct FontSet {
    /// `[regular, bold, fallbacks...]`.
    pub(super) faces: Vec<Face>,
    pub(super) fallbacks: Vec<FontSource>,
    regular_chain: Vec<usize>,
    bold_chain: Vec<usize>,
}

impl FontSet {
    pub(super) fn new(fallbacks: Vec<(FontSource, Face)>) -> Result<Self, RenderError> {
        let regular = Face::parse(Data::from(DEJAVU_SANS), 0)
            .ok_or(RenderError::EmbeddedFont("DejaVuSans.ttf"))?;
        let bold = Face::parse(Data::from(DEJAVU_SANS_BOLD), 0)
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

    /// The fallback faces, in search order.
    pub(super) fn fallback_faces(&self) -> &[usize] {
        &self.regular_chain[1..]
    }

    /// Face search order for a style: its own face, then regular DejaVu, then the fallbacks.
    pub(super) fn chain(&self, style: Style) -> &[usize] {
        match style {
            Style::Regular => &self.regular_chain,
            Style::Bold => &self.bold_chain,
        }
    }
}
