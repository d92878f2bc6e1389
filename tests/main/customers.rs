//! The `[queue]` and `[retrials]` rules (docs/customers.md): hand-worked traces (a retrial's
//! return time and count, a cap reached and released, a timeout to a message, clearing at
//! closing), and the neutral default of every key (results unchanged, metric for metric).

use crate::common::{simulate, value};
use kefu::engine::{self, trace::Outcome, trace::TraceRow};
use kefu::model::customers::{Balk, Divert, OnClose, Retrials};
use kefu::model::textbook::Textbook;
use kefu::model::{Dist, Model, Staffing, Window};
use kefu::scenario::{load_str, ScenarioError, DEFAULT_SCENARIO};
use kefu::summary::{HumanMetric, Metric, TotalMetric};
use std::path::Path;

/// One agent, constant `handle_s` chats, constant `patience_s` (infinite: none), arrivals
/// replayed at `arrivals`, one replication of one day.
fn one_agent(handle_s: f64, patience_s: f64, arrivals: Vec<f64>) -> Model {
    let mut tb = Textbook::new(0.001, handle_s, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    m.arrivals.replay = Some(arrivals);
    m.categories[0].handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].patience = patience_s
        .is_finite()
        .then(|| Dist::constant(patience_s).unwrap());
    m
}

/// Every trace row of replication 0, in the order the visits ended.
fn trace(m: &Model) -> Vec<TraceRow> {
    let mut rows = Vec::new();
    let mut sink = |row: &TraceRow| rows.push(row.clone());
    engine::simulate_traced(m, m.run.seed, 0, Some(&mut sink));
    rows
}

fn retrials(probability: f64, after_s: f64, max_attempts: u32) -> Option<Retrials> {
    Some(Retrials {
        probability,
        after_message: 0.0,
        after: Dist::constant(after_s).unwrap(),
        max_attempts,
    })
}

#[test]
fn an_abandoner_comes_back_after_its_delay_and_is_served() {
    // c0 is served 0→100. c1 waits from 10 and abandons at 60 (50 s of patience); it writes
    // again 30 s later, at 90, waits for the agent and is served at 100 (wait 10 s).
    let mut m = one_agent(100.0, 50.0, vec![0.0, 10.0]);
    m.customers.retrials = retrials(1.0, 30.0, 2);
    let rows = trace(&m);
    let retrial = rows.iter().find(|r| r.visit == 1).expect("a retrial visit");
    assert_eq!(retrial.contact, 1);
    assert_eq!(retrial.arrival, 90.0);
    assert_eq!(retrial.queued_at, Some(90.0));
    assert_eq!(retrial.service_start, Some(100.0));
    assert_eq!(retrial.outcome, Outcome::Answered);
    let first = rows
        .iter()
        .find(|r| r.contact == 1 && r.visit == 0)
        .unwrap();
    assert_eq!((first.outcome, first.end), (Outcome::Abandoned, 60.0));

    let agg = simulate(&m, 1);
    let v = |k: Metric| value(&agg, k).unwrap();
    assert_eq!(v(HumanMetric::Offered.into()), 3.0);
    assert_eq!(v(HumanMetric::Answered.into()), 2.0);
    assert_eq!(v(HumanMetric::Abandoned.into()), 1.0);
    assert_eq!(v(TotalMetric::RetrialsScheduled.into()), 1.0);
    assert_eq!(v(TotalMetric::RetrialsOffered.into()), 1.0);
    // First attempts: c0 within target, c1 not; over customers, both were answered in time.
    assert_eq!(v(TotalMetric::RetrialsFirstAttemptServiceLevel.into()), 0.5);
    assert_eq!(v(TotalMetric::RetrialsAnyAttemptServiceLevel.into()), 1.0);
}

#[test]
fn retrials_stop_at_max_attempts() {
    // The agent is busy 0→1000. c1 abandons at 60, 140 and 220 (attempts at 10, 90, 170):
    // three attempts, then no more.
    let mut m = one_agent(1000.0, 50.0, vec![0.0, 10.0]);
    m.customers.retrials = retrials(1.0, 30.0, 3);
    let rows = trace(&m);
    let c1: Vec<(u32, f64, f64)> = rows
        .iter()
        .filter(|r| r.contact == 1)
        .map(|r| (r.visit, r.arrival, r.end))
        .collect();
    assert_eq!(
        c1,
        vec![(0, 10.0, 60.0), (1, 90.0, 140.0), (2, 170.0, 220.0)]
    );
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::RetrialsOffered), Some(2.0));
    assert_eq!(value(&agg, HumanMetric::Abandoned), Some(3.0));
    // A probability of 0 in the same model: nobody comes back.
    m.customers.retrials = retrials(0.0, 30.0, 3);
    assert_eq!(value(&simulate(&m, 1), HumanMetric::Abandoned), Some(1.0));
}

