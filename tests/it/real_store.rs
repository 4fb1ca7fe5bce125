//! The plugin inside a real WordPress + WooCommerce store on loopback, end to end:
//! `wordpress-plugin/tests/store/e2e.py` brings the store up once (the archives in
//! `AFTERCARE_TESTBED`, default `../shared/testbed`), runs every step against this very binary,
//! writes its screenshots and tears everything down. It fails loudly when the store cannot
//! start: there is no silent skip.
//!
//! Screenshots go under the target directory so a test run leaves the tree clean; to refresh
//! the ones in the docs, run it with `AFTERCARE_SCREENSHOTS_DIR=docs/screenshots`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Well above the few minutes a run takes on two busy cores; a hung step must not hang CI.
const LIMIT: Duration = Duration::from_secs(20 * 60);

#[test]
fn the_plugin_works_in_a_real_woocommerce_store() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let driver = repo.join("wordpress-plugin/tests/store/e2e.py");
    let shots = std::env::var_os("AFTERCARE_SCREENSHOTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("real-store-screenshots"));
    let started = Instant::now();
    let mut child = Command::new("python3")
        .arg("-B") // no __pycache__ in the source tree
        .arg(&driver)
        .arg(env!("CARGO_BIN_EXE_aftercare"))
        .arg(&shots)
        .current_dir(repo)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", driver.display()));
    // Read the output on threads so a chatty run cannot block on a full pipe.
    let stdout = child.stdout.take().map(read_all);
    let stderr = child.stderr.take().map(read_all);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the store test") {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            // SIGTERM lets the driver tear the store down before it exits.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            std::thread::sleep(Duration::from_secs(20));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let out = stdout.map(|h| h.join().unwrap()).unwrap_or_default();
    let err = stderr.map(|h| h.join().unwrap()).unwrap_or_default();
    eprintln!("{err}");
    match status {
        Some(s) if s.success() => {
            eprintln!("real store: passed in {:.0?}", started.elapsed());
        }
        Some(s) => panic!("the real-store test failed ({s}):\n{out}\n{err}"),
        None => panic!("the real-store test ran longer than {LIMIT:?}:\n{out}\n{err}"),
    }
}

fn read_all(mut from: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = from.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}
