//! The operations model (chat concurrency and slowdown, silent abandonment, false bot
//! resolutions, surge staffing, service-level variants): each feature pinned by a test.

use crate::common::{mean_ci99, simulate, value};
use kefu::erlang::ErlangC;
use kefu::model::textbook::Textbook;
use kefu::model::{Bot, BotProfile, Dist, Model, Surge};
use kefu::scenario::load_str;
use kefu::summary::{HumanClass, HumanMetric, Metric, Priority, TotalMetric};
use std::path::Path;

#[test]
fn concurrency_k_without_slowdown_is_an_mmck_queue() {
    // 4 agents × 3 chats = 12 chat slots at load 0.9 per slot.
    let (agents, k, mean_s) = (4u32, 3u32, 300.0);
    let lambda = 0.9 * (agents * k) as f64 / mean_s;
    let mut tb = Textbook::new(lambda, mean_s, agents);
    tb.days = 40.0;
    tb.replications = 20;
    tb.warmup_s = 6.0 * 3600.0;
    let mut m = tb.model();
    m.pools[0].concurrency = k;
    let agg = simulate(&m, 2);
    let theory = ErlangC::new(lambda, mean_s, agents * k);
    for (metric, exact, bound) in [
        (HumanMetric::WaitedFraction, theory.prob_wait(), 0.02),
        (HumanMetric::MeanWaitS, theory.mean_wait_s(), 12.0),
        (HumanMetric::ServiceLevel, theory.service_level(120.0), 0.02),
    ] {
        let (mean, hw) = mean_ci99(&agg, metric);
        println!(
            "M/M/{}: {metric} sim {mean:.4} ± {hw:.4} vs Erlang C {exact:.4}",
            agents * k
        );
        assert!(hw <= bound, "{metric}: half-width {hw} above {bound}");
        assert!(
            (mean - exact).abs() <= hw,
            "{metric}: {exact} outside {mean} ± {hw}"
        );
    }
}

fn chat_pool(slowdown: f64) -> Model {
    let mut tb = Textbook::new(0.03, 240.0, 4);
    tb.days = 2.0;
    tb.replications = 8;
    tb.mean_patience_s = Some(600.0);
    let mut m = tb.model();
    m.pools[0].concurrency = 3;
    m.pools[0].concurrency_slowdown = slowdown;
    m
}

#[test]
fn slowdown_raises_occupancy_and_waits_monotonically() {
    let mut last: Option<(f64, f64)> = None;
    for slowdown in [0.0, 0.1, 0.2, 0.3] {
        let agg = simulate(&chat_pool(slowdown), 2);
        let occ = agg.get(HumanMetric::Occupancy).unwrap().mean.unwrap();
        let wait = agg.get(HumanMetric::MeanWaitS).unwrap().mean.unwrap();
        println!("slowdown {slowdown}: occupancy {occ:.4}, mean wait {wait:.2} s");
        if let Some((o, w)) = last {
            assert!(
                occ > o && wait > w,
                "slowdown {slowdown}: occupancy {occ} vs {o}, wait {wait} vs {w}"
            );
        }
        last = Some((occ, wait));
    }
}

#[test]
fn silent_abandons_cost_agent_time() {
    let base = chat_pool(0.0);
    let mut base = base;
    base.categories[0].patience = Some(Dist::exponential(60.0).unwrap());
    base.pools[0].concurrency = 1;
    base.arrivals.per_day = 0.018 * 86_400.0; // load 1.08 on 4 agents: many abandon
    let mut silent = base.clone();
    silent.categories[0].silent_abandon = 1.0;
    silent.routing.silent_close_s = 60.0;
    let (a, b) = (simulate(&base, 2), simulate(&silent, 2));
    let busy_per_answer = |agg: &kefu::summary::Aggregate| {
        agg.get(HumanMetric::Occupancy).unwrap().mean.unwrap()
            / agg.get(HumanMetric::Answered).unwrap().mean.unwrap()
    };
    println!(
        "occupancy per answered contact: {:.3e} without, {:.3e} with silent abandons",
        busy_per_answer(&a),
        busy_per_answer(&b)
    );
    assert!(busy_per_answer(&b) > 1.05 * busy_per_answer(&a));
    assert!(value(&b, HumanMetric::SilentAbandoned).unwrap() > 0.0);
}

