//! `kefu compare A B`: every metric as `B − A` with a paired 95% confidence interval
//! (replication r of A and of B saw the same customers), each side's own estimate, and the
//! half-width the difference would have had from unpaired runs (the variance reduction).

use crate::format::insert;
use crate::stats::ci::{estimate, estimate_value, mean_sd, number, t_quantile, Estimate};
use crate::summary::{Aggregate, HumanMetric, Metric, TotalMetric};
use serde_json::{json, Map, Value};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::fmt::Write;

/// How a metric is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share: values in %, differences in percentage points.
    Share,
    Seconds,
    Count,
    Hours,
    Money,
}

/// The headline metrics: the verdict, the terminal table and the chart.
pub const HEADLINE: &[(Metric, &str, Unit)] = &[
    (SERVICE_LEVEL, "service level", Unit::Share),
    (human(HumanMetric::AbandonRate), "abandon rate", Unit::Share),
    (human(HumanMetric::MeanWaitS), "mean wait", Unit::Seconds),
    (
        human(HumanMetric::WaitP90S),
        "90th percentile wait",
        Unit::Seconds,
    ),
    (human(HumanMetric::Occupancy), "occupancy", Unit::Share),
    (
        total(TotalMetric::BotContainment),
        "bot containment",
        Unit::Share,
    ),
    (OFFERED, "chats offered to agents", Unit::Count),
    (total(TotalMetric::TicketCount), "tickets", Unit::Count),
    (total(TotalMetric::AgentHours), "agent hours", Unit::Hours),
    (total(TotalMetric::CostTotal), "cost", Unit::Money),
];

/// The metric of the variance-reduction figure.
pub const SERVICE_LEVEL: Metric = human(HumanMetric::ServiceLevel);
/// A headline metric left out of the difference chart (its scale dwarfs the others).
pub const OFFERED: Metric = human(HumanMetric::Offered);

const fn human(k: HumanMetric) -> Metric {
    Metric::human(k)
}

const fn total(t: TotalMetric) -> Metric {
    Metric::Total(t)
}

/// One metric compared.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricCompare {
    /// The metric (as A's scenario numbers its categories).
    pub metric: Metric,
    /// Its path in `summary.json`, e.g. `["human", "service_level"]`.
    pub path: Vec<String>,
    pub a: Estimate,
    pub b: Estimate,
    /// Mean of the paired differences `b − a` and its 95% half-width.
    pub diff: Estimate,
    /// The 95% half-width of `mean(b) − mean(a)` had the runs been independent (Welch).
    pub independent_ci95: Option<f64>,
}

impl MetricCompare {
    /// The dotted path, e.g. `human.service_level`.
    pub fn name(&self) -> String {
        self.path.join(".")
    }

    /// Whether the paired CI excludes 0 (`None` when it is undefined).
    pub fn significant(&self) -> Option<bool> {
        let (m, ci) = (self.diff.mean?, self.diff.ci95?);
        Some(m.abs() > ci)
    }

    /// Independent half-width ÷ paired half-width (`None` when the paired one is 0).
    pub fn width_factor(&self) -> Option<f64> {
        let (ind, ci) = (self.independent_ci95?, self.diff.ci95?);
        (ci > 0.0).then(|| ind / ci)
    }
}

/// Welch's 95% half-width for the difference of two independent means.
pub fn independent_half_width(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let (_, sa, na) = mean_sd(a);
    let (_, sb, nb) = mean_sd(b);
    let (sa, sb) = (sa?, sb?);
    let (va, vb) = (sa * sa / na as f64, sb * sb / nb as f64);
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some(0.0);
    }
    let dof = se2 * se2 / (va * va / (na - 1) as f64 + vb * vb / (nb - 1) as f64);
    let t = match StudentsT::new(0.0, 1.0, dof) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => t_quantile(0.95, (na + nb).saturating_sub(2).max(1)),
    };
    Some(t * se2.sqrt())
}

