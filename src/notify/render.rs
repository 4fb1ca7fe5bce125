//! A message as the customer reads it: subject, an HTML part (askama, auto-escaped, CSS
//! inline by hand so mail clients keep it) and a plain-text part from the same words.

use askama::Template;
use serde_json::Value;

use super::model::MessageType;
use super::texts::{self, Words};
use crate::tracking::i18n::Lang;
use crate::tracking::page::Brand;
use crate::tracking::settings::Branding;

pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

pub struct ParcelLine {
    pub carrier: String,
    pub number: String,
    pub status: String,
    pub eta: Option<String>,
    pub url: Option<String>,
}

pub struct DelayBlock {
    pub previous: Option<String>,
    pub new_date: Option<String>,
}

#[derive(Template)]
#[template(path = "notify/message.html")]
struct Html<'a> {
    lang: &'static str,
    brand: &'a Brand,
    w: &'a Words,
    parcels: &'a [ParcelLine],
    expected: Option<&'a str>,
    delay: Option<&'a DelayBlock>,
    refund: Option<String>,
    tracking_url: Option<&'a str>,
    unsubscribe_url: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "notify/message.txt")]
struct Text<'a> {
    w: &'a Words,
    parcels: &'a [ParcelLine],
    expected: Option<&'a str>,
    delay: Option<&'a DelayBlock>,
    refund: Option<String>,
    tracking_url: Option<&'a str>,
    unsubscribe_url: Option<&'a str>,
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Renders a message of `kind` from its data; `branding` is the store's
/// `[tracking.branding]` (colours, logo), the data names the shop.
pub fn render(
    kind: MessageType,
    lang: Lang,
    data: &Value,
    branding: &Branding,
) -> Result<Rendered, askama::Error> {
    let w = texts::words(kind, lang, data);
    let shop = crate::shop::Storefront {
        name: opt(&data["shop"]["name"]),
        url: opt(&data["shop"]["url"]),
        logo_url: opt(&data["shop"]["logo_url"]),
    };
    let brand = Brand::new(branding, &shop, lang.t());
    // A message about one parcel shows that parcel; the others show all of them.
    let about: Vec<&Value> = match &data["parcel"] {
        Value::Object(_) => vec![&data["parcel"]],
        _ => data["parcels"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
    };
    let parcels: Vec<ParcelLine> = about
        .into_iter()
        .map(|p| ParcelLine {
            carrier: opt(&p["carrier_name"]).unwrap_or_default(),
            number: opt(&p["number"]).unwrap_or_default(),
            status: crate::tracking::status::ParcelStatus::parse(
                p["status"].as_str().unwrap_or(""),
            )
            .map(|s| lang.t().status(s).to_owned())
            .unwrap_or_default(),
            eta: opt(&p["eta"]),
            url: opt(&p["carrier_url"])
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })
        .collect();
    let expected = data["expected_date"].as_str();
    let delay = data["delay"].is_object().then(|| DelayBlock {
        previous: opt(&data["delay"]["previous_date"]),
        new_date: opt(&data["delay"]["new_date"]),
    });
    let refund = data["return"]["refund"]["amount"].as_str().map(|a| {
        format!(
            "{a} {}",
            data["return"]["refund"]["currency"]
                .as_str()
                .unwrap_or_default()
        )
    });
    let tracking_url = data["tracking_url"].as_str();
    let unsubscribe_url = data["unsubscribe_url"].as_str();
    let html = Html {
        lang: lang.code(),
        brand: &brand,
        w: &w,
        parcels: &parcels,
        expected,
        delay: delay.as_ref(),
        refund: refund.clone(),
        tracking_url,
        unsubscribe_url,
    }
    .render()?;
    let text = Text {
        w: &w,
        parcels: &parcels,
        expected,
        delay: delay.as_ref(),
        refund,
        tracking_url,
        unsubscribe_url,
    }
    .render()?;
    Ok(Rendered {
        subject: w.subject,
        html,
        text,
    })
}
