//! Invoice benchmark: milliseconds per PDF invoice (10 and 100 lines, Korean and Latin
//! text) with the service's renderer, PDF size and peak RSS; in the same run, dompdf
//! (Debian php-dompdf, DejaVu registered) rendering the same invoice from an HTML template,
//! as a ratio; and the bulk export's documents per second.
//!
//! Run: `cargo bench --bench invoice` (env: INVOICE_RUNS, DOMPDF_RUNS, EXPORT_DOCUMENTS).
//! dompdf needs `php-cli` and `php-dompdf`; without them that column is skipped.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use aftercare::invoice::content::{self, Heading};
use aftercare::invoice::document::InvoiceDocument;
use aftercare::invoice::render::{PdfRenderer, Renderer};
use aftercare::shop::address::Formats;
use aftercare::shop::seller::{Seller, Sources};
use aftercare::shop::settings::SellerOverrides;
use aftercare::woo::Order;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const NAMES: &[(&str, &str)] = &[
    ("무선 드론 카메라 4K", "DRN-4K-001"),
    ("Café crème beans — 250 g", "CAF-250"),
    ("오버핏 후드 티셔츠", "HD-OVR-BLK-L"),
    ("Stainless steel hand grinder", "GRD-STEEL"),
    ("USB-C 고속 충전 케이블 1m", "USB-C-1M"),
    (
        "Ergonomic standing desk, electric, 160 cm oak top",
        "DESK-160",
    ),
    ("제주 유기농 녹차 티백 (50개입)", "TEA-JEJU-50"),
    ("Screen protector ×2", "SCR-PROT"),
    ("한정판 머그컵 세트 (4개입)", "MUG-SET-4"),
    ("Linen tea towel, natural", "TOWEL-LIN"),
];

/// The Korean fixture order with `lines` line items of Korean and Latin names.
fn order(lines: usize) -> Order {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/orders/registered-krw.json"
    );
    let mut order: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let template = order["line_items"][1].clone(); // the variation, with attributes
    let items: Vec<serde_json::Value> = (0..lines)
        .map(|i| {
            let (name, sku) = NAMES[i % NAMES.len()];
            let mut item = template.clone();
            item["id"] = (100 + i).into();
            item["name"] = name.into();
            item["sku"] = sku.into();
            item
        })
        .collect();
    order["line_items"] = items.into();
    serde_json::from_value(order).unwrap()
}

/// The seller as `[seller]` configures it (no shop profile).
fn seller() -> Seller {
    let config = SellerOverrides {
        name: "서울 라이프스타일 Co.".into(),
        address: vec![
            "테헤란로 123, 5층".into(),
            "강남구, 서울 06234".into(),
            "Republic of Korea".into(),
        ],
        tax_id: Some("123-45-67890".into()),
        email: Some("help@shop.example.kr".into()),
        phone: None,
        logo: None,
    };
    Sources {
        config: &config,
        config_logo: None,
        profile: None,
        profile_logo: None,
    }
    .resolve(None)
}

fn document(lines: usize) -> InvoiceDocument {
    let seller = seller();
    let heading = Heading {
        number: "INV-2026-00042",
        issue_date: "2026-11-23",
        reference: None,
        timezone: &jiff::tz::TimeZone::UTC,
        seller: &seller,
        formats: Formats::builtin(),
    };
    content::invoice(&order(lines), &heading)
}

/// The same document as JSON, for the dompdf template.
fn as_json(d: &InvoiceDocument) -> serde_json::Value {
    let party = |p: &aftercare::invoice::document::Party| serde_json::json!({ "name": p.name, "lines": p.lines });
    serde_json::json!({
        "title": "INVOICE",
        "number": d.number,
        "issue_date": d.issue_date,
        "order_number": d.order_number,
        "order_date": d.order_date,
        "payment_method": d.payment_method,
        "currency": d.currency,
        "seller": party(&d.seller),
        "billing": party(&d.billing),
        "shipping": d.shipping.as_ref().map(party),
        "lines": d.lines.iter().map(|l| serde_json::json!({
            "name": l.name, "details": l.details, "sku": l.sku, "quantity": l.quantity,
            "unit_price": l.unit_price, "total": l.total,
        })).collect::<Vec<_>>(),
        "totals": d.totals.iter().map(|t| serde_json::json!({
            "label": t.label, "amount": t.amount, "emphasis": t.emphasis,
        })).collect::<Vec<_>>(),
        "customer_note": d.customer_note,
    })
}

struct Timing {
    median_ms: f64,
    p90_ms: f64,
    bytes: usize,
}

fn time_renders(renderer: &PdfRenderer, doc: &InvoiceDocument, runs: usize) -> Timing {
    let bytes = renderer.render(doc).unwrap().len(); // also warms caches
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(renderer.render(std::hint::black_box(doc)).unwrap());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    Timing {
        median_ms: ms[ms.len() / 2],
        p90_ms: ms[(ms.len() as f64 * 0.9) as usize],
        bytes,
    }
}

