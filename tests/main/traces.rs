//! Exact traces (simmer style): constant durations and replayed arrival instants give waits,
//! counts and alert episodes that can be worked out by hand.

use crate::common::{simulate, value};
use kefu::model::textbook::Textbook;
use kefu::model::{Dist, Model, Staffing, Window};
use kefu::summary::{HumanClass, HumanMetric, Metric, Priority, TotalMetric};

/// One agent, 100 s chats, 150 s patience, arrivals at 0, 10 and 20 s.
fn three_contacts(alert_above: u32) -> Model {
    let mut tb = Textbook::new(0.001, 100.0, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    m.arrivals.replay = Some(vec![0.0, 10.0, 20.0]);
    m.categories[0].handle_time = Dist::constant(100.0).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(100.0).unwrap();
    m.categories[0].patience = Some(Dist::constant(150.0).unwrap());
    m.target.queue_alert_waiting = alert_above;
    m
}

#[test]
fn waits_abandons_and_alerts_by_hand() {
    // c0 is served at 0; c1 waits 10→100 (90 s); c2 waits from 20 and abandons at 170
    // (150 s), before c1's chat ends at 200.
    let agg = simulate(&three_contacts(0), 1);
    let v = |k: Metric| value(&agg, k).unwrap();
    assert_eq!(v(Metric::Total(TotalMetric::Contacts)), 3.0);
    assert_eq!(v(Metric::human(HumanMetric::Offered)), 3.0);
    assert_eq!(v(Metric::human(HumanMetric::Answered)), 2.0);
    assert_eq!(v(Metric::human(HumanMetric::Abandoned)), 1.0);
    assert_eq!(v(Metric::human(HumanMetric::AnsweredWithinTarget)), 2.0);
    assert_eq!(v(Metric::human(HumanMetric::MeanWaitS)), 45.0);
    assert_eq!(v(Metric::human(HumanMetric::WaitedFraction)), 2.0 / 3.0);
    assert_eq!(v(Metric::human(HumanMetric::ServiceLevel)), 2.0 / 3.0);
    assert_eq!(v(Metric::human(HumanMetric::ServiceLevelAnswered)), 1.0);
    // Someone waits from 10 s to 170 s: one episode above 0 waiting.
    assert_eq!(v(Metric::Total(TotalMetric::AlertEpisodes)), 1.0);
    assert_eq!(v(Metric::Total(TotalMetric::AlertTotalS)), 160.0);
    // Above 1 waiting: only while both c1 and c2 wait, 20 → 100 s.
    let agg = simulate(&three_contacts(1), 1);
    assert_eq!(value(&agg, TotalMetric::AlertTotalS), Some(80.0));
    assert_eq!(value(&agg, TotalMetric::AlertLongestS), Some(80.0));
}

#[test]
fn a_silent_abandon_costs_the_agent_its_close_time() {
    let mut m = three_contacts(5);
    m.categories[0].silent_abandon = 1.0;
    m.routing.silent_close_s = 60.0;
    let agg = simulate(&m, 1);
    // c2 still abandons at 170 (counted as abandoned, not answered) ...
    assert_eq!(value(&agg, HumanMetric::Abandoned), Some(1.0));
    assert_eq!(value(&agg, HumanMetric::SilentAbandoned), Some(1.0));
    assert_eq!(value(&agg, HumanMetric::Answered), Some(2.0));
    // ... but the agent opens it at 200 and spends 60 s closing it: busy 0→260 of the day.
    let busy = value(&agg, HumanMetric::Occupancy).unwrap() * 86_400.0;
    assert!((busy - 260.0).abs() < 1e-6, "busy {busy}");
}

#[test]
fn contacts_outside_working_hours_become_tickets_worked_at_opening() {
    let mut tb = Textbook::new(0.001, 100.0, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    // One agent 08:00–20:00; contacts at 07:00 and 07:30 (tickets) and 09:00 (live).
    m.pools[0].staffing = Staffing::Schedule(vec![Window {
        from_s: 8.0 * 3600.0,
        to_s: 20.0 * 3600.0,
        agents: 1,
        days: [true; 7],
    }]);
    m.arrivals.replay = Some(vec![7.0 * 3600.0, 7.5 * 3600.0, 9.0 * 3600.0]);
    m.categories[0].handle_time = Dist::constant(600.0).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(600.0).unwrap();
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::TicketCount), Some(2.0));
    assert_eq!(value(&agg, HumanMetric::Offered), Some(1.0));
    // Worked oldest first from 08:00: responses 3600 s and 1800 + 600 s.
    assert_eq!(
        value(&agg, TotalMetric::TicketMeanResponseS),
        Some((3600.0 + 2400.0) / 2.0)
    );
    // The live contact at 09:00 finds the agent free (tickets end at 08:20).
    assert_eq!(value(&agg, HumanMetric::MeanWaitS), Some(0.0));
    // 12 agent-hours on duty.
    assert_eq!(value(&agg, TotalMetric::AgentHours), Some(12.0));
}

#[test]
fn vip_is_served_first_but_not_preemptively() {
    let mut tb = Textbook::new(0.001, 100.0, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    tb.vip_share = 0.5;
    let mut m = tb.model();
    m.categories[0].handle_time = Dist::constant(100.0).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(100.0).unwrap();
    // Which arrivals are VIP is drawn; with many contacts at once the VIP ones must all be
    // answered before any normal one that was waiting, so VIP waits are the smallest.
    m.arrivals.replay = Some((0..20).map(|i| i as f64 * 0.001).collect());
    let agg = simulate(&m, 1);
    let vip_max = value(
        &agg,
        Metric::Human(HumanClass::Priority(Priority::Vip), HumanMetric::WaitP99S),
    )
    .unwrap();
    let normal_min = value(
        &agg,
        Metric::Human(
            HumanClass::Priority(Priority::Normal),
            HumanMetric::WaitP50S,
        ),
    )
    .unwrap();
    let vips = value(
        &agg,
        Metric::Human(HumanClass::Priority(Priority::Vip), HumanMetric::Answered),
    )
    .unwrap();
    assert!((3.0..=17.0).contains(&vips), "a mix of classes: {vips} VIP");
    assert!(
        vip_max < normal_min,
        "VIP p99 {vip_max} vs normal p50 {normal_min}"
    );
    // The first contact (whatever its class) is served at once: non-preemptive.
    assert_eq!(value(&agg, HumanMetric::Answered), Some(20.0));
}
