//! Routing policies, per-category pool order, pool take order and skill-dependent speed:
//! hand-worked traces of which agent takes which contact, and the neutral default of every
//! key leaving results identical.

use crate::common::simulate;
use kefu::engine::{self, trace::TraceRow};
use kefu::model::textbook::Textbook;
use kefu::model::{Dist, Model, Pool, RoutingPolicy, Staffing};
use kefu::scenario;
use std::path::Path;

/// `agents` agents of concurrency 1, constant `handle_s` chats, no abandonment, arrivals
/// replayed at `arrivals`.
fn agents_model(agents: u32, handle_s: f64, arrivals: Vec<f64>) -> Model {
    let mut tb = Textbook::new(0.001, handle_s, agents);
    tb.warmup_s = 0.0;
    tb.replications = 1;
    let mut m = tb.model();
    m.arrivals.replay = Some(arrivals);
    m.categories[0].handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(handle_s).unwrap();
    m.categories[0].patience = None;
    m
}

/// Trace rows of replication 0, in contact order.
fn rows(m: &Model) -> Vec<TraceRow> {
    let mut out = Vec::new();
    let mut sink = |row: &TraceRow| out.push(row.clone());
    engine::simulate_traced(m, m.run.seed, 0, Some(&mut sink));
    out.sort_by_key(|r| r.contact);
    out
}

/// The (pool, agent) that served each contact, in contact order.
fn served_by(m: &Model) -> Vec<(usize, u32)> {
    rows(m)
        .iter()
        .map(|r| (r.pool.expect("served"), r.agent.expect("served")))
        .collect()
}

fn agents_of(m: &Model) -> Vec<u32> {
    served_by(m).into_iter().map(|(_, a)| a).collect()
}

#[test]
fn round_robin_takes_agents_in_turn_and_skips_busy_ones() {
    // Three agents, 10 s chats, a contact every 100 s: everyone is free each time. By
    // default the agent last back in the free bucket (agent 2) takes every one.
    let mut m = agents_model(3, 10.0, vec![0.0, 100.0, 200.0, 300.0]);
    assert_eq!(agents_of(&m), [2, 2, 2, 2]);
    m.routing.policy = RoutingPolicy::RoundRobin;
    assert_eq!(agents_of(&m), [0, 1, 2, 0]);
    // 100 s chats at 0, 1, 2, 3 and 150: c0..c2 go to agents 0, 1, 2; c3 waits and is
    // taken by agent 0 when it frees at 100 (a freed slot takes from the line, not by
    // turn); at 150 agent 0 is busy until 200, so the turn passes from 2 over 0 to 1.
    let mut m = agents_model(3, 100.0, vec![0.0, 1.0, 2.0, 3.0, 150.0]);
    m.routing.policy = RoutingPolicy::RoundRobin;
    assert_eq!(agents_of(&m), [0, 1, 2, 0, 1]);
}

#[test]
fn longest_idle_goes_to_the_agent_free_the_longest() {
    // 100 s chats at 0, 50, 60, then 200, 210, 220. Longest idle: everyone idle since
    // login at 0 (lowest index first): 0, 1, 2; at 200 agent 0 has been idle since 100,
    // agent 1 since 150, agent 2 since 160: 0, then 1, then 2.
    let arrivals = vec![0.0, 50.0, 60.0, 200.0, 210.0, 220.0];
    let mut m = agents_model(3, 100.0, arrivals);
    m.routing.policy = RoutingPolicy::LongestIdle;
    assert_eq!(agents_of(&m), [0, 1, 2, 0, 1, 2]);
    // The default takes the last agent back in the bucket: 2, 1, 0 (the bucket empties from
    // its end); freed at 100 (2), 150 (1), 160 (0), so at 200 the agent idle the shortest.
    m.routing.policy = RoutingPolicy::MostFree;
    assert_eq!(agents_of(&m), [2, 1, 0, 0, 1, 2]);
}

/// Pool A: one agent with 4 slots; pool B: two agents with 2; both serve the one skill.
fn two_pools(arrivals: Vec<f64>) -> Model {
    let mut m = agents_model(1, 1000.0, arrivals);
    m.pools[0].concurrency = 4;
    m.pools.push(Pool {
        name: "b".into(),
        skills: vec![0],
        concurrency: 2,
        concurrency_slowdown: 0.0,
        staffing: Staffing::Constant(2),
        absence: 0.0,
        handle_factor: Vec::new(),
        take: Default::default(),
    });
    m
}

