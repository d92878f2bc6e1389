//! `kefu erlang`: a planner's calculator — Erlang C and Erlang A answers for one stationary
//! interval, or for a column of interval volumes (`--interval-csv`), with chat concurrency,
//! shrinkage and a maximum occupancy (the calculation is in [`calc`]).

pub mod calc;

use crate::failure::{say, Failure};
use calc::{CalcError, Goal, Interval, Outcome};
use clap::Args;
use std::path::PathBuf;

/// Options of `kefu erlang`.
#[derive(Debug, Args, Clone)]
pub struct ErlangArgs {
    /// Contacts reaching agents per hour (one interval; not with --interval-csv).
    #[arg(long)]
    pub rate_per_hour: Option<f64>,
    /// Mean handle time of a chat handled alone (seconds).
    #[arg(long)]
    pub handle_s: f64,
    /// Agents (servers) to evaluate (1 to 100000, the staffing searches' limit).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=crate::erlang::MAX_SERVERS as i64))]
    pub agents: Option<u32>,
    /// Mean patience (seconds) for Erlang A (without it Erlang A is skipped).
    #[arg(long)]
    pub patience_s: Option<f64>,
    /// Answer-within threshold (seconds) of the service level.
    #[arg(long, default_value_t = 120.0)]
    pub target_s: f64,
    /// Target service level.
    #[arg(long, default_value_t = 0.9)]
    pub target: f64,
    /// Chats one agent holds at once (a pool's `concurrency`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Handle-time stretch per other chat held (a pool's `concurrency_slowdown`).
    #[arg(long, default_value_t = 0.0)]
    pub slowdown: f64,
    /// Share of paid time not taking chats (breaks, training): paid = agents / (1 − shrinkage).
    #[arg(long, default_value_t = 0.0)]
    pub shrinkage: f64,
    /// Highest occupancy of the chat slots allowed, in (0, 1].
    #[arg(long)]
    pub max_occupancy: Option<f64>,
    /// A CSV whose first column is contacts per interval (a header line is skipped): prints
    /// one row per interval with the agents needed.
    #[arg(long)]
    pub interval_csv: Option<PathBuf>,
    /// Length of an interval of --interval-csv (minutes).
    #[arg(long, default_value_t = 30.0)]
    pub interval_minutes: f64,
}

fn input(msg: &str) -> Failure {
    Failure::Input(msg.into())
}

/// Checks the flags and returns the goal.
fn goal(a: &ErlangArgs) -> Result<Goal, Failure> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(a.handle_s) {
        return Err(input("--handle-s must be a positive number"));
    }
    if a.patience_s.is_some_and(|p| p.is_nan() || p <= 0.0) {
        return Err(input("--patience-s must be a positive number"));
    }
    let target_ok = a.target > 0.0 && a.target < 1.0;
    if !target_ok || a.target_s.is_nan() || a.target_s < 0.0 {
        return Err(input("--target must be in (0, 1) and --target-s ≥ 0"));
    }
    if !(a.slowdown.is_finite() && a.slowdown >= 0.0) {
        return Err(input("--slowdown must be a number ≥ 0"));
    }
    if !(0.0..1.0).contains(&a.shrinkage) {
        return Err(input("--shrinkage must be in [0, 1)"));
    }
    if a.max_occupancy.is_some_and(|o| !(o > 0.0 && o <= 1.0)) {
        return Err(input("--max-occupancy must be in (0, 1]"));
    }
    if !positive(a.interval_minutes) {
        return Err(input("--interval-minutes must be a positive number"));
    }
    Ok(Goal {
        answer_within_s: a.target_s,
        service_level: a.target,
        shrinkage: a.shrinkage,
        max_occupancy: a.max_occupancy,
    })
}

fn interval(a: &ErlangArgs, rate_per_s: f64, patience_s: Option<f64>) -> Interval {
    Interval {
        rate_per_s,
        handle_s: a.handle_s,
        patience_s,
        concurrency: a.concurrency,
        slowdown: a.slowdown,
    }
}

