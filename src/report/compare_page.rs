//! The pages of `kefu compare`: compare.md, the chart of the differences and report.html,
//! and the lines the terminal shows.

use crate::format::insert;
use crate::report::compare_text;
use crate::report::whatif_charts::{self, DiffPanel};
use crate::report::{whatif_html, OutputDir};
use crate::stats::ci::{estimate_value, number};
use crate::verdict::Verdict;
use crate::whatif::compare::{self, Unit};
use crate::whatif::compare::{headline, MetricCompare, SERVICE_LEVEL};
use serde_json::{json, Map, Value};

/// What the pages say about the pair.
pub struct CompareInfo<'a> {
    pub a_name: &'a str,
    pub b_name: &'a str,
    pub seed: u64,
    pub replications: u32,
    pub target_service_level: f64,
    /// A and B judged by the verdict rule of `kefu run`.
    pub verdicts: [&'a Verdict; 2],
}

/// The `compare.json` object: `meta` first, then each metric under its `summary.json` path.
pub fn to_json(meta: Map<String, Value>, rows: &[MetricCompare]) -> Value {
    let mut root = meta;
    for r in rows {
        let v = json!({
            "a": estimate_value(&r.a),
            "b": estimate_value(&r.b),
            "diff": estimate_value(&r.diff),
            "independent_ci95": number(r.independent_ci95),
            "significant": r.significant(),
            "width_factor": number(r.width_factor()),
        });
        let path: Vec<&str> = r.path.iter().map(String::as_str).collect();
        insert(&mut root, &path, v);
    }
    let headline: Vec<Value> = headline(rows)
        .into_iter()
        .map(|(r, label, unit)| {
            json!({
                "metric": r.name(),
                "label": label,
                "diff": number(r.diff.mean),
                "ci95": number(r.diff.ci95),
                "significant": r.significant(),
                "statement": compare_text::statement(r, label, unit),
            })
        })
        .collect();
    root.insert("verdict".into(), Value::Array(headline));
    if let Some(sl) = rows.iter().find(|r| r.metric == SERVICE_LEVEL) {
        root.insert(
            "variance_reduction".into(),
            json!({
                "metric": sl.name(),
                "paired_ci95": number(sl.diff.ci95),
                "independent_ci95": number(sl.independent_ci95),
                "width_factor": number(sl.width_factor()),
                "variance_factor": number(sl.width_factor().map(|f| f * f)),
            }),
        );
    }
    Value::Object(root)
}

/// Writes compare.md, the chart and report.html (compare.json is `doc`, written by the caller).
pub fn write_compare(
    out: &OutputDir,
    doc: &Value,
    rows: &[compare::MetricCompare],
    info: &CompareInfo,
) -> anyhow::Result<()> {
    let title = format!("B − A: {} → {}", info.a_name, info.b_name);
    whatif_charts::compare_chart(&out.path("compare"), &title, &panels(rows))?;
    let mut md = format!(
        "## Comparison: {} (A) vs {} (B)\n\n{} paired replications, seed {}: replication r of A and of B saw the same customers (common random numbers), so each difference is estimated from paired replications.\n\n",
        crate::escape::markdown(info.a_name),
        crate::escape::markdown(info.b_name),
        info.replications,
        info.seed
    );
    md.push_str(&compare_text::table(rows, true));
    md.push('\n');
    md.push_str(&verdict_text(rows));
    md.push_str("\n![B − A with 95% CIs](compare.png)\n");
    out.write("compare.md", md)?;
    let chart = whatif_html::chart_file(
        out,
        "compare",
        &title,
        "Each panel is one metric: the dot is the mean difference B − A and the thick blue bar its paired 95% CI; \
         a bar clear of the red zero line is a real difference, and the thin grey bar shows how wide it would be \
         without pairing.",
    )?;
    out.write(
        "report.html",
        whatif_html::compare_html(
            doc,
            rows,
            info.target_service_level,
            Some(&chart),
            &[
                (&format!("A: {}", info.a_name), info.verdicts[0]),
                (&format!("B: {}", info.b_name), info.verdicts[1]),
            ],
        ),
    )?;
    Ok(())
}

/// The service-level statement, the other real differences, and the variance reduction.
pub fn verdict_text(rows: &[compare::MetricCompare]) -> String {
    let mut s = String::new();
    let head = compare::headline(rows);
    if let Some((r, label, unit)) = head.first() {
        s.push_str(&format!("  {}\n", compare_text::statement(r, label, *unit)));
    }
    let real: Vec<&str> = head
        .iter()
        .filter(|(r, _, _)| r.significant() == Some(true))
        .map(|(_, l, _)| *l)
        .collect();
    s.push_str(&format!(
        "  real differences (95% CI excludes 0): {}\n",
        if real.is_empty() {
            "none".into()
        } else {
            real.join(", ")
        }
    ));
    if let Some(sl) = rows.iter().find(|r| r.metric == compare::SERVICE_LEVEL) {
        match sl.width_factor() {
            Some(f) => s.push_str(&format!(
                "  pairing: the service-level CI is {f:.1}× narrower than from independent runs (±{:.2} pp vs ±{:.2} pp; variance reduced {:.0}×)\n",
                sl.diff.ci95.unwrap_or(0.0) * 100.0,
                sl.independent_ci95.unwrap_or(0.0) * 100.0,
                f * f
            )),
            None => s.push_str("  pairing: the paired differences are all 0 (identical results)\n"),
        }
    }
    s
}

fn panels(rows: &[compare::MetricCompare]) -> Vec<DiffPanel> {
    compare::headline(rows)
        .into_iter()
        .filter(|(r, _, _)| r.metric != compare::OFFERED)
        .take(8)
        .map(|(r, label, unit)| {
            let (scale, u) = match unit {
                Unit::Share => (100.0, "pp"),
                Unit::Seconds => (1.0, "s"),
                Unit::Count => (1.0, "contacts"),
                Unit::Hours => (1.0, "h"),
                Unit::Money => (1.0, "currency"),
            };
            DiffPanel {
                title: format!("{label} ({u})"),
                diff: r.diff.mean.unwrap_or(0.0) * scale,
                paired_ci95: r.diff.ci95.unwrap_or(0.0) * scale,
                independent_ci95: r.independent_ci95.unwrap_or(0.0) * scale,
            }
        })
        .collect()
}

/// The terminal lines judging A and B against the target (the rule of `kefu run`).
pub fn against_target_text(info: &CompareInfo) -> String {
    format!(
        "  A against the target: {}\n  B against the target: {}\n",
        info.verdicts[0].line(),
        info.verdicts[1].line()
    )
}
