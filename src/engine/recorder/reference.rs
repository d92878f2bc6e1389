//! A naive reference for [`Recorder`](super::Recorder) (tests only): the whole table in
//! memory, every span between two events integrated at once into the rows it covers, no
//! open row, no cached interval bounds, no per-stretch staffing. What the real recorder
//! keeps in caches must add up to exactly what this one writes.

use super::{AlertChange, Levels};
use crate::stats::{IntervalStats, RepStats};

pub(super) struct ReferenceRecorder {
    from: f64,
    to: f64,
    interval_s: f64,
    intervals: usize,
    threshold: u32,
    /// The instant of the last event.
    last: f64,
    waiting: u32,
    alert_since: Option<f64>,
    /// Every row of the counted horizon.
    pub(super) rows: Vec<IntervalStats>,
}

impl ReferenceRecorder {
    pub(super) fn new(
        from: f64,
        to: f64,
        interval_s: f64,
        intervals: usize,
        threshold: u32,
    ) -> Self {
        ReferenceRecorder {
            from,
            to,
            interval_s,
            intervals,
            threshold,
            last: 0.0,
            waiting: 0,
            alert_since: None,
            rows: vec![IntervalStats::default(); intervals],
        }
    }

    /// The reporting interval of an instant, clamped to the horizon (the contract's
    /// definition: whole intervals counted from `from`).
    pub(super) fn interval_of(&self, t: f64) -> usize {
        (((t - self.from) / self.interval_s).max(0.0) as usize)
            .min(self.intervals.saturating_sub(1))
    }

    /// The nominal start of interval `i`.
    fn edge(&self, i: usize) -> f64 {
        self.from + i as f64 * self.interval_s
    }

    /// The levels held from the last event up to `t`: the span, clipped to the counted
    /// horizon, is cut at the nominal interval edges (the last interval runs to `to`) and
    /// each piece is added to its row.
    pub(super) fn advance(&mut self, t: f64, levels: Levels) {
        let a = self.last.max(self.from);
        let b = t.min(self.to);
        self.last = t;
        if b <= a || self.intervals == 0 {
            return;
        }
        let mut i = self.interval_of(a);
        let mut s = a;
        while s < b {
            let end = if i + 1 >= self.intervals {
                b
            } else {
                self.edge(i + 1).min(b)
            };
            let dt = end - s;
            let alert = self.alert_since.is_some();
            let row = &mut self.rows[i];
            row.waiting_area += self.waiting as f64 * dt;
            row.headcount_area += levels.headcount as f64 * dt;
            row.surge_area += levels.surge as f64 * dt;
            row.busy_area += levels.busy as f64 * dt;
            row.slot_area += levels.slots as f64 * dt;
            row.max_waiting = row.max_waiting.max(self.waiting);
            if alert {
                row.alert_s += dt;
            }
            s = end;
            i += 1;
        }
    }

    /// The number waiting becomes `n` at `t` (after [`advance`](Self::advance) to `t`).
    pub(super) fn set_waiting(&mut self, t: f64, n: u32, stats: &mut RepStats) -> AlertChange {
        self.waiting = n;
        if self.intervals > 0 && self.from <= t && t < self.to {
            let i = self.interval_of(t);
            self.rows[i].max_waiting = self.rows[i].max_waiting.max(n);
        }
        match self.alert_since {
            None if n > self.threshold => {
                self.alert_since = Some(t);
                AlertChange::Started
            }
            Some(since) if n <= self.threshold => {
                self.alert_since = None;
                self.count_episode(since, t, stats);
                AlertChange::Ended
            }
            _ => AlertChange::None,
        }
    }

    /// The part of the episode `[since, until)` inside the counted horizon, if any.
    fn count_episode(&self, since: f64, until: f64, stats: &mut RepStats) {
        let overlap = until.min(self.to) - since.max(self.from);
        if overlap > 0.0 {
            stats.alert_episodes += 1;
            stats.alert_total_s += overlap;
            stats.alert_longest_s = stats.alert_longest_s.max(overlap);
        }
    }

    /// The end of the counted horizon: an episode still on counts up to `to`, and nothing of
    /// it after.
    pub(super) fn horizon_end(&mut self, stats: &mut RepStats) {
        if let Some(since) = self.alert_since {
            self.count_episode(since, self.to, stats);
            self.alert_since = Some(self.to);
        }
    }

    pub(super) fn waiting(&self) -> u32 {
        self.waiting
    }

    pub(super) fn alert_on(&self) -> bool {
        self.alert_since.is_some()
    }
}
