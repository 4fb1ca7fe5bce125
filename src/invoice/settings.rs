//! `[invoices]` and `[seller]`: when an order is invoiced, how documents are numbered, who
//! issues them, and the fonts they fall back to.
//!
//! Building is pure; the start-up step reads the logo file (through [`logo_png`]) and
//! checks that the fallback fonts exist.

use std::path::PathBuf;

use serde::Deserialize;

use super::numbering::NumberFormat;
use crate::invalid::Invalid;
use crate::shop::settings::SellerOverrides;

#[derive(Debug, Clone)]
pub struct InvoiceSettings {
    /// An order with one of these statuses (or with `date_paid` set) is paid.
    pub paid_statuses: Vec<String>,
    /// Issue invoices for orders whose total is zero.
    pub free_orders: bool,
    /// How long a signed download link stays valid.
    pub link_ttl: jiff::SignedDuration,
    pub numbering: NumberFormat,
    pub credit_note_numbering: NumberFormat,
    /// `[seller]`: what the configuration says about who issues the documents, over the
    /// shop's own profile (see `shop::seller`).
    pub seller: SellerOverrides,
    /// The bytes of `seller.logo`, read at start.
    pub logo_png: Option<Vec<u8>>,
    /// Fonts tried, in order, for characters the embedded font lacks (CJK and more), with
    /// the face index inside a `.ttc` collection (`path#1` in the config).
    pub fallback_fonts: Vec<(PathBuf, usize)>,
}

/// `[invoices]` as written in the file (the environment may replace the fallback fonts).
/// Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileInvoices {
    paid_statuses: Option<Vec<String>>,
    free_orders: Option<bool>,
    link_ttl_days: Option<u32>,
    numbering: Option<NumberFormat>,
    credit_note_numbering: Option<NumberFormat>,
    #[serde(default)]
    pub fallback_fonts: Vec<PathBuf>,
}

/// Validates `[invoices]` and `[seller]` over the defaults. The logo is not read here:
/// `logo_png` stays `None` until start-up fills it.
pub fn build(file: FileInvoices, seller: SellerOverrides) -> Result<InvoiceSettings, Invalid> {
    let numbering = file.numbering.unwrap_or_else(NumberFormat::invoices);
    numbering
        .validate("invoices.numbering")
        .map_err(|m| Invalid::new("invoices.numbering", m))?;
    let credit_note_numbering = file
        .credit_note_numbering
        .unwrap_or_else(NumberFormat::credit_notes);
    credit_note_numbering
        .validate("invoices.credit_note_numbering")
        .map_err(|m| Invalid::new("invoices.credit_note_numbering", m))?;
    let link_ttl_days = file.link_ttl_days.unwrap_or(30);
    if !(1..=3650).contains(&link_ttl_days) {
        return Err(Invalid::new(
            "invoices.link_ttl_days",
            "must be between 1 and 3650 days",
        ));
    }
    Ok(InvoiceSettings {
        paid_statuses: file
            .paid_statuses
            .unwrap_or_else(|| vec!["processing".into(), "completed".into()]),
        free_orders: file.free_orders.unwrap_or(false),
        link_ttl: jiff::SignedDuration::from_hours(24 * i64::from(link_ttl_days)),
        numbering,
        credit_note_numbering,
        seller,
        logo_png: None,
        fallback_fonts: file.fallback_fonts.into_iter().map(font_face).collect(),
    })
}

/// `path#2` names face 2 of a `.ttc` collection; a plain path is face 0.
fn font_face(font: PathBuf) -> (PathBuf, usize) {
    let text = font.to_string_lossy().into_owned();
    match text.rsplit_once('#') {
        Some((path, face)) => match face.parse() {
            Ok(face) => (PathBuf::from(path), face),
            Err(_) => (font, 0),
        },
        None => (font, 0),
    }
}

/// The logo file's bytes, when they are a PNG.
pub fn logo_png(bytes: Vec<u8>) -> Result<Vec<u8>, Invalid> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(bytes)
    } else {
        Err(Invalid::new("seller.logo", "must be a PNG file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_fonts_may_name_a_face_of_a_collection() {
        assert_eq!(
            font_face("/fonts/cjk.ttc#2".into()),
            ("/fonts/cjk.ttc".into(), 2)
        );
        assert_eq!(font_face("/fonts/a.ttf".into()), ("/fonts/a.ttf".into(), 0));
        assert_eq!(
            font_face("/fonts/odd#name.ttf".into()),
            ("/fonts/odd#name.ttf".into(), 0)
        );
    }

    #[test]
    fn the_logo_must_be_a_png() {
        assert_eq!(
            logo_png(b"GIF89a".to_vec()).unwrap_err().field,
            "seller.logo"
        );
        let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
        assert_eq!(logo_png(png.clone()).unwrap(), png);
    }
}
