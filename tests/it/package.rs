//! The Debian package, as a store owner meets it: built from this build's binary by
//! `packaging/deb/build.sh`, installed with `dpkg -i` on this machine (CI runs as root),
//! its unit checked by `systemd-analyze verify`, the service run as its unit runs it (or by
//! systemd itself where systemd is PID 1), `doctor` on the packaged configuration and on a
//! broken one, and purged again, leaving the data behind as documented.

use std::path::Path;
use std::process::{Command, Output};

use crate::crash::{free_port, wait_ready};
use crate::helpers::missing_tool;

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Purges the package and what its installation made, however the test ends.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = run("dpkg", &["--purge", "aftercare"]);
        let _ = std::fs::remove_dir_all("/var/lib/aftercare");
        let _ = run("userdel", &["aftercare"]);
        let _ = run("groupdel", &["aftercare"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debian_package_installs_disabled_verifies_and_serves_as_its_unit_says() {
    for (tool, package) in [
        ("dpkg-deb", "dpkg"),
        ("objcopy", "binutils"),
        ("systemd-analyze", "systemd"),
        ("runuser", "util-linux"),
        ("adduser", "adduser"),
    ] {
        if run("sh", &["-c", &format!("command -v {tool}")])
            .status
            .code()
            != Some(0)
        {
            missing_tool(tool, package);
            return;
        }
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        missing_tool(
            "root (to install a package)",
            "run the tests as root, as CI does",
        );
        return;
    }
    assert!(
        !run("dpkg", &["-s", "aftercare"]).status.success(),
        "aftercare is already installed on this machine: this test installs and purges its own"
    );

    // Built from this very binary.
    let out = tempfile::tempdir().unwrap();
    let build = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/deb/build.sh"))
        .arg(env!("CARGO_BIN_EXE_aftercare"))
        .arg(out.path())
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", text(&build));
    let deb = String::from_utf8(build.stdout).unwrap().trim().to_owned();
    let info = text(&run("dpkg-deb", &["--field", &deb, "Package", "Version"]));
    assert!(info.contains("Package: aftercare"), "{info}");
    assert!(
        info.contains(&format!("Version: {}", env!("CARGO_PKG_VERSION"))),
        "{info}"
    );
    let contents = text(&run("dpkg-deb", &["--contents", &deb]));
    for (mode, file) in [
        ("-rwxr-xr-x root/root", "./usr/bin/aftercare"),
        (
            "-rw-r--r-- root/root",
            "./usr/lib/systemd/system/aftercare.service",
        ),
        ("-rw-r--r-- root/root", "./etc/aftercare/aftercare.toml"),
        ("-rw-r----- root/root", "./etc/aftercare/aftercare.env"),
    ] {
        assert!(
            contents
                .lines()
                .any(|l| l.starts_with(mode) && l.ends_with(file)),
            "{file} ({mode}) in:\n{contents}"
        );
    }

    let _installed = Installed;
    let installed = run("dpkg", &["-i", &deb]);
    assert!(installed.status.success(), "{}", text(&installed));
    assert!(
        text(&installed).contains("systemctl enable --now aftercare"),
        "the owner is told the next steps: {}",
        text(&installed)
    );
    // Its own user and a private data dir; nothing enabled, nothing started.
    assert!(run("id", &["aftercare"]).status.success());
    let data = std::fs::metadata("/var/lib/aftercare").unwrap();
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    assert_eq!(data.permissions().mode() & 0o777, 0o700);
    let env = std::fs::metadata("/etc/aftercare/aftercare.env").unwrap();
    assert_eq!(env.permissions().mode() & 0o777, 0o640);
    assert!(
        !Path::new("/etc/systemd/system/multi-user.target.wants/aftercare.service").exists(),
        "the service must not be enabled before it is configured"
    );
    let version = text(&run("/usr/bin/aftercare", &["--version"]));
    assert!(
        version.starts_with(&format!("aftercare {} (build ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );

    // The unit as systemd reads it, and the hardening it promises.
    let unit = "/usr/lib/systemd/system/aftercare.service";
    let verified = run("systemd-analyze", &["verify", unit]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        text(&verified).trim().is_empty(),
        "systemd-analyze verify has remarks:\n{}",
        text(&verified)
    );
    let unit_text = std::fs::read_to_string(unit).unwrap();
    for line in [
        "User=aftercare",
        "StateDirectory=aftercare",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
    ] {
        assert!(unit_text.lines().any(|l| l == line), "{line} in the unit");
    }

    // doctor as the service's user: the packaged configuration is in order ...
    let doctor = |config: &str| {
        run(
            "runuser",
            &[
                "-u",
                "aftercare",
                "--",
                "/usr/bin/aftercare",
                "--config",
                config,
                "--data-dir",
                "/var/lib/aftercare",
                "doctor",
            ],
        )
    };
    let good = doctor("/etc/aftercare/aftercare.toml");
    assert!(good.status.success(), "{}", text(&good));
    assert!(!text(&good).contains("FAIL"), "{}", text(&good));
    // ... and a broken one is named.
    let broken = out.path().join("broken.toml");
    std::fs::write(&broken, "listen = \"not an address\"\n").unwrap();
    std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(out.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bad = doctor(broken.to_str().unwrap());
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(text(&bad).contains("FAIL  configuration"), "{}", text(&bad));
    assert!(text(&bad).contains("listen"), "{}", text(&bad));

    // Served as the unit serves it: its user, its environment file, its command line.
    let port = free_port();
    let systemd = Path::new("/run/systemd/system").is_dir();
    let mut manual = None;
    if systemd {
        std::fs::write(
            "/etc/aftercare/aftercare.env",
            format!("AFTERCARE_LISTEN=127.0.0.1:{port}\n"),
        )
        .unwrap();
        let started = run("systemctl", &["start", "aftercare"]);
        assert!(started.status.success(), "{}", text(&started));
    } else {
        let exec = unit_text
            .lines()
            .find_map(|l| l.strip_prefix("ExecStart="))
            .unwrap();
        let args: Vec<&str> = exec.split_whitespace().collect();
        let id = |flag: &str| -> u32 {
            String::from_utf8(run("id", &[flag, "aftercare"]).stdout)
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        };
        use std::os::unix::process::CommandExt as _;
        manual = Some(
            Command::new(args[0])
                .args(&args[1..])
                .uid(id("-u"))
                .gid(id("-g"))
                .env("AFTERCARE_LISTEN", format!("127.0.0.1:{port}"))
                .env("AFTERCARE_LOG", "warn")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;
    let health: serde_json::Value = client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"), "{health}");
    // Its first start wrote its secrets and database, owned by its user, private.
    let secrets = std::fs::metadata("/var/lib/aftercare/secrets.toml").unwrap();
    let user: u32 = String::from_utf8(run("id", &["-u", "aftercare"]).stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(secrets.uid(), user);
    assert_eq!(secrets.permissions().mode() & 0o777, 0o600);
    assert!(Path::new("/var/lib/aftercare/aftercare.sqlite3").exists());
    if let Some(mut child) = manual {
        // SIGTERM, as systemd stops it: it exits cleanly.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        assert!(child.wait().unwrap().success());
    } else {
        assert!(run("systemctl", &["stop", "aftercare"]).status.success());
    }

    // Purged: the program goes, the shop's data stays (invoices are kept for years).
    let purged = run("dpkg", &["--purge", "aftercare"]);
    assert!(purged.status.success(), "{}", text(&purged));
    assert!(!Path::new("/usr/bin/aftercare").exists());
    assert!(!Path::new("/etc/aftercare/aftercare.toml").exists());
    assert!(Path::new("/var/lib/aftercare/aftercare.sqlite3").exists());
}
