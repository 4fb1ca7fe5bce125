//! A customer, from their paid orders: when they first bought, whether they bought again,
//! what they spent (within 90 and 365 days of the first order, and to date), and the
//! spells they were active (bought within the last `active_days` days).

use rusqlite::{Connection, params};

use crate::insights::Context;
use crate::insights::contribution::Contribution;
use crate::insights::day::Day;
use crate::insights::measure::Measure;
use crate::store::StoreError;

pub fn contribution(
    conn: &Connection,
    ctx: &Context,
    customer: &str,
) -> Result<Contribution, StoreError> {
    let orders: Vec<(Day, i64)> = conn
        .prepare_cached(
            "SELECT day, value FROM insight_orders
             WHERE store_id = ?1 AND customer = ?2 ORDER BY day",
        )?
        .query_map(params![ctx.store, customer], |r| {
            Ok((Day(r.get(0)?), r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(of_orders(&orders, ctx.active_days))
}

/// `orders` by day, oldest first.
pub fn of_orders(orders: &[(Day, i64)], active_days: u32) -> Contribution {
    let mut c = Contribution::default();
    let Some(&(first, _)) = orders.first() else {
        return c;
    };
    c.count(Measure::NewCustomers, "", first, 1);
    if orders.len() > 1 {
        c.count(Measure::RepeatCustomers, "", first, 1);
    }
    let within = |days: i32| -> i64 {
        orders
            .iter()
            .filter(|(d, _)| d.0 < first.0 + days)
            .map(|(_, v)| v)
            .sum()
    };
    c.count(Measure::Value90, "", first, within(90));
    c.count(Measure::Value365, "", first, within(365));
    c.count(
        Measure::ValueTotal,
        "",
        first,
        orders.iter().map(|(_, v)| v).sum(),
    );
    // Active on day D: bought on one of the `active_days` days before D. An order on day d
    // makes the customer active from d + 1 to d + N; overlapping spells are merged.
    let n = i32::try_from(active_days).unwrap_or(i32::MAX);
    if n > 0 {
        let mut spell: Option<(Day, Day)> = None; // [start, end)
        for &(d, _) in orders {
            let (start, end) = (d.plus(1), d.plus(1).plus(n));
            spell = match spell {
                Some((s, e)) if start <= e => Some((s, e.max(end))),
                Some((s, e)) => {
                    c.count(Measure::ActiveStart, "", s, 1);
                    c.count(Measure::ActiveEnd, "", e, 1);
                    Some((start, end))
                }
                None => Some((start, end)),
            };
        }
        if let Some((s, e)) = spell {
            c.count(Measure::ActiveStart, "", s, 1);
            c.count(Measure::ActiveEnd, "", e, 1);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::contribution::Count;

    fn get(c: &Contribution, m: Measure) -> Vec<(i32, i64)> {
        c.counts
            .iter()
            .filter(|Count(measure, ..)| *measure == m)
            .map(|Count(_, _, d, n)| (*d, *n))
            .collect()
    }

    #[test]
    fn values_count_from_the_first_order() {
        let c = of_orders(
            &[
                (Day(100), 10),
                (Day(150), 20),
                (Day(300), 40),
                (Day(500), 80),
            ],
            30,
        );
        assert_eq!(get(&c, Measure::NewCustomers), vec![(100, 1)]);
        assert_eq!(get(&c, Measure::RepeatCustomers), vec![(100, 1)]);
        assert_eq!(get(&c, Measure::Value90), vec![(100, 30)]);
        assert_eq!(get(&c, Measure::Value365), vec![(100, 70)]);
        assert_eq!(get(&c, Measure::ValueTotal), vec![(100, 150)]);
    }

    #[test]
    fn active_spells_merge_when_orders_are_close() {
        // Orders on days 10 and 20 with N = 30: active 11..=50 as one spell; day 100: 101..=130.
        let c = of_orders(&[(Day(10), 1), (Day(20), 1), (Day(100), 1)], 30);
        assert_eq!(get(&c, Measure::ActiveStart), vec![(11, 1), (101, 1)]);
        assert_eq!(get(&c, Measure::ActiveEnd), vec![(51, 1), (131, 1)]);
        // A single order: no repeat.
        let c = of_orders(&[(Day(10), 5)], 30);
        assert!(get(&c, Measure::RepeatCustomers).is_empty());
        assert_eq!(get(&c, Measure::ActiveEnd), vec![(41, 1)]);
    }
}
