//! Turning a string into positioned glyphs, and measuring, fitting and wrapping it.
//!
//! Every character is drawn by the first face of its style's chain that has a glyph for it
//! (spaces and invisible marks stay with their neighbour's face, so a Korean phrase is one
//! run rather than one per word; a phrase that would alternate between fallbacks goes to
//! the first fallback that has all of it). Each string is put into visual order with the
//! Unicode bidirectional algorithm (unicode-bidi; a paragraph's direction comes from its
//! first strong character, and its wrapped lines keep it), cut into runs of one face, one script and one direction, and
//! each run is shaped with rustybuzz, so kerning, ligatures, Arabic joining, bracket
//! mirroring, Indic reordering and conjuncts, and mark placement come from the font's
//! OpenType tables. Widths are the shaped advances: what is measured is what is drawn.
//!
//! Not done: the page itself is left-to-right (right-to-left text is shaped and ordered
//! correctly but left-aligned in its column); lines break only at spaces, hyphens,
//! slashes, commas and between CJK characters (no UAX #14, no hyphenation, no dictionary
//! breaking for Thai or Khmer); no vertical text; emoji are monochrome (ZWJ sequences draw
//! as their separate symbols, skin-tone modifiers are dropped). Scripts outside DejaVu Sans
//! and the CJK fallbacks (Devanagari, Thai...) need a fallback font that covers them.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::ops::Range;

use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::{BufferFlags, Direction, Script, ShapePlan, UnicodeBuffer, ttf_parser};
use unicode_bidi::{BidiClass, Level, ParagraphBidiInfo, bidi_class};
use unicode_script::UnicodeScript;

use super::fonts::{FontSet, Style};

/// Glyphs of one face, in visual order, from one pen position.
pub(super) struct GlyphRun {
    pub(super) face: usize,
    /// Pen position of the first glyph, in ems from the start of the line.
    pub(super) x: f32,
    /// Text ranges index into [`ShapedLine::text`].
    pub(super) glyphs: Vec<KrillaGlyph>,
}

/// One line of text, shaped and in visual order.
pub(super) struct ShapedLine {
    /// The text the glyphs were shaped from (emoji skin-tone modifiers removed).
    pub(super) text: String,
    pub(super) runs: Vec<GlyphRun>,
    /// Total advance, in ems.
    pub(super) width: f32,
    /// The paragraph runs right to left.
    rtl: bool,
    /// Advance of each character of `text` (in logical order), in ems: a cluster's advance
    /// goes to its first character.
    advances: Vec<f32>,
}

impl ShapedLine {
    /// Characters in logical order with their advances in points at `size`.
    fn chars(&self, size: f32) -> Vec<(char, f32)> {
        self.text
            .chars()
            .zip(&self.advances)
            .map(|(c, a)| (c, a * size))
            .collect()
    }
}

type PlanKey = (usize, Script, Direction);

/// A face's tables, opened for shaping.
struct OpenFace<'f> {
    shaper: rustybuzz::Face<'f>,
    /// The Unicode character map, found once rather than on every lookup.
    cmap: Option<ttf_parser::cmap::Subtable<'f>>,
}

/// Shapes text for one render. Font tables are opened lazily, once per face used, and
/// shaping plans are reused across strings.
pub(super) struct Shaper<'f> {
    fonts: &'f FontSet,
    faces: Vec<OnceCell<Option<OpenFace<'f>>>>,
    plans: RefCell<HashMap<PlanKey, ShapePlan>>,
    buffer: Cell<Option<UnicodeBuffer>>,
}

impl<'f> Shaper<'f> {
    pub(super) fn new(fonts: &'f FontSet) -> Self {
        Self {
            fonts,
            faces: fonts.faces.iter().map(|_| OnceCell::new()).collect(),
            plans: RefCell::new(HashMap::new()),
            buffer: Cell::new(None),
        }
    }

