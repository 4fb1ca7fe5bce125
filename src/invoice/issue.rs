//! Issuing invoices and credit notes through the outbox: what a mirrored order needs
//! issued ([`order_mirrored`]) and the jobs that issue it ([`Issuer`]): number, render,
//! archive, record, in that order, with the number and the record committed together.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use jiff::Timestamp;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::archive;
use super::content::{self, Heading};
use super::document::DocumentKind;
use super::numbering::NumberFormat;
use super::pool::RenderPool;
use super::render::Renderer;
use super::settings::InvoiceSettings;
use super::store::{self as documents, NewDocument, Recorded};
use crate::ids::{OrderId, StoreId};
use crate::jobs::{self, Job, JobKind, Outcome};
use crate::orders::store as orders;
use crate::returns::refunds::RefundedLine;
use crate::shop;
use crate::shop::address::Formats;
use crate::shop::profile::Profile;
use crate::shop::seller::{Seller, Sources};
use crate::shop::timezone::ShopZone;
use crate::shop::timezone::Zones;
use crate::store::{Db, StoreError};
use crate::time::{self, Stamp};
use crate::woo::order::RefundSummary;
use crate::woo::{Order, WooClients, WooError};

/// How long a credit note waits before it looks again for its order's invoice.
const INVOICE_WAIT: Duration = Duration::from_secs(5);
/// How long the documents numbered after a failed one in the same batch wait before they are
/// numbered again: a failure that repeats (a full disk) must not have them rendered anew at
/// every step while each job in turn meets it.
const AFTER_FAILURE: Duration = Duration::from_secs(5);
/// How long a document waits before it looks again for the seller's name and address.
/// Receiving the shop's profile wakes it at once ([`wake`]).
const SELLER_WAIT: Duration = Duration::from_secs(5 * 60);
/// The jobs that wait for the seller.
const DOCUMENT_JOBS: [JobKind; 2] = [JobKind::IssueInvoice, JobKind::IssueCreditNote];

/// The outbox side of ingest, in its transaction: a paid order without an invoice gets
/// one, each refund of an invoiced (or soon invoiced) order without a credit note gets one.
pub fn order_mirrored(
    conn: &Connection,
    store: &StoreId,
    order: &Order,
    settings: &InvoiceSettings,
    now: &Stamp,
) -> Result<(), StoreError> {
    let invoiced = documents::find(conn, store, DocumentKind::Invoice, order.id, 0)?.is_some();
    let invoiceable = content::is_invoiceable(order, settings);
    if !invoiced && invoiceable {
        jobs::enqueue(conn, store, JobKind::IssueInvoice, order.id, 0, now)?;
    }
    if invoiced || invoiceable {
        for refund in &order.refunds {
            if documents::find(conn, store, DocumentKind::CreditNote, order.id, refund.id)?
                .is_none()
            {
                jobs::enqueue(
                    conn,
                    store,
                    JobKind::IssueCreditNote,
                    order.id,
                    refund.id,
                    now,
                )?;
            }
        }
    }
    Ok(())
}

/// Makes `store`'s waiting invoices and credit notes due now: the shop's facts have
/// changed, so a document that waited for its seller may be issued.
pub async fn wake(db: &Db, store: &StoreId) -> Result<usize, StoreError> {
    let store = store.clone();
    let now = time::millis(Timestamp::now());
    db.writer()
        .write(move |c| jobs::store::wake(c, &store, &DOCUMENT_JOBS, &now))
        .await
}

/// What issuing a document uses.
pub struct Issuer {
    pub db: Db,
    pub renderer: Arc<dyn Renderer>,
    pub settings: Arc<InvoiceSettings>,
    /// Each store's time zone: issue and order dates, yearly number resets.
    pub zones: Zones,
    /// Where documents render: every core, below the service's priority.
    pub renders: RenderPool,
    /// The archive lives under it.
    pub data_dir: PathBuf,
    /// A credit note's lines come from the store's refund.
    pub woo: WooClients,
    /// Stores already warned about in the log for waiting on the seller's name and address,
    /// so the warning comes once, not on every look.
    pub waiting_for_seller: Mutex<HashSet<StoreId>>,
}

