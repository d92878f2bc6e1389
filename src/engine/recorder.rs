//! Time-weighted bookkeeping: integrates the levels (contacts waiting, headcount, busy and
//! on-duty chat slots) over the counted horizon and its intervals, and tracks queue-alert
//! episodes. Everything is clipped to the counted window `[counted_from, counted_to)`.

use crate::stats::{IntervalStats, IntervalWindow, RepStats};

/// The instantaneous levels integrated over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Levels {
    pub(crate) headcount: u32,
    pub(crate) surge: u32,
    pub(crate) busy: u32,
    pub(crate) slots: u32,
}

impl Levels {
    /// Same headcount, surge and on-duty slots: the levels that change only with staffing.
    /// (Headcount and surge compared as one 64-bit word: one load and compare fewer.)
    #[inline]
    fn same_staffing(&self, o: &Levels) -> bool {
        let pair = |l: &Levels| u64::from(l.headcount) | u64::from(l.surge) << 32;
        pair(self) == pair(o) && self.slots == o.slots
    }
}

/// A change in the alert state caused by a change in the number waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlertChange {
    None,
    Started,
    Ended,
}

/// The time-weighted part of the open interval's row, kept in the recorder while time is in
/// that interval (every event adds to it) and written back to the row when time leaves it.
#[derive(Debug, Clone, Copy, Default)]
struct OpenRow {
    waiting_area: f64,
    headcount_area: f64,
    surge_area: f64,
    busy_area: f64,
    slot_area: f64,
    alert_s: f64,
    max_waiting: u32,
}

impl OpenRow {
    fn load(iv: &IntervalStats) -> Self {
        OpenRow {
            waiting_area: iv.waiting_area,
            headcount_area: iv.headcount_area,
            surge_area: iv.surge_area,
            busy_area: iv.busy_area,
            slot_area: iv.slot_area,
            alert_s: iv.alert_s,
            max_waiting: iv.max_waiting,
        }
    }

    fn store(&self, iv: &mut IntervalStats) {
        iv.waiting_area = self.waiting_area;
        iv.headcount_area = self.headcount_area;
        iv.surge_area = self.surge_area;
        iv.busy_area = self.busy_area;
        iv.slot_area = self.slot_area;
        iv.alert_s = self.alert_s;
        iv.max_waiting = iv.max_waiting.max(self.max_waiting);
    }
}

pub(crate) struct Recorder {
    from: f64,
    to: f64,
    interval_s: f64,
    intervals: usize,
    threshold: u32,
    last: f64,
    waiting: u32,
    /// `waiting` as a float, converted when it changes rather than on every event.
    waiting_level: f64,
    alert_since: Option<f64>,
    /// The interval `cached` is open: `open` holds its row's areas and most waiting (the
    /// window's copy is stale until [`close_open_row`](Self::close_open_row)). Exactly while
    /// it is open, the cache below is valid.
    is_open: bool,
    open: OpenRow,
    /// The staffing levels (headcount, surge, on-duty slots) in force since `staffed_since`,
    /// an instant of the open interval: they change rarely, so they are integrated into the
    /// open row per stretch, when they change or the interval closes, not per event.
    staffing: Levels,
    staffed_since: f64,
    /// While the alert is on, the open row's `alert_s` counts it up to this instant (the
    /// rest is added when the alert ends or the interval closes).
    alert_counted_to: f64,
    /// While `cached_lo <= t < cached_hi`, `interval_of(t) == cached`; a span `[a, b)` with
    /// `cached_lo <= a` and `b < cached_bound` lies in that interval, nominal end included,
    /// and so does its end instant. The cache is valid only while its interval is open.
    cached: usize,
    cached_lo: f64,
    cached_hi: f64,
    cached_end: f64,
    cached_bound: f64,
}