    fn open(&self, id: usize) -> Option<&OpenFace<'f>> {
        self.faces[id]
            .get_or_init(|| {
                let face = &self.fonts.faces[id];
                let shaper = rustybuzz::Face::from_slice(face.data.as_ref(), face.index)?;
                // A Unicode table that maps characters (format 14 only lists variation
                // sequences), the full-repertoire one (format 12) rather than the BMP one.
                let cmap = shaper.tables().cmap.and_then(|cmap| {
                    use ttf_parser::cmap::Format;
                    let mapping: Vec<_> = (cmap.subtables.into_iter())
                        .filter(|t| {
                            t.is_unicode()
                                && !matches!(t.format, Format::UnicodeVariationSequences(_))
                        })
                        .collect();
                    let full = mapping
                        .iter()
                        .position(|t| matches!(t.format, Format::SegmentedCoverage(_)));
                    mapping.into_iter().nth(full.unwrap_or(0))
                });
                Some(OpenFace { shaper, cmap })
            })
            .as_ref()
    }

    fn face(&self, id: usize) -> Option<&rustybuzz::Face<'f>> {
        self.open(id).map(|f| &f.shaper)
    }

    /// Whether face `id` has a real glyph (not `.notdef`) for `c`.
    fn has_glyph(&self, id: usize, c: char) -> bool {
        let Some(face) = self.open(id) else {
            return false;
        };
        let glyph = match &face.cmap {
            Some(cmap) => cmap.glyph_index(u32::from(c)),
            None => face.shaper.glyph_index(c),
        };
        glyph.is_some_and(|g| g.0 != 0)
    }

    /// Characters of `text` that no face has a glyph for (each once, in order of first
    /// appearance); whitespace, controls and invisible marks are never reported.
    pub(super) fn missing_glyphs(&self, text: &str) -> Vec<char> {
        let chain = self.fonts.chain(Style::Regular);
        let mut missing = Vec::new();
        for c in text.chars() {
            if c.is_whitespace() || c.is_control() || is_invisible(c) || missing.contains(&c) {
                continue;
            }
            if !chain.iter().any(|&f| self.has_glyph(f, c)) {
                missing.push(c);
            }
        }
        missing
    }

    /// The face that draws each character of `chars`.
    fn assign_faces(&self, chars: &[(usize, char)], style: Style) -> Vec<usize> {
        let chain = self.fonts.chain(style);
        let mut faces: Vec<Option<usize>> = Vec::with_capacity(chars.len());
        let mut last: Option<usize> = None;
        for &(_, c) in chars {
            let face = if is_invisible(c) {
                None
            } else if let Some(prev) = last.filter(|&f| c.is_whitespace() && self.has_glyph(f, c)) {
                Some(prev)
            } else {
                // No face has it: the first face draws its missing-glyph box.
                Some(
                    chain
                        .iter()
                        .copied()
                        .find(|&f| self.has_glyph(f, c))
                        .unwrap_or(chain[0]),
                )
            };
            last = face.or(last);
            faces.push(face);
        }
        self.keep_spans_in_one_fallback(chars, &mut faces);
        fill_gaps(faces, chain[0])
    }

    /// Where a stretch of text falls back to more than one face (Nanum has the Hanja of
    /// `日本` but not the kana of `の`), draws the whole stretch with the first fallback that
    /// has all of it, so a Japanese or Chinese phrase does not alternate between designs.
    fn keep_spans_in_one_fallback(&self, chars: &[(usize, char)], faces: &mut [Option<usize>]) {
        let fallbacks = self.fonts.fallback_faces();
        let is_fallback = |f: Option<usize>| f.is_some_and(|f| fallbacks.contains(&f));
        // Spaces and invisible marks neither start nor end a stretch.
        let neutral: Vec<bool> = chars
            .iter()
            .zip(faces.iter())
            .map(|(&(_, c), f)| f.is_none() || c.is_whitespace())
            .collect();
        let mut i = 0;
        while i < chars.len() {
            if neutral[i] || !is_fallback(faces[i]) {
                i += 1;
                continue;
            }
            // `end`: after the stretch's last character; `stop`: also after the spaces
            // that follow it (they took the face of the character before them).
            let (start, mut end, mut stop, mut mixed) = (i, i + 1, chars.len(), false);
            for j in i + 1..chars.len() {
                if neutral[j] {
                    continue;
                }
                if !is_fallback(faces[j]) {
                    stop = j;
                    break;
                }
                mixed |= faces[j] != faces[start];
                end = j + 1;
            }
            i = end;
            if !mixed {
                continue;
            }
            let covers =
                |f: usize| (start..end).all(|k| neutral[k] || self.has_glyph(f, chars[k].1));
            if let Some(f) = fallbacks.iter().copied().find(|&f| covers(f)) {
                for k in start..stop {
                    let follows =
                        !neutral[k] || is_fallback(faces[k]) && self.has_glyph(f, chars[k].1);
                    if faces[k].is_some() && follows {
                        faces[k] = Some(f);
                    }
                }
            }
        }
    }

    /// Shapes `text` as one line, a paragraph of its own.
    pub(super) fn shape(&self, text: &str, style: Style) -> ShapedLine {
        self.shape_in(text, style, None)
    }

    /// Shapes `text` as one line; `rtl` is the paragraph's direction when the line is part
    /// of a longer paragraph, `None` to take it from the first strong character.
    fn shape_in(&self, text: &str, style: Style, rtl: Option<bool>) -> ShapedLine {
        let text: String = text.chars().filter(|&c| !is_emoji_modifier(c)).collect();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let faces = self.assign_faces(&chars, style);
        let scripts = scripts(&chars);
        let (runs, rtl) = visual_runs(&text, &chars, rtl);
        let mut line = ShapedLine {
            advances: vec![0.0; chars.len()],
            runs: Vec::new(),
            width: 0.0,
            rtl,
            text: String::new(),
        };
        for (range, rtl) in runs {
            // Split into pieces of one face and one script; in a right-to-left run the
            // logically first piece is drawn rightmost.
            let mut pieces = Vec::new();
            let mut start = range.start;
            for i in range.start + 1..=range.end {
                if i == range.end || faces[i] != faces[start] || scripts[i] != scripts[start] {
                    pieces.push(start..i);
                    start = i;
                }
            }
            if rtl {
                pieces.reverse();
            }
            for piece in pieces {
                let bytes = chars[piece.start].0..chars.get(piece.end).map_or(text.len(), |c| c.0);
                let direction = if rtl {
                    Direction::RightToLeft
                } else {
                    Direction::LeftToRight
                };
                self.shape_piece(
                    &text,
                    &chars,
                    bytes,
                    faces[piece.start],
                    scripts[piece.start],
                    direction,
                    &mut line,
                );
            }
        }
        line.text = text;
        line
    }

    /// Shapes `text[bytes]` with one face and appends it to `line`.
    #[allow(clippy::too_many_arguments)]
    fn shape_piece(
        &self,
        text: &str,
        chars: &[(usize, char)],
        bytes: Range<usize>,
        face_id: usize,
        script: Script,
        direction: Direction,
        line: &mut ShapedLine,
    ) {
        let Some(face) = self.face(face_id) else {
            return;
        };
        let mut buffer = self.buffer.take().unwrap_or_default();
        buffer.push_str(&text[bytes.clone()]);
        buffer.set_direction(direction);
        buffer.set_script(script);
        // Joiners, variation selectors and bidi marks steer shaping but draw nothing.
        buffer.set_flags(BufferFlags::REMOVE_DEFAULT_IGNORABLES);
        let glyphs = {
            let mut plans = self.plans.borrow_mut();
            let plan = plans
                .entry((face_id, script, direction))
                .or_insert_with(|| ShapePlan::new(face, direction, Some(script), None, &[]));
            rustybuzz::shape_with_plan(face, plan, buffer)
        };
        let upem = f32::from(face.units_per_em() as u16).max(1.0);
        // A glyph's text is its cluster: from its cluster start to the next one.
        let mut starts: Vec<u32> = glyphs.glyph_infos().iter().map(|g| g.cluster).collect();
        starts.sort_unstable();
        starts.dedup();
        let mut run = GlyphRun {
            face: face_id,
            x: line.width,
            glyphs: Vec::with_capacity(glyphs.len()),
        };
        for (info, pos) in glyphs.glyph_infos().iter().zip(glyphs.glyph_positions()) {
            let start = info.cluster as usize;
            let end = starts
                .get(starts.partition_point(|&s| s <= info.cluster))
                .map_or(bytes.len(), |&s| s as usize);
            let advance = pos.x_advance as f32 / upem;
            run.glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                bytes.start + start..bytes.start + end,
                None,
            ));
            let char_index = chars.partition_point(|&(b, _)| b < bytes.start + start);
            if let Some(a) = line.advances.get_mut(char_index) {
                *a += advance;
            }
            line.width += advance;
        }
        self.buffer.set(Some(glyphs.clear()));
        if !run.glyphs.is_empty() {
            line.runs.push(run);
        }
    }

    pub(super) fn width(&self, text: &str, style: Style, size: f32) -> f32 {
        self.shape(text, style).width * size
    }

    /// `text` cut to fit `max_width`, ending in `…` when something was cut.
    pub(super) fn fit(&self, text: &str, style: Style, size: f32, max_width: f32) -> ShapedLine {
        self.fit_line(self.shape(text, style), style, size, max_width)
    }

    /// `line`, or as much of it as fits in `max_width` followed by `…`.
    pub(super) fn fit_line(
        &self,
        line: ShapedLine,
        style: Style,
        size: f32,
        max_width: f32,
    ) -> ShapedLine {
        if line.width * size <= max_width {
            return line;
        }
        self.ellipsize(&line, style, size, max_width)
    }

    /// As much of `line` as fits in `max_width` together with a trailing `…`.
    fn ellipsize(&self, line: &ShapedLine, style: Style, size: f32, max_width: f32) -> ShapedLine {
        let ellipsis = self.width("…", style, size);
        let mut kept: Vec<char> = Vec::new();
        let mut w = 0.0;
        for (c, advance) in line.chars(size) {
            w += advance;
            if w + ellipsis > max_width {
                break;
            }
            kept.push(c);
        }
        // Shaped in context the kept part may have been a little narrower (kerning with the
        // cut-off character): check the real thing.
        loop {
            let mut text: String = kept.iter().collect::<String>().trim_end().to_owned();
            text.push('…');
            let shaped = self.shape_in(&text, style, Some(line.rtl));
            if kept.is_empty() || shaped.width * size <= max_width {
                return shaped;
            }
            kept.pop();
        }
    }

    /// Greedy line breaking at spaces, hyphens, slashes and commas, and between CJK
    /// characters; a word longer than a line is broken anywhere. At most `max_lines` lines:
    /// the last one ends in `…` if text was left over. Always at least one (maybe empty) line.
    pub(super) fn wrap(
        &self,
        text: &str,
        style: Style,
        size: f32,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<ShapedLine> {
        let paragraph = self.shape(text, style);
        if paragraph.width * size <= max_width && paragraph.text.trim() == paragraph.text {
            // Most names and addresses fit on one line: no need to shape them again.
            return vec![paragraph];
        }
        let chars = paragraph.chars(size);
        let n = chars.len();
        // May the line end before character `i`?
        let break_before = |i: usize| {
            let (prev, c) = (chars[i - 1].0, chars[i].0);
            is_cjk(c) || is_cjk(prev) || matches!(prev, ' ' | '-' | '/' | ',')
        };
        let shape_range = |range: Range<usize>| {
            let text: String = chars[range].iter().map(|&(c, _)| c).collect();
            self.shape_in(text.trim_end(), style, Some(paragraph.rtl))
        };
        let mut lines: Vec<ShapedLine> = Vec::new();
        let mut start = 0;
        loop {
            while start < n && chars[start].0 == ' ' {
                start += 1;
            }
            if start >= n {
                break;
            }
            if lines.len() == max_lines {
                if let Some(last) = lines.pop() {
                    lines.push(self.ellipsize(&last, style, size, max_width));
                }
                break;
            }
            let mut end = start;
            let mut w = 0.0;
            while end < n && (end == start || w + chars[end].1 <= max_width) {
                w += chars[end].1;
                end += 1;
            }
            if end < n
                && chars[end].0 != ' '
                && let Some(at) = (start + 1..=end).rev().find(|&i| break_before(i))
            {
                // Back up to the last place the line may end.
                end = at;
            }
            let mut line = shape_range(start..end);
            // Measured in context, a line can be a hair narrower than on its own.
            while end > start + 1 && line.width * size > max_width {
                end = (start + 1..end)
                    .rev()
                    .find(|&i| break_before(i))
                    .unwrap_or(end - 1);
                line = shape_range(start..end);
            }
            lines.push(line);
            start = end;
        }
        if lines.is_empty() {
            lines.push(self.shape("", style));
        }
        lines
    }
}