/// A document whose order, seller and lines are known, waiting for its number.
struct Draft {
    store: StoreId,
    kind: DocumentKind,
    order: Order,
    /// The refund a credit note is for.
    refund: Option<RefundSummary>,
    refunded_lines: Vec<RefundedLine>,
    /// The invoice a credit note refers to.
    reference: Option<String>,
    seller: Seller,
    profile: Option<Profile>,
    zone: ShopZone,
    format: NumberFormat,
}

/// What looking at a job found: nothing (more) to issue now, or a document to issue.
enum Ready {
    Settled(Outcome),
    Draft(Box<Draft>),
}

/// A rendered, staged document with its number, waiting to be recorded.
struct Staged {
    store: StoreId,
    kind: DocumentKind,
    order_id: OrderId,
    refund_id: u64,
    period: String,
    sequence: u64,
    start: u64,
    number: String,
    reference: Option<String>,
    issued_at: Stamp,
    total: String,
    currency: String,
    path: String,
    sha256: String,
    bytes: u64,
    settings: String,
    pending: archive::Pending,
}

impl Issuer {
    /// Registers the handlers of `issue_invoice` and `issue_credit_note`: each takes the jobs
    /// its lane hands it at once (invoices several, credit notes one at a time).
    pub fn register(self: Arc<Self>, registry: &mut jobs::Registry) {
        for kind in DOCUMENT_JOBS {
            let issuer = self.clone();
            registry.register_batch(kind, move |jobs: Vec<Job>| {
                let issuer = issuer.clone();
                async move { issuer.issue_all(&jobs).await }
            });
        }
    }

