//! What a survey is: its kind and scale, what it follows, what an answer is about, and what
//! a score means for the shop. Pure rules, no storage.

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
    /// The question asked.
    Kind {
        /// "How likely are you to recommend us?" 0-10.
        Nps = "nps",
        /// "How satisfied are you?" 1-5.
        Csat = "csat",
    }
}

named! {
    /// What the survey follows.
    Source {
        /// The order's last parcel was delivered (NPS).
        Delivery = "delivery",
        /// A return was closed (CSAT).
        Return = "return",
        /// A support request was solved (CSAT).
        Request = "request",
    }
}

named! {
    /// What the answer was about, as the customer says.
    Topic {
        Delivery = "delivery",
        Product = "product",
        Support = "support",
        Price = "price",
        Other = "other",
    }
}

named! {
    /// Where a survey decision stands.
    State {
        /// Waiting for its time (a solved support request's survey, recorded by
        /// `triggers::request_solved`); not yet decided.
        Planned = "planned",
        /// Sent to the notification engine (which may still hold it for quiet hours, or
        /// skip it for an unsubscribed customer).
        Asked = "asked",
        /// Decided not to ask; the reason says why.
        Skipped = "skipped",
    }
}

impl Source {
    pub fn kind(self) -> Kind {
        match self {
            Source::Delivery => Kind::Nps,
            Source::Return | Source::Request => Kind::Csat,
        }
    }
}

/// What a score says, in NPS's and CSAT's usual groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    /// NPS 9-10, CSAT 4-5.
    Happy,
    /// NPS 7-8 (passives), CSAT 3.
    Neutral,
    /// NPS 0-6 (detractors), CSAT 1-2: staff should follow up.
    Unhappy,
}

impl Kind {
    /// The scale's lowest and highest score.
    pub fn range(self) -> (i64, i64) {
        match self {
            Kind::Nps => (0, 10),
            Kind::Csat => (1, 5),
        }
    }

    pub fn scores(self) -> std::ops::RangeInclusive<i64> {
        let (low, high) = self.range();
        low..=high
    }

    /// `None` when `score` is off the scale.
    pub fn sentiment(self, score: i64) -> Option<Sentiment> {
        if !self.scores().contains(&score) {
            return None;
        }
        Some(match (self, score) {
            (Kind::Nps, 9..=10) | (Kind::Csat, 4..=5) => Sentiment::Happy,
            (Kind::Nps, 7..=8) | (Kind::Csat, 3) => Sentiment::Neutral,
            _ => Sentiment::Unhappy,
        })
    }

    /// The NPS group names staff know (promoter, passive, detractor); CSAT's plain words.
    pub fn group(self, score: i64) -> &'static str {
        match (self, self.sentiment(score)) {
            (Kind::Nps, Some(Sentiment::Happy)) => "promoter",
            (Kind::Nps, Some(Sentiment::Neutral)) => "passive",
            (Kind::Nps, Some(Sentiment::Unhappy)) => "detractor",
            (Kind::Csat, Some(Sentiment::Happy)) => "satisfied",
            (Kind::Csat, Some(Sentiment::Neutral)) => "neutral",
            (Kind::Csat, Some(Sentiment::Unhappy)) => "unsatisfied",
            (_, None) => "",
        }
    }
}

/// Return states after which the customer is asked how it went: the return is closed with
/// an outcome. A return the customer cancelled is not asked about.
pub const CLOSED_RETURN_STATES: [&str; 4] = ["refunded", "exchanged", "credited", "rejected"];

/// The longest comment kept; a longer one is refused with a message, not cut.
pub const MAX_COMMENT_CHARS: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_fall_in_the_usual_groups_and_off_scale_is_none() {
        let nps: Vec<&str> = (0..=10).map(|s| Kind::Nps.group(s)).collect();
        assert_eq!(&nps[..7], ["detractor"; 7], "6 is a detractor");
        assert_eq!(&nps[7..9], ["passive"; 2]);
        assert_eq!(&nps[9..], ["promoter"; 2]);
        assert_eq!(Kind::Csat.sentiment(2), Some(Sentiment::Unhappy));
        assert_eq!(Kind::Csat.sentiment(3), Some(Sentiment::Neutral));
        assert_eq!(Kind::Csat.sentiment(4), Some(Sentiment::Happy));
        assert_eq!(Kind::Csat.sentiment(0), None);
        assert_eq!(Kind::Nps.sentiment(11), None);
        assert_eq!(Kind::Nps.sentiment(-1), None);
        assert_eq!(Source::Request.kind(), Kind::Csat);
        assert_eq!(Topic::parse("price"), Some(Topic::Price));
        assert_eq!(Topic::parse("Price"), None);
    }
}