fn pools_of(m: &Model) -> Vec<usize> {
    served_by(m).into_iter().map(|(p, _)| p).collect()
}

#[test]
fn across_pools_the_policies_compare_open_chats_free_slots_and_ratios() {
    // Long chats at 0..4 s. Most free slots: A has 4, 3, 2 free against B's 2 (ties go
    // to the pool listed first), then A's 1 loses to B's 2, twice. Fewest open: A 0 (tie, A), then B's idle
    // agents (0 open) twice, then A and B both 1 open (A), then B's 1 against A's 2.
    // Free ratio: 1 (A), B 1.0 > 0.75 twice, then A 0.75 > 0.5, then A 0.5 = B 0.5 (A).
    let mut m = two_pools(vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    m.routing.across_pools = true;
    for (policy, want) in [
        (RoutingPolicy::MostFree, [0, 0, 0, 1, 1]),
        (RoutingPolicy::FewestOpen, [0, 1, 1, 0, 1]),
        (RoutingPolicy::FreeRatio, [0, 1, 1, 0, 0]),
    ] {
        m.routing.policy = policy;
        assert_eq!(pools_of(&m), want, "{policy:?}");
    }
    // Without across_pools every policy fills the first pool before the next.
    m.routing.across_pools = false;
    for policy in [RoutingPolicy::FewestOpen, RoutingPolicy::FreeRatio] {
        m.routing.policy = policy;
        assert_eq!(pools_of(&m), [0, 0, 0, 0, 1], "{policy:?}");
    }
}

#[test]
fn a_category_order_sends_contacts_to_its_pools_first() {
    let mut m = two_pools(vec![0.0, 1.0, 2.0]);
    assert_eq!(pools_of(&m), [0, 0, 0]);
    m.routing.category_pools = vec![vec![1]];
    // B first (two agents, 2 slots each: 4 contacts before A would be tried).
    assert_eq!(pools_of(&m), [1, 1, 1]);
}

#[test]
fn a_pool_handle_factor_scales_its_chats_of_that_skill() {
    // Pool A works the skill at 0.75 × 100 s; pool B (listed second) at the plain 100 s.
    let mut m = two_pools(vec![0.0, 1.0]);
    m.categories[0].handle_time = Dist::constant(100.0).unwrap();
    m.categories[0].complex_handle_time = Dist::constant(100.0).unwrap();
    m.pools[0].handle_factor = vec![0.75];
    m.routing.category_pools = vec![vec![0]];
    let durations: Vec<f64> = rows(&m)
        .iter()
        .map(|r| r.end - r.service_start.unwrap())
        .collect();
    assert_eq!(durations, [75.0, 75.0]);
    m.routing.category_pools = vec![vec![1]];
    let durations: Vec<f64> = rows(&m)
        .iter()
        .map(|r| r.end - r.service_start.unwrap())
        .collect();
    assert_eq!(durations, [100.0, 100.0]);
}

/// The largest deviation of a count from its binomial mean allowed: 5 standard deviations
/// (a false failure about once in 1.7 million runs).
const BINOMIAL_SIGMAS: f64 = 5.0;

#[test]
fn random_spreads_contacts_evenly_and_draws_from_its_own_stream() {
    // 3000 contacts 100 s apart, 10 s chats: three idle agents each time.
    let n = 3000;
    let mut m = agents_model(3, 10.0, (0..n).map(|i| i as f64 * 100.0).collect());
    m.run.counted_to = n as f64 * 100.0;
    m.routing.policy = RoutingPolicy::Random;
    let picks = agents_of(&m);
    let expected = n as f64 / 3.0;
    let sd = (n as f64 * (1.0 / 3.0) * (2.0 / 3.0)).sqrt();
    for agent in 0..3 {
        let count = picks.iter().filter(|&&a| a == agent).count() as f64;
        assert!(
            (count - expected).abs() <= BINOMIAL_SIGMAS * sd,
            "agent {agent}: {count} of {n}"
        );
    }
    // Reproducible, and another replication draws otherwise.
    assert_eq!(agents_of(&m), picks);
    let mut other = Vec::new();
    let mut sink = |row: &TraceRow| other.push((row.contact, row.agent.unwrap()));
    engine::simulate_traced(&m, m.run.seed, 1, Some(&mut sink));
    other.sort();
    let other: Vec<u32> = other.into_iter().map(|(_, a)| a).collect();
    assert_ne!(other, picks);
}

#[test]
fn every_policy_sees_the_same_customers() {
    // Common random numbers: the policy changes who serves, never who arrives or what they
    // need (arrival, category, intent, VIP, handle time drawn).
    let text = std::fs::read_to_string("scenarios/default.toml").unwrap();
    let base = scenario::load_str(&text, "default.toml", Path::new("scenarios"))
        .unwrap()
        .model;
    let customers = |m: &Model| -> Vec<(u64, u32, u64, usize, bool, bool)> {
        rows(m)
            .iter()
            .map(|r| {
                let arrival = r.arrival.to_bits();
                (r.contact, r.visit, arrival, r.category, r.complex, r.vip)
            })
            .collect()
    };
    let want = customers(&base);
    for (policy, _) in RoutingPolicy::ALL.iter().skip(1) {
        let mut m = base.clone();
        m.routing.policy = *policy;
        assert_eq!(customers(&m), want, "{policy:?}");
    }
}

/// `default.toml` with `edit` applied to its text, run for 3 replications: every metric of
/// every replication.
fn default_with(edit: impl Fn(&str) -> String) -> Vec<Vec<Option<f64>>> {
    let text = std::fs::read_to_string("scenarios/default.toml").unwrap();
    let text = edit(&text);
    let mut m = scenario::load_str(&text, "default.toml", Path::new("scenarios"))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .model;
    m.run.replications = 3;
    simulate(&m, 1).reps
}

/// A change to a scenario's text.
type TextEdit = Box<dyn Fn(&str) -> String>;

#[test]
fn every_key_at_its_neutral_value_leaves_results_identical() {
    let plain = default_with(str::to_string);
    let routing = |line: &'static str| {
        move |t: &str| t.replace("[routing]\n", &format!("[routing]\n{line}\n"))
    };
    let general_pool = |line: &'static str| {
        move |t: &str| {
            t.replace(
                "name = \"general\"\nskills = [\"general\"]\n",
                &format!("name = \"general\"\nskills = [\"general\"]\n{line}\n"),
            )
        }
    };
    let vip_pool = |line: &'static str| {
        move |t: &str| {
            t.replace(
                "skills = [\"vip\", \"general\"]\n",
                &format!("skills = [\"vip\", \"general\"]\n{line}\n"),
            )
        }
    };
    let cases: Vec<(&str, TextEdit)> = vec![
        ("policy", Box::new(routing("policy = \"most_free\""))),
        ("across_pools", Box::new(routing("across_pools = false"))),
        (
            "order",
            Box::new(routing(
                "order = { beauty = [\"general\", \"vip\"], vip-members = [\"vip\"] }",
            )),
        ),
        (
            "handle_factor",
            Box::new(general_pool("handle_factor = { general = 1.0 }")),
        ),
        ("take", Box::new(vip_pool("take = \"longest_waiting\""))),
    ];
    for (key, edit) in cases {
        let edited = default_with(&*edit);
        assert_eq!(edited, plain, "{key} at its neutral value changed results");
        // The edit must have landed (else this test could not fail).
        let text = std::fs::read_to_string("scenarios/default.toml").unwrap();
        assert_ne!(edit(&text), text, "{key}: the edit did not apply");
    }
}