pub fn erlang(a: &ErlangArgs) -> Result<(), Failure> {
    let g = goal(a)?;
    match (&a.interval_csv, a.rate_per_hour) {
        (Some(path), None) => say(&interval_table(a, &g, path)?),
        (None, Some(rate)) if rate.is_finite() && rate >= 0.0 => say(&one_interval(a, &g, rate)),
        (None, Some(_)) => Err(input("--rate-per-hour must be a number ≥ 0")),
        (None, None) => Err(input(
            "give --rate-per-hour (one interval) or --interval-csv FILE",
        )),
        (Some(_), Some(_)) => Err(input(
            "--rate-per-hour and --interval-csv exclude each other",
        )),
    }
}

fn outcome_line(o: &Outcome, g: &Goal) -> String {
    let paid = if g.shrinkage > 0.0 {
        format!(
            " ({} paid at {:.0}% shrinkage)",
            o.paid,
            g.shrinkage * 100.0
        )
    } else {
        String::new()
    };
    let abandon = if o.abandon > 0.0 {
        format!(", abandon {:.1}%", 100.0 * o.abandon)
    } else {
        String::new()
    };
    format!(
        "{} agents{paid}: occupancy {:.1}%, P(wait) {:.1}%{abandon}, mean wait (answered) {:.1} s, service level {:.1}%",
        o.agents,
        100.0 * o.occupancy,
        100.0 * o.prob_wait,
        o.mean_wait_s,
        100.0 * o.service_level
    )
}

fn one_interval(a: &ErlangArgs, g: &Goal, rate_per_hour: f64) -> String {
    let c = interval(a, rate_per_hour / 3600.0, None);
    let mut s = format!(
        "offered load {} Erlangs ({} contacts/h × {} s{}); target {:.0}% within {} s\n",
        crate::escape::num_2dp(c.erlangs()),
        crate::escape::num(rate_per_hour),
        crate::escape::num(a.handle_s),
        if a.concurrency > 1 {
            format!(
                ", {} chats at once per agent, slot handle time {:.1} s",
                a.concurrency,
                c.slot_handle_s()
            )
        } else {
            String::new()
        },
        100.0 * a.target,
        crate::escape::num(a.target_s)
    );
    let mut models = vec![("Erlang C", c)];
    if let Some(p) = a.patience_s {
        models.push(("Erlang A", interval(a, c.rate_per_s, Some(p))));
    }
    for (name, m) in &models {
        if let Some(n) = a.agents {
            match m.evaluate(g, n) {
                Ok(o) => s.push_str(&format!("{name}, {}\n", outcome_line(&o, g))),
                Err(e) => s.push_str(&format!("{name}: {e}\n")),
            }
        }
    }
    for (name, m) in &models {
        match m.required(g) {
            Ok(o) => s.push_str(&format!(
                "agents needed ({name}): {}\n",
                outcome_line(&o, g)
            )),
            Err(e) => s.push_str(&format!("agents needed ({name}): none found — {e}\n")),
        }
    }
    s
}

/// `--interval-csv`: one row per interval, `volume,erlangs,agents,paid_agents,service_level,
/// occupancy` (Erlang A when --patience-s is given, else Erlang C).
fn interval_table(a: &ErlangArgs, g: &Goal, path: &PathBuf) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| input(&format!("cannot read {}: {e}", path.display())))?;
    let seconds = a.interval_minutes * 60.0;
    let mut out = String::from("volume,erlangs,agents,paid_agents,service_level,occupancy\n");
    for (n, line) in text.lines().enumerate() {
        let first = line.split(',').next().unwrap_or("").trim();
        if first.is_empty() {
            continue;
        }
        let volume: f64 = match first.parse() {
            Ok(v) if v >= 0.0 && f64::is_finite(v) => v,
            // A header: only on the first line.
            Err(_) if n == 0 => continue,
            _ => {
                return Err(input(&format!(
                    "{} line {}: {first:?} is not a volume (contacts per interval ≥ 0)",
                    path.display(),
                    n + 1
                )))
            }
        };
        let m = interval(a, volume / seconds, a.patience_s);
        let o = m
            .required(g)
            .map_err(|e: CalcError| input(&format!("{} line {}: {e}", path.display(), n + 1)))?;
        out.push_str(&format!(
            "{},{:.3},{},{},{:.4},{:.4}\n",
            crate::format::fmt_num(Some(volume)),
            m.erlangs(),
            o.agents,
            o.paid,
            o.service_level,
            o.occupancy
        ));
    }
    Ok(out)
}
