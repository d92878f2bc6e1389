//! Charts of `kefu plan`, on the run charts' time axis and look: the requirement of each
//! method against the rostered headcount, and the service level each method's staffing
//! achieved when re-simulated with fresh seeds, against the target. One panel per planned
//! pool; promotion peaks shaded and named.

use super::style::{self, nice_ceil, Mark, GOOD, GREY, MAIN, PEAK, TARGET, VIP};
use super::time_axis::PeakNames;
use super::{fmt_count, time_axis, Chart, ChartFile, DrawResult};
use crate::model::Model;
use crate::plan::{PlanMethod, PlanResult};
use crate::report::OutputDir;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

/// How a method is drawn: label, colour, dashed.
fn method_style(method: PlanMethod) -> (&'static str, RGBColor, bool) {
    match method {
        PlanMethod::SippErlangC => ("SIPP Erlang C", GREY, true),
        PlanMethod::SippErlangA => ("SIPP Erlang A", VIP, true),
        PlanMethod::Simulated => ("simulated requirement", MAIN, false),
        PlanMethod::Plan => ("plan (shift roster)", GOOD, false),
    }
}

/// The display name of a method.
pub fn method_label(method: PlanMethod) -> &'static str {
    method_style(method).0
}

/// Draws both plan charts into `charts/` and returns them in report order.
pub fn write_plan_charts(out: &OutputDir, m: &Model, r: &PlanResult) -> Result<Vec<ChartFile>> {
    super::font::ensure_registered();
    out.create_subdir("charts")?;
    Ok(vec![
        super::render(out, &RequirementChart { m, r })?,
        super::render(out, &PlanServiceLevelChart { m, r })?,
    ])
}

/// Start and end of counted interval `j`.
fn span(r: &PlanResult, j: usize) -> (f64, f64) {
    let i = r.grid.counted_offset + j;
    (r.grid.start(i), r.grid.start(i + 1).min(r.grid.end))
}

fn counted(r: &PlanResult) -> usize {
    r.grid.len - r.grid.counted_offset
}

/// A per-interval value as a step line over the counted horizon.
fn steps(r: &PlanResult, v: &[u32]) -> Vec<(f64, f64)> {
    (0..counted(r))
        .flat_map(|j| {
            let (a, b) = span(r, j);
            let y = v[r.grid.counted_offset + j] as f64;
            [(a, y), (b, y)]
        })
        .collect()
}

/// Panels, one per planned pool, each with its caption when there are several.
fn panels<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    n: usize,
) -> Vec<DrawingArea<DB, Shift>> {
    plot.split_evenly((n.max(1), 1))
}

/// Labelled ticks on the percent axis: every 5, 10 or 20 points, coarser when panels share
/// the height.
fn y_label_count(range: f64, many: bool) -> usize {
    let mut step = if range <= 30.0 {
        5.0
    } else if range <= 60.0 {
        10.0
    } else {
        20.0
    };
    if many && step < 20.0 {
        step *= 2.0;
    }
    (range / step).round() as usize + 1
}

/// Requirement per method and the planned headcount over time.
pub struct RequirementChart<'a> {
    m: &'a Model,
    r: &'a PlanResult,
}

