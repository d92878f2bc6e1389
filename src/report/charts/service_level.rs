//! Service level by interval across the horizon: mean over replications with its 95% band,
//! the target line, intervals below target marked, promotion peaks shaded and named.

use super::time_axis::PeakNames;
use super::{style, time_axis, Chart, DrawResult};
use crate::model::Model;
use crate::summary::{Aggregate, IntervalField};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One point's service level `[%]`: an interval's, or the mean of a group of adjacent
/// intervals' on long horizons ([`time_axis::Bins`]).
#[derive(Debug, Clone, Copy)]
struct Point {
    t: f64,
    mean: f64,
    ci: Option<f64>,
    /// The lowest interval level in the group (the interval's own level when alone).
    min: f64,
}

/// A group of adjacent intervals on the time axis.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: f64,
    end: f64,
}

pub struct ServiceLevelChart<'a> {
    m: &'a Model,
    /// `None` where nothing was offered in the interval (group).
    points: Vec<Option<Point>>,
    spans: Vec<Span>,
    /// Agents on duty per interval (group) (to shade the closed hours).
    agents: Vec<f64>,
    target_pct: f64,
    replications: usize,
    /// Intervals with a service level, and those below target (all intervals, not groups).
    with_value: usize,
    below: usize,
    /// The lowest level below target `[%]` and the start of its interval (the first such).
    worst: Option<(f64, f64)>,
    /// Whether points stand for groups of intervals (a long horizon).
    grouped: bool,
    /// Intervals per point.
    group: usize,
}

impl<'a> ServiceLevelChart<'a> {
    pub fn new(m: &'a Model, agg: &Aggregate) -> anyhow::Result<Self> {
        let f = IntervalField::ServiceLevel;
        let a = IntervalField::AgentsOnDuty;
        let target_pct = m.target.service_level * 100.0;
        let bins = time_axis::Bins::new(m);
        let (mut points, mut spans, mut agents) = (Vec::new(), Vec::new(), Vec::new());
        let (mut with_value, mut below, mut worst) = (0, 0, None::<(f64, f64)>);
        // The group being summed: levels, half-widths (count), lowest level, agents.
        let (mut sum, mut n, mut ci_sum, mut ci_n) = (0.0, 0usize, 0.0, 0usize);
        let (mut min, mut agents_sum) = (f64::INFINITY, 0.0);
        agg.intervals.for_each(|i, iv, _| {
            if let Some(mean) = iv[f].mean() {
                let mean = mean * 100.0;
                with_value += 1;
                if mean < target_pct - 1e-9 {
                    below += 1;
                    if worst.is_none_or(|w| mean < w.0) {
                        worst = Some((mean, m.run.interval_start(i)));
                    }
                }
                sum += mean;
                n += 1;
                if let Some(c) = iv[f].ci95() {
                    ci_sum += c * 100.0;
                    ci_n += 1;
                }
                min = min.min(mean);
            }
            agents_sum += iv[a].mean().unwrap_or(0.0);
            if bins.closes(i) {
                let (start, end) = bins.span(m, i);
                let size = (i % bins.size + 1) as f64;
                points.push((n > 0).then(|| Point {
                    t: (start + end) / 2.0,
                    mean: sum / n as f64,
                    ci: (ci_n > 0).then(|| ci_sum / ci_n as f64),
                    min,
                }));
                spans.push(Span { start, end });
                agents.push(agents_sum / size);
                (sum, n, ci_sum, ci_n, min, agents_sum) = (0.0, 0, 0.0, 0, f64::INFINITY, 0.0);
            }
        })?;
        Ok(ServiceLevelChart {
            m,
            points,
            spans,
            agents,
            target_pct,
            replications: agg.reps.len(),
            with_value,
            below,
            worst,
            grouped: bins.size > 1,
            group: bins.size,
        })
    }

    /// Runs of consecutive intervals that have a value.
    fn segments(&self) -> Vec<Vec<Point>> {
        let mut out: Vec<Vec<Point>> = vec![Vec::new()];
        for p in &self.points {
            match p {
                Some(p) => out.last_mut().expect("non-empty").push(*p),
                None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
                None => {}
            }
        }
        out.retain(|s| !s.is_empty());
        out
    }

    /// The points with an interval below target, at that interval's level.
    fn below(&self) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .flatten()
            .filter(|p| p.min < self.target_pct - 1e-9)
            .map(|p| (p.t, p.min))
            .collect()
    }
}

