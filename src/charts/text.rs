//! Text in a chart: cleaning and escaping for XML, an estimate of its drawn width, and
//! shortening with an ellipsis.
//!
//! There are no font metrics here (the browser picks the font), so widths are estimated per
//! character, on the generous side: DejaVu Sans, the widest common fallback for `sans-serif`,
//! and a full em for Hangul and CJK. Overestimating only costs a label shown less often.

/// Size of every text in a chart, in px: legible at any width the chart is drawn at.
pub(super) const FONT_PX: f64 = 12.0;

/// The text as it will be drawn: control characters and those XML cannot carry dropped,
/// runs of whitespace (newlines, tabs) collapsed into one space, ends trimmed. Escaping happens on output.
pub(super) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        let kept = word
            .chars()
            .filter(|&c| allowed_in_xml(c) && !c.is_control());
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        out.extend(kept);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// XML 1.0 `Char`, less the controls `clean` already turned into spaces.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for element content and attribute values (either quote).
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if allowed_in_xml(c) => out.push(c),
            // Controls: `clean` text has none, but a caller may pass raw text.
            _ => out.push(' '),
        }
    }
    out
}

/// Estimated drawn width of `s` at `FONT_PX`, in px.
pub(super) fn width(s: &str) -> f64 {
    s.chars().map(em).sum::<f64>() * FONT_PX
}

/// `s` if it fits in `max` px; otherwise its longest start that fits with a trailing `…`
/// (empty when not even the ellipsis fits). Never cuts before a combining mark or joiner,
/// which would detach it from its base.
pub(super) fn fit(s: &str, max: f64) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let budget = max - em('…') * FONT_PX;
    if budget < 0.0 {
        return String::new();
    }
    let mut used = 0.0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        used += em(c) * FONT_PX;
        if used > budget {
            break;
        }
        end = i + c.len_utf8();
    }
    let mut kept = &s[..end];
    // Step back out of a cluster: the next character extends the last kept one.
    while let Some(last) = kept.chars().next_back() {
        let next = s[kept.len()..].chars().next();
        if next.is_some_and(extends) || last == '\u{200D}' {
            kept = &kept[..kept.len() - last.len_utf8()];
        } else {
            break;
        }
    }
    let mut out = kept.trim_end().to_string();
    out.push('…');
    out
}

/// `s` broken at spaces into at most `lines` lines of at most `max` px each, or `None` when
/// that would need an ellipsis (a word too long, or more lines).
pub(super) fn wrap(s: &str, max: f64, lines: usize) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in s.split(' ') {
        let joined = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if width(&joined) <= max {
            current = joined;
        } else if current.is_empty() || width(word) > max {
            return None;
        } else {
            out.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    out.push(current);
    (out.len() <= lines).then_some(out)
}

/// Characters that join the one before them into a single cluster.
fn extends(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1160}'..='\u{11FF}' // Hangul vowel and final jamo
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{D7B0}'..='\u{D7FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}' // skin tones
        | '\u{E0100}'..='\u{E01EF}')
}

/// Wide characters: Hangul, CJK, fullwidth forms, emoji.
fn wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{1F300}'..='\u{1FAFF}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// DejaVu Sans advances of a–z and A–Z, in em.
const LOWER: [f64; 26] = [
    0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974,
    0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525,
];
const UPPER: [f64; 26] = [
    0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863,
    0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685,
];

/// Advance of one character in em: DejaVu Sans plus 4%, a full em for wide characters.
fn em(c: char) -> f64 {
    let advance = match c {
        'a'..='z' => LOWER[c as usize - 'a' as usize],
        'A'..='Z' => UPPER[c as usize - 'A' as usize],
        '0'..='9' | '$' | '#' | '+' | '=' | '<' | '>' | '~' | '_' => 0.64,
        ' ' | '.' | ',' | ';' | '\'' | '|' | '!' | ':' => 0.34,
        '(' | ')' | '[' | ']' | '{' | '}' | '-' | '"' | '/' | '\\' => 0.4,
        '−' | '×' => 0.84,
        '%' | '@' | '…' => 1.0,
        '&' => 0.78,
        c if extends(c) => 0.0,
        c if wide(c) => 1.0 / 1.04,
        _ => 0.7,
    };
    advance * 1.04
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("후드티"), "후드티");
    }

    #[test]
    fn clean_drops_what_xml_cannot_carry_and_collapses_space() {
        assert_eq!(clean("  Hood\u{0}ie\n\t blue \u{FFFF}"), "Hoodie blue");
        assert_eq!(clean("\u{1b}[31m red"), "[31m red");
        assert_eq!(clean(""), "");
    }

    #[test]
    fn hangul_is_wider_than_latin() {
        assert!(width("가나다") > width("abc"));
        assert_eq!(width(""), 0.0);
    }

    #[test]
    fn fit_keeps_short_text_and_shortens_long_text_within_the_width() {
        assert_eq!(fit("Hoodie", 200.0), "Hoodie");
        let long = "An extremely long product name that never fits";
        let short = fit(long, 100.0);
        assert!(short.ends_with('…'), "{short}");
        assert!(width(&short) <= 100.0, "{short}");
        assert!(long.starts_with(short.trim_end_matches('…')));
        assert_eq!(fit(long, 5.0), "");
        let korean = fit("아주 긴 한국어 상품 이름입니다", 60.0);
        assert!(width(&korean) <= 60.0 && korean.ends_with('…'), "{korean}");
    }

    #[test]
    fn wrap_breaks_at_spaces_or_gives_up() {
        let two = wrap("Where is my order", 90.0, 2).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(two.join(" "), "Where is my order");
        assert!(two.iter().all(|l| width(l) <= 90.0));
        assert_eq!(wrap("Return", 90.0, 2).unwrap(), ["Return"]);
        assert_eq!(wrap("Where is my order", 40.0, 2), None, "three lines");
        assert_eq!(
            wrap("Supercalifragilistic", 60.0, 2),
            None,
            "a word too long"
        );
        assert_eq!(
            wrap("배송 지연 문의", 55.0, 2).unwrap(),
            ["배송 지연", "문의"].map(String::from)
        );
    }

    #[test]
    fn fit_never_splits_a_cluster() {
        // "e" + combining acute: cutting between them would leave a bare accent or base.
        let s = "ae\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}";
        for max in [20.0, 25.0, 30.0, 35.0, 40.0] {
            let out = fit(s, max);
            let kept = out.trim_end_matches('…');
            assert!(
                !s[kept.len()..].starts_with('\u{301}'),
                "cut before a combining mark at {max}: {out:?}"
            );
        }
        // Family emoji joined by ZWJ: never ends on the joiner.
        let family = "ab\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        for max in [20.0, 30.0, 40.0, 50.0] {
            assert!(!fit(family, max).contains("\u{200D}…"));
        }
    }
}