impl Recorder {
    pub(crate) fn new(
        from: f64,
        to: f64,
        interval_s: f64,
        intervals: usize,
        threshold: u32,
    ) -> Self {
        Recorder {
            from,
            to,
            interval_s,
            intervals,
            threshold,
            last: 0.0,
            waiting: 0,
            waiting_level: 0.0,
            alert_since: None,
            is_open: false,
            open: OpenRow::default(),
            staffing: Levels::default(),
            staffed_since: 0.0,
            alert_counted_to: 0.0,
            cached: 0,
            cached_lo: f64::INFINITY,
            cached_hi: f64::NEG_INFINITY,
            cached_end: f64::NEG_INFINITY,
            cached_bound: f64::NEG_INFINITY,
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

    /// Opens the interval of `a` (an instant of the counted horizon that starts a span): its
    /// row's areas move here and the cache covers it. Left closed (the cache invalid) if the
    /// bounds found do not hold for `a`.
    #[cold]
    #[inline(never)]
    fn open_interval_of(&mut self, a: f64, levels: Levels, win: &mut IntervalWindow) {
        let i = self.interval_by_division(a);
        // Instants before the horizon never start a span, so interval 0 starts at `from`.
        let lo = if i == 0 {
            self.from
        } else {
            self.first_instant_of(i)
        };
        let (hi, end) = if i + 1 >= self.intervals {
            (self.to, f64::INFINITY)
        } else {
            (
                self.first_instant_of(i + 1),
                self.from + (i + 1) as f64 * self.interval_s,
            )
        };
        if !(self.from <= lo && lo <= a && a < hi) {
            // Never trust a cache that does not hold for the instant it was made for (nor
            // one reaching before the horizon: spans in it are not clipped).
            return;
        }
        self.open = OpenRow::load(win.row(i));
        self.is_open = true;
        self.staffing = levels;
        self.staffed_since = a;
        self.alert_counted_to = a;
        self.cached = i;
        self.cached_lo = lo;
        self.cached_hi = hi;
        self.cached_end = end;
        // `b < cached_bound` ⇔ `b < hi && b <= end`.
        self.cached_bound = hi.min(end.next_up());
    }

    /// Integrates the staffing levels in force since `staffed_since` up to `until` into the
    /// open row.
    fn integrate_staffing(&mut self, until: f64) {
        let dt = until - self.staffed_since;
        let iv = &mut self.open;
        iv.headcount_area += self.staffing.headcount as f64 * dt;
        iv.surge_area += self.staffing.surge as f64 * dt;
        iv.slot_area += self.staffing.slots as f64 * dt;
        self.staffed_since = until;
    }

    /// The staffing levels of a span starting at `a` differ from those in force.
    #[cold]
    #[inline(never)]
    fn staffing_changed(&mut self, a: f64, levels: Levels) {
        self.integrate_staffing(a);
        self.staffing = levels;
    }

    /// Writes the open interval's areas, integrated up to `until` (the end of its last span),
    /// back to its row (before anyone else can see the row: time leaves the interval, or the
    /// run ends) and invalidates the cache.
    #[cold]
    #[inline(never)]
    fn close_open_interval(&mut self, until: f64, win: &mut IntervalWindow) {
        if !self.is_open {
            return;
        }
        self.integrate_staffing(until);
        if self.alert_since.is_some() {
            self.open.alert_s += until - self.alert_counted_to;
        }
        self.open.store(win.row(self.cached));
        self.is_open = false;
        self.cached_lo = f64::INFINITY;
        self.cached_hi = f64::NEG_INFINITY;
        self.cached_end = f64::NEG_INFINITY;
        self.cached_bound = f64::NEG_INFINITY;
    }

    /// The end of the run: the open interval's row gets its areas (call before the window
    /// hands out its last rows).
    pub(crate) fn finish(&mut self, win: &mut IntervalWindow) {
        // Open, the interval holds the instant of the last span's end.
        self.close_open_interval(self.last, win);
    }

    /// The reporting interval of an instant, clamped to the counted horizon.
    #[inline]
    pub(crate) fn interval_of(&self, t: f64) -> usize {
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
    pub(crate) fn waiting(&self) -> u32 {
        self.waiting
    }

    pub(crate) fn alert_on(&self) -> bool {
        self.alert_since.is_some()
    }

    /// Integrates the levels that held since the last call up to `t`.
    ///
    /// While time stays in one interval, the areas go to the recorder's copy of its row
    /// ([`OpenRow`]); that interval's row is written back when time leaves it, before the
    /// engine touches a later row (only a later row makes the window hand out earlier ones).
    #[inline]
    pub(crate) fn advance(&mut self, t: f64, levels: Levels, win: &mut IntervalWindow) {
        let last = self.last;
        self.last = t;
        // Nearly every span lies in the open interval, its end too (or is empty): one test.
        // The open interval lies in the counted horizon, so such a span needs no clipping.
        if self.cached_lo <= last && t < self.cached_bound {
            if t > last {
                if !levels.same_staffing(&self.staffing) {
                    self.staffing_changed(last, levels);
                }
                self.add_to_open(t - last, levels);
            }
            return;
        }
        // Instants are never NaN, so plain comparisons (one instruction each) give what
        // `f64::max` and `f64::min` would, without their NaN handling.
        let a = if last > self.from { last } else { self.from };
        let b = if t < self.to { t } else { self.to };
        self.advance_across(a, b, levels, win);
    }

    /// [`advance`](Self::advance) over `[a, b)` when the cache does not cover it: a span
    /// that starts a new interval, ends at the next one's first instant or crosses interval
    /// ends.
    #[inline(never)]
    fn advance_across(&mut self, a: f64, b: f64, levels: Levels, win: &mut IntervalWindow) {
        if b <= a || self.intervals == 0 {
            return;
        }
        if !(self.is_open && self.cached_lo <= a && a < self.cached_hi) {
            debug_assert!(!self.is_open, "an open interval holds the last span's end");
            self.close_open_interval(a, win);
            self.open_interval_of(a, levels, win);
        } else if !levels.same_staffing(&self.staffing) {
            self.staffing_changed(a, levels);
        }
        if self.is_open && b <= self.cached_end {
            // The whole span lies in the open interval: the loop below would run once. The
            // number waiting may have been carried over from an earlier interval.
            let dt = b - a;
            self.add_to_open(dt, levels);
            self.open.max_waiting = self.open.max_waiting.max(self.waiting);
            if b >= self.cached_hi {
                // Time is at the next interval's first instant: the engine may touch its row.
                self.close_open_interval(b, win);
            }
            return;
        }
        let mut i = self.interval_by_division(a);
        let mut s = a;
        while s < b {
            let end = (self.from + (i + 1) as f64 * self.interval_s).min(b);
            let end = if i + 1 >= self.intervals { b } else { end };
            if self.is_open && i == self.cached {
                self.add_to_open(end - s, levels);
                self.open.max_waiting = self.open.max_waiting.max(self.waiting);
            } else {
                // A later row: the open one must be complete before the window sees this.
                self.close_open_interval(s, win);
                self.add_to_row(win.row(i), end - s, levels);
            }
            s = end;
            i += 1;
        }
    }

    /// Adds `dt` seconds of the number waiting and busy slots to the open interval; the
    /// staffing levels and the alert are integrated per stretch. Its most waiting
    /// needs no update: the number waiting was recorded when it was set, or when the interval
    /// was opened.
    #[inline]
    fn add_to_open(&mut self, dt: f64, levels: Levels) {
        let iv = &mut self.open;
        iv.waiting_area += self.waiting_level * dt;
        iv.busy_area += levels.busy as f64 * dt;
    }

    /// Adds `dt` seconds of the levels (and of the alert, if on) to an interval's row.
    #[inline]
    fn add_to_row(&self, iv: &mut IntervalStats, dt: f64, levels: Levels) {
        iv.waiting_area += self.waiting_level * dt;
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
    pub(crate) fn set_waiting(
        &mut self,
        t: f64,
        n: u32,
        stats: &mut RepStats,
        win: &mut IntervalWindow,
    ) -> AlertChange {
        self.waiting = n;
        self.waiting_level = n as f64;
        // The cache covers only instants of the counted horizon, in the open interval.
        if self.cached_lo <= t && t < self.cached_hi {
            self.open.max_waiting = self.open.max_waiting.max(n);
        } else {
            self.record_max_waiting(t, n, win);
        }
        match self.alert_since {
            None if n > self.threshold => {
                self.alert_since = Some(t);
                // (If open, the interval holds `t`: the engine's instant, just advanced to.)
                self.alert_counted_to = t;
                AlertChange::Started
            }
            Some(since) if n <= self.threshold => {
                if self.is_open {
                    self.open.alert_s += t - self.alert_counted_to;
                }
                self.close_episode(since, t, stats);
                self.alert_since = None;
                AlertChange::Ended
            }
            _ => AlertChange::None,
        }
    }

    /// [`set_waiting`](Self::set_waiting)'s most waiting outside the open interval.
    #[cold]
    #[inline(never)]
    fn record_max_waiting(&mut self, t: f64, n: u32, win: &mut IntervalWindow) {
        if t >= self.from && t < self.to && self.intervals > 0 {
            let i = self.interval_of(t);
            if self.is_open && i == self.cached {
                self.open.max_waiting = self.open.max_waiting.max(n);
            } else {
                let iv = win.row(i);
                iv.max_waiting = iv.max_waiting.max(n);
            }
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
    pub(crate) fn horizon_end(&mut self, stats: &mut RepStats) {
        if let Some(since) = self.alert_since {
            self.close_episode(since, self.to, stats);
            // Later time is outside the window; keep the alert on but count nothing more.
            self.alert_since = Some(self.to);
        }
    }
}

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
