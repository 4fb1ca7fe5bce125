//! Generators: realistic JSON (a fixture) with fields swapped for hostile values, keys
//! dropped or repeated, the text cut or bytes flipped; and raw bytes.

use std::collections::HashMap;
use std::fmt;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

/// A JSON text, shown as text when it is UTF-8 (for readable failures).
#[derive(Clone)]
pub struct Body(pub Vec<u8>);

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) if text.len() <= 4096 => write!(f, "{text:?}"),
            Ok(text) => write!(
                f,
                "{:?}… ({} bytes)",
                &text[..text.floor_char_boundary(4096)],
                text.len()
            ),
            Err(_) if self.0.len() <= 4096 => write!(f, "bytes {:?}", self.0),
            Err(_) => write!(f, "bytes {:?}… ({} bytes)", &self.0[..4096], self.0.len()),
        }
    }
}

/// A value no honest sender puts in that place, as raw JSON text (some are not JSON).
pub fn hostile() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static str> = vec![
        "null",
        "true",
        "false",
        "0",
        "-1",
        "-0",
        "1.5",
        "-1.5e308",
        "1e999999",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890123456789",
        "4294967296",
        "2147483648",
        "{}",
        "[]",
        "[null]",
        "{\"\":null}",
        "\"\"",
        "\" \"",
        "\"0\"",
        "\"-1\"",
        "\"18446744073709551616\"",
        "\"79228162514264337593543950335\"",
        "\"-79228162514264337593543950335\"",
        "\"79228162514264337593543950336\"",
        "\"0.0000000000000000000000000001\"",
        "\"1e30\"",
        "\"NaN\"",
        "\"inf\"",
        "\"-0.00\"",
        "\"\\u0000\"",
        "\"a\\u0000b\"",
        "\"\\ud800\"",
        "\"\\udc00x\"",
        "\"\\uFEFF1\"",
        "\"9999-12-31T23:59:59\"",
        "\"9999-12-31T23:59:59Z\"",
        "\"-009999-01-01T00:00:00Z\"",
        "\"0000-00-00T00:00:00\"",
        "\"2026-02-30T25:61:61\"",
        "\"1970-01-01T00:00:00\"",
        "\"0001-01-01\"",
        "\"9999-12-31\"",
        "\"2026-11-17T09:10:00+25:00\"",
        "\"2026-11-17T09:10:00[Nowhere/Zone]\"",
        "\"../../etc/passwd\"",
        "\"<script>alert(1)</script>\"",
        "\"Robert'); DROP TABLE orders;--\"",
        "\"%00\"",
        "\"\\r\\n\\t\\u0007\"",
        "\"😀\"",
        "\"\u{202e}\"",
        // Not JSON at all.
        "NaN",
        "Infinity",
        "-",
        "\"",
        "'x'",
        "undefined",
        "01",
        "1.",
        ".5",
        "+1",
        "0x10",
    ];
    prop_oneof![
        3 => proptest::sample::select(fixed).prop_map(|s| s.as_bytes().to_vec()),
        1 => any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        1 => any::<u64>().prop_map(|n| n.to_string().into_bytes()),
        1 => any::<f64>().prop_map(|n| serde_json::to_vec(&n).unwrap_or_else(|_| b"1e400".to_vec())),
        1 => any::<String>().prop_map(|s| serde_json::to_vec(&s).unwrap()),
        1 => (1usize..70_000, any::<char>()).prop_map(|(n, c)| serde_json::to_vec(&c.to_string().repeat(n)).unwrap()),
        // A string with bytes that are not UTF-8 inside the quotes.
        1 => proptest::collection::vec(any::<u8>(), 0..40).prop_map(|b| {
            let mut out = b"\"".to_vec();
            out.extend(b.into_iter().map(|x| if x == b'"' || x == b'\\' { 0xff } else { x }));
            out.push(b'"');
            out
        }),
        // Deep nesting, within and far past what serde_json accepts (128).
        1 => (1usize..5_000, any::<bool>()).prop_map(|(depth, arrays)| {
            let (open, close) = if arrays { ("[", "]") } else { ("{\"a\":", "}") };
            let mut out = open.repeat(depth).into_bytes();
            out.extend_from_slice(b"1");
            out.extend(close.repeat(depth).into_bytes());
            out
        }),
    ]
}

/// What one mutation does at a place of the document.
#[derive(Debug, Clone)]
pub enum Edit {
    Replace(Vec<u8>),
    Remove,
    /// The same key again (or one more array element) with this value.
    Repeat(Vec<u8>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => hostile().prop_map(Edit::Replace),
        2 => Just(Edit::Remove),
        2 => hostile().prop_map(Edit::Repeat),
    ]
}

/// A last mutation of the written text.
#[derive(Debug, Clone)]
pub enum Damage {
    None,
    Truncate(Index),
    Flip(Index, u8),
    Insert(Index, u8),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        8 => Just(Damage::None),
        1 => any::<Index>().prop_map(Damage::Truncate),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Damage::Flip(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Damage::Insert(i, b)),
    ]
}

