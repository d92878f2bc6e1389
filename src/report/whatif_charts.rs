//! Charts of the what-if commands, each as PNG (1600×900) and SVG with a title, axis labels
//! with units and a legend: the differences of `kefu compare`, and the service level, mean
//! wait and (for two keys) the service-level heat map of `kefu sweep`.

use super::charts::font;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;
use std::path::Path;

type DrawResult = Result<(), Box<dyn Error>>;

const W: u32 = 1600;
const H: u32 = 900;
const BLUE: RGBColor = RGBColor(31, 119, 180);
const GREY: RGBColor = RGBColor(150, 150, 150);
const RED: RGBColor = RGBColor(214, 39, 40);

/// Draws with `draw` into `<base>.png` and `<base>.svg`.
fn both(
    base: &Path,
    draw_png: impl FnOnce(DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult,
    draw_svg: impl FnOnce(DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult,
) -> anyhow::Result<()> {
    font::ensure_registered();
    let png = base.with_extension("png");
    let svg = base.with_extension("svg");
    {
        let root = BitMapBackend::new(&png, (W, H)).into_drawing_area();
        draw_png(root).map_err(|e| anyhow::anyhow!("drawing {}: {e}", png.display()))?;
    }
    {
        let root = SVGBackend::new(&svg, (W, H)).into_drawing_area();
        draw_svg(root).map_err(|e| anyhow::anyhow!("drawing {}: {e}", svg.display()))?;
    }
    Ok(())
}

/// One panel of the comparison chart, in display units.
#[derive(Debug, Clone)]
pub struct DiffPanel {
    /// e.g. "service level (pp)".
    pub title: String,
    pub diff: f64,
    pub paired_ci95: f64,
    pub independent_ci95: f64,
}

/// `B − A` of each headline metric, with the paired and the unpaired 95% CI.
pub fn compare_chart(base: &Path, title: &str, panels: &[DiffPanel]) -> anyhow::Result<()> {
    both(
        base,
        |r| draw_compare(r, title, panels),
        |r| draw_compare(r, title, panels),
    )
}

fn draw_compare<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    panels: &[DiffPanel],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 38, FontStyle::Bold))?;
    let (body, foot) = root.split_vertically(H - 130);
    for (k, line) in [
        "Thick blue bar: paired 95% CI of B − A (common random numbers); thin grey bar: the 95% CI had the runs",
        "been independent; dot: mean difference; red line: no difference. A blue bar clear of the red line is a real difference.",
    ]
    .iter()
    .enumerate()
    {
        foot.draw(&Text::new(
            *line,
            (30, 14 + 34 * k as i32),
            ("sans-serif", 25),
        ))?;
    }
    let cols = 4.min(panels.len().max(1));
    let rows = panels.len().div_ceil(cols).max(1);
    let areas = body.split_evenly((rows, cols));
    for (p, area) in panels.iter().zip(areas) {
        let reach = [
            p.diff.abs() + p.independent_ci95.abs(),
            p.diff.abs() + p.paired_ci95.abs(),
        ]
        .into_iter()
        .fold(0.0f64, f64::max);
        // Rounding noise (e.g. 1e-14 h between identical staffings) is no difference to show.
        let m = if reach > 1e-9 { reach * 1.15 } else { 1.0 };
        let decimals = (1.0 - (m / 2.0).log10().floor()).clamp(0.0, 6.0) as usize;
        let fmt_x = move |x: &f64| {
            let s = format!("{x:.decimals$}");
            if s.chars().filter(|c| c.is_ascii_digit()).all(|c| c == '0') {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        };
        let mut chart = ChartBuilder::on(&area)
            .caption(&p.title, ("sans-serif", 28, FontStyle::Bold))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(110)
            .build_cartesian_2d(-m..m, 0.0..3.0)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(4)
            .y_label_formatter(&|y: &f64| match y.round() as i32 {
                2 if (y - 2.0).abs() < 1e-6 => "paired".into(),
                1 if (y - 1.0).abs() < 1e-6 => "unpaired".into(),
                _ => String::new(),
            })
            .x_labels(5)
            .x_label_formatter(&fmt_x)
            .x_desc("B − A")
            .label_style(("sans-serif", 21))
            .axis_desc_style(("sans-serif", 21))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, 3.0)],
            RED.stroke_width(2),
        )))?;
        let bar = |y: f64, hw: f64, h: f64, c: RGBColor| {
            Rectangle::new([(p.diff - hw, y - h), (p.diff + hw, y + h)], c.filled())
        };
        chart.draw_series([
            bar(2.0, p.paired_ci95, 0.18, BLUE),
            bar(1.0, p.independent_ci95, 0.06, GREY),
        ])?;
        chart.draw_series([2.0, 1.0].map(|y| Circle::new((p.diff, y), 6, BLACK.filled())))?;
    }
    root.present()?;
    Ok(())
}

