//! Issuing invoices and credit notes through the outbox: what a mirrored order needs
//! issued ([`order_mirrored`]) and the jobs that issue it ([`Issuer`]): number, render,
//! archive, record, in that order, with the number and the record committed together.

use std::collections::HashSet;
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
use super::render::Renderer;
use super::settings::InvoiceSettings;
use super::store::{self as documents, NewDocument, Recorded};
use crate::ids::{OrderId, StoreId};
use crate::jobs::{self, Job, JobKind, Outcome};
use crate::orders::store as orders;
use crate::returns::refunds::RefundedLine;
use crate::shop;
use crate::shop::address::Formats;
use crate::shop::seller::{Seller, Sources};
use crate::shop::timezone::Zones;
use crate::store::{Db, StoreError};
use crate::time::{self, Stamp};
use crate::woo::{Order, WooClients, WooError};

/// How long a credit note waits before it looks again for its order's invoice.
const INVOICE_WAIT: Duration = Duration::from_secs(5);
/// How long a document waits before it looks again for the seller's name and address.
/// Receiving the shop's profile wakes it at once ([`wake`]).
const SELLER_WAIT: Duration = Duration::from_secs(5 * 60);
/// The jobs that wait for the seller.
const DOCUMENT_JOBS: [JobKind; 2] = [JobKind::IssueInvoice, JobKind::IssueCreditNote];
/// A number taken under our feet is retried this often before the job is retried later.
const NUMBER_RACES: usize = 5;

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
    /// The archive lives under it.
    pub data_dir: PathBuf,
    /// A credit note's lines come from the store's refund.
    pub woo: WooClients,
    /// Stores already warned about in the log for waiting on the seller's name and address,
    /// so the warning comes once, not on every look.
    pub waiting_for_seller: Mutex<HashSet<StoreId>>,
}

impl Issuer {
    /// Registers the handlers of `issue_invoice` and `issue_credit_note`.
    pub fn register(self: Arc<Self>, registry: &mut jobs::Registry) {
        for kind in DOCUMENT_JOBS {
            let issuer = self.clone();
            registry.register(kind, move |job: Job| {
                let issuer = issuer.clone();
                async move { issuer.issue(&job).await.unwrap_or_else(Outcome::Retry) }
            });
        }
    }

