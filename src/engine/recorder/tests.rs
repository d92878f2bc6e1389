//! The recorder against hand-worked rows, and against the naive [`ReferenceRecorder`] on
//! random event sequences that cross interval edges (to the ulp), warm-up and drain.

use super::reference::ReferenceRecorder;
use super::*;
use crate::stats::IntervalTable;
use proptest::prelude::*;

/// Relative tolerance for the staffing areas and alert seconds: the recorder sums them once
/// per stretch of constant staffing (or alert), the reference once per event span, so the
/// same real-number sum is rounded in a different order. A few hundred terms of size at most
/// ~1e5 keep the difference near 1e-13 relative; 1e-9 leaves room and still catches any
/// lost or doubled span (at least 1e-7 of the row in these cases).
const REORDERED_SUM_REL_TOL: f64 = 1e-9;

fn levels(headcount: u32, surge: u32, busy: u32, slots: u32) -> Levels {
    Levels {
        headcount,
        surge,
        busy,
        slots,
    }
}

/// One recorder, its window and table, driven the way the engine drives them.
struct Run {
    table: IntervalTable,
    stats: RepStats,
}

/// Drives a real recorder with `f` and returns its final table and stats.
fn run_real(
    (from, to, interval_s, intervals, threshold): (f64, f64, f64, usize, u32),
    f: impl FnOnce(&mut Recorder, &mut IntervalWindow, &mut RepStats),
) -> Run {
    let mut table = IntervalTable::default();
    let mut stats = RepStats::new(1);
    {
        let mut win = IntervalWindow::new(1, intervals, &mut table);
        let mut rec = Recorder::new(from, to, interval_s, intervals, threshold);
        f(&mut rec, &mut win, &mut stats);
        rec.finish(&mut win);
        win.finish();
    }
    Run { table, stats }
}

#[test]
fn one_wait_across_an_edge_by_hand() {
    // Horizon [0, 300) in intervals of 100 s; 2 agents (2 slots) all along, one of them busy.
    // One contact waits 50 → 150 (alert above 0 waiting).
    let run = run_real((0.0, 300.0, 100.0, 3, 0), |rec, win, stats| {
        let l = levels(2, 0, 1, 2);
        rec.advance(0.0, l, win);
        rec.advance(50.0, l, win);
        assert_eq!(rec.set_waiting(50.0, 1, stats, win), AlertChange::Started);
        rec.advance(150.0, l, win);
        assert_eq!(rec.set_waiting(150.0, 0, stats, win), AlertChange::Ended);
        rec.advance(300.0, l, win);
        rec.horizon_end(stats);
    });
    let r = &run.table.intervals;
    // Row 0: waiting 1 × 50 s (50 → 100); 2 agents × 100 s; 1 busy slot × 100 s.
    assert_eq!(
        (r[0].waiting_area, r[0].max_waiting, r[0].alert_s),
        (50.0, 1, 50.0)
    );
    assert_eq!(
        (r[0].headcount_area, r[0].slot_area, r[0].busy_area),
        (200.0, 200.0, 100.0)
    );
    // Row 1: the wait carried over, 100 → 150.
    assert_eq!(
        (r[1].waiting_area, r[1].max_waiting, r[1].alert_s),
        (50.0, 1, 50.0)
    );
    // Row 2: nobody waits.
    assert_eq!(
        (r[2].waiting_area, r[2].max_waiting, r[2].alert_s),
        (0.0, 0, 0.0)
    );
    assert_eq!(r[2].headcount_area, 200.0);
    // One episode 50 → 150.
    let s = &run.stats;
    assert_eq!(
        (s.alert_episodes, s.alert_total_s, s.alert_longest_s),
        (1, 100.0, 100.0)
    );
}

#[test]
fn warm_up_and_drain_are_clipped_and_the_last_interval_is_partial() {
    // Counted [100, 250), intervals of 100 s: rows [100, 200) and [200, 250). Three busy
    // slots from 0 to 400 (one span into the drain, cut by the horizon event at 250).
    let run = run_real((100.0, 250.0, 100.0, 2, 10), |rec, win, stats| {
        let l = levels(3, 0, 3, 3);
        rec.advance(0.0, l, win);
        rec.advance(250.0, l, win);
        rec.horizon_end(stats);
        rec.advance(400.0, l, win);
    });
    let r = &run.table.intervals;
    // 3 × 100 s in row 0, 3 × 50 s in row 1; nothing of [0, 100) nor of [250, 400).
    assert_eq!((r[0].busy_area, r[1].busy_area), (300.0, 150.0));
    assert_eq!((r[0].headcount_area, r[1].headcount_area), (300.0, 150.0));
}

