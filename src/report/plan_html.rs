//! `report.html` of `kefu plan`: the run report's look and building blocks ([`html`]) with a
//! verdict on the plan (does the roster meet the target in every interval on fresh seeds?),
//! the methods side by side, the two plan charts, the roster summary and the provenance.

use super::charts::plan::{method_label, write_plan_charts};
use super::charts::{fmt_count, fmt_duration, ChartFile};
use super::html::{self, card, esc, fmt_num, row};
use super::OutputDir;
use crate::model::Model;
use crate::plan::{PlanMethod, PlanResult};
use crate::summary::Moments;
use serde_json::Value;
use std::fmt::Write;

/// Draws the plan charts (unless `charts` is false) and writes `report.html` into `out`;
/// returns the charts.
pub fn write_plan_report(
    out: &OutputDir,
    m: &Model,
    r: &PlanResult,
    plan_json: &Value,
    charts: bool,
) -> anyhow::Result<Vec<ChartFile>> {
    let charts = if charts {
        write_plan_charts(out, m, r)?
    } else {
        Vec::new()
    };
    out.write("report.html", plan_report_html(m, r, plan_json, &charts))?;
    Ok(charts)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |x| format!("{:.1}%", x * 100.0))
}

fn pct_mo(mo: &Moments) -> String {
    html::pct_ci((mo.mean(), mo.ci95()))
}

/// Paid hours a method's staffing needs interval by interval over the counted horizon
/// (requirement ÷ (1 − shrinkage), rounded up; no shift constraints).
fn paid_hours_of(r: &PlanResult, method: PlanMethod) -> f64 {
    let g = &r.grid;
    r.pools
        .iter()
        .map(|p| {
            (g.counted_offset..g.len)
                .map(|i| {
                    let n = (method.staffing(p)[i] as f64 / (1.0 - p.shrinkage[i]) - 1e-9).ceil();
                    n.max(0.0) * g.length(i) / 3600.0
                })
                .sum::<f64>()
        })
        .sum()
}

