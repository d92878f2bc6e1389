//! The per-interval table of one replication, kept as a sliding window: only the rows that
//! can still change are in memory, and each row is handed to an [`IntervalSink`] (in interval
//! order) as soon as it is final, so memory does not grow with the horizon.
//!
//! Rows are addressed by absolute interval index. Two kinds of writes reach a row:
//! - at the current instant (arrivals, offers, tickets, returns, the recorder's areas, the
//!   most waiting): once the engine has touched row `j`, simulated time is inside row `j` or
//!   later, so rows before `j` get no more writes of this kind;
//! - on behalf of a contact, into the row of an earlier instant (contract section 3: bot
//!   resolutions count in the arrival's interval, answers and abandonments in the queue
//!   entry's). A contact offered to agents is still waiting while its row's cells count
//!   more offers than answers and abandonments, so the human stage needs no bookkeeping of
//!   its own; for other late writers (the bot's outcome) the engine
//!   [`hold`](IntervalWindow::hold)s the row when the contact is attributed to it and
//!   [`release`](IntervalWindow::release)s it once the contact can no longer write there.
//!
//! A row is final when a later row has been touched and no contact can still write to it
//! (nor to any row before it: rows leave in order). A contact waiting for hours keeps its
//! row, and the rows after it, in the window until it is answered or gives up; a ticket
//! holds nothing (its pick-up is not counted per interval).
//!
//! The human-stage counters are kept per cell (category × priority, see `engine::cell`) and
//! folded when a row leaves: into the classes (categories, then VIP, normal) and into the
//! row's own offered / answered / within-target / abandoned / wait sum — the same sums, in
//! the same order, as folding the whole table at the end.

use super::rep::{ClassInterval, DayStats, IntervalStats, RepStats};
use crate::model::time::DAY_S;

/// Receives the final rows of one replication, in interval order, each exactly once.
pub trait IntervalSink {
    /// Row `index` is final. `classes`: categories in scenario order, then VIP, normal.
    fn row(&mut self, index: usize, iv: &IntervalStats, classes: &[ClassInterval]);
}

/// The whole table in memory (short horizons; consumers that need random access).
#[derive(Debug, Clone, Default)]
pub struct IntervalTable {
    pub intervals: Vec<IntervalStats>,
    /// `class_intervals[i * classes + k]`.
    pub class_intervals: Vec<ClassInterval>,
}

impl IntervalSink for IntervalTable {
    fn row(&mut self, index: usize, iv: &IntervalStats, classes: &[ClassInterval]) {
        debug_assert_eq!(index, self.intervals.len(), "rows arrive in order");
        self.intervals.push(iv.clone());
        self.class_intervals.extend_from_slice(classes);
    }
}

/// The rows of one replication that may still change.
pub struct IntervalWindow<'s> {
    /// Absolute index of `rows[0]`.
    base: usize,
    rows: Vec<IntervalStats>,
    /// `cells[(i - base) * ncells + k]`.
    cells: Vec<ClassInterval>,
    /// Contacts held on the row by [`hold`](Self::hold) (the human stage's are counted by
    /// the cells).
    pending: Vec<u32>,
    ncells: usize,
    categories: usize,
    /// Rows in the counted horizon.
    intervals: usize,
    /// Most rows held at once.
    peak: usize,
    /// The classes of the row being handed out.
    classes: Vec<ClassInterval>,
    /// Sums of the time integrals of the rows handed out so far.
    areas: AreaSums,
    sink: &'s mut dyn IntervalSink,
    /// Per-day sums of the rows handed out, when `interval_s > 0` ([`Self::count_days`]).
    days: Vec<DayStats>,
    interval_s: f64,
}

/// The replication's time integrals, summed from its rows in interval order.
#[derive(Debug, Clone, Copy, Default)]
struct AreaSums {
    busy: f64,
    slots: f64,
    headcount: f64,
    surge: f64,
}

impl<'s> IntervalWindow<'s> {
    /// A window over `intervals` rows with `2 · categories` cells each.
    pub fn new(categories: usize, intervals: usize, sink: &'s mut dyn IntervalSink) -> Self {
        IntervalWindow {
            base: 0,
            rows: Vec::new(),
            cells: Vec::new(),
            pending: Vec::new(),
            ncells: 2 * categories,
            categories,
            intervals,
            peak: 0,
            classes: vec![ClassInterval::default(); categories + 2],
            areas: AreaSums::default(),
            sink,
            days: Vec::new(),
            interval_s: 0.0,
        }
    }

