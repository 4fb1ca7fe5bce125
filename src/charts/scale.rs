//! The value axis: its range and ticks at "nice" steps (1, 2 or 5 × 10ⁿ).

/// Values beyond this magnitude are drawn at it: keeps every computation finite.
const LIMIT: f64 = 1e15;

/// Never more ticks than this, whatever the range (a guard, not a layout choice).
const MAX_TICKS: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
    pub ticks: Vec<f64>,
}

impl Scale {
    /// A scale for `values` with about `target` ticks. A fixed range is kept as given (its
    /// ticks are the step's multiples inside it); otherwise the range runs from 0 (or the
    /// lowest value, rounded down to a step, when there are negatives) to the highest value
    /// rounded up to a step. `min_step` keeps integer counts from getting ticks at 0.5.
    pub fn new(
        values: impl Iterator<Item = f64>,
        fixed: Option<(f64, f64)>,
        min_step: f64,
        target: usize,
    ) -> Scale {
        let target = target.clamp(2, 10) as f64;
        if let Some((lo, hi)) = fixed.filter(|(lo, hi)| {
            lo.is_finite() && hi.is_finite() && lo < hi && lo.abs() <= LIMIT && hi.abs() <= LIMIT
        }) {
            let step = nice(((hi - lo) / target).max(min_step));
            let first = (lo / step - 1e-9).ceil();
            let last = (hi / step + 1e-9).floor();
            let ticks = if last >= first {
                let count = ((last - first) as usize).min(MAX_TICKS);
                (0..=count)
                    .map(|i| snap((first + i as f64) * step))
                    .collect()
            } else {
                // A range narrower than the finest step: its ends are the ticks.
                vec![lo, hi]
            };
            return Scale {
                lo,
                hi,
                step,
                ticks,
            };
        }
        let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
        for v in values.filter(|v| v.is_finite()) {
            let v = v.clamp(-LIMIT, LIMIT);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo <= 0.0 {
            hi = 1.0;
        }
        let step = nice(((hi - lo) / target).max(min_step));
        let first = (lo / step + 1e-9).floor();
        let last = (hi / step - 1e-9).ceil().max(first + 1.0);
        let count = ((last - first) as usize).min(MAX_TICKS);
        let ticks: Vec<f64> = (0..=count)
            .map(|i| snap((first + i as f64) * step))
            .collect();
        Scale {
            lo: ticks[0],
            hi: ticks[count],
            step,
            ticks,
        }
    }

    /// Where `v` falls between `from` (at `lo`) and `to` (at `hi`), kept inside.
    pub fn pos(&self, v: f64, from: f64, to: f64) -> f64 {
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        from + (to - from) * t
    }

    /// What bars grow from: zero, or the nearest end when zero is outside the range.
    pub fn base(&self) -> f64 {
        0.0_f64.clamp(self.lo, self.hi)
    }

    /// The range crosses zero: the zero line is drawn stronger than the grid.
    pub fn spans_zero(&self) -> bool {
        self.lo < 0.0 && self.hi > 0.0
    }
}

/// The nice step at or above `raw`: 1, 2 or 5 × 10ⁿ.
fn nice(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        1.0
    };
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 + 1e-9 {
        1.0
    } else if fraction <= 2.0 + 1e-9 {
        2.0
    } else if fraction <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Removes float noise (0.30000000000000004) and negative zero from a tick.
fn snap(v: f64) -> f64 {
    let rounded = (v * 1e9).round() / 1e9;
    let v = if (rounded - v).abs() < 1e-9 * v.abs().max(1.0) {
        rounded
    } else {
        v
    };
    v + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tick step is 1, 2 or 5 times a power of ten.
    fn is_nice(step: f64) -> bool {
        let m = step / 10f64.powf(step.log10().floor());
        [1.0, 2.0, 5.0, 10.0].iter().any(|n| (m - n).abs() < 1e-6)
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice(33.0), 50.0);
        assert_eq!(nice(0.7), 1.0);
        assert_eq!(nice(1.0), 1.0);
        assert_eq!(nice(0.13), 0.2);
        assert_eq!(nice(4.2e6), 5e6);
        assert_eq!(nice(f64::NAN), 1.0);
    }

    #[test]
    fn nps_range_keeps_its_ends_and_ticks_at_fifty() {
        let s = Scale::new([40.0].into_iter(), Some((-100.0, 100.0)), 1.0, 4);
        assert_eq!(s.ticks, [-100.0, -50.0, 0.0, 50.0, 100.0]);
        assert_eq!((s.lo, s.hi), (-100.0, 100.0));
        assert!(s.spans_zero());
        assert_eq!(s.base(), 0.0);
    }

    #[test]
    fn automatic_range_starts_at_zero_and_ends_on_a_tick_at_or_above_the_maximum() {
        let s = Scale::new([3.0, 47.0, 12.0].into_iter(), None, 1.0, 5);
        assert_eq!(s.lo, 0.0);
        assert!(s.hi >= 47.0 && s.hi < 47.0 * 1.5, "{s:?}");
        assert!(is_nice(s.step));
        assert!(!s.spans_zero());
        for pair in s.ticks.windows(2) {
            assert!((pair[1] - pair[0] - s.step).abs() < 1e-9);
        }
    }

    #[test]
    fn negatives_round_down_to_a_step() {
        let s = Scale::new([-37.0, 80.0].into_iter(), None, 1.0, 5);
        assert!(s.lo <= -37.0 && s.lo > -37.0 - s.step, "{s:?}");
        assert!(s.ticks.contains(&0.0));
        assert!(s.spans_zero());
    }

    #[test]
    fn integer_counts_never_tick_between_integers() {
        let s = Scale::new([2.0].into_iter(), None, 1.0, 8);
        assert_eq!(s.step, 1.0);
        assert_eq!(s.ticks, [0.0, 1.0, 2.0]);
    }

    #[test]
    fn degenerate_input_still_gives_a_usable_scale() {
        for values in [vec![], vec![0.0, 0.0], vec![f64::NAN, f64::INFINITY]] {
            let s = Scale::new(values.into_iter(), None, 1.0, 5);
            assert_eq!((s.lo, s.hi), (0.0, 1.0));
        }
        let huge = Scale::new([f64::MAX, -f64::MAX].into_iter(), None, 1.0, 5);
        assert!(huge.hi.is_finite() && huge.lo.is_finite() && huge.ticks.len() <= MAX_TICKS + 1);
        // Reversed or non-finite fixed ranges fall back to the automatic one.
        for fixed in [(100.0, 0.0), (0.0, f64::NAN), (5.0, 5.0)] {
            let s = Scale::new([7.0].into_iter(), Some(fixed), 1.0, 5);
            assert_eq!(s.lo, 0.0);
            assert!(s.hi >= 7.0);
        }
        let narrow = Scale::new([].into_iter(), Some((0.2, 0.7)), 1.0, 5);
        assert_eq!(narrow.ticks, [0.2, 0.7]);
        let tiny = Scale::new([0.3].into_iter(), None, 0.1, 10);
        assert_eq!(tiny.ticks, [0.0, 0.1, 0.2, 0.3]);
    }

    #[test]
    fn positions_stay_inside() {
        let s = Scale::new([].into_iter(), Some((0.0, 100.0)), 1.0, 5);
        assert_eq!(s.pos(50.0, 200.0, 0.0), 100.0);
        assert_eq!(s.pos(150.0, 200.0, 0.0), 0.0);
        assert_eq!(s.pos(-5.0, 200.0, 0.0), 200.0);
    }
}
