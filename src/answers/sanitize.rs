//! The answer's rich text: HTML through a small allowlist (paragraphs, line breaks,
//! emphasis, lists, level 3-4 headings, links to http, https and mailto). Everything else
//! is dropped, scripts and styles with their content.

use std::collections::{HashMap, HashSet};

use super::placeholders::URL_FACTS;

/// A fixed absolute stand-in for a URL placeholder in `href`, so the sanitiser (which
/// refuses relative URLs) keeps `<a href="{invoice_url}">`; put back afterwards.
const STAND_IN: &str = "https://placeholder.aftercare.invalid/";

/// The answer as stored: sanitised HTML with its placeholders intact.
pub fn clean(html: &str) -> String {
    let mut input = html.to_owned();
    for name in URL_FACTS {
        input = input.replace(&format!("{{{name}}}"), &format!("{STAND_IN}{name}"));
    }
    let cleaned = ammonia::Builder::empty()
        .tags(HashSet::from([
            "p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4",
        ]))
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean_content_tags(HashSet::from(["script", "style"]))
        .strip_comments(true)
        .clean(&input)
        .to_string();
    let mut out = cleaned;
    for name in URL_FACTS {
        out = out.replace(&format!("{STAND_IN}{name}"), &format!("{{{name}}}"));
    }
    out
}

/// `javascript:`, `data:` and other non-web links, which the sanitiser would silently
/// drop: refused outright so staff see why.
pub fn has_unsafe_link(html: &str) -> bool {
    let lower: String = html
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    ["javascript:", "vbscript:", "data:"].iter().any(|scheme| {
        ["href=\"", "href='", "href="]
            .iter()
            .any(|attr| lower.contains(&format!("{attr}{scheme}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_allowlist_and_drops_the_rest() {
        let dirty = "<h3>Title</h3><p onclick=\"x()\">Hi <strong>there</strong> <em>you</em><br>\
                     <script>alert(1)</script><img src=x onerror=alert(1)>\
                     <a href=\"https://example.com/a\" target=\"_blank\">a</a>\
                     <a href=\"/relative\">r</a><span style=\"color:red\">s</span></p>\
                     <ul><li>one</li></ul><ol><li>two</li></ol><h4>x</h4><h1>big</h1><!-- c -->";
        let clean = clean(dirty);
        assert!(
            !clean.contains("script") && !clean.contains("alert"),
            "{clean}"
        );
        assert!(
            !clean.contains("onclick") && !clean.contains("<img"),
            "{clean}"
        );
        assert!(!clean.contains("<span") && !clean.contains("<h1") && !clean.contains("<!--"));
        assert!(clean.contains("<h3>Title</h3>") && clean.contains("<h4>x</h4>"));
        assert!(clean.contains("<strong>there</strong>") && clean.contains("<br>"));
        assert!(clean.contains("<ul><li>one</li></ul><ol><li>two</li></ol>"));
        assert!(
            clean.contains(
                "<a href=\"https://example.com/a\" rel=\"noopener noreferrer nofollow\">a</a>"
            ),
            "{clean}"
        );
        assert!(!clean.contains("/relative"), "{clean}");
    }

    #[test]
    fn url_placeholders_survive_in_links_and_unsafe_schemes_are_seen() {
        let clean = clean("<p><a href=\"{invoice_url}\">Invoice</a> by {eta}</p>");
        assert_eq!(
            clean,
            "<p><a href=\"{invoice_url}\" rel=\"noopener noreferrer nofollow\">Invoice</a> by {eta}</p>"
        );
        assert!(has_unsafe_link("<a href=\"java\tscript:alert(1)\">x</a>"));
        assert!(has_unsafe_link("<a href='JavaScript:alert(1)'>x</a>"));
        assert!(!has_unsafe_link("<a href=\"https://example.com\">x</a>"));
        assert!(!has_unsafe_link(
            "<p>Your data: safe. Try javascript: no.</p>"
        ));
    }
}