    /// Issues the jobs' documents together and answers for each, in order. Each document
    /// is made ready on its own; the ready ones take consecutive numbers of their series
    /// in the jobs' order, render side by side on the blocking pool (a batch keeps every
    /// core busy) and are recorded in number order in one transaction. The record checks
    /// that each number is still the next one, so a number left unused by a failure before
    /// it (or taken by another issuer) is never skipped: its job is simply due again at
    /// once and takes the next free number then.
    pub async fn issue_all(&self, jobs: &[Job]) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = jobs.iter().map(|_| None).collect();
        let mut drafts = Vec::new();
        let unnamed = self.stores_without_seller(jobs).await;
        for (i, job) in jobs.iter().enumerate() {
            if let Some(seller) = unnamed.get(&job.store_id) {
                self.seller_known(&job.store_id, seller);
                outcomes[i] = Some(Outcome::Defer(SELLER_WAIT));
                continue;
            }
            match self.prepare(job).await {
                Ok(Ready::Settled(outcome)) => outcomes[i] = Some(outcome),
                Ok(Ready::Draft(draft)) => drafts.push((i, draft)),
                Err(error) => outcomes[i] = Some(Outcome::Retry(error)),
            }
        }
        if !drafts.is_empty() {
            for (i, outcome) in self.number_render_record(drafts).await {
                outcomes[i] = Some(outcome);
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::Defer(Duration::ZERO)))
            .collect()
    }

    /// The jobs' stores that have no seller to name on a document yet, with what is known of
    /// it: one read per store, so a store's held documents wait without each order being
    /// read and parsed first. A failed read names none (each job then reads on its own).
    async fn stores_without_seller(&self, jobs: &[Job]) -> HashMap<StoreId, Seller> {
        if self.seller(None, None, None).is_complete() {
            // `[seller]` names and addresses it for every store: nothing to read.
            return HashMap::new();
        }
        let mut stores: Vec<StoreId> = jobs.iter().map(|j| j.store_id.clone()).collect();
        stores.sort();
        stores.dedup();
        let profiles = self
            .db
            .read(move |c| {
                stores
                    .into_iter()
                    .map(|store| {
                        let profile = shop::store::load(c, &store)?.map(|s| s.profile);
                        Ok((store, profile))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            })
            .await
            .unwrap_or_default();
        profiles
            .into_iter()
            .filter_map(|(store, profile)| {
                // The address's lines do not depend on whose country it is read in.
                let seller = self.seller(profile.as_ref(), None, None);
                (!seller.is_complete()).then_some((store, seller))
            })
            .collect()
    }

    /// The seller a document names: `[seller]` over the shop's profile (and their logos), its
    /// address as a reader in `reader_country` reads it.
    fn seller(
        &self,
        profile: Option<&Profile>,
        profile_logo: Option<&[u8]>,
        reader_country: Option<&str>,
    ) -> Seller {
        Sources {
            config: &self.settings.seller,
            config_logo: self.settings.logo_png.as_deref(),
            profile,
            profile_logo,
        }
        .resolve(reader_country)
    }

    /// Everything a document needs but its number, or why it is not to be issued now.
    async fn prepare(&self, job: &Job) -> anyhow::Result<Ready> {
        let store = job.store_id.clone();
        let order_id = job.order_id;
        let settings = &self.settings;
        let credit = job.kind == JobKind::IssueCreditNote;
        let (kind, format, refund_id): (DocumentKind, &NumberFormat, u64) = if credit {
            (
                DocumentKind::CreditNote,
                &settings.credit_note_numbering,
                job.subject,
            )
        } else {
            (DocumentKind::Invoice, &settings.numbering, 0)
        };
        // Everything the document is made of, in one read.
        let (order, invoice, this, profile, profile_logo) = {
            let store = store.clone();
            self.db
                .read(move |c| {
                    Ok((
                        orders::load_order(c, &store, order_id)?,
                        documents::find(c, &store, DocumentKind::Invoice, order_id, 0)?,
                        documents::find(c, &store, kind, order_id, refund_id)?,
                        shop::store::load(c, &store)?.map(|s| s.profile),
                        shop::store::logo_png(c, &store)?,
                    ))
                })
                .await?
        };
        let Some(order) = order else {
            return Ok(Ready::Settled(Outcome::Done));
        };
        if this.is_some() || (!credit && !content::is_invoiceable(&order, settings)) {
            return Ok(Ready::Settled(Outcome::Done));
        }
        // The buyer reads the document: the seller's country is named for a buyer abroad.
        let reader_country = [&order.billing.country, &order.shipping.country]
            .into_iter()
            .map(|c| c.trim())
            .find(|c| !c.is_empty());
        let seller = self.seller(profile.as_ref(), profile_logo.as_deref(), reader_country);
        if !self.seller_known(&store, &seller) {
            // Never a placeholder seller: the document waits for the shop's facts.
            return Ok(Ready::Settled(Outcome::Defer(SELLER_WAIT)));
        }
        let refund = if credit {
            let Some(refund) = order.refunds.iter().find(|r| r.id == refund_id).cloned() else {
                return Ok(Ready::Settled(Outcome::Done));
            };
            if invoice.is_none() {
                // Not a failure: the invoice is on its way in its own lane.
                return Ok(Ready::Settled(Outcome::Defer(INVOICE_WAIT)));
            }
            Some(refund)
        } else {
            None
        };
        let refunded_lines = match &refund {
            Some(_) => self.refunded_lines(&store, order_id, refund_id).await?,
            None => Vec::new(),
        };
        let zone = self.zones.zone_of(&self.db, &store).await?;
        Ok(Ready::Draft(Box::new(Draft {
            store,
            kind,
            order,
            refund,
            refunded_lines,
            reference: invoice.map(|i| i.number),
            seller,
            profile,
            zone,
            format: format.clone(),
        })))
    }

    /// Numbers, renders and records the drafts (given with their jobs' positions).
    async fn number_render_record(
        &self,
        drafts: Vec<(usize, Box<Draft>)>,
    ) -> Vec<(usize, Outcome)> {
        let now = Timestamp::now();
        // Each series' next number, read once; the drafts of a series follow it in order.
        let dated: Vec<(jiff::civil::Date, String)> = drafts
            .iter()
            .map(|(_, d)| {
                let date = now.to_zoned(d.zone.tz.clone()).date();
                (date, d.format.period(date))
            })
            .collect();
        let series: Vec<(StoreId, DocumentKind, String, u64)> = drafts
            .iter()
            .zip(&dated)
            .map(|((_, d), (_, period))| (d.store.clone(), d.kind, period.clone(), d.format.start))
            .collect();
        let firsts = {
            let series = series.clone();
            self.db
                .read(move |c| {
                    series
                        .iter()
                        .map(|(store, kind, period, start)| {
                            documents::next_sequence(c, store, *kind, period, *start)
                        })
                        .collect::<Result<Vec<u64>, StoreError>>()
                })
                .await
        };
        let firsts = match firsts {
            Ok(firsts) => firsts,
            Err(error) => return retry_all(drafts.into_iter().map(|(i, _)| i), error),
        };
        let mut rendering = Vec::new();
        for (n, ((i, draft), (date, period))) in drafts.into_iter().zip(dated).enumerate() {
            // Earlier drafts of the same series in this batch come first.
            let before = series[..n].iter().filter(|s| **s == series[n]).count() as u64;
            let sequence = firsts[n] + before;
            rendering.push((i, self.render(*draft, now, date, period, sequence)));
        }
        let mut staged = Vec::new();
        let mut outcomes = Vec::new();
        for (i, render) in rendering {
            match render.await {
                Ok(document) => staged.push((i, document)),
                Err(error) => outcomes.push((i, Outcome::Retry(error))),
            }
        }
        let render_failed = !outcomes.is_empty();
        outcomes.extend(self.record(staged, render_failed).await);
        outcomes
    }

    /// Starts rendering and staging `draft` under its number on the blocking pool.
    fn render(
        &self,
        draft: Draft,
        now: Timestamp,
        date: jiff::civil::Date,
        period: String,
        sequence: u64,
    ) -> impl std::future::Future<Output = anyhow::Result<Staged>> + Send + 'static {
        let format = &draft.format;
        let number = format.format(sequence, date);
        let issue_date = date.to_string();
        let heading = Heading {
            number: &number,
            issue_date: &issue_date,
            reference: draft.reference.as_deref(),
            timezone: &draft.zone.tz,
            seller: &draft.seller,
            formats: Formats::of(draft.profile.as_ref()),
        };
        let document = match &draft.refund {
            Some(refund) => {
                content::credit_note(&draft.order, refund, &draft.refunded_lines, &heading)
            }
            None => content::invoice(&draft.order, &heading),
        };
        let seller_json = serde_json::json!({
            "name": document.seller.name,
            "lines": document.seller.lines,
            "logo_sha256": document.logo_png.as_ref().map(|png| hex::encode(Sha256::digest(png))),
            "source": draft.seller.source.as_str(),
        });
        // Everything the bytes depend on besides the order, so an issued document can be
        // explained (and its settings told apart from today's) without re-rendering.
        let settings = serde_json::json!({
            "numbering": { "prefix": format.prefix, "suffix": format.suffix, "padding": format.padding,
                           "yearly_reset": format.yearly_reset, "start": format.start },
            "seller": seller_json,
            "timezone": draft.zone.name,
            "renderer": self.renderer.describe(),
        })
        .to_string();
        let total = match &draft.refund {
            Some(refund) => refund.total.0.abs().to_string(),
            None => draft.order.total.0.to_string(),
        };
        let refund_id = draft.refund.as_ref().map_or(0, |r| r.id);
        let staged = Staged {
            path: archive::relative_path(&draft.store, draft.kind, &period, &number),
            store: draft.store,
            kind: draft.kind,
            order_id: draft.order.id,
            refund_id,
            period,
            sequence,
            start: draft.format.start,
            number,
            reference: draft.reference,
            issued_at: time::millis(now),
            total,
            currency: draft.order.currency,
            sha256: String::new(),
            bytes: 0,
            settings,
            pending: archive::Pending {
                temp: Default::default(),
            },
        };
        let (renderer, data_dir) = (self.renderer.clone(), self.data_dir.clone());
        let renders = self.renders.clone();
        // Started now, so the batch's documents render side by side.
        let task = tokio::spawn(async move {
            renders
                .run(move || -> anyhow::Result<Staged> {
                    let pdf = renderer
                        .render(&document)
                        .map_err(|e| anyhow!("render: {e}"))?;
                    let pending = archive::stage(&data_dir, &pdf).context("archive")?;
                    Ok(Staged {
                        sha256: hex::encode(Sha256::digest(&pdf)),
                        bytes: pdf.len() as u64,
                        pending,
                        ..staged
                    })
                })
                .await
                .ok_or_else(|| anyhow!("render: the render thread failed"))?
        });
        async move { task.await.context("render")? }
    }

    /// Records the staged documents in order in one transaction, each in a savepoint of its
    /// own so that one failing leaves the others recorded, and publishes each recorded file
    /// before the commit: a recorded document always has its file.
    async fn record(
        &self,
        staged: Vec<(usize, Staged)>,
        render_failed: bool,
    ) -> Vec<(usize, Outcome)> {
        if staged.is_empty() {
            return Vec::new();
        }
        let data_dir = self.data_dir.clone();
        let positions: Vec<usize> = staged.iter().map(|(i, _)| *i).collect();
        let documents: Vec<Staged> = staged.into_iter().map(|(_, s)| s).collect();
        let temps: Vec<std::path::PathBuf> =
            documents.iter().map(|d| d.pending.temp.clone()).collect();
        let labels: Vec<(StoreId, OrderId, DocumentKind, String)> = documents
            .iter()
            .map(|d| (d.store.clone(), d.order_id, d.kind, d.number.clone()))
            .collect();
        let recorded = self
            .db
            .writer()
            .write(move |c| {
                let mut results = Vec::new();
                let mut folders = Vec::new();
                for d in &documents {
                    results.push(crate::store::alone(c, || {
                        record_one(c, &data_dir, d, &mut folders)
                    })?);
                }
                // The renames are made durable once per folder, before the commit.
                for folder in folders {
                    std::fs::File::open(&folder)
                        .and_then(|f| f.sync_all())
                        .map_err(|e| {
                            StoreError::Commit(format!("sync {}: {e}", folder.display()))
                        })?;
                }
                Ok(results)
            })
            .await;
        let results = match recorded {
            Ok(results) => results,
            Err(error) => {
                for temp in temps {
                    archive::discard(archive::Pending { temp });
                }
                return retry_all(positions, error);
            }
        };
        let mut failed = render_failed;
        positions
            .into_iter()
            .zip(temps)
            .zip(labels)
            .zip(results)
            .map(|(((i, temp), (store, order_id, kind, number)), result)| {
                let outcome = match result {
                    Ok(Recorded::Issued(_)) => {
                        tracing::info!(store = %store, order_id = order_id.get(), kind = kind.as_str(), number = %number, "document issued");
                        Outcome::Done
                    }
                    Ok(Recorded::AlreadyIssued) => {
                        archive::discard(archive::Pending { temp });
                        Outcome::Done
                    }
                    // An earlier number was not recorded (or another issuer took this one):
                    // numbered again, never skipped; at once, unless a failure in this batch
                    // left the number unused and may well do so again.
                    Ok(Recorded::NumberTaken) => {
                        archive::discard(archive::Pending { temp });
                        Outcome::Defer(if failed { AFTER_FAILURE } else { Duration::ZERO })
                    }
                    Err(error) => {
                        failed = true;
                        archive::discard(archive::Pending { temp });
                        Outcome::Retry(error.into())
                    }
                };
                (i, outcome)
            })
            .collect()
    }

    /// Whether `seller` may go on a document; the first time a store's may not, says so
    /// in the log (the store id only: the shop's facts are not logged).
    fn seller_known(&self, store: &StoreId, seller: &Seller) -> bool {
        let mut waiting = self
            .waiting_for_seller
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if seller.is_complete() {
            waiting.remove(store);
            return true;
        }
        if waiting.insert(store.clone()) {
            let missing = seller.missing().join(", ");
            tracing::warn!(
                store = %store,
                missing = %missing,
                "invoices wait: aftercare does not know the shop's name and address (Connect in the plugin, or [seller] in aftercare.toml)"
            );
        }
        false
    }

    /// The lines of WooCommerce refund `refund_id`, fetched through the REST API and kept
    /// (they also tell returns which units are refunded). Empty when the store has no REST
    /// credentials, and then the credit note shows the refund as one line; a store that
    /// has them but cannot be reached is retried, so the credit note is complete.
    async fn refunded_lines(
        &self,
        store: &StoreId,
        order_id: OrderId,
        refund_id: u64,
    ) -> anyhow::Result<Vec<RefundedLine>> {
        let client = match self.woo.client(store) {
            None | Some(Err(WooError::NotConfigured { .. })) => return Ok(Vec::new()),
            Some(client) => client?,
        };
        let refunds = client
            .list_refunds(order_id)
            .await
            .with_context(|| format!("fetching the refunds of order {order_id}"))?;
        let Some(refund) = refunds.iter().find(|r| r["id"].as_u64() == Some(refund_id)) else {
            return Ok(Vec::new());
        };
        let lines = crate::returns::refunds::lines(refund);
        let rows: Vec<(u64, i64, String, String)> = lines
            .iter()
            .map(|l| {
                (
                    l.line_item_id,
                    l.quantity,
                    l.total.to_string(),
                    l.total_tax.to_string(),
                )
            })
            .collect();
        let store = store.to_owned();
        self.db
            .writer()
            .write(move |c| {
                crate::returns::store::record_refund_lines(c, &store, order_id, refund_id, &rows)
            })
            .await?;
        Ok(lines)
    }
}