impl Chart for RequirementChart<'_> {
    fn stem(&self) -> &'static str {
        "plan_requirement"
    }

    fn title(&self) -> String {
        format!(
            "Agents needed by each method and agents planned, per {} interval",
            time_axis::interval_words(self.m)
        )
    }

    fn insight(&self) -> String {
        let r = self.r;
        let Some(p) = r.pools.first() else {
            return String::new();
        };
        let o = r.grid.counted_offset;
        let busiest = (o..r.grid.len).max_by_key(|&i| (p.simulated[i], std::cmp::Reverse(i)));
        let Some(i) = busiest else {
            return String::new();
        };
        let pool = if r.pools.len() > 1 {
            format!(" in pool {}", p.name)
        } else {
            String::new()
        };
        let covered = r
            .pools
            .iter()
            .all(|p| (o..r.grid.len).all(|i| p.planned[i] >= p.simulated[i]));
        format!(
            "The green area is the roster after shrinkage; it {} the blue simulated requirement. At the busiest \
             interval{pool} ({}) SIPP Erlang C asks for {}, Erlang A for {}, the simulation for {} and the roster gives {} agents.",
            if covered { "covers" } else { "does NOT everywhere cover" },
            time_axis::label(self.m, r.grid.start(i)),
            p.sipp_erlang_c[i],
            p.sipp_erlang_a[i],
            p.simulated[i],
            p.planned[i]
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (m, r) = (self.m, self.r);
        let (plot, side) = style::layout(root, &self.title())?;
        let many = r.pools.len() > 1;
        let mut peaks = false;
        for (p, area) in r.pools.iter().zip(panels(&plot, r.pools.len())) {
            let o = r.grid.counted_offset;
            let top = [&p.sipp_erlang_c, &p.sipp_erlang_a, &p.simulated, &p.planned]
                .iter()
                .flat_map(|v| v[o..].iter())
                .copied()
                .max()
                .unwrap_or(1) as f64;
            let y1 = nice_ceil(top * 1.12);
            let mut b = ChartBuilder::on(&area);
            b.margin(10).margin_right(30);
            if many {
                b.caption(format!("pool {}", p.name), style::panel_caption());
            }
            let mut chart = b
                .x_label_area_size(if many { 60 } else { 90 })
                .y_label_area_size(120)
                .build_cartesian_2d(time_axis::axis(m), 0f64..y1)?;
            chart
                .configure_mesh()
                .x_label_formatter(&|t| time_axis::label(m, *t))
                .y_labels(8)
                .y_label_formatter(&|v| fmt_count(*v))
                .x_desc(if many { "" } else { "Time (start of interval)" })
                .y_desc("Agents on duty (productive)")
                .label_style(style::tick())
                .axis_desc_style(style::axis_desc())
                .bold_line_style(RGBColor(215, 215, 215))
                .light_line_style(RGBColor(240, 240, 240))
                .draw()?;
            peaks |= time_axis::shade_peaks(&mut chart, m, (0.0, y1), PeakNames::Top)?;
            let planned = steps(r, &p.planned);
            chart.draw_series(AreaSeries::new(
                planned.iter().copied(),
                0.0,
                GOOD.mix(0.22).filled(),
            ))?;
            chart.draw_series(LineSeries::new(planned, GOOD.stroke_width(3)))?;
            chart.draw_series(LineSeries::new(
                steps(r, &p.simulated),
                MAIN.stroke_width(4),
            ))?;
            for (v, c) in [(&p.sipp_erlang_a, VIP), (&p.sipp_erlang_c, GREY)] {
                chart.draw_series(DashedLineSeries::new(steps(r, v), 12, 8, c.stroke_width(3)))?;
            }
        }
        let mut legend = vec![
            (
                Mark::Box(GOOD.mix(0.4)),
                "planned: on shift\nafter shrinkage".to_string(),
            ),
            (Mark::Line(MAIN, 4), "simulated requirement".into()),
            (Mark::Dashed(VIP, 3), "SIPP Erlang A".into()),
            (Mark::Dashed(GREY, 3), "SIPP Erlang C".into()),
        ];
        if peaks {
            legend.push((Mark::Box(PEAK.mix(0.35)), "promotion peak".into()));
        }
        style::side_legend(&side, 20, &legend)?;
        Ok(())
    }
}

/// Service level per interval achieved by each method's staffing on fresh seeds.
pub struct PlanServiceLevelChart<'a> {
    m: &'a Model,
    r: &'a PlanResult,
}

impl PlanServiceLevelChart<'_> {
    /// The lowest mean service level of `method` and where: `(pool, counted interval, level)`.
    fn lowest(&self, method: PlanMethod) -> Option<(usize, usize, f64)> {
        self.r.check(method)?.lowest()
    }
}

