//! The binary as a newcomer starts it: `aftercare serve` in a folder, nothing else.

use std::process::{Command, Stdio};

use crate::crash::{free_port, wait_ready};

/// `./aftercare.toml` is read without `--config`, like the other defaults; a `data_dir` in it
/// is relative to where aftercare runs; the generated secrets are private and the banner says
/// where they are without printing them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reads_aftercare_toml_from_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    std::fs::write(
        dir.path().join("aftercare.toml"),
        format!("listen = \"127.0.0.1:{port}\"\ndata_dir = \"state\"\n"),
    )
    .unwrap();
    let stdout = dir.path().join("stdout");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("AFTERCARE_CONFIG")
        .env_remove("AFTERCARE_LISTEN")
        .env_remove("AFTERCARE_DATA_DIR")
        .env_remove("AFTERCARE_WEBHOOK_SECRET")
        .env_remove("AFTERCARE_API_KEY")
        .env("AFTERCARE_LOG", "warn")
        .stdout(Stdio::from(std::fs::File::create(&stdout).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Listening on the file's port is the proof that the file was read.
    wait_ready(&reqwest::Client::new(), port).await;
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());

    let secrets = dir.path().join("state").join("secrets.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&secrets).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let banner = std::fs::read_to_string(&stdout).unwrap();
    assert!(
        banner.contains(&format!("http://127.0.0.1:{port}/webhooks/woocommerce")),
        "{banner}"
    );
    assert!(banner.contains("secrets.toml"), "{banner}");
    let stored = std::fs::read_to_string(&secrets).unwrap();
    for line in stored.lines().filter(|l| l.contains('=')) {
        let value = line.split('=').nth(1).unwrap().trim().trim_matches('"');
        assert!(
            !value.is_empty() && !banner.contains(value),
            "a secret was printed"
        );
    }
}

/// With stderr going to a file (a service manager, `2> log`), the log is plain text: no colour
/// escape codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_has_no_colour_codes_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let stderr = dir.path().join("stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("AFTERCARE_CONFIG")
        .env_remove("AFTERCARE_LOG_FORMAT")
        .env_remove("NO_COLOR")
        .env("AFTERCARE_LISTEN", format!("127.0.0.1:{port}"))
        .env("AFTERCARE_DATA_DIR", dir.path().join("state"))
        .env("AFTERCARE_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&stderr).unwrap()))
        .spawn()
        .unwrap();
    wait_ready(&reqwest::Client::new(), port).await;
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());

    let log = std::fs::read_to_string(&stderr).unwrap();
    assert!(log.contains("INFO"), "nothing was logged: {log:?}");
    assert!(!log.contains('\x1b'), "colour codes in the log: {log:?}");
}

/// `--version` names the release and the commit it was built from, as `/healthz` does.
#[test]
fn version_names_the_release_and_the_build() {
    let out = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!(
            "aftercare {} (build {})",
            env!("CARGO_PKG_VERSION"),
            head.trim()
        )
    );
}