#[test]
fn false_resolutions_come_back_at_their_rate() {
    let mut tb = Textbook::new(0.05, 200.0, 4);
    tb.days = 2.0;
    tb.replications = 20;
    let mut m = tb.model();
    let uniform = |a, b| Dist::uniform(a, b).unwrap();
    m.bot = Some(Bot {
        coverage: 0.85,
        basic: BotProfile {
            response: uniform(0.2, 1.0),
            resolve: 0.92,
        },
        complex: BotProfile {
            response: uniform(8.0, 15.0),
            resolve: 0.65,
        },
        promotion: None,
        false_resolution: 0.1,
        return_after: Some(Dist::exponential(1800.0).unwrap()),
    });
    let agg = simulate(&m, 2);
    let returns = agg.values(HumanMetric::Returns).unwrap();
    let resolved = agg.values(TotalMetric::BotResolved).unwrap();
    let shares: Vec<Option<f64>> = returns
        .iter()
        .zip(&resolved)
        .map(|(r, b)| Some(r.unwrap() / b.unwrap()))
        .collect();
    let e = kefu::stats::ci::estimate_at(&shares, 0.99);
    let (mean, hw) = (e.mean.unwrap(), e.ci95.unwrap());
    println!("returns / bot-resolved = {mean:.4} ± {hw:.4} (false_resolution 0.1)");
    assert!(hw < 0.01 && (mean - 0.1).abs() <= hw);
    let share = value(&agg, HumanMetric::ReturnShare).unwrap();
    assert!(share > 0.0 && share < 1.0);
}

