//! The pages of `kefu sweep` and `kefu merge`: sweep.json, sweep.csv, sweep.md, the charts
//! and report.html — the same bytes from one machine or from merged shards.

use crate::escape::markdown as md;
use crate::report::whatif_charts::{self, Curve, Heat};
use crate::report::{json::to_text, whatif_html, OutputDir};
use crate::stats::Estimate;
use crate::summary::HumanMetric;
use crate::whatif::edit::fmt_value;
use crate::whatif::sweep::{self, SweepInfo, SweepTable};
use serde_json::Value;
use std::fmt::Write;

/// Writes a whole sweep's files (one machine, or merged shards: the same bytes).
pub fn write_sweep(out: &OutputDir, manifest: &Value, table: &SweepTable) -> anyhow::Result<()> {
    let info = sweep::info_from_manifest(manifest)?;
    let seed = manifest["seed"].as_u64().unwrap_or(0);
    out.write("sweep.json", to_text(manifest))?;
    out.write("sweep.csv", sweep::csv_text(table))?;
    let mut md = markdown(&info, table, seed);
    let est = |metric: HumanMetric| -> Vec<(Option<f64>, Option<f64>)> {
        table
            .rows
            .iter()
            .map(|r| {
                let e = table.estimate(r, metric);
                (e.mean, e.ci95)
            })
            .collect()
    };
    let mut charts = Vec::new();
    let target_label = format!(
        "target {:.0}% within {:.0} s",
        info.target_service_level * 100.0,
        info.answer_within_s
    );
    match info.keys.as_slice() {
        [k] => {
            let xs: Vec<f64> = table.rows.iter().map(|r| r.values[0]).collect();
            whatif_charts::curve_chart(
                &out.path("sweep_service_level"),
                &Curve {
                    title: &format!("Service level against {} — {}", k.key, info.scenario),
                    x_desc: &k.key,
                    y_desc: &format!(
                        "answered within {:.0} s (% of offered)",
                        info.answer_within_s
                    ),
                    xs: &xs,
                    ys: &est(HumanMetric::ServiceLevel),
                    target: Some((info.target_service_level, &target_label)),
                    scale: 100.0,
                    series: "service level (mean over replications)",
                },
            )?;
            whatif_charts::curve_chart(
                &out.path("sweep_mean_wait"),
                &Curve {
                    title: &format!("Mean wait against {} — {}", k.key, info.scenario),
                    x_desc: &k.key,
                    y_desc: "mean wait of answered chats (s)",
                    xs: &xs,
                    ys: &est(HumanMetric::MeanWaitS),
                    target: None,
                    scale: 1.0,
                    series: "mean wait (mean over replications)",
                },
            )?;
            md.push_str(
                "\n![service level](sweep_service_level.png)\n![mean wait](sweep_mean_wait.png)\n",
            );
            charts.push(whatif_html::chart_file(
                out,
                "sweep_service_level",
                &format!("Service level against {}", k.key),
                &format!(
                    "The blue line is the service level at each value of {} with its 95% band; where it crosses the \
                     red line the target is met.",
                    k.key
                ),
            )?);
            charts.push(whatif_html::chart_file(
                out,
                "sweep_mean_wait",
                &format!("Mean wait against {}", k.key),
                "The mean wait of answered chats at each point, with its 95% band.",
            )?);
        }
        [kx, ky] => {
            let sl = est(HumanMetric::ServiceLevel);
            let z: Vec<Vec<Option<f64>>> = (0..kx.values.len())
                .map(|i| {
                    (0..ky.values.len())
                        .map(|j| sl[i * ky.values.len() + j].0)
                        .collect()
                })
                .collect();
            whatif_charts::heat_chart(
                &out.path("sweep_heatmap"),
                &Heat {
                    title: &format!(
                        "Service level (answered within {:.0} s) — {}",
                        info.answer_within_s, info.scenario
                    ),
                    x_desc: &kx.key,
                    y_desc: &ky.key,
                    xs: &kx.values,
                    ys: &ky.values,
                    z: &z,
                    level: info.target_service_level,
                },
            )?;
            md.push_str("\n![service level heat map](sweep_heatmap.png)\n");
            charts.push(whatif_html::chart_file(
                out,
                "sweep_heatmap",
                &format!("Service level over {} × {}", kx.key, ky.key),
                "Each cell is one point of the sweep coloured by its service level; the line marks the target.",
            )?);
        }
        _ => {}
    }
    out.write("sweep.md", md)?;
    out.write(
        "report.html",
        whatif_html::sweep_html(&info, table, manifest, &charts),
    )?;
    Ok(())
}

/// `sweep.md`: the report section.
pub fn markdown(info: &SweepInfo, t: &SweepTable, seed: u64) -> String {
    let mut s = String::new();
    // Names are escaped for Markdown: a scenario name cannot open HTML or end a cell.
    let keys: Vec<String> = info.keys.iter().map(|k| md(&k.key)).collect();
    let _ = writeln!(
        s,
        "## Sweep: {} — {}\n",
        md(&info.scenario),
        keys.join(" × ")
    );
    let _ = writeln!(
        s,
        "{} point(s), seed {seed}, the same random draws at every point (common random numbers). \
         Service level = share of chats offered to agents answered within {:.0} s; target {:.0}%.\n",
        t.rows.len(),
        info.answer_within_s,
        info.target_service_level * 100.0
    );
    let _ = write!(s, "|");
    for k in &keys {
        let _ = write!(s, " {k} |");
    }
    let _ = writeln!(
        s,
        " replications | service level | mean wait | abandon rate | meets target |"
    );
    let _ = writeln!(s, "|{}", " --- |".repeat(keys.len() + 5));
    for r in &t.rows {
        let sl = t.estimate(r, HumanMetric::ServiceLevel);
        let w = t.estimate(r, HumanMetric::MeanWaitS);
        let ab = t.estimate(r, HumanMetric::AbandonRate);
        let _ = write!(s, "|");
        for v in &r.values {
            let _ = write!(s, " {} |", fmt_value(*v));
        }
        let pct = |e: Estimate| match (e.mean, e.ci95) {
            (Some(m), Some(c)) => format!("{:.2}% ± {:.2}", m * 100.0, c * 100.0),
            (Some(m), None) => format!("{:.2}%", m * 100.0),
            _ => "n/a".into(),
        };
        let _ = writeln!(
            s,
            " {} | {} | {} | {} | {} |",
            r.replications,
            pct(sl),
            w.mean.map_or("n/a".into(), |m| format!("{m:.1} s")),
            pct(ab),
            if sl.mean.is_some_and(|m| m >= info.target_service_level) {
                "yes"
            } else {
                "no"
            }
        );
    }
    if keys.len() == 1 {
        if let Some(r) = t.rows.iter().find(|r| {
            t.estimate(r, HumanMetric::ServiceLevel)
                .mean
                .is_some_and(|m| m >= info.target_service_level)
        }) {
            let _ = writeln!(
                s,
                "\nThe target is first met at {} = {}.",
                keys[0],
                fmt_value(r.values[0])
            );
        } else {
            let _ = writeln!(s, "\nNo point of the sweep meets the target.");
        }
    }
    s
}