fn time_dompdf(doc: &InvoiceDocument, runs: usize, dir: &Path) -> Option<Timing> {
    let json = dir.join("invoice.json");
    std::fs::write(&json, serde_json::to_vec(&as_json(doc)).unwrap()).unwrap();
    let fonts = dir.join("dompdf-fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/dompdf/invoice.php");
    let output = Command::new("php")
        .arg(script)
        .arg(&json)
        .arg(runs.to_string())
        .arg(dir.join("dompdf.pdf"))
        .arg(&fonts)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!("dompdf failed: {}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    Some(Timing {
        median_ms: result["median_ms"].as_f64()?,
        p90_ms: result["p90_ms"].as_f64()?,
        bytes: result["bytes"].as_u64()? as usize,
    })
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Documents per second for `aftercare invoices export` over `count` archived invoices.
fn time_export(renderer: &PdfRenderer, count: usize, dir: &Path) -> f64 {
    use aftercare::invoice::store::{self as documents, NewDocument};
    let data = dir.join("export-data");
    std::fs::create_dir_all(&data).unwrap();
    let pdf = renderer.render(&document(10)).unwrap();
    let db_path = data.join("aftercare.sqlite3");
    {
        let mut conn = rusqlite::Connection::open(&db_path).unwrap();
        aftercare::store::migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO stores (id, created_at) VALUES ('default', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        let store = aftercare::ids::StoreId::default_store();
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&pdf))
        };
        for i in 1..=count as u64 {
            let number = format!("INV-2026-{i:05}");
            let path = format!("documents/default/invoice/2026/{number}.pdf");
            let file = data.join(&path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &pdf).unwrap();
            documents::record(
                &tx,
                &NewDocument {
                    store_id: &store,
                    kind: aftercare::invoice::document::DocumentKind::Invoice,
                    order_id: aftercare::ids::OrderId::new(i),
                    refund_id: 0,
                    period: "2026",
                    sequence: i,
                    number: &number,
                    reference: None,
                    issued_at: "2026-11-23T10:00:00.000Z",
                    total: "152130",
                    currency: "KRW",
                    path: &path,
                    sha256: &sha,
                    bytes: pdf.len() as u64,
                    settings: r#"{"numbering":{"start":1}}"#,
                },
                1,
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let conn = aftercare::store::open_read_only(&db_path).unwrap();
    let selection = aftercare::invoice::export::Selection {
        from: jiff::civil::date(2026, 1, 1),
        to: jiff::civil::date(2026, 12, 31),
        stores: vec![("default".to_owned(), jiff::tz::TimeZone::UTC)],
    };
    let start = Instant::now();
    let summary = aftercare::invoice::export::export(
        &conn,
        &data,
        &selection,
        &dir.join("export.zip"),
        |_| {},
    )
    .unwrap();
    assert_eq!(summary.documents, count as u64);
    count as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let runs = env_or("INVOICE_RUNS", 200);
    let dompdf_runs = env_or("DOMPDF_RUNS", 10);
    let export_docs = env_or("EXPORT_DOCUMENTS", 5000);
    let dir = std::env::temp_dir().join(format!("aftercare-invoice-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let start = Instant::now();
    let renderer = PdfRenderer::new(&[]).unwrap();
    println!(
        "fonts parsed once in {:.0} ms; fallbacks: {:?}",
        start.elapsed().as_secs_f64() * 1e3,
        renderer
            .fallbacks()
            .iter()
            .map(|f| f.path.display().to_string())
            .collect::<Vec<_>>()
    );
    println!(
        "\n| invoice | aftercare median / p90 ms | PDF bytes | dompdf median / p90 ms | dompdf PDF bytes | dompdf / aftercare |"
    );
    println!("|---|---|---|---|---|---|");
    for lines in [10, 100] {
        let doc = document(lines);
        let ours = time_renders(&renderer, &doc, if lines > 10 { runs / 4 } else { runs });
        let theirs = time_dompdf(&doc, dompdf_runs, &dir);
        let (t, ratio) = match &theirs {
            Some(t) => (
                format!("{:.1} / {:.1} | {}", t.median_ms, t.p90_ms, t.bytes),
                format!("{:.0}×", t.median_ms / ours.median_ms),
            ),
            None => ("not measured (php-dompdf missing) | –".into(), "–".into()),
        };
        println!(
            "| {lines} lines, Korean + Latin | {:.2} / {:.2} | {} | {t} | {ratio} |",
            ours.median_ms, ours.p90_ms, ours.bytes
        );
    }
    println!(
        "\npeak RSS of the renderer process: {:.1} MB",
        peak_rss_mb()
    );
    let per_second = time_export(&renderer, export_docs, &dir);
    println!(
        "bulk export: {export_docs} archived invoices into one ZIP at {per_second:.0} documents/s"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