/// A curve over the swept key with its 95% band.
pub struct Curve<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub xs: &'a [f64],
    /// `(mean, ci95)` per x; points without a mean are skipped.
    pub ys: &'a [(Option<f64>, Option<f64>)],
    /// Horizontal target line (value, label).
    pub target: Option<(f64, &'a str)>,
    /// Multiply values for display (100 for shares shown in %).
    pub scale: f64,
    pub series: &'a str,
}

/// A line with a CI band (and a target line) against the swept key.
pub fn curve_chart(base: &Path, c: &Curve<'_>) -> anyhow::Result<()> {
    both(base, |r| draw_curve(r, c), |r| draw_curve(r, c))
}

fn draw_curve<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, c: &Curve<'_>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let pts: Vec<(f64, f64, f64)> =
        c.xs.iter()
            .zip(c.ys)
            .filter_map(|(x, (m, ci))| Some((*x, (*m)? * c.scale, ci.unwrap_or(0.0) * c.scale)))
            .collect();
    let (mut lo, mut hi) = pts.iter().fold(
        (f64::INFINITY, f64::NEG_INFINITY),
        |(lo, hi), (_, m, ci)| (lo.min(m - ci), hi.max(m + ci)),
    );
    if let Some((t, _)) = c.target {
        lo = lo.min(t * c.scale);
        hi = hi.max(t * c.scale);
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-6);
    let (x0, x1) = (
        c.xs.first().copied().unwrap_or(0.0),
        c.xs.last().copied().unwrap_or(1.0),
    );
    let xpad = if x1 > x0 { 0.0 } else { 0.5 };
    let mut chart = ChartBuilder::on(&root)
        .caption(c.title, ("sans-serif", 36, FontStyle::Bold))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d((x0 - xpad)..(x1 + xpad), (lo - pad)..(hi + pad))?;
    let whole = c.xs.iter().all(|x| x.fract() == 0.0);
    let fmt_x = |x: &f64| {
        if whole && x.fract().abs() < 1e-9 {
            format!("{x:.0}")
        } else if whole {
            String::new()
        } else {
            let t = format!("{x:.3}");
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    chart
        .configure_mesh()
        .x_label_formatter(&fmt_x)
        .x_desc(c.x_desc)
        .y_desc(c.y_desc)
        .label_style(("sans-serif", 22))
        .axis_desc_style(("sans-serif", 26))
        .draw()?;
    let mut band: Vec<(f64, f64)> = pts.iter().map(|(x, m, ci)| (*x, m + ci)).collect();
    band.extend(pts.iter().rev().map(|(x, m, ci)| (*x, m - ci)));
    chart
        .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.2).filled())))?
        .label("95% confidence band")
        .legend(|(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], BLUE.mix(0.2).filled()));
    chart
        .draw_series(LineSeries::new(
            pts.iter().map(|(x, m, _)| (*x, *m)),
            BLUE.stroke_width(3),
        ))?
        .label(c.series)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLUE.stroke_width(3)));
    chart.draw_series(
        pts.iter()
            .map(|(x, m, _)| Circle::new((*x, *m), 5, BLUE.filled())),
    )?;
    if let Some((t, label)) = c.target {
        let t = t * c.scale;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x0 - xpad, t), (x1 + xpad, t)],
                12,
                8,
                RED.stroke_width(2),
            ))?
            .label(label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], RED.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 22))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// The service level over a two-key grid, `z[i][j]` at `(xs[i], ys[j])`.
pub struct Heat<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub xs: &'a [f64],
    pub ys: &'a [f64],
    pub z: &'a [Vec<Option<f64>>],
    /// The contour level (the target service level).
    pub level: f64,
}

/// A heat map of the service level with the target contour.
pub fn heat_chart(base: &Path, h: &Heat<'_>) -> anyhow::Result<()> {
    both(base, |r| draw_heat(r, h), |r| draw_heat(r, h))
}

