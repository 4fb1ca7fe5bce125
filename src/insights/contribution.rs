//! What one record adds to the figures, and the difference between two versions of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::day::Day;
use super::measure::{Measure, ValueMeasure};

/// A record's part in the figures: counters to add and durations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub counts: Vec<Count>,
    pub vals: Vec<Val>,
}

/// `n` added to `measure` under `key` on `day`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count(pub Measure, pub String, pub i32, pub i64);

/// A duration listed under `measure`, `key`, `day`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Val(pub ValueMeasure, pub String, pub i32, pub i64);

impl Contribution {
    pub fn count(&mut self, measure: Measure, key: impl Into<String>, day: Day, n: i64) {
        if n != 0 {
            self.counts.push(Count(measure, key.into(), day.0, n));
        }
    }

    pub fn value(&mut self, measure: ValueMeasure, key: impl Into<String>, day: Day, v: i64) {
        self.vals.push(Val(measure, key.into(), day.0, v));
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.vals.is_empty()
    }
}

/// Where a counter lives.
pub type CountKey = (Measure, String, i32);
/// Where a duration list lives.
pub type ValKey = (ValueMeasure, String, i32);

/// Durations to take out of and put into one list.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ValChange {
    pub remove: Vec<i64>,
    pub add: Vec<i64>,
}

/// What changes when a record goes from `old` to `new`: counter deltas (none zero) and
/// duration lists to edit.
pub fn diff(
    old: &Contribution,
    new: &Contribution,
) -> (BTreeMap<CountKey, i64>, BTreeMap<ValKey, ValChange>) {
    let mut counts: BTreeMap<CountKey, i64> = BTreeMap::new();
    for Count(m, k, d, n) in &old.counts {
        *counts.entry((*m, k.clone(), *d)).or_default() -= n;
    }
    for Count(m, k, d, n) in &new.counts {
        *counts.entry((*m, k.clone(), *d)).or_default() += n;
    }
    counts.retain(|_, n| *n != 0);

    let mut lists: BTreeMap<ValKey, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for Val(m, k, d, v) in &old.vals {
        lists.entry((*m, k.clone(), *d)).or_default().0.push(*v);
    }
    for Val(m, k, d, v) in &new.vals {
        lists.entry((*m, k.clone(), *d)).or_default().1.push(*v);
    }
    let mut vals = BTreeMap::new();
    for (key, (mut before, mut after)) in lists {
        before.sort_unstable();
        after.sort_unstable();
        if before == after {
            continue;
        }
        vals.insert(
            key,
            ValChange {
                remove: before,
                add: after,
            },
        );
    }
    (counts, vals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_record_changes_nothing() {
        let mut c = Contribution::default();
        c.count(Measure::Shipments, "cj", Day(10), 1);
        c.value(ValueMeasure::Delivery, "cj", Day(10), 3600);
        let (counts, vals) = diff(&c, &c.clone());
        assert!(counts.is_empty() && vals.is_empty());
    }

    #[test]
    fn a_moved_record_leaves_one_place_and_enters_another() {
        let mut old = Contribution::default();
        old.count(Measure::NpsScore, "9", Day(10), 1);
        old.value(ValueMeasure::FirstResponse, "", Day(10), 60);
        let mut new = Contribution::default();
        new.count(Measure::NpsScore, "3", Day(10), 1);
        new.value(ValueMeasure::FirstResponse, "", Day(10), 90);
        let (counts, vals) = diff(&old, &new);
        assert_eq!(counts.get(&(Measure::NpsScore, "9".into(), 10)), Some(&-1));
        assert_eq!(counts.get(&(Measure::NpsScore, "3".into(), 10)), Some(&1));
        let change = &vals[&(ValueMeasure::FirstResponse, String::new(), 10)];
        assert_eq!(
            (change.remove.as_slice(), change.add.as_slice()),
            (&[60][..], &[90][..])
        );
    }

    #[test]
    fn zero_counts_are_not_recorded() {
        let mut c = Contribution::default();
        c.count(Measure::Sold, "1", Day(1), 0);
        assert!(c.is_empty());
    }
}
