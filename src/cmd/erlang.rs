//! `kefu erlang`: quick Erlang C and Erlang A answers for one stationary interval.

use crate::failure::{say, Failure};
use clap::Args;

/// Options of `kefu erlang`.
#[derive(Debug, Args, Clone)]
pub struct ErlangArgs {
    /// Contacts reaching agents per hour.
    #[arg(long)]
    pub rate_per_hour: f64,
    /// Mean handle time [s].
    #[arg(long)]
    pub handle_s: f64,
    /// Agents (servers) to evaluate (1 to 100000, the staffing searches' limit).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=crate::erlang::MAX_SERVERS as i64))]
    pub agents: Option<u32>,
    /// Mean patience [s] for Erlang A (without it Erlang A is skipped).
    #[arg(long)]
    pub patience_s: Option<f64>,
    /// Answer-within threshold [s] of the service level.
    #[arg(long, default_value_t = 120.0)]
    pub target_s: f64,
    /// Target service level.
    #[arg(long, default_value_t = 0.9)]
    pub target: f64,
}

pub fn erlang(a: &ErlangArgs) -> Result<(), Failure> {
    use crate::erlang::{ErlangA, ErlangC};
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !(a.rate_per_hour.is_finite() && a.rate_per_hour >= 0.0) {
        return Err(Failure::Input(
            "--rate-per-hour must be a number ≥ 0".into(),
        ));
    }
    if !positive(a.handle_s) {
        return Err(Failure::Input(
            "--handle-s must be a positive number".into(),
        ));
    }
    if a.patience_s.is_some_and(|p| p.is_nan() || p <= 0.0) {
        return Err(Failure::Input(
            "--patience-s must be a positive number".into(),
        ));
    }
    let target_ok = a.target > 0.0 && a.target < 1.0;
    if !target_ok || a.target_s.is_nan() || a.target_s < 0.0 {
        return Err(Failure::Input(
            "--target must be in (0, 1) and --target-s ≥ 0".into(),
        ));
    }
    let lambda = a.rate_per_hour / 3600.0;
    let load = lambda * a.handle_s;
    let mut s = format!(
        "offered load {} Erlangs ({} contacts/h × {} s); target {:.0}% within {} s\n",
        crate::escape::num_2dp(load),
        crate::escape::num(a.rate_per_hour),
        crate::escape::num(a.handle_s),
        100.0 * a.target,
        crate::escape::num(a.target_s)
    );
    if let Some(c) = a.agents {
        let q = ErlangC::new(lambda, a.handle_s, c);
        s.push_str(&format!(
            "Erlang C, {c} agents: occupancy {:.1}%, P(wait) {:.1}%, mean wait {:.1} s, service level {:.1}%\n",
            100.0 * q.utilisation().min(1.0),
            100.0 * q.prob_wait(),
            q.mean_wait_s(),
            100.0 * q.service_level(a.target_s)
        ));
        if let Some(p) = a.patience_s {
            let q = ErlangA::new(lambda, a.handle_s, p, c);
            s.push_str(&format!(
                "Erlang A, {c} agents, patience {} s: occupancy {:.1}%, P(wait) {:.1}%, abandon {:.1}%, \
mean wait (answered) {:.1} s, service level {:.1}%\n",
                crate::escape::num(p),
                100.0 * q.utilisation(),
                100.0 * q.prob_wait(),
                100.0 * q.abandon_prob(),
                q.mean_wait_served_s(),
                100.0 * q.service_level(a.target_s)
            ));
        }
    }
    let need_c = ErlangC::servers_for_service_level(lambda, a.handle_s, a.target_s, a.target);
    s.push_str(&format!(
        "agents needed (Erlang C): {}\n",
        need_c.map_or("none found".into(), |n| n.to_string())
    ));
    if let Some(p) = a.patience_s {
        let need_a =
            ErlangA::servers_for_service_level(lambda, a.handle_s, p, a.target_s, a.target);
        s.push_str(&format!(
            "agents needed (Erlang A): {}\n",
            need_a.map_or("none found".into(), |n| n.to_string())
        ));
    }
    say(&s)
}