    /// Issues the job's invoice or credit note, unless it exists or is not (yet) due.
    pub async fn issue(&self, job: &Job) -> anyhow::Result<Outcome> {
        let store = job.store_id.clone();
        let order_id = job.order_id;
        let order = {
            let store = store.clone();
            self.db
                .read(move |c| orders::load_order(c, &store, order_id))
                .await?
        };
        let Some(order) = order else {
            return Ok(Outcome::Done);
        };
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
        let (invoice, this) = {
            let store = store.clone();
            self.db
                .read(move |c| {
                    Ok((
                        documents::find(c, &store, DocumentKind::Invoice, order_id, 0)?,
                        documents::find(c, &store, kind, order_id, refund_id)?,
                    ))
                })
                .await?
        };
        if this.is_some() || (!credit && !content::is_invoiceable(&order, settings)) {
            return Ok(Outcome::Done);
        }
        let (profile, profile_logo) = {
            let store = store.clone();
            self.db
                .read(move |c| {
                    Ok((
                        shop::store::load(c, &store)?.map(|s| s.profile),
                        shop::store::logo_png(c, &store)?,
                    ))
                })
                .await?
        };
        // The buyer reads the document: the seller's country is named for a buyer abroad.
        let reader_country = [&order.billing.country, &order.shipping.country]
            .into_iter()
            .map(|c| c.trim())
            .find(|c| !c.is_empty());
        let seller = Sources {
            config: &settings.seller,
            config_logo: settings.logo_png.as_deref(),
            profile: profile.as_ref(),
            profile_logo: profile_logo.as_deref(),
        }
        .resolve(reader_country);
        if !self.seller_known(&store, &seller) {
            // Never a placeholder seller: the document waits for the shop's facts.
            return Ok(Outcome::Defer(SELLER_WAIT));
        }
        let refund = if credit {
            let Some(refund) = order.refunds.iter().find(|r| r.id == refund_id).cloned() else {
                return Ok(Outcome::Done);
            };
            if invoice.is_none() {
                // Not a failure: the invoice is on its way in the other lane.
                return Ok(Outcome::Defer(INVOICE_WAIT));
            }
            Some(refund)
        } else {
            None
        };
        let refunded_lines = match &refund {
            Some(_) => self.refunded_lines(&store, order_id, refund_id).await?,
            None => Vec::new(),
        };
        let reference = invoice.map(|i| i.number);
        let zone = self.zones.zone_of(&self.db, &store).await?;

        for _ in 0..NUMBER_RACES {
            let now = Timestamp::now();
            let date = now.to_zoned(zone.tz.clone()).date();
            let period = format.period(date);
            let sequence = {
                let (store, period, start) = (store.clone(), period.clone(), format.start);
                self.db
                    .read(move |c| documents::next_sequence(c, &store, kind, &period, start))
                    .await?
            };
            let number = format.format(sequence, date);
            let issue_date = date.to_string();
            let heading = Heading {
                number: &number,
                issue_date: &issue_date,
                reference: reference.as_deref(),
                timezone: &zone.tz,
                seller: &seller,
                formats: Formats::of(profile.as_ref()),
            };
            let document = match &refund {
                Some(refund) => content::credit_note(&order, refund, &refunded_lines, &heading),
                None => content::invoice(&order, &heading),
            };
            let seller_json = serde_json::json!({
                "name": document.seller.name,
                "lines": document.seller.lines,
                "logo_sha256": document.logo_png.as_ref().map(|png| hex::encode(Sha256::digest(png))),
                "source": seller.source.as_str(),
            });
            let pdf = {
                let renderer = self.renderer.clone();
                tokio::task::spawn_blocking(move || renderer.render(&document))
                    .await
                    .context("render")?
                    .map_err(|e| anyhow!("render: {e}"))?
            };
            let data_dir = self.data_dir.clone();
            let pending = archive::stage(&data_dir, &pdf).context("archive")?;
            let relative = archive::relative_path(&store, kind, &period, &number);
            // Everything the bytes depend on besides the order, so an issued document can
            // be explained (and its settings told apart from today's) without re-rendering.
            let settings_json = serde_json::json!({
                "numbering": { "prefix": format.prefix, "suffix": format.suffix, "padding": format.padding,
                               "yearly_reset": format.yearly_reset, "start": format.start },
                "seller": seller_json,
                "timezone": zone.name,
                "renderer": self.renderer.describe(),
            })
            .to_string();
            let total = if credit {
                refund
                    .as_ref()
                    .map(|r| r.total.0.abs().to_string())
                    .unwrap_or_default()
            } else {
                order.total.0.to_string()
            };
            let record = {
                let (store, number, reference, period) = (
                    store.clone(),
                    number.clone(),
                    reference.clone(),
                    period.clone(),
                );
                let sha256 = hex::encode(Sha256::digest(&pdf));
                let (bytes, currency, temp) = (
                    pdf.len() as u64,
                    order.currency.clone(),
                    pending.temp.clone(),
                );
                let issued_at = time::millis(now);
                let start = format.start;
                self.db
                    .writer()
                    .write(move |c| {
                        let recorded = documents::record(
                            c,
                            &NewDocument {
                                store_id: &store,
                                kind,
                                order_id,
                                refund_id,
                                period: &period,
                                sequence,
                                number: &number,
                                reference: reference.as_deref(),
                                issued_at: &issued_at,
                                total: &total,
                                currency: &currency,
                                path: &relative,
                                sha256: &sha256,
                                bytes,
                                settings: &settings_json,
                            },
                            start,
                        )?;
                        if matches!(recorded, Recorded::Issued(_)) {
                            // Publish before the commit: a recorded document always has its file.
                            archive::publish(&data_dir, &archive::Pending { temp }, &relative)
                                .map_err(|e| {
                                    StoreError::Commit(format!("publish {relative}: {e}"))
                                })?;
                        }
                        Ok(recorded)
                    })
                    .await
            };
            match record {
                Ok(Recorded::Issued(_)) => {
                    tracing::info!(store = %store, order_id = order_id.get(), kind = kind.as_str(), number = %number, "document issued");
                    return Ok(Outcome::Done);
                }
                Ok(Recorded::AlreadyIssued) => {
                    archive::discard(pending);
                    return Ok(Outcome::Done);
                }
                Ok(Recorded::NumberTaken) => archive::discard(pending),
                Err(e) => {
                    archive::discard(pending);
                    return Err(e.into());
                }
            }
        }
        Err(anyhow!(
            "the document number kept being taken by concurrent issuers"
        ))
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
