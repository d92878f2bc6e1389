//! Engine rules: the same-instant rule (freed capacity is applied before a patience that ends
//! at that very instant) and common random numbers (a staffing-only change leaves every
//! contact's draws as they were), both read from the per-contact trace; and that the seed
//! argument alone decides the draws.

use kefu::engine::{self, trace::Outcome, trace::TraceRow};
use kefu::model::textbook::Textbook;
use kefu::model::{Dist, Model, Staffing, Window};
use kefu::scenario;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every trace row of replication `r` of `m`, by (contact, visit).
fn trace(m: &Model, r: u64) -> BTreeMap<(u64, u32), TraceRow> {
    let mut rows = BTreeMap::new();
    let mut sink = |row: &TraceRow| {
        let old = rows.insert((row.contact, row.visit), row.clone());
        assert!(old.is_none(), "one row per visit: {row:?}");
    };
    engine::simulate_traced(m, m.run.seed, r, Some(&mut sink));
    rows
}

/// One agent, constant `handle_s` chats and `patience_s` patience, arrivals replayed at
/// `arrivals`.
fn one_agent(handle_s: f64, patience_s: f64, arrivals: Vec<f64>) -> Model {
    let mut tb = Textbook::new(0.001, handle_s, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    m.arrivals.replay = Some(arrivals);
    m.categories[0].handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].patience = Some(Dist::constant(patience_s).unwrap());
    m
}

#[test]
fn a_patience_ending_as_a_chat_ends_is_served() {
    // c0 arrives at 0 and is served until 110; c1 arrives at 10 with 100 s of patience:
    // it would leave at 110, the instant the agent frees. The chat end comes first.
    let rows = trace(&one_agent(110.0, 100.0, vec![0.0, 10.0]), 0);
    let c1 = &rows[&(1, 0)];
    assert_eq!(c1.outcome, Outcome::Answered, "{c1:?}");
    assert_eq!((c1.queued_at, c1.service_start), (Some(10.0), Some(110.0)));
    // A microsecond less patience and it is gone before the agent frees: the rule is the tie.
    let rows = trace(&one_agent(110.0, 100.0 - 1e-6, vec![0.0, 10.0]), 0);
    assert_eq!(rows[&(1, 0)].outcome, Outcome::Abandoned);
}

#[test]
fn a_patience_ending_as_a_shift_starts_is_served() {
    // One agent all along, busy with c0 from 0 to 5000; a second agent's shift starts at
    // 01:00. c1 arrives at 00:30 with 1800 s of patience: it would leave at 01:00, the
    // instant the shift starts. The staffing change comes first.
    let shift = |patience_s: f64| {
        let mut m = one_agent(5000.0, patience_s, vec![0.0, 1800.0]);
        let window = |from_s: f64| Window {
            from_s,
            to_s: 7200.0,
            agents: 1,
            days: [true; 7],
        };
        m.pools[0].staffing = Staffing::Schedule(vec![window(0.0), window(3600.0)]);
        trace(&m, 0)
    };
    let c1 = &shift(1800.0)[&(1, 0)];
    assert_eq!(c1.outcome, Outcome::Answered, "{c1:?}");
    assert_eq!(c1.service_start, Some(3600.0));
    // A microsecond less patience and it is gone before the shift starts.
    assert_eq!(shift(1800.0 - 1e-6)[&(1, 0)].outcome, Outcome::Abandoned);
}

/// `(start + d) - start` recovers `d` to within a few ulps of the instant.
fn same_duration(a: f64, b: f64, at: f64) -> bool {
    const ULPS: f64 = 4.0;
    (a - b).abs() <= ULPS * f64::EPSILON * at.abs().max(1.0)
}

/// The default scenario (bot, returns, VIPs, four categories, two pools), one day. Chats
/// are not slowed by concurrency here, so a chat's length is its drawn handle time.
fn default_scenario() -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    let mut m = scenario::load(&path).unwrap().model;
    for p in &mut m.pools {
        p.concurrency_slowdown = 0.0;
    }
    m
}

#[test]
fn more_agents_leave_every_contacts_draws_unchanged() {
    // The first pool's schedule with one agent less in every window (busier: more give
    // up), and with three more.
    let restaffed = |change: fn(u32) -> u32| {
        let mut m = default_scenario();
        let Staffing::Schedule(windows) = &mut m.pools[0].staffing else {
            panic!("the default scenario's first pool has a schedule");
        };
        for w in windows {
            w.agents = change(w.agents);
        }
        m
    };
    let base = restaffed(|n| n.saturating_sub(1).max(1));
    let more = restaffed(|n| n + 3);
    for r in 0..2 {
        let (a, b) = (trace(&base, r), trace(&more, r));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "the same contacts and returns"
        );
        let mut outcomes_differ = 0;
        let mut handles_compared = 0;
        let mut patiences_compared = 0;
        for (key, x) in &a {
            let y = &b[key];
            // Drawn on arrival, and the bot's draws: identical.
            assert_eq!(
                (x.arrival, x.category, x.complex, x.vip),
                (y.arrival, y.category, y.complex, y.vip),
                "{key:?}"
            );
            assert_eq!(
                (x.bot_met, x.bot_resolved, x.transferred, x.queued_at),
                (y.bot_met, y.bot_resolved, y.transferred, y.queued_at),
                "{key:?}"
            );
            outcomes_differ += (x.outcome != y.outcome) as u32;
            // The handle time, for a contact served in both runs (live or as a ticket).
            if let (Some(sx), Some(sy)) = (x.service_start, y.service_start) {
                handles_compared += 1;
                assert!(
                    same_duration(x.end - sx, y.end - sy, x.end.max(y.end)),
                    "{key:?}: handle {} vs {}",
                    x.end - sx,
                    y.end - sy
                );
            }
            // The patience: a contact that gave up in one run gave up after the same wait
            // in the other, or was answered no later than that.
            for (gave_up, other) in [(x, y), (y, x)] {
                if gave_up.outcome != Outcome::Abandoned {
                    continue;
                }
                let queued = gave_up.queued_at.expect("abandoned from a queue");
                let patience = gave_up.end - queued;
                patiences_compared += 1;
                match other.outcome {
                    Outcome::Abandoned => assert!(
                        same_duration(other.end - queued, patience, other.end),
                        "{key:?}: patience {patience} vs {}",
                        other.end - queued
                    ),
                    Outcome::Answered => {
                        let start = other.service_start.expect("answered");
                        assert!(
                            start - queued <= patience,
                            "{key:?} waited past its patience"
                        );
                    }
                    o => panic!("{key:?}: abandoned in one run, {o:?} in the other"),
                }
            }
        }
        // The change mattered, and there was something to compare.
        assert!(outcomes_differ > 0, "replication {r}: no outcome changed");
        assert!(
            handles_compared > 1000 && patiences_compared > 50,
            "replication {r}: {handles_compared} handle times, {patiences_compared} patiences"
        );
    }
}

#[test]
fn the_seed_argument_alone_decides_the_draws() {
    let mut tb = Textbook::new(0.05, 300.0, 20);
    tb.mean_patience_s = Some(240.0);
    tb.days = 0.25;
    let a = tb.model();
    let mut b = a.clone();
    b.run.seed = a.run.seed + 1;
    let run = |m: &Model, seed: u64| format!("{:?}", engine::simulate(m, seed, 0));
    // The model's own `run.seed` is not read ...
    assert_eq!(run(&a, 7), run(&b, 7));
    // ... the argument is.
    assert_ne!(run(&a, 7), run(&a, 8));
}
