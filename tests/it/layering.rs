//! The layering that `docs/architecture.md` draws, checked against the sources: every import
//! between top-level modules of `src/` points down the list below, so there is no cycle and
//! nothing outside `src/http/` reaches the edge. A new module must be placed in the list.

use std::collections::BTreeSet;
use std::path::Path;

/// Top-level modules from the top down; a module may import only those after it. Modules on
/// one line of the architecture page that do not import each other share a rank.
const LAYERS: &[&[&str]] = &[
    // The command line and the doctor: the whole configuration, every domain below.
    &["cli", "doctor"],
    &["http"],
    &["background"],
    &["startup"],
    // Backups: the command line's, of the whole data directory.
    &["backup"],
    &["config"],
    // The customer's rights: reads and anonymises the records of every domain below.
    &["privacy"],
    // Insights read what support, tracking, returns and surveys recorded, never the reverse.
    &["order_view", "insights"],
    // Customer messages: above the domains whose events it tells of.
    &["notify"],
    // Support requests: told of by notify, shown by the order view; above what they carry.
    &["support"],
    // Surveys: sent through notify, planned from tracking's and returns' facts.
    &["surveys"],
    // Answers before the question and product guides: read by the order view and the
    // messages, reading tracking's words and states.
    &["answers", "guides"],
    &["feeds"],
    &["sync"],
    &["webhook"],
    &["ingest"],
    &["tracking"],
    &["invoice"],
    &["returns"],
    // The shop's own facts (profile, seller, address formats, time zone); above the mirror it
    // may read.
    &["shop"],
    &["orders"],
    // Signed events to the stores' endpoints: below what publishes them, above the outbox.
    &["signed_events"],
    // Its counters are labelled by store id; it reads the store's write health and the
    // outbox's backlog at each scrape.
    &["metrics"],
    &["jobs", "woo"],
    &["store"],
    // Customer photos: checked and staged for returns and support requests alike.
    &["photos"],
    // SVG charts: drawn from plain numbers, for insights.
    &["charts"],
    &[
        "ids",
        "secret",
        "invalid",
        "validation",
        "time",
        "money",
        "version",
    ],
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// `crate::name` paths in a file's code (not its comments or its unit tests), with the line.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines.peek().is_some_and(|(_, next)| next.contains("mod "))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((n + 1, name));
            }
            // `use crate::{a, b::c}` names several modules at once.
            if rest.starts_with('{') {
                let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
                for item in group.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if !name.is_empty() && name != "self" {
                        found.push((n + 1, name));
                    }
                }
            }
        }
    }
    found
}

fn rust_files(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn every_import_between_top_level_modules_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = BTreeSet::new();
    let mut unplaced = BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(from) = rank(&top) else {
            unplaced.insert(top);
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, target) in crate_paths(&text) {
            if target == top {
                continue;
            }
            match rank(&target) {
                Some(to) if to > from => {}
                Some(_) => {
                    wrong.insert(format!(
                        "src/{}:{line}: {top} imports {target}",
                        relative.display()
                    ));
                }
                None => {
                    unplaced.insert(target);
                }
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "top-level modules missing from LAYERS (place them, and in docs/architecture.md): {unplaced:?}"
    );
    assert!(
        wrong.is_empty(),
        "imports that point up or sideways (see docs/architecture.md):\n{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
}
