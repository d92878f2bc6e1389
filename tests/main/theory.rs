//! The simulator against queueing theory: M/M/c against Erlang C and M/M/c+M against
//! Erlang A. Each check asserts the analytic value lies inside the simulation's 99% CI *and*
//! that the CI half-width is below a stated bound, so a vague simulation cannot pass.
//! Seeds are fixed, so the outcome is the same on every run.

use crate::common::{mean_ci99, simulate};
use kefu::erlang::{ErlangA, ErlangC};
use kefu::model::textbook::Textbook;
use kefu::summary::HumanMetric;

const T: f64 = 120.0;

struct Case {
    servers: u32,
    load: f64,
    mean_service_s: f64,
    days: f64,
    replications: u32,
    /// Largest acceptable 99% half-widths: (waited fraction, mean wait [s], service level).
    max_half_width: (f64, f64, f64),
}

fn check_erlang_c(case: &Case) {
    let lambda = case.load * case.servers as f64 / case.mean_service_s;
    let mut tb = Textbook::new(lambda, case.mean_service_s, case.servers);
    tb.days = case.days;
    tb.replications = case.replications;
    tb.warmup_s = 20.0 * case.mean_service_s / (1.0 - case.load);
    tb.seed = 20_261_125;
    let agg = simulate(&tb.model(), 2);
    let theory = ErlangC::new(lambda, case.mean_service_s, case.servers);
    let checks = [
        (
            HumanMetric::WaitedFraction,
            theory.prob_wait(),
            case.max_half_width.0,
        ),
        (
            HumanMetric::MeanWaitS,
            theory.mean_wait_s(),
            case.max_half_width.1,
        ),
        (
            HumanMetric::ServiceLevel,
            theory.service_level(T),
            case.max_half_width.2,
        ),
    ];
    for (metric, exact, bound) in checks {
        let (mean, hw) = mean_ci99(&agg, metric);
        println!(
            "M/M/{} ρ={}: {metric} sim {mean:.5} ± {hw:.5} vs Erlang C {exact:.5}",
            case.servers, case.load
        );
        assert!(
            hw <= bound,
            "{metric}: CI half-width {hw} above its bound {bound}"
        );
        assert!(
            (mean - exact).abs() <= hw,
            "{metric}: Erlang C {exact} outside {mean} ± {hw}"
        );
    }
}

#[test]
fn mm1_half_load_matches_erlang_c() {
    check_erlang_c(&Case {
        servers: 1,
        load: 0.5,
        mean_service_s: 100.0,
        days: 20.0,
        replications: 20,
        max_half_width: (0.01, 4.0, 0.01),
    });
}

#[test]
fn mm10_at_80_percent_matches_erlang_c() {
    check_erlang_c(&Case {
        servers: 10,
        load: 0.8,
        mean_service_s: 100.0,
        days: 10.0,
        replications: 20,
        max_half_width: (0.01, 1.5, 0.005),
    });
}

#[test]
fn mm100_at_95_percent_matches_erlang_c() {
    check_erlang_c(&Case {
        servers: 100,
        load: 0.95,
        mean_service_s: 300.0,
        days: 20.0,
        replications: 20,
        max_half_width: (0.03, 2.0, 0.01),
    });
}

#[test]
fn mm10_at_95_percent_matches_erlang_c() {
    check_erlang_c(&Case {
        servers: 10,
        load: 0.95,
        mean_service_s: 60.0,
        days: 20.0,
        replications: 20,
        max_half_width: (0.015, 10.0, 0.015),
    });
}

fn check_erlang_a(servers: u32, load: f64, mean_service_s: f64, mean_patience_s: f64, days: f64) {
    let lambda = load * servers as f64 / mean_service_s;
    let mut tb = Textbook::new(lambda, mean_service_s, servers);
    tb.mean_patience_s = Some(mean_patience_s);
    tb.days = days;
    tb.replications = 20;
    tb.warmup_s = 4.0 * 3600.0;
    tb.seed = 7;
    let agg = simulate(&tb.model(), 2);
    let theory = ErlangA::new(lambda, mean_service_s, mean_patience_s, servers);
    let checks = [
        (HumanMetric::AbandonRate, theory.abandon_prob(), 0.005),
        (HumanMetric::ServiceLevel, theory.service_level(T), 0.01),
        (HumanMetric::WaitedFraction, theory.prob_wait(), 0.01),
        (HumanMetric::MeanWaitS, theory.mean_wait_served_s(), 2.0),
    ];
    for (metric, exact, bound) in checks {
        let (mean, hw) = mean_ci99(&agg, metric);
        println!(
            "M/M/{servers}+M ρ={load}: {metric} sim {mean:.5} ± {hw:.5} vs Erlang A {exact:.5}"
        );
        assert!(
            hw <= bound,
            "{metric}: CI half-width {hw} above its bound {bound}"
        );
        assert!(
            (mean - exact).abs() <= hw,
            "{metric}: Erlang A {exact} outside {mean} ± {hw}"
        );
    }
}

#[test]
fn mm20m_critically_loaded_matches_erlang_a() {
    check_erlang_a(20, 1.0, 240.0, 180.0, 10.0);
}

#[test]
fn mm200m_overloaded_matches_erlang_a() {
    check_erlang_a(200, 1.1, 300.0, 240.0, 3.0);
}
