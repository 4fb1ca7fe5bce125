//! Rendered charts parsed back as XML: structure, escaping, layout invariants.

use roxmltree::{Document, Node};

use super::*;
use super::{svg, text};

fn chart(kind: Kind, categories: &[&str], series: &[(&str, Vec<Option<f64>>)]) -> Chart {
    Chart {
        kind,
        categories: categories.iter().map(|c| c.to_string()).collect(),
        series: series
            .iter()
            .map(|(name, values)| Series {
                name: name.to_string(),
                values: values.clone(),
            })
            .collect(),
        y_label: "Hours".into(),
        y_range: None,
        value_format: ValueFormat::OneDecimal,
        empty_text: "No answers in this range".into(),
        title: "Delivery time by carrier".into(),
    }
}

fn some(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|&v| Some(v)).collect()
}

/// 52 weeks of NPS with a gap (a week without answers) and both signs.
fn nps_weekly() -> Chart {
    let weeks: Vec<String> = (0..52)
        .map(|w| {
            let day = 5 + 7 * w;
            format!("W{:02} {}", w + 1, day)
        })
        .collect();
    let values = (0..52)
        .map(|w| (w != 20).then(|| ((w as f64) * 0.7).sin() * 80.0))
        .collect();
    Chart {
        kind: Kind::Line,
        categories: weeks,
        series: vec![Series {
            name: "NPS".into(),
            values,
        }],
        y_label: "NPS (−100…100)".into(),
        y_range: Some((-100.0, 100.0)),
        value_format: ValueFormat::Integer,
        empty_text: "No answers in this range".into(),
        title: "NPS by week".into(),
    }
}

fn carriers() -> Chart {
    let mut c = chart(
        Kind::Bars,
        &[
            "CJ Logistics",
            "Hanjin Express",
            "롯데택배",
            "우체국택배 (Korea Post, registered parcels and EMS)",
            "Logen",
            "Kyungdong",
        ],
        &[
            ("Median", some(&[30.5, 42.0, 28.25, 51.0, 36.0, 70.0])),
            (
                "P90",
                vec![
                    Some(70.0),
                    Some(96.5),
                    None,
                    Some(120.0),
                    Some(80.0),
                    Some(150.0),
                ],
            ),
        ],
    );
    c.y_label = "Hours from shipped to delivered".into();
    c
}

/// The parsed chart, checked for what every chart must be: the root's size and
/// accessibility attributes, one font size, every text inside the picture, category labels
/// that do not overlap.
fn check(chart: &Chart, width: u32) -> (String, f64, f64) {
    let svg = render(chart, width);
    let doc = Document::parse(&svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert!(root.has_tag_name("svg"));
    let w: f64 = root.attribute("width").unwrap().parse().unwrap();
    let h: f64 = root.attribute("height").unwrap().parse().unwrap();
    assert_eq!(w, f64::from(width.clamp(MIN_WIDTH, MAX_WIDTH)));
    assert!(h > 0.0 && h.fract() == 0.0, "height {h}");
    assert_eq!(root.attribute("viewBox").unwrap(), format!("0 0 {w} {h}"));
    assert_eq!(root.attribute("role"), Some("img"));
    let title = text::clean(&chart.title);
    assert_eq!(root.attribute("aria-label"), Some(title.as_str()));
    let first = root.first_element_child().unwrap();
    assert!(first.has_tag_name("title"));
    assert_eq!(first.text().unwrap_or(""), title);
    assert_eq!(root.attribute("font-size"), Some("12"));
    assert!(
        root.attribute("font-family")
            .unwrap()
            .ends_with("sans-serif")
    );

    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        assert!(
            node.attribute("font-size").is_none(),
            "text of another size"
        );
        let (x0, y0, x1, y1) = bounds(node);
        assert!(
            x0 >= 0.0 && y0 >= 0.0 && x1 <= w && y1 <= h,
            "{:?} at ({x0:.1},{y0:.1})-({x1:.1},{y1:.1}) is outside {w}×{h}",
            content(node)
        );
    }
    let categories = by_class(&doc, "category");
    for pair in categories.windows(2) {
        let (a, b) = (bounds(pair[0]), bounds(pair[1]));
        if pair[0].attribute("transform").is_some() {
            // Parallel 45° labels: their baselines must be a line of text apart.
            let dx = num(pair[1], "x") - num(pair[0], "x");
            assert!(
                dx * std::f64::consts::FRAC_1_SQRT_2 >= 12.0,
                "rotated labels {dx} apart"
            );
        } else if chart.kind == Kind::Bars {
            assert!(b.1 >= a.3 - 0.01, "row labels overlap: {:?} {:?}", a, b);
        } else {
            assert!(
                b.0 >= a.2 + 2.0,
                "labels overlap: {:?} {:?}",
                content(pair[0]),
                content(pair[1])
            );
        }
    }
    (svg, w, h)
}

fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap()
}

fn by_class<'a>(doc: &'a Document, class: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .collect()
}

fn texts(doc: &Document, class: &str) -> Vec<String> {
    by_class(doc, class).into_iter().map(content).collect()
}

/// The lines of a `<text>`: its own text, or its `<tspan>`s'.
fn lines(node: Node) -> Vec<String> {
    let spans: Vec<String> = node
        .children()
        .filter(|n| n.has_tag_name("tspan"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    if spans.is_empty() {
        vec![node.text().unwrap_or("").to_string()]
    } else {
        spans
    }
}

fn content(node: Node) -> String {
    lines(node).join(" ")
}

fn num(node: Node, attribute: &str) -> f64 {
    node.attribute(attribute)
        .unwrap_or_else(|| panic!("no {attribute}"))
        .parse()
        .unwrap()
}

/// The elements of class `class` inside series `series`.
fn in_series<'a>(doc: &'a Document, series: usize, class: &str) -> Vec<Node<'a, 'a>> {
    let series = series.to_string();
    doc.descendants()
        .filter(|n| n.attribute("data-series") == Some(series.as_str()))
        .flat_map(|g| g.children())
        .filter(|n| n.attribute("class") == Some(class))
        .collect()
}

/// A text's box, from its estimated width, the font's ascent and descent, its anchor and a
/// `rotate(-45 x y)` turn.
fn bounds(node: Node) -> (f64, f64, f64, f64) {
    let (x, y) = (num(node, "x"), num(node, "y"));
    let lines = lines(node);
    let w = lines.iter().map(|l| text::width(l)).fold(0.0, f64::max);
    let extra_lines = (lines.len() - 1) as f64 * svg::LINE_HEIGHT;
    let (ascent, descent) = (0.8 * text::FONT_PX, 0.25 * text::FONT_PX + extra_lines);
    let start = match node.attribute("text-anchor") {
        Some("middle") => -w / 2.0,
        Some("end") => -w,
        _ => 0.0,
    };
    let corners = [
        (start, -ascent),
        (start + w, -ascent),
        (start, descent),
        (start + w, descent),
    ];
    let turn = match node.attribute("transform") {
        None => 0.0_f64,
        Some(t) => {
            assert!(t.starts_with("rotate(-45 "), "{t}");
            -45.0_f64.to_radians()
        }
    };
    let (sin, cos) = turn.sin_cos();
    let points = corners.map(|(dx, dy)| (x + dx * cos - dy * sin, y + dx * sin + dy * cos));
    let xs = points.map(|p| p.0);
    let ys = points.map(|p| p.1);
    (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        ys.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

fn tick_values(doc: &Document) -> Vec<f64> {
    by_class(doc, "tick")
        .into_iter()
        .map(|n| num(n, "data-value"))
        .collect()
}

/// 1, 2 or 5 × 10ⁿ.
fn is_nice(step: f64) -> bool {
    let m = step / 10f64.powf(step.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().any(|n| (m - n).abs() < 1e-6)
}

#[test]
fn nps_weekly_line_has_a_point_per_answered_week_and_a_gap_for_the_silent_one() {
    for width in [360, 720, 1280] {
        let c = nps_weekly();
        let (svg, _, _) = check(&c, width);
        let doc = parse(&svg);
        assert_eq!(in_series(&doc, 0, "point").len(), 51, "at {width}");
        let paths = in_series(&doc, 0, "line");
        assert_eq!(paths.len(), 1);
        // Week 21 has no answers: the line stops before it and starts again after it.
        assert_eq!(paths[0].attribute("d").unwrap().matches('M').count(), 2);
        assert_eq!(tick_values(&doc), [-100.0, -50.0, 0.0, 50.0, 100.0]);
        assert_eq!(texts(&doc, "tick"), ["−100", "−50", "0", "50", "100"]);
        assert_eq!(by_class(&doc, "zero").len(), 1, "the zero line is drawn");
        assert!(by_class(&doc, "legend").is_empty(), "one series, no legend");
        assert_eq!(texts(&doc, "axis-title"), ["NPS (−100…100)"]);
        // 52 labels cannot all fit: thinned to every k-th, starting with the first.
        let shown = texts(&doc, "category");
        assert!(
            shown.len() >= 3 && shown.len() < 52,
            "{} labels at {width}",
            shown.len()
        );
        assert_eq!(shown[0], "W01 5");
        // Too many points for a value over each.
        assert!(by_class(&doc, "value").is_empty());
    }
}

#[test]
fn points_sit_at_their_values() {
    let mut c = chart(
        Kind::Line,
        &["a", "b", "c"],
        &[("NPS", some(&[-100.0, 0.0, 100.0]))],
    );
    c.y_range = Some((-100.0, 100.0));
    c.value_format = ValueFormat::Integer;
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    let ys: Vec<f64> = in_series(&doc, 0, "point")
        .into_iter()
        .map(|p| num(p, "cy"))
        .collect();
    let zero = by_class(&doc, "zero")[0];
    assert!((ys[1] - num(zero, "y1")).abs() < 0.11);
    assert!(ys[0] > ys[1] && ys[1] > ys[2]);
    assert!(((ys[0] - ys[1]) - (ys[1] - ys[2])).abs() < 0.2);
    // Few points: each carries its value.
    assert_eq!(texts(&doc, "value"), ["−100", "0", "100"]);
}

#[test]
fn carriers_bars_grow_with_rows_and_shorten_long_names() {
    let c = carriers();
    let mut heights = Vec::new();
    for width in [360, 720] {
        let (svg, _, h) = check(&c, width);
        heights.push(h);
        let doc = parse(&svg);
        assert_eq!(in_series(&doc, 0, "bar").len(), 6);
        assert_eq!(in_series(&doc, 1, "bar").len(), 5, "a gap has no bar");
        assert_eq!(texts(&doc, "legend-label"), ["Median", "P90"]);
        let rows = texts(&doc, "category");
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[2], "롯데택배");
        assert!(
            rows[3].ends_with('…') && rows[3].starts_with("우체국택배"),
            "{}",
            rows[3]
        );
        assert_eq!(texts(&doc, "value").len(), 11);
        assert!(texts(&doc, "value").contains(&"28.3".to_string()));
        assert_eq!(
            texts(&doc, "axis-title"),
            ["Hours from shipped to delivered"]
        );
        let ticks = tick_values(&doc);
        assert_eq!(ticks[0], 0.0);
        assert!(*ticks.last().unwrap() >= 150.0);
        assert!(is_nice(ticks[1] - ticks[0]));

        // Bar lengths are proportional to values.
        let bars = in_series(&doc, 1, "bar");
        let (a, b) = (num(bars[0], "width"), num(bars[4], "width"));
        assert!((b / a - 150.0 / 70.0).abs() < 0.02, "{a} {b}");
    }
    let mut more = c.clone();
    more.categories
        .extend(["A", "B", "C", "D", "E", "F"].map(String::from));
    let (_, _, h) = check(&more, 720);
    assert!(h > heights[1] + 100.0, "twelve rows are taller than six");
}

#[test]
fn columns_group_series_and_label_values_that_fit() {
    let c = chart(
        Kind::Columns,
        &["Return", "Support request"],
        &[
            ("CSAT", some(&[75.0, 90.0])),
            ("Last year", some(&[70.0, 85.5])),
        ],
    );
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    assert_eq!(in_series(&doc, 0, "bar").len(), 2);
    assert_eq!(in_series(&doc, 1, "bar").len(), 2);
    assert_eq!(texts(&doc, "legend-label"), ["CSAT", "Last year"]);
    assert_eq!(texts(&doc, "value"), ["75.0", "90.0", "70.0", "85.5"]);
    assert_eq!(texts(&doc, "category"), ["Return", "Support request"]);
    let bars = in_series(&doc, 0, "bar");
    let (a, b) = (num(bars[0], "height"), num(bars[1], "height"));
    assert!((b / a - 90.0 / 75.0).abs() < 0.01);
    // Both columns stand on the same baseline.
    let base = |n: Node| num(n, "y") + num(n, "height");
    assert!((base(bars[0]) - base(bars[1])).abs() < 0.11);
    // The tooltip names the category, the series and the value.
    let tip = bars[1].first_element_child().unwrap().text().unwrap();
    assert_eq!(tip, "Support request · CSAT: 90.0");
}

#[test]
fn legend_only_with_more_than_one_series() {
    for kind in [Kind::Line, Kind::Columns, Kind::Bars] {
        let one = chart(kind, &["a", "b"], &[("Only", some(&[1.0, 2.0]))]);
        let (svg, _, _) = check(&one, 720);
        assert!(by_class(&parse(&svg), "legend").is_empty(), "{kind:?}");
        let two = chart(
            kind,
            &["a", "b"],
            &[("x", some(&[1.0, 2.0])), ("y", some(&[2.0, 1.0]))],
        );
        let (svg, _, _) = check(&two, 720);
        let doc = parse(&svg);
        assert_eq!(by_class(&doc, "legend").len(), 1, "{kind:?}");
        assert_eq!(by_class(&doc, "legend-item").len(), 2);
        // Each series has its own colour.
        let fill = |s: &str| {
            doc.descendants()
                .find(|n| n.attribute("data-series") == Some(s))
                .and_then(|n| n.attribute("fill"))
                .unwrap()
                .to_string()
        };
        assert_ne!(fill("0"), fill("1"));
    }
}

#[test]
fn every_text_is_escaped() {
    let names = [
        "<script>alert(1)</script>",
        "Tom & Jerry's \"best\" tee",
        "후드티 (블랙)",
        "]]><!--",
    ];
    for kind in [Kind::Line, Kind::Columns, Kind::Bars] {
        let mut c = chart(
            kind,
            &names,
            &[
                ("<b>now</b>", some(&[1.0, 2.0, 3.0, 4.0])),
                ("& before", some(&[2.0, 1.0, 0.0, 5.0])),
            ],
        );
        c.title = "<title>\"x\" & 'y'</title>".into();
        c.y_label = "Units <returned>".into();
        let (svg, _, _) = check(&c, 1280);
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
        let doc = parse(&svg);
        for name in names {
            assert!(
                doc.descendants()
                    .filter(|n| n.has_tag_name("text"))
                    .any(|n| content(n) == name),
                "{kind:?}: {name} not drawn as text"
            );
        }
        assert_eq!(texts(&doc, "legend-label"), ["<b>now</b>", "& before"]);
        assert_eq!(texts(&doc, "axis-title"), ["Units <returned>"]);
    }
}

#[test]
fn ticks_are_nice_and_cover_the_values() {
    for (values, format) in [
        (vec![3.0, 47.0, 12.0], ValueFormat::Integer),
        (vec![0.3, 0.7], ValueFormat::OneDecimal),
        (vec![1234.0, 98765.0], ValueFormat::Integer),
        (vec![12.5, 3.25], ValueFormat::Percent),
        (vec![2.5e9], ValueFormat::Integer),
    ] {
        for kind in [Kind::Columns, Kind::Bars] {
            let cats: Vec<String> = (0..values.len()).map(|i| format!("c{i}")).collect();
            let cats: Vec<&str> = cats.iter().map(String::as_str).collect();
            let mut c = chart(
                kind,
                &cats,
                &[("s", values.iter().map(|&v| Some(v)).collect())],
            );
            c.value_format = format;
            let (svg, _, _) = check(&c, 720);
            let doc = parse(&svg);
            let ticks = tick_values(&doc);
            assert!(ticks.len() >= 3, "{ticks:?}");
            let step = ticks[1] - ticks[0];
            assert!(is_nice(step), "{ticks:?}");
            for pair in ticks.windows(2) {
                assert!(
                    ((pair[1] - pair[0]) - step).abs() < 1e-9 * step.max(1.0),
                    "{ticks:?}"
                );
            }
            assert_eq!(ticks[0], 0.0);
            let max = values.iter().copied().fold(0.0, f64::max);
            assert!(*ticks.last().unwrap() >= max, "{ticks:?}");
            assert!(*ticks.last().unwrap() < max + step + 1e-9, "{ticks:?}");
            if format == ValueFormat::Percent {
                assert!(texts(&doc, "tick").iter().all(|t| t.ends_with('%')));
            }
            if format == ValueFormat::Integer {
                assert!(step >= 1.0);
            }
        }
    }
}

#[test]
fn negative_columns_hang_below_an_emphasised_zero_line() {
    let c = chart(
        Kind::Columns,
        &["a", "b", "c"],
        &[("net", some(&[-40.0, 25.0, -5.0]))],
    );
    let (svg, _, _) = check(&c, 360);
    let doc = parse(&svg);
    let zero = num(by_class(&doc, "zero")[0], "y1");
    let bars = in_series(&doc, 0, "bar");
    assert!(
        (num(bars[0], "y") - zero).abs() < 0.11,
        "a negative column starts at zero"
    );
    assert!((num(bars[1], "y") + num(bars[1], "height") - zero).abs() < 0.11);
    assert!(num(bars[0], "height") > num(bars[2], "height"));
    assert!(tick_values(&doc)[0] <= -40.0);
    assert_eq!(texts(&doc, "value"), ["−40.0", "25.0", "−5.0"]);
}

#[test]
fn labels_of_many_columns_turn_or_thin_but_never_overlap() {
    let names: Vec<String> = (0..14)
        .map(|i| format!("Product number {i} in blue"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let values = some(&(0..14).map(|i| i as f64 * 3.0).collect::<Vec<_>>());
    let c = chart(Kind::Columns, &names, &[("Returns", values)]);
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    let labels = by_class(&doc, "category");
    assert_eq!(labels.len(), 14, "every column keeps its name, turned");
    assert!(labels.iter().all(|l| l.attribute("transform").is_some()));
    // Values fit over columns this wide.
    assert_eq!(by_class(&doc, "value").len(), 14);

    let names: Vec<String> = (0..30).map(|i| format!("Product number {i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let values = some(&(0..30).map(|i| i as f64 * 3.0).collect::<Vec<_>>());
    let c = chart(Kind::Columns, &names, &[("Returns", values)]);
    let (svg, _, _) = check(&c, 320);
    let doc = parse(&svg);
    let shown = by_class(&doc, "category").len();
    assert!((10..30).contains(&shown), "thinned on a phone: {shown}");
    // Not every value fits over its column at that width: none is shown.
    assert!(by_class(&doc, "value").is_empty());
    assert_eq!(in_series(&doc, 0, "bar").len(), 30);
}

#[test]
fn empty_charts_say_so_and_draw_nothing_else() {
    let cases = [
        chart(Kind::Line, &[], &[("s", vec![])]),
        chart(Kind::Columns, &["a", "b"], &[("s", vec![None, None])]),
        chart(Kind::Bars, &["a"], &[]),
        chart(
            Kind::Bars,
            &["a", "b"],
            &[("s", vec![Some(f64::NAN), Some(f64::INFINITY)])],
        ),
    ];
    for c in cases {
        for width in [320, 720] {
            let (svg, w, h) = check(&c, width);
            let doc = parse(&svg);
            let empty = by_class(&doc, "empty");
            assert_eq!(empty.len(), 1);
            assert_eq!(empty[0].text(), Some("No answers in this range"));
            assert_eq!(num(empty[0], "x"), w / 2.0);
            assert!((num(empty[0], "y") - h / 2.0).abs() < 8.0);
            assert!(by_class(&doc, "bar").is_empty() && by_class(&doc, "point").is_empty());
            assert!(by_class(&doc, "tick").is_empty());
        }
    }
}

#[test]
fn odd_input_never_panics_and_stays_inside() {
    let long = "x".repeat(500);
    let cases = vec![
        chart(Kind::Line, &["only"], &[("s", some(&[42.0]))]),
        chart(
            Kind::Columns,
            &["a", "b", "c"],
            &[("s", some(&[0.0, 0.0, 0.0]))],
        ),
        chart(Kind::Bars, &["a", "b"], &[("s", some(&[0.0, 0.0]))]),
        chart(Kind::Columns, &["a", "b"], &[("s", some(&[1e300, -1e300]))]),
        chart(Kind::Bars, &["a", "b"], &[("s", some(&[f64::MAX, 1.0]))]),
        chart(
            Kind::Line,
            &["a", "b"],
            &[("s", vec![Some(f64::NEG_INFINITY), Some(3.0)])],
        ),
        chart(
            Kind::Bars,
            &["a", "b", "c"],
            &[("s", some(&[-30.0, -80.0, -1.0]))],
        ),
        chart(
            Kind::Columns,
            &["a", "b", "c"],
            &[("s", some(&[-30.0, -80.0, -1.0]))],
        ),
        // Longer and shorter series than categories.
        chart(
            Kind::Columns,
            &["a", "b", "c"],
            &[("s", some(&[1.0, 2.0, 3.0, 4.0, 5.0])), ("t", some(&[1.0]))],
        ),
        chart(
            Kind::Line,
            &["a", "b", "c"],
            &[("s", some(&[1.0])), ("t", vec![])],
        ),
        chart(
            Kind::Bars,
            &[&long, "", "\n\t"],
            &[(&long, some(&[1.0, 2.0, 3.0]))],
        ),
        chart(Kind::Columns, &[&long, &long], &[("s", some(&[1.0, 2.0]))]),
        chart(Kind::Line, &[&long, &long], &[("s", some(&[1.0, 2.0]))]),
        // Legends with names longer than the width, on several rows.
        chart(
            Kind::Line,
            &["a", "b"],
            &[
                (&long, some(&[1.0, 2.0])),
                ("short", some(&[2.0, 1.0])),
                (&long, some(&[3.0, 3.0])),
            ],
        ),
        // More series than the three a chart is meant for.
        chart(
            Kind::Columns,
            &["a", "b"],
            &[
                ("1", some(&[1.0, 2.0])),
                ("2", some(&[1.0, 2.0])),
                ("3", some(&[1.0, 2.0])),
                ("4", some(&[1.0, 2.0])),
                ("5", some(&[1.0, 2.0])),
                ("6", some(&[1.0, 2.0])),
            ],
        ),
    ];
    let many: Vec<String> = (0..500).map(|i| format!("{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let mut cases = cases;
    for kind in [Kind::Line, Kind::Columns, Kind::Bars] {
        cases.push(chart(kind, &many, &[("s", some(&vec![7.0; 500]))]));
    }
    let mut out_of_range = chart(Kind::Columns, &["a", "b"], &[("s", some(&[150.0, -20.0]))]);
    out_of_range.y_range = Some((0.0, 100.0));
    cases.push(out_of_range);
    for c in &cases {
        for width in [0, 320, 360, 719, 1600, u32::MAX] {
            let (svg, _, _) = check(c, width);
            let doc = parse(&svg);
            let drawn = by_class(&doc, "bar").len() + by_class(&doc, "point").len();
            let values = c
                .series
                .iter()
                .map(|s| {
                    s.values
                        .iter()
                        .take(c.categories.len())
                        .filter(|v| v.is_some_and(f64::is_finite))
                        .count()
                })
                .sum::<usize>();
            assert_eq!(drawn, values, "{:?}", c.categories.first());
        }
    }
}

#[test]
fn a_zero_is_drawn_unlike_a_gap() {
    let c = chart(
        Kind::Columns,
        &["a", "b", "c"],
        &[("s", vec![Some(0.0), None, Some(4.0)])],
    );
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    let bars = in_series(&doc, 0, "bar");
    assert_eq!(bars.len(), 2);
    assert!(num(bars[0], "height") >= 1.0);
    assert_eq!(texts(&doc, "value"), ["0.0", "4.0"]);
}

#[test]
fn layout_follows_the_width() {
    let c = nps_weekly();
    let (narrow, _, narrow_h) = check(&c, 360);
    let (wide, _, wide_h) = check(&c, 1280);
    assert!(wide_h > narrow_h);
    let last_x = |svg: &str| {
        let doc = parse(svg);
        let points = in_series(&doc, 0, "point");
        num(*points.last().unwrap(), "cx")
    };
    assert!(last_x(&narrow) < 360.0 && last_x(&narrow) > 300.0);
    assert!(last_x(&wide) > 1200.0);
}

#[test]
fn column_names_too_long_for_one_line_take_two() {
    let c = chart(
        Kind::Columns,
        &[
            "Where is my order",
            "Damaged item",
            "Return",
            "Exchange",
            "Invoice",
            "Other",
        ],
        &[("Requests", some(&[52.0, 11.0, 30.0, 8.0, 3.0, 14.0]))],
    );
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    let labels = by_class(&doc, "category");
    assert_eq!(labels.len(), 6);
    assert!(labels.iter().all(|l| l.attribute("transform").is_none()));
    assert_eq!(lines(labels[0]).len(), 2, "{:?}", lines(labels[0]));
    assert_eq!(content(labels[0]), "Where is my order");
    assert_eq!(lines(labels[2]), ["Return"]);
    // Two lines in a column's width do not fit on a phone: turned instead.
    let (svg, _, _) = check(&c, 320);
    let doc = parse(&svg);
    assert!(
        by_class(&doc, "category")
            .iter()
            .all(|l| l.attribute("transform").is_some())
    );
}

#[test]
fn a_negative_point_has_its_value_under_it_and_labels_have_a_halo() {
    let mut c = chart(Kind::Line, &["a", "b"], &[("NPS", some(&[-30.0, 50.0]))]);
    c.y_range = Some((-100.0, 100.0));
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    let points = in_series(&doc, 0, "point");
    let values = by_class(&doc, "value");
    assert!(
        num(values[0], "y") > num(points[0], "cy"),
        "−30 under its point"
    );
    assert!(
        num(values[1], "y") < num(points[1], "cy"),
        "50 over its point"
    );
    let group = by_class(&doc, "values")[0];
    assert_eq!(group.attribute("stroke"), Some("#ffffff"));
    assert_eq!(group.attribute("paint-order"), Some("stroke"));
}

#[test]
fn a_value_with_no_room_outside_its_bar_goes_inside_in_white() {
    let mut c = chart(
        Kind::Bars,
        &["Lotte", "CJ"],
        &[("NPS", some(&[-100.0, 45.0]))],
    );
    c.y_range = Some((-100.0, 100.0));
    c.value_format = ValueFormat::Integer;
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    let bars = in_series(&doc, 0, "bar");
    let values = by_class(&doc, "value");
    assert_eq!(content(values[0]), "−100");
    assert_eq!(values[0].attribute("fill"), Some("#ffffff"));
    let (x0, _, x1, _) = bounds(values[0]);
    assert!(x0 >= num(bars[0], "x") && x1 <= num(bars[0], "x") + num(bars[0], "width"));
    // The positive bar's value is outside, in ink.
    assert_eq!(values[1].attribute("fill"), Some(svg::INK));
    assert!(num(values[1], "x") > num(bars[1], "x") + num(bars[1], "width"));

    // Same on a column reaching the bottom of a fixed range.
    c.kind = Kind::Columns;
    let (svg, _, _) = check(&c, 720);
    let doc = parse(&svg);
    let bars = in_series(&doc, 0, "bar");
    let value = by_class(&doc, "value")[0];
    assert_eq!(value.attribute("fill"), Some("#ffffff"));
    let (_, y0, _, y1) = bounds(value);
    assert!(y0 >= num(bars[0], "y") && y1 <= num(bars[0], "y") + num(bars[0], "height"));
}
