//! `[bot]` controls: its hours, a session capacity (a queue for the bot, or straight to
//! agents when full) and priority for contacts it failed — hand-worked traces, and the
//! neutral value of every key leaving results identical.

use crate::common::{simulate, value};
use kefu::engine::{self, trace::TraceRow};
use kefu::model::textbook::Textbook;
use kefu::model::{Bot, BotFull, BotProfile, Dist, Model};
use kefu::scenario;
use kefu::summary::{Metric, TotalMetric};
use std::path::Path;

/// One agent with constant `handle_s` chats, no abandonment; a bot meeting everyone, always
/// answering after 10 s, resolving a share `resolve`; arrivals at `arrivals`.
fn with_bot(handle_s: f64, resolve: f64, arrivals: Vec<f64>) -> Model {
    let mut tb = Textbook::new(0.001, handle_s, 1);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    m.arrivals.replay = Some(arrivals);
    m.categories[0].handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].patience = None;
    let profile = BotProfile {
        response: Dist::constant(10.0).unwrap(),
        resolve,
    };
    m.bot = Some(Bot {
        coverage: 1.0,
        basic: profile.clone(),
        complex: profile,
        promotion: None,
        false_resolution: 0.0,
        return_after: None,
    });
    m
}

fn rows(m: &Model) -> Vec<TraceRow> {
    let mut out = Vec::new();
    let mut sink = |row: &TraceRow| out.push(row.clone());
    engine::simulate_traced(m, m.run.seed, 0, Some(&mut sink));
    out.sort_by_key(|r| r.contact);
    out
}

#[test]
fn one_bot_session_makes_a_queue_for_the_bot() {
    // 10 s answers, everyone resolved, arrivals at 0, 1, 2 with one session: c0 is answered
    // at 10, c1 starts then and is answered at 20 (waited 9 s), c2 at 30 (waited 18 s).
    let mut m = with_bot(100.0, 1.0, vec![0.0, 1.0, 2.0]);
    m.bot_controls.sessions = Some(1);
    let ends: Vec<f64> = rows(&m).iter().map(|r| r.end).collect();
    assert_eq!(ends, [10.0, 20.0, 30.0]);
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::BotSessionWaited), Some(2.0));
    assert_eq!(value(&agg, TotalMetric::BotSessionMeanWaitS), Some(13.5));
    assert_eq!(value(&agg, TotalMetric::BotResolved), Some(3.0));
    // Two sessions: only c2 waits, from 2 to 10.
    m.bot_controls.sessions = Some(2);
    let ends: Vec<f64> = rows(&m).iter().map(|r| r.end).collect();
    assert_eq!(ends, [10.0, 11.0, 20.0]);
    assert_eq!(
        value(&simulate(&m, 1), TotalMetric::BotSessionMeanWaitS),
        Some(8.0)
    );
}

#[test]
fn a_full_bot_can_send_contacts_straight_to_agents() {
    // One session, `when_full = "human"`: c1 and c2 go to the agent at once; the agent
    // serves c1 at 1–101 and c2 at 101–201 (c0 is resolved by the bot at 10).
    let mut m = with_bot(100.0, 1.0, vec![0.0, 1.0, 2.0]);
    m.bot_controls.sessions = Some(1);
    m.bot_controls.when_full = BotFull::Human;
    let starts: Vec<Option<f64>> = rows(&m).iter().map(|r| r.service_start).collect();
    assert_eq!(starts, [None, Some(1.0), Some(101.0)]);
    let agg = simulate(&m, 1);
    assert_eq!(value(&agg, TotalMetric::BotFullToAgents), Some(2.0));
    assert_eq!(value(&agg, TotalMetric::BotMet), Some(1.0));
    assert_eq!(value(&agg, TotalMetric::BotStraightToAgents), Some(2.0));
    assert_eq!(value(&agg, TotalMetric::BotSessionWaited), Some(0.0));
}

