//! The `[queue]` rules against exact results: M/M/c/K (a cap of K in the shop, or of K − c
//! waiting, lost beyond) against its closed-form blocking probability, and immediate
//! abandonment (a share p balks when all agents are busy) with exponential patience against
//! the exact birth–death chain of that model, solved here. As in `theory.rs`, each check
//! asserts the exact value lies inside the simulation's 99% CI *and* that the half-width is
//! below a stated bound, so a vague simulation cannot pass. Seeds are fixed.

use crate::common::simulate;
use kefu::model::customers::{Balk, Divert};
use kefu::model::textbook::Textbook;
use kefu::model::Model;
use kefu::stats::ci::estimate_at;
use kefu::summary::{Aggregate, HumanMetric, Metric, TotalMetric};

/// Largest acceptable 99% half-width of a blocking or balking probability: the estimate of
/// 20 replications of ~40 000 arrivals each has a standard error near 0.001.
const MAX_HALF_WIDTH_PROB: f64 = 0.005;

/// Mean and 99% half-width over replications of the per-replication ratio `num / den`.
fn ratio_ci99(agg: &Aggregate, num: impl Into<Metric>, den: impl Into<Metric>) -> (f64, f64) {
    let (n, d) = (agg.values(num).unwrap(), agg.values(den).unwrap());
    let ratios: Vec<Option<f64>> = n
        .iter()
        .zip(&d)
        .map(|(a, b)| Some(a.unwrap() / b.unwrap()))
        .collect();
    let e = estimate_at(&ratios, 0.99);
    (e.mean.unwrap(), e.ci95.unwrap())
}

fn check(what: &str, (mean, hw): (f64, f64), exact: f64, bound: f64) {
    println!("{what}: sim {mean:.5} ± {hw:.5} vs exact {exact:.5}");
    assert!(
        hw <= bound,
        "{what}: half-width {hw} above its bound {bound}"
    );
    assert!(
        (mean - exact).abs() <= hw,
        "{what}: exact {exact} outside {mean} ± {hw}"
    );
}

/// The stationary distribution of a birth–death chain on 0..=n_max with birth rate
/// `birth(n)` (from n to n + 1) and death rate `death(n)` (from n to n − 1).
fn birth_death(
    n_max: usize,
    birth: impl Fn(usize) -> f64,
    death: impl Fn(usize) -> f64,
) -> Vec<f64> {
    let mut pi = vec![1.0];
    for n in 1..=n_max {
        let next = pi[n - 1] * birth(n - 1) / death(n);
        pi.push(next);
    }
    let total: f64 = pi.iter().sum();
    pi.iter().map(|p| p / total).collect()
}

/// M/M/c with `servers`, offered load `a` erlangs, arrival rate `lambda` [1/s].
fn textbook(lambda: f64, mean_service_s: f64, servers: u32, patience_s: Option<f64>) -> Model {
    let mut tb = Textbook::new(lambda, mean_service_s, servers);
    tb.mean_patience_s = patience_s;
    tb.days = 5.0;
    tb.replications = 20;
    tb.warmup_s = 4.0 * 3600.0;
    tb.seed = 19;
    tb.model()
}

#[test]
fn mmck_blocking_matches_the_closed_form() {
    const SERVERS: usize = 10;
    const CAPACITY: usize = 15;
    let (lambda, mean_service_s) = (0.1, 100.0);
    // π_n ∝ aⁿ/n! up to c, then a^c/c! · ρ^(n−c): the chain with births λ and deaths min(n,c)μ.
    let mu = 1.0 / mean_service_s;
    let pi = birth_death(CAPACITY, |_| lambda, |n| n.min(SERVERS) as f64 * mu);
    let blocking = pi[CAPACITY];
    // As a cap on the shop ...
    let mut m = textbook(lambda, mean_service_s, SERVERS as u32, None);
    m.customers.queue.max_in_system = Some(CAPACITY as u32);
    let agg = simulate(&m, 2);
    let refused = ratio_ci99(&agg, TotalMetric::QueueRefused, TotalMetric::Contacts);
    check(
        "M/M/10/15 max_in_system",
        refused,
        blocking,
        MAX_HALF_WIDTH_PROB,
    );
    // ... and as a cap of K − c waiting, lost beyond.
    let mut m = textbook(lambda, mean_service_s, SERVERS as u32, None);
    m.customers.queue.max_waiting = Some((CAPACITY - SERVERS) as u32);
    m.customers.queue.when_full = Divert::Lost;
    let agg = simulate(&m, 2);
    let full = ratio_ci99(&agg, TotalMetric::QueueFull, TotalMetric::Contacts);
    check("M/M/10/15 max_waiting", full, blocking, MAX_HALF_WIDTH_PROB);
}

#[test]
fn balking_with_exponential_patience_matches_the_birth_death_chain() {
    const SERVERS: usize = 10;
    /// Far enough that the truncated tail is negligible (abandonment bounds the queue).
    const N_MAX: usize = SERVERS + 400;
    const BALK: f64 = 0.3;
    let (lambda, mean_service_s, mean_patience_s) = (0.11, 100.0, 200.0);
    let (mu, theta) = (1.0 / mean_service_s, 1.0 / mean_patience_s);
    // With all agents busy (n ≥ c) a newcomer joins with probability 1 − p.
    let birth = |n: usize| {
        if n < SERVERS {
            lambda
        } else {
            lambda * (1.0 - BALK)
        }
    };
    let death = |n: usize| n.min(SERVERS) as f64 * mu + n.saturating_sub(SERVERS) as f64 * theta;
    let pi = birth_death(N_MAX, birth, death);
    let all_busy: f64 = pi[SERVERS..].iter().sum();
    let queued: f64 = pi
        .iter()
        .enumerate()
        .map(|(n, p)| n.saturating_sub(SERVERS) as f64 * p)
        .sum();
    // PASTA: a share p of arrivals finding all busy balk; the waiting abandon at rate θ each.
    let balked = BALK * all_busy;
    let abandoned = balked + theta * queued / lambda;

    let mut m = textbook(
        lambda,
        mean_service_s,
        SERVERS as u32,
        Some(mean_patience_s),
    );
    m.customers.queue.balk = Balk::Share(BALK);
    let agg = simulate(&m, 2);
    let sim_balked = ratio_ci99(&agg, TotalMetric::QueueBalked, TotalMetric::Contacts);
    check(
        "M/M/10+M balking share",
        sim_balked,
        balked,
        MAX_HALF_WIDTH_PROB,
    );
    let values = agg.values(HumanMetric::AbandonRate).unwrap();
    let e = estimate_at(&values, 0.99);
    check(
        "M/M/10+M balking abandon rate",
        (e.mean.unwrap(), e.ci95.unwrap()),
        abandoned,
        MAX_HALF_WIDTH_PROB,
    );
}
