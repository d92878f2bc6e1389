//! `report.html` of `kefu compare` and `kefu sweep`: the run report's look ([`html`]) with a
//! verdict, the what-if charts inlined as SVG, the numbers as a table and the provenance.
//! Made from the written files and tables only (no wall times), so that a sweep merged from
//! shards gives the same bytes as one run.

use super::charts::{ChartFile, SVG_FONTS};
use super::html::{self, card, esc, row};
use super::OutputDir;
use crate::report::compare_text;
use crate::summary::HumanMetric;
use crate::verdict::Verdict;
use crate::whatif::compare::{self, MetricCompare};
use crate::whatif::edit::fmt_value;
use crate::whatif::sweep::{SweepInfo, SweepTable};
use serde_json::Value;
use std::fmt::Write;

/// A what-if chart already written as `<stem>.png` and `<stem>.svg` in `out`, read back for
/// inlining (its SVG asks for the fonts the layout was made with, like the run charts).
pub fn chart_file(
    out: &OutputDir,
    stem: &str,
    title: &str,
    insight: &str,
) -> anyhow::Result<ChartFile> {
    let svg = format!("{stem}.svg");
    let text = std::fs::read_to_string(out.path(&svg))
        .map_err(|e| anyhow::anyhow!("cannot read back {svg}: {e}"))?;
    Ok(ChartFile {
        stem: stem.to_string(),
        title: title.to_string(),
        insight: insight.to_string(),
        png: format!("{stem}.png"),
        svg,
        svg_text: text.replace(
            "font-family=\"sans-serif\"",
            &format!("font-family=\"{SVG_FONTS}\""),
        ),
        render_s: 0.0,
    })
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |x| format!("{:.1}%", x * 100.0))
}

fn code_row(h: &mut String, k: &str, v: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\">{}</th><td><code>{}</code></td></tr>",
        esc(k),
        esc(v)
    );
}