#[test]
fn the_bot_meets_only_contacts_arriving_in_its_hours() {
    // Bot 20:00–08:00 (over midnight); contacts at 07:00, 09:00 and 21:00.
    let h = 3600.0;
    let mut m = with_bot(100.0, 1.0, vec![7.0 * h, 9.0 * h, 21.0 * h]);
    m.bot_controls.hours = Some((20.0 * h, 8.0 * h));
    let met: Vec<bool> = rows(&m).iter().map(|r| r.bot_met).collect();
    assert_eq!(met, [true, false, true]);
    // Daytime only (08:00–20:00): the reverse.
    m.bot_controls.hours = Some((8.0 * h, 20.0 * h));
    let met: Vec<bool> = rows(&m).iter().map(|r| r.bot_met).collect();
    assert_eq!(met, [false, true, false]);
}

#[test]
fn contacts_the_bot_failed_can_go_first() {
    // The bot works 00:00–00:01 and resolves nobody. a (0 s) is transferred at 10 and
    // served 10–110; c (55 s) is transferred at 65; b (61 s, after the bot's hours) goes
    // straight to the queue at 61. Plain: b (entered at 61) before c (65): b at 110, c at
    // 210. With failed_priority c jumps ahead: c at 110, b at 210.
    let mut m = with_bot(100.0, 0.0, vec![0.0, 55.0, 61.0]);
    m.bot_controls.hours = Some((0.0, 60.0));
    let starts =
        |m: &Model| -> Vec<f64> { rows(m).iter().map(|r| r.service_start.unwrap()).collect() };
    assert_eq!(starts(&m), [10.0, 210.0, 110.0]);
    m.bot_controls.failed_priority = true;
    assert_eq!(starts(&m), [10.0, 110.0, 210.0]);
}

/// `default.toml` with `edit` applied, 3 replications: every metric of the plain scenario
/// with its per-replication values.
fn default_with(edit: impl Fn(&str) -> String) -> Vec<(Metric, Vec<Option<f64>>)> {
    let plain_text = std::fs::read_to_string("scenarios/default.toml").unwrap();
    let text = edit(&plain_text);
    assert!(
        text == plain_text || text.contains("[bot]\n"),
        "the scenario keeps its [bot] section"
    );
    let load = |t: &str| {
        let mut m = scenario::load_str(t, "default.toml", Path::new("scenarios"))
            .unwrap_or_else(|e| panic!("{e:?}"))
            .model;
        m.run.replications = 3;
        m
    };
    let plain = load(&plain_text);
    let agg = simulate(&load(&text), 1);
    Metric::all(&plain)
        .into_iter()
        .map(|k| (k, agg.values(k).expect("every plain metric is listed")))
        .collect()
}

#[test]
fn every_bot_key_at_its_neutral_value_leaves_results_identical() {
    let plain = default_with(str::to_string);
    let text = std::fs::read_to_string("scenarios/default.toml").unwrap();
    assert!(
        text.contains("[bot]\n"),
        "the edits below have a [bot] to go under"
    );
    for line in [
        "failed_priority = false",
        "when_full = \"wait\"",
        // More sessions than contacts: never full (its own metrics are added, no other
        // changes).
        "sessions = 1000000",
        "sessions = 1000000\nwhen_full = \"human\"",
    ] {
        let edited = default_with(|t| t.replace("[bot]\n", &format!("[bot]\n{line}\n")));

        assert!(edited == plain, "{line} changed results");
    }
    // And values that matter do change them.
    for line in [
        "sessions = 1",
        "failed_priority = true",
        "hours = { from = \"20:00\", to = \"08:00\" }",
    ] {
        let edited = default_with(|t| t.replace("[bot]\n", &format!("[bot]\n{line}\n")));
        assert!(edited != plain, "{line} left results as they were");
    }
}

#[test]
fn bad_bot_controls_are_reported_with_their_paths() {
    let text = std::fs::read_to_string("scenarios/default.toml").unwrap();
    for (line, key) in [
        ("sessions = 0", "bot.sessions"),
        ("when_full = \"drop\"", "bot.when_full"),
        (
            "hours = { from = \"25:00\", to = \"08:00\" }",
            "bot.hours.from",
        ),
        ("hours = { from = \"08:00\", to = \"08:00\" }", "bot.hours"),
        ("hours = { from = \"08:00\" }", "bot.hours.to"),
    ] {
        let t = text.replace("[bot]\n", &format!("[bot]\n{line}\n"));
        let err = scenario::load_str(&t, "default.toml", Path::new("scenarios")).err();
        let shown = format!("{err:?}");
        assert!(err.is_some() && shown.contains(key), "{line}: {shown}");
    }
}
