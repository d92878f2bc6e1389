//! Charts for managers, drawn with plotters into `charts/` of the output folder, each as a PNG
//! (1600×900, readable when projected) and an SVG (inlined in `report.html`).
//!
//! Every chart is a `Chart`: its data are prepared once from the [`Model`] and the
//! [`Aggregate`], then drawn twice, on the bitmap and on the SVG backend. Text uses the font
//! embedded in the binary ([`font`]), so nothing depends on the fonts of the machine.

mod breakdown;
pub mod font;
mod funnel;
mod load;
pub mod plan;
mod service_level;
mod style;
mod time_axis;
mod wait;

use crate::model::Model;
use crate::report::OutputDir;
use crate::summary::Aggregate;
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (1600, 900);

/// The font list written into SVG text elements.
pub const SVG_FONTS: &str = "'Noto Sans', Arial, Helvetica, 'Liberation Sans', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/// What drawing returns: any backend error, boxed.
pub(crate) type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// One chart: its data, ready to draw on any backend.
pub(crate) trait Chart {
    /// File stem under `charts/`, e.g. `service_level`.
    fn stem(&self) -> &'static str;
    /// The title drawn on the chart (and used as the heading in the report).
    fn title(&self) -> String;
    /// One sentence for the report saying what to look at, from the data.
    fn insight(&self) -> String;
    /// Draws the whole chart on `root`, already filled white.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// A chart written to disk.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File stem, e.g. `service_level`.
    pub stem: String,
    pub title: String,
    /// One sentence saying what to look at.
    pub insight: String,
    /// Path of the PNG relative to the output folder, e.g. `charts/service_level.png`.
    pub png: String,
    /// Path of the SVG relative to the output folder.
    pub svg: String,
    /// The SVG document (for inlining).
    pub svg_text: String,
    /// Time spent drawing and encoding both files `[s]`.
    pub render_s: f64,
}

/// Draws every chart of a run into `charts/` and returns what was written, in report order.
pub fn write_charts(out: &OutputDir, m: &Model, agg: &Aggregate) -> Result<Vec<ChartFile>> {
    font::ensure_registered();
    out.create_subdir("charts")?;
    type Job<'a> = Box<dyn Fn() -> Result<ChartFile> + Send + Sync + 'a>;
    let jobs: Vec<Job> = vec![
        Box::new(|| render(out, &wait::WaitChart::new(m, agg))),
        Box::new(|| render(out, &service_level::ServiceLevelChart::new(m, agg)?)),
        Box::new(|| render(out, &load::LoadChart::new(m, agg)?)),
        Box::new(|| render(out, &funnel::FunnelChart::new(m, agg))),
        Box::new(|| render(out, &breakdown::BreakdownChart::new(m, agg))),
    ];
    // Charts are independent: draw them on all cores (results keep this order).
    jobs.par_iter().map(|job| job()).collect()
}

/// Draws one chart as PNG and SVG.
fn render<C: Chart>(out: &OutputDir, chart: &C) -> Result<ChartFile> {
    let started = std::time::Instant::now();
    let stem = chart.stem();
    let png = format!("charts/{stem}.png");
    let svg = format!("charts/{stem}.svg");
    let fail = |e: Box<dyn std::error::Error>| anyhow!("cannot draw the chart {stem}: {e}");

    let png_path = out.path(&png);
    {
        let root = BitMapBackend::new(&png_path, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.into()))?;
        chart.draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.into()))?;
    }

    let mut svg_text = String::new();
    {
        let root = SVGBackend::with_string(&mut svg_text, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.into()))?;
        chart.draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.into()))?;
    }
    // Viewers draw SVG text with their own fonts: ask for Noto Sans (the metrics the layout was
    // made with) and fall back to common fonts of similar width.
    let svg_text = svg_text.replace(
        "font-family=\"sans-serif\"",
        &format!("font-family=\"{SVG_FONTS}\""),
    );
    out.write(&svg, &svg_text)?;

    Ok(ChartFile {
        stem: stem.to_string(),
        title: chart.title(),
        insight: chart.insight(),
        png,
        svg,
        svg_text,
        render_s: started.elapsed().as_secs_f64(),
    })
}

/// Labels in the model that the chart font cannot draw (e.g. Chinese category names without
/// `--font-file`): a warning for the user, or `None` when every label renders.
pub fn missing_glyph_warning(m: &Model) -> Option<String> {
    let mut labels: Vec<&str> = vec![m.name.as_str()];
    labels.extend(m.categories.iter().map(|c| c.name.as_str()));
    labels.extend(m.arrivals.peaks.iter().map(|p| p.name.as_str()));
    let bad: Vec<&str> = labels.into_iter().filter(|l| !font::covers(l)).collect();
    if bad.is_empty() {
        return None;
    }
    Some(format!(
        "the built-in chart font cannot draw some characters of {}: the PNG charts show boxes for \
         them (the SVG charts and report.html use the viewer's fonts); pass --font-file with a CJK \
         font, e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (Debian fonts-wqy-microhei)",
        bad.iter()
            .map(|b| format!("\"{b}\""))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Formats a count for labels: `12,345` or `12.3` below 100.
pub(crate) fn fmt_count(v: f64) -> String {
    if v.abs() < 100.0 && v.fract().abs() > 1e-9 {
        return format!("{v:.1}");
    }
    let n = v.round() as i64;
    let digits = n.abs().to_string();
    let mut s = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(ch);
    }
    if n < 0 {
        format!("-{s}")
    } else {
        s
    }
}

/// Formats a duration for labels: `45 s`, `2 min`, `2.5 min`, `1.5 h`.
pub(crate) fn fmt_duration(s: f64) -> String {
    if s < 120.0 && (s < 60.0 || s.fract().abs() > 1e-9 || s % 60.0 != 0.0) {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        let m = s / 60.0;
        if (m - m.round()).abs() < 1e-9 {
            format!("{m:.0} min")
        } else {
            format!("{m:.1} min")
        }
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_count(1234567.0), "1,234,567");
        assert_eq!(fmt_count(12.34), "12.3");
        assert_eq!(fmt_count(120.0), "120");
        assert_eq!(fmt_duration(120.0), "2 min");
        assert_eq!(fmt_duration(45.0), "45 s");
        assert_eq!(fmt_duration(90.0), "90 s");
        assert_eq!(fmt_duration(150.0), "2.5 min");
        assert_eq!(fmt_duration(3.0 * 3600.0), "3.0 h");
    }
}
