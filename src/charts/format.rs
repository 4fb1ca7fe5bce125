//! How values print on ticks, data labels and tooltips: thousands grouped with commas, a real
//! minus sign (−), millions and up shortened (1.5M), never "−0".

use super::ValueFormat;

impl ValueFormat {
    /// A data label or tooltip value.
    pub(super) fn label(self, v: f64) -> String {
        match self {
            ValueFormat::Integer => number(v, 0),
            ValueFormat::OneDecimal => number(v, 1),
            ValueFormat::Percent => format!("{}%", number(v, 1)),
        }
    }

    /// The finest tick step worth drawing: no ticks between integers for counts.
    pub(super) fn min_step(self) -> f64 {
        match self {
            ValueFormat::Integer => 1.0,
            ValueFormat::OneDecimal | ValueFormat::Percent => 0.1,
        }
    }

    /// The labels of a scale's ticks, with just the decimals the step needs.
    pub(super) fn ticks(self, ticks: &[f64], step: f64) -> Vec<String> {
        let largest = ticks.iter().fold(0.0_f64, |m, t| m.max(t.abs()));
        let (unit, suffix) = unit_for(largest);
        let decimals = decimals_for(step / unit);
        let percent = if self == ValueFormat::Percent {
            "%"
        } else {
            ""
        };
        ticks
            .iter()
            .map(|&t| {
                if largest >= EXPONENT_FROM {
                    format!("{}{percent}", exponent(t))
                } else if unit > 1.0 && t == 0.0 {
                    "0".to_string()
                } else {
                    format!("{}{suffix}{percent}", plain(t / unit, decimals))
                }
            })
            .collect()
    }
}

/// From here on values print as 1.0e15: the shortened forms stop at trillions.
const EXPONENT_FROM: f64 = 1e15;

fn unit_for(largest: f64) -> (f64, &'static str) {
    if largest >= 1e12 {
        (1e12, "T")
    } else if largest >= 1e9 {
        (1e9, "B")
    } else if largest >= 1e6 {
        (1e6, "M")
    } else {
        (1.0, "")
    }
}

/// Decimals that tell ticks `step` apart: none for 1, 2, 5…; one for 0.5; two for 0.25.
fn decimals_for(step: f64) -> usize {
    let mut decimals = 0;
    let mut scaled = step;
    while decimals < 6 && (scaled - scaled.round()).abs() > 1e-6 * scaled.abs().max(1.0) {
        scaled *= 10.0;
        decimals += 1;
    }
    decimals
}

/// `v` with `decimals` decimals, shortened from a million on.
pub(super) fn number(v: f64, decimals: usize) -> String {
    let abs = v.abs();
    if abs >= EXPONENT_FROM {
        return exponent(v);
    }
    let (unit, suffix) = unit_for(abs);
    if unit > 1.0 {
        return format!("{}{suffix}", plain(v / unit, 1));
    }
    plain(v, decimals)
}

fn exponent(v: f64) -> String {
    format!("{v:.1e}").replace('-', "−")
}

/// Fixed decimals, commas between thousands, U+2212 for negatives, no "−0".
fn plain(v: f64, decimals: usize) -> String {
    // Halves round away from zero (28.25 → 28.3), as people round, not to even.
    let scale = 10f64.powi(decimals as i32);
    let rounded = (v.abs() * scale).round() / scale;
    let digits = format!(
        "{:.*}",
        decimals,
        if rounded.is_finite() {
            rounded
        } else {
            v.abs()
        }
    );
    let (int, frac) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut out = String::with_capacity(digits.len() + 8);
    let zero = digits.bytes().all(|b| b == b'0' || b == b'.');
    if v < 0.0 && !zero {
        out.push('−');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_format() {
        assert_eq!(ValueFormat::Integer.label(1234567.0), "1.2M");
        assert_eq!(ValueFormat::Integer.label(12345.4), "12,345");
        assert_eq!(ValueFormat::Integer.label(-40.0), "−40");
        assert_eq!(ValueFormat::Integer.label(-0.2), "0");
        assert_eq!(ValueFormat::OneDecimal.label(30.46), "30.5");
        assert_eq!(ValueFormat::OneDecimal.label(28.25), "28.3");
        assert_eq!(ValueFormat::Integer.label(2.5), "3");
        assert_eq!(ValueFormat::OneDecimal.label(-0.04), "0.0");
        assert_eq!(ValueFormat::Percent.label(12.5), "12.5%");
        assert_eq!(ValueFormat::Percent.label(100.0), "100.0%");
        assert_eq!(ValueFormat::Integer.label(3e18), "3.0e18");
        assert_eq!(ValueFormat::Integer.label(-2e20), "−2.0e20");
    }

    #[test]
    fn ticks_carry_only_the_decimals_the_step_needs() {
        let f = ValueFormat::OneDecimal;
        assert_eq!(f.ticks(&[0.0, 50.0, 100.0], 50.0), ["0", "50", "100"]);
        assert_eq!(f.ticks(&[0.0, 0.5, 1.0], 0.5), ["0.0", "0.5", "1.0"]);
        assert_eq!(f.ticks(&[0.0, 0.25], 0.25), ["0.00", "0.25"]);
        assert_eq!(
            ValueFormat::Integer.ticks(&[-100.0, 0.0, 100.0], 100.0),
            ["−100", "0", "100"]
        );
        assert_eq!(
            ValueFormat::Percent.ticks(&[0.0, 20.0], 20.0),
            ["0%", "20%"]
        );
        assert_eq!(
            ValueFormat::Integer.ticks(&[0.0, 5e5, 1e6, 1.5e6], 5e5),
            ["0", "0.5M", "1.0M", "1.5M"]
        );
        assert_eq!(
            ValueFormat::Integer.ticks(&[0.0, 2e6, 4e6], 2e6),
            ["0", "2M", "4M"]
        );
        assert_eq!(ValueFormat::Integer.ticks(&[2000.0], 1000.0), ["2,000"]);
    }
}