/// `base` with one to four edits at places picked among all of its values, and maybe
/// damaged text.
pub fn mutated(base: Value) -> impl Strategy<Value = Body> {
    let places = paths(&base);
    let keys = keyed(&base);
    let names: Vec<String> = {
        let mut names: Vec<String> = keys.values().cloned().collect();
        names.sort();
        names.dedup();
        names
    };
    (
        proptest::collection::vec((any::<Index>(), edit()), 1..5),
        // Sometimes one value at every place with the same key (every line's `total`, every
        // `id`): sums and counts across lines meet the hostile value more than once.
        proptest::option::weighted(0.2, (any::<Index>(), hostile())),
        damage(),
    )
        .prop_map(move |(edits, everywhere, damage)| {
            let mut edits: HashMap<Vec<usize>, Edit> = edits
                .into_iter()
                .map(|(at, e)| (places[at.index(places.len())].clone(), e))
                .collect();
            if let Some((at, raw)) = everywhere
                && !names.is_empty()
            {
                let name = &names[at.index(names.len())];
                for (path, key) in &keys {
                    if key == name {
                        edits.insert(path.clone(), Edit::Replace(raw.clone()));
                    }
                }
            }
            let mut out = Vec::new();
            write(&base, &mut Vec::new(), &edits, &mut out);
            apply(damage, &mut out);
            Body(out)
        })
}

/// Mostly mutated fixtures, sometimes raw bytes or any JSON value.
pub fn body(base: Value) -> impl Strategy<Value = Body> {
    prop_oneof![
        8 => mutated(base),
        1 => proptest::collection::vec(any::<u8>(), 0..512).prop_map(Body),
        1 => hostile().prop_map(Body),
    ]
}

fn apply(damage: Damage, out: &mut Vec<u8>) {
    if out.is_empty() {
        return;
    }
    match damage {
        Damage::None => {}
        Damage::Truncate(at) => out.truncate(at.index(out.len())),
        Damage::Flip(at, b) => {
            let i = at.index(out.len());
            out[i] = b;
        }
        Damage::Insert(at, b) => out.insert(at.index(out.len()), b),
    }
}

/// Every place in `value` (the root is the empty path), as child positions.
pub fn paths(value: &Value) -> Vec<Vec<usize>> {
    fn walk(v: &Value, at: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        out.push(at.clone());
        let children: Vec<&Value> = match v {
            Value::Object(m) => m.values().collect(),
            Value::Array(a) => a.iter().collect(),
            _ => return,
        };
        for (i, child) in children.into_iter().enumerate() {
            at.push(i);
            walk(child, at, out);
            at.pop();
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    // The root itself is left to the raw-bytes generator.
    out.retain(|p| !p.is_empty());
    if out.is_empty() {
        out.push(Vec::new());
    }
    out
}

/// The places that are an object's member, with the member's key.
fn keyed(value: &Value) -> HashMap<Vec<usize>, String> {
    fn walk(v: &Value, at: &mut Vec<usize>, out: &mut HashMap<Vec<usize>, String>) {
        match v {
            Value::Object(m) => {
                for (i, (k, child)) in m.iter().enumerate() {
                    at.push(i);
                    out.insert(at.clone(), k.clone());
                    walk(child, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    at.push(i);
                    walk(child, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// Writes `v` as JSON with the edits applied at their places.
fn write(v: &Value, at: &mut Vec<usize>, edits: &HashMap<Vec<usize>, Edit>, out: &mut Vec<u8>) {
    let child =
        |i: usize, at: &mut Vec<usize>, out: &mut Vec<u8>, key: Option<&str>, c: &Value| -> bool {
            at.push(i);
            let edit = edits.get(at.as_slice());
            let wrote = match edit {
                Some(Edit::Remove) => false,
                _ => {
                    if let Some(k) = key {
                        out.extend(serde_json::to_vec(k).unwrap());
                        out.push(b':');
                    }
                    match edit {
                        Some(Edit::Replace(raw)) => out.extend_from_slice(raw),
                        _ => write(c, at, edits, out),
                    }
                    if let Some(Edit::Repeat(raw)) = edit {
                        out.push(b',');
                        if let Some(k) = key {
                            out.extend(serde_json::to_vec(k).unwrap());
                            out.push(b':');
                        }
                        out.extend_from_slice(raw);
                    }
                    true
                }
            };
            at.pop();
            wrote
        };
    match v {
        Value::Object(m) => {
            out.push(b'{');
            let mut first = true;
            for (i, (k, c)) in m.iter().enumerate() {
                let mark = out.len();
                if !first {
                    out.push(b',');
                }
                if child(i, at, out, Some(k), c) {
                    first = false;
                } else {
                    out.truncate(mark);
                }
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            let mut first = true;
            for (i, c) in a.iter().enumerate() {
                let mark = out.len();
                if !first {
                    out.push(b',');
                }
                if child(i, at, out, None, c) {
                    first = false;
                } else {
                    out.truncate(mark);
                }
            }
            out.push(b']');
        }
        other => out.extend(serde_json::to_vec(other).unwrap()),
    }
}

/// Arbitrary bytes, for parsers that must refuse anything.
pub fn bytes() -> impl Strategy<Value = Body> {
    proptest::collection::vec(any::<u8>(), 0..2048).prop_map(Body)
}
