//! What a message is: its type, its class (which rules apply), its channel and where its
//! decision stands. Each is stored and sent by its `as_str` name.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// Declares a closed set of names stored in the database and sent in JSON.
macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} `{text}`", stringify!($name)).into())
                })
            }
        }
    };
}

named! {
    /// The message types (binding names: the plugin's emails and the event endpoints use them).
    MessageType {
        OrderConfirmation = "order_confirmation",
        Shipped = "shipped",
        OutForDelivery = "out_for_delivery",
        Delivered = "delivered",
        Delayed = "delayed",
        ReturnUpdate = "return_update",
        /// Staff answered the customer's support request.
        SupportReply = "support_reply",
        StaffDigest = "staff_digest",
        /// How did it go? An NPS or CSAT survey with its score links (see `surveys`).
        Survey = "survey",
        ProductGuide = "product_guide",
    }
}

named! {
    /// Which rules a message follows.
    Class {
        /// Where the parcel is: the customer may unsubscribe, quiet hours apply.
        StatusUpdate = "status_update",
        /// Receipts and money: never unsubscribable, may go at night.
        Transactional = "transactional",
        /// To the shop, not the customer.
        Staff = "staff",
    }
}

named! {
    /// How a store's messages leave.
    Channel {
        /// The plugin pulls due messages and sends them with WooCommerce's mailer.
        Wordpress = "wordpress",
        /// aftercare sends them itself over SMTP.
        Smtp = "smtp",
        /// Decisions are recorded, nothing is sent.
        None = "none",
    }
}

named! {
    /// Where one message's decision stands.
    State {
        /// To be sent now (or at `due_at` after a failed attempt).
        Pending = "pending",
        /// Waiting out quiet hours until `due_at`.
        Deferred = "deferred",
        /// Handed to the mail server, the answer not yet recorded (see `send`).
        Sending = "sending",
        Sent = "sent",
        /// Decided not to send; the reason says why.
        Skipped = "skipped",
        /// Failed; retried until attempts run out, then final.
        Failed = "failed",
    }
}

impl MessageType {
    pub fn class(self) -> Class {
        match self {
            // A survey is asked like a status update: the customer's "stop updates" stops it
            // too, and it waits out quiet hours.
            Self::Shipped
            | Self::OutForDelivery
            | Self::Delivered
            | Self::Delayed
            | Self::Survey
            | Self::ProductGuide => Class::StatusUpdate,
            // An answer to the customer's own question: never unsubscribable, may go at night.
            Self::OrderConfirmation | Self::ReturnUpdate | Self::SupportReply => {
                Class::Transactional
            }
            Self::StaffDigest => Class::Staff,
        }
    }
}

impl Class {
    /// Status updates can be switched off by the customer; receipts cannot.
    pub fn unsubscribable(self) -> bool {
        self == Class::StatusUpdate
    }
}

/// Attempts at sending one message before its failure is final.
pub const MAX_ATTEMPTS: i64 = 5;

/// Attempts at an SMTP server that cannot be reached (or answers 4xx) before giving up.
/// With waits doubling from 5 s to at most an hour this is about a day: an outage of
/// hours delays mail, it does not lose it (five attempts were over in 75 seconds).
pub const SMTP_TRANSIENT_ATTEMPTS: i64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_classes_follow_the_contract() {
        let names: Vec<&str> = MessageType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            names,
            [
                "order_confirmation",
                "shipped",
                "out_for_delivery",
                "delivered",
                "delayed",
                "return_update",
                "support_reply",
                "staff_digest",
                "survey",
                "product_guide"
            ]
        );
        for t in MessageType::ALL {
            assert_eq!(MessageType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(MessageType::Delayed.class(), Class::StatusUpdate);
        assert_eq!(MessageType::ReturnUpdate.class(), Class::Transactional);
        assert_eq!(MessageType::SupportReply.class(), Class::Transactional);
        assert_eq!(MessageType::Survey.class(), Class::StatusUpdate);
        assert_eq!(MessageType::SupportReply.class(), Class::Transactional);
        assert!(!Class::Transactional.unsubscribable());
        assert_eq!(State::parse("sending"), Some(State::Sending));
        assert_eq!(Channel::parse("mail"), None);
    }
}