/// Compares every metric A has that B has too (paired by replication index).
pub fn compare(a: &Aggregate, b: &Aggregate) -> Vec<MetricCompare> {
    a.metrics
        .iter()
        .filter_map(|&metric| {
            // Paired by name: B's categories may be numbered differently.
            let va = a.values(metric)?;
            let vb = b.values(b.metric_named(&a.name(metric)?)?)?;
            let d: Vec<Option<f64>> = va
                .iter()
                .zip(&vb)
                .map(|(x, y)| Some((*y)? - (*x)?))
                .collect();
            Some(MetricCompare {
                metric,
                path: a.path(metric)?.into_iter().map(String::from).collect(),
                a: estimate(&va),
                b: estimate(&vb),
                diff: estimate(&d),
                independent_ci95: independent_half_width(&va, &vb),
            })
        })
        .collect()
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
                "statement": statement(r, label, unit),
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

/// The headline rows present, with label and unit.
pub fn headline(rows: &[MetricCompare]) -> Vec<(&MetricCompare, &'static str, Unit)> {
    HEADLINE
        .iter()
        .filter_map(|(metric, label, unit)| {
            rows.iter()
                .find(|r| r.metric == *metric)
                .map(|r| (r, *label, *unit))
        })
        .collect()
}

/// A level in the metric's unit.
pub fn fmt_level(v: Option<f64>, unit: Unit) -> String {
    let Some(x) = v else { return "n/a".into() };
    match unit {
        Unit::Share => format!("{:.2}%", x * 100.0),
        Unit::Seconds => format!("{x:.1} s"),
        Unit::Count => format!("{x:.1}"),
        Unit::Hours => format!("{x:.1} h"),
        Unit::Money => format!("{x:.0}"),
    }
}

/// A difference in the metric's unit (shares in percentage points).
pub fn fmt_diff(v: Option<f64>, unit: Unit) -> String {
    let Some(x) = v else { return "n/a".into() };
    let s = fmt_diff_raw(x, unit);
    // A difference that rounds to zero is shown without a sign: "0.0 h", not "-0.0 h".
    if s.chars().filter(|c| c.is_ascii_digit()).all(|c| c == '0') {
        s.trim_start_matches(['-', '+']).to_string()
    } else {
        s
    }
}

fn fmt_diff_raw(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Share => format!("{:+.2} pp", x * 100.0),
        Unit::Seconds => format!("{x:+.1} s"),
        Unit::Count => format!("{x:+.1}"),
        Unit::Hours => format!("{x:+.1} h"),
        Unit::Money => format!("{x:+.0}"),
    }
}

/// A half-width in the metric's unit.
pub fn fmt_hw(v: Option<f64>, unit: Unit) -> String {
    match (v, unit) {
        (None, _) => "n/a".into(),
        (Some(x), Unit::Share) => format!("{:.2} pp", x * 100.0),
        (Some(x), Unit::Seconds) => format!("{x:.1} s"),
        (Some(x), Unit::Count) => format!("{x:.1}"),
        (Some(x), Unit::Hours) => format!("{x:.1} h"),
        (Some(x), Unit::Money) => format!("{x:.0}"),
    }
}

/// One sentence: "service level: B − A = +1.30 pp ± 0.21 pp (real: the CI excludes 0)".
pub fn statement(r: &MetricCompare, label: &str, unit: Unit) -> String {
    let verdict = match r.significant() {
        Some(true) => "real: the 95% CI excludes 0",
        Some(false) if r.diff.ci95 == Some(0.0) => "no difference at all",
        Some(false) => "not distinguishable from 0",
        None => "undefined",
    };
    format!(
        "{label}: B − A = {} ± {} ({verdict})",
        fmt_diff(r.diff.mean, unit),
        fmt_hw(r.diff.ci95, unit)
    )
}

/// The comparison table as text (`markdown` for the report section).
pub fn table(rows: &[MetricCompare], markdown: bool) -> String {
    let mut s = String::new();
    let head = [
        "metric",
        "A",
        "B",
        "B − A",
        "paired ±95%",
        "unpaired ±95%",
        "verdict",
    ];
    let lines: Vec<[String; 7]> = headline(rows)
        .into_iter()
        .map(|(r, label, unit)| {
            [
                label.to_string(),
                fmt_level(r.a.mean, unit),
                fmt_level(r.b.mean, unit),
                fmt_diff(r.diff.mean, unit),
                fmt_hw(r.diff.ci95, unit),
                fmt_hw(r.independent_ci95, unit),
                match r.significant() {
                    Some(true) => "real".into(),
                    Some(false) if r.diff.ci95 == Some(0.0) => "identical".into(),
                    Some(false) => "not significant".into(),
                    None => "n/a".into(),
                },
            ]
        })
        .collect();
    if markdown {
        let _ = writeln!(s, "| {} |", head.join(" | "));
        let _ = writeln!(s, "|{}", " --- |".repeat(head.len()));
        for l in &lines {
            let _ = writeln!(s, "| {} |", l.join(" | "));
        }
        return s;
    }
    let mut w = head.map(|h| h.chars().count());
    for l in &lines {
        for (k, c) in l.iter().enumerate() {
            w[k] = w[k].max(c.chars().count());
        }
    }
    let row = |cells: &[String]| {
        let mut t = String::from(" ");
        for (k, c) in cells.iter().enumerate() {
            let pad = w[k] - c.chars().count();
            if k == 0 || k == 6 {
                t.push_str(&format!(" {c}{}", " ".repeat(pad)));
            } else {
                t.push_str(&format!(" {}{c}", " ".repeat(pad)));
            }
        }
        t.trim_end().to_string() + "\n"
    };
    s.push_str(&row(&head.map(String::from)));
    for l in &lines {
        s.push_str(&row(l));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_matches_pooled_for_equal_variances() {
        let a = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
        let b = [Some(2.0), Some(3.0), Some(4.0), Some(5.0)];
        let w = independent_half_width(&a, &b).unwrap();
        // Equal variances and sizes: Welch's dof = 6, se = sqrt(2 × 1.6667 / 4).
        let expect = t_quantile(0.95, 6) * (2.0 * (5.0 / 3.0) / 4.0f64).sqrt();
        assert!((w - expect).abs() < 1e-9, "{w} vs {expect}");
    }
}
