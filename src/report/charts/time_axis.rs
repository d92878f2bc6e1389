//! The time axis shared by the charts over the horizon: simulation seconds as coordinates,
//! ticks on whole hours aligned to midnight, labelled `MM-DD HH:MM` (`11-11 20:00`).

use super::style::{self, PEAK};
use crate::model::time::HOUR_S;
use crate::model::Model;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::ops::Range;

/// At most this many labelled ticks, so that `11-11 20:00` labels never overlap.
const MAX_TICKS: usize = 7;

/// A linear time axis `[s]` whose grid lines are given: labelled ticks on round hours
/// (`bold`) and finer lines between them (`light`).
#[derive(Debug, Clone)]
pub struct TimeAxis {
    from: f64,
    to: f64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for TimeAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = (value - self.from) / (self.to - self.from).max(1e-9);
        limit.0 + (share * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.from..self.to
    }
}

impl ValueFormatter<f64> for TimeAxis {
    fn format(value: &f64) -> String {
        format!("{value:.0}")
    }
}

/// The counted horizon with tick positions on round hours.
pub fn axis(m: &Model) -> TimeAxis {
    let (from, to) = (m.run.counted_from, m.run.counted_to);
    let ticks = ticks(m, from, to);
    let mut light = Vec::new();
    if ticks.len() > 1 {
        let step = ticks[1] - ticks[0];
        let light_step = if step > 2.0 * HOUR_S {
            step / 2.0
        } else {
            step
        };
        let mut t = ticks[0] - step;
        while t <= to {
            if t >= from {
                light.push(t);
            }
            t += light_step;
        }
    }
    TimeAxis {
        from,
        to,
        bold: ticks,
        light,
    }
}

/// Tick instants: every 1, 2, 3, 4, 6, 12 hours or whole days, aligned to midnight.
pub fn ticks(m: &Model, from: f64, to: f64) -> Vec<f64> {
    let cal = &m.run.calendar;
    let span_h = (to - from) / HOUR_S;
    let step_h = [
        1.0, 2.0, 3.0, 4.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0, 336.0, 720.0,
    ]
    .into_iter()
    .find(|s| span_h / s < MAX_TICKS as f64)
    .unwrap_or(((span_h / MAX_TICKS as f64) / 24.0).ceil() * 24.0);
    let step = step_h * HOUR_S;
    let mut t = cal.midnight_before(from);
    while t < from - 1e-6 {
        t += step;
    }
    let mut out = Vec::new();
    while t <= to + 1e-6 {
        out.push(t);
        t += step;
    }
    out
}

/// The tick label of an instant.
pub fn label(m: &Model, t: f64) -> String {
    m.run.calendar.format_short(t)
}

/// Middle of reporting interval `i` (the last one may be partial).
pub fn interval_mid(m: &Model, i: usize) -> f64 {
    (m.run.interval_start(i) + interval_end(m, i)) / 2.0
}

/// End of reporting interval `i`.
pub fn interval_end(m: &Model, i: usize) -> f64 {
    m.run.interval_start(i + 1).min(m.run.counted_to)
}

/// Most points a time series is drawn with: on longer horizons each point stands for a
/// group of adjacent intervals (the chart's data then stay small however long the run).
pub const MAX_POINTS: usize = 1500;

/// Groups of adjacent reporting intervals, one point each (one interval per point up to
/// [`MAX_POINTS`] intervals).
#[derive(Debug, Clone, Copy)]
pub struct Bins {
    /// Intervals per point.
    pub size: usize,
    /// Intervals in all.
    pub intervals: usize,
}

impl Bins {
    pub fn new(m: &Model) -> Self {
        let intervals = m.run.interval_count();
        Bins {
            size: intervals.div_ceil(MAX_POINTS).max(1),
            intervals,
        }
    }

    /// Whether interval `i` is the last of its group.
    pub fn closes(&self, i: usize) -> bool {
        (i + 1).is_multiple_of(self.size) || i + 1 == self.intervals
    }

    /// Start and end of the group that interval `i` closes.
    pub fn span(&self, m: &Model, i: usize) -> (f64, f64) {
        let first = i - i % self.size;
        (m.run.interval_start(first), interval_end(m, i))
    }
}

/// The reporting interval as words: `30 min`, `1 h`.
pub fn interval_words(m: &Model) -> String {
    super::fmt_duration(m.run.interval_s)
}

/// Where [`shade_peaks`] writes the peaks' names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeakNames {
    Top,
    /// At the bottom, where the data crowd the top.
    Bottom,
    /// No names (a legend says what the shading is).
    None,
}

/// Shades (and names) the promotion peaks on a panel whose y axis spans `y0..y1`; true when
/// a peak lies in the counted horizon.
pub fn shade_peaks<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<TimeAxis, RangedCoordf64>>,
    m: &Model,
    (y0, y1): (f64, f64),
    names: PeakNames,
) -> std::result::Result<bool, DrawingAreaErrorKind<DB::ErrorType>> {
    let (from, to) = (m.run.counted_from, m.run.counted_to);
    let mut any = false;
    for p in m
        .arrivals
        .peaks
        .iter()
        .filter(|p| p.to > from && p.from < to)
    {
        let (a, b) = (p.from.max(from), p.to.min(to));
        chart.draw_series(std::iter::once(Rectangle::new(
            [(a, y0), (b, y1)],
            PEAK.mix(0.18).filled(),
        )))?;
        any = true;
        let (y, v) = match names {
            PeakNames::Top => (y1 - (y1 - y0) * 0.01, VPos::Top),
            PeakNames::Bottom => (y0 + (y1 - y0) * 0.015, VPos::Bottom),
            PeakNames::None => continue,
        };
        chart.draw_series(std::iter::once(Text::new(
            p.name.clone(),
            ((a + b) / 2.0, y),
            style::bold_note_at(&RGBColor(170, 90, 0), HPos::Center, v),
        )))?;
    }
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::textbook::Textbook;

    #[test]
    fn ticks_are_round_hours_and_few() {
        let mut tb = Textbook::new(0.1, 100.0, 10);
        let m = tb.model();
        let t = ticks(&m, m.run.counted_from, m.run.counted_to);
        assert!(t.len() <= MAX_TICKS && t.len() >= 4, "{t:?}");
        assert_eq!(label(&m, t[0]), "01-05 00:00");
        assert_eq!(label(&m, t[1]), "01-05 04:00");
        tb.days = 3.0;
        let m = tb.model();
        let t = ticks(&m, m.run.counted_from, m.run.counted_to);
        assert!(t.len() <= MAX_TICKS, "{t:?}");
        assert_eq!(label(&m, t[1]), "01-05 12:00");
    }
}
