//! The outbox worker: takes due jobs one at a time and carries them out idempotently,
//! retrying failures with backoff: it issues invoices and credit notes, settles
//! returns (refunds and store credit) in WooCommerce, and carries out tracking's jobs
//! (delay evaluation, delay notifications: see `crate::tracking::outbox`).

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::AppState;
use crate::invoice::content::{self, Heading};
use crate::invoice::render::Renderer;
use crate::invoice::store::{self as documents, CREDIT_NOTE, INVOICE, NewDocument, Recorded};
use crate::invoice::{archive, numbering::NumberFormat};
use crate::orders::store as orders;
use crate::returns::refunds::RefundedLine;
use crate::store::StoreError;
use crate::store::jobs::{self, Job};
use crate::time;
use crate::woo::{WooClient, WooError};

pub const ISSUE_INVOICE: &str = "issue_invoice";
pub const ISSUE_CREDIT_NOTE: &str = "issue_credit_note";

/// How long a credit note waits before it looks again for its order's invoice.
const INVOICE_WAIT_SECS: i64 = 5;
/// How often an idle worker looks for due jobs.
const POLL: Duration = Duration::from_millis(200);
/// A number taken under our feet is retried this often before the job is retried later.
const NUMBER_RACES: usize = 5;

/// Jobs that wait on the store's REST API. They run in a lane of their own, so a slow or
/// unreachable WooCommerce never holds up invoices and delay alerts.
const REMOTE_KINDS: &[&str] = &[crate::returns::service::SETTLE_RETURN, ISSUE_CREDIT_NOTE];

/// Runs until `stop` turns true, then returns after the jobs in hand.
pub async fn run(state: AppState, renderer: Arc<dyn Renderer>, stop: watch::Receiver<bool>) {
    let remote = tokio::spawn(lane(
        state.clone(),
        renderer.clone(),
        stop.clone(),
        jobs::Lane::Only(REMOTE_KINDS),
    ));
    lane(state, renderer, stop, jobs::Lane::AllBut(REMOTE_KINDS)).await;
    let _ = remote.await;
}

