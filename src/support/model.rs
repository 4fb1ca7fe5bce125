//! What a support request is: its topics, its statuses, who writes in its thread, and the
//! table of every allowed transition. Pure rules, no storage.

use serde::Serialize;
use utoipa::ToSchema;

/// What the customer asks about (a closed list: the form offers exactly these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RequestTopic)]
pub enum Topic {
    WhereIsMyOrder,
    DamagedOrWrongItem,
    InvoiceAndBilling,
    ReturnOrExchange,
    HowToUse,
    SomethingElse,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::WhereIsMyOrder,
        Topic::DamagedOrWrongItem,
        Topic::InvoiceAndBilling,
        Topic::ReturnOrExchange,
        Topic::HowToUse,
        Topic::SomethingElse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::WhereIsMyOrder => "where_is_my_order",
            Topic::DamagedOrWrongItem => "damaged_or_wrong_item",
            Topic::InvoiceAndBilling => "invoice_and_billing",
            Topic::ReturnOrExchange => "return_or_exchange",
            Topic::HowToUse => "how_to_use",
            Topic::SomethingElse => "something_else",
        }
    }

    pub fn parse(text: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// `` `a`, `b` `` for messages that list what is accepted.
    pub fn known() -> String {
        Topic::ALL
            .iter()
            .map(|t| format!("`{}`", t.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where a request stands: `open` waits for the shop, `solved` is done until the customer
/// writes again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RequestStatus)]
pub enum Status {
    Open,
    Solved,
}

impl Status {
    pub const ALL: [Status; 2] = [Status::Open, Status::Solved];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Solved => "solved",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The status after `event`, or `None` when the event is not allowed from this one.
    pub fn after(self, event: Event) -> Option<Status> {
        TRANSITIONS
            .iter()
            .find(|(from, e, _)| *from == self && *e == event)
            .map(|(_, _, to)| *to)
    }
}

/// What happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// The customer writes (the opening message or a reply).
    CustomerMessage,
    /// Staff answer the customer.
    StaffReply,
    /// Staff write a note only staff see.
    InternalNote,
    /// Staff mark the request solved.
    Solve,
    /// Staff open a solved request again.
    Reopen,
    /// Staff hand the request to someone (or to nobody).
    Assign,
}

/// Every allowed transition, `(from, event, to)`; anything not listed is refused. A
/// customer's message on a solved request reopens it; staff replies and notes leave the
/// status as it is; solving a solved request or reopening an open one is a conflict.
pub const TRANSITIONS: &[(Status, Event, Status)] = &[
    (Status::Open, Event::CustomerMessage, Status::Open),
    (Status::Solved, Event::CustomerMessage, Status::Open),
    (Status::Open, Event::StaffReply, Status::Open),
    (Status::Solved, Event::StaffReply, Status::Solved),
    (Status::Open, Event::InternalNote, Status::Open),
    (Status::Solved, Event::InternalNote, Status::Solved),
    (Status::Open, Event::Solve, Status::Solved),
    (Status::Solved, Event::Reopen, Status::Open),
    (Status::Open, Event::Assign, Status::Open),
    (Status::Solved, Event::Assign, Status::Solved),
];

/// Who wrote a message of the thread. Only `staff` messages are shown to the customer as
/// the shop's answer and count as a response; `note`s are for staff alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = MessageAuthor)]
pub enum Author {
    Customer,
    Staff,
    Note,
}

impl Author {
    pub const ALL: [Author; 3] = [Author::Customer, Author::Staff, Author::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            Author::Customer => "customer",
            Author::Staff => "staff",
            Author::Note => "note",
        }
    }

    pub fn parse(text: &str) -> Option<Author> {
        Author::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// Whether the customer sees it.
    pub fn is_public(self) -> bool {
        self != Author::Note
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [Event; 6] = [
        Event::CustomerMessage,
        Event::StaffReply,
        Event::InternalNote,
        Event::Solve,
        Event::Reopen,
        Event::Assign,
    ];

    #[test]
    fn every_transition_follows_the_table() {
        use Status::*;
        let expected = |from: Status, event: Event| -> Option<Status> {
            match (from, event) {
                (_, Event::CustomerMessage) => Some(Open),
                (Open, Event::Solve) => Some(Solved),
                (Solved, Event::Reopen) => Some(Open),
                (Solved, Event::Solve) | (Open, Event::Reopen) => None,
                (s, Event::StaffReply | Event::InternalNote | Event::Assign) => Some(s),
            }
        };
        for from in Status::ALL {
            for event in EVENTS {
                assert_eq!(
                    from.after(event),
                    expected(from, event),
                    "{from:?} {event:?}"
                );
            }
        }
        // One row per (from, event): the table never says two things.
        for (i, (from, event, _)) in TRANSITIONS.iter().enumerate() {
            assert!(
                !TRANSITIONS[..i]
                    .iter()
                    .any(|(f, e, _)| f == from && e == event)
            );
        }
    }

    #[test]
    fn a_customer_reply_reopens_and_notes_stay_private() {
        assert_eq!(
            Status::Solved.after(Event::CustomerMessage),
            Some(Status::Open)
        );
        assert_eq!(
            Status::Solved.after(Event::StaffReply),
            Some(Status::Solved)
        );
        assert!(!Author::Note.is_public());
        assert!(Author::Staff.is_public() && Author::Customer.is_public());
    }

    #[test]
    fn names_round_trip() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for a in Author::ALL {
            assert_eq!(Author::parse(a.as_str()), Some(a));
        }
        assert_eq!(Topic::parse("Where_is_my_order"), None);
        assert_eq!(Topic::parse("refund_now"), None);
    }
}
