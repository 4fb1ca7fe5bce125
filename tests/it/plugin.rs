//! The WordPress plugin's PHP suites, run as part of `cargo test`: PHPUnit (unit tests and the
//! end-to-end suite against this very binary), and in CI the smoke test in a real WordPress.

use std::path::{Path, PathBuf};
use std::process::Command;

fn plugin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wordpress-plugin")
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Outside CI a machine without PHP skips, loudly; in CI that is a failure.
fn php_or_skip() -> bool {
    let missing: Vec<&str> = ["php", "phpunit"]
        .into_iter()
        .filter(|p| !available(p))
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !in_ci(),
        "CI must run the plugin's PHP suites, but {missing:?} is missing (see .ci/run)"
    );
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !!! SKIPPED the WordPress plugin's PHP tests: {missing:?} not installed.\n\
         !!! apt-get install php-cli php-xml php-mbstring php-curl phpunit gettext\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    false
}

#[test]
fn plugin_phpunit_suites_pass_against_the_real_service() {
    if !php_or_skip() {
        return;
    }
    let out = Command::new("phpunit")
        .args(["--configuration", "phpunit.xml.dist", "--colors=never"])
        .current_dir(plugin_dir())
        .env("AFTERCARE_BIN", env!("CARGO_BIN_EXE_aftercare"))
        .output()
        .expect("run phpunit");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "phpunit failed:\n{stdout}\n{stderr}");
    // The suites must have run, not merely loaded.
    assert!(
        stdout.contains("OK"),
        "phpunit printed no result:\n{stdout}"
    );
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("Tests:") || l.starts_with("OK"));
    eprintln!("plugin PHPUnit: {}", summary.unwrap_or("?"));
}

#[test]
fn plugin_php_files_are_lint_clean() {
    if !php_or_skip() {
        return;
    }
    let mut files = Vec::new();
    collect_php(&plugin_dir(), &mut files);
    assert!(files.len() > 20, "found only {} PHP files", files.len());
    for file in files {
        let out = Command::new("php").arg("-l").arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "php -l {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

fn collect_php(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_php(&path, files);
        } else if path.extension().is_some_and(|e| e == "php") {
            files.push(path);
        }
    }
}

/// Activates the plugin in a real WordPress (Debian's package, MariaDB) with WP_DEBUG on and
/// expects an empty debug log. It needs root to start MariaDB, so it runs in CI, or when
/// AFTERCARE_WP_SMOKE=1 asks for it.
#[test]
fn plugin_activates_cleanly_in_a_real_wordpress() {
    let asked = std::env::var("AFTERCARE_WP_SMOKE").is_ok_and(|v| v == "1");
    if !in_ci() && !asked {
        eprintln!(
            "note: the WordPress smoke test runs in CI or with AFTERCARE_WP_SMOKE=1 \
             (wordpress-plugin/tests/smoke/run.sh)"
        );
        return;
    }
    let out = Command::new("bash")
        .arg(plugin_dir().join("tests/smoke/run.sh"))
        .env("AFTERCARE_BIN", env!("CARGO_BIN_EXE_aftercare"))
        .output()
        .expect("run the smoke test");
    assert!(
        out.status.success(),
        "WordPress smoke test failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
