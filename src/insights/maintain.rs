//! Folding changed records into the aggregates. Each record's contribution now is compared
//! with the one it made last time and only the difference is written, so a record that
//! changes a hundred times still counts once.

use std::collections::BTreeSet;

use rusqlite::Connection;

use super::Context;
use super::contribution::{self, Contribution};
use super::day::Day;
use super::measure::Entity;
use super::sources;
use super::store;
use crate::store::StoreError;

/// Records folded per call: one writer job stays short next to webhook writes. Folding an
/// order reads and parses its body; 500 at once held the writer for some 70 ms, which every
/// delivery queued behind it waited out (the ingest bench's p99); 64 keep that near 10 ms.
pub const BATCH: usize = 64;

/// Folds up to [`BATCH`] pending records of the store and returns how many it folded (0:
/// the figures are current). Rebuilds everything first when the store's calendar, support
/// hours or active days changed since the aggregates were made.
pub fn catch_up(conn: &Connection, ctx: &Context) -> Result<usize, StoreError> {
    let basis = ctx.basis();
    if store::basis(conn, &ctx.store)?.as_deref() != Some(basis.as_str()) {
        store::start_over(conn, &ctx.store, &basis)?;
    }
    let batch = store::pending(conn, &ctx.store, BATCH)?;
    let mut customers = BTreeSet::new();
    for &(entity, id) in &batch {
        let now = match entity {
            Entity::Order => {
                let (now, touched) = sources::order::fold(conn, ctx, id)?;
                customers.extend(touched);
                now
            }
            Entity::Survey => sources::survey::contribution(conn, ctx, id)?,
            Entity::Request => sources::request::contribution(conn, ctx, id)?,
            Entity::Deflection => sources::deflection::contribution(conn, ctx, id)?,
            Entity::Shipment => sources::shipment::contribution(conn, ctx, id)?,
            Entity::Return => sources::returned::contribution(conn, ctx, id)?,
            // Never noted by a trigger: derived from orders below.
            Entity::Customer => Contribution::default(),
        };
        replace(conn, ctx, entity, &id.to_string(), &now)?;
        store::done(conn, &ctx.store, entity, id)?;
    }
    for customer in customers {
        let now = sources::customer::contribution(conn, ctx, &customer)?;
        replace(conn, ctx, Entity::Customer, &customer, &now)?;
    }
    Ok(batch.len())
}

/// Applies the difference between what the record contributed and what it does now.
fn replace(
    conn: &Connection,
    ctx: &Context,
    entity: Entity,
    id: &str,
    now: &Contribution,
) -> Result<(), StoreError> {
    let before = store::contribution(conn, &ctx.store, entity, id)?;
    if &before == now {
        return Ok(());
    }
    let (counts, lists) = contribution::diff(&before, now);
    for ((measure, key, day), delta) in counts {
        store::add_count(conn, &ctx.store, measure, &key, Day(day), delta)?;
    }
    for ((measure, key, day), change) in lists {
        store::change_values(conn, &ctx.store, measure, &key, Day(day), &change)?;
    }
    store::save_contribution(conn, &ctx.store, entity, id, now)
}
