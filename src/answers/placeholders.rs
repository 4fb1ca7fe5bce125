//! Live facts in answers: `{name}` in a question or answer is replaced, when the answer is
//! shown, by that fact about the order as it is now. Values are HTML-escaped into answers
//! (and go into questions as plain text). An entry that uses a fact the order does not have
//! yet (no parcel, no invoice) is not shown: a sentence with a hole helps nobody.

use std::collections::HashMap;

/// Every fact an answer may use.
pub const FACTS: [&str; 10] = [
    "order_number",
    "parcel_status",
    "parcel_location",
    "carrier",
    "tracking_number",
    "tracking_url",
    "eta",
    "invoice_number",
    "invoice_url",
    "return_window_ends",
];

/// The facts that are web addresses: the only ones allowed as a link's `href`.
pub const URL_FACTS: [&str; 2] = ["tracking_url", "invoice_url"];

/// The facts known about one order now.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    values: HashMap<&'static str, String>,
}

impl Facts {
    /// Records `name` (one of [`FACTS`]) when `value` is known and not empty.
    pub fn set(&mut self, name: &'static str, value: Option<String>) {
        debug_assert!(FACTS.contains(&name));
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            self.values.insert(name, v);
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}

/// Each `{name}` in `text`: its byte range and the name.
fn occurrences(text: &str) -> Vec<(usize, usize, &str)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && (bytes[j].is_ascii_lowercase() || bytes[j] == b'_') {
                j += 1;
            }
            if j > start && j < bytes.len() && bytes[j] == b'}' {
                found.push((i, j + 1, &text[start..j]));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The `{names}` in `text` that are not facts (to refuse when the entry is saved).
pub fn unknown(text: &str) -> Vec<String> {
    occurrences(text)
        .into_iter()
        .filter(|(_, _, n)| !FACTS.contains(n))
        .map(|(_, _, n)| n.to_owned())
        .collect()
}

fn fill(text: &str, facts: &Facts, escape: bool) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, name) in occurrences(text) {
        if !FACTS.contains(&name) {
            continue;
        }
        let value = facts.get(name)?;
        out.push_str(&text[last..start]);
        if escape {
            escape_html(value, &mut out);
        } else {
            out.push_str(value);
        }
        last = end;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// The answer's HTML with every fact filled in, escaped; `None` when one is unknown.
pub fn fill_html(html: &str, facts: &Facts) -> Option<String> {
    fill(html, facts, true)
}

/// The question (plain text) with every fact filled in; `None` when one is unknown.
pub fn fill_text(text: &str, facts: &Facts) -> Option<String> {
    fill(text, facts, false)
}

fn escape_html(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_facts_escaped_and_refuses_holes() {
        let mut facts = Facts::default();
        facts.set("eta", Some("2026-12-05".into()));
        facts.set("parcel_location", Some("<b>Incheon</b> & \"hub\"".into()));
        facts.set("invoice_url", None);
        let html = "<p>At {parcel_location}, by {eta}. {not a fact} {x}</p>";
        assert_eq!(
            fill_html(html, &facts).unwrap(),
            "<p>At &lt;b&gt;Incheon&lt;/b&gt; &amp; &quot;hub&quot;, by 2026-12-05. {not a fact} {x}</p>"
        );
        assert_eq!(fill_html("<a href=\"{invoice_url}\">i</a>", &facts), None);
        assert_eq!(
            fill_text("Where is it? {eta}", &facts).unwrap(),
            "Where is it? 2026-12-05"
        );
        assert_eq!(unknown("{eta} {x} {parcel_status} {Eta} {}"), ["x"]);
    }
}