/// Replaces the `None`s (characters that take their neighbour's value) with the previous
/// value, or at the start with the first one that follows; `default` when there is none.
fn fill_gaps<T: Copy>(values: Vec<Option<T>>, default: T) -> Vec<T> {
    let first = values.iter().flatten().next().copied().unwrap_or(default);
    let mut last = first;
    values
        .into_iter()
        .map(|v| {
            last = v.unwrap_or(last);
            last
        })
        .collect()
}

/// The script of each character; common characters (spaces, digits, punctuation) and marks
/// take their neighbour's script.
fn scripts(chars: &[(usize, char)]) -> Vec<Script> {
    let scripts = chars
        .iter()
        .map(|&(_, c)| match c.script() {
            _ if c.is_ascii() => c.is_ascii_alphabetic().then_some(rustybuzz::script::LATIN),
            unicode_script::Script::Common
            | unicode_script::Script::Inherited
            | unicode_script::Script::Unknown => None,
            s => <[u8; 4]>::try_from(s.short_name().as_bytes())
                .ok()
                .and_then(|tag| Script::from_iso15924_tag(ttf_parser::Tag::from_bytes(&tag))),
        })
        .collect();
    fill_gaps(scripts, rustybuzz::script::COMMON)
}

/// Character ranges of one direction, in visual (left-to-right) order, each with whether it
/// runs right to left; and the paragraph's direction (`rtl`, or from its first strong
/// character).
fn visual_runs(
    text: &str,
    chars: &[(usize, char)],
    rtl: Option<bool>,
) -> (Vec<(Range<usize>, bool)>, bool) {
    // Every right-to-left character and control is at U+0590 or above.
    let rtl_possible = chars.iter().any(|&(_, c)| {
        c >= '\u{0590}'
            && matches!(
                bidi_class(c),
                BidiClass::R
                    | BidiClass::AL
                    | BidiClass::AN
                    | BidiClass::RLE
                    | BidiClass::RLO
                    | BidiClass::RLI
                    | BidiClass::FSI
            )
    });
    if chars.is_empty() || !rtl_possible && rtl != Some(true) {
        return (vec![(0..chars.len(), false)], false);
    }
    let level = rtl.map(|rtl| if rtl { Level::rtl() } else { Level::ltr() });
    let bidi = ParagraphBidiInfo::new(text, level);
    let (levels, runs) = bidi.visual_runs(0..text.len());
    let char_at = |byte: usize| chars.partition_point(|&(b, _)| b < byte);
    let runs = runs
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| (char_at(r.start)..char_at(r.end), levels[r.start].is_rtl()))
        .collect();
    (runs, bidi.paragraph_level.is_rtl())
}

/// Default-ignorable code points that steer shaping or direction (joiners, variation
/// selectors, bidi controls) rather than being drawn.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xFEFF | 0xE0000..=0xE0FFF)
        || is_emoji_modifier(c)
}

/// Emoji skin-tone modifiers: without a colour emoji font nothing combines them with the
/// emoji, and on their own they draw as colour swatches, so they are left out.
fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0x1F3FB..=0x1F3FF)
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Control characters (newlines, tabs) become spaces: every string here is one line.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}
