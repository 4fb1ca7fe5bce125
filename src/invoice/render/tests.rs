use std::sync::OnceLock;

use super::*;
use crate::invoice::document::{Line, TotalRow};

/// The renderer the service would build: embedded DejaVu plus the Debian CJK fonts when
/// installed. Parsed once for all tests.
fn renderer() -> &'static PdfRenderer {
    static R: OnceLock<PdfRenderer> = OnceLock::new();
    R.get_or_init(|| PdfRenderer::new(&[]).expect("renderer"))
}

/// Set to `1` to let a check whose font is not installed skip instead of failing, on a
/// machine that cannot install it. CI never sets it, and it counts for nothing there.
const ALLOW_MISSING_TOOLS: &str = "AFTERCARE_ALLOW_MISSING_TOOLS";

/// Whether a check that needs `font` can run. A missing font fails the test, naming the
/// Debian package, so that `cargo test` cannot pass without running the check, unless the
/// opt-out above is set.
fn font_installed(found: bool, font: &str, package: &str) -> bool {
    if found {
        return true;
    }
    let allowed = std::env::var_os("CI").is_none()
        && std::env::var(ALLOW_MISSING_TOOLS).is_ok_and(|v| v == "1");
    assert!(
        allowed,
        "{font} is not installed: apt-get install {package} \
         (or set {ALLOW_MISSING_TOOLS}=1 to skip this check on this machine)"
    );
    eprintln!(
        "\n!!! SKIPPED: {font} is not installed ({package}); {ALLOW_MISSING_TOOLS}=1 is set\n"
    );
    false
}

/// Whether a Korean fallback font is loaded (Nanum, or Noto Sans CJK).
fn has_cjk() -> bool {
    let korean = renderer().fallbacks().iter().any(|f| {
        f.path.ends_with("NanumGothic.ttf") || f.path.ends_with("NotoSansCJK-Regular.ttc")
    });
    font_installed(korean, "a Korean font (Nanum Gothic)", "fonts-nanum")
}

/// Whether Noto Sans CJK is loaded: Nanum alone lacks some Japanese kanji (緑) and
/// simplified Chinese (书, 红, 梦...).
fn has_full_cjk() -> bool {
    font_installed(
        renderer()
            .fallbacks()
            .iter()
            .any(|f| f.path.ends_with("NotoSansCJK-Regular.ttc")),
        "Noto Sans CJK",
        "fonts-noto-cjk",
    )
}

/// Item names and details in Japanese or Chinese.
fn is_japanese_or_chinese(s: &str) -> bool {
    s.contains('日') || s.contains('産') || s.contains('中')
}

fn party(name: &str, lines: &[&str]) -> Party {
    Party {
        name: name.into(),
        lines: lines.iter().map(|s| s.to_string()).collect(),
    }
}

const ITEMS: &[(&str, Option<&str>, &str, &str)] = &[
    (
        "무선 드론 카메라",
        Some("색상: 검정 · 크기: L"),
        "DRN-4K-001",
        "₩120,000",
    ),
    (
        "Café crème beans — 250 g",
        Some("Roast: Medium · Grind: Espresso"),
        "CAF-250",
        "₩18,500",
    ),
    (
        "Ελληνικό μέλι θυμαρίσιο 450 g",
        None,
        "HON-GR-450",
        "₩24,000",
    ),
    (
        "Ручная кофемолка из нержавеющей стали",
        Some("Цвет: серебристый"),
        "GRD-STEEL",
        "₩56,000",
    ),
    (
        "USB-C 고속 충전 케이블 1m",
        Some("색상: 흰색"),
        "USB-C-1M",
        "₩9,900",
    ),
    (
        "日本の緑茶 抹茶パウダー 100g",
        Some("産地: 京都府宇治市"),
        "MATCHA-100",
        "₩32,000",
    ),
    ("中文书籍《红楼梦》精装版", None, "BOOK-HLM", "₩45,000"),
    (
        "Extra-long product name: ergonomic adjustable standing desk with electric motor, memory presets and cable tray",
        Some("Width: 160 cm · Colour: Oak · Assembly service included"),
        "DESK-ELEC-160-OAK-XL",
        "₩689,000",
    ),
    ("Screen protector ×2", None, "SCR-PROT", "₩7,000"),
    (
        "한정판 머그컵 세트 (4개입)",
        Some("디자인: 봄 에디션"),
        "MUG-SET-4",
        "₩38,000",
    ),
];

