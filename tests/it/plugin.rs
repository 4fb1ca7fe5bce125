//! The WordPress plugin's PHP suites, run as part of `cargo test`: PHPUnit (unit tests and the
//! end-to-end suite against this very binary). The real WordPress + WooCommerce store is
//! `real_store.rs`.

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

/// Set to `1` to let the PHP tests skip when `php` or `phpunit` is missing, or when PHPUnit
/// skips some of its tests, instead of failing. For a machine that cannot install them; CI
/// never sets it, and it counts for nothing there.
const ALLOW_MISSING_TOOLS: &str = "AFTERCARE_ALLOW_MISSING_TOOLS";

fn missing_tools_allowed() -> bool {
    !in_ci() && std::env::var(ALLOW_MISSING_TOOLS).is_ok_and(|v| v == "1")
}

/// Whether the PHP tests can run. A missing tool fails the test, so that `cargo test` cannot
/// report them as passed without running them, unless the opt-out above is set.
fn php_or_skip() -> bool {
    let missing: Vec<&str> = ["php", "phpunit"]
        .into_iter()
        .filter(|p| !available(p))
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        missing_tools_allowed(),
        "the WordPress plugin's PHP tests need {missing:?}, which is not installed: \
         apt-get install php-cli php-xml php-mbstring php-curl phpunit gettext \
         (or set {ALLOW_MISSING_TOOLS}=1 to skip them on this machine)"
    );
    eprintln!(
        "\n!!! SKIPPED the WordPress plugin's PHP tests: {missing:?} not installed \
         ({ALLOW_MISSING_TOOLS}=1 is set)\n"
    );
    false
}

/// What PHPUnit's summary says about a run that exited successfully.
#[derive(Debug, PartialEq, Eq)]
enum PhpunitOutcome {
    /// `OK (N tests, M assertions)`: every test ran and passed.
    Passed { tests: u64 },
    /// `OK, but incomplete, skipped, or risky tests!`: passed, but some tests did not run
    /// (or did not really test anything); `summary` is the `Tests: ...` line with the counts.
    PassedWithGaps { summary: String },
    /// No summary PHPUnit prints for a passing run: failures, errors, no tests at all.
    NotPassed,
}

fn phpunit_outcome(stdout: &str) -> PhpunitOutcome {
    let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("OK (") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let counted = rest[digits.len()..].starts_with(" test");
            return match digits.parse::<u64>() {
                Ok(tests) if counted && tests > 0 => PhpunitOutcome::Passed { tests },
                _ => PhpunitOutcome::NotPassed,
            };
        }
        if line.starts_with("OK, but") {
            let summary = lines[i + 1..]
                .iter()
                .find(|l| l.starts_with("Tests:"))
                .map_or_else(|| (*line).to_owned(), |l| (*l).to_owned());
            return PhpunitOutcome::PassedWithGaps { summary };
        }
    }
    PhpunitOutcome::NotPassed
}

#[test]
fn plugin_phpunit_suites_pass_against_the_real_service() {
    if !php_or_skip() {
        return;
    }
    let mut args = vec![
        "--configuration",
        "phpunit.xml.dist",
        "--colors=never",
        "--verbose",
    ];
    if !missing_tools_allowed() {
        // Every test must run: a skipped one (no gettext, no binary) is a failure.
        args.extend(["--fail-on-skipped", "--fail-on-incomplete"]);
    }
    let out = Command::new("phpunit")
        .args(&args)
        .current_dir(plugin_dir())
        .env("AFTERCARE_BIN", env!("CARGO_BIN_EXE_aftercare"))
        .output()
        .expect("run phpunit");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "phpunit failed:\n{stdout}\n{stderr}");
    let left = test_servers_running();
    assert!(
        left.is_empty(),
        "the PHP suites left their `php -S` servers running: {left:?}"
    );
    match phpunit_outcome(&stdout) {
        PhpunitOutcome::Passed { tests } => {
            eprintln!("plugin PHPUnit: all {tests} tests passed");
        }
        PhpunitOutcome::PassedWithGaps { summary } => {
            assert!(
                missing_tools_allowed(),
                "every plugin PHP test must run, but some were skipped, incomplete or risky \
                 ({summary}; set {ALLOW_MISSING_TOOLS}=1 to allow that on this machine):\n{stdout}"
            );
            eprintln!(
                "\n!!! NOT ALL of the WordPress plugin's PHP tests ran: {summary} \
                 ({ALLOW_MISSING_TOOLS}=1 is set; the reasons are in PHPUnit's output below)\n{stdout}"
            );
        }
        PhpunitOutcome::NotPassed => {
            panic!("phpunit printed no passing summary:\n{stdout}\n{stderr}")
        }
    }
}

/// The `php -S` processes (servers and their workers) still serving this plugin's test
/// routers: a suite that has finished must have stopped every one.
fn test_servers_running() -> Vec<String> {
    let routers = plugin_dir().join("tests/support");
    let routers = routers.to_string_lossy();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| {
            let status = std::fs::read_to_string(e.path().join("status")).ok()?;
            // A zombie has ended and only waits to be reaped.
            if status
                .lines()
                .any(|l| l.starts_with("State:") && l.contains('Z'))
            {
                return None;
            }
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let args: Vec<String> = cmdline
                .split(|&b| b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let serving =
                args.iter().any(|a| a == "-S") && args.iter().any(|a| a.starts_with(&*routers));
            serving.then(|| format!("{} {}", e.file_name().to_string_lossy(), args.join(" ")))
        })
        .collect()
}

#[test]
fn phpunit_summaries_are_read_strictly() {
    let all = "PHPUnit 9.6.7\n\n.....  5 / 5 (100%)\n\nTime: 00:01.000, Memory: 8.00 MB\n\nOK (5 tests, 12 assertions)\n";
    assert_eq!(phpunit_outcome(all), PhpunitOutcome::Passed { tests: 5 });
    assert_eq!(
        phpunit_outcome("OK (1 test, 1 assertion)\n"),
        PhpunitOutcome::Passed { tests: 1 }
    );
    let skipped = "..S..  5 / 5 (100%)\n\nThere was 1 skipped test:\n\n1) TranslationsTest::test_mo\nmsgfmt (gettext) is not installed\n\nOK, but incomplete, skipped, or risky tests!\nTests: 5, Assertions: 10, Skipped: 1.\n";
    assert_eq!(
        phpunit_outcome(skipped),
        PhpunitOutcome::PassedWithGaps {
            summary: "Tests: 5, Assertions: 10, Skipped: 1.".to_owned()
        }
    );
    assert!(matches!(
        phpunit_outcome("OK, but some tests were skipped!\nTests: 3, Assertions: 3, Skipped: 2.\n"),
        PhpunitOutcome::PassedWithGaps { .. }
    ));
    for not_passed in [
        "No tests executed!\n",
        "OK (0 tests, 0 assertions)\n",
        "FAILURES!\nTests: 5, Assertions: 9, Failures: 1.\n",
        "ERRORS!\nTests: 5, Assertions: 9, Errors: 1.\n",
        "Fatal error: Uncaught Error: Call to undefined function wc_add_notice() in class-customer-actions.php\n",
        "",
    ] {
        assert_eq!(
            phpunit_outcome(not_passed),
            PhpunitOutcome::NotPassed,
            "{not_passed}"
        );
    }
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
