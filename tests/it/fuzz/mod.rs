//! Fuzzing on stable Rust: property tests with generated inputs (proptest) against every
//! parser that reads what a stranger sends, and the configuration file.
//!
//! Each target runs a short, seeded pass in `cargo test`. A long pass is the same test
//! with a time budget (see docs/testing.md):
//!
//! ```text
//! AFTERCARE_FUZZ_SECS=600 cargo test --test it -- fuzz::webhook --ignored
//! ```
//!
//! The property every time: no panic; bad input gets its 4xx with the error body and
//! changes nothing; valid input still works. What a long pass found is kept in the
//! `regressions` tests of each target, with the minimised input.

mod config;
mod feeds;
mod forms;
pub mod inputs;
mod survey;
mod webhook;

use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};

/// The seed of the short pass, so that `cargo test` is repeatable. `AFTERCARE_FUZZ_SEED`
/// picks another (a long pass starts from it and counts up).
const SEED: u64 = 0x0af7_e2ca_2e18;

/// Seconds a long pass runs each target for; unset: the short pass.
pub const BUDGET_VAR: &str = "AFTERCARE_FUZZ_SECS";

fn seed() -> u64 {
    std::env::var("AFTERCARE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED)
}

fn budget() -> Option<Duration> {
    std::env::var(BUDGET_VAR)
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
}

fn config(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        // Findings are kept as explicit regression tests, not as a seed file.
        failure_persistence: None,
        max_shrink_time: 60_000,
        max_global_rejects: 1_000_000,
        ..Config::default()
    }
}

/// Runs `test` on `cases` inputs of `strategy` (the short pass); with
/// [`BUDGET_VAR`] set, on rounds of fresh seeds until the budget is spent (the long
/// pass). A failure names the seed and the minimised input.
pub fn check<S>(
    target: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let first = seed();
    let Some(budget) = budget() else {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(cases);
        run_round(target, &strategy, &test, cases, first);
        return;
    };
    let started = Instant::now();
    let (mut rounds, mut total) = (0u64, 0u64);
    while started.elapsed() < budget {
        run_round(target, &strategy, &test, cases, first + rounds);
        rounds += 1;
        total += u64::from(cases);
    }
    eprintln!(
        "fuzz {target}: {total} inputs in {rounds} rounds, {:.0} s, seeds {first}..{}",
        started.elapsed().as_secs_f64(),
        first + rounds
    );
}

fn run_round<S>(
    target: &str,
    strategy: &S,
    test: &impl Fn(S::Value) -> Result<(), TestCaseError>,
    cases: u32,
    seed: u64,
) where
    S: Strategy,
    S::Value: Debug,
{
    let mut runner = TestRunner::new(config(cases, seed));
    match runner.run(strategy, test) {
        Ok(()) => {}
        Err(TestError::Fail(reason, input)) => panic!(
            "fuzz {target} failed (AFTERCARE_FUZZ_SEED={seed}): {reason}\nminimal input: {input:?}"
        ),
        Err(TestError::Abort(reason)) => panic!("fuzz {target} aborted (seed {seed}): {reason}"),
    }
}

/// A multi-threaded runtime for the end-to-end targets: the application runs on it, and
/// each generated case is sent with `block_on` from proptest's (synchronous) runner.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The jobs a request enqueues, without the columns the outbox's own worker changes as it
/// runs them (a job deferred earlier may come due at any moment).
pub const JOBS: &str = "SELECT id, store_id, kind, order_id, subject, created_at FROM jobs";

/// Everything in `tables` (a table name, or a query), hashed: equal before and after a
/// refused request means it changed nothing there.
pub fn fingerprint(db: &rusqlite::Connection, tables: &[&str]) -> Vec<(String, usize, u64)> {
    use std::hash::{Hash, Hasher};
    tables
        .iter()
        .map(|table| {
            let sql = if table.contains(' ') {
                (*table).to_owned()
            } else {
                format!("SELECT * FROM {table}")
            };
            let mut stmt = db.prepare(&sql).unwrap();
            let columns = stmt.column_count();
            // Row by row, then sorted: some tables have no rowid to order by.
            let mut rows_seen = Vec::new();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                for i in 0..columns {
                    format!("{:?}", row.get_ref(i).unwrap()).hash(&mut hasher);
                }
                rows_seen.push(hasher.finish());
            }
            rows_seen.sort_unstable();
            let count = rows_seen.len();
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            rows_seen.hash(&mut hasher);
            ((*table).to_owned(), count, hasher.finish())
        })
        .collect()
}

/// The standard error body: `{"error": {"code", "message"}}`, both non-empty strings.
pub fn is_error_body(body: &serde_json::Value) -> bool {
    let code = body["error"]["code"].as_str().unwrap_or_default();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !message.is_empty()
}
