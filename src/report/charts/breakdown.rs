//! Breakdown by category and by customer priority: service level (left) and mean wait of
//! answered contacts (right), each with its 95% confidence interval across replications.

use super::style::{self, nice_ceil, GREY, INK, MAIN, TARGET, VIP};
use super::{fmt_duration, Chart, DrawResult};
use crate::model::Model;
use crate::stats::Estimate;
use crate::summary::{Aggregate, HumanClass, HumanMetric, Metric, Priority};
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// One class (a category, or VIP / normal customers).
struct Class {
    label: String,
    color: RGBColor,
    /// Service level `[%]`.
    sl: Option<(f64, f64)>,
    /// Mean wait `[s]`.
    wait: Option<(f64, f64)>,
}

pub struct BreakdownChart {
    /// Top to bottom; `None` is a gap between the category and the priority groups.
    rows: Vec<Option<Class>>,
    target_pct: f64,
    target_s: f64,
}

fn pair(e: Option<Estimate>, scale: f64) -> Option<(f64, f64)> {
    let e = e?;
    Some((e.mean? * scale, e.ci95.unwrap_or(0.0) * scale))
}

impl BreakdownChart {
    pub fn new(m: &Model, agg: &Aggregate) -> Self {
        let class = |class: HumanClass, label: String, color: RGBColor| -> Option<Class> {
            let get = |k: HumanMetric| agg.get(Metric::Human(class, k));
            let offered = get(HumanMetric::Offered)
                .and_then(|e| e.mean)
                .unwrap_or(0.0);
            (offered > 0.0).then(|| Class {
                label,
                color,
                sl: pair(get(HumanMetric::ServiceLevel), 100.0),
                wait: pair(get(HumanMetric::MeanWaitS), 1.0),
            })
        };
        let mut rows: Vec<Option<Class>> = m
            .categories
            .iter()
            .enumerate()
            .filter_map(|(k, c)| class(HumanClass::Category(k), c.name.clone(), MAIN))
            .map(Some)
            .collect();
        let priorities: Vec<Class> = [
            (Priority::Vip, "VIP customers", VIP),
            (Priority::Normal, "Normal customers", GREY),
        ]
        .into_iter()
        .filter_map(|(p, label, color)| class(HumanClass::Priority(p), label.into(), color))
        .collect();
        if priorities.len() > 1 {
            if !rows.is_empty() {
                rows.push(None);
            }
            rows.extend(priorities.into_iter().map(Some));
        }
        if rows.len() == 1 {
            // One class: a segmented axis of one value is degenerate (no bar height, no
            // label, no target line); gaps above and below give the bar its band.
            rows.insert(0, None);
            rows.push(None);
        }
        BreakdownChart {
            rows,
            target_pct: m.target.service_level * 100.0,
            target_s: m.target.answer_within_s,
        }
    }

    fn classes(&self) -> impl Iterator<Item = &Class> {
        self.rows.iter().flatten()
    }
}

