//! Interim: the chart types the insights views build; the renderer lands with the charts work.

pub struct Chart {
    pub kind: Kind,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub y_label: String,
    pub y_range: Option<(f64, f64)>,
    pub value_format: ValueFormat,
    pub empty_text: String,
    pub title: String,
}

pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

pub enum Kind {
    Line,
    Columns,
    Bars,
}

pub enum ValueFormat {
    Integer,
    OneDecimal,
    Percent,
}

pub fn render(chart: &Chart, width: u32) -> String {
    let width = width.clamp(320, 1600);
    let title = chart.title.replace('&', "&amp;").replace('<', "&lt;");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"240\" viewBox=\"0 0 {width} 240\" role=\"img\"><title>{title}</title></svg>"
    )
}
