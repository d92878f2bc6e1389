//! `intervals.csv` (contract columns first) and `intervals_by_class.csv`.

pub use crate::escape::csv_field;
pub use crate::format::fmt_num;
use crate::model::Model;
use crate::summary::{Aggregate, ClassField, IntervalField, Priority};
use std::fmt::Write;
use std::io;

/// The column after the contract's: the service level's 95% half-width.
const SERVICE_LEVEL_CI95: &str = "service_level_ci95";

/// `intervals.csv`: one row per reporting interval, means over replications.
pub fn intervals(m: &Model, agg: &Aggregate) -> anyhow::Result<String> {
    let mut out = Vec::new();
    write_intervals(m, agg, &mut out)?;
    Ok(String::from_utf8(out)?)
}

/// [`intervals`] written to `w` one row at a time.
pub fn write_intervals(m: &Model, agg: &Aggregate, w: &mut dyn io::Write) -> anyhow::Result<()> {
    // The contract's columns, then the service level's half-width, then kefu's extras.
    let (contract, extras): (Vec<IntervalField>, Vec<IntervalField>) = IntervalField::ALL
        .iter()
        .filter(|f| f.in_csv())
        .partition(|f| f.in_contract());
    let names = |fs: &[IntervalField]| fs.iter().map(|f| f.name()).collect::<Vec<_>>().join(",");
    let mut line = String::from("start,");
    line.push_str(&names(&contract));
    let _ = write!(line, ",{SERVICE_LEVEL_CI95},");
    line.push_str(&names(&extras));
    line.push('\n');
    w.write_all(line.as_bytes())?;
    let mut written = Ok(());
    agg.intervals.for_each(|i, row, _| {
        if written.is_err() {
            return;
        }
        line.clear();
        line.push_str(&m.run.calendar.format_minute(m.run.interval_start(i)));
        let ci95 = row[IntervalField::ServiceLevel].ci95();
        let mean = |f: &IntervalField| row[*f].mean();
        for v in contract
            .iter()
            .map(mean)
            .chain([ci95])
            .chain(extras.iter().map(mean))
        {
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
    let columns: Vec<&str> = ClassField::ALL.iter().map(|f| f.name()).collect();
    let mut out = format!("start,breakdown,class,{}\n", columns.join(","));
    let names: Vec<(&str, String)> = m
        .categories
        .iter()
        .map(|c| ("category", csv_field(&c.name)))
        .chain(
            Priority::ALL
                .iter()
                .map(|p| ("priority", p.name().to_string())),
        )
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
