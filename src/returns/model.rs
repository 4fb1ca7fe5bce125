//! What a return is: its reasons, wished resolutions, states and the transitions between
//! them. Pure rules, no storage.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why an item goes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Damaged,
    WrongItem,
    NotAsDescribed,
    TooSmall,
    TooLarge,
    ChangedMind,
    /// Needs `reason_text`.
    Other,
}

impl Reason {
    pub const ALL: [Reason; 7] = [
        Reason::Damaged,
        Reason::WrongItem,
        Reason::NotAsDescribed,
        Reason::TooSmall,
        Reason::TooLarge,
        Reason::ChangedMind,
        Reason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Damaged => "damaged",
            Reason::WrongItem => "wrong_item",
            Reason::NotAsDescribed => "not_as_described",
            Reason::TooSmall => "too_small",
            Reason::TooLarge => "too_large",
            Reason::ChangedMind => "changed_mind",
            Reason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What the customer would like instead of the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    Refund,
    Exchange,
    StoreCredit,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [
        Resolution::Refund,
        Resolution::Exchange,
        Resolution::StoreCredit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Refund => "refund",
            Resolution::Exchange => "exchange",
            Resolution::StoreCredit => "store_credit",
        }
    }

    pub fn parse(text: &str) -> Option<Resolution> {
        Resolution::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Where a return stands. `requested` → `approved` | `rejected` | `cancelled`;
/// `approved` → `received` | `cancelled`; `received` → `refunded` | `exchanged` |
/// `credited`. The last five are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Requested,
    Approved,
    Rejected,
    Received,
    Refunded,
    Exchanged,
    Credited,
    Cancelled,
}

/// Who moves a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Customer,
    Staff,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Customer => "customer",
            Actor::Staff => "staff",
        }
    }
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Requested,
        Status::Approved,
        Status::Rejected,
        Status::Received,
        Status::Refunded,
        Status::Exchanged,
        Status::Credited,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Requested => "requested",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Received => "received",
            Status::Refunded => "refunded",
            Status::Exchanged => "exchanged",
            Status::Credited => "credited",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the items of a return in this state still count against what can be
    /// returned: open returns and accepted ones do, refused and withdrawn ones do not.
    pub fn holds_items(self) -> bool {
        !matches!(self, Status::Rejected | Status::Cancelled)
    }

    /// The states `actor` may move a return to from this one.
    pub fn next(self, actor: Actor) -> &'static [Status] {
        use Status::*;
        match (self, actor) {
            (Requested, Actor::Customer) => &[Cancelled],
            (Requested, Actor::Staff) => &[Approved, Rejected, Cancelled],
            (Approved, Actor::Staff) => &[Received, Cancelled],
            (Received, Actor::Staff) => &[Refunded, Exchanged, Credited],
            _ => &[],
        }
    }

    pub fn can_move_to(self, to: Status, actor: Actor) -> bool {
        self.next(actor).contains(&to)
    }

    pub fn is_final(self) -> bool {
        self.next(Actor::Staff).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_follows_the_lifecycle() {
        use Status::*;
        let staff = |from: Status, to: Status| from.can_move_to(to, Actor::Staff);
        let customer = |from: Status, to: Status| from.can_move_to(to, Actor::Customer);
        let allowed_for_staff = [
            (Requested, Approved),
            (Requested, Rejected),
            (Requested, Cancelled),
            (Approved, Received),
            (Approved, Cancelled),
            (Received, Refunded),
            (Received, Exchanged),
            (Received, Credited),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(
                    staff(from, to),
                    allowed_for_staff.contains(&(from, to)),
                    "staff {from:?} -> {to:?}"
                );
                assert_eq!(
                    customer(from, to),
                    (from, to) == (Requested, Cancelled),
                    "customer {from:?} -> {to:?}"
                );
            }
        }
        for done in [Rejected, Refunded, Exchanged, Credited, Cancelled] {
            assert!(done.is_final());
        }
        assert!(!Requested.is_final() && !Approved.is_final() && !Received.is_final());
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        for r in Resolution::ALL {
            assert_eq!(Resolution::parse(r.as_str()), Some(r));
        }
        assert_eq!(Status::parse("Approved"), None);
    }

    #[test]
    fn refused_and_withdrawn_returns_release_their_items() {
        assert!(!Status::Rejected.holds_items());
        assert!(!Status::Cancelled.holds_items());
        for s in [
            Status::Requested,
            Status::Approved,
            Status::Received,
            Status::Refunded,
            Status::Exchanged,
            Status::Credited,
        ] {
            assert!(s.holds_items());
        }
    }
}