/// The comparison report. `doc` is `compare.json` (for the provenance), `target` the service
/// level target of A.
pub fn compare_html(
    doc: &Value,
    rows: &[MetricCompare],
    target: f64,
    chart: Option<&ChartFile>,
    verdicts: &[(&str, &Verdict)],
) -> String {
    let (a, b) = (
        doc["scenario_a"]["name"].as_str().unwrap_or("A"),
        doc["scenario_b"]["name"].as_str().unwrap_or("B"),
    );
    let reps = doc["replications"].as_u64().unwrap_or(0);
    let mut h = html::page_open(&format!("kefu compare: {a} vs {b}"));
    let _ = writeln!(
        h,
        "<h1>Comparison: {} (A) vs {} (B)</h1>\n<p class=\"sub\">{reps} paired replications: replication r of A \
         and of B saw the same customers (common random numbers), so every difference B − A is estimated from \
         pairs; “±” is its 95% confidence half-width.</p>",
        esc(a),
        esc(b)
    );
    let sl = rows.iter().find(|r| r.metric == compare::SERVICE_LEVEL);
    let (class, head) = match sl.map(|r| (r.significant(), r.diff.mean, r.diff.ci95)) {
        Some((Some(true), Some(d), Some(ci))) if d > 0.0 => (
            "met",
            format!(
                "B raises the service level by {:.2} ± {:.2} points",
                d * 100.0,
                ci * 100.0
            ),
        ),
        Some((Some(true), Some(d), Some(ci))) => (
            "missed",
            format!(
                "B lowers the service level by {:.2} ± {:.2} points",
                -d * 100.0,
                ci * 100.0
            ),
        ),
        Some((_, _, Some(0.0))) => (
            "close",
            "A and B give the same service level in every replication".to_string(),
        ),
        Some((Some(false), _, _)) => ("close", "No real difference in service level".to_string()),
        _ => ("missed", "No verdict: no service level to compare".into()),
    };
    let mut line = String::new();
    if let Some(s) = sl {
        let _ = write!(
            line,
            "Service level (answered within the target time) A <strong>{}</strong>, B <strong>{}</strong> against \
             the {:.0}% target; B − A = <strong>{}</strong> ({}). ",
            esc(&html::pct_ci((s.a.mean, s.a.ci95))),
            esc(&html::pct_ci((s.b.mean, s.b.ci95))),
            target * 100.0,
            esc(&format!(
                "{} ± {}",
                compare_text::fmt_diff(s.diff.mean, compare::Unit::Share),
                compare_text::fmt_hw(s.diff.ci95, compare::Unit::Share)
            )),
            match s.significant() {
                Some(true) => "real: the 95% CI excludes 0",
                _ => "not distinguishable from 0",
            }
        );
    }
    let head_rows = compare::headline(rows);
    let real: Vec<&str> = head_rows
        .iter()
        .filter(|(r, _, _)| r.significant() == Some(true))
        .map(|(_, l, _)| *l)
        .collect();
    let _ = write!(
        line,
        "Real differences: {}.",
        if real.is_empty() {
            "none".to_string()
        } else {
            esc(&real.join(", "))
        }
    );
    html::verdict_box(&mut h, class, &head, &line);
    against_target(&mut h, verdicts);

    h.push_str("<div class=\"cards\">\n");
    if let Some(s) = sl {
        card(
            &mut h,
            "Service level, B − A",
            &format!(
                "{} ± {}",
                compare_text::fmt_diff(s.diff.mean, compare::Unit::Share),
                compare_text::fmt_hw(s.diff.ci95, compare::Unit::Share)
            ),
            &format!("A {} → B {}", pct(s.a.mean), pct(s.b.mean)),
        );
        match s.width_factor() {
            Some(f) => card(
                &mut h,
                "Variance reduction by pairing",
                &format!("{:.1}× less variance", f * f),
                &format!(
                    "CI ±{:.2} pp paired vs ±{:.2} pp from independent runs ({f:.1}× narrower)",
                    s.diff.ci95.unwrap_or(0.0) * 100.0,
                    s.independent_ci95.unwrap_or(0.0) * 100.0
                ),
            ),
            None => card(
                &mut h,
                "Variance reduction by pairing",
                "n/a",
                "the paired differences are all 0",
            ),
        }
        let meets = |m: Option<f64>| match m {
            Some(x) if x >= target => "meets",
            Some(_) => "misses",
            None => "n/a",
        };
        card(
            &mut h,
            &format!("Target {:.0}% (whole horizon)", target * 100.0),
            &format!("A {}, B {}", meets(s.a.mean), meets(s.b.mean)),
            "mean over replications",
        );
    }
    h.push_str("</div>\n");

    h.push_str(
        "<h2>Every headline metric</h2>\n<table>\n<tr><th>Metric</th><th>A</th><th>B</th><th>B − A</th>\
         <th>Paired ±95%</th><th>Unpaired ±95%</th><th>Verdict</th></tr>\n",
    );
    for (r, label, unit) in &head_rows {
        let verdict = match r.significant() {
            Some(true) => "real",
            Some(false) if r.diff.ci95 == Some(0.0) => "identical",
            Some(false) => "not significant",
            None => "n/a",
        };
        let strong = if verdict == "real" {
            " style=\"font-weight:700\""
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<tr{strong}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{verdict}</td></tr>",
            esc(label),
            esc(&compare_text::fmt_level(r.a.mean, *unit)),
            esc(&compare_text::fmt_level(r.b.mean, *unit)),
            esc(&compare_text::fmt_diff(r.diff.mean, *unit)),
            esc(&compare_text::fmt_hw(r.diff.ci95, *unit)),
            esc(&compare_text::fmt_hw(r.independent_ci95, *unit)),
        );
    }
    h.push_str("</table>\n<p class=\"muted\">A difference is real when its paired 95% CI excludes 0. “Unpaired” is the half-width the same number of independent runs would have given.</p>\n");
    if let Some(c) = chart {
        h.push_str("<h2>Chart</h2>\n");
        html::figure(&mut h, c);
    }

    h.push_str("<h2>Provenance</h2>\n<table>\n");
    for (side, key) in [("A", "scenario_a"), ("B", "scenario_b")] {
        let s = &doc[key];
        code_row(
            &mut h,
            &format!("Scenario {side}"),
            &format!(
                "{} ({})",
                s["name"].as_str().unwrap_or(""),
                s["file"].as_str().unwrap_or("")
            ),
        );
        code_row(
            &mut h,
            &format!("SHA-256 of {side}"),
            s["sha256"].as_str().unwrap_or(""),
        );
    }
    code_row(&mut h, "Seed", &doc["seed"].to_string());
    let mode = &doc["replications_mode"];
    row(
        &mut h,
        "Replications",
        &if mode["mode"] == "auto" {
            format!(
                "{reps}, chosen automatically for a service-level CI of ±{:.2} pp{}",
                mode["precision"].as_f64().unwrap_or(0.0) * 100.0,
                if mode["converged"] == false {
                    " (cap reached)"
                } else {
                    ""
                }
            )
        } else {
            reps.to_string()
        },
    );
    code_row(&mut h, "kefu version", env!("CARGO_PKG_VERSION"));
    h.push_str("</table>\n<p class=\"muted\">Made by <code>kefu compare</code>. Every metric is in <code>compare.json</code>; the chart also as <code>compare.png</code>.</p>\n");
    html::page_close(&mut h);
    h
}

