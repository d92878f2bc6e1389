//! The comparison as text: levels, differences and half-widths in each metric's unit, the
//! one-sentence statement, and the table (terminal or Markdown).

use crate::whatif::compare::{headline, MetricCompare, Unit};
use std::fmt::Write;

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
