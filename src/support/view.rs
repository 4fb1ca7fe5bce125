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
