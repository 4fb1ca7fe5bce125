//! Stamps the binary with the commit it was built from, for `--version` and `/healthz`.
//! A packager without a git checkout sets `AFTERCARE_BUILD` instead.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=AFTERCARE_BUILD");
    let build = std::env::var("AFTERCARE_BUILD")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=AFTERCARE_BUILD={build}");
    // Built again when HEAD moves: a commit, a checkout. Only files that exist are named:
    // cargo runs this script again on every build for a missing one (a repository without
    // packed refs).
    for path in ["HEAD", "packed-refs"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path])
            && std::path::Path::new(&p).exists()
        {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(p) = git(&["rev-parse", "--git-path", &branch])
        && std::path::Path::new(&p).exists()
    {
        println!("cargo:rerun-if-changed={p}");
    }
}
