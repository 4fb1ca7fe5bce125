//! `aftercare invoices audit`: proves that every document sequence runs without gaps or
//! duplicates, and that every archived file is still the one that was issued.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::path::Path;

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::document::DocumentKind;
use super::store::{self as documents, AuditRow};
use crate::ids::StoreId;
use crate::store::StoreError;

/// One sequence: a store's invoices or credit notes within one period (a year, or all time).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Series {
    pub store_id: StoreId,
    pub kind: DocumentKind,
    /// The year for yearly-reset numbering, empty otherwise.
    pub period: String,
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = if self.period.is_empty() {
            "all time"
        } else {
            &self.period
        };
        write!(f, "store `{}`, {} ({period})", self.store_id, self.kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Sequence numbers that were never issued although later ones were.
    Gap {
        series: Series,
        from: u64,
        to: u64,
    },
    /// One sequence number recorded more than once.
    DuplicateSequence {
        series: Series,
        sequence: u64,
    },
    /// One printed number used by more than one document.
    DuplicateNumber {
        store_id: StoreId,
        number: String,
    },
    /// The sequence counter moved past the last recorded document: a number was handed
    /// out without a document.
    CounterAhead {
        series: Series,
        counter: u64,
        last_issued: u64,
    },
    /// The counter is behind recorded documents: the next number would be a duplicate.
    CounterBehind {
        series: Series,
        counter: u64,
        last_issued: u64,
    },
    MissingFile {
        number: String,
        path: String,
    },
    /// The archived file is not the one that was issued.
    ChangedFile {
        number: String,
        path: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Gap { series, from, to } if from == to => {
                write!(f, "{series}: number {from} is missing")
            }
            Problem::Gap { series, from, to } => {
                write!(f, "{series}: numbers {from} to {to} are missing")
            }
            Problem::DuplicateSequence { series, sequence } => {
                write!(f, "{series}: number {sequence} was issued more than once")
            }
            Problem::DuplicateNumber { store_id, number } => {
                write!(
                    f,
                    "store `{store_id}`: {number} is printed on more than one document"
                )
            }
            Problem::CounterAhead {
                series,
                counter,
                last_issued,
            } => write!(
                f,
                "{series}: the counter is at {counter} but the last document is {last_issued}"
            ),
            Problem::CounterBehind {
                series,
                counter,
                last_issued,
            } => write!(
                f,
                "{series}: the counter is at {counter}, behind the last document {last_issued}"
            ),
            Problem::MissingFile { number, path } => {
                write!(f, "{number}: the archived file {path} is missing")
            }
            Problem::ChangedFile { number, path } => write!(
                f,
                "{number}: the archived file {path} no longer matches its recorded SHA-256"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSummary {
    pub series: Series,
    pub first: u64,
    pub last: u64,
    pub count: usize,
}

#[derive(Debug, Default)]
pub struct Report {
    pub series: Vec<SeriesSummary>,
    pub documents: usize,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Audits every document recorded in `conn`; `data_dir` holds the archive.
pub fn run(conn: &Connection, data_dir: &Path) -> Result<Report, StoreError> {
    let rows = documents::audit_rows(conn)?;
    let counters = documents::sequence_heads(conn)?;
    let mut report = check_sequences(&rows, &counters);
    for row in &rows {
        if let Some(problem) = check_file(data_dir, row) {
            report.problems.push(problem);
        }
    }
    Ok(report)
}

/// The sequence rules, on rows ordered by store, kind, period and sequence. Each series
/// starts at the start number recorded with its first document.
pub fn check_sequences(
    rows: &[AuditRow],
    counters: &[(StoreId, DocumentKind, String, u64)],
) -> Report {
    let mut report = Report {
        documents: rows.len(),
        ..Report::default()
    };
    let mut by_series: BTreeMap<Series, Vec<&AuditRow>> = BTreeMap::new();
    for row in rows {
        by_series
            .entry(Series {
                store_id: row.store_id.clone(),
                kind: row.kind,
                period: row.period.clone(),
            })
            .or_default()
            .push(row);
    }
    for (series, docs) in &by_series {
        let start = docs[0].start.unwrap_or(docs[0].sequence);
        if docs[0].sequence > start {
            report.problems.push(Problem::Gap {
                series: series.clone(),
                from: start,
                to: docs[0].sequence - 1,
            });
        }
        for pair in docs.windows(2) {
            let (a, b) = (pair[0].sequence, pair[1].sequence);
            if b == a {
                report.problems.push(Problem::DuplicateSequence {
                    series: series.clone(),
                    sequence: a,
                });
            } else if b > a + 1 {
                report.problems.push(Problem::Gap {
                    series: series.clone(),
                    from: a + 1,
                    to: b - 1,
                });
            }
        }
        let last = docs[docs.len() - 1].sequence;
        let counter = counters
            .iter()
            .find(|(s, k, p, _)| *s == series.store_id && *k == series.kind && *p == series.period)
            .map(|c| c.3);
        match counter {
            Some(c) if c > last => report.problems.push(Problem::CounterAhead {
                series: series.clone(),
                counter: c,
                last_issued: last,
            }),
            Some(c) if c < last => report.problems.push(Problem::CounterBehind {
                series: series.clone(),
                counter: c,
                last_issued: last,
            }),
            None => report.problems.push(Problem::CounterBehind {
                series: series.clone(),
                counter: 0,
                last_issued: last,
            }),
            _ => {}
        }
        report.series.push(SeriesSummary {
            series: series.clone(),
            first: docs[0].sequence,
            last,
            count: docs.len(),
        });
    }
    // A counter with no documents at all has handed out numbers nobody holds.
    for (store_id, kind, period, counter) in counters {
        let series = Series {
            store_id: store_id.clone(),
            kind: *kind,
            period: period.clone(),
        };
        if !by_series.contains_key(&series) {
            report.problems.push(Problem::CounterAhead {
                series,
                counter: *counter,
                last_issued: 0,
            });
        }
    }
    let mut numbers: BTreeMap<(&StoreId, &str), usize> = BTreeMap::new();
    for row in rows {
        *numbers.entry((&row.store_id, &row.number)).or_default() += 1;
    }
    for ((store_id, number), n) in numbers {
        if n > 1 {
            report.problems.push(Problem::DuplicateNumber {
                store_id: store_id.clone(),
                number: number.to_owned(),
            });
        }
    }
    report
}

fn check_file(data_dir: &Path, row: &AuditRow) -> Option<Problem> {
    let path = data_dir.join(&row.path);
    let Ok(mut file) = std::fs::File::open(&path) else {
        return Some(Problem::MissingFile {
            number: row.number.clone(),
            path: row.path.clone(),
        });
    };
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(_) => {
                return Some(Problem::MissingFile {
                    number: row.number.clone(),
                    path: row.path.clone(),
                });
            }
        }
    }
    (hex::encode(hasher.finalize()) != row.sha256).then(|| Problem::ChangedFile {
        number: row.number.clone(),
        path: row.path.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: DocumentKind, period: &str, sequence: u64, number: &str) -> AuditRow {
        AuditRow {
            store_id: StoreId::test("default"),
            kind,
            period: period.into(),
            sequence,
            start: Some(1),
            number: number.into(),
            path: String::new(),
            sha256: String::new(),
        }
    }

    fn counter(
        kind: DocumentKind,
        period: &str,
        last: u64,
    ) -> (StoreId, DocumentKind, String, u64) {
        (StoreId::test("default"), kind, period.into(), last)
    }

    #[test]
    fn a_contiguous_sequence_is_clean() {
        let rows = [
            row(DocumentKind::Invoice, "2026", 1, "INV-1"),
            row(DocumentKind::Invoice, "2026", 2, "INV-2"),
            row(DocumentKind::Invoice, "2027", 1, "INV-2027-1"),
        ];
        let report = check_sequences(
            &rows,
            &[
                counter(DocumentKind::Invoice, "2026", 2),
                counter(DocumentKind::Invoice, "2027", 1),
            ],
        );
        assert!(report.is_clean(), "{:?}", report.problems);
        assert_eq!(report.series.len(), 2);
        assert_eq!(report.series[0].count, 2);
    }

    #[test]
    fn gaps_duplicates_and_counters_are_reported() {
        let rows = [
            row(DocumentKind::Invoice, "", 2, "INV-2"),
            row(DocumentKind::Invoice, "", 2, "INV-2b"),
            row(DocumentKind::Invoice, "", 5, "INV-2"),
        ];
        let report = check_sequences(&rows, &[counter(DocumentKind::Invoice, "", 7)]);
        let text: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert!(text.contains(&"store `default`, invoice (all time): number 1 is missing".into()));
        assert!(
            text.iter()
                .any(|t| t.contains("number 2 was issued more than once"))
        );
        assert!(
            text.iter()
                .any(|t| t.contains("numbers 3 to 4 are missing"))
        );
        assert!(text.iter().any(|t| t.contains("the counter is at 7")));
        assert!(
            text.iter()
                .any(|t| t.contains("INV-2 is printed on more than one"))
        );
        assert_eq!(report.problems.len(), 5);
    }

    #[test]
    fn a_counter_without_documents_is_a_gap() {
        let report = check_sequences(&[], &[counter(DocumentKind::CreditNote, "2026", 3)]);
        assert_eq!(report.problems.len(), 1);
        assert!(matches!(
            report.problems[0],
            Problem::CounterAhead { counter: 3, .. }
        ));
    }
}
