//! `intervals.csv` (contract columns first) and `intervals_by_class.csv`.

use crate::model::Model;
use crate::summary::{field, Aggregate, CLASS_FIELDS, INTERVAL_FIELDS};
use std::fmt::Write;

/// A number with at most 4 decimals and no trailing zeros; empty when undefined.
pub fn fmt_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.to_string()
            }
        }
        _ => String::new(),
    }
}

/// The contract's columns, in order: the first fields of [`INTERVAL_FIELDS`] (kefu's extras
/// follow them there).
const CONTRACT: &[&str] = INTERVAL_FIELDS.split_at(11).0;

/// `intervals.csv`: one row per reporting interval, means over replications.
pub fn intervals(m: &Model, agg: &Aggregate) -> String {
    let extras = &INTERVAL_FIELDS[CONTRACT.len()..];
    let mut out = String::from("start,");
    out.push_str(&CONTRACT.join(","));
    out.push_str(",service_level_ci95,");
    out.push_str(&extras.join(","));
    out.push('\n');
    let sl = field("service_level");
    for (i, row) in agg.intervals.iter().enumerate() {
        out.push_str(&m.run.calendar.format_minute(m.run.interval_start(i)));
        for f in CONTRACT
            .iter()
            .chain(&["service_level_ci95"])
            .chain(extras.iter())
        {
            let v = if *f == "service_level_ci95" {
                row[sl].ci95()
            } else {
                row[field(f)].mean()
            };
            let _ = write!(out, ",{}", fmt_num(v));
        }
        out.push('\n');
    }
    out
}

/// `intervals_by_class.csv`: per interval, each category and each priority.
pub fn intervals_by_class(m: &Model, agg: &Aggregate) -> String {
    let mut out = format!("start,breakdown,class,{}\n", CLASS_FIELDS.join(","));
    let names: Vec<(&str, &str)> = m
        .categories
        .iter()
        .map(|c| ("category", c.name.as_str()))
        .chain([("priority", "vip"), ("priority", "normal")])
        .collect();
    for i in 0..agg.intervals.len() {
        let start = m.run.calendar.format_minute(m.run.interval_start(i));
        for (k, (kind, name)) in names.iter().enumerate() {
            let row = &agg.classes[i * agg.class_count + k];
            let _ = write!(out, "{start},{kind},{}", csv_field(name));
            for mo in row {
                let _ = write!(out, ",{}", fmt_num(mo.mean()));
            }
            out.push('\n');
        }
    }
    out
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
