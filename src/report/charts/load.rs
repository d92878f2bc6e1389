//! Load and capacity over time, two panels on one time axis: contacts arriving and sent to
//! agents per interval (top); agents on duty, surge agents, and contacts waiting (mean and
//! max) with queue-alert time shaded (bottom).

use super::style::{self, nice_ceil, Mark, GOOD, GREY, MAIN, PEAK, TARGET};
use super::time_axis::PeakNames;
use super::{fmt_count, time_axis, Chart, DrawResult};
use crate::model::Model;
use crate::summary::{Aggregate, IntervalField};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Surge agents: orange-brown.
const SURGE: RGBColor = RGBColor(200, 110, 20);
/// Contacts waiting.
const WAITING: RGBColor = RGBColor(110, 60, 150);
/// Contacts waiting, most at once, on long horizons (half way to white).
const WAITING_LIGHT: RGBColor = RGBColor(182, 157, 202);
/// Open tickets (the offline backlog).
const BACKLOG: RGBColor = RGBColor(150, 90, 40);

pub struct LoadChart<'a> {
    m: &'a Model,
    /// Per interval (or group of adjacent intervals on long horizons: [`time_axis::Bins`]),
    /// mean over replications (0 where undefined), averaged over the group; `max_waiting` is
    /// the group's largest.
    t: Vec<f64>,
    /// Start and end of each point's interval (group).
    spans: Vec<(f64, f64)>,
    arrivals: Vec<f64>,
    offered: Vec<f64>,
    agents: Vec<f64>,
    surge: Vec<f64>,
    mean_waiting: Vec<f64>,
    max_waiting: Vec<f64>,
    /// Share of the interval spent in queue alert, averaged over replications.
    alert_share: Vec<f64>,
    /// The interval with the most arrivals (the last of equals): its start and offered count.
    busiest: Option<(f64, f64)>,
    /// Intervals with a queue alert (all intervals, not groups).
    alert_intervals: usize,
    /// Whether points stand for groups of intervals (a long horizon).
    grouped: bool,
    /// Tickets open (created, not yet worked) at the end of each point's interval (group),
    /// mean over replications; empty when the run made no ticket.
    backlog: Vec<f64>,
    /// The largest backlog and the end of the interval where it stood.
    backlog_peak: Option<(f64, f64)>,
}

impl<'a> LoadChart<'a> {
    pub fn new(m: &'a Model, agg: &Aggregate) -> anyhow::Result<Self> {
        let bins = time_axis::Bins::new(m);
        let cols = [
            IntervalField::Arrivals,
            IntervalField::Offered,
            IntervalField::AgentsOnDuty,
            IntervalField::SurgeAgents,
            IntervalField::MeanWaiting,
            IntervalField::MaxWaiting,
        ];
        let alert = IntervalField::AlertMinutes;
        let mut series: [Vec<f64>; 6] = Default::default();
        let (mut t, mut spans, mut alert_share) = (Vec::new(), Vec::new(), Vec::new());
        let mut sums = [0.0; 6];
        let mut alert_sum = 0.0;
        let mut busiest: Option<(f64, f64, f64)> = None;
        let mut alert_intervals = 0;
        let (mut open_tickets, mut backlog, mut backlog_peak) = (0.0, Vec::new(), None);
        let mut any_ticket = false;
        agg.intervals.for_each(|i, iv, _| {
            let v = cols.map(|f| iv[f].mean().unwrap_or(0.0));
            // Means are linear: the mean backlog is the running sum of mean differences.
            let made = iv[IntervalField::Tickets].mean().unwrap_or(0.0);
            open_tickets += made - iv[IntervalField::TicketsWorked].mean().unwrap_or(0.0);
            any_ticket |= made > 0.0;
            if backlog_peak.is_none_or(|(_, b)| open_tickets > b) {
                backlog_peak = Some((time_axis::interval_end(m, i), open_tickets));
            }
            let len = time_axis::interval_end(m, i) - m.run.interval_start(i);
            let share = (iv[alert].mean().unwrap_or(0.0) * 60.0 / len.max(1e-9)).clamp(0.0, 1.0);
            if share > 0.005 {
                alert_intervals += 1;
            }
            if busiest.is_none_or(|b| v[0].total_cmp(&b.0).is_ge()) {
                busiest = Some((v[0], m.run.interval_start(i), v[1]));
            }
            for (k, x) in v.iter().enumerate() {
                if k == 5 {
                    sums[k] = if i % bins.size == 0 {
                        *x
                    } else {
                        sums[k].max(*x)
                    };
                } else {
                    sums[k] += x;
                }
            }
            alert_sum += share;
            if bins.closes(i) {
                let (start, end) = bins.span(m, i);
                let size = (i % bins.size + 1) as f64;
                t.push(if bins.size == 1 {
                    time_axis::interval_mid(m, i)
                } else {
                    (start + end) / 2.0
                });
                spans.push((start, end));
                for (k, s) in series.iter_mut().enumerate() {
                    s.push(if k == 5 { sums[k] } else { sums[k] / size });
                }
                alert_share.push(alert_sum / size);
                backlog.push(open_tickets.max(0.0));
                (sums, alert_sum) = ([0.0; 6], 0.0);
            }
        })?;
        let [arrivals, offered, agents, surge, mean_waiting, max_waiting] = series;
        if !any_ticket {
            backlog.clear();
        }
        Ok(LoadChart {
            m,
            t,
            spans,
            arrivals,
            offered,
            agents,
            surge,
            mean_waiting,
            max_waiting,
            alert_share,
            busiest: busiest.map(|b| (b.1, b.2)),
            alert_intervals,
            grouped: bins.size > 1,
            backlog_peak: backlog_peak.filter(|_| any_ticket),
            backlog,
        })
    }