fn sample(lines: usize) -> InvoiceDocument {
    InvoiceDocument {
        kind: DocumentKind::Invoice,
        number: "INV-2026-00042".into(),
        reference: None,
        issue_date: "2026-11-22".into(),
        order_number: "10482".into(),
        order_date: "2026-11-20".into(),
        payment_method: "Credit card (Visa •••• 4242)".into(),
        currency: "KRW".into(),
        seller: party(
            "Café Müller & Söhne GmbH",
            &[
                "Königstraße 12",
                "70173 Stuttgart, Deutschland",
                "USt-IdNr. DE123456789",
                "hallo@cafe-mueller.de · +49 711 123456",
            ],
        ),
        logo_png: None,
        billing: party(
            "김민지",
            &[
                "서울특별시 강남구 테헤란로 123, 5층",
                "06236 대한민국",
                "minji.kim@example.kr",
                "+82 10-1234-5678",
            ],
        ),
        shipping: Some(party(
            "김민지 (Minji Kim)",
            &["서울특별시 강남구 테헤란로 123, 5층", "06236 대한민국"],
        )),
        lines: (0..lines)
            .map(|i| {
                let (name, details, sku, price) = ITEMS[i % ITEMS.len()];
                let qty = 1 + i % 3;
                Line {
                    name: name.into(),
                    details: details.map(Into::into),
                    sku: Some(sku.into()),
                    quantity: qty.to_string(),
                    unit_price: price.into(),
                    total: price.into(),
                }
            })
            .collect(),
        totals: vec![
            total("Subtotal", "₩1,039,400", false),
            total("Shipping (CJ대한통운)", "₩3,000", false),
            total("Coupon WELCOME10", "−₩103,940", false),
            total("VAT 10% (included)", "₩85,314", false),
            total("Total", "₩1,234,000", true),
        ],
        customer_note: Some(
            "부재 시 경비실에 맡겨 주세요. Please leave the parcel with the concierge if nobody answers."
                .into(),
        ),
        footer: Some(
            "Thank you for your order! Questions? hallo@cafe-mueller.de — Bank: Sparkasse Stuttgart, IBAN DE12 6005 0101 0001 2345 67"
                .into(),
        ),
    }
}

fn total(label: &str, amount: &str, emphasis: bool) -> TotalRow {
    TotalRow {
        label: label.into(),
        amount: amount.into(),
        emphasis,
    }
}

/// Extracted text without whitespace: extractors differ in where they put spaces.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn extract(pdf: &[u8]) -> String {
    squash(&pdf_extract::extract_text_from_mem(pdf).expect("pdf-extract reads the PDF"))
}

fn page_count(pdf: &[u8]) -> usize {
    pdf_extract::Document::load_mem(pdf)
        .expect("lopdf reads the PDF")
        .get_pages()
        .len()
}

fn assert_has(text: &str, needle: &str) {
    assert!(
        text.contains(&squash(needle)),
        "{needle:?} not found in the extracted text:\n{text}"
    );
}

#[test]
fn korean_and_latin_invoice_round_trips() {
    let pdf = renderer().render(&sample(10)).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(
        pdf.len() <= 150 * 1024,
        "PDF is {} bytes; fonts are not being subset",
        pdf.len()
    );
    let text = extract(&pdf);
    for needle in [
        "INVOICE",
        "INV-2026-00042",
        "10482",
        "Café Müller & Söhne GmbH",
        "Königstraße 12",
        "Ελληνικό μέλι θυμαρίσιο",
        "Ручная кофемолка",
        "Café crème beans",
        "₩1,234,000",
        "Page 1 of 1",
        "UNIT PRICE",
    ] {
        assert_has(&text, needle);
    }
    if has_cjk() {
        for needle in [
            "김민지",
            "서울특별시 강남구 테헤란로 123, 5층",
            "무선 드론 카메라",
            "Shipping (CJ대한통운)",
            "부재 시 경비실에 맡겨 주세요.",
        ] {
            assert_has(&text, needle);
        }
    }
    if has_full_cjk() {
        for needle in [
            "日本の緑茶 抹茶パウダー",
            "産地: 京都府宇治市",
            "中文书籍《红楼梦》精装版",
        ] {
            assert_has(&text, needle);
        }
    }
}

