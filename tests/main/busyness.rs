//! Day busyness and per-day reporting (issue 20): the gamma mixture's variance, a zero
//! spread reproducing the forecast byte for byte, common random numbers across staffing,
//! and the per-day P(meet) of a constant load against Erlang C integrated over the gamma
//! rate.

use super::common;
use kefu::erlang::ErlangC;
use kefu::model::textbook::Textbook;
use kefu::model::{Busyness, Model, Spread, SpreadShape};
use kefu::summary::TotalMetric;
use statrs::distribution::{ContinuousCDF, Gamma};

fn gamma_days(cv: f64) -> Option<Busyness> {
    Some(Busyness {
        day: Some(Spread {
            shape: SpreadShape::Gamma,
            cv,
        }),
        interval: None,
    })
}

/// Daily arrivals with a Gamma(α, α) day factor are negative binomial: mean Λ, variance
/// Λ + Λ²/α. Checked on 2 000 simulated days.
#[test]
fn gamma_busyness_gives_daily_variance_lambda_plus_lambda_squared_over_alpha() {
    const PER_DAY: f64 = 1000.0;
    const CV: f64 = 0.3;
    const DAYS: u32 = 500;
    const REPS: u32 = 4;
    let n = (DAYS * REPS) as f64;
    let alpha = 1.0 / (CV * CV);
    let mean = PER_DAY;
    let var = PER_DAY + PER_DAY * PER_DAY / alpha;
    // Standard errors: of the mean sqrt(var/N); of the sample variance
    // var·sqrt(2/(N−1) + γ₂/N) with the negative binomial's excess kurtosis γ₂ ≈ 6/α + 1/var.
    let kurtosis_excess = 6.0 / alpha + 1.0 / var;
    let se_mean = (var / n).sqrt();
    let se_var = var * (2.0 / (n - 1.0) + kurtosis_excess / n).sqrt();
    // Four standard errors: a false alarm about once in 16 000 runs.
    const Z: f64 = 4.0;

    let mut t = Textbook::new(PER_DAY / 86_400.0, 60.0, 5);
    t.days = DAYS as f64;
    t.replications = REPS;
    let mut m = t.model();
    m.arrivals.busyness = gamma_days(CV);
    let agg = common::simulate(&m, 2);
    assert_eq!(agg.days.days, n as u64);
    let (got_mean, got_sd) = agg.days.arrivals_mean_sd().expect("days");
    let got_var = got_sd * got_sd;
    eprintln!("daily arrivals: mean {got_mean:.1} (Λ {mean}), variance {got_var:.0} (Λ + Λ²/α {var:.0} ± {:.0} at 4 SE)", Z * se_var);
    assert!(
        (got_mean - mean).abs() <= Z * se_mean,
        "daily mean {got_mean:.1}, expected {mean} ± {:.1}",
        Z * se_mean
    );
    assert!(
        (got_var - var).abs() <= Z * se_var,
        "daily variance {got_var:.0}, expected Λ + Λ²/α = {var:.0} ± {:.0}",
        Z * se_var
    );
    // Without busyness the same days are Poisson: variance Λ, far from Λ + Λ²/α.
    m.arrivals.busyness = None;
    let (_, sd) = common::simulate(&m, 2)
        .days
        .arrivals_mean_sd()
        .expect("days");
    assert!((sd * sd - PER_DAY).abs() < Z * PER_DAY * (2.0 / (n - 1.0)).sqrt());
}

fn default_with(busyness_line: &str) -> Model {
    let text = kefu::scenario::DEFAULT_SCENARIO.replacen(
        "[arrivals]\n",
        &format!("[arrivals]\n{busyness_line}\n"),
        1,
    );
    kefu::scenario::load_str(&text, "default.toml", std::path::Path::new("scenarios"))
        .expect("valid")
        .model
}

fn summary_text(m: &Model) -> String {
    let agg = common::simulate(m, 2);
    let s = kefu::report::json::summary(m, &agg, m.run.replications, m.run.seed);
    kefu::report::json::to_text(&s)
}

#[test]
fn a_spread_of_zero_reproduces_the_forecast_byte_for_byte() {
    let mut plain = default_with("");
    plain.run.replications = 3;
    let mut zero = default_with("busyness = { cv = 0.0, interval_cv = 0.0 }");
    zero.run.replications = 3;
    assert!(zero.arrivals.busyness.is_none());
    assert_eq!(summary_text(&plain), summary_text(&zero));
    let mut some = default_with("busyness = { cv = 0.15 }");
    some.run.replications = 3;
    assert_ne!(summary_text(&plain), summary_text(&some));
}

#[test]
fn busyness_keys_are_validated_with_their_paths() {
    let text = kefu::scenario::DEFAULT_SCENARIO.replacen(
        "[arrivals]\n",
        "[arrivals]\nbusyness = { cv = -1, dist = \"gama\" }\n",
        1,
    );
    let Err(e) = kefu::scenario::load_str(&text, "d.toml", std::path::Path::new(".")) else {
        panic!("a negative cv and an unknown distribution must be refused");
    };
    let e = e.to_string();
    assert!(e.contains("arrivals.busyness.cv"), "{e}");
    assert!(
        e.contains("arrivals.busyness.dist") && e.contains("gamma"),
        "{e}"
    );
}