impl Chart for PlanServiceLevelChart<'_> {
    fn stem(&self) -> &'static str {
        "plan_service_level"
    }

    fn title(&self) -> String {
        format!(
            "Service level achieved on fresh seeds: share answered within {}",
            super::fmt_duration(self.r.answer_within_s)
        )
    }

    fn insight(&self) -> String {
        let r = self.r;
        let target = format!("{:.0}%", r.target * 100.0);
        let at = |k: usize, j: usize| {
            let pool = if r.pools.len() > 1 {
                format!("{} ", r.pools[k].name)
            } else {
                String::new()
            };
            format!("{pool}{}", time_axis::label(self.m, span(r, j).0))
        };
        let mut s = match (
            r.check(PlanMethod::Plan),
            self.lowest(PlanMethod::Plan),
        ) {
            (Some(c), Some((k, j, v))) if c.missed.is_empty() => format!(
                "Re-simulated with {} fresh replications, the plan (green) stays on or above the red {target} line in every \
                 interval; its lowest is {:.1}% at {}",
                r.verification.replications,
                v * 100.0,
                at(k, j)
            ),
            (Some(c), Some((k, j, v))) => format!(
                "Red dots: the plan misses the {target} target in {} interval(s) on {} fresh replications ({} beyond the \
                 green 95% band), the worst {:.1}% at {}",
                c.missed.len(),
                r.verification.replications,
                c.significant.len(),
                v * 100.0,
                at(k, j)
            ),
            _ => "No contact reached the planned pools, so there is no service level to show".into(),
        };
        if let (Some(c), Some((k, j, v))) = (
            r.check(PlanMethod::SippErlangC),
            self.lowest(PlanMethod::SippErlangC),
        ) {
            if !c.missed.is_empty() {
                s.push_str(&format!(
                    "; SIPP Erlang C staffing falls short in {} interval(s), down to {:.0}% at {}",
                    c.missed.len(),
                    v * 100.0,
                    at(k, j)
                ));
            }
        }
        s.push('.');
        s
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (m, r) = (self.m, self.r);
        let (from, to) = (m.run.counted_from, m.run.counted_to);
        let (plot, side) = style::layout(root, &self.title())?;
        let many = r.pools.len() > 1;
        let target = r.target * 100.0;
        let low = r
            .checks
            .iter()
            .flat_map(|c| c.sl.iter().flatten())
            .filter_map(|mo| mo.mean())
            .fold(1.0f64, f64::min)
            * 100.0;
        // Room below the lowest point, in steps of 10, but never hiding the target's
        // neighbourhood: at most 80 at the bottom.
        let y0 = (((low - 3.0) / 10.0).floor() * 10.0).clamp(0.0, 80.0);
        let plan = r.check(PlanMethod::Plan);
        let mut peaks = false;
        let mut small_drawn = false;
        for (k, area) in panels(&plot, r.pools.len()).into_iter().enumerate() {
            let mut b = ChartBuilder::on(&area);
            b.margin(10).margin_right(30);
            if many {
                b.caption(format!("pool {}", r.pools[k].name), style::panel_caption());
            }
            let mut chart = b
                .x_label_area_size(if many { 60 } else { 90 })
                .y_label_area_size(120)
                .build_cartesian_2d(time_axis::axis(m), y0..100f64)?;
            chart
                .configure_mesh()
                .x_label_formatter(&|t| time_axis::label(m, *t))
                .y_labels(y_label_count(100.0 - y0, many))
                .y_label_formatter(&|v| style::pct_tick(*v))
                .x_desc(if many { "" } else { "Time (start of interval)" })
                .y_desc(format!(
                    "Answered within {} (%)",
                    super::fmt_duration(r.answer_within_s)
                ))
                .label_style(style::tick())
                .axis_desc_style(style::axis_desc())
                .bold_line_style(RGBColor(215, 215, 215))
                .light_line_style(RGBColor(240, 240, 240))
                .draw()?;
            peaks |= time_axis::shade_peaks(&mut chart, m, (y0, 100.0), PeakNames::Bottom)?;
            let mid = |j: usize| {
                let (a, b) = span(r, j);
                (a + b) / 2.0
            };
            // The plan's 95% band, per run of intervals with a value.
            if let Some(c) = plan {
                let mut run: Vec<(f64, f64, f64)> = Vec::new();
                let mut flush = |run: &mut Vec<(f64, f64, f64)>| -> DrawResult {
                    if run.len() > 1 {
                        let poly: Vec<(f64, f64)> = run
                            .iter()
                            .map(|&(t, _, hi)| (t, hi))
                            .chain(run.iter().rev().map(|&(t, lo, _)| (t, lo)))
                            .collect();
                        chart.draw_series(std::iter::once(Polygon::new(
                            poly,
                            GOOD.mix(0.22).filled(),
                        )))?;
                    }
                    run.clear();
                    Ok(())
                };
                for (j, mo) in c.sl[k].iter().enumerate() {
                    match mo.mean() {
                        Some(v) => {
                            let ci = mo.ci95().unwrap_or(0.0);
                            run.push((
                                mid(j),
                                ((v - ci) * 100.0).max(y0),
                                ((v + ci) * 100.0).min(100.0),
                            ));
                        }
                        None => flush(&mut run)?,
                    }
                }
                flush(&mut run)?;
            }
            for &method in PlanMethod::ALL {
                let (_, color, dashed) = method_style(method);
                let Some(c) = r.check(method) else {
                    continue;
                };
                let mut segs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
                for (j, mo) in c.sl[k].iter().enumerate() {
                    match mo.mean() {
                        Some(v) => segs
                            .last_mut()
                            .expect("non-empty")
                            .push((mid(j), v * 100.0)),
                        None => segs.push(Vec::new()),
                    }
                }
                for seg in segs.into_iter().filter(|s| !s.is_empty()) {
                    if dashed {
                        chart.draw_series(DashedLineSeries::new(
                            seg,
                            12,
                            8,
                            color.stroke_width(3),
                        ))?;
                    } else {
                        let w = if method == PlanMethod::Plan { 4 } else { 3 };
                        chart.draw_series(LineSeries::new(seg, color.stroke_width(w)))?;
                    }
                }
            }
            if let Some(c) = plan {
                chart.draw_series(
                    c.missed
                        .iter()
                        .filter(|(kk, _)| *kk == k)
                        .filter_map(|&(_, j)| c.sl[k][j].mean().map(|v| (mid(j), v * 100.0)))
                        .map(|(t, v)| Circle::new((t, v.max(y0)), 8, TARGET.filled())),
                )?;
            }
            chart.draw_series(DashedLineSeries::new(
                vec![(from, target), (to, target)],
                16,
                10,
                TARGET.stroke_width(3),
            ))?;
            // Intervals with few contacts are judged at the lower small-interval goal.
            if let Some(c) = plan {
                let small = r.planning.small_interval_contacts;
                let goal = (r.target - r.planning.small_interval_tolerance) * 100.0;
                for (j, _) in c.offered[k].iter().enumerate().filter(|(_, o)| **o < small) {
                    let (a, b) = span(r, j);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(a, goal.max(y0)), (b, goal.max(y0))],
                        style::solid(TARGET, 0.55).stroke_width(3),
                    )))?;
                    small_drawn = true;
                }
            }
        }
        let mut legend: Vec<(Mark, String)> = vec![
            (Mark::Line(GOOD, 4), "plan (shift roster)".into()),
            (Mark::Box(GOOD.mix(0.35)), "plan: 95% band".into()),
            (Mark::Line(MAIN, 3), "simulated requirement".into()),
            (Mark::Dashed(VIP, 3), "SIPP Erlang A".into()),
            (Mark::Dashed(GREY, 3), "SIPP Erlang C".into()),
        ];
        if plan.is_some_and(|c| !c.missed.is_empty()) {
            legend.push((Mark::Dot(TARGET), "plan below target".into()));
        }
        legend.push((Mark::Dashed(TARGET, 3), format!("target {target:.0}%")));
        if small_drawn {
            legend.push((
                Mark::Line(style::solid(TARGET, 0.55), 3),
                format!(
                    "goal {:.0}% where under {}\ncontacts (small interval)",
                    (r.target - r.planning.small_interval_tolerance) * 100.0,
                    super::fmt_count(r.planning.small_interval_contacts)
                ),
            ));
        }
        if peaks {
            legend.push((Mark::Box(PEAK.mix(0.35)), "promotion peak".into()));
        }
        legend.push((
            Mark::Box(RGBAColor(255, 255, 255, 0.0)),
            format!(
                "{} fresh replications,\nseed {}",
                r.verification.replications, r.verification.seed
            ),
        ));
        style::side_legend(&side, 20, &legend)?;
        Ok(())
    }
}
