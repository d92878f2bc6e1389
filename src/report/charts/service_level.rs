//! Service level by interval across the horizon: mean over replications with its 95% band,
//! the target line, intervals below target marked, promotion peaks shaded and named.

use super::{style, time_axis, Chart, DrawResult};
use crate::model::Model;
use crate::summary::{field, Aggregate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One interval's service level `[%]`.
#[derive(Debug, Clone, Copy)]
struct Point {
    t: f64,
    start: f64,
    mean: f64,
    ci: Option<f64>,
}

pub struct ServiceLevelChart<'a> {
    m: &'a Model,
    /// `None` where nothing was offered in the interval.
    points: Vec<Option<Point>>,
    /// Agents on duty per interval (to shade the closed hours).
    agents: Vec<f64>,
    target_pct: f64,
    replications: usize,
}

impl<'a> ServiceLevelChart<'a> {
    pub fn new(m: &'a Model, agg: &Aggregate) -> Self {
        let f = field("service_level");
        let points = agg
            .intervals
            .iter()
            .enumerate()
            .map(|(i, iv)| {
                iv[f].mean().map(|mean| Point {
                    t: time_axis::interval_mid(m, i),
                    start: m.run.interval_start(i),
                    mean: mean * 100.0,
                    ci: iv[f].ci95().map(|c| c * 100.0),
                })
            })
            .collect();
        let a = field("agents_on_duty");
        let agents = agg
            .intervals
            .iter()
            .map(|iv| iv[a].mean().unwrap_or(0.0))
            .collect();
        ServiceLevelChart {
            m,
            points,
            agents,
            target_pct: m.target.service_level * 100.0,
            replications: agg.reps.len(),
        }
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

    fn below(&self) -> Vec<Point> {
        self.points
            .iter()
            .flatten()
            .filter(|p| p.mean < self.target_pct - 1e-9)
            .copied()
            .collect()
    }
}

impl Chart for ServiceLevelChart<'_> {
    fn stem(&self) -> &'static str {
        "service_level"
    }

    fn title(&self) -> String {
        format!(
            "Service level by {} interval: share answered within {}",
            time_axis::interval_words(self.m),
            super::fmt_duration(self.m.target.answer_within_s)
        )
    }

    fn insight(&self) -> String {
        let below = self.below();
        let with_value = self.points.iter().flatten().count();
        let target = format!("{:.0}%", self.target_pct);
        match below.iter().min_by(|a, b| a.mean.total_cmp(&b.mean)) {
            None if with_value == 0 => "No contact reached the agents, so there is no service level to show.".into(),
            None => format!("Look for dips toward the red {target} line: here every interval stays on or above it."),
            Some(w) => format!(
                "Red dots are intervals below the {target} target: {} of {} intervals, the worst {:.0}% at {}; \
                 the shaded band shows how sure we are of each interval.",
                below.len(),
                with_value,
                w.mean,
                time_axis::label(self.m, w.start)
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
            .y_label_formatter(&|v| format!("{v:.0}%"))
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
                    [
                        (m.run.interval_start(i), 0.0),
                        (time_axis::interval_end(m, i), 100.0),
                    ],
                    GREY.mix(0.15).filled(),
                )
            }))?;
            legend.push((
                Mark::Box(GREY.mix(0.3)),
                "no agent on duty\n(contacts become tickets)".into(),
            ));
        }
        let mut first_peak = true;
        for p in m
            .arrivals
            .peaks
            .iter()
            .filter(|p| p.to > from && p.from < to)
        {
            let (a, b) = (p.from.max(from), p.to.min(to));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a, 0.0), (b, 100.0)],
                PEAK.mix(0.18).filled(),
            )))?;
            if first_peak {
                legend.push((Mark::Box(PEAK.mix(0.35)), "promotion peak".into()));
                first_peak = false;
            }
            chart.draw_series(std::iter::once(Text::new(
                p.name.clone(),
                ((a + b) / 2.0, 1.5),
                style::bold_note_at(&RGBColor(170, 90, 0), HPos::Center, VPos::Bottom),
            )))?;
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
                MAIN.stroke_width(4),
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
            chart.draw_series(
                below
                    .iter()
                    .map(|p| Circle::new((p.t, p.mean), 7, TARGET.filled())),
            )?;
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
