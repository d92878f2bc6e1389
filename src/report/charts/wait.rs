//! Wait-time distribution of answered contacts: bars (share of answered contacts per wait
//! bin; those answered at once in their own bar left of 0, cut at the top and labelled with
//! its value when it would dwarf the others), the cumulative
//! curve on the right axis, the target as a vertical line with the share within it; VIP and
//! normal customers overlaid when the scenario has VIPs.

use super::style::{self, nice_ceil, Mark, GREY, MAIN, TARGET, VIP};
use super::{fmt_duration, Chart, DrawResult};
use crate::model::Model;
use crate::stats::Histogram;
use crate::summary::Aggregate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Number of bars across the axis.
const BINS: usize = 30;

/// One class's distribution on the chart's bins.
struct Class {
    name: &'static str,
    color: RGBColor,
    answered: u64,
    /// Share answered with no wait at all `[%]`.
    immediate_pct: f64,
    /// Share of answered contacts per bin, positive waits only `[%]`.
    bars: Vec<f64>,
    /// `(x in axis units, cumulative %)`.
    cumulative: Vec<(f64, f64)>,
    within_pct: f64,
    /// Share waiting longer than the axis shows `[%]`.
    beyond_pct: f64,
}

pub struct WaitChart {
    target_s: f64,
    /// Seconds per axis unit (1 or 60).
    unit_s: f64,
    unit: &'static str,
    /// Axis end in axis units.
    x_max: f64,
    classes: Vec<Class>,
}

impl WaitChart {
    pub fn new(m: &Model, agg: &Aggregate) -> Self {
        let target_s = m.target.answer_within_s;
        let p99 = agg.waits.quantile(0.99).unwrap_or(0.0);
        let span_s = nice_ceil(p99.max(2.0 * target_s));
        let (unit_s, unit) = if span_s > 900.0 {
            (60.0, "min")
        } else {
            (1.0, "s")
        };
        let x_max = nice_ceil(span_s / unit_s);
        let split = agg.waits_vip.count() > 0 && agg.waits_normal.count() > 0;
        let sources: Vec<(&'static str, RGBColor, &Histogram)> = if split {
            vec![
                ("normal", MAIN, &agg.waits_normal),
                ("VIP", VIP, &agg.waits_vip),
            ]
        } else {
            vec![("all answered", MAIN, &agg.waits)]
        };
        let classes = sources
            .into_iter()
            .map(|(name, color, h)| class(name, color, h, target_s, unit_s, x_max))
            .collect();
        WaitChart {
            target_s,
            unit_s,
            unit,
            x_max,
            classes,
        }
    }

    /// Bars use the lower part of the plot, leaving room for the curves and the notes.
    fn y_max(&self) -> f64 {
        let top = self
            .classes
            .iter()
            .flat_map(|c| c.bars.iter())
            .fold(0.0f64, |a, &b| a.max(b));
        nice_ceil(top * 2.0).max(1.0)
    }
}

fn class(
    name: &'static str,
    color: RGBColor,
    h: &Histogram,
    target_s: f64,
    unit_s: f64,
    x_max: f64,
) -> Class {
    let answered = h.count();
    let n = answered.max(1) as f64;
    let width_s = x_max * unit_s / BINS as f64;
    let mut bars = vec![0.0; BINS];
    let mut zeros = 0u64;
    let mut beyond = 0u64;
    for (lo, hi, count) in h.buckets() {
        if hi == 0.0 {
            zeros += count;
            continue;
        }
        let mid = (lo * hi).sqrt().max(lo);
        let k = (mid / width_s) as usize;
        if k < BINS {
            bars[k] += count as f64 / n * 100.0;
        } else {
            beyond += count;
        }
    }
    let steps = 200;
    let cumulative = (0..=steps)
        .map(|i| {
            let x = x_max * i as f64 / steps as f64;
            (x, h.fraction_at_most(x * unit_s).unwrap_or(0.0) * 100.0)
        })
        .collect();
    Class {
        name,
        color,
        answered,
        immediate_pct: zeros as f64 / n * 100.0,
        bars,
        cumulative,
        within_pct: h.fraction_at_most(target_s).unwrap_or(0.0) * 100.0,
        beyond_pct: beyond as f64 / n * 100.0,
    }
}

