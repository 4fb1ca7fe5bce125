//! The configuration file: the documented example with values swapped for hostile ones,
//! keys dropped and unknown keys added, and arbitrary text. Loading never panics, and a
//! refusal names the key it refuses.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aftercare::config::{Draft, Flags, SourceFile, env_from};
use aftercare::config::{GeneratedSecrets, SecretsFile};
use aftercare::secret::Secret;
use proptest::prelude::*;
use proptest::sample::Index;
use toml::Value;

/// The TOML example of docs/configuration.md, which loads as it is.
fn example() -> toml::Table {
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .unwrap();
    let start = page.find("```toml\n").expect("a TOML example") + 8;
    let text = &page[start..start + page[start..].find("```").unwrap()];
    text.parse().unwrap()
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    At(usize),
}

fn paths(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Table(t) => {
            for (k, v) in t {
                at.push(Step::Key(k.clone()));
                out.push(at.clone());
                paths(v, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                at.push(Step::At(i));
                out.push(at.clone());
                paths(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn hostile() -> impl Strategy<Value = Value> {
    let fixed = vec![
        Value::String(String::new()),
        Value::String(" ".into()),
        Value::String("\0".into()),
        Value::String("-1".into()),
        Value::String("Nowhere/Zone".into()),
        Value::String("ftp://x".into()),
        Value::String("http://".into()),
        Value::String("999.999.999.999:99999".into()),
        Value::String("[::1]:0".into()),
        Value::String("default".into()),
        Value::String("../../etc".into()),
        Value::String("25:99".into()),
        Value::String("9999-12-31".into()),
        Value::String("1e400".into()),
        Value::Integer(0),
        Value::Integer(-1),
        Value::Integer(i64::MAX),
        Value::Integer(i64::MIN),
        Value::Integer(u32::MAX as i64 + 1),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(-0.0),
        Value::Float(1e308),
        Value::Boolean(true),
        Value::Array(vec![]),
        Value::Array(vec![Value::Integer(1), Value::String("a".into())]),
        Value::Table(toml::Table::new()),
        Value::Datetime("1979-05-27T07:32:00Z".parse().unwrap()),
        Value::Datetime("07:32:00".parse().unwrap()),
    ];
    prop_oneof![
        4 => proptest::sample::select(fixed),
        1 => any::<i64>().prop_map(Value::Integer),
        1 => any::<String>().prop_map(Value::String),
        1 => (1usize..10_000).prop_map(|n| Value::String("x".repeat(n))),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(Value),
    Remove,
    Add(String, Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => hostile().prop_map(Edit::Replace),
        2 => Just(Edit::Remove),
        1 => ("[a-z_]{1,12}", hostile()).prop_map(|(k, v)| Edit::Add(k, v)),
    ]
}

fn apply(root: &mut Value, path: &[Step], edit: &Edit) {
    let (last, parents) = path.split_last().unwrap();
    let mut node = root;
    for step in parents {
        node = match (step, node) {
            (Step::Key(k), Value::Table(t)) => t.get_mut(k).unwrap(),
            (Step::At(i), Value::Array(a)) => &mut a[*i],
            _ => unreachable!(),
        };
    }
    match (last, node, edit) {
        (Step::Key(k), Value::Table(t), Edit::Replace(v)) => {
            t.insert(k.clone(), v.clone());
        }
        (Step::Key(k), Value::Table(t), Edit::Remove) => {
            t.remove(k);
        }
        (Step::At(i), Value::Array(a), Edit::Replace(v)) => a[*i] = v.clone(),
        (Step::At(i), Value::Array(a), Edit::Remove) => {
            a.remove(*i);
        }
        (_, Value::Table(t), Edit::Add(k, v)) => {
            t.insert(k.clone(), v.clone());
        }
        _ => {}
    }
}

/// A file and the keys the edits touched (what an error should name).
#[derive(Debug, Clone)]
struct File {
    text: String,
    touched: Vec<String>,
}

fn mutated() -> impl Strategy<Value = File> {
    let base = Value::Table(example());
    let mut all = Vec::new();
    paths(&base, &mut Vec::new(), &mut all);
    proptest::collection::vec((any::<Index>(), edit()), 1..4).prop_map(move |edits| {
        let mut doc = base.clone();
        let mut touched = Vec::new();
        for (at, edit) in edits {
            // Places are taken from the original; an earlier edit may have removed one.
            let path = &all[at.index(all.len())];
            let mut probe = Vec::new();
            paths(&doc, &mut Vec::new(), &mut probe);
            let still_there = probe.iter().any(|p| same(p, path));
            if !still_there {
                continue;
            }
            for step in path {
                if let Step::Key(k) = step {
                    touched.push(k.clone());
                }
            }
            if let Edit::Add(k, _) = &edit {
                touched.push(k.clone());
            }
            apply(&mut doc, path, &edit);
        }
        let text = toml::to_string(&doc).unwrap_or_default();
        File { text, touched }
    })
}

fn same(a: &[Step], b: &[Step]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Step::Key(x), Step::Key(y)) => x == y,
            (Step::At(x), Step::At(y)) => x == y,
            _ => false,
        })
}

/// Parses and completes `text` as start-up would, without the disk.
fn load(text: &str) -> Result<aftercare::config::Config, aftercare::config::ConfigError> {
    let flags = Flags {
        listen: None,
        data_dir: Some(PathBuf::from("/nowhere/data")),
        config: None,
    };
    let env = env_from(BTreeMap::new());
    let file = SourceFile {
        path: PathBuf::from("aftercare.toml"),
        text: text.to_owned(),
    };
    let draft = Draft::parse(&flags, &env, Some(&file))?;
    let secrets = draft.needs_generated_secrets().then(|| GeneratedSecrets {
        webhook_secret: Secret::new("generated-webhook-secret"),
        api_key: Secret::new("ack_generated-api-key-0123456789"),
        file: SecretsFile {
            path: PathBuf::from("/nowhere/data/secrets.toml"),
            fresh: true,
        },
    });
    draft.complete(secrets, None)
}

#[test]
fn the_documented_example_loads() {
    load(&toml::to_string(&example()).unwrap()).unwrap();
}

#[test]
fn a_mutated_config_loads_or_names_the_key_it_refuses() {
    super::check("config::mutated", 400, mutated(), |file| {
        if let Err(error) = load(&file.text) {
            let message = error.to_string();
            prop_assert!(
                file.touched.iter().any(|k| message.contains(k.as_str())),
                "the error names none of {:?}: {message}",
                file.touched
            );
        }
        Ok(())
    });
}

#[test]
fn any_text_as_config_never_panics() {
    let texts = prop_oneof![
        any::<String>(),
        "([a-z_]{1,10} = (\"[^\"]{0,10}\"|-?[0-9]{1,25}|true|\\[\\]|\\{\\})\n|\\[\\[?[a-z_.]{1,20}\\]\\]?\n){0,12}",
    ];
    super::check("config::text", 400, texts, |text| {
        let _ = load(&text);
        Ok(())
    });
}