/// Two scenarios that differ only in staffing see the same days (common random numbers).
#[test]
fn staffing_changes_leave_the_days_unchanged() {
    let mut t = Textbook::new(0.02, 120.0, 4);
    t.days = 5.0;
    let mut a = t.model();
    a.arrivals.busyness = gamma_days(0.2);
    let mut b = a.clone();
    b.pools[0].staffing = kefu::model::Staffing::Constant(9);
    b.pools[0].absence = 0.1;
    for rep in 0..3 {
        let da = kefu::engine::simulate(&a, 5, rep).days;
        let db = kefu::engine::simulate(&b, 5, rep).days;
        let arrivals =
            |d: &[kefu::stats::DayStats]| d.iter().map(|x| x.arrivals).collect::<Vec<_>>();
        assert_eq!(arrivals(&da), arrivals(&db));
        assert_ne!(da, db, "the staffing must change the outcomes");
    }
}

/// A constant-load M/M/c day with rate B·λ, B ~ Gamma(α, α): the day meets the target when
/// Erlang C at B·λ does, so P(meet) = P(B ≤ b*) with SL_C(b*·λ) = target. Long, busy days
/// make a day's own service level nearly its steady-state value.
#[test]
fn per_day_meet_share_agrees_with_erlang_c_integrated_over_the_gamma_rate() {
    const LAMBDA: f64 = 0.25;
    const SERVICE_S: f64 = 120.0;
    const SERVERS: u32 = 34;
    const CV: f64 = 0.1;
    let mut t = Textbook::new(LAMBDA, SERVICE_S, SERVERS);
    t.days = 20.0;
    t.replications = 20;
    t.seed = 20;
    let mut m = t.model();
    m.arrivals.busyness = gamma_days(CV);
    let (answer, target) = (m.target.answer_within_s, m.target.service_level);
    let sl = |b: f64| ErlangC::new(b * LAMBDA, SERVICE_S, SERVERS).service_level(answer);
    // Bisection for b*: SL falls as the load rises.
    let (mut lo, mut hi) = (0.5, 2.0);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if sl(mid) >= target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let alpha = 1.0 / (CV * CV);
    let expected = Gamma::new(alpha, alpha).unwrap().cdf(lo);
    assert!(
        (0.2..0.9).contains(&expected),
        "a test of the middle, not a tail: {expected}"
    );
    let agg = common::simulate(&m, 2);
    let (got, ci99) = common::mean_ci99(&agg, TotalMetric::DaysMeetShare);
    eprintln!("P(day meets): simulated {got:.3} ± {ci99:.3} (99%), Erlang C integrated {expected:.3} (b* = {lo:.4})");
    assert!(
        (got - expected).abs() <= ci99,
        "P(day meets) simulated {got:.3} ± {ci99:.3} (99%), Erlang C over the gamma rate {expected:.3}"
    );
}

/// Absence: each scheduled agent is away for a whole day with probability p, so the
/// absent agent-hours are p × the scheduled ones, and they leave the on-duty hours.
#[test]
fn absence_removes_its_share_of_scheduled_hours() {
    const AGENTS: u32 = 20;
    const P: f64 = 0.2;
    const DAYS: f64 = 30.0;
    const REPS: u32 = 4;
    let mut t = Textbook::new(0.01, 120.0, AGENTS);
    t.days = DAYS;
    t.replications = REPS;
    let mut m = t.model();
    m.pools[0].absence = P;
    let scheduled = AGENTS as f64 * 24.0 * DAYS;
    // Absent agents per day are Binomial(20, 0.2): sd 1.79 agents; over 30 days × 4
    // replications the share has a standard error of 1.79 / 20 / √120 ≈ 0.0082.
    let se_share =
        (AGENTS as f64 * P * (1.0 - P)).sqrt() / AGENTS as f64 / (DAYS * REPS as f64).sqrt();
    let agg = common::simulate(&m, 2);
    let (absent, _) = common::mean_ci99(&agg, TotalMetric::AbsentAgentHours);
    let (on_duty, _) = common::mean_ci99(&agg, TotalMetric::AgentHours);
    assert!(
        (absent / scheduled - P).abs() < 4.0 * se_share,
        "absent share {}",
        absent / scheduled
    );
    assert!(
        (absent + on_duty - scheduled).abs() < 1e-6 * scheduled,
        "{absent} + {on_duty}"
    );
}

/// `interval_cv`: each reporting interval's count is Poisson around μ·B_i, so its variance
/// is μ + μ²·cv² (here without a day factor).
#[test]
fn interval_busyness_gives_interval_variance_mu_plus_mu_squared_cv_squared() {
    const LAMBDA: f64 = 0.5;
    const CV: f64 = 0.2;
    let mut t = Textbook::new(LAMBDA, 20.0, 40);
    t.days = 20.0;
    let mut m = t.model();
    m.arrivals.busyness = Some(Busyness {
        day: None,
        interval: Some(Spread {
            shape: SpreadShape::Gamma,
            cv: CV,
        }),
    });
    let mu = LAMBDA * m.run.interval_s;
    let var = mu + mu * mu * CV * CV;
    let counts: Vec<f64> = (0..2)
        .flat_map(|rep| kefu::engine::simulate(&m, 3, rep).intervals)
        .map(|iv| iv.arrivals as f64)
        .collect();
    let n = counts.len() as f64;
    // Gamma-mixed Poisson: excess kurtosis ≈ 6·cv² (+1/var); four standard errors.
    let se_var = var * (2.0 / (n - 1.0) + (6.0 * CV * CV + 1.0 / var) / n).sqrt();
    let mean = counts.iter().sum::<f64>() / n;
    let got = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!(
        (got - var).abs() < 4.0 * se_var,
        "interval variance {got:.0}, expected μ + μ²cv² = {var:.0} ± {:.0}",
        4.0 * se_var
    );
}
