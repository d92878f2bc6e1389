//! The planner's files: `plan.csv` (contract: `start,pool,agents`, every simulated interval,
//! loadable as a pool's `staffing_csv`), `shifts.csv`, `plan_intervals.csv` (per interval and
//! pool: load, each method's requirement, the roster, the achieved service levels) and
//! `plan.json`; and the closing note for the terminal.

use super::{PlanMethod, PlanResult};
use crate::escape::csv_field;
use crate::format::fmt_num;
use crate::model::{Calendar, Model};
use serde_json::{json, Value};
use std::fmt::Write;

/// `plan.csv`: one row per planned pool and grid interval, warm-up included.
pub fn plan_csv(r: &PlanResult, cal: &Calendar) -> String {
    let mut out = String::from("start,pool,agents\n");
    for p in &r.pools {
        for (i, a) in p.planned.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{}",
                cal.format_minute(r.grid.start(i)),
                csv_field(&p.name),
                a
            );
        }
    }
    out
}

/// `shifts.csv`: one row per rostered shift kind and start (with its count).
pub fn shifts_csv(r: &PlanResult, m: &Model) -> String {
    let cal = &m.run.calendar;
    let mut out = String::from("pool,shift,start,end,break_start,break_end,count,paid_hours\n");
    for p in &r.pools {
        let mut rows: Vec<(usize, u32)> = p
            .roster
            .counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(j, &n)| (j, n))
            .collect();
        rows.sort_by(|a, b| {
            p.roster.candidates[a.0]
                .start
                .total_cmp(&p.roster.candidates[b.0].start)
        });
        for (j, n) in rows {
            let c = &p.roster.candidates[j];
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                csv_field(&p.name),
                csv_field(&r.planning.shifts[c.shift_type].name),
                cal.format_minute(c.start),
                cal.format_minute(c.end),
                c.break_start
                    .map(|t| cal.format_minute(t))
                    .unwrap_or_default(),
                c.break_end
                    .map(|t| cal.format_minute(t))
                    .unwrap_or_default(),
                n,
                fmt_num(Some(n as f64 * c.paid_hours)),
            );
        }
    }
    out
}

/// `plan_intervals.csv`.
pub fn intervals_csv(r: &PlanResult, cal: &Calendar) -> String {
    let mut out = String::from(
        "start,pool,counted,expected_arrivals,expected_offered,offered_load_erlangs,sipp_erlang_c,sipp_erlang_a,\
simulated,shrinkage,paid_required,shift_on_duty,planned,",
    );
    // The per-method achieved service levels, in the order the checks are (method order).
    let sl_columns: Vec<String> = PlanMethod::ALL.iter().map(|k| k.sl_column()).collect();
    out.push_str(&sl_columns.join(","));
    out.push_str(",sl_plan_ci95,offered_simulated\n");
    let g = &r.grid;
    for (k, p) in r.pools.iter().enumerate() {
        for i in 0..g.len {
            let l = &p.load.intervals[i];
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                cal.format_minute(g.start(i)),
                csv_field(&p.name),
                g.counted(i),
                fmt_num(Some(l.arrivals)),
                fmt_num(Some(l.offered)),
                fmt_num(Some(l.erlangs())),
                p.sipp_erlang_c[i],
                p.sipp_erlang_a[i],
                p.simulated[i],
                fmt_num(Some(p.shrinkage[i])),
                p.paid_required[i],
                p.roster.on_duty[i],
                p.planned[i],
            );
            let j = g.counted(i).then(|| i - g.counted_offset);
            for c in &r.checks {
                let v = j.and_then(|j| c.sl[k][j].mean());
                let _ = write!(out, ",{}", fmt_num(v));
            }
            let plan = r.check(PlanMethod::Plan);
            let ci = j.and_then(|j| plan.and_then(|c| c.sl[k][j].ci95()));
            let off = j.and_then(|j| plan.map(|c| c.offered[k][j]));
            let _ = writeln!(out, ",{},{}", fmt_num(ci), fmt_num(off));
        }
    }
    out
}