/// The whole plan report.
pub fn plan_report_html(m: &Model, r: &PlanResult, j: &Value, charts: &[ChartFile]) -> String {
    let cal = &m.run.calendar;
    let g = &r.grid;
    let mut h = html::page_open(&format!("kefu plan: {}", m.name));
    let within = fmt_duration(r.answer_within_s);
    let target = format!("{:.0}%", r.target * 100.0);
    let _ = writeln!(
        h,
        "<h1>Staffing plan: {}</h1>\n<p class=\"sub\">{} to {}, planned per {} interval for the promise \
         <strong>{target} answered by an agent within {within}</strong>. Every method's staffing was re-simulated \
         with fresh seeds ({} replications, seed {}); “±” is the 95% confidence half-width.</p>",
        esc(&m.name),
        esc(&cal.format_short(m.run.counted_from)),
        esc(&cal.format_short(m.run.counted_to)),
        esc(&fmt_duration(g.step_s)),
        r.verification.replications,
        r.verification.seed
    );

    // Verdict.
    let v = &r.verification;
    let plan = r.check(PlanMethod::Plan);
    let label = |k: usize, jj: usize| {
        let when = cal.format_short(g.start(g.counted_offset + jj));
        if r.pools.len() > 1 {
            format!("{} {when}", r.pools[k].name)
        } else {
            when
        }
    };
    let intervals: usize = plan.map_or(0, |c| c.sl.iter().map(|v| v.len()).sum());
    let (class, head) = match plan {
        _ if v.met => (
            "met",
            "The plan meets the target in every interval".to_string(),
        ),
        Some(c) if v.met_within_noise => (
            "close",
            format!(
                "The plan misses the target in {} of {intervals} intervals, all within the noise",
                c.missed.len()
            ),
        ),
        Some(c) => (
            "missed",
            format!(
                "The plan MISSES the target in {} of {intervals} intervals",
                c.missed.len()
            ),
        ),
        None => ("missed", "No verdict: the plan was not verified".into()),
    };
    let worst = plan.and_then(|c| c.lowest());
    let paid_hours = v.paid_hours;
    let cost = v
        .paid_cost
        .as_ref()
        .map(|(c, cur)| format!(", costing <strong>{} {}</strong>", fmt_count(*c), esc(cur)))
        .unwrap_or_default();
    let mut line = format!(
        "On fresh seeds the roster answers <strong>{}</strong> of chats within {within} overall; the worst interval is \
         <strong>{}</strong>. It pays <strong>{:.1} hours</strong> of shifts{cost}.",
        esc(&html::pct_ci((v.service_level.mean, v.service_level.ci95))),
        worst.map_or("n/a".into(), |(k, jj, x)| format!(
            "{} at {}",
            pct(Some(x)),
            esc(&label(k, jj))
        )),
        paid_hours,
    );
    if let Some(c) = plan.filter(|c| !c.missed.is_empty()) {
        if c.significant.is_empty() {
            line.push_str(
                " No miss is beyond its 95% confidence interval: more replications would tell whether it is real.",
            );
        } else {
            let _ = write!(
                line,
                " {} of the misses {} beyond the 95% confidence interval: add agents there (see the table below).",
                c.significant.len(),
                if c.significant.len() == 1 { "is" } else { "are" },
            );
        }
    }
    if !r.iteration.converged {
        line.push_str(
            " The simulated requirement did NOT converge: raise <code>max_iterations</code>.",
        );
    }
    html::verdict_box(&mut h, class, &head, &line);

    h.push_str("<div class=\"cards\">\n");
    card(
        &mut h,
        "Service level of the plan (fresh seeds)",
        &html::pct_ci((v.service_level.mean, v.service_level.ci95)),
        &format!("target {target} within {within} in every interval"),
    );
    card(
        &mut h,
        "Worst interval",
        &worst.map_or("n/a".into(), |(_, _, x)| pct(Some(x))),
        &worst.map_or(String::new(), |(k, jj, _)| {
            format!(
                "at {}; {} of {intervals} intervals below target",
                label(k, jj),
                plan.map_or(0, |c| c.missed.len())
            )
        }),
    );
    card(
        &mut h,
        "Paid hours of the roster",
        &format!("{paid_hours:.1} h"),
        &format!(
            "{} shifts; {:.1} productive agent-hours on duty",
            r.pools
                .iter()
                .map(|p| p.roster.counts.iter().sum::<u32>())
                .sum::<u32>(),
            plan.map_or(0.0, |c| c.agent_hours)
        ),
    );
    if let Some((c, cur)) = &v.paid_cost {
        card(
            &mut h,
            "Cost of the roster",
            &format!("{} {cur}", fmt_count(*c)),
            "paid hours × shift cost factor × agent hour",
        );
    }
    let gap = r.pools.iter().map(|p| p.roster.gap).fold(0.0, f64::max);
    card(
        &mut h,
        "Roster optimality (LP gap)",
        &format!("{:.1}%", gap * 100.0 + 0.0),
        "above the LP lower bound of the shift cost",
    );
    card(
        &mut h,
        "Abandoned before an answer",
        &html::pct_ci((v.abandon_rate.mean, v.abandon_rate.ci95)),
        "with the plan, fresh seeds",
    );
    h.push_str("</div>\n");
    confidence_section(&mut h, r);

    // Methods side by side.
    h.push_str(
        "<h2>The methods side by side</h2>\n<p>Each method's staffing of the planned pool(s), re-simulated with the \
         same fresh seeds. An interval is <em>missed</em> when its mean service level is below the target (small \
         intervals: target − tolerance); <em>beyond the CI</em> when even the upper end of its 95% interval is.</p>\n\
         <table>\n<tr><th>Method</th><th>Agent-hours on duty</th><th>Paid hours</th>",
    );
    let rate = m.costs.as_ref();
    if let Some(c) = rate {
        let _ = write!(h, "<th>Cost ({})</th>", esc(&c.currency));
    }
    h.push_str("<th>Service level ±95%</th><th>Lowest interval</th><th>Intervals missed (beyond CI)</th></tr>\n");
    for c in &r.checks {
        // The plan's paid hours are its roster's (whole shifts); the others' per interval.
        let (paid, exact) = match c.method {
            PlanMethod::Plan => (paid_hours, true),
            other => (paid_hours_of(r, other), false),
        };
        let low = c.lowest();
        let strong = if c.method == PlanMethod::Plan {
            " style=\"font-weight:700\""
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr{strong}><td>{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}{}</td>",
            esc(method_label(c.method)),
            c.agent_hours,
            paid,
            if exact { "" } else { "*" }
        );
        if let Some(cs) = rate {
            let cost = if exact {
                v.paid_cost.as_ref().map_or(paid * cs.agent_hour, |x| x.0)
            } else {
                paid * cs.agent_hour
            };
            let _ = write!(h, "<td class=\"n\">{}</td>", fmt_count(cost));
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} of {intervals} ({})</td></tr>",
            esc(&html::pct_ci((c.service_level.mean, c.service_level.ci95))),
            low.map_or("n/a".into(), |(k, jj, x)| format!(
                "{} at {}",
                pct(Some(x)),
                esc(&label(k, jj))
            )),
            c.missed.len(),
            c.significant.len()
        );
    }
    if let Some(sc) = &v.scenario {
        let _ = write!(
            h,
            "<tr id=\"scenario-row\"><td>The scenario's own staffing</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}*</td>",
            sc.agent_hours, sc.paid_hours
        );
        if let Some(cs) = rate {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td>",
                fmt_count(sc.paid_hours * cs.agent_hour)
            );
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} of {intervals} ({})</td></tr>",
            esc(&html::pct_ci((sc.service_level.mean, sc.service_level.ci95))),
            sc.lowest.map_or("n/a".into(), |(k, jj, x)| format!(
                "{} at {}",
                pct(Some(x)),
                esc(&label(k, jj))
            )),
            sc.missed,
            sc.significant
        );
    }
    h.push_str(
        "</table>\n<p class=\"muted\">* Paid hours the requirement needs interval by interval (÷ (1 − shrinkage), \
         rounded up), without shift constraints; the plan's are whole rostered shifts, warm-up included. Service level \
         over the whole horizon, all pools.</p>\n",
    );

    // Charts.
    if !charts.is_empty() {
        h.push_str("<h2>Charts</h2>\n");
    }
    for c in charts {
        html::figure(&mut h, c);
    }

    // Missed intervals.
    if let Some(c) = plan.filter(|c| !c.missed.is_empty()) {
        h.push_str(
            "<h2>Intervals where the plan misses</h2>\n<table>\n<tr><th>Interval</th><th>Service level ±95%</th>\
             <th>Goal</th><th>Chats offered</th><th>Beyond the CI</th></tr>\n",
        );
        for &(k, jj) in c.missed.iter().take(40) {
            let off = c.offered[k][jj];
            let goal = if off < r.planning.small_interval_contacts {
                r.target - r.planning.small_interval_tolerance
            } else {
                r.target
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(&label(k, jj)),
                esc(&pct_mo(&c.sl[k][jj])),
                pct(Some(goal)),
                fmt_count(off),
                if c.significant.contains(&(k, jj)) { "yes" } else { "no (noise)" }
            );
        }
        if c.missed.len() > 40 {
            let _ = writeln!(
                h,
                "<tr><td colspan=\"5\" class=\"muted\">… and {} more in plan_intervals.csv</td></tr>",
                c.missed.len() - 40
            );
        }
        h.push_str("</table>\n");
    }

    shifts_section(&mut h, m, r);
    provenance(&mut h, m, r, j, !charts.is_empty());
    html::page_close(&mut h);
    h
}