#[test]
fn a_system_cap_refuses_then_admits_again() {
    // Cap of 2 in the shop. c0 served 0→100, c1 waits (2 in the shop), c2 at 20 is refused;
    // at 150 only c1 is in the shop (in service 100→200), so c3 is admitted and served at 200.
    let mut m = one_agent(100.0, f64::INFINITY, vec![0.0, 10.0, 20.0, 150.0]);
    m.customers.queue.max_in_system = Some(2);
    let rows = trace(&m);
    let c2 = rows.iter().find(|r| r.contact == 2).unwrap();
    assert_eq!((c2.outcome, c2.end), (Outcome::Refused, 20.0));
    let c3 = rows.iter().find(|r| r.contact == 3).unwrap();
    assert_eq!(c3.service_start, Some(200.0));
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueRefused), Some(1.0));
    assert_eq!(value(&agg, HumanMetric::Offered), Some(3.0));
    assert_eq!(value(&agg, HumanMetric::Answered), Some(3.0));
}

#[test]
fn a_full_queue_turns_contacts_into_tickets_or_loses_them() {
    // At most 1 waiting: c2 at 20 finds c1 waiting. As a ticket it is worked once nobody
    // live waits: after c1 (100→200) and c3 (200→300), at 300: response 300 − 20 = 280 s.
    let mut m = one_agent(100.0, f64::INFINITY, vec![0.0, 10.0, 20.0, 150.0]);
    m.customers.queue.max_waiting = Some(1);
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueFull), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::TicketCount), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::TicketMeanResponseS), Some(280.0));
    assert_eq!(value(&agg, HumanMetric::Offered), Some(3.0));
    m.customers.queue.when_full = Divert::Lost;
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueFull), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::TicketCount), Some(0.0));
    assert_eq!(value(&agg, HumanMetric::Answered), Some(3.0));
    // No queue at all (Tencent's DisableQueuing): everyone who would wait is turned away.
    m.customers.queue.max_waiting = Some(0);
    assert_eq!(value(&simulate(&m, 1), TotalMetric::QueueFull), Some(2.0));
}

#[test]
fn a_long_wait_becomes_a_message() {
    // Max wait 30 s: c1 waits 10→40 and becomes a ticket, worked when the agent frees at 100
    // (response 100 − 10 = 90 s). It is offered, neither answered nor abandoned.
    let mut m = one_agent(100.0, 200.0, vec![0.0, 10.0]);
    m.customers.queue.max_wait_s = Some(30.0);
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueTimedOut), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::TicketCount), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::TicketMeanResponseS), Some(90.0));
    assert_eq!(value(&agg, HumanMetric::Offered), Some(2.0));
    assert_eq!(value(&agg, HumanMetric::Abandoned), Some(0.0));
    assert_eq!(value(&agg, HumanMetric::Answered), Some(1.0));
    // Patience shorter than the maximum wait: it abandons first (at 30 s of waiting).
    m.categories[0].patience = Some(Dist::constant(20.0).unwrap());
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueTimedOut), Some(0.0));
    assert_eq!(value(&agg, HumanMetric::Abandoned), Some(1.0));
}

#[test]
fn a_customer_who_left_a_message_writes_again() {
    // c1 times out at 40 (30 s) to a message and writes again 75 s later, at 115. The agent
    // frees at 100 and takes the message (nobody live waits): 100→200. The retrial waits from
    // 115, times out at 145 to a second message (its last attempt), worked 200→300.
    let mut m = one_agent(100.0, f64::INFINITY, vec![0.0, 10.0]);
    m.customers.queue.max_wait_s = Some(30.0);
    m.customers.retrials = retrials(0.0, 75.0, 2);
    m.customers.retrials.as_mut().unwrap().after_message = 1.0;
    let rows = trace(&m);
    let c1: Vec<(u32, f64, Option<f64>, Outcome)> = rows
        .iter()
        .filter(|r| r.contact == 1)
        .map(|r| (r.visit, r.arrival, r.service_start, r.outcome))
        .collect();
    assert_eq!(
        c1,
        vec![
            (0, 10.0, Some(100.0), Outcome::Ticket),
            (1, 115.0, Some(200.0), Outcome::Ticket)
        ]
    );
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::TicketCount), Some(2.0));
    assert_eq!(value(&agg, TotalMetric::TicketMeanResponseS), Some(87.5));
    assert_eq!(value(&agg, TotalMetric::RetrialsScheduled), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::RetrialsOffered), Some(1.0));
}