impl Chart for ServiceLevelChart<'_> {
    fn stem(&self) -> &'static str {
        "service_level"
    }

    fn title(&self) -> String {
        let grouped = if self.grouped {
            format!(" (a point: {} intervals)", self.group)
        } else {
            String::new()
        };
        format!(
            "Service level by {} interval{grouped}: share answered within {}",
            time_axis::interval_words(self.m),
            super::fmt_duration(self.m.target.answer_within_s)
        )
    }

    fn insight(&self) -> String {
        let with_value = self.with_value;
        let target = format!("{:.0}%", self.target_pct);
        match self.worst {
            None if with_value == 0 => "No contact reached the agents, so there is no service level to show.".into(),
            None => format!("Look for dips toward the red {target} line: here every interval stays on or above it."),
            Some((worst, start)) => format!(
                "Red dots are intervals below the {target} target: {} of {} intervals, the worst {:.0}% at {}; \
                 the shaded band shows how sure we are of each interval.",
                self.below,
                with_value,
                worst,
                time_axis::label(self.m, start)
            ),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let m = self.m;
        let (from, to) = (m.run.counted_from, m.run.counted_to);
        let (plot, side) = style::layout(root, &self.title())?;
        let mut legend: Vec<(Mark, String)> = Vec::new();
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(90)
            .y_label_area_size(120)
            .build_cartesian_2d(time_axis::axis(m), 0f64..100f64)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|t| time_axis::label(m, *t))
            .y_labels(11)
            .y_label_formatter(&|v| style::pct_tick(*v))
            .x_desc("Time (start of interval)")
            .y_desc(format!(
                "Answered within {} (%)",
                super::fmt_duration(m.target.answer_within_s)
            ))
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;

        let closed: Vec<usize> = (0..self.points.len())
            .filter(|i| self.points[*i].is_none() && self.agents[*i] < 0.01)
            .collect();
        if !closed.is_empty() {
            chart.draw_series(closed.iter().map(|&i| {
                Rectangle::new(
                    [(self.spans[i].start, 0.0), (self.spans[i].end, 100.0)],
                    GREY.mix(0.15).filled(),
                )
            }))?;
            legend.push((
                Mark::Box(GREY.mix(0.3)),
                "no agent on duty\n(contacts become tickets)".into(),
            ));
        }
        // Names at the bottom: the service level crowds the top.
        if time_axis::shade_peaks(&mut chart, m, (0.0, 100.0), PeakNames::Bottom)? {
            legend.push((Mark::Box(PEAK.mix(0.35)), "promotion peak".into()));
        }

        let segments = self.segments();
        if self.replications > 1 {
            for seg in &segments {
                let upper = seg
                    .iter()
                    .map(|p| (p.t, (p.mean + p.ci.unwrap_or(0.0)).min(100.0)));
                let lower = seg
                    .iter()
                    .rev()
                    .map(|p| (p.t, (p.mean - p.ci.unwrap_or(0.0)).max(0.0)));
                let poly: Vec<(f64, f64)> = upper.chain(lower).collect();
                chart.draw_series(std::iter::once(Polygon::new(poly, MAIN.mix(0.2).filled())))?;
            }
        }
        for seg in &segments {
            chart.draw_series(LineSeries::new(
                seg.iter().map(|p| (p.t, p.mean)),
                // Thinner for grouped points (see the load chart).
                MAIN.stroke_width(if self.grouped { 1 } else { 4 }),
            ))?;
        }
        legend.push((
            Mark::Line(MAIN, 4),
            format!("service level, mean\nof {} replications", self.replications),
        ));
        if self.replications > 1 {
            legend.push((Mark::Box(MAIN.mix(0.3)), "95% confidence band".into()));
        }
        let below = self.below();
        if !below.is_empty() {
            chart.draw_series(below.iter().map(|&p| Circle::new(p, 7, TARGET.filled())))?;
            legend.push((Mark::Dot(TARGET), "interval below target".into()));
        }
        chart.draw_series(DashedLineSeries::new(
            vec![(from, self.target_pct), (to, self.target_pct)],
            16,
            10,
            TARGET.stroke_width(3),
        ))?;
        legend.push((
            Mark::Dashed(TARGET, 3),
            format!("target {:.0}%", self.target_pct),
        ));
        style::side_legend(&side, 20, &legend)?;
        Ok(())
    }
}

use style::{Mark, GREY, MAIN, PEAK, TARGET};