/// One agent, 1000 s chats; a second contact waits from 10 s and raises the alert (above 0).
fn surge_trace() -> Model {
    let mut tb = Textbook::new(0.001, 1000.0, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    m.arrivals.replay = Some(vec![0.0, 10.0]);
    m.categories[0].handle_time = Dist::constant(1000.0).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(1000.0).unwrap();
    m.target.queue_alert_waiting = 0;
    m.surges = vec![Surge {
        pool: 0,
        agents: 2,
        after_s: 60.0,
        join_delay_s: 30.0,
        release_after_s: 100.0,
    }];
    m
}

#[test]
fn one_call_in_by_hand() {
    // Alert from 10 s; at 70 s it has lasted 60 s: 2 agents are called and log in at 100 s,
    // one takes the waiting contact (wait 90 s) and the alert ends; 100 s later without an
    // alert they are released (the busy one finishes its chat).
    let agg = simulate(&surge_trace(), 1);
    let v = |k: Metric| value(&agg, k).unwrap();
    assert_eq!(v(Metric::Total(TotalMetric::SurgeCallIns)), 1.0);
    assert!((v(Metric::Total(TotalMetric::SurgeAgentHours)) - 2.0 * 100.0 / 3600.0).abs() < 1e-9);
    assert_eq!(v(Metric::human(HumanMetric::MeanWaitS)), 45.0);
    assert_eq!(v(Metric::Total(TotalMetric::AlertTotalS)), 90.0);
    // 1 agent all day plus 2 for 100 s.
    assert!((v(Metric::Total(TotalMetric::AgentHours)) - (24.0 + 200.0 / 3600.0)).abs() < 1e-9);
    // A call-in that comes too late does nothing: the alert ended before `after_s`.
    let mut late = surge_trace();
    late.surges[0].after_s = 2000.0;
    let agg = simulate(&late, 1);
    assert_eq!(value(&agg, TotalMetric::SurgeCallIns), Some(0.0));
}

#[test]
fn surge_shortens_alerts_on_singles_day() {
    let text = std::fs::read_to_string("scenarios/singles-day.toml").unwrap();
    let start = text.find("[[surge]]").expect("the scenario has a surge");
    let end = start + text[start..].find("\n\n").unwrap();
    let without = format!("{}{}", &text[..start], &text[end..]);
    let load = |t: &str| {
        let mut m = load_str(t, "singles-day.toml", Path::new("scenarios"))
            .unwrap()
            .model;
        m.run.replications = 6;
        m
    };
    let (with, without) = (simulate(&load(&text), 2), simulate(&load(&without), 2));
    let alert = |a: &kefu::summary::Aggregate| {
        a.get(TotalMetric::AlertTotalS).unwrap().mean.unwrap() / 60.0
    };
    let sl = |a: &kefu::summary::Aggregate| a.get(HumanMetric::ServiceLevel).unwrap().mean.unwrap();
    println!(
        "singles-day: alert {:.0} min with surge vs {:.0} without; SL {:.4} vs {:.4}; call-ins {}",
        alert(&with),
        alert(&without),
        sl(&with),
        sl(&without),
        with.get(TotalMetric::SurgeCallIns).unwrap().mean.unwrap()
    );
    assert!(alert(&with) < alert(&without));
    assert!(sl(&with) > sl(&without));
    assert!(with.get(TotalMetric::SurgeCallIns).unwrap().mean.unwrap() >= 1.0);
}

#[test]
fn service_level_variants_by_hand() {
    // One agent (100 s chats), patience 30 s: c0 served at 0; c1 (10 s) and c2 (20 s) abandon
    // after 30 s; c3 (95 s) waits 5 s. Offered 4, answered 2 (both within 120 s).
    let mut tb = Textbook::new(0.001, 100.0, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    m.arrivals.replay = Some(vec![0.0, 10.0, 20.0, 95.0]);
    m.categories[0].handle_time = Dist::constant(100.0).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(100.0).unwrap();
    m.categories[0].patience = Some(Dist::constant(30.0).unwrap());
    for (short_abandon_s, excl_short) in [(31.0, 1.0), (29.0, 0.5)] {
        m.target.short_abandon_s = short_abandon_s;
        let agg = simulate(&m, 1);
        assert_eq!(value(&agg, HumanMetric::ServiceLevel), Some(0.5));
        assert_eq!(value(&agg, HumanMetric::ServiceLevelAnswered), Some(1.0));
        assert_eq!(
            value(&agg, HumanMetric::ServiceLevelExclShort),
            Some(excl_short)
        );
        assert_eq!(value(&agg, HumanMetric::AbandonRate), Some(0.5));
        assert_eq!(
            value(
                &agg,
                Metric::Human(
                    HumanClass::Priority(Priority::Normal),
                    HumanMetric::ServiceLevel
                )
            ),
            Some(0.5)
        );
        assert_eq!(
            value(
                &agg,
                Metric::Human(
                    HumanClass::Priority(Priority::Vip),
                    HumanMetric::ServiceLevel
                )
            ),
            None
        );
    }
}

#[test]
fn neutral_operations_keys_change_nothing() {
    let text = std::fs::read_to_string("scenarios/mmc-textbook.toml").unwrap();
    let neutral = text
        .replacen("[[pools]]\n", "[[pools]]\nconcurrency_slowdown = 0.0\n", 1)
        .replacen(
            "[[categories]]\n",
            "[[categories]]\nsilent_abandon = 0.0\n",
            1,
        );
    assert_ne!(text, neutral);
    let run = |t: &str| {
        let mut m = load_str(t, "mmc.toml", Path::new("scenarios"))
            .unwrap()
            .model;
        m.run.replications = 3;
        m.run.counted_to = m.run.counted_from + 86_400.0;
        let agg = simulate(&m, 2);
        kefu::report::json::to_text(&kefu::report::json::summary(&m, &agg, 3, m.run.seed))
    };
    assert_eq!(run(&text), run(&neutral));
}