#[test]
fn balking_with_share_one_leaves_at_once_and_counts_as_abandoned() {
    let mut m = one_agent(100.0, f64::INFINITY, vec![0.0, 10.0, 150.0]);
    m.customers.queue.balk = Balk::Share(1.0);
    let rows = trace(&m);
    let c1 = rows.iter().find(|r| r.contact == 1).unwrap();
    assert_eq!((c1.outcome, c1.end), (Outcome::Balked, 10.0));
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueBalked), Some(1.0));
    assert_eq!(value(&agg, HumanMetric::Abandoned), Some(1.0));
    assert_eq!(value(&agg, HumanMetric::Offered), Some(3.0));
    // c2 at 150 finds the agent free: nobody balks who need not wait.
    assert_eq!(value(&agg, HumanMetric::Answered), Some(2.0));
    // By queue length: nobody balks while 0 wait (c1 at 10), all when 1 waits (c2 at 20).
    let mut m = one_agent(100.0, f64::INFINITY, vec![0.0, 10.0, 20.0]);
    m.customers.queue.balk = Balk::ByWaiting(vec![0.0, 1.0]);
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueBalked), Some(1.0));
    assert_eq!(value(&agg, HumanMetric::Answered), Some(2.0));
}

#[test]
fn closing_clears_the_line_to_messages_or_loses_it() {
    // One agent 00:00–01:00 every day. c0 at 3500 s is served (1000 s chat, finished after
    // the agent's hour); c1 at 3550 waits; at 3600 the agent goes off duty.
    let mut m = one_agent(1000.0, f64::INFINITY, vec![3500.0, 3550.0]);
    m.pools[0].staffing = Staffing::Schedule(vec![Window {
        from_s: 0.0,
        to_s: 3600.0,
        agents: 1,
        days: [true; 7],
    }]);
    m.customers.queue.on_close = OnClose::Ticket;
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::QueueClosed), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::TicketCount), Some(1.0));
    // Worked when the agent is back the next midnight.
    assert_eq!(
        value(&agg, TotalMetric::TicketMeanResponseS),
        Some(86_400.0 - 3550.0)
    );
    m.customers.queue.on_close = OnClose::Lost;
    let rows = trace(&m);
    let c1 = rows.iter().find(|r| r.contact == 1).unwrap();
    assert_eq!((c1.outcome, c1.end), (Outcome::Refused, 3600.0));
    // Kept (today's rule): it waits until the agent is back and is answered then.
    m.customers.queue.on_close = OnClose::Keep;
    let rows = trace(&m);
    let c1 = rows.iter().find(|r| r.contact == 1).unwrap();
    assert_eq!(c1.service_start, Some(86_400.0));
}

/// Every metric of `base` has the same value with `extra` appended to the scenario text.
fn assert_neutral(extra: &str) {
    let load = |text: &str| {
        let mut m = load_str(text, "default", Path::new("scenarios"))
            .unwrap_or_else(|e| panic!("{extra}: {e}"))
            .model;
        m.run.replications = 2;
        m.run.counted_to = m.run.counted_from + 86_400.0;
        m
    };
    let base = load(DEFAULT_SCENARIO);
    let with = load(&format!("{DEFAULT_SCENARIO}\n{extra}\n"));
    let (a, b) = (simulate(&base, 2), simulate(&with, 2));
    for metric in Metric::all(&base) {
        assert_eq!(
            a.values(metric),
            b.values(metric),
            "{extra}: {metric:?} changed"
        );
    }
}

#[test]
fn every_key_has_a_neutral_default() {
    for extra in [
        "[queue]",
        "[queue]\nmax_waiting = 10000000",
        "[queue]\nwhen_full = \"lost\"",
        "[queue]\nmax_wait_s = 1e12",
        "[queue]\nbalk = 0.0",
        "[queue]\nbalk_by_waiting = [0.0, 0.0]",
        "[queue]\nmax_in_system = 10000000",
        "[queue]\non_close = \"keep\"",
        "[retrials]\nprobability = 0.0",
        "[retrials]\nafter_message = 0.0",
        "[retrials]\nprobability = 0.0\nmax_attempts = 2\nafter = { dist = \"constant\", value_s = 60 }",
    ] {
        assert_neutral(extra);
    }
}

