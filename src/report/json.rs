//! `summary.json` and `run.json`.

use crate::model::Model;
pub use crate::stats::ci::{estimate_value, number};
use crate::summary::Aggregate;
use serde_json::{json, Map, Value};

fn insert(root: &mut Map<String, Value>, path: &[String], v: Value) {
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut node = root;
    for p in parents {
        node = node
            .entry(p.clone())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .expect("metric paths do not clash");
    }
    node.insert(last.clone(), v);
}

/// The `summary.json` object.
pub fn summary(m: &Model, agg: &Aggregate, replications: u32, seed: u64) -> Value {
    let mut root = Map::new();
    root.insert("scenario".into(), json!(m.name));
    root.insert("replications".into(), json!(replications));
    root.insert("seed".into(), json!(seed));
    for (p, e) in agg.estimates() {
        insert(&mut root, &p, estimate_value(&e));
    }
    if let Some(c) = &m.costs {
        insert(
            &mut root,
            &["cost".into(), "currency".into()],
            json!(c.currency),
        );
    }
    let sl = agg.get(&["human", "service_level"]).and_then(|e| e.mean);
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

/// Pretty JSON text with a final newline.
pub fn to_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values serialise");
    s.push('\n');
    s
}