/// One worker: takes its lane's due jobs one at a time.
async fn lane(
    state: AppState,
    renderer: Arc<dyn Renderer>,
    mut stop: watch::Receiver<bool>,
    kinds: jobs::Lane,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let now = time::millis(Timestamp::now());
        let next = state
            .db()
            .read(move |c| jobs::next_due(c, &now, kinds))
            .await;
        match next {
            Ok(Some(job)) => {
                let outcome = carry_out(&state, &renderer, &job).await;
                if let Err(error) = outcome {
                    tracing::warn!(job = job.id, kind = job.kind, order_id = job.order_id, attempts = job.attempts + 1, %error, "job failed; will retry");
                    let failed = job.clone();
                    let _ = state
                        .db()
                        .writer()
                        .write(move |c| jobs::fail(c, &failed, &error, Timestamp::now()))
                        .await;
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot read the outbox"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
}

async fn carry_out(
    state: &AppState,
    renderer: &Arc<dyn Renderer>,
    job: &Job,
) -> Result<(), String> {
    match job.kind.as_str() {
        ISSUE_INVOICE | ISSUE_CREDIT_NOTE => issue(state, renderer, job).await,
        crate::returns::service::SETTLE_RETURN => {
            match crate::returns::settle::run(state, &job.store_id, job.subject as i64).await {
                crate::returns::settle::Outcome::Done => {
                    complete(state, job.id).await.map_err(|e| e.to_string())
                }
                crate::returns::settle::Outcome::Retry(error) => Err(error),
            }
        }
        kind if crate::tracking::outbox::handles(kind) => {
            crate::tracking::outbox::carry_out(state, job).await
        }
        other => {
            tracing::error!(kind = other, job = job.id, "unknown job kind; dropping it");
            complete(state, job.id).await.map_err(|e| e.to_string())
        }
    }
}

/// The lines of WooCommerce refund `refund_id`, fetched through the REST API and kept
/// (they also tell returns which units are refunded). Empty when the store has no REST
/// credentials, and then the credit note shows the refund as one line; a store that has
/// them but cannot be reached is retried, so the credit note is complete.
async fn refunded_lines(
    state: &AppState,
    store: &str,
    order_id: u64,
    refund_id: u64,
) -> Result<Vec<RefundedLine>, String> {
    let Some(config) = state.config().store(store) else {
        return Ok(Vec::new());
    };
    let client = match WooClient::new(config, &state.config().woocommerce) {
        Ok(client) => client,
        Err(WooError::NotConfigured { .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    let refunds = client
        .list_refunds(order_id)
        .await
        .map_err(|e| format!("fetching the refunds of order {order_id}: {e}"))?;
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
    state
        .db()
        .writer()
        .write(move |c| {
            crate::returns::store::record_refund_lines(c, &store, order_id, refund_id, &rows)
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(lines)
}

async fn complete(state: &AppState, id: i64) -> Result<(), StoreError> {
    state
        .db()
        .writer()
        .write(move |c| jobs::complete(c, id, &time::millis(Timestamp::now())))
        .await
}

/// Issues the job's invoice or credit note: number, render, archive, record, in that order,
/// with the number and the record committed together.
async fn issue(state: &AppState, renderer: &Arc<dyn Renderer>, job: &Job) -> Result<(), String> {
    let store = job.store_id.clone();
    let order_id = job.order_id;
    let order = {
        let store = store.clone();
        state
            .db()
            .read(move |c| orders::load_order(c, &store, order_id))
            .await
            .map_err(|e| e.to_string())?
    };
    let Some(order) = order else {
        return complete(state, job.id).await.map_err(|e| e.to_string());
    };
    let settings = state.config().invoices.clone();
    let credit = job.kind == ISSUE_CREDIT_NOTE;
    let (kind, format, refund_id): (&str, &NumberFormat, u64) = if credit {
        (CREDIT_NOTE, &settings.credit_note_numbering, job.subject)
    } else {
        (INVOICE, &settings.numbering, 0)
    };
    let existing = {
        let store = store.clone();
        state
            .db()
            .read(move |c| {
                Ok((
                    documents::find(c, &store, INVOICE, order_id, 0)?,
                    documents::find(c, &store, kind, order_id, refund_id)?,
                ))
            })
            .await
            .map_err(|e| e.to_string())?
    };
    let (invoice, this) = existing;
    if this.is_some() || (!credit && !content::is_invoiceable(&order, &settings)) {
        return complete(state, job.id).await.map_err(|e| e.to_string());
    }
    let refund = if credit {
        let Some(refund) = order.refunds.iter().find(|r| r.id == refund_id).cloned() else {
            return complete(state, job.id).await.map_err(|e| e.to_string());
        };
        if invoice.is_none() {
            // Not a failure: the invoice is on its way in the other lane. Look again soon,
            // without counting an attempt or backing off.
            let id = job.id;
            let later = Timestamp::now() + jiff::SignedDuration::from_secs(INVOICE_WAIT_SECS);
            return state
                .db()
                .writer()
                .write(move |c| jobs::defer(c, id, &time::millis(later)))
                .await
                .map_err(|e| e.to_string());
        }
        Some(refund)
    } else {
        None
    };
    let refunded_lines = match &refund {
        Some(_) => refunded_lines(state, &store, order_id, refund_id).await?,
        None => Vec::new(),
    };
    let reference = invoice.map(|i| i.number);
    let seller_fallback = state
        .store(&store)
        .and_then(|s| s.config.url.clone())
        .unwrap_or_else(|| store.clone());

    for _ in 0..NUMBER_RACES {
        let now = Timestamp::now();
        let date = now.to_zoned(state.config().timezone.clone()).date();
        let period = format.period(date);
        let sequence = {
            let (store, period, start) = (store.clone(), period.clone(), format.start);
            state
                .db()
                .read(move |c| documents::next_sequence(c, &store, kind, &period, start))
                .await
                .map_err(|e| e.to_string())?
        };
        let number = format.format(sequence, date);
        let issue_date = date.to_string();
        let heading = Heading {
            number: &number,
            issue_date: &issue_date,
            reference: reference.as_deref(),
            timezone: &state.config().timezone,
        };
        let document = match &refund {
            Some(refund) => content::credit_note(
                &order,
                refund,
                &refunded_lines,
                &heading,
                &settings,
                &seller_fallback,
            ),
            None => content::invoice(&order, &heading, &settings, &seller_fallback),
        };
        let seller = serde_json::json!({
            "name": document.seller.name,
            "lines": document.seller.lines,
            "logo_sha256": document.logo_png.as_ref().map(|png| hex::encode(Sha256::digest(png))),
        });
        let pdf = {
            let renderer = renderer.clone();
            tokio::task::spawn_blocking(move || renderer.render(&document))
                .await
                .map_err(|e| format!("render: {e}"))?
                .map_err(|e| format!("render: {e}"))?
        };
        let data_dir = state.config().data_dir.clone();
        let pending = archive::stage(&data_dir, &pdf).map_err(|e| format!("archive: {e}"))?;
        let relative = archive::relative_path(&store, kind, &period, &number);
        // Everything the bytes depend on besides the order, so an issued document can be
        // explained (and its settings told apart from today's) without re-rendering it.
        let settings_json = serde_json::json!({
            "numbering": { "prefix": format.prefix, "suffix": format.suffix, "padding": format.padding,
                           "yearly_reset": format.yearly_reset, "start": format.start },
            "seller": seller,
            "timezone": state.config().timezone.iana_name(),
            "renderer": renderer.describe(),
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
            let (store, job_id, number, reference, period) = (
                store.clone(),
                job.id,
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
            state
                .db()
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
                            .map_err(|e| StoreError::Commit(format!("publish {relative}: {e}")))?;
                    }
                    if !matches!(recorded, Recorded::NumberTaken) {
                        jobs::complete(c, job_id, &issued_at)?;
                    }
                    Ok(recorded)
                })
                .await
        };
        match record {
            Ok(Recorded::Issued(_)) => {
                tracing::info!(store = %store, order_id, kind, number = %number, "document issued");
                return Ok(());
            }
            Ok(Recorded::AlreadyIssued) => {
                archive::discard(pending);
                return Ok(());
            }
            Ok(Recorded::NumberTaken) => archive::discard(pending),
            Err(e) => {
                archive::discard(pending);
                return Err(e.to_string());
            }
        }
    }
    Err("the document number kept being taken by concurrent issuers".into())
}
