//! Returns as the API shows them: to customers (what they asked, where it stands, what
//! they get) and to staff (the same plus photos and how the money is being moved).

use serde::Serialize;
use utoipa::ToSchema;

use super::eligibility::ItemEligibility;
use super::model::{Actor, Status};
use super::store::ReturnRecord;
use crate::ids::{OrderId, ReturnId};
use crate::time;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnView {
    #[schema(value_type = i64)]
    pub id: ReturnId,
    #[schema(value_type = u64)]
    pub order_id: OrderId,
    pub order_number: String,
    /// `requested`, `approved`, `rejected`, `received`, `refunded`, `exchanged`, `credited`
    /// or `cancelled`.
    pub status: String,
    /// What the customer asked for: `refund`, `exchange` or `store_credit`.
    pub resolution: String,
    pub comment: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub items: Vec<ReturnItemView>,
    /// Every change of state, oldest first, starting with the request.
    pub history: Vec<ReturnTransitionView>,
    pub photos: Vec<ReturnPhotoView>,
    /// What the refund or store credit comes to, once the return is refunded or credited.
    pub amount: Option<String>,
    pub currency: String,
    /// The coupon code of a store credit, once WooCommerce has created it.
    pub store_credit_code: Option<String>,
    /// Whether the customer may still withdraw the return.
    pub can_cancel: bool,
    /// Staff only: carrying out the refund or credit in WooCommerce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settlement: Option<SettlementView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnItemView {
    pub line_item_id: u64,
    /// The item's name on the order.
    pub name: Option<String>,
    pub quantity: i64,
    pub reason: String,
    pub reason_text: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnTransitionView {
    /// Absent for the request itself.
    pub from: Option<String>,
    pub to: String,
    pub at: String,
    /// `customer` or `staff`.
    pub by: String,
    /// The staff member's name, when the shop gave one.
    pub by_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnPhotoView {
    pub position: i64,
    pub content_type: String,
    pub bytes: u64,
    /// Staff: `GET` with the API key.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SettlementView {
    /// `pending`, `done` or `failed` (failed attempts are retried with backoff).
    pub status: String,
    pub attempts: i64,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The WooCommerce refund, once made.
    pub wc_refund_id: Option<u64>,
    pub coupon_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReturnEligibilityView {
    pub line_item_id: u64,
    pub returnable_quantity: i64,
    /// The end of the return window, once it has started (delivery, else completion for an
    /// item no parcel is carrying).
    pub returnable_until: Option<String>,
    /// Why nothing (more) can be returned: `not_paid`, `order_closed`, `not_delivered`,
    /// `window_closed`, `non_returnable` or `nothing_left`.
    pub reason: Option<String>,
    /// The same, as a sentence for the customer.
    pub message: Option<String>,
}

impl From<&ItemEligibility> for ReturnEligibilityView {
    fn from(e: &ItemEligibility) -> Self {
        ReturnEligibilityView {
            line_item_id: e.line_item_id,
            returnable_quantity: e.returnable_quantity,
            returnable_until: e.returnable_until.map(time::seconds),
            reason: e.refusal.map(|r| r.code().to_owned()),
            message: e.refusal.map(|r| r.message().to_owned()),
        }
    }
}

/// Who is looking: staff see photos' addresses and the settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Customer,
    Staff,
}

impl ReturnView {
    pub fn new(r: &ReturnRecord, audience: Audience, base_url: &str) -> Self {
        let status = Status::parse(&r.status);
        let staff = audience == Audience::Staff;
        ReturnView {
            id: r.id,
            order_id: r.order_id,
            order_number: r.order_number.clone(),
            status: r.status.clone(),
            resolution: r.resolution.clone(),
            comment: r.comment.clone(),
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
            items: r
                .items
                .iter()
                .map(|i| ReturnItemView {
                    line_item_id: i.line_item_id,
                    name: i.name.clone(),
                    quantity: i.quantity,
                    reason: i.reason.clone(),
                    reason_text: i.reason_text.clone(),
                })
                .collect(),
            history: r
                .events
                .iter()
                .map(|e| ReturnTransitionView {
                    from: e.from_status.clone(),
                    to: e.to_status.clone(),
                    at: e.at.clone(),
                    by: e.actor.clone(),
                    by_name: e.actor_name.clone(),
                    note: e.note.clone(),
                })
                .collect(),
            photos: r
                .photos
                .iter()
                .map(|p| ReturnPhotoView {
                    position: p.position,
                    content_type: p.content_type.clone(),
                    bytes: p.bytes,
                    url: format!("{base_url}/api/v1/returns/{}/photos/{}", r.id, p.position),
                })
                .collect(),
            amount: r.amount.clone(),
            currency: r.currency.clone(),
            store_credit_code: r.coupon_code.clone(),
            can_cancel: status.is_some_and(|s| s.can_move_to(Status::Cancelled, Actor::Customer)),
            settlement: (staff && r.settlement.is_some()).then(|| SettlementView {
                status: r.settlement.clone().unwrap_or_default(),
                attempts: r.settlement_attempts,
                error: r.settlement_error.clone(),
                wc_refund_id: r.wc_refund_id,
                coupon_code: r.coupon_code.clone(),
            }),
        }
    }
}
