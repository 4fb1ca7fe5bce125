//! Insights benchmark over a generated mirror of `INSIGHTS_ORDERS` orders (default
//! 1,000,000 over three years), `INSIGHTS_REQUESTS` support requests (default 200,000) and
//! `INSIGHTS_ANSWERS` answered surveys (default 100,000), in a real SQLite file:
//!
//! 1. The mirror (`mirror.rs`), generated once per parameters into
//!    `target/insights-bench/` and reused (`INSIGHTS_SEED` picks another one).
//!
//! Run: `cargo bench --bench insights`.

#[path = "insights/mirror.rs"]
mod mirror;

use std::path::{Path, PathBuf};
use std::time::Instant;

use mirror::Params;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Where generated mirrors are kept between runs.
fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("insights-bench")
}

/// The mirror for `params`, generated first if no earlier run left it.
fn mirror(params: &Params) -> PathBuf {
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(params.file_name());
    if path.exists() {
        println!("mirror: reusing {}", path.display());
        return path;
    }
    // Written beside and renamed: an interrupted run leaves no half mirror to reuse.
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    println!("mirror: generating {params:?}");
    let started = Instant::now();
    let counts = mirror::generate(&partial, params).unwrap();
    std::fs::rename(&partial, &path).unwrap();
    println!(
        "mirror: generated in {:.1} s ({} customers): {counts:?}, {:.0} MiB",
        started.elapsed().as_secs_f64(),
        counts.customers,
        std::fs::metadata(&path).unwrap().len() as f64 / 1048576.0
    );
    path
}

fn main() {
    let params = Params {
        orders: env_or("INSIGHTS_ORDERS", 1_000_000),
        requests: env_or("INSIGHTS_REQUESTS", 200_000),
        answers: env_or("INSIGHTS_ANSWERS", 100_000),
        seed: env_or("INSIGHTS_SEED", 0x05EE_D1A5) as u64,
    };
    let path = mirror(&params);
    println!("mirror: {}", path.display());
}
