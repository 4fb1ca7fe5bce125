//! The SMTP channel: one pooled lettre transport per store (rustls), messages with an HTML
//! and a plain-text part, the `X-Aftercare-*` headers, `List-Unsubscribe` with one-click
//! POST on every message the customer can unsubscribe from, and a `Message-ID` derived
//! from the message id, so a message sent twice is recognisably the same message.

use std::collections::HashMap;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::model::Channel;
use super::render::Rendered;
use super::settings::NotifySettings;
use crate::ids::{MessageId, OrderId, StoreId};

/// How long one exchange with the mail server may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Connections kept open per store: one for each message the mail lane sends at once.
pub const POOL_SIZE: u32 = crate::jobs::MAIL_WIDTH as u32;

/// Each SMTP store's transport, built once at start.
#[derive(Clone, Default)]
pub struct Mailer {
    transports: HashMap<StoreId, (AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

/// What a send came to.
#[derive(Debug)]
pub enum Sent {
    Ok,
    /// Worth another try later: the server is down or said "try again" (4xx).
    Transient(String),
    /// Another try would fail the same way (5xx, a bad address).
    Permanent(String),
}

pub struct Outgoing<'a> {
    pub id: MessageId,
    pub store_id: &'a StoreId,
    pub kind: &'a str,
    pub order_id: OrderId,
    pub to: &'a str,
    pub to_name: &'a str,
    pub rendered: &'a Rendered,
    pub unsubscribe_url: Option<&'a str>,
}

impl Mailer {
    pub fn new(settings: &NotifySettings, stores: &[StoreId]) -> Mailer {
        Mailer::with_pool_size(settings, stores, POOL_SIZE)
    }

    /// [`Mailer::new`] keeping at most `pool_size` connections open per store.
    pub fn with_pool_size(settings: &NotifySettings, stores: &[StoreId], pool_size: u32) -> Mailer {
        let mut transports = HashMap::new();
        for store in stores {
            let own = settings.store(store);
            if own.channel != Channel::Smtp {
                continue;
            }
            let (Some(url), Some(from)) = (&own.smtp_url, &own.mail_from) else {
                continue;
            };
            let from: Mailbox = match from.parse() {
                Ok(from) => from,
                Err(_) => continue, // checked when the configuration was read
            };
            match AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose()) {
                Ok(builder) => {
                    let transport = builder
                        .timeout(Some(TIMEOUT))
                        .pool_config(PoolConfig::new().max_size(pool_size))
                        .build();
                    transports.insert(store.clone(), (transport, from));
                }
                // The URL may carry a password: name the store, never the URL.
                Err(_) => {
                    tracing::error!(store = %store, "the SMTP URL cannot be used; messages of this store will fail")
                }
            }
        }
        Mailer { transports }
    }

    /// Connects to the store's SMTP server, greets it (and logs in when the URL carries
    /// credentials) and sends nothing; `None` when the store does not mail over SMTP.
    pub async fn test_connection(&self, store: &StoreId) -> Option<Result<(), String>> {
        let (transport, _) = self.transports.get(store)?;
        Some(match transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the server did not answer".to_owned()),
            Err(e) => Err(e.to_string()),
        })
    }

    pub async fn send(&self, out: &Outgoing<'_>) -> Sent {
        let Some((transport, from)) = self.transports.get(out.store_id) else {
            return Sent::Permanent("no SMTP transport is configured for this store".into());
        };
        let message = match build(out, from) {
            Ok(message) => message,
            Err(reason) => return Sent::Permanent(reason),
        };
        match transport.send(message).await {
            Ok(_) => Sent::Ok,
            // The server's words may quote the address: keep only the code.
            Err(e) if e.is_permanent() => Sent::Permanent(format!(
                "the mail server refused the message ({})",
                e.status().map(|c| c.to_string()).unwrap_or_default()
            )),
            Err(e) if e.is_transient() => Sent::Transient(format!(
                "the mail server asked to try again later ({})",
                e.status().map(|c| c.to_string()).unwrap_or_default()
            )),
            Err(e) if e.is_timeout() => {
                Sent::Transient("the mail server did not answer in time".into())
            }
            Err(_) => Sent::Transient("the mail server could not be reached".into()),
        }
    }
}

fn header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// `<msg_12.default@shop.example>`: the same for every attempt at one message.
pub fn message_id(id: MessageId, store: &StoreId, from: &Mailbox) -> String {
    format!("<{id}.{store}@{}>", from.email.domain())
}

fn build(out: &Outgoing<'_>, from: &Mailbox) -> Result<Message, String> {
    let address = out
        .to
        .parse()
        .map_err(|_| "the customer's email address is not valid".to_owned())?;
    let name = Some(out.to_name.trim().to_owned()).filter(|n| !n.is_empty());
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(name, address))
        .subject(out.rendered.subject.clone())
        .message_id(Some(message_id(out.id, out.store_id, from)))
        .raw_header(header("X-Aftercare-Message", out.kind.to_owned()));
    // The staff digest is about no one order: no order header rather than a made-up 0.
    if out.order_id.get() != 0 {
        builder = builder.raw_header(header("X-Aftercare-Order", out.order_id.to_string()));
    }
    if let Some(url) = out.unsubscribe_url {
        builder = builder
            .raw_header(header("List-Unsubscribe", format!("<{url}>")))
            .raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            out.rendered.text.clone(),
            out.rendered.html.clone(),
        ))
        .map_err(|_| "the message could not be built".to_owned())
}