#[test]
fn non_neutral_values_do_change_results() {
    let plain = default_with(str::to_string);
    for edit in [
        |t: &str| t.replace("[routing]\n", "[routing]\npolicy = \"random\"\n"),
        |t: &str| {
            t.replace(
                "skills = [\"vip\", \"general\"]\n",
                "skills = [\"vip\", \"general\"]\ntake = \"skill_order\"\n",
            )
        },
        |t: &str| {
            t.replace(
                "skills = [\"vip\", \"general\"]\n",
                "skills = [\"vip\", \"general\"]\nhandle_factor = { general = 1.3 }\n",
            )
        },
    ] {
        assert_ne!(default_with(edit), plain);
    }
}

#[test]
fn bad_routing_keys_are_reported_with_their_paths() {
    let text = std::fs::read_to_string("scenarios/default.toml").unwrap();
    let check = |edit: &str, key: &str| {
        let t = text.replace("[routing]\n", &format!("[routing]\n{edit}\n"));
        let err = scenario::load_str(&t, "default.toml", Path::new("scenarios"))
            .err()
            .unwrap_or_else(|| panic!("{edit} accepted"));
        let shown = format!("{err:?}");
        assert!(shown.contains(key), "{edit}: {shown}");
    };
    check("policy = \"round-robin\"", "routing.policy");
    check("order = { nosuch = [\"vip\"] }", "routing.order.nosuch");
    check(
        "order = { beauty = [\"nosuch\"] }",
        "routing.order.beauty[0]",
    );
    // The VIP pool serves "general" too, but the general pool does not serve "vip".
    check(
        "order = { vip-members = [\"general\"] }",
        "routing.order.vip-members[0]",
    );
    let t = text.replace(
        "name = \"general\"\nskills = [\"general\"]\n",
        "name = \"general\"\nskills = [\"general\"]\nhandle_factor = { vip = 0.5 }\n",
    );
    let err = scenario::load_str(&t, "default.toml", Path::new("scenarios")).err();
    assert!(
        format!("{err:?}").contains("pools[0].handle_factor.vip"),
        "{err:?}"
    );
}

