//! Document numbers: `{prefix}{zero-padded sequence}{suffix}`, with `{year}` and `{month}`
//! placeholders, an optional yearly reset and a start number. The sequence itself lives in
//! the database and advances in the transaction that records the document.

use jiff::civil::Date;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NumberFormat {
    pub prefix: String,
    pub suffix: String,
    /// Minimum digits; shorter numbers get leading zeros.
    pub padding: usize,
    /// Start again from `start` every 1 January.
    pub yearly_reset: bool,
    /// The first number of a sequence.
    pub start: u64,
}

impl NumberFormat {
    pub fn invoices() -> Self {
        NumberFormat {
            prefix: "INV-{year}-".into(),
            suffix: String::new(),
            padding: 5,
            yearly_reset: true,
            start: 1,
        }
    }

    pub fn credit_notes() -> Self {
        NumberFormat {
            prefix: "CN-{year}-".into(),
            ..Self::invoices()
        }
    }

    /// Which sequence a document issued on `date` draws from.
    pub fn period(&self, date: Date) -> String {
        if self.yearly_reset {
            date.year().to_string()
        } else {
            String::new()
        }
    }

    pub fn format(&self, sequence: u64, date: Date) -> String {
        let fill = |s: &str| {
            s.replace("{year}", &date.year().to_string())
                .replace("{month}", &format!("{:02}", date.month()))
        };
        format!(
            "{}{:0width$}{}",
            fill(&self.prefix),
            sequence,
            fill(&self.suffix),
            width = self.padding
        )
    }

    pub fn validate(&self, field: &str) -> Result<(), String> {
        if self.padding > 12 {
            return Err(format!("{field}.padding: at most 12 digits"));
        }
        if self.start == 0 {
            return Err(format!("{field}.start: numbers start at 1 or more"));
        }
        for part in [&self.prefix, &self.suffix] {
            let rest = part.replace("{year}", "").replace("{month}", "");
            if rest.contains('{') || rest.contains('}') {
                return Err(format!(
                    "{field}: only {{year}} and {{month}} placeholders are known, got `{part}`"
                ));
            }
            if part
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\')
            {
                return Err(format!(
                    "{field}: `{part}` may not contain slashes or control characters"
                ));
            }
        }
        Ok(())
    }
}

impl Default for NumberFormat {
    fn default() -> Self {
        Self::invoices()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_placeholders_and_padding() {
        let date = jiff::civil::date(2026, 3, 9);
        let f = NumberFormat::invoices();
        assert_eq!(f.format(42, date), "INV-2026-00042");
        assert_eq!(f.period(date), "2026");
        let custom = NumberFormat {
            prefix: "{year}{month}-".into(),
            suffix: "-KR".into(),
            padding: 0,
            yearly_reset: false,
            start: 1000,
        };
        assert_eq!(custom.format(1000, date), "202603-1000-KR");
        assert_eq!(custom.period(date), "");
        assert!(custom.validate("invoices").is_ok());
        let bad = NumberFormat {
            prefix: "{day}".into(),
            ..NumberFormat::invoices()
        };
        assert!(bad.validate("invoices").is_err());
    }
}