/// The roster per pool and shift type: shifts, paid hours, first and last start.
/// The plans at 50/80/95% confidence side by side: the cost of certainty.
fn confidence_section(h: &mut String, r: &PlanResult) {
    let Some(c) = &r.confidence else {
        return;
    };
    let _ = writeln!(
        h,
        "<h2 id=\"confidence\">The cost of certainty</h2>\n<p>Each plan is staffed for the <em>quantile day</em>: the \
         forecast times the day busyness that is not exceeded on that share of days. It is then re-simulated with random \
         day busyness on fresh seeds; <em>days meeting the target</em> is the share of simulated days whose own service \
         level reached the target. This report's plan files hold the {:.0}% plan.</p>",
        c.requested * 100.0
    );
    h.push_str(
        "<table>\n<tr><th>Confidence</th><th>Busyness of the day staffed for</th><th>Productive agent-hours</th>\
         <th>Paid hours</th><th>Cost</th><th>Days meeting the target (verified)</th><th>Overall service level</th></tr>\n",
    );
    for p in &c.ladder {
        let cost = p.paid_cost.as_ref().map_or("–".into(), |(v, cur)| {
            format!("{} {}", fmt_count(*v), esc(cur))
        });
        let share = p
            .day_meet_share
            .as_ref()
            .map_or("n/a".into(), |e| html::pct_ci((e.mean, e.ci95)));
        let _ = writeln!(
            h,
            "<tr><td>{:.0}%{}</td><td>×{:.3}</td><td>{:.1}</td><td>{:.1}</td><td>{cost}</td><td>{}</td><td>{}</td></tr>",
            p.confidence * 100.0,
            if (p.confidence - c.requested).abs() < 1e-9 { " (this plan)" } else { "" },
            p.busyness,
            p.agent_hours,
            p.paid_hours,
            esc(&share),
            esc(&html::pct_ci((p.service_level.mean, p.service_level.ci95))),
        );
    }
    h.push_str("</table>\n");
}