#[test]
fn every_script_is_covered_with_the_cjk_fallback() {
    let r = renderer();
    // The embedded face alone covers Latin, Greek and Cyrillic.
    for s in [
        "Café Müller Königstraße ×2 — •••• €£₩",
        "Ελληνικό μέλι",
        "Ручная кофемолка",
    ] {
        assert_eq!(r.missing_glyphs(s), Vec::<char>::new(), "{s}");
    }
    if !has_cjk() {
        return;
    }
    let doc = sample(ITEMS.len());
    let mut strings = vec![doc.billing.name.clone(), doc.customer_note.clone().unwrap()];
    strings.extend(doc.billing.lines.iter().cloned());
    for l in &doc.lines {
        strings.push(l.name.clone());
        strings.extend(l.details.clone());
    }
    strings.extend(
        doc.totals
            .iter()
            .map(|t| format!("{} {}", t.label, t.amount)),
    );
    let full = has_full_cjk();
    for s in &strings {
        if is_japanese_or_chinese(s) && !full {
            continue;
        }
        assert_eq!(r.missing_glyphs(s), Vec::<char>::new(), "{s}");
    }
    assert!(strings.iter().filter(|s| is_japanese_or_chinese(s)).count() >= 3);
}

#[test]
fn characters_no_font_has_do_not_panic() {
    let latin_only = PdfRenderer::with_fallbacks(Vec::new()).unwrap();
    assert_eq!(
        latin_only.missing_glyphs("김민지 Kim"),
        vec!['김', '민', '지']
    );
    // A private-use character is in no font.
    assert_eq!(
        renderer().missing_glyphs("mark \u{E000} \u{E000}"),
        vec!['\u{E000}']
    );
    // Emoji selectors and joiners are never drawn, so never missing.
    assert_eq!(
        renderer().missing_glyphs("\u{FE0F}\u{200D}"),
        Vec::<char>::new()
    );

    let mut doc = sample(3);
    doc.lines[0].name = "Crab plush 🦀 \u{E000} 김민지".into();
    for r in [&latin_only, renderer()] {
        let pdf = r.render(&doc).unwrap();
        assert_has(&extract(&pdf), "INV-2026-00042");
    }
}

#[test]
fn emoji_in_notes_render_with_the_symbol_fallback() {
    let symbola = renderer()
        .fallbacks()
        .iter()
        .any(|f| f.path.ends_with("Symbola_hint.ttf"));
    if !font_installed(symbola, "Symbola (emoji)", "fonts-symbola") {
        return;
    }
    let note = "Thanks 🙏 for the gift wrap 🎁❤\u{FE0F}";
    assert_eq!(renderer().missing_glyphs(note), Vec::<char>::new());
    let mut doc = sample(2);
    doc.customer_note = Some(note.into());
    let text = extract(&renderer().render(&doc).unwrap());
    assert_has(&text, "Thanks 🙏 for the gift wrap 🎁❤");
}

#[test]
fn a_hundred_lines_paginate_with_repeated_header_and_page_numbers() {
    let pdf = renderer().render(&sample(100)).unwrap();
    let pages = page_count(&pdf);
    assert!(pages > 1, "100 lines fit on one page?");
    let texts = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert_eq!(texts.len(), pages);
    for (i, page) in texts.iter().enumerate() {
        let page = squash(page);
        assert_has(&page, &format!("Page {} of {pages}", i + 1));
        assert_has(&page, "UNIT PRICE");
        assert_has(&page, "INV-2026-00042");
    }
    assert_has(&squash(texts.last().unwrap()), "₩1,234,000");
}

#[test]
fn credit_note_names_the_invoice_it_corrects() {
    let mut doc = sample(2);
    doc.kind = DocumentKind::CreditNote;
    doc.number = "CN-2026-00007".into();
    doc.reference = Some("INV-2026-00040".into());
    let text = extract(&renderer().render(&doc).unwrap());
    for needle in [
        "CREDIT NOTE",
        "CN-2026-00007",
        "Refers to invoice",
        "INV-2026-00040",
    ] {
        assert_has(&text, needle);
    }
}

#[test]
fn minimal_document_renders() {
    let mut doc = sample(0);
    doc.shipping = None;
    doc.totals.clear();
    doc.customer_note = None;
    doc.footer = None;
    doc.payment_method = String::new();
    doc.seller.lines.clear();
    let pdf = renderer().render(&doc).unwrap();
    assert_eq!(page_count(&pdf), 1);
    assert_has(&extract(&pdf), "INV-2026-00042");
}

