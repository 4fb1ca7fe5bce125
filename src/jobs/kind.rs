//! What a job is for, as stored in `jobs.kind`, and the lane that runs it.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// Every kind of job the outbox carries. Each domain registers the handler of its own
/// kinds at start-up; the runner only knows the names and the lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Invoice an order (subject 0).
    IssueInvoice,
    /// A credit note for a refund (subject: the WooCommerce refund id).
    IssueCreditNote,
    /// Move a return's money in WooCommerce (subject: the return id).
    SettleReturn,
    /// Re-check an order's delay alerts.
    EvaluateDelays,
    /// Tell the customer about a delay (subject: the alert id).
    NotifyDelay,
    /// Bring a parcel's tracking-feed subscription in line with the parcel (subject: the
    /// shipment id).
    FollowParcel,
    /// Send a store's due signed events to its endpoints (subject 0, order 0).
    DeliverEvents,
    /// A parcel's status changed: decide whether the customer hears of it (subject: the
    /// shipment id).
    NotifyParcel,
    /// A return moved: decide whether the customer hears of it (subject: the return id).
    NotifyReturn,
    /// Send one decided message through its channel (subject: the message id).
    SendMessage,
    /// The order was paid: aftercare's own order confirmation, when switched on (subject 0).
    NotifyOrder,
    /// Staff answered a support request: tell the customer (subject: the reply's message id).
    NotifySupport,
    /// A store's daily staff digest, due at the configured hour (subject 0, order 0);
    /// reschedules itself for the next day.
    StaffDigest,
    /// A parcel of the order was delivered (or stopped being): plan the order's NPS survey
    /// for N days after its last delivery (subject 0).
    SurveyDelivery,
    /// A return closed: its CSAT survey (subject: the return id).
    SurveyReturn,
    /// A support request was solved: its CSAT survey (subject: the request id).
    SurveyRequest,
    /// A survey was decided: send it as a message (subject: the survey id).
    NotifySurvey,
    /// Write a survey's answer onto the WooCommerce order as a note (subject: the survey id).
    SurveyNote,
    /// The order's last parcel was delivered: the `product_guide` message, due some days
    /// later (subject 0).
    NotifyGuide,
    /// A store's daily retention pass: anonymise orders older than the retention period
    /// (subject 0, order 0); reschedules itself.
    PrivacyRetention,
}

impl JobKind {
    pub const ALL: [JobKind; 20] = [
        JobKind::IssueInvoice,
        JobKind::IssueCreditNote,
        JobKind::SettleReturn,
        JobKind::EvaluateDelays,
        JobKind::NotifyDelay,
        JobKind::FollowParcel,
        JobKind::DeliverEvents,
        JobKind::NotifyParcel,
        JobKind::NotifyReturn,
        JobKind::SendMessage,
        JobKind::NotifyOrder,
        JobKind::StaffDigest,
        JobKind::NotifySupport,
        JobKind::SurveyDelivery,
        JobKind::SurveyReturn,
        JobKind::SurveyRequest,
        JobKind::NotifySurvey,
        JobKind::SurveyNote,
        JobKind::NotifyGuide,
        JobKind::PrivacyRetention,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::IssueInvoice => "issue_invoice",
            JobKind::IssueCreditNote => "issue_credit_note",
            JobKind::SettleReturn => "settle_return",
            JobKind::EvaluateDelays => "evaluate_delays",
            JobKind::NotifyDelay => "notify_delay",
            JobKind::FollowParcel => "follow_parcel",
            JobKind::DeliverEvents => "deliver_events",
            JobKind::NotifyParcel => "notify_parcel",
            JobKind::NotifyReturn => "notify_return",
            JobKind::SendMessage => "send_message",
            JobKind::NotifyOrder => "notify_order",
            JobKind::StaffDigest => "staff_digest",
            JobKind::NotifySupport => "notify_support",
            JobKind::SurveyDelivery => "survey_delivery",
            JobKind::SurveyReturn => "survey_return",
            JobKind::SurveyRequest => "survey_request",
            JobKind::NotifySurvey => "notify_survey",
            JobKind::SurveyNote => "survey_note",
            JobKind::NotifyGuide => "notify_guide",
            JobKind::PrivacyRetention => "privacy_retention",
        }
    }

    pub fn parse(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Jobs that wait on the store's REST API, a tracking provider or an event endpoint run in a lane of
    /// their own, so a slow or unreachable remote never holds up invoices and delay alerts.
    pub fn lane(self) -> Lane {
        match self {
            JobKind::IssueInvoice => Lane::Documents,
            JobKind::SettleReturn
            | JobKind::IssueCreditNote
            | JobKind::FollowParcel
            | JobKind::DeliverEvents
            | JobKind::SurveyNote => Lane::Remote,
            JobKind::EvaluateDelays
            | JobKind::NotifyDelay
            | JobKind::NotifyParcel
            | JobKind::NotifyReturn
            | JobKind::NotifyOrder
            | JobKind::StaffDigest
            | JobKind::SurveyDelivery
            | JobKind::SurveyReturn
            | JobKind::SurveyRequest
            | JobKind::NotifySurvey
            | JobKind::NotifyGuide
            | JobKind::PrivacyRetention
            | JobKind::NotifySupport => Lane::Local,
            JobKind::SendMessage => Lane::Mail,
        }
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToSql for JobKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for JobKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let name = value.as_str()?;
        JobKind::parse(name)
            .ok_or_else(|| FromSqlError::Other(format!("unknown job kind `{name}`").into()))
    }
}

