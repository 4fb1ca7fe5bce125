//! What this binary is: its version and the commit it was built from (see `build.rs`).

/// The release, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The commit, or what the packager set in `AFTERCARE_BUILD`; `unknown` without either.
pub const BUILD: &str = env!("AFTERCARE_BUILD");
/// `0.1.0 (build 3f2a9c1d0b7e)`, as `--version` prints it.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (build ",
    env!("AFTERCARE_BUILD"),
    ")"
);