fn est(e: &crate::stats::Estimate) -> Value {
    json!({"mean": e.mean, "ci95": e.ci95})
}

/// `plan.json`: settings, totals per method, the iteration log, the rosters, the verdict.
pub fn plan_json(r: &PlanResult, m: &Model) -> Value {
    let cal = &m.run.calendar;
    let g = &r.grid;
    let label = |k: usize, j: usize| {
        format!(
            "{} {}",
            r.pools[k].name,
            cal.format_minute(g.start(g.counted_offset + j))
        )
    };
    let methods: Vec<Value> = r
        .checks
        .iter()
        .map(|c| {
            json!({
                "method": c.method.name(),
                "agent_hours": c.agent_hours,
                "service_level": est(&c.service_level),
                "intervals_missed": c.missed.len(),
                "intervals_missed_beyond_ci95": c.significant.len(),
                "missed": c.missed.iter().map(|&(k, j)| label(k, j)).collect::<Vec<_>>(),
                "lowest_interval_service_level": c.sl.iter().flatten().filter_map(|mo| mo.mean()).fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.min(v)))),
            })
        })
        .collect();
    let pools: Vec<Value> = r
        .pools
        .iter()
        .map(|p| {
            json!({
                "pool": p.name,
                "concurrency": m.pools[p.pool].concurrency,
                "peak_planned": p.planned.iter().max(),
                "roster": {
                    "method": p.roster.method,
                    "shifts": p.roster.counts.iter().sum::<u32>(),
                    "paid_hours": p.roster.paid_hours,
                    "objective": p.roster.objective,
                    "lp_bound": p.roster.lp_bound,
                    "gap": p.roster.gap,
                },
            })
        })
        .collect();
    let v = &r.verification;
    let mut out = json!({
        "scenario": m.name,
        "target": {"answer_within_s": r.answer_within_s, "service_level": r.target},
        "interval_minutes": g.step_s / 60.0,
        "intervals": g.len,
        "warmup_intervals": g.counted_offset,
        "multi_pool": {
            "approach": "joint: every planned pool is adjusted in the same iterations from the service level of the contacts it serves first; fixed pools keep their scenario staffing",
            "planned": r.pools.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            "fixed": r.fixed.iter().map(|(p, why)| json!({"pool": m.pools[*p].name, "why": why})).collect::<Vec<_>>(),
        },
        "planning": {
            "tuning_seed": r.tuning_seed,
            "tuning_replications": r.tuning_replications,
            "margin": r.planning.margin,
            "small_interval_contacts": r.planning.small_interval_contacts,
            "small_interval_tolerance": r.planning.small_interval_tolerance,
            "min_agents": r.planning.min_agents,
            "max_occupancy": r.planning.max_occupancy,
            "keep_surge": r.planning.keep_surge,
            "shift_types": r.planning.shifts.iter().map(|s| json!({
                "name": s.name, "hours": s.length_s / 3600.0, "break_minutes": s.break_s / 60.0,
                "cost_factor": s.cost_factor})).collect::<Vec<_>>(),
        },
        "iteration": {
            "converged": r.iteration.converged,
            "iterations": r.iteration.log.len(),
            "wall_time_s": r.iteration.wall_s,
            "log": r.iteration.log,
        },
        "methods": methods,
        "pools": pools,
        "verification": {
            "seed": v.seed,
            "replications": v.replications,
            "service_level": est(&v.service_level),
            "abandon_rate": est(&v.abandon_rate),
            "agent_hours_on_duty": est(&v.agent_hours_on_duty),
            "paid_hours": v.paid_hours,
            "paid_cost": v.paid_cost.as_ref().map(|(c, cur)| json!({"total": c, "currency": cur})),
            "simulated_cost": v.simulated_cost.as_ref().map(est),
            "met": v.met,
            "met_within_noise": v.met_within_noise,
            "wall_time_s": v.wall_s,
        },
        "wall_time_s": r.wall_s,
    });
    // Only plans with a confidence gain keys (other plan.json files stay byte-identical).
    if let Some(c) = &r.confidence {
        out["verification"]["day_meet_share"] = v.day_meet_share.as_ref().map_or(Value::Null, est);
        out["confidence"] = confidence_json(c);
    }
    out
}

