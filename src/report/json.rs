//! `summary.json` and `run.json`.

pub use crate::format::insert;
use crate::model::Model;
pub use crate::stats::ci::{estimate_value, number};
use crate::summary::{Aggregate, HumanMetric};
use serde_json::{json, Map, Value};

/// The `summary.json` object.
pub fn summary(m: &Model, agg: &Aggregate, replications: u32, seed: u64) -> Value {
    let mut root = Map::new();
    root.insert("scenario".into(), json!(m.name));
    root.insert("replications".into(), json!(replications));
    root.insert("seed".into(), json!(seed));
    for (metric, e) in agg.estimates() {
        let path = agg
            .path(metric)
            .expect("the aggregate's own metrics have paths");
        insert(&mut root, &path, estimate_value(&e));
    }
    if let Some(c) = &m.costs {
        insert(&mut root, &["cost", "currency"], json!(c.currency));
    }
    super::days::add_to_summary(m, agg, &mut root);
    let sl = agg.get(HumanMetric::ServiceLevel).and_then(|e| e.mean);
    root.insert(
        "target".into(),
        json!({
            "answer_within_s": m.target.answer_within_s,
            "service_level": m.target.service_level,
            "met": sl.is_some_and(|s| s >= m.target.service_level),
        }),
    );
    Value::Object(root)
}

/// Adds `target.verdict` (the verdict rule's status and misses) beside the contract's
/// `target.met`, which stays the horizon-only test.
pub fn add_verdict(summary: &mut Value, verdict: &crate::verdict::Verdict) {
    if let Some(target) = summary.get_mut("target").and_then(Value::as_object_mut) {
        target.insert("verdict".into(), verdict.to_json());
    }
}

/// Pretty JSON text with a final newline.
pub fn to_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values serialise");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Metric;

    /// The dotted paths of the `{mean, ci95}` objects under `v`, in document order.
    fn estimate_leaves(v: &Value, prefix: &str, out: &mut Vec<String>) {
        let Value::Object(map) = v else { return };
        if map.keys().eq(["mean", "ci95"]) {
            out.push(prefix.to_string());
            return;
        }
        for (k, child) in map {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            estimate_leaves(child, &path, out);
        }
    }

    #[test]
    fn summary_lists_exactly_the_metric_table_in_order() {
        let m = crate::scenario::load_str(
            crate::scenario::DEFAULT_SCENARIO,
            "default",
            std::path::Path::new("."),
        )
        .unwrap()
        .model;
        let mut agg = Aggregate::new(&m);
        for r in 0..2 {
            agg.add(&m, &crate::engine::simulate(&m, m.run.seed, r));
        }
        let mut written = Vec::new();
        estimate_leaves(&summary(&m, &agg, 2, m.run.seed), "", &mut written);
        let cats: Vec<String> = m.categories.iter().map(|c| c.name.clone()).collect();
        let table: Vec<String> = Metric::all(&m)
            .into_iter()
            .map(|k| k.name(&cats).unwrap())
            .collect();
        assert_eq!(written, table);
        // The contract's keys are among them (scenario-format.md, `summary.json`).
        for key in [
            "contacts",
            "bot.met",
            "human.service_level",
            "tickets.count",
            "unserved",
        ] {
            assert!(table.iter().any(|n| n == key), "{key}");
        }
    }
}