    /// Also sums the rows per day of 24 hours (intervals of `interval_s` seconds).
    pub fn count_days(mut self, interval_s: f64) -> Self {
        self.interval_s = interval_s;
        self
    }

    /// Row `i`, for a write at the current instant or on behalf of a contact holding it.
    #[inline]
    pub fn row(&mut self, i: usize) -> &mut IntervalStats {
        let j = i.wrapping_sub(self.base);
        if j >= self.rows.len() {
            return self.extend_to(i);
        }
        &mut self.rows[j]
    }

    /// Cell `k` (category × priority) of row `i`. A contact counted in a cell's `offered` is
    /// expected to be counted later in its `answered` or `abandoned`: until then the row
    /// stays in the window.
    #[inline]
    pub fn cell(&mut self, i: usize, k: usize) -> &mut ClassInterval {
        let mut j = i.wrapping_sub(self.base);
        if j >= self.rows.len() {
            self.extend_to(i);
            j = i - self.base;
        }
        &mut self.cells[j * self.ncells + k]
    }

    /// A contact was attributed to row `i` (it exists: the attribution wrote to it) and may
    /// write to it later, other than through the cells' answers and abandonments.
    #[inline]
    pub fn hold(&mut self, i: usize) {
        self.pending[i - self.base] += 1;
    }

    /// A contact that held row `i` can no longer write to it.
    #[inline]
    pub fn release(&mut self, i: usize) {
        self.pending[i - self.base] -= 1;
    }

    /// Most rows held at once so far.
    pub fn peak_rows(&self) -> usize {
        self.peak
    }

    /// Rows held now.
    pub fn rows_held(&self) -> usize {
        self.rows.len()
    }

    /// Touching row `i` beyond the window: the rows before `i` that nothing holds leave (time
    /// has passed their end), then the window grows to include `i`.
    #[cold]
    #[inline(never)]
    fn extend_to(&mut self, i: usize) -> &mut IntervalStats {
        assert!(
            i >= self.base,
            "interval {i} was written after it was final (window starts at {})",
            self.base
        );
        let ncells = self.ncells;
        let free = (0..(i - self.base).min(self.rows.len()))
            .take_while(|&j| {
                self.pending[j] == 0
                    && self.cells[j * ncells..(j + 1) * ncells]
                        .iter()
                        .all(|c| c.offered == c.answered + c.abandoned + c.diverted)
            })
            .count();
        self.emit(free);
        let len = i - self.base + 1;
        self.rows.resize(len, IntervalStats::default());
        self.cells
            .resize(len * self.ncells, ClassInterval::default());
        self.pending.resize(len, 0);
        self.peak = self.peak.max(len);
        &mut self.rows[i - self.base]
    }

    /// Hands the first `n` rows to the sink and drops them.
    fn emit(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let k = self.categories;
        for j in 0..n {
            let index = self.base + j;
            if index >= self.intervals {
                break;
            }
            let cells = &self.cells[j * self.ncells..(j + 1) * self.ncells];
            self.classes.fill(ClassInterval::default());
            for (c, ci) in cells.iter().enumerate() {
                add_class(&mut self.classes[c / 2], ci);
                add_class(&mut self.classes[k + c % 2], ci);
            }
            let mut all = ClassInterval::default();
            for ci in &self.classes[..k] {
                add_class(&mut all, ci);
            }
            let iv = &mut self.rows[j];
            iv.offered += all.offered;
            iv.answered += all.answered;
            iv.answered_within_target += all.answered_within_target;
            iv.abandoned += all.abandoned;
            iv.wait_sum_s += all.wait_sum_s;
            self.areas.busy += iv.busy_area;
            self.areas.slots += iv.slot_area;
            self.areas.headcount += iv.headcount_area;
            self.areas.surge += iv.surge_area;
            if self.interval_s > 0.0 {
                let day = (index as f64 * self.interval_s / DAY_S + 1e-9).floor() as usize;
                if self.days.len() <= day {
                    self.days.resize(day + 1, DayStats::default());
                }
                let d = &mut self.days[day];
                d.arrivals += iv.arrivals as u64;
                d.offered += iv.offered as u64;
                d.answered += iv.answered as u64;
                d.answered_within_target += iv.answered_within_target as u64;
                d.abandoned += iv.abandoned as u64;
                d.wait_sum_s += iv.wait_sum_s;
            }
            self.sink.row(index, iv, &self.classes);
        }
        self.rows.drain(..n);
        self.cells.drain(..n * self.ncells);
        self.pending.drain(..n);
        self.base += n;
    }

