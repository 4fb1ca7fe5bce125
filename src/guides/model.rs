//! A product's guide as staff write it: a short getting-started text and links, kept for a
//! product, a variation or a SKU.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::validation::FieldError;

pub const MAX_TEXT_CHARS: usize = 2_000;
pub const MAX_LINKS: usize = 10;
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_URL_BYTES: usize = 2_000;
pub const MAX_SKU_BYTES: usize = 100;

/// What a guide is kept for. A line item takes its variation's guide, else its SKU's,
/// else its product's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Product(u64),
    Variation(u64),
    Sku(String),
}

impl Scope {
    /// (`scope`, `scope_key`) as stored.
    pub fn key(&self) -> (&'static str, String) {
        match self {
            Scope::Product(id) => ("product", id.to_string()),
            Scope::Variation(id) => ("variation", id.to_string()),
            Scope::Sku(sku) => ("sku", sku.clone()),
        }
    }

    /// A SKU as it appears in a path: 1-100 bytes, no control characters.
    pub fn sku(text: &str) -> Option<Scope> {
        let t = text.trim();
        (!t.is_empty() && t.len() <= MAX_SKU_BYTES && !t.chars().any(char::is_control))
            .then(|| Scope::Sku(t.to_owned()))
    }
}

/// `PUT /api/v1/products/{product_id}/guide` (and the variation and SKU forms).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuideRequest {
    /// Plain text, up to 2000 characters; line breaks are kept.
    pub text: String,
    /// Up to 10 links, each an http or https address with a title.
    #[serde(default)]
    pub links: Vec<LinkRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub title: String,
    pub url: String,
}

/// A valid guide, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGuide {
    pub text: String,
    /// (title, url)
    pub links: Vec<(String, String)>,
}

/// Whether `url` is an absolute http(s) address with a host: the only kind a guide
/// link (and so the redirect) may lead to.
pub fn is_web_url(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

impl GuideRequest {
    pub fn validate(self) -> Result<NewGuide, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = self.text.trim().replace("\r\n", "\n");
        if text.chars().count() > MAX_TEXT_CHARS {
            errors.push(FieldError::new(
                "text",
                format!("must be at most {MAX_TEXT_CHARS} characters"),
            ));
        } else if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            errors.push(FieldError::new("text", "must be plain text"));
        }
        if text.is_empty() && self.links.is_empty() {
            errors.push(FieldError::new("text", "a guide needs a text or a link"));
        }
        if self.links.len() > MAX_LINKS {
            errors.push(FieldError::new(
                "links",
                format!("may hold at most {MAX_LINKS} links"),
            ));
        }
        let mut links = Vec::new();
        for (i, link) in self.links.into_iter().enumerate() {
            let title = link.title.trim().to_owned();
            let url = link.url.trim().to_owned();
            if title.is_empty()
                || title.chars().count() > MAX_TITLE_CHARS
                || title.chars().any(char::is_control)
            {
                errors.push(FieldError::new(
                    format!("links[{i}].title"),
                    format!("must be one line of 1-{MAX_TITLE_CHARS} characters"),
                ));
            }
            if url.len() > MAX_URL_BYTES || !is_web_url(&url) {
                errors.push(FieldError::new(
                    format!("links[{i}].url"),
                    "must be an http or https address",
                ));
                continue;
            }
            // Stored as parsed: ASCII only (percent-encoded), so always a valid Location.
            let url = url::Url::parse(&url).map(String::from).unwrap_or(url);
            links.push((title, url));
        }
        if errors.is_empty() {
            Ok(NewGuide { text, links })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(title: &str, url: &str) -> LinkRequest {
        LinkRequest {
            title: title.into(),
            url: url.into(),
        }
    }

    #[test]
    fn only_web_links_with_titles() {
        let bad = GuideRequest {
            text: "x".repeat(MAX_TEXT_CHARS + 1),
            links: vec![
                link("Video", "javascript:alert(1)"),
                link("", "https://example.com/m.pdf"),
                link("Rel", "/relative"),
                link("Data", "data:text/html,<script>x</script>"),
            ],
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            [
                "text",
                "links[0].url",
                "links[1].title",
                "links[2].url",
                "links[3].url"
            ]
        );
        let ok = GuideRequest {
            text: " First charge the battery.\r\nThen pair. ".into(),
            links: vec![link(" Setup video ", "https://video.example/setup")],
        }
        .validate()
        .unwrap();
        assert_eq!(ok.text, "First charge the battery.\nThen pair.");
        assert_eq!(
            ok.links,
            [(
                "Setup video".to_owned(),
                "https://video.example/setup".to_owned()
            )]
        );
        assert!(Scope::sku("").is_none() && Scope::sku("A\u{0}").is_none());
    }
}
