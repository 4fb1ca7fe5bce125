//! Money for people: exact decimals written with the currency's own number of decimals
//! (KRW 0, USD 2, KWD 3), as strings, never floats.

use iso_currency::Currency;
use rust_decimal::{Decimal, RoundingStrategy};

/// Decimal places of an ISO 4217 currency; 2 for codes the standard does not know.
pub fn decimals(currency: &str) -> u32 {
    Currency::from_code(&currency.to_ascii_uppercase())
        .and_then(|c| c.exponent())
        .map_or(2, u32::from)
}

/// `"59.97"`, `"152130"`: rounded half away from zero to the currency's minor unit.
pub fn format(amount: Decimal, currency: &str) -> String {
    let dp = decimals(currency);
    let mut rounded = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(dp);
    rounded.to_string()
}

/// `format` with thousands grouped for print: `"152,130"`, `"-1,234.50"`.
pub fn display(amount: Decimal, currency: &str) -> String {
    let plain = format(amount, currency);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::with_capacity(plain.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn each_currency_gets_its_own_decimals() {
        assert_eq!(format(d("152130.00"), "KRW"), "152130");
        assert_eq!(format(d("59.97"), "USD"), "59.97");
        assert_eq!(format(d("5"), "usd"), "5.00");
        assert_eq!(format(d("3.748125"), "EUR"), "3.75");
        assert_eq!(format(d("1.2345"), "KWD"), "1.235");
        assert_eq!(format(d("1000"), "JPY"), "1000");
        assert_eq!(format(d("-15000"), "KRW"), "-15000");
        assert_eq!(format(d("2.5"), "KRW"), "3");
        assert_eq!(format(d("9.99"), "XYZ"), "9.99");
    }

    #[test]
    fn display_groups_thousands() {
        assert_eq!(display(d("152130"), "KRW"), "152,130");
        assert_eq!(display(d("-15000"), "KRW"), "-15,000");
        assert_eq!(display(d("999"), "KRW"), "999");
        assert_eq!(display(d("1234567.891"), "USD"), "1,234,567.89");
        assert_eq!(display(d("-0.5"), "EUR"), "-0.50");
        assert_eq!(display(d("100000"), "JPY"), "100,000");
    }
}