impl Chart for WaitChart {
    fn stem(&self) -> &'static str {
        "wait_distribution"
    }

    fn title(&self) -> String {
        "How long answered customers waited for an agent".into()
    }

    fn insight(&self) -> String {
        let t = fmt_duration(self.target_s);
        if self.classes.iter().all(|c| c.answered == 0) {
            return "No contact was answered by an agent, so there are no waits to show.".into();
        }
        let shares: Vec<String> = self
            .classes
            .iter()
            .map(|c| format!("{} {:.1}%", c.name, c.within_pct))
            .collect();
        let mut s = format!(
            "The curve crosses the red {t} line at the share of answered customers who waited at most {t} \
             ({}); bars to the right of the line are the customers who waited too long; the bar left of 0 \
             is those answered at once.",
            shares.join(", ")
        );
        if let [normal, vip] = &self.classes[..] {
            if vip.within_pct + 0.05 < normal.within_pct {
                s.push_str(&format!(
                    " VIP customers wait longer than normal ones ({:.1}% against {:.1}% within {t}): VIP \
                     priority only orders a queue; the pools that serve VIPs decide their wait (see the \
                     breakdown by category).",
                    vip.within_pct, normal.within_pct
                ));
            }
        }
        s
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let x_max = self.x_max;
        let y_max = self.y_max();
        let width = x_max / BINS as f64;
        let (plot, side) = style::layout(root, &self.title())?;
        let mut legend: Vec<(Mark, String)> = Vec::new();
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(90)
            .y_label_area_size(120)
            .right_y_label_area_size(120)
            .build_cartesian_2d(-width * 1.4..x_max, 0f64..y_max)?
            .set_secondary_coord(-width * 1.4..x_max, 0f64..100f64);
        let unit = self.unit;
        chart
            .configure_mesh()
            .x_labels(11)
            // The slot left of 0 holds the answered-at-once bar, not a negative wait.
            .x_label_formatter(&|v| {
                if *v < -1e-9 {
                    String::new()
                } else {
                    format!("{v:.0}")
                }
            })
            .y_label_formatter(&|v| style::pct_tick(*v))
            .x_desc(format!(
                "Wait until an agent answered ({unit}); bars {} wide",
                fmt_axis(width, unit)
            ))
            .y_desc("Bars: share of answered contacts (%)")
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        chart
            .configure_secondary_axes()
            .y_labels(11)
            .y_label_formatter(&|v| style::pct_tick(*v))
            .y_desc("Curves: answered within this wait (%)")
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .draw()?;

        let overlaid = self.classes.len() > 1;
        for c in &self.classes {
            let fill = if overlaid {
                c.color.mix(0.45)
            } else {
                c.color.mix(0.6)
            };
            chart.draw_series(c.bars.iter().enumerate().filter(|(_, v)| **v > 0.0).map(
                |(k, v)| {
                    let x0 = k as f64 * width;
                    let mut r = Rectangle::new([(x0, 0.0), (x0 + width, *v)], fill.filled());
                    r.set_margin(0, 0, 1, 1);
                    r
                },
            ))?;
            legend.push((
                Mark::Box(fill),
                format!("{}: share of answered\nper bar", c.name),
            ));
        }
        // The answered-at-once mass: its own bar left of 0, cut at the top of the plot when
        // taller, and its value written at the top so that the cut cannot mislead.
        for c in &self.classes {
            let fill = if overlaid {
                c.color.mix(0.45)
            } else {
                c.color.mix(0.6)
            };
            let top = c.immediate_pct.min(y_max);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(-width * 1.2, 0.0), (-width * 0.2, top)],
                fill.filled(),
            )))?;
        }
        for c in &self.classes {
            chart.draw_secondary_series(LineSeries::new(
                c.cumulative.iter().copied(),
                c.color.stroke_width(4),
            ))?;
            legend.push((Mark::Line(c.color, 4), format!("{}: cumulative", c.name)));
        }
        let tx = self.target_s / self.unit_s;
        chart.draw_series(DashedLineSeries::new(
            vec![(tx, 0.0), (tx, y_max)],
            16,
            10,
            TARGET.stroke_width(3),
        ))?;
        legend.push((
            Mark::Dashed(TARGET, 3),
            format!("target {}", fmt_duration(self.target_s)),
        ));

        // The share within target, written beside the line, between the bars and the curves.
        let t = fmt_duration(self.target_s);
        let mut lines = vec![(format!("Waited at most {t}:"), TARGET)];
        for c in &self.classes {
            lines.push((
                format!("{} {:.1}% of answered", c.name, c.within_pct),
                c.color,
            ));
        }
        for c in &self.classes {
            let cut = if c.immediate_pct > y_max { ", cut" } else { "" };
            lines.push((
                format!(
                    "({} {:.0}% at once: bar left of 0{cut})",
                    c.name, c.immediate_pct
                ),
                GREY,
            ));
        }
        for c in self.classes.iter().filter(|c| c.beyond_pct >= 0.05) {
            lines.push((
                format!(
                    "({} {:.1}% waited over {})",
                    c.name,
                    c.beyond_pct,
                    fmt_axis(x_max, unit)
                ),
                GREY,
            ));
        }
        let (px, py) = chart.backend_coord(&(tx, y_max * 0.62));
        let on_left = tx > x_max * 0.6;
        let h = if on_left { HPos::Right } else { HPos::Left };
        let dx = if on_left { -14 } else { 14 };
        let y0 = py - 19 * lines.len() as i32;
        for (i, (text, color)) in lines.iter().enumerate() {
            let pos = (px + dx, y0 + 38 * i as i32);
            let st = if i == 0 {
                style::bold_note_at(color, h, VPos::Top)
            } else {
                style::note_at(color, h, VPos::Top)
            };
            root.draw_text(text, &st, pos)?;
        }
        style::side_legend(&side, 20, &legend)?;
        Ok(())
    }
}

fn fmt_axis(v: f64, unit: &str) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0} {unit}")
    } else {
        format!("{v:.1} {unit}")
    }
}
