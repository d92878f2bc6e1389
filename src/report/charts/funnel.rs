//! The contact funnel: contacts → met by the bot → resolved by it / transferred (and those
//! sent straight to agents) → joined the agent queue → answered within target / late /
//! abandoned, and tickets. Horizontal bars, means per replication, with the share of all
//! contacts written at each bar.

use super::style::{self, nice_ceil, solid, BOT, GOOD, GREY, INK, LATE, MAIN, TARGET};
use super::{fmt_count, fmt_duration, Chart, DrawResult};
use crate::model::Model;
use crate::summary::{Aggregate, HumanMetric, Metric, TotalMetric};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

struct Row {
    label: String,
    value: f64,
    color: RGBColor,
    /// An outcome of the agent queue: its share of the queue is written too (the base of
    /// the headline service level), not only of all contacts.
    of_queue: bool,
}

pub struct FunnelChart {
    rows: Vec<Row>,
    contacts: f64,
    /// Contacts that joined the agent queue.
    offered: f64,
    target_s: f64,
}

impl FunnelChart {
    pub fn new(m: &Model, agg: &Aggregate) -> Self {
        let g = |k: Metric| agg.get(k).and_then(|e| e.mean).unwrap_or(0.0);
        let contacts = g(Metric::Total(TotalMetric::Contacts));
        let answered = g(Metric::human(HumanMetric::Answered));
        let within = g(Metric::human(HumanMetric::AnsweredWithinTarget));
        let t = fmt_duration(m.target.answer_within_s);
        let mut rows = vec![Row {
            label: "Contacts".into(),
            value: contacts,
            color: GREY,
            of_queue: false,
        }];
        if m.bot.is_some() {
            rows.push(Row {
                label: "Met by the bot".into(),
                value: g(Metric::Total(TotalMetric::BotMet)),
                color: BOT,
                of_queue: false,
            });
            rows.push(Row {
                label: "Resolved by the bot".into(),
                value: g(Metric::Total(TotalMetric::BotResolved)),
                color: solid(BOT, 0.6),
                of_queue: false,
            });
            rows.push(Row {
                label: "Transferred by the bot".into(),
                value: g(Metric::Total(TotalMetric::BotTransferred)),
                color: solid(MAIN, 0.7),
                of_queue: false,
            });
            rows.push(Row {
                label: "Straight to agents".into(),
                value: g(Metric::Total(TotalMetric::BotStraightToAgents)),
                color: solid(MAIN, 0.7),
                of_queue: false,
            });
        }
        let returns = g(Metric::human(HumanMetric::Returns));
        let queued = if returns > 0.0 {
            "Joined agent queue (incl. returns)"
        } else {
            "Joined agent queue"
        };
        rows.push(Row {
            label: queued.into(),
            value: g(Metric::human(HumanMetric::Offered)),
            color: MAIN,
            of_queue: false,
        });
        rows.push(Row {
            label: format!("Answered within {t}"),
            value: within,
            color: GOOD,
            of_queue: true,
        });
        rows.push(Row {
            label: format!("Answered after {t}"),
            value: (answered - within).max(0.0),
            color: LATE,
            of_queue: true,
        });
        rows.push(Row {
            label: "Abandoned".into(),
            value: g(Metric::human(HumanMetric::Abandoned)),
            color: TARGET,
            of_queue: true,
        });
        rows.push(Row {
            label: "Tickets (no agent on duty)".into(),
            value: g(Metric::Total(TotalMetric::TicketCount)),
            color: GREY,
            of_queue: false,
        });
        let unserved = g(Metric::Total(TotalMetric::Unserved));
        if unserved > 0.0 {
            rows.push(Row {
                label: "Unserved (no agent, no tickets)".into(),
                value: unserved,
                color: TARGET,
                of_queue: false,
            });
        }
        FunnelChart {
            rows,
            contacts,
            offered: g(Metric::human(HumanMetric::Offered)),
            target_s: m.target.answer_within_s,
        }
    }

    fn row(&self, prefix: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.label.starts_with(prefix))
    }
}

impl Chart for FunnelChart {
    fn stem(&self) -> &'static str {
        "funnel"
    }

    fn title(&self) -> String {
        "Where contacts go: bot, agents, outcome (mean per replication)".into()
    }

    fn insight(&self) -> String {
        let pct = |r: Option<&Row>| r.map_or(0.0, |r| r.value / self.contacts.max(1e-9) * 100.0);
        let t = fmt_duration(self.target_s);
        let mut s = String::from("Read from the top: ");
        if self.row("Resolved by the bot").is_some() {
            s.push_str(&format!(
                "the bot resolves {:.0}% of contacts, ",
                pct(self.row("Resolved by the bot"))
            ));
        }
        s.push_str(&format!(
            "{:.0}% reach the agent queue, {:.0}% are answered within {t}, {:.1}% abandon (shares of all contacts). \
             Of those reaching the agent queue, {:.1}% are answered within {t}: the service level.",
            pct(self.row("Joined agent queue")),
            pct(self.row("Answered within")),
            pct(self.row("Abandoned")),
            self.row("Answered within").map_or(0.0, |r| r.value / self.offered.max(1e-9) * 100.0)
        ));
        s
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.rows.len();
        // Room right of the longest bar for its label with both bases.
        let x_max = nice_ceil(self.contacts.max(1.0) * 1.6);
        let labels: Vec<&str> = self.rows.iter().rev().map(|r| r.label.as_str()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), style::title())
            .margin(20)
            .margin_right(50)
            .x_label_area_size(90)
            .y_label_area_size(440)
            .build_cartesian_2d(0f64..x_max, (0..n - 1).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => {
                    labels.get(*i).map_or(String::new(), |s| s.to_string())
                }
                _ => String::new(),
            })
            .x_labels(8)
            .x_label_formatter(&|v| fmt_count(*v))
            .x_desc("Contacts over the counted horizon (mean per replication)")
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        chart.draw_series(self.rows.iter().rev().enumerate().map(|(i, r)| {
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (r.value, SegmentValue::Exact(i + 1)),
                ],
                r.color.filled(),
            );
            bar.set_margin(8, 8, 0, 0);
            bar
        }))?;
        let total = self.contacts.max(1e-9);
        let queue = self.offered.max(1e-9);
        chart.draw_series(self.rows.iter().rev().enumerate().map(|(i, r)| {
            // Every bar names its base: all contacts, and the queue for its outcomes.
            let of_contacts = r.value / total * 100.0;
            let text = if r.of_queue {
                format!(
                    "{}  ({:.1}% of queue, {of_contacts:.1}% of contacts)",
                    fmt_count(r.value),
                    r.value / queue * 100.0
                )
            } else {
                format!("{}  ({of_contacts:.1}% of contacts)", fmt_count(r.value))
            };
            Text::new(
                text,
                (r.value + x_max * 0.01, SegmentValue::CenterOf(i)),
                style::note_at(&INK, HPos::Left, VPos::Center),
            )
        }))?;
        Ok(())
    }
}