#[test]
fn logo_is_drawn_and_a_broken_one_is_skipped() {
    let mut doc = sample(2);
    doc.logo_png = Some(tiny_png(120, 40));
    let pdf = renderer().render(&doc).unwrap();
    // The page resources' `/ProcSet [/ImageC /ImageB]` always mentions images, so look for
    // the image XObject itself.
    assert_eq!(images(&pdf), vec![(120, 40)], "no image XObject");

    doc.logo_png = Some(b"not a png".to_vec());
    let pdf = renderer().render(&doc).unwrap();
    assert_eq!(images(&pdf), Vec::<(i64, i64)>::new());
    assert_has(&extract(&pdf), "INV-2026-00042");
}

#[test]
fn a_logo_whose_pixels_do_not_decode_is_skipped() {
    // A valid PNG header and IHDR, then a corrupt compressed stream: the size is known up
    // front, the failure only shows when the pixels are decoded while writing.
    let mut png = tiny_png(120, 40);
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap() + 4;
    png[idat..idat + 2].copy_from_slice(&[0xFF, 0xFF]);
    let mut doc = sample(2);
    doc.logo_png = Some(png);
    let pdf = renderer().render(&doc).unwrap();
    assert_eq!(images(&pdf), Vec::<(i64, i64)>::new());
    assert_has(&extract(&pdf), "INV-2026-00042");
}

/// The `BaseFont` name of every font dictionary in the PDF.
fn base_fonts(pdf: &[u8]) -> Vec<String> {
    let doc = pdf_extract::Document::load_mem(pdf).expect("lopdf reads the PDF");
    doc.objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| {
            d.get(b"Type")
                .and_then(|t| t.as_name())
                .is_ok_and(|n| n == b"Font")
        })
        .filter_map(|d| d.get(b"BaseFont").and_then(|n| n.as_name()).ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect()
}

/// Width and height of every image XObject in the PDF.
fn images(pdf: &[u8]) -> Vec<(i64, i64)> {
    let doc = pdf_extract::Document::load_mem(pdf).expect("lopdf reads the PDF");
    doc.objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| {
            s.dict
                .get(b"Subtype")
                .and_then(|t| t.as_name())
                .is_ok_and(|n| n == b"Image")
        })
        .map(|s| {
            let dim = |key: &[u8]| s.dict.get(key).and_then(|v| v.as_i64()).unwrap();
            (dim(b"Width"), dim(b"Height"))
        })
        .collect()
}

#[test]
fn fonts_are_subset_and_configured_fallbacks_must_load() {
    let pdf = renderer().render(&sample(10)).unwrap();
    // Subset fonts are named `ABCDEF+Name`: every font the PDF embeds must be one.
    let names = base_fonts(&pdf);
    assert!(!names.is_empty(), "no fonts found");
    for name in &names {
        let (tag, rest) = name.split_at(name.find('+').unwrap_or(0));
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()) && rest.len() > 1,
            "font {name} is not subset"
        );
    }
    assert!(matches!(
        PdfRenderer::new(&[FontSource::new("/nonexistent/font.ttf")]),
        Err(RenderError::FontRead { .. })
    ));
}

#[test]
fn wrapping_keeps_words_and_breaks_cjk() {
    let r = renderer();
    let lines = r.wrap("alpha beta gamma delta", Style::Regular, 9.0, 60.0, 10);
    assert!(lines.len() > 1);
    assert!(
        lines
            .iter()
            .all(|l| !l.starts_with(' ') && !l.ends_with(' '))
    );
    assert_eq!(lines.join(" "), "alpha beta gamma delta");
    let long = "x".repeat(200);
    let lines = r.wrap(&long, Style::Regular, 9.0, 100.0, 2);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with('…'));
    for l in &lines {
        assert!(r.width(l, Style::Regular, 9.0) <= 100.0 + 0.01);
    }
    let fitted = r.fit(
        "Ручная кофемолка из нержавеющей стали",
        Style::Bold,
        9.0,
        80.0,
    );
    assert!(fitted.ends_with('…') && r.width(&fitted, Style::Bold, 9.0) <= 80.0);
}

