//! Requests as the API shows them: to the customer (the thread without internal notes)
//! and to staff (everything, with the assignee and the history).

use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Author, Status, Topic};
use super::store::RequestRecord;
use crate::ids::{OrderId, RequestId};

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Customer,
    Staff,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    #[schema(value_type = i64)]
    pub id: RequestId,
    #[schema(value_type = u64)]
    pub order_id: OrderId,
    pub order_number: String,
    pub topic: Topic,
    /// The item asked about, if any.
    pub item: Option<RequestItemView>,
    /// `open` (waiting for the shop) or `solved`.
    pub status: Status,
    pub created_at: String,
    pub updated_at: String,
    /// The thread, oldest first. Customers never see internal notes.
    pub messages: Vec<SupportMessageView>,
    /// Staff only: the staff user the request is assigned to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Staff only: every change of status or assignee, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<RequestEventView>>,
    /// Staff only, while the customer waits for an answer: since when (their first message
    /// after the shop's last public reply). Absent when solved or answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<String>,
}

/// Since when the customer of `r` has been waiting for an answer, if they are.
fn waiting_since(r: &RequestRecord) -> Option<String> {
    if r.status != Status::Open {
        return None;
    }
    let last_reply = r.messages.iter().rposition(|m| m.author == Author::Staff);
    let after = last_reply.map_or(0, |i| i + 1);
    r.messages[after..]
        .iter()
        .find(|m| m.author == Author::Customer)
        .map(|m| m.created_at.clone())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestItemView {
    pub line_item_id: u64,
    pub product_id: Option<u64>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupportMessageView {
    pub id: i64,
    /// `customer`, `staff` (a reply the customer sees) or `note` (staff only).
    pub from: Author,
    /// The staff member who wrote it; absent for the customer's messages.
    pub author: Option<String>,
    /// Plain text exactly as written: escape it when showing it.
    pub body: String,
    pub created_at: String,
    /// The photos attached to this message.
    pub photos: Vec<SupportPhotoView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupportPhotoView {
    /// 1, 2 or 3.
    pub position: i64,
    pub content_type: String,
    pub bytes: u64,
    /// Staff only: where to fetch it with the API key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestEventView {
    /// `opened`, `solved`, `reopened` or `assigned`.
    pub kind: String,
    /// The status after it.
    pub status: String,
    /// `customer` or `staff`.
    pub by: String,
    pub by_name: Option<String>,
    /// For `assigned`: the new assignee (absent: nobody).
    pub assignee: Option<String>,
    pub at: String,
}

impl RequestView {
    pub fn new(r: &RequestRecord, audience: Audience, base_url: &str) -> RequestView {
        let staff = audience == Audience::Staff;
        let messages = r
            .messages
            .iter()
            .filter(|m| staff || m.author.is_public())
            .map(|m| SupportMessageView {
                id: m.id,
                from: m.author,
                author: m.name.clone(),
                body: m.body.clone(),
                created_at: m.created_at.clone(),
                photos: r
                    .photos
                    .iter()
                    .filter(|p| p.message_id == m.id)
                    .map(|p| SupportPhotoView {
                        position: p.position,
                        content_type: p.content_type.clone(),
                        bytes: p.bytes,
                        url: staff.then(|| {
                            format!("{base_url}/api/v1/requests/{}/photos/{}", r.id, p.position)
                        }),
                    })
                    .collect(),
            })
            .collect();
        RequestView {
            id: r.id,
            order_id: r.order_id,
            order_number: r.order_number.clone(),
            topic: r.topic,
            item: r.line_item_id.map(|line_item_id| RequestItemView {
                line_item_id,
                product_id: r.product_id,
                name: r.item_name.clone(),
            }),
            status: r.status,
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
            messages,
            assignee: r.assignee.clone().filter(|_| staff),
            waiting_since: waiting_since(r).filter(|_| staff),
            history: staff.then(|| {
                r.events
                    .iter()
                    .map(|e| RequestEventView {
                        kind: e.kind.clone(),
                        status: e.to_status.clone(),
                        by: e.actor.clone(),
                        by_name: e.actor_name.clone(),
                        assignee: e.assignee.clone(),
                        at: e.at.clone(),
                    })
                    .collect()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StoreId;
    use crate::support::store::MessageRecord;

    fn message(id: i64, author: Author, at: &str) -> MessageRecord {
        MessageRecord {
            id,
            author,
            name: None,
            body: format!("message {id}"),
            created_at: at.into(),
        }
    }

    fn request(status: Status, messages: Vec<MessageRecord>) -> RequestRecord {
        RequestRecord {
            id: RequestId::new(1),
            store_id: StoreId::test("default"),
            order_id: OrderId::new(7),
            order_number: "7".into(),
            customer_id: 42,
            topic: Topic::HowToUse,
            line_item_id: None,
            product_id: None,
            item_name: None,
            status,
            assignee: Some("jane".into()),
            created_at: "t1".into(),
            updated_at: "t9".into(),
            messages,
            photos: Vec::new(),
            events: Vec::new(),
        }
    }

    #[test]
    fn customers_never_see_notes_and_staff_see_who_waits_since_when() {
        let r = request(
            Status::Open,
            vec![
                message(1, Author::Customer, "t1"),
                message(2, Author::Staff, "t2"),
                message(3, Author::Note, "t3"),
                message(4, Author::Customer, "t4"),
                message(5, Author::Customer, "t5"),
            ],
        );
        let customer = RequestView::new(&r, Audience::Customer, "https://a.example");
        let ids: Vec<i64> = customer.messages.iter().map(|m| m.id).collect();
        assert_eq!(ids, [1, 2, 4, 5]);
        assert_eq!(customer.assignee, None);
        assert!(customer.history.is_none() && customer.waiting_since.is_none());
        let staff = RequestView::new(&r, Audience::Staff, "https://a.example");
        assert_eq!(staff.messages.len(), 5);
        assert_eq!(staff.waiting_since.as_deref(), Some("t4"));
        assert_eq!(staff.assignee.as_deref(), Some("jane"));
        // Answered last, or solved: nobody waits.
        let answered = request(
            Status::Open,
            vec![
                message(1, Author::Customer, "t1"),
                message(2, Author::Staff, "t2"),
            ],
        );
        assert_eq!(waiting_since(&answered), None);
        let solved = request(Status::Solved, vec![message(1, Author::Customer, "t1")]);
        assert_eq!(waiting_since(&solved), None);
        let fresh = request(Status::Open, vec![message(1, Author::Customer, "t1")]);
        assert_eq!(waiting_since(&fresh).as_deref(), Some("t1"));
    }
}
