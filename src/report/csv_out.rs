//! `intervals.csv` (contract columns first) and `intervals_by_class.csv`.

use crate::model::Model;
use crate::summary::{field, Aggregate, CLASS_FIELDS, INTERVAL_FIELDS};
use std::fmt::Write;
use std::io;

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
pub fn intervals(m: &Model, agg: &Aggregate) -> anyhow::Result<String> {
    let mut out = Vec::new();
    write_intervals(m, agg, &mut out)?;
    Ok(String::from_utf8(out)?)
}

/// [`intervals`] written to `w` one row at a time.
pub fn write_intervals(m: &Model, agg: &Aggregate, w: &mut dyn io::Write) -> anyhow::Result<()> {
    let extras = &INTERVAL_FIELDS[CONTRACT.len()..];
    let mut line = String::from("start,");
    line.push_str(&CONTRACT.join(","));
    line.push_str(",service_level_ci95,");
    line.push_str(&extras.join(","));
    line.push('\n');
    w.write_all(line.as_bytes())?;
    let sl = field("service_level");
    let mut written = Ok(());
    agg.intervals.for_each(|i, row, _| {
        if written.is_err() {
            return;
        }
        line.clear();
        line.push_str(&m.run.calendar.format_minute(m.run.interval_start(i)));
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
            let _ = write!(line, ",{}", fmt_num(v));
        }
        line.push('\n');
        written = w.write_all(line.as_bytes());
    })?;
    Ok(written?)
}

/// `intervals_by_class.csv`: per interval, each category and each priority.
pub fn intervals_by_class(m: &Model, agg: &Aggregate) -> anyhow::Result<String> {
    let mut out = Vec::new();
    write_intervals_by_class(m, agg, &mut out)?;
    Ok(String::from_utf8(out)?)
}

/// [`intervals_by_class`] written to `w` one interval at a time.
pub fn write_intervals_by_class(
    m: &Model,
    agg: &Aggregate,
    w: &mut dyn io::Write,
) -> anyhow::Result<()> {
    let mut out = format!("start,breakdown,class,{}\n", CLASS_FIELDS.join(","));
    let names: Vec<(&str, String)> = m
        .categories
        .iter()
        .map(|c| ("category", csv_field(&c.name)))
        .chain([("priority", "vip".into()), ("priority", "normal".into())])
        .collect();
    let mut written = w.write_all(out.as_bytes());
    agg.intervals.for_each(|i, _, classes| {
        if written.is_err() {
            return;
        }
        out.clear();
        let start = m.run.calendar.format_minute(m.run.interval_start(i));
        for ((kind, name), row) in names.iter().zip(classes) {
            let _ = write!(out, "{start},{kind},{name}");
            for mo in row {
                let _ = write!(out, ",{}", fmt_num(mo.mean()));
            }
            out.push('\n');
        }
        written = w.write_all(out.as_bytes());
    })?;
    Ok(written?)
}

/// Quotes a CSV field when it needs it, guarding formulas ([`crate::escape::csv_field`]).
pub fn csv_field(s: &str) -> String {
    crate::escape::csv_field(s)
}