impl Chart for BreakdownChart {
    fn stem(&self) -> &'static str {
        "breakdown"
    }

    fn title(&self) -> String {
        "Service level and wait by category and by customer priority".into()
    }

    fn insight(&self) -> String {
        let with_sl: Vec<(&Class, f64)> = self
            .classes()
            .filter_map(|c| c.sl.map(|s| (c, s.0)))
            .collect();
        let worst = with_sl.iter().min_by(|a, b| a.1.total_cmp(&b.1));
        match worst {
            None => "No contact reached the agents, so there is nothing to break down.".into(),
            Some((c, v)) => format!(
                "Find the shortest bar on the left: {} has the lowest service level, {:.1}% against the {:.0}% \
                 target; whiskers that cross the red line mean the difference is within simulation noise.",
                c.label, v, self.target_pct
            ),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let body = root
            .margin(14, 0, 0, 0)
            .titled(&self.title(), style::title())?;
        let (left, right) = body.split_horizontally(body.dim_in_pixel().0 * 58 / 100);
        let n = self.rows.len().max(1);
        let labels: Vec<String> = self
            .rows
            .iter()
            .rev()
            .map(|r| r.as_ref().map_or(String::new(), |c| c.label.clone()))
            .collect();
        let panel_caption = style::panel_caption();
        let fmt_label = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        };

        // Left: service level.
        let t = fmt_duration(self.target_s);
        let mut c = ChartBuilder::on(&left)
            .caption(
                format!("Service level: answered within {t} (%)"),
                panel_caption.clone(),
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(300)
            .build_cartesian_2d(0f64..100f64, (0..n - 1).into_segmented())?;
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&fmt_label)
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0}%"))
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        self.bars(
            &mut c,
            |k| k.sl,
            |(v, ci)| format!("{v:.1}% ± {ci:.1}"),
            100.0,
        )?;
        c.draw_series(DashedLineSeries::new(
            vec![
                (self.target_pct, SegmentValue::Exact(0)),
                (self.target_pct, SegmentValue::Exact(n)),
            ],
            14,
            8,
            TARGET.stroke_width(3),
        ))?;

        // Right: mean wait.
        let top = self
            .classes()
            .filter_map(|k| k.wait.map(|(v, ci)| v + ci))
            .fold(0.0, f64::max);
        let (unit_s, unit) = if top > 600.0 {
            (60.0, "min")
        } else {
            (1.0, "s")
        };
        let x_max = nice_ceil((top / unit_s).max(1.0) * 1.45);
        let mut c = ChartBuilder::on(&right)
            .caption(
                format!("Mean wait of answered contacts ({unit})"),
                panel_caption,
            )
            .margin(20)
            .margin_right(40)
            .x_label_area_size(60)
            .y_label_area_size(10)
            .build_cartesian_2d(0f64..x_max, (0..n - 1).into_segmented())?;
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|_| String::new())
            .x_labels(6)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .label_style(style::tick())
            .axis_desc_style(style::axis_desc())
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        self.bars(
            &mut c,
            |k| k.wait.map(|(v, ci)| (v / unit_s, ci / unit_s)),
            |(v, ci)| format!("{v:.1} ± {ci:.1} {unit}"),
            x_max,
        )?;
        Ok(())
    }
}

impl BreakdownChart {
    /// Bars with CI whiskers and value labels, one per class row.
    fn bars<'a, DB: DrawingBackend + 'a>(
        &self,
        c: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordusize>>>,
        value: impl Fn(&Class) -> Option<(f64, f64)>,
        text: impl Fn((f64, f64)) -> String,
        x_max: f64,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.rows.len();
        for (i, row) in self.rows.iter().rev().enumerate() {
            let Some(k) = row else { continue };
            let Some((v, ci)) = value(k) else {
                c.draw_series(std::iter::once(Text::new(
                    "no answered contact".to_string(),
                    (x_max * 0.01, SegmentValue::CenterOf(i)),
                    style::note_at(&GREY, HPos::Left, VPos::Center),
                )))?;
                continue;
            };
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (v, SegmentValue::Exact(i + 1)),
                ],
                style::solid(k.color, 0.75).filled(),
            );
            bar.set_margin(if n > 6 { 6 } else { 14 }, if n > 6 { 6 } else { 14 }, 0, 0);
            c.draw_series(std::iter::once(bar))?;
            if ci > 0.0 {
                let (lo, hi) = ((v - ci).max(0.0), (v + ci).min(x_max));
                let y = || SegmentValue::CenterOf(i);
                c.draw_series(std::iter::once(PathElement::new(
                    vec![(lo, y()), (hi, y())],
                    INK.stroke_width(3),
                )))?;
                for x in [lo, hi] {
                    let cap = EmptyElement::at((x, y()))
                        + PathElement::new(vec![(0, -14), (0, 14)], INK.stroke_width(3));
                    c.draw_series(std::iter::once(cap))?;
                }
            }
            let label = text((v, ci));
            let inside = v > x_max * 0.45;
            let (x, st) = if inside {
                (
                    (v - ci).max(0.0) - x_max * 0.015,
                    style::bold_note_at(&WHITE, HPos::Right, VPos::Center),
                )
            } else {
                (
                    (v + ci) + x_max * 0.015,
                    style::note_at(&INK, HPos::Left, VPos::Center),
                )
            };
            c.draw_series(std::iter::once(Text::new(
                label,
                (x, SegmentValue::CenterOf(i)),
                st,
            )))?;
        }
        Ok(())
    }
}