fn shifts_section(h: &mut String, m: &Model, r: &PlanResult) {
    let cal = &m.run.calendar;
    h.push_str("<h2>Shifts</h2>\n");
    for p in &r.pools {
        let ro = &p.roster;
        let _ = writeln!(
            h,
            "<h3>Pool “{}”: {} shifts, {:.1} paid hours</h3>\n<p>Roster by {}; cost {:.1} against the LP lower bound \
             {:.1} (gap {:.1}%). Peak {} agents on shift, {} productive after shrinkage.</p>",
            esc(&p.name),
            ro.counts.iter().sum::<u32>(),
            ro.paid_hours,
            esc(ro.method),
            ro.objective,
            ro.lp_bound,
            (ro.gap * 100.0).max(0.0) + 0.0,
            ro.on_duty.iter().max().copied().unwrap_or(0),
            p.planned.iter().max().copied().unwrap_or(0)
        );
        if ro.candidates.is_empty() {
            h.push_str("<p class=\"muted\">No shift types in <code>[planning]</code>: the paid requirement is given per interval.</p>\n");
            continue;
        }
        h.push_str(
            "<table>\n<tr><th>Shift type</th><th>Length (break)</th><th>Shifts</th><th>Paid hours</th>\
             <th>First start</th><th>Last start</th><th>Busiest start</th></tr>\n",
        );
        for (t, st) in r.planning.shifts.iter().enumerate() {
            let mut used: Vec<(f64, u32, f64)> = ro
                .candidates
                .iter()
                .zip(&ro.counts)
                .filter(|(c, &n)| c.shift_type == t && n > 0)
                .map(|(c, &n)| (c.start, n, n as f64 * c.paid_hours))
                .collect();
            if used.is_empty() {
                continue;
            }
            used.sort_by(|a, b| a.0.total_cmp(&b.0));
            let n: u32 = used.iter().map(|u| u.1).sum();
            let hours: f64 = used.iter().map(|u| u.2).sum();
            let busiest = used
                .iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
                .expect("non-empty");
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}{}</td><td class=\"n\">{n}</td><td class=\"n\">{hours:.1}</td><td>{}</td><td>{}</td>\
                 <td>{} × {}</td></tr>",
                esc(&st.name),
                esc(&fmt_duration(st.length_s)),
                if st.break_s > 0.0 {
                    format!(" ({})", esc(&fmt_duration(st.break_s)))
                } else {
                    String::new()
                },
                esc(&cal.format_short(used[0].0)),
                esc(&cal.format_short(used[used.len() - 1].0)),
                busiest.1,
                esc(&cal.format_short(busiest.0)),
            );
        }
        h.push_str("</table>\n");
    }
    for (pool, why) in &r.fixed {
        let _ = writeln!(
            h,
            "<p>Pool “{}” keeps its scenario staffing ({}).</p>",
            esc(&m.pools[*pool].name),
            esc(why)
        );
    }
    h.push_str("<p class=\"muted\">Every shift with its start, end and break is in <code>shifts.csv</code>; the headcount per interval in <code>plan.csv</code>.</p>\n");
}

fn provenance(h: &mut String, m: &Model, r: &PlanResult, j: &Value, charts: bool) {
    h.push_str("<h2>Provenance</h2>\n<table>\n");
    let code = |h: &mut String, k: &str, v: &str| {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td><code>{}</code></td></tr>",
            esc(k),
            esc(v)
        );
    };
    code(h, "Scenario", &m.name);
    if let Some(f) = j["scenario_file"].as_str() {
        code(h, "Scenario file", f);
    }
    if let Some(s) = j["scenario_sha256"].as_str() {
        code(h, "Scenario SHA-256", s);
    }
    row(
        h,
        "Simulated requirement",
        &format!(
            "{} iterations × {} replications, tuning seed {}, {}converged ({:.1} s)",
            r.iteration.log.len(),
            r.tuning_replications,
            r.tuning_seed,
            if r.iteration.converged { "" } else { "NOT " },
            r.iteration.wall_s
        ),
    );
    row(
        h,
        "Verification",
        &format!(
            "{} replications, fresh seed {} ({:.1} s)",
            r.verification.replications, r.verification.seed, r.verification.wall_s
        ),
    );
    row(
        h,
        "Planning settings",
        &format!(
            "margin {}, confidence z {}, small intervals below {} chats pass at target − {}, at least {} agent(s){}{}",
            fmt_num(r.planning.margin),
            fmt_num(r.planning.confidence_z),
            fmt_num(r.planning.small_interval_contacts),
            fmt_num(r.planning.small_interval_tolerance),
            r.planning.min_agents,
            r.planning
                .max_occupancy
                .map_or(String::new(), |o| format!(", occupancy at most {:.0}%", o * 100.0)),
            if r.planning.keep_surge { ", surge kept" } else { ", on-call surge removed" }
        ),
    );
    code(h, "kefu version", env!("CARGO_PKG_VERSION"));
    row(h, "Planner wall time", &format!("{:.1} s", r.wall_s));
    let charts = if charts {
        "The charts are also in the <code>charts/</code> folder as PNG and SVG; the numbers"
    } else {
        "The numbers"
    };
    h.push_str(&format!(
        "</table>\n<p class=\"muted\">Made by <code>kefu plan</code>. {charts} are in \
         <code>plan.json</code> and <code>plan_intervals.csv</code>; the method is described in \
         <code>docs/planning.md</code>.</p>\n"
    ));
}