/// `plan.json` `confidence`: the method and the plans at 50/80/95% with their costs.
fn confidence_json(c: &super::confidence::ConfidenceReport) -> Value {
    json!({
        "requested": c.requested,
        "method": "staffing for the quantile day: tuned on the rate times the q-quantile of the day busyness, verified with random busyness on fresh seeds",
        "ladder": c.ladder.iter().map(|p| json!({
            "confidence": p.confidence,
            "busyness": p.busyness,
            "agent_hours": p.agent_hours,
            "paid_hours": p.paid_hours,
            "paid_cost": p.paid_cost.as_ref().map(|(c, cur)| json!({"total": c, "currency": cur})),
            "day_meet_share": p.day_meet_share.as_ref().map(est),
            "service_level": est(&p.service_level),
        })).collect::<Vec<_>>(),
    })
}

/// The plans at each confidence, side by side: hours, cost and verified P(day meets).
fn terminal_confidence(s: &mut String, c: &super::confidence::ConfidenceReport) {
    let _ = writeln!(
        s,
        "  plans by confidence (staffed for the quantile day, verified with random busyness):"
    );
    let _ = writeln!(
        s,
        "    {:<10} {:>9} {:>11} {:>10} {:>12} {:>20}",
        "confidence", "busyness", "agent-hours", "paid hours", "paid cost", "days meeting ±95%"
    );
    for p in &c.ladder {
        let share = p.day_meet_share.as_ref().and_then(|e| e.mean);
        let ci = p.day_meet_share.as_ref().and_then(|e| e.ci95);
        let _ = writeln!(
            s,
            "    {:<10} {:>9.3} {:>11.1} {:>10.1} {:>12} {:>13} ±{:>5}{}",
            format!("{:.0}%", 100.0 * p.confidence),
            p.busyness,
            p.agent_hours,
            p.paid_hours,
            p.paid_cost
                .as_ref()
                .map_or("–".into(), |(c, cur)| format!("{c:.0} {cur}")),
            pct(share),
            ci.map_or("–".into(), |x| format!("{:.1}", 100.0 * x)),
            if (p.confidence - c.requested).abs() < 1e-9 {
                "  ← plan.csv"
            } else {
                ""
            }
        );
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{:.1}%", 100.0 * x))
}

/// The closing note: agent-hours and achieved service level per method, the roster, the
/// verdict and the wall time.
pub fn terminal(r: &PlanResult, m: &Model) -> String {
    let cal = &m.run.calendar;
    let g = &r.grid;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "plan: {} — target {:.0}% within {:.0} s per {}-minute interval",
        m.name,
        100.0 * r.target,
        r.answer_within_s,
        g.step_s / 60.0
    );
    let _ = writeln!(
        s,
        "  simulated requirement: {} iterations × {} replications (seed {}), {}converged, {:.1} s",
        r.iteration.log.len(),
        r.tuning_replications,
        r.tuning_seed,
        if r.iteration.converged { "" } else { "NOT " },
        r.iteration.wall_s
    );
    let _ = writeln!(
        s,
        "  re-simulated with fresh seed {} × {} replications:",
        r.verification.seed, r.verification.replications
    );
    let _ = writeln!(
        s,
        "    {:<14} {:>11} {:>16} {:>10} {:>8}",
        "method", "agent-hours", "overall SL ±95%", "lowest", "missed (beyond CI)"
    );
    for c in &r.checks {
        let lowest =
            c.sl.iter()
                .flatten()
                .filter_map(|mo| mo.mean())
                .fold(f64::INFINITY, f64::min);
        let n: usize = c.sl.iter().map(|v| v.len()).sum();
        let _ = writeln!(
            s,
            "    {:<14} {:>11.1} {:>9} ±{:>5} {:>10} {:>4}/{} ({})",
            c.method.name(),
            c.agent_hours,
            pct(c.service_level.mean),
            c.service_level
                .ci95
                .map_or("–".into(), |x| format!("{:.1}", 100.0 * x)),
            pct(lowest.is_finite().then_some(lowest)),
            c.missed.len(),
            n,
            c.significant.len()
        );
    }
    if let Some(sc) = &r.verification.scenario {
        let n: usize = r
            .checks
            .first()
            .map_or(0, |c| c.sl.iter().map(|v| v.len()).sum());
        let _ = writeln!(
            s,
            "    {:<14} {:>11.1} {:>9} ±{:>5} {:>10} {:>4}/{} ({})",
            "scenario",
            sc.agent_hours,
            pct(sc.service_level.mean),
            sc.service_level
                .ci95
                .map_or("–".into(), |x| format!("{:.1}", 100.0 * x)),
            pct(sc.lowest.map(|l| l.2)),
            sc.missed,
            n,
            sc.significant
        );
        let cost = sc
            .paid_cost
            .as_ref()
            .map_or(String::new(), |(c, cur)| format!(", {c:.0} {cur}"));
        let _ = writeln!(
            s,
            "  the scenario's own staffing: {:.1} paid hours{cost}; {}",
            sc.paid_hours,
            if sc.missed == 0 {
                "it already meets the target in every interval".to_string()
            } else {
                format!(
                    "it misses {} interval(s), {} beyond the noise",
                    sc.missed, sc.significant
                )
            }
        );
    }
    for p in &r.pools {
        let _ = writeln!(
            s,
            "  pool {}: {} shifts, {:.1} paid hours (LP bound {:.1}, gap {:.1}%), peak {} on duty",
            p.name,
            p.roster.counts.iter().sum::<u32>(),
            p.roster.paid_hours,
            p.roster.lp_bound,
            100.0 * p.roster.gap,
            p.planned.iter().max().copied().unwrap_or(0)
        );
    }
    for (p, why) in &r.fixed {
        let _ = writeln!(
            s,
            "  pool {}: kept at scenario staffing ({why})",
            m.pools[*p].name
        );
    }
    let v = &r.verification;
    if let Some((c, cur)) = &v.paid_cost {
        let _ = writeln!(s, "  paid cost of the roster: {c:.0} {cur}");
    }
    let plan = r.check(PlanMethod::Plan);
    if v.met {
        let _ = writeln!(
            s,
            "  verdict: the plan meets the target in every interval (fresh seeds)"
        );
    } else if let Some(c) = plan {
        let _ = writeln!(
            s,
            "  verdict: the plan MISSES the target in {} interval(s), {} of them beyond the 95% CI{}:",
            c.missed.len(),
            c.significant.len(),
            if v.met_within_noise { " (within the noise of the replications)" } else { "" }
        );
        for &(k, j) in c.missed.iter().take(12) {
            let mo = &c.sl[k][j];
            let _ = writeln!(
                s,
                "    {} {}: {} ±{}",
                r.pools[k].name,
                cal.format_minute(g.start(g.counted_offset + j)),
                pct(mo.mean()),
                mo.ci95()
                    .map_or("–".into(), |x| format!("{:.1}", 100.0 * x))
            );
        }
    }
    if let Some(c) = &r.confidence {
        terminal_confidence(&mut s, c);
    }
    let _ = writeln!(s, "  planner wall time {:.1} s", r.wall_s);
    // Pool, shift and scenario names are shown, never obeyed, by the terminal.
    crate::escape::terminal_lines(&s)
}