/// Cell edges around grid values (midpoints between neighbours).
fn edges(v: &[f64]) -> Vec<f64> {
    match v.len() {
        0 => vec![0.0, 1.0],
        1 => vec![v[0] - 0.5, v[0] + 0.5],
        n => {
            let mut e = vec![v[0] - (v[1] - v[0]) / 2.0];
            e.extend(v.windows(2).map(|w| (w[0] + w[1]) / 2.0));
            e.push(v[n - 1] + (v[n - 1] - v[n - 2]) / 2.0);
            e
        }
    }
}

/// Red (low) → yellow → green (high) for `t` in [0, 1].
fn ramp(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: u8, b: u8, s: f64| (a as f64 + (b as f64 - a as f64) * s).round() as u8;
    if t < 0.5 {
        let s = t * 2.0;
        RGBColor(lerp(215, 254, s), lerp(48, 224, s), lerp(39, 139, s))
    } else {
        let s = (t - 0.5) * 2.0;
        RGBColor(lerp(254, 26, s), lerp(224, 152, s), lerp(139, 80, s))
    }
}

/// Marching squares: the segments where the bilinear surface crosses `level`.
pub fn contour(xs: &[f64], ys: &[f64], z: &[Vec<Option<f64>>], level: f64) -> Vec<[(f64, f64); 2]> {
    let mut segs = Vec::new();
    for i in 0..xs.len().saturating_sub(1) {
        for j in 0..ys.len().saturating_sub(1) {
            let c = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let Some(v): Option<Vec<f64>> = c.iter().map(|&(a, b)| z[a][b]).collect() else {
                continue;
            };
            let mut cross = Vec::new();
            for k in 0..4 {
                let (p, q) = (c[k], c[(k + 1) % 4]);
                let (a, b) = (v[k] - level, v[(k + 1) % 4] - level);
                if (a < 0.0) != (b < 0.0) {
                    let s = a / (a - b);
                    let x = xs[p.0] + (xs[q.0] - xs[p.0]) * s;
                    let y = ys[p.1] + (ys[q.1] - ys[p.1]) * s;
                    cross.push((x, y));
                }
            }
            match cross.len() {
                2 => segs.push([cross[0], cross[1]]),
                4 => {
                    segs.push([cross[0], cross[1]]);
                    segs.push([cross[2], cross[3]]);
                }
                _ => {}
            }
        }
    }
    segs
}

fn draw_heat<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, h: &Heat<'_>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (ex, ey) = (edges(h.xs), edges(h.ys));
    let vals: Vec<f64> = h.z.iter().flatten().flatten().copied().collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut chart = ChartBuilder::on(&root)
        .caption(h.title, ("sans-serif", 34))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(ex[0]..ex[ex.len() - 1], ey[0]..ey[ey.len() - 1])?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(h.x_desc)
        .y_desc(h.y_desc)
        .label_style(("sans-serif", 22))
        .axis_desc_style(("sans-serif", 26))
        .draw()?;
    let mut cells = Vec::new();
    let mut labels = Vec::new();
    for (i, row) in h.z.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let color = v.map_or(GREY, |v| ramp((v - lo) / span));
            cells.push(Rectangle::new(
                [(ex[i], ey[j]), (ex[i + 1], ey[j + 1])],
                color.filled(),
            ));
            if h.xs.len() <= 16 && h.ys.len() <= 16 {
                let text = v.map_or("n/a".into(), |v| format!("{:.1}%", v * 100.0));
                labels.push(Text::new(
                    text,
                    (h.xs[i], h.ys[j]),
                    ("sans-serif", 18)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ));
            }
        }
    }
    chart.draw_series(cells)?;
    chart.draw_series(labels)?;
    let segs = contour(h.xs, h.ys, h.z, h.level);
    chart
        .draw_series(
            segs.iter()
                .map(|s| PathElement::new(s.to_vec(), BLACK.stroke_width(4))),
        )?
        .label(format!(
            "service level = {:.0}% (target contour); colours: red {:.1}% → green {:.1}%",
            h.level * 100.0,
            lo * 100.0,
            hi * 100.0
        ))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(4)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 22))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contour_crosses_between_cells() {
        let z = vec![vec![Some(0.8), Some(0.8)], vec![Some(1.0), Some(1.0)]];
        let s = contour(&[0.0, 1.0], &[0.0, 1.0], &z, 0.9);
        assert_eq!(s.len(), 1);
        assert!((s[0][0].0 - 0.5).abs() < 1e-12 && (s[0][1].0 - 0.5).abs() < 1e-12);
    }
}