/// Records one staged document and, once its number is assigned, moves its file into place
/// (the folder's rename is made durable by the caller, once per folder).
fn record_one(
    conn: &Connection,
    data_dir: &std::path::Path,
    d: &Staged,
    folders: &mut Vec<PathBuf>,
) -> Result<Recorded, StoreError> {
    let recorded = documents::record(
        conn,
        &NewDocument {
            store_id: &d.store,
            kind: d.kind,
            order_id: d.order_id,
            refund_id: d.refund_id,
            period: &d.period,
            sequence: d.sequence,
            number: &d.number,
            reference: d.reference.as_deref(),
            issued_at: &d.issued_at,
            total: &d.total,
            currency: &d.currency,
            path: &d.path,
            sha256: &d.sha256,
            bytes: d.bytes,
            settings: &d.settings,
        },
        d.start,
    )?;
    if matches!(recorded, Recorded::Issued(_)) {
        let folder = archive::place(data_dir, &d.pending, &d.path)
            .map_err(|e| StoreError::Commit(format!("publish {}: {e}", d.path)))?;
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    Ok(recorded)
}

/// The same failure for every job of a batch at these positions: each is tried again.
fn retry_all(
    positions: impl IntoIterator<Item = usize>,
    error: StoreError,
) -> Vec<(usize, Outcome)> {
    let error = anyhow::Error::from(error);
    positions
        .into_iter()
        .map(|i| (i, Outcome::Retry(anyhow!("{error:#}"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::invoice::document::InvoiceDocument;
    use crate::invoice::render::{PdfRenderer, RenderError};
    use crate::invoice::settings::{self, FileInvoices};
    use crate::jobs::Lane;
    use crate::shop::settings::SellerOverrides;
    use crate::shop::timezone::ZoneSettings;

    /// The real renderer, but the document of order `fails` cannot be rendered `times` times.
    struct FailingFor {
        real: PdfRenderer,
        fails: String,
        times: AtomicUsize,
    }

    impl Renderer for FailingFor {
        fn render(&self, doc: &InvoiceDocument) -> Result<Vec<u8>, RenderError> {
            if doc.order_number == self.fails
                && self
                    .times
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
            {
                return Err(RenderError::Pdf("a test failure".into()));
            }
            self.real.render(doc)
        }

        fn describe(&self) -> serde_json::Value {
            self.real.describe()
        }
    }

    fn paid_order(id: u64) -> (Order, String) {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/orders/guest-usd.json"
        );
        let mut order: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        order["id"] = id.into();
        order["number"] = id.to_string().into();
        let raw = order.to_string();
        (serde_json::from_str(&raw).unwrap(), raw)
    }

    #[tokio::test]
    async fn a_batch_takes_consecutive_numbers_and_a_failure_inside_it_leaves_no_gap() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("a.sqlite3"), Default::default(), &["s"]).unwrap();
        let store = StoreId::test("s");
        let invoices = Arc::new(
            settings::build(
                FileInvoices::default(),
                SellerOverrides {
                    name: "Harbor Goods".into(),
                    address: vec!["1 Harbor Way".into(), "Boston, MA 02110".into()],
                    ..Default::default()
                },
            )
            .unwrap(),
        );
        for id in 1..=8 {
            let (order, raw) = paid_order(id);
            let (store, invoices) = (store.clone(), invoices.clone());
            db.writer()
                .write(move |c| {
                    let now = time::millis(Timestamp::now());
                    orders::apply(
                        c,
                        &store,
                        &order,
                        &raw,
                        &[id as u8; 32],
                        orders::Source::Update,
                        &now,
                    )?;
                    order_mirrored(c, &store, &order, &invoices, &now)
                })
                .await
                .unwrap();
        }
        let zones = ZoneSettings {
            global: Some(ZoneSettings::configured("timezone", "UTC").unwrap()),
            ..Default::default()
        };
        let issuer = Issuer {
            db: db.clone(),
            renderer: Arc::new(FailingFor {
                real: PdfRenderer::new(&[]).unwrap(),
                fails: "3".into(),
                times: AtomicUsize::new(1),
            }),
            settings: invoices.clone(),
            zones: Zones::new(zones),
            renders: RenderPool::start(),
            data_dir: dir.path().to_path_buf(),
            woo: WooClients::new(
                Vec::<crate::woo::RestAccess<'_>>::new(),
                &Default::default(),
            ),
            waiting_for_seller: Default::default(),
        };
        let due = || async {
            let now = time::millis(Timestamp::now());
            db.read(move |c| jobs::store::due(c, &now, Lane::Documents, 8))
                .await
                .unwrap()
        };
        let jobs = due().await;
        assert_eq!(jobs.len(), 8, "the lane takes all eight at once");
        let outcomes = issuer.issue_all(&jobs).await;
        let kinds: Vec<&str> = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Done => "done",
                Outcome::Retry(_) => "retry",
                Outcome::Defer(wait) if wait.is_zero() => "again",
                Outcome::Defer(_) => "later",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "done", "done", "retry", "later", "later", "later", "later", "later"
            ],
            "the third failed; those numbered after it were not recorded under a gap, and wait \
             a little before they are numbered again"
        );
        let issued = || {
            db.read(|c| {
                let mut stmt = c.prepare(
                    "SELECT order_id, sequence, number, path FROM documents ORDER BY sequence",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
        };
        let first = issued().await.unwrap();
        assert_eq!(
            first.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(),
            [(1, 1), (2, 2)]
        );
        // No staged file is left behind by the documents that were not recorded.
        let staging = dir.path().join("documents/.staging");
        assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);

        // The same jobs again (the runner has not settled them here): the two issued are
        // done as they are, the rest are numbered from 3 on, in the jobs' order.
        let again = due().await;
        assert_eq!(again.len(), 8);
        assert!(
            issuer
                .issue_all(&again)
                .await
                .iter()
                .all(|o| matches!(o, Outcome::Done))
        );
        let all = issued().await.unwrap();
        assert_eq!(
            all.iter().map(|d| d.1).collect::<Vec<_>>(),
            (1..=8).collect::<Vec<_>>(),
            "one to eight, no gap"
        );
        let orders: HashSet<i64> = all.iter().map(|d| d.0).collect();
        assert_eq!(orders.len(), 8, "one invoice per order");
        // Each archived PDF prints the number it was recorded under.
        for (_, _, number, path) in &all {
            let pdf = std::fs::read(dir.path().join(path)).unwrap();
            let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
            assert!(
                text.contains(number.as_str()),
                "{number} missing from {path}"
            );
        }
        db.close().await;
    }
}
