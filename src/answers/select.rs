//! Which entries fit an order right now.
//!
//! An entry fits when it is in the customer's language and each of its condition lists is
//! empty or holds the order's value: its status, its delivery state, one of its products
//! (product or variation id), and — when the customer chose a topic — that topic (without
//! a chosen topic, topics do not narrow). It is shown only when every fact it uses is
//! known now. The most specific first (the number of conditions the order met), then the
//! oldest; at most [`CAP`].

use serde::Serialize;
use utoipa::ToSchema;

use super::model::Entry;
use super::placeholders::{self, Facts};
use super::topic::Topic;
use crate::tracking::i18n::Lang;
use crate::tracking::status::DeliveryState;

/// Most entries shown in one place (Help Scout's suggestion box holds five, too).
pub const CAP: usize = 5;

/// The order as the selection sees it.
pub struct Situation<'a> {
    pub status: &'a str,
    pub delivery_state: DeliveryState,
    /// Product and variation ids of its line items.
    pub product_ids: &'a [u64],
    pub lang: Lang,
    pub topic: Option<Topic>,
}

/// An entry as a customer sees it, facts filled in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShownAnswer {
    pub id: i64,
    /// Plain text: escape it when showing it.
    pub question: String,
    /// Sanitised HTML with the order's facts filled in (escaped): safe to show as is.
    pub answer: String,
    pub topics: Vec<Topic>,
}

/// How many of the entry's conditions the order meets, or `None` when one fails.
fn score(e: &Entry, s: &Situation<'_>) -> Option<usize> {
    if e.lang != s.lang {
        return None;
    }
    let w = &e.when;
    let mut met = 0;
    if !w.order_statuses.is_empty() {
        w.order_statuses
            .iter()
            .any(|x| x == s.status)
            .then_some(())?;
        met += 1;
    }
    if !w.delivery_states.is_empty() {
        w.delivery_states
            .iter()
            .any(|x| x == s.delivery_state.as_str())
            .then_some(())?;
        met += 1;
    }
    if !w.product_ids.is_empty() {
        w.product_ids
            .iter()
            .any(|p| s.product_ids.contains(p))
            .then_some(())?;
        met += 1;
    }
    if let Some(topic) = s.topic
        && !w.topics.is_empty()
    {
        w.topics.contains(&topic).then_some(())?;
        met += 1;
    }
    Some(met)
}

/// The entries that fit `s` now, best first, facts filled in.
pub fn select(entries: &[Entry], s: &Situation<'_>, facts: &Facts) -> Vec<ShownAnswer> {
    let mut fitting: Vec<(usize, i64, ShownAnswer)> = entries
        .iter()
        .filter_map(|e| {
            let met = score(e, s)?;
            let question = placeholders::fill_text(&e.question, facts)?;
            let answer = placeholders::fill_html(&e.answer, facts)?;
            Some((
                met,
                e.id,
                ShownAnswer {
                    id: e.id,
                    question,
                    answer,
                    topics: e.when.topics.clone(),
                },
            ))
        })
        .collect();
    fitting.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    fitting.into_iter().take(CAP).map(|(_, _, a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::model::When;

    fn entry(id: i64, lang: Lang, answer: &str, when: When) -> Entry {
        Entry {
            id,
            question: format!("Q{id}"),
            answer: answer.into(),
            lang,
            when,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn fits_by_state_ranks_by_specificity_and_skips_unknown_facts() {
        let shipped = When {
            delivery_states: vec!["shipped".into()],
            topics: vec![Topic::WhereIsMyOrder],
            ..When::default()
        };
        let entries = vec![
            entry(1, Lang::En, "<p>General</p>", When::default()),
            entry(
                2,
                Lang::En,
                "<p>At {parcel_location}, due {eta}</p>",
                shipped.clone(),
            ),
            entry(3, Lang::Ko, "<p>배송 중</p>", shipped.clone()),
            entry(
                4,
                Lang::En,
                "<p>Delivered</p>",
                When {
                    delivery_states: vec!["delivered".into()],
                    ..When::default()
                },
            ),
            entry(
                5,
                Lang::En,
                "<p><a href=\"{invoice_url}\">Invoice</a></p>",
                When {
                    topics: vec![Topic::InvoiceAndBilling],
                    ..When::default()
                },
            ),
            entry(
                6,
                Lang::En,
                "<p>Drone</p>",
                When {
                    product_ids: vec![77],
                    order_statuses: vec!["processing".into()],
                    ..When::default()
                },
            ),
        ];
        let mut facts = Facts::default();
        facts.set("parcel_location", Some("Incheon".into()));
        facts.set("eta", Some("2026-12-05".into()));
        let s = Situation {
            status: "processing",
            delivery_state: DeliveryState::Shipped,
            product_ids: &[77, 78],
            lang: Lang::En,
            topic: None,
        };
        let ids: Vec<i64> = select(&entries, &s, &facts).iter().map(|a| a.id).collect();
        // 6 meets two conditions, 2 one, 1 none; 5 needs an invoice the order lacks.
        assert_eq!(ids, [6, 2, 1]);
        let shown = select(&entries, &s, &facts);
        assert_eq!(shown[1].answer, "<p>At Incheon, due 2026-12-05</p>");
        // A chosen topic narrows the entries that name topics.
        facts.set("invoice_url", Some("https://a.example/i?x=1&y=2".into()));
        let billing = Situation {
            topic: Some(Topic::InvoiceAndBilling),
            ..s
        };
        let ids: Vec<i64> = select(&entries, &billing, &facts)
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, [6, 5, 1]);
        assert!(
            select(&entries, &billing, &facts)[1]
                .answer
                .contains("x=1&amp;y=2")
        );
        let ko = Situation {
            lang: Lang::Ko,
            topic: None,
            ..billing
        };
        let ids: Vec<i64> = select(&entries, &ko, &facts).iter().map(|a| a.id).collect();
        assert_eq!(ids, [3]);
        // Never more than the cap.
        let many: Vec<Entry> = (1..=9)
            .map(|i| entry(i, Lang::En, "<p>x</p>", When::default()))
            .collect();
        assert_eq!(select(&many, &s, &facts).len(), CAP);
    }
}