#[test]
fn without_a_slowdown_the_agent_inside_a_pool_changes_no_wait() {
    // Constant headcount, 3 chats per agent, no concurrency slowdown: every free slot works
    // as fast as another, so which agent takes a contact changes no wait. With a slowdown
    // round robin and random do (they give chats to busier agents, whose chats are slower);
    // longest idle does not: an idle agent is one with most free slots, so the open chats
    // per agent evolve as by default, only who holds them differs.
    let mut tb = Textbook::new(10.0 * 3.0 * 0.9 / 300.0, 300.0, 10);
    tb.mean_patience_s = Some(240.0);
    tb.replications = 2;
    let mut m = tb.model();
    m.pools[0].concurrency = 3;
    let waits = |m: &Model| {
        let agg = simulate(m, 1);
        agg.values(kefu::summary::HumanMetric::MeanWaitS).unwrap()
    };
    for slowdown in [0.0, 0.15] {
        m.pools[0].concurrency_slowdown = slowdown;
        m.routing.policy = RoutingPolicy::MostFree;
        let plain = waits(&m);
        for (policy, _) in RoutingPolicy::ALL.iter().skip(1) {
            m.routing.policy = *policy;
            let same = waits(&m) == plain;
            let differs = matches!(policy, RoutingPolicy::RoundRobin | RoutingPolicy::Random);
            assert_eq!(
                same,
                slowdown == 0.0 || !differs,
                "{policy:?} at slowdown {slowdown}"
            );
        }
    }
}

#[test]
fn the_shipped_routing_scenario_sets_every_key_of_docs_routing() {
    use kefu::model::{BotFull, TakeOrder};
    let m = scenario::load(Path::new("scenarios/routing-policies.toml"))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .model;
    let pool = |name: &str| m.pools.iter().position(|p| p.name == name).unwrap();
    let skill = |name: &str| m.skills.iter().position(|s| s == name).unwrap();
    let (zh_team, bilingual, en) = (pool("zh-team"), pool("bilingual"), pool("en-specialists"));
    assert_eq!(m.routing.policy, RoutingPolicy::MostFree);
    assert!(!m.routing.across_pools);
    assert_eq!(
        m.routing.category_pools,
        [vec![zh_team, bilingual], vec![en, bilingual]]
    );
    assert_eq!(m.pools[bilingual].take, TakeOrder::SkillOrder);
    assert_eq!(m.pools[bilingual].handle_factor[skill("zh")], 1.2);
    assert_eq!(m.pools[bilingual].handle_factor[skill("en")], 1.0);
    assert_eq!(m.pools[en].handle_factor[skill("en")], 0.75);
    assert!(m.pools[zh_team].handle_factor.is_empty());
    let b = &m.bot_controls;
    assert_eq!(b.hours, Some((19.0 * 3600.0, 9.0 * 3600.0)));
    assert_eq!(
        (b.sessions, b.when_full, b.failed_priority),
        (Some(8), BotFull::Human, true)
    );
}