/// The one-line verdict of a sweep: where the service level crosses the target, if it does.
/// Also the class of the verdict box.
pub fn sweep_verdict(info: &SweepInfo, t: &SweepTable) -> (&'static str, String) {
    let target = info.target_service_level;
    let sl: Vec<Option<f64>> = t
        .rows
        .iter()
        .map(|r| t.estimate(r, HumanMetric::ServiceLevel).mean)
        .collect();
    let meets = |v: &Option<f64>| v.is_some_and(|x| x >= target);
    let n_meet = sl.iter().filter(|v| meets(v)).count();
    let tgt = format!("{:.0}%", target * 100.0);
    let at = |i: usize| {
        info.keys
            .iter()
            .zip(&t.rows[i].values)
            .map(|(k, v)| format!("{} = {}", k.key, fmt_value(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let best = (0..sl.len())
        .filter(|&i| sl[i].is_some())
        .max_by(|&a, &b| sl[a].unwrap_or(0.0).total_cmp(&sl[b].unwrap_or(0.0)));
    let worst = (0..sl.len())
        .filter(|&i| sl[i].is_some())
        .min_by(|&a, &b| sl[a].unwrap_or(0.0).total_cmp(&sl[b].unwrap_or(0.0)));
    if n_meet == 0 {
        return (
            "missed",
            format!(
                "No point of the sweep reaches the {tgt} target{}.",
                best.map_or(String::new(), |i| format!(
                    "; the best is {} at {}",
                    pct(sl[i]),
                    at(i)
                ))
            ),
        );
    }
    if n_meet == sl.len() {
        return (
            "met",
            format!(
                "Every point of the sweep meets the {tgt} target{}.",
                worst.map_or(String::new(), |i| format!(
                    "; the lowest is {} at {}",
                    pct(sl[i]),
                    at(i)
                ))
            ),
        );
    }
    if info.keys.len() == 1 {
        let key = &info.keys[0].key;
        if let Some(i) = (1..sl.len()).find(|&i| meets(&sl[i]) != meets(&sl[i - 1])) {
            let dir = if meets(&sl[i]) {
                "rises above"
            } else {
                "falls below"
            };
            return (
                "close",
                format!(
                    "The service level {dir} the {tgt} target between {key} = {} ({}) and {key} = {} ({}).",
                    fmt_value(t.rows[i - 1].values[0]),
                    pct(sl[i - 1]),
                    fmt_value(t.rows[i].values[0]),
                    pct(sl[i]),
                ),
            );
        }
    }
    (
        "close",
        format!(
            "The {tgt} target is met at {n_meet} of {} points; the dark line on the heat map separates them.",
            sl.len()
        ),
    )
}

/// The sweep report.
pub fn sweep_html(
    info: &SweepInfo,
    t: &SweepTable,
    manifest: &Value,
    charts: &[ChartFile],
) -> String {
    let keys: Vec<&str> = info.keys.iter().map(|k| k.key.as_str()).collect();
    let mut h = html::page_open(&format!("kefu sweep: {}", info.scenario));
    let _ = writeln!(
        h,
        "<h1>Sweep: {} — {}</h1>\n<p class=\"sub\">{} point(s), seed {}, the same random draws at every point \
         (common random numbers). Service level = share of chats offered to agents answered within {:.0} s; \
         “±” is the 95% confidence half-width.</p>",
        esc(&info.scenario),
        esc(&keys.join(" × ")),
        t.rows.len(),
        manifest["seed"],
        info.answer_within_s
    );
    let (class, line) = sweep_verdict(info, t);
    let head = match class {
        "met" => "Target met at every point",
        "missed" => "Target missed at every point",
        _ => "Where the target is met",
    };
    html::verdict_box(&mut h, class, head, &esc(&line));
    if !charts.is_empty() {
        h.push_str("<h2>Charts</h2>\n");
    }
    for c in charts {
        html::figure(&mut h, c);
    }
    h.push_str("<h2>Every point</h2>\n<table>\n<tr>");
    for k in &keys {
        let _ = write!(h, "<th>{}</th>", esc(k));
    }
    h.push_str("<th>Replications</th><th>Service level ±95%</th><th>Mean wait</th><th>Abandon rate ±95%</th><th>Meets target</th></tr>\n");
    for r in &t.rows {
        let sl = t.estimate(r, HumanMetric::ServiceLevel);
        let w = t.estimate(r, HumanMetric::MeanWaitS);
        let ab = t.estimate(r, HumanMetric::AbandonRate);
        h.push_str("<tr>");
        for v in &r.values {
            let _ = write!(h, "<td class=\"n\">{}</td>", esc(&fmt_value(*v)));
        }
        let meets = sl.mean.is_some_and(|m| m >= info.target_service_level);
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            r.replications,
            esc(&html::pct_ci((sl.mean, sl.ci95))),
            w.mean.map_or("n/a".into(), |m| format!("{m:.1} s")),
            esc(&html::pct_ci((ab.mean, ab.ci95))),
            if meets { "<strong>yes</strong>" } else { "no" }
        );
    }
    h.push_str("</table>\n<h2>Provenance</h2>\n<table>\n");
    code_row(&mut h, "Scenario", &info.scenario);
    code_row(
        &mut h,
        "Scenario SHA-256",
        manifest["scenario_sha256"].as_str().unwrap_or(""),
    );
    code_row(&mut h, "Seed", &manifest["seed"].to_string());
    row(
        &mut h,
        "Replications",
        &match &manifest["replications"] {
            Value::String(s) if s == "auto" => format!(
                "auto per point, for a service-level CI of ±{:.2} pp",
                manifest["precision"].as_f64().unwrap_or(0.0) * 100.0
            ),
            v => format!("{v} per point"),
        },
    );
    code_row(&mut h, "kefu version", env!("CARGO_PKG_VERSION"));
    h.push_str("</table>\n<p class=\"muted\">Made by <code>kefu sweep</code>. Every metric of every point is in <code>sweep.csv</code>; the charts also as PNG beside this file.</p>\n");
    html::page_close(&mut h);
    h
}

/// Each scenario judged by the verdict rule of `kefu run` (horizon, intervals, classes).
fn against_target(h: &mut String, verdicts: &[(&str, &Verdict)]) {
    if verdicts.is_empty() {
        return;
    }
    h.push_str("<table id=\"verdicts\">\n<tr><th>Scenario</th><th>Against the target</th></tr>\n");
    for (who, v) in verdicts {
        let _ = writeln!(
            h,
            "<tr class=\"{}\"><th scope=\"row\">{}</th><td><strong>{}</strong>: {}</td></tr>",
            v.css_class(),
            esc(who),
            esc(&v.headline()),
            esc(&v.line())
        );
    }
    let _ = writeln!(
        h,
        "</table>\n<p class=\"muted\">{}</p>",
        esc(crate::verdict::RULE_TEXT)
    );
}