#[test]
fn staffing_changes_inside_an_interval_are_integrated_per_stretch() {
    // [0, 100), one interval: 2 agents for 0 → 40, then 5 agents (one a surge agent) to
    // 100; busy 1 then 4.
    let run = run_real((0.0, 100.0, 100.0, 1, 10), |rec, win, stats| {
        rec.advance(0.0, levels(2, 0, 1, 2), win);
        rec.advance(10.0, levels(2, 0, 1, 2), win);
        rec.advance(40.0, levels(2, 0, 1, 2), win);
        rec.advance(70.0, levels(5, 1, 4, 5), win);
        rec.advance(100.0, levels(5, 1, 4, 5), win);
        rec.horizon_end(stats);
    });
    let r = &run.table.intervals[0];
    // 2·40 + 5·60 = 380; surge 1·60; busy 1·40 + 4·60 = 280.
    assert_eq!(
        (r.headcount_area, r.slot_area, r.surge_area, r.busy_area),
        (380.0, 380.0, 60.0, 280.0)
    );
}

#[test]
fn an_alert_before_the_horizon_counts_only_its_counted_part() {
    // Counted [100, 300), one interval of 200 s; alert above 1 waiting. Two wait from 50
    // (warm-up) to 400 (drain).
    let run = run_real((100.0, 300.0, 200.0, 1, 1), |rec, win, stats| {
        let l = levels(1, 0, 1, 1);
        rec.advance(50.0, l, win);
        assert_eq!(rec.set_waiting(50.0, 1, stats, win), AlertChange::None);
        assert_eq!(rec.set_waiting(50.0, 2, stats, win), AlertChange::Started);
        rec.advance(300.0, l, win);
        rec.horizon_end(stats);
        rec.advance(400.0, l, win);
        assert_eq!(rec.set_waiting(400.0, 0, stats, win), AlertChange::Ended);
    });
    let r = &run.table.intervals[0];
    // 2 waiting × 200 s counted; the alert covers the whole row.
    assert_eq!(
        (r.waiting_area, r.max_waiting, r.alert_s),
        (400.0, 2, 200.0)
    );
    // One episode, counted 100 → 300 only; its end in the drain adds nothing.
    let s = &run.stats;
    assert_eq!(
        (s.alert_episodes, s.alert_total_s, s.alert_longest_s),
        (1, 200.0, 200.0)
    );
}

#[test]
fn a_change_at_an_edge_belongs_to_the_later_interval() {
    // [0, 200), intervals of 100 s. Five start waiting at exactly 100 s, leave at 150.
    let run = run_real((0.0, 200.0, 100.0, 2, 10), |rec, win, stats| {
        let l = levels(1, 0, 0, 1);
        rec.advance(0.0, l, win);
        rec.advance(100.0, l, win);
        rec.set_waiting(100.0, 5, stats, win);
        rec.advance(150.0, l, win);
        rec.set_waiting(150.0, 0, stats, win);
        rec.advance(200.0, l, win);
        rec.horizon_end(stats);
    });
    let r = &run.table.intervals;
    assert_eq!((r[0].waiting_area, r[0].max_waiting), (0.0, 0));
    // 5 × 50 s.
    assert_eq!((r[1].waiting_area, r[1].max_waiting), (250.0, 5));
}

/// When the next event happens.
#[derive(Debug, Clone)]
enum When {
    /// At the same instant as the previous one.
    Same,
    /// This fraction of an interval later.
    Later(f64),
    /// At nominal interval edge `k` moved by this many ulps (or at the previous instant if
    /// that is earlier).
    Edge(usize, i8),
}

#[derive(Debug, Clone)]
struct Step {
    when: When,
    /// New staffing levels (headcount, surge, slots), if they change at this event.
    staffing: Option<(u32, u32, u32)>,
    /// New busy slots.
    busy: u32,
    /// Changes of the number waiting made by this event, in order.
    waiting_changes: Vec<i8>,
    /// The event also writes a count into its interval's row (as an arrival does).
    touch: bool,
}

#[derive(Debug, Clone)]
struct Case {
    from: f64,
    interval_s: f64,
    /// Whole intervals, and whether the last one is cut to half.
    whole: usize,
    half_last: bool,
    threshold: u32,
    steps: Vec<Step>,
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        1 => Just(When::Same),
        3 => (0.0..0.7f64).prop_map(When::Later),
        2 => (0usize..8, -2i8..=2).prop_map(|(k, u)| When::Edge(k, u)),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (
        when(),
        proptest::option::weighted(0.2, (0u32..6, 0u32..3, 0u32..12)),
        0u32..12,
        proptest::collection::vec(-2i8..=2, 0..3),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(when, staffing, busy, waiting_changes, touch)| Step {
            when,
            staffing,
            busy,
            waiting_changes,
            touch,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec![0.0, 0.3, 1234.567, 1800.0]),
        prop::sample::select(vec![0.1, 7.3, 900.0, 1800.0]),
        1usize..6,
        any::<bool>(),
        0u32..3,
        proptest::collection::vec(step(), 1..60),
    )
        .prop_map(
            |(from, interval_s, whole, half_last, threshold, steps)| Case {
                from,
                interval_s,
                whole,
                half_last,
                threshold,
                steps,
            },
        )
}