    /// A series line's width: thinner for grouped points (thick lines zigzagging between
    /// points less than a pixel apart draw long spikes at their joins).
    fn line(&self, width: u32) -> u32 {
        if self.grouped {
            1
        } else {
            width
        }
    }

    fn series<'s>(&'s self, v: &'s [f64]) -> impl Iterator<Item = (f64, f64)> + 's {
        self.t.iter().copied().zip(v.iter().copied())
    }
}

fn max_of(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

impl Chart for LoadChart<'_> {
    fn stem(&self) -> &'static str {
        "load_capacity"
    }

    fn title(&self) -> String {
        "Load and capacity over time".into()
    }

    fn insight(&self) -> String {
        let mut s = match self.busiest {
            Some((start, offered)) => format!(
                "Compare the two panels: when contacts sent to agents (top, busiest {} at {}) rise while the \
                 green agents line stays flat, the queue grows",
                fmt_count(offered),
                time_axis::label(self.m, start)
            ),
            None => "Compare contacts sent to agents with agents on duty".into(),
        };
        let alerts = self.alert_intervals;
        if alerts > 0 {
            s.push_str(&format!(
                "; red shading marks the {alerts} interval(s) with more than {} contacts waiting (queue alert).",
                self.m.target.queue_alert_waiting
            ));
        } else {
            s.push_str("; no queue alert was raised.");
        }
        if let Some((end, peak)) = self.backlog_peak {
            s.push_str(&format!(
                " The brown line is the offline ticket backlog: it peaks at {} open tickets at {} and {} remain at the end.",
                fmt_count(peak),
                time_axis::label(self.m, end),
                fmt_count(self.backlog.last().copied().unwrap_or(0.0))
            ));
        }
        s
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let m = self.m;
        let (plot, side) = style::layout(root, &self.title())?;
        let split = plot.dim_in_pixel().1 * 9 / 20;
        let (top, bottom) = plot.split_vertically(split);
        let (side_top, side_bottom) = side.split_vertically(split);
        let per = time_axis::interval_words(m);

        // Top: contacts per interval.
        let y_top = nice_ceil(
            max_of(&self.arrivals)
                .max(max_of(&self.offered))
                .max(max_of(&self.backlog))
                * 1.1,
        )
        .max(1.0);
        let mut c = ChartBuilder::on(&top)
            .margin(20)
            .margin_right(30)
            .margin_bottom(5)
            .x_label_area_size(10)
            .y_label_area_size(120)
            .build_cartesian_2d(time_axis::axis(m), 0f64..y_top)?;
        c.configure_mesh()
            .x_label_formatter(&|_| String::new())
            .y_labels(6)
            .y_label_formatter(&|v| fmt_count(*v))
            .y_desc(format!("Contacts per {per}"))
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        let mut legend: Vec<(Mark, String)> = Vec::new();
        if time_axis::shade_peaks(&mut c, m, (0.0, y_top), PeakNames::None)? {
            legend.push((Mark::Box(PEAK.mix(0.35)), "promotion peak".into()));
        }
        c.draw_series(LineSeries::new(
            self.series(&self.arrivals),
            GREY.stroke_width(self.line(4)),
        ))?;
        c.draw_series(LineSeries::new(
            self.series(&self.offered),
            MAIN.stroke_width(self.line(4)),
        ))?;
        legend.push((Mark::Line(GREY, 4), "contacts arriving".into()));
        legend.push((
            Mark::Line(MAIN, 4),
            "sent to agents\n(after the bot)".into(),
        ));
        if !self.backlog.is_empty() {
            c.draw_series(LineSeries::new(
                self.series(&self.backlog),
                BACKLOG.stroke_width(self.line(3)),
            ))?;
            legend.push((
                Mark::Line(BACKLOG, 3),
                "open tickets\n(backlog, at interval end)".into(),
            ));
        }
        style::side_legend(&side_top, 20, &legend)?;
        let mut legend: Vec<(Mark, String)> = Vec::new();

        // Bottom: people on duty and contacts waiting.
        let has_surge = !m.surges.is_empty();
        let y_bot = nice_ceil(max_of(&self.agents).max(max_of(&self.max_waiting)) * 1.15).max(1.0);
        let mut c = ChartBuilder::on(&bottom)
            .margin(20)
            .margin_right(30)
            .margin_top(5)
            .x_label_area_size(90)
            .y_label_area_size(120)
            .build_cartesian_2d(time_axis::axis(m), 0f64..y_bot)?;
        c.configure_mesh()
            .x_label_formatter(&|t| time_axis::label(m, *t))
            .y_labels(6)
            .y_label_formatter(&|v| fmt_count(*v))
            .x_desc("Time (start of interval)")
            .y_desc("Agents / contacts")
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        let mut first = true;
        for (i, share) in self
            .alert_share
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.005)
        {
            let (a, b) = self.spans[i];
            c.draw_series(std::iter::once(Rectangle::new(
                [(a, 0.0), (b, y_bot)],
                TARGET.mix(0.08 + 0.35 * share).filled(),
            )))?;
            if first {
                legend.push((
                    Mark::Box(TARGET.mix(0.3)),
                    format!(
                        "queue alert: over {}\nwaiting (darker = longer)",
                        m.target.queue_alert_waiting
                    ),
                ));
                first = false;
            }
        }
        c.draw_series(LineSeries::new(
            self.series(&self.agents),
            GOOD.stroke_width(self.line(4)),
        ))?;
        legend.push((
            Mark::Line(GOOD, 4),
            if has_surge {
                "agents on duty\n(surge included)"
            } else {
                "agents on duty"
            }
            .into(),
        ));
        if has_surge {
            c.draw_series(LineSeries::new(
                self.series(&self.surge),
                SURGE.stroke_width(self.line(3)),
            ))?;
            legend.push((Mark::Line(SURGE, 3), "of which surge agents".into()));
        }
        c.draw_series(LineSeries::new(
            self.series(&self.mean_waiting),
            WAITING.stroke_width(self.line(4)),
        ))?;
        legend.push((Mark::Line(WAITING, 4), "contacts waiting,\naverage".into()));
        if self.grouped {
            // Dashes along the zigzag of many points would draw thousands of tiny strokes:
            // a thin solid line in a lighter shade instead.
            c.draw_series(LineSeries::new(
                self.series(&self.max_waiting),
                WAITING_LIGHT.stroke_width(1),
            ))?;
            legend.push((
                Mark::Line(WAITING_LIGHT, 2),
                "contacts waiting,\nmost at once (lighter)".into(),
            ));
        } else {
            c.draw_series(DashedLineSeries::new(
                self.series(&self.max_waiting).collect::<Vec<_>>(),
                10,
                6,
                WAITING.stroke_width(2),
            ))?;
            legend.push((
                Mark::Dashed(WAITING, 2),
                "contacts waiting,\nmost at once".into(),
            ));
        }
        style::side_legend(&side_bottom, 10, &legend)?;
        Ok(())
    }
}
