//! The documentation works as written: the commands README.md and docs/ give for reading the
//! generated secrets print exactly the secret, and docs/openapi.json is the document the
//! service serves.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use aftercare::webhook::signature::sign;

use crate::crash::{free_port, wait_ready};
use crate::helpers::{TestApp, order_body};

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_file(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The pages a reader may copy a secrets command from.
fn pages() -> Vec<String> {
    let mut pages = vec!["README.md".to_owned()];
    for entry in std::fs::read_dir(repo_file("docs")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            pages.push(format!("docs/{name}"));
        }
    }
    pages
}

/// Every `grep '^field' aftercare-data/secrets.toml | cut ...` in a page, as (field, command).
fn secrets_commands(text: &str) -> Vec<(String, String)> {
    const START: &str = "grep '^";
    text.lines()
        .filter_map(|line| {
            let rest = &line[line.find(START)?..];
            let command = &rest[..rest.find("-f2")? + "-f2".len()];
            let field = rest[START.len()..].split('\'').next()?;
            command
                .contains("secrets.toml")
                .then(|| (field.to_owned(), command.to_owned()))
        })
        .collect()
}

/// Stops the service even when an assertion fails first.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let _ = self.0.wait();
    }
}

/// A newcomer runs `aftercare serve` in an empty folder and then the README's command for the
/// API key: it must print the key alone (the generated file also names `api_key` in a comment),
/// and that key must open the API. The same holds for every such command in docs/.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_secrets_commands_print_exactly_the_secret() {
    let readme = read("README.md");
    assert!(
        secrets_commands(&readme)
            .iter()
            .any(|(field, _)| field == "api_key"),
        "README.md shows how to read the API key"
    );
    let commands: Vec<(String, String, String)> = pages()
        .into_iter()
        .flat_map(|page| {
            secrets_commands(&read(&page))
                .into_iter()
                .map(move |(field, command)| (page.clone(), field, command))
        })
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _service = Running(
        Command::new(env!("CARGO_BIN_EXE_aftercare"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .current_dir(dir.path())
            .env_remove("AFTERCARE_CONFIG")
            .env_remove("AFTERCARE_LISTEN")
            .env_remove("AFTERCARE_DATA_DIR")
            .env_remove("AFTERCARE_WEBHOOK_SECRET")
            .env_remove("AFTERCARE_WEBHOOK_SECRET_PREVIOUS")
            .env_remove("AFTERCARE_API_KEY")
            .env("AFTERCARE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;

    for (page, field, command) in commands {
        let output = Command::new("sh")
            .args(["-c", &command])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{page}: `{command}` failed");
        let printed = String::from_utf8(output.stdout).unwrap();
        let value = printed.strip_suffix('\n').unwrap_or(&printed);
        assert!(
            !value.is_empty() && !value.contains(char::is_whitespace),
            "{page}: `{command}` must print one value alone, printed {} lines",
            printed.lines().count()
        );
        let status = match field.as_str() {
            "api_key" => client
                .get(format!("http://127.0.0.1:{port}/api/v1/store/health"))
                .bearer_auth(value)
                .send()
                .await
                .unwrap()
                .status(),
            "webhook_secret" => {
                let body = order_body(1001, 0, "2026-11-14T01:12:05");
                client
                    .post(format!("http://127.0.0.1:{port}/webhooks/woocommerce"))
                    .header("content-type", "application/json")
                    .header("x-wc-webhook-topic", "order.created")
                    .header("x-wc-webhook-signature", sign(&body, value))
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
            other => panic!("{page}: `{command}` reads `{other}`, which no test checks"),
        };
        assert_eq!(status, 200, "{page}: `{command}` printed a wrong {field}");
    }
}

/// docs/openapi.json is a copy of the generated document, for readers without a running
/// service. When the API changes, the test leaves the new document beside the build.
#[tokio::test]
async fn docs_openapi_json_is_the_served_document() {
    let app = TestApp::spawn().await;
    let (status, served) = app.get("/api/v1/openapi.json").await;
    app.stop().await;
    assert_eq!(status, 200);
    let copy: serde_json::Value = serde_json::from_str(&read("docs/openapi.json")).unwrap();
    if copy != served {
        let fresh = Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi.json");
        let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
        std::fs::write(&fresh, text).unwrap();
        panic!(
            "docs/openapi.json differs from the served document; if the API change is meant, \
             run: cp {} docs/openapi.json",
            fresh.display()
        );
    }
}