/// The key paths of the errors `extra` causes.
fn error_keys(extra: &str) -> Vec<String> {
    match load_str(
        &format!("{DEFAULT_SCENARIO}\n{extra}\n"),
        "d",
        Path::new("."),
    ) {
        Ok(_) => Vec::new(),
        Err(ScenarioError::Invalid { issues, .. }) => issues.into_iter().map(|i| i.key).collect(),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn bad_values_name_their_key() {
    assert_eq!(
        error_keys("[queue]\nwhen_full = \"maybe\""),
        ["queue.when_full"]
    );
    assert_eq!(
        error_keys("[queue]\non_close = \"later\""),
        ["queue.on_close"]
    );
    assert_eq!(error_keys("[queue]\nbalk = 1.5"), ["queue.balk"]);
    assert_eq!(error_keys("[queue]\nmax_wait_s = 0"), ["queue.max_wait_s"]);
    assert_eq!(
        error_keys("[queue]\nmax_in_system = 0"),
        ["queue.max_in_system"]
    );
    assert_eq!(
        error_keys("[queue]\nbalk_by_waiting = [0.1, -1]"),
        ["queue.balk_by_waiting[1]"]
    );
    assert_eq!(
        error_keys("[queue]\nbalk = 0.1\nbalk_by_waiting = [0.1]"),
        ["queue.balk_by_waiting"]
    );
    assert_eq!(error_keys("[queue]\nmax_queue = 3"), ["queue.max_queue"]);
    assert_eq!(
        error_keys("[retrials]\nprobability = 0.5"),
        ["retrials.after"]
    );
    assert_eq!(
        error_keys("[retrials]\nprobability = 0.5\nafter = { dist = \"constant\", value_s = 60 }\nmax_attempts = 1"),
        ["retrials.max_attempts"]
    );
}

#[test]
fn the_shipped_busy_shop_uses_every_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut m = kefu::scenario::load(&dir.join("busy-shop.toml"))
        .unwrap()
        .model;
    m.run.replications = 2;
    let agg = simulate(&m, 2);
    for metric in [
        TotalMetric::QueueRefused,
        TotalMetric::QueueBalked,
        TotalMetric::QueueTimedOut,
        TotalMetric::RetrialsOffered,
    ] {
        let v = value(&agg, metric).unwrap();
        assert!(v > 0.0, "{metric}: {v}");
    }
    // Retrying customers are answered in time more often than first attempts are.
    let first = value(&agg, TotalMetric::RetrialsFirstAttemptServiceLevel).unwrap();
    let any = value(&agg, TotalMetric::RetrialsAnyAttemptServiceLevel).unwrap();
    assert!(any > first, "any attempt {any} ≤ first attempt {first}");
    assert!(Metric::all(&m).contains(&Metric::Total(TotalMetric::QueueClosed)));
}

/// A visit as the trace tells it: (contact, visit, arrival, queued, served, end).
type Visit = (u64, u32, f64, Option<f64>, Option<f64>, f64);

/// Every trace row of replication 0, by contact and visit.
fn visits(m: &Model) -> Vec<Visit> {
    let mut rows: Vec<_> = trace(m)
        .into_iter()
        .map(|r| {
            (
                r.contact,
                r.visit,
                r.arrival,
                r.queued_at,
                r.service_start,
                r.end,
            )
        })
        .collect();
    rows.sort_by_key(|v| (v.0, v.1));
    rows
}

#[test]
fn the_new_draws_leave_every_other_draw_alone() {
    // A loaded M/M/10+M day. Balking drawn for every contact who must wait, but with a share
    // no draw reaches; retrials decided (and delayed) for every abandoner, but coming back
    // only after the run: if either stream shifted another, some visit would change.
    let mut tb = Textbook::new(0.11, 100.0, 10);
    tb.mean_patience_s = Some(200.0);
    tb.days = 0.5;
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let plain = tb.model();
    let before = visits(&plain);
    assert!(before.len() > 1000);
    let mut m = plain.clone();
    m.customers.queue.balk = Balk::Share(1e-300);
    m.customers.retrials = retrials(1.0, 1e9, 5);
    assert_eq!(visits(&m), before);
}
