//! Time-weighted bookkeeping: integrates the levels (contacts waiting, headcount, busy and
//! on-duty chat slots) over the counted horizon and its intervals, and tracks queue-alert
//! episodes. Everything is clipped to the counted window `[counted_from, counted_to)`.

use crate::stats::{IntervalStats, IntervalWindow, RepStats};

/// The instantaneous levels integrated over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Levels {
    pub headcount: u32,
    pub surge: u32,
    pub busy: u32,
    pub slots: u32,
}

/// A change in the alert state caused by a change in the number waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertChange {
    None,
    Started,
    Ended,
}

pub struct Recorder {
    from: f64,
    to: f64,
    interval_s: f64,
    intervals: usize,
    threshold: u32,
    last: f64,
    waiting: u32,
    alert_since: Option<f64>,
    /// Fast path of [`advance`](Self::advance): while `cached_lo <= a < cached_hi`,
    /// `interval_of(a) == cached`, and a span ending by `cached_end` stays in that interval.
    cached: usize,
    cached_lo: f64,
    cached_hi: f64,
    cached_end: f64,
}

impl Recorder {
    pub fn new(from: f64, to: f64, interval_s: f64, intervals: usize, threshold: u32) -> Self {
        Recorder {
            from,
            to,
            interval_s,
            intervals,
            threshold,
            last: 0.0,
            waiting: 0,
            alert_since: None,
            cached: 0,
            cached_lo: f64::INFINITY,
            cached_hi: f64::NEG_INFINITY,
            cached_end: f64::NEG_INFINITY,
        }
    }

    /// The smallest instant whose [`interval_of`](Self::interval_of) is at least `i`
    /// (`interval_of` never decreases with time; the nominal edge is within a few ulps).
    fn first_instant_of(&self, i: usize) -> f64 {
        let mut x = self.from + i as f64 * self.interval_s;
        for _ in 0..64 {
            if self.interval_by_division(x) >= i {
                let below = x.next_down();
                if self.interval_by_division(below) < i {
                    return x;
                }
                x = below;
            } else {
                x = x.next_up();
            }
        }
        // Not reached in practice; a bound that makes the fast path never apply.
        f64::NEG_INFINITY
    }

    /// Caches the interval of `a` for the fast path of [`advance`](Self::advance).
    #[cold]
    fn cache_interval(&mut self, a: f64) {
        let i = self.interval_by_division(a);
        self.cached = i;
        if i + 1 >= self.intervals {
            self.cached_lo = self.first_instant_of(i);
            self.cached_hi = f64::INFINITY;
            self.cached_end = f64::INFINITY;
        } else {
            self.cached_lo = self.first_instant_of(i);
            self.cached_hi = self.first_instant_of(i + 1);
            self.cached_end = self.from + (i + 1) as f64 * self.interval_s;
        }
        if !(self.cached_lo <= a && a < self.cached_hi) {
            // Never trust a cache that does not hold for the instant it was made for.
            self.cached_lo = f64::INFINITY;
            self.cached_hi = f64::NEG_INFINITY;
        }
    }

    /// The reporting interval of an instant, clamped to the counted horizon.
    #[inline]
    pub fn interval_of(&self, t: f64) -> usize {
        if self.cached_lo <= t && t < self.cached_hi {
            return self.cached;
        }
        self.interval_by_division(t)
    }

    /// [`interval_of`](Self::interval_of) by definition (the cache holds exactly where this
    /// gives the cached interval).
    #[inline]
    fn interval_by_division(&self, t: f64) -> usize {
        (((t - self.from) / self.interval_s).max(0.0) as usize)
            .min(self.intervals.saturating_sub(1))
    }

    /// Live contacts waiting now.
    pub fn waiting(&self) -> u32 {
        self.waiting
    }

    pub fn alert_on(&self) -> bool {
        self.alert_since.is_some()
    }