    /// The end of the replication: every row left (held or not, touched or not) goes to the
    /// sink in order, so the sink sees each of the counted horizon's rows exactly once.
    pub fn finish(&mut self) {
        if self.base < self.intervals {
            let len = self.intervals - self.base;
            if self.rows.len() < len {
                self.rows.resize(len, IntervalStats::default());
                self.cells
                    .resize(len * self.ncells, ClassInterval::default());
                self.pending.resize(len, 0);
            }
        }
        let n = self.rows.len();
        self.emit(n);
    }

    /// The replication's busy and on-duty slot areas and agent-seconds (surge included, and
    /// surge alone): the sums of the rows' areas, which cover the counted horizon (summing
    /// once per row rather than once per event changes the last bits of the totals).
    pub fn set_totals(&self, stats: &mut RepStats) {
        debug_assert!(self.base >= self.intervals, "call after finish");
        stats.busy_area = self.areas.busy;
        stats.slot_area = self.areas.slots;
        stats.agent_seconds = self.areas.headcount;
        stats.surge_agent_seconds = self.areas.surge;
        stats.days = self.days.clone();
    }
}

fn add_class(to: &mut ClassInterval, c: &ClassInterval) {
    to.offered += c.offered;
    to.answered += c.answered;
    to.answered_within_target += c.answered_within_target;
    to.abandoned += c.abandoned;
    to.wait_sum_s += c.wait_sum_s;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects `(index, offered, answered, classes)`.
    #[derive(Default)]
    struct Seen(Vec<(usize, IntervalStats, Vec<ClassInterval>)>);

    impl IntervalSink for Seen {
        fn row(&mut self, index: usize, iv: &IntervalStats, classes: &[ClassInterval]) {
            self.0.push((index, iv.clone(), classes.to_vec()));
        }
    }

    #[test]
    fn late_writes_land_in_their_row_and_rows_leave_in_order() {
        let mut seen = Seen::default();
        {
            // One category: cells 0 (VIP) and 1 (normal).
            let mut w = IntervalWindow::new(1, 10, &mut seen);
            // Interval 1: an overnight ticket (holds nothing), a contact queued (holds the row
            // until answered) and one in the bot (held explicitly).
            w.row(1).tickets += 1;
            w.cell(1, 1).offered += 1;
            w.row(1).arrivals += 1;
            w.hold(1);
            // Time moves on to interval 2: row 0 leaves, row 1 stays (held).
            w.row(2).arrivals += 1;
            // Interval 5: rows 1.. are held back behind row 1.
            w.row(5).arrivals += 1;
            assert_eq!(w.rows_held(), 5, "rows 1..=5");
            // The bot resolves its contact in interval 3: row 1 is still waiting for the answer.
            w.row(1).bot_resolved += 1;
            w.release(1);
            w.row(5).arrivals += 1;
            assert_eq!(w.rows_held(), 5, "still rows 1..=5");
            // The contact queued in interval 1 is answered in interval 5: its row gets it.
            let c = w.cell(1, 1);
            c.answered += 1;
            c.answered_within_target += 1;
            c.wait_sum_s += 7.5;
            // Touching interval 6 lets rows 1..=5 leave.
            w.row(6).max_waiting = 3;
            assert_eq!(w.rows_held(), 1);
            w.finish();
            assert_eq!(w.peak_rows(), 5, "rows 1..=5 while row 1 was held");
        }
        let idx: Vec<usize> = seen.0.iter().map(|r| r.0).collect();
        assert_eq!(idx, (0..10).collect::<Vec<_>>(), "each row once, in order");
        let (_, iv, classes) = &seen.0[1];
        assert_eq!((iv.tickets, iv.offered, iv.answered), (1, 1, 1));
        assert_eq!((iv.arrivals, iv.bot_resolved), (1, 1));
        assert_eq!(iv.wait_sum_s, 7.5);
        // classes: category, VIP, normal.
        assert_eq!(classes[0].answered, 1);
        assert_eq!(classes[1].answered, 0);
        assert_eq!(classes[2].answered_within_target, 1);
        assert_eq!(seen.0[5].1.arrivals, 2);
        assert_eq!(seen.0[6].1.max_waiting, 3);
        assert_eq!(seen.0[9].1.arrivals, 0);
    }

    #[test]
    #[should_panic(expected = "after it was final")]
    fn a_write_to_a_final_row_is_a_bug() {
        let mut sink = IntervalTable::default();
        let mut w = IntervalWindow::new(1, 10, &mut sink);
        w.row(0).arrivals += 1;
        w.row(3).arrivals += 1;
        w.row(0).arrivals += 1;
    }
}