/// An uncompressed RGB PNG (stored deflate blocks), enough to exercise the logo path.
fn tiny_png(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            raw.extend([(x * 2) as u8, 60, (y * 5) as u8]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Writes sample PDFs for a visual check:
/// `cargo test --lib invoice::render::tests::write_samples -- --ignored --nocapture`.
#[test]
#[ignore]
fn write_samples() {
    let dir = std::env::temp_dir();
    let mut ten = sample(10);
    ten.logo_png = Some(tiny_png(180, 60));
    let mut credit = sample(3);
    credit.kind = DocumentKind::CreditNote;
    credit.number = "CN-2026-00007".into();
    credit.reference = Some("INV-2026-00040".into());
    for (name, doc) in [
        ("aftercare-invoice-10.pdf", ten),
        ("aftercare-invoice-100.pdf", sample(100)),
        ("aftercare-credit-note.pdf", credit),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, renderer().render(&doc).unwrap()).unwrap();
        eprintln!("wrote {}", path.display());
    }
}

/// The characters behind the glyphs of `line`, in drawing (left-to-right) order.
fn drawn_order(line: &text::ShapedLine) -> String {
    line.runs
        .iter()
        .flat_map(|r| &r.glyphs)
        .map(|g| &line.text[g.text_range.clone()])
        .collect()
}

fn glyph_ids(line: &text::ShapedLine) -> Vec<u32> {
    line.runs
        .iter()
        .flat_map(|r| &r.glyphs)
        .map(|g| g.glyph_id.to_u32())
        .collect()
}

#[test]
fn kerning_and_ligatures_come_from_the_font() {
    let r = renderer();
    let shaper = text::Shaper::new(&r.fonts);
    // DejaVu kerns A and V together.
    let pair = r.width("AV", Style::Regular, 10.0);
    let apart = r.width("A", Style::Regular, 10.0) + r.width("V", Style::Regular, 10.0);
    assert!(pair < apart - 0.1, "no kerning: {pair} vs {apart}");
    // `ffi` is one glyph, and still reads as three letters.
    let office = shaper.shape("office", Style::Regular);
    assert_eq!(glyph_ids(&office).len(), 4, "no ffi ligature");
    assert_eq!(drawn_order(&office), "office");
    let mut doc = sample(1);
    doc.lines[0].name = "office coffee".into();
    assert_has(&extract(&r.render(&doc).unwrap()), "office coffee");
}

#[test]
fn right_to_left_text_is_joined_mirrored_and_in_visual_order() {
    let r = renderer();
    // The embedded face covers Hebrew and Arabic.
    assert_eq!(
        r.missing_glyphs("שלום עולם مرحبا بالعالم"),
        Vec::<char>::new()
    );
    let shaper = text::Shaper::new(&r.fonts);

    // A right-to-left paragraph: the Hebrew words swap sides, the number and the Latin
    // word inside it stay left-to-right, and the brackets are mirrored.
    let mixed = shaper.shape("שלום 123 (test) עולם", Style::Regular);
    assert_eq!(drawn_order(&mixed), "םלוע )test( 123 םולש");
    let ids = glyph_ids(&mixed);
    let open = glyph_ids(&shaper.shape("(", Style::Regular))[0];
    let close = glyph_ids(&shaper.shape(")", Style::Regular))[0];
    let drawn: Vec<char> = drawn_order(&mixed).chars().collect();
    let at = |c: char| ids[drawn.iter().position(|&d| d == c).unwrap()];
    assert_eq!((at(')'), at('(')), (open, close), "brackets not mirrored");

    // Left-to-right text around an Arabic phrase keeps its order; the phrase is reversed.
    let order = shaper.shape("Order 12 — طلب", Style::Regular);
    assert_eq!(drawn_order(&order), "Order 12 — بلط");

    // Arabic letters join: سلام is drawn with its final م first, then one lam-alef
    // ligature (whose cluster reads لا), then an initial س unlike the isolated letter.
    let salam = shaper.shape("سلام", Style::Regular);
    assert_eq!(drawn_order(&salam), "ملاس");
    let ids = glyph_ids(&salam);
    assert_eq!(ids.len(), 3, "no lam-alef ligature");
    let isolated = glyph_ids(&shaper.shape("س", Style::Regular))[0];
    assert_ne!(ids[2], isolated, "seen is not in its initial form");

    // A wrapped right-to-left paragraph keeps its direction on a line of Latin words: the
    // full stop that ends it is drawn at the line's left end.
    let lines = shaper.wrap(
        "שלום, please leave the parcel with the concierge.",
        Style::Regular,
        9.0,
        90.0,
        5,
    );
    assert!(lines.len() > 1);
    assert_eq!(drawn_order(lines.last().unwrap()), ".concierge");

    // Drawn into the PDF with a ToUnicode map. pdf-extract reads glyphs in drawing order,
    // so it sees the Hebrew reversed (pdftotext and viewers put it back in reading order).
    let mut doc = sample(1);
    doc.billing.name = "דוד כהן".into();
    assert_has(&extract(&r.render(&doc).unwrap()), "ןהכ דוד");
}

#[test]
fn a_japanese_phrase_stays_in_one_fallback_face() {
    if !has_full_cjk() {
        return;
    }
    let shaper = text::Shaper::new(&renderer().fonts);
    // Nanum (first fallback) has the Hanja but not the kana: all of it goes to Noto.
    let line = shaper.shape("日本の緑茶 抹茶パウダー 100g", Style::Regular);
    let faces: Vec<usize> = line.runs.iter().map(|r| r.face).collect();
    let noto = 2 + renderer()
        .fallbacks()
        .iter()
        .position(|f| f.path.ends_with("NotoSansCJK-Regular.ttc"))
        .unwrap();
    assert_eq!(drawn_order(&line), "日本の緑茶 抹茶パウダー 100g");
    // Runs split where the script changes (Han, kana); only `100g` is in the default face.
    let phrase = faces.iter().position(|&f| f == 0).unwrap();
    assert!(
        phrase > 0 && faces[..phrase].iter().all(|&f| f == noto),
        "{faces:?}"
    );
    assert!(faces[phrase..].iter().all(|&f| f == 0), "{faces:?}");
}

#[test]
fn indic_text_is_shaped_with_a_configured_font() {
    let lohit = "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf";
    let found = std::path::Path::new(lohit).is_file();
    if !font_installed(found, "Lohit Devanagari", "fonts-lohit-deva") {
        return;
    }
    let r = PdfRenderer::new(&[FontSource::new(lohit)]).unwrap();
    assert_eq!(r.missing_glyphs("नमस्ते दुनिया"), Vec::<char>::new());
    let shaper = text::Shaper::new(&r.fonts);
    // The vowel sign ि is written after न but drawn before it: the consonant's glyph
    // comes second.
    let ni = glyph_ids(&shaper.shape("नि", Style::Regular));
    let na = glyph_ids(&shaper.shape("न", Style::Regular));
    assert_eq!(ni.len(), 2);
    assert_eq!(
        (ni[1] == na[0], ni[0] == na[0]),
        (true, false),
        "vowel sign not reordered"
    );
    // स्त is a conjunct: fewer glyphs than characters.
    let namaste = shaper.shape("नमस्ते", Style::Regular);
    assert!(glyph_ids(&namaste).len() < "नमस्ते".chars().count());
}

#[test]
fn odd_text_renders_without_panicking() {
    let odd = [
        "",
        " ",
        "\u{200D}",
        "\u{FE0F}\u{FE0F}",
        "\u{0301}\u{0301}e\u{0301}",
        "\u{202E}reversed\u{202C} text",
        "\u{2067}שלום\u{2069} \u{2066}abc\u{2069}",
        "\u{200F}\u{200E}\u{061C}",
        "a\u{0000}b\tc\nd\r\u{0085}e\u{2028}f\u{2029}g",
        "👩\u{200D}👩\u{200D}👧\u{1F3FD} ❤\u{FE0F}",
        "لا\u{200C}لا\u{200D}",
        "x\u{00AD}y",
        "\u{E000}\u{10FFFF}\u{FFFD}",
    ];
    let long_word = "가".repeat(3000);
    let r = renderer();
    let mut doc = sample(odd.len());
    for (i, s) in odd.iter().enumerate() {
        doc.lines[i].name = format!("{s}{long_word}");
        doc.lines[i].details = Some((*s).into());
        doc.lines[i].sku = Some((*s).into());
        doc.lines[i].quantity = (*s).into();
        doc.lines[i].unit_price = (*s).into();
        doc.lines[i].total = (*s).into();
    }
    doc.seller.name = odd.concat();
    doc.billing.lines = odd.iter().map(|s| s.to_string()).collect();
    doc.totals[0].label = odd.concat();
    doc.customer_note = Some(odd.concat().repeat(40));
    doc.footer = Some(odd.join(" "));
    let pdf = r.render(&doc).unwrap();
    assert!(page_count(&pdf) >= 1);
    assert_has(&extract(&pdf), "INV-2026-00042");
    let shaper = text::Shaper::new(&r.fonts);
    for s in odd {
        for style in [Style::Regular, Style::Bold] {
            let line = shaper.shape(s, style);
            assert!(line.width.is_finite() && line.width >= 0.0, "{s:?}");
            for max in [0.0, 1.0, 50.0] {
                assert!(!shaper.wrap(s, style, 9.0, max, 3).is_empty());
                let _ = shaper.fit(s, style, 9.0, max);
            }
        }
    }
}