/// A worker of its own, taking only its kinds of job one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Work done inside aftercare: rendering, the database.
    Local,
    /// Work that calls the store's REST API or a tracking provider.
    Remote,
    /// Messages to customers: a slow mail server holds up neither of the others.
    Mail,
    /// Invoices: rendering is the heaviest work aftercare does, and several invoices render
    /// at once, one per core and more, while the other lanes go on.
    Documents,
}

/// Messages the mail lane sends at once. One message over SMTP waits on the server's
/// round trips (and, as lettre writes a message's end in its own packet, on the server's
/// delayed acknowledgement, about 40 ms on Linux), so throughput comes from sending several
/// at once, not from a faster send; each message is its own job with its own claim.
pub const MAIL_WIDTH: usize = 16;

/// Invoices the documents lane takes at once. They are numbered in order before rendering,
/// render side by side on the blocking pool and are recorded in one transaction, so a batch
/// keeps both cores of a small machine busy without the numbers leaving their order.
pub const DOCUMENTS_WIDTH: usize = 32;

/// Due jobs of the local lane a batch handler may take in one step.
pub const LOCAL_RUN: usize = 64;

impl Lane {
    pub const ALL: [Lane; 4] = [Lane::Local, Lane::Remote, Lane::Mail, Lane::Documents];

    /// How many of the lane's due jobs run at once. The local and remote lanes keep one:
    /// their jobs may depend on the order they run in.
    pub fn width(self) -> usize {
        match self {
            Lane::Mail => MAIL_WIDTH,
            Lane::Documents => DOCUMENTS_WIDTH,
            Lane::Local | Lane::Remote => 1,
        }
    }

    /// How many due jobs a step of a one-at-a-time lane may take when they run together
    /// under one batch handler, in order: the local lane's notifications come several per
    /// order, and one write for many is far cheaper than one each.
    pub fn run_length(self) -> usize {
        match self {
            Lane::Local => LOCAL_RUN,
            Lane::Remote | Lane::Mail | Lane::Documents => 1,
        }
    }

    pub fn kinds(self) -> impl Iterator<Item = JobKind> {
        JobKind::ALL.into_iter().filter(move |k| k.lane() == self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_has_one_lane() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                Lane::ALL
                    .iter()
                    .filter(|l| l.kinds().any(|k| k == kind))
                    .count(),
                1
            );
        }
        assert_eq!(JobKind::parse("issue_receipt"), None);
    }
}