    /// Integrates the levels that held since the last call up to `t`.
    #[inline]
    pub fn advance(
        &mut self,
        t: f64,
        levels: Levels,
        stats: &mut RepStats,
        win: &mut IntervalWindow,
    ) {
        // Instants are never NaN, so plain comparisons (one instruction each) give what
        // `f64::max` and `f64::min` would, without their NaN handling.
        let a = if self.last > self.from {
            self.last
        } else {
            self.from
        };
        let b = if t < self.to { t } else { self.to };
        self.last = t;
        // Nearly every span lies in the cached interval (or is empty): one test for both.
        if self.cached_lo <= a && a < self.cached_hi && b <= self.cached_end {
            if b > a {
                let dt = b - a;
                self.add_to_row(win.row(self.cached), dt, levels);
                add_to_totals(stats, dt, levels);
            }
            return;
        }
        self.advance_across(a, b, levels, stats, win);
    }

    /// [`advance`](Self::advance) over `[a, b)` when the cache does not cover it: a span
    /// that starts a new interval or crosses interval ends.
    #[inline(never)]
    fn advance_across(
        &mut self,
        a: f64,
        b: f64,
        levels: Levels,
        stats: &mut RepStats,
        win: &mut IntervalWindow,
    ) {
        if b <= a || self.intervals == 0 {
            return;
        }
        if !(self.cached_lo <= a && a < self.cached_hi) {
            self.cache_interval(a);
        }
        if self.cached_lo <= a && a < self.cached_hi && b <= self.cached_end {
            // The whole span lies in one interval: the loop below would run once.
            let dt = b - a;
            self.add_to_row(win.row(self.cached), dt, levels);
            add_to_totals(stats, dt, levels);
            return;
        }
        let mut i = self.interval_by_division(a);
        let mut s = a;
        while s < b {
            let end = (self.from + (i + 1) as f64 * self.interval_s).min(b);
            let end = if i + 1 >= self.intervals { b } else { end };
            self.add_to_row(win.row(i), end - s, levels);
            s = end;
            i += 1;
        }
        add_to_totals(stats, b - a, levels);
    }

    /// Adds `dt` seconds of the levels (and of the alert, if on) to an interval's row.
    #[inline]
    fn add_to_row(&self, iv: &mut IntervalStats, dt: f64, levels: Levels) {
        iv.waiting_area += self.waiting as f64 * dt;
        iv.headcount_area += levels.headcount as f64 * dt;
        iv.surge_area += levels.surge as f64 * dt;
        iv.busy_area += levels.busy as f64 * dt;
        iv.slot_area += levels.slots as f64 * dt;
        iv.max_waiting = iv.max_waiting.max(self.waiting);
        if self.alert_since.is_some() {
            iv.alert_s += dt;
        }
    }

    /// Sets the number waiting at `t` (after [`advance`](Self::advance) to `t`).
    #[inline]
    pub fn set_waiting(
        &mut self,
        t: f64,
        n: u32,
        stats: &mut RepStats,
        win: &mut IntervalWindow,
    ) -> AlertChange {
        self.waiting = n;
        if t >= self.from && t < self.to && self.intervals > 0 {
            let iv = win.row(self.interval_of(t));
            iv.max_waiting = iv.max_waiting.max(n);
        }
        match self.alert_since {
            None if n > self.threshold => {
                self.alert_since = Some(t);
                AlertChange::Started
            }
            Some(since) if n <= self.threshold => {
                self.close_episode(since, t, stats);
                self.alert_since = None;
                AlertChange::Ended
            }
            _ => AlertChange::None,
        }
    }

    fn close_episode(&mut self, since: f64, t: f64, stats: &mut RepStats) {
        let overlap = t.min(self.to) - since.max(self.from);
        if overlap > 0.0 {
            stats.alert_episodes += 1;
            stats.alert_total_s += overlap;
            stats.alert_longest_s = stats.alert_longest_s.max(overlap);
        }
    }

    /// At the end of the counted horizon: an open alert episode is counted up to it.
    pub fn horizon_end(&mut self, stats: &mut RepStats) {
        if let Some(since) = self.alert_since {
            self.close_episode(since, self.to, stats);
            // Later time is outside the window; keep the alert on but count nothing more.
            self.alert_since = Some(self.to);
        }
    }
}

/// Adds `dt` seconds of the levels to the replication's totals.
#[inline]
fn add_to_totals(stats: &mut RepStats, dt: f64, levels: Levels) {
    stats.busy_area += levels.busy as f64 * dt;
    stats.slot_area += levels.slots as f64 * dt;
    stats.agent_seconds += levels.headcount as f64 * dt;
    stats.surge_agent_seconds += levels.surge as f64 * dt;
}