/// `x` moved by `ulps` representable values.
fn nudge(mut x: f64, ulps: i8) -> f64 {
    for _ in 0..ulps.unsigned_abs() {
        x = if ulps > 0 { x.next_up() } else { x.next_down() };
    }
    x
}

fn assert_close(what: &str, got: f64, want: f64) {
    let scale = got.abs().max(want.abs());
    assert!(
        (got - want).abs() <= REORDERED_SUM_REL_TOL * scale,
        "{what}: recorder {got} vs reference {want}"
    );
}

/// Drives the recorder and the reference through `case` and compares every row.
fn check(case: &Case) {
    let from = case.from;
    let to = if case.half_last {
        from + (case.whole as f64 - 0.5) * case.interval_s
    } else {
        from + case.whole as f64 * case.interval_s
    };
    // As `Run::interval_count` counts them.
    let intervals = (((to - from) / case.interval_s) - 1e-9).ceil().max(0.0) as usize;
    let mut reference =
        ReferenceRecorder::new(from, to, case.interval_s, intervals, case.threshold);
    let mut ref_stats = RepStats::new(1);
    let mut now = 0.0f64;
    let mut lv = levels(1, 0, 0, 1);
    let mut horizon_done = false;
    let run = run_real(
        (from, to, case.interval_s, intervals, case.threshold),
        |rec, win, stats| {
            // The horizon event at `to`, after every other event at `to` (it ranks last).
            let horizon = |rec: &mut Recorder,
                           win: &mut IntervalWindow,
                           stats: &mut RepStats,
                           reference: &mut ReferenceRecorder,
                           ref_stats: &mut RepStats,
                           lv: Levels| {
                rec.advance(to, lv, win);
                reference.advance(to, lv);
                rec.horizon_end(stats);
                reference.horizon_end(ref_stats);
            };
            for (n, s) in case.steps.iter().enumerate() {
                let t = match s.when {
                    When::Same => now,
                    When::Later(f) => now + f * case.interval_s,
                    When::Edge(k, u) => nudge(from + k as f64 * case.interval_s, u).max(now),
                };
                let t = t.max(0.0);
                if t > to && !horizon_done {
                    horizon(rec, win, stats, &mut reference, &mut ref_stats, lv);
                    horizon_done = true;
                }
                now = t;
                rec.advance(t, lv, win);
                reference.advance(t, lv);
                assert_eq!(
                    rec.interval_of(t),
                    reference.interval_of(t),
                    "step {n} t {t}"
                );
                if let Some((headcount, surge, slots)) = s.staffing {
                    (lv.headcount, lv.surge, lv.slots) = (headcount, surge, slots);
                }
                lv.busy = s.busy;
                for &d in &s.waiting_changes {
                    let w = (rec.waiting() as i64 + d as i64).max(0) as u32;
                    let got = rec.set_waiting(t, w, stats, win);
                    let want = reference.set_waiting(t, w, &mut ref_stats);
                    assert_eq!(got, want, "alert change at step {n} t {t}");
                    assert_eq!(rec.alert_on(), reference.alert_on());
                    assert_eq!(rec.waiting(), reference.waiting());
                }
                if s.touch && from <= t && t < to {
                    win.row(rec.interval_of(t)).arrivals += 1;
                    let i = reference.interval_of(t);
                    reference.rows[i].arrivals += 1;
                }
            }
            if !horizon_done {
                horizon(rec, win, stats, &mut reference, &mut ref_stats, lv);
            }
        },
    );
    let got = &run.table.intervals;
    assert_eq!(got.len(), reference.rows.len());
    for (i, (g, w)) in got.iter().zip(&reference.rows).enumerate() {
        let at = |field: &str| format!("row {i} {field}");
        // Summed span by span in both, in the same order: exactly equal.
        assert_eq!(g.arrivals, w.arrivals, "{}", at("arrivals"));
        assert_eq!(g.max_waiting, w.max_waiting, "{}", at("max_waiting"));
        assert_eq!(
            g.waiting_area.to_bits(),
            w.waiting_area.to_bits(),
            "{}: {} vs {}",
            at("waiting_area"),
            g.waiting_area,
            w.waiting_area
        );
        assert_eq!(
            g.busy_area.to_bits(),
            w.busy_area.to_bits(),
            "{}: {} vs {}",
            at("busy_area"),
            g.busy_area,
            w.busy_area
        );
        // Summed per stretch by the recorder.
        assert_close(&at("headcount_area"), g.headcount_area, w.headcount_area);
        assert_close(&at("surge_area"), g.surge_area, w.surge_area);
        assert_close(&at("slot_area"), g.slot_area, w.slot_area);
        assert_close(&at("alert_s"), g.alert_s, w.alert_s);
    }
    let (g, w) = (&run.stats, &ref_stats);
    assert_eq!(
        (g.alert_episodes, g.alert_total_s, g.alert_longest_s),
        (w.alert_episodes, w.alert_total_s, w.alert_longest_s)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn matches_the_reference_on_random_events(c in case()) {
        check(&c);
    }
}
