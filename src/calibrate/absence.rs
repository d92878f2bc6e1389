//! Absence from a roster-versus-actuals CSV (`kefu calibrate --roster FILE`): one row per
//! day (and optionally pool) with the agents scheduled and those who turned up,
//! `date,scheduled,present`. The absence probability is 1 − Σ present / Σ scheduled; its
//! standard error is that of a ratio estimator over days (days, not agents, are the
//! independent units: a flu wave takes several agents on the same day).

use crate::escape::excerpt;

/// Fewest rows (days) for an estimate.
pub const MIN_ROWS: usize = 3;

/// The fitted absence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbsenceFit {
    pub rows: usize,
    pub scheduled: f64,
    pub absence: f64,
    pub se: f64,
}

/// Fits from the CSV text; `file` names it in errors (with the line).
pub fn fit_roster(text: &str, file: &str) -> Result<AbsenceFit, String> {
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| format!("{file}: not a CSV file: {e}"))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!("{file}: needs the columns scheduled and present (a row per day); no column `{name}`")
            })
    };
    let (si, pi) = (col("scheduled")?, col("present")?);
    let mut days: Vec<(f64, f64)> = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i + 2, |p| p.line() as usize);
        let rec = rec.map_err(|e| format!("{file}:{line}: {e}"))?;
        let num = |k: usize, name: &str| -> Result<f64, String> {
            let cell = rec.get(k).unwrap_or("");
            match cell.parse::<f64>() {
                Ok(v) if (0.0..=1e7).contains(&v) => Ok(v),
                _ => Err(format!(
                    "{file}:{line}: {name} must be a count of agents, not \"{}\"",
                    excerpt(cell)
                )),
            }
        };
        let (s, p) = (num(si, "scheduled")?, num(pi, "present")?);
        if p > s {
            return Err(format!(
                "{file}:{line}: present ({p}) exceeds scheduled ({s})"
            ));
        }
        days.push((s, p));
    }
    let total: f64 = days.iter().map(|d| d.0).sum();
    if days.len() < MIN_ROWS || total <= 0.0 {
        return Err(format!(
            "{file}: needs at least {MIN_ROWS} rows with scheduled agents"
        ));
    }
    let present: f64 = days.iter().map(|d| d.1).sum();
    let absence = 1.0 - present / total;
    let n = days.len() as f64;
    let mean_s = total / n;
    // Ratio estimator: residuals (absent_d − p·scheduled_d) over days.
    let var = days
        .iter()
        .map(|&(s, p)| ((s - p) - absence * s).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    Ok(AbsenceFit {
        rows: days.len(),
        scheduled: total,
        absence,
        se: (var / n).sqrt() / mean_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roster_gives_the_absent_share_and_errors_name_the_line() {
        let f = fit_roster(
            "date,scheduled,present\n2026-01-05,20,19\n2026-01-06,20,18\n# note\n2026-01-07,10,10\n",
            "r.csv",
        )
        .unwrap();
        assert!((f.absence - 3.0 / 50.0).abs() < 1e-12);
        assert!(f.se > 0.0 && f.se < 0.1, "{f:?}");
        let e = fit_roster("date,scheduled,present\nx,20,21\n", "r.csv").unwrap_err();
        assert!(e.contains("r.csv:2") && e.contains("exceeds"), "{e}");
        let e = fit_roster("date,agents\n", "r.csv").unwrap_err();
        assert!(e.contains("scheduled"), "{e}");
        let e = fit_roster("date,scheduled,present\nx,a,1\n", "r.csv").unwrap_err();
        assert!(e.contains("r.csv:2: scheduled"), "{e}");
    }
}
