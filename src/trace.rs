//! Per-contact trace files (`kefu run --trace FILE.csv`): one row per visit of a counted
//! contact, streamed through a buffered writer as contacts finish, in the shape that
//! `kefu calibrate` reads back (see `docs/data.md`). The file is an
//! [`crate::outfs::AtomicFile`]: it appears whole when the run succeeds, and an
//! interruption (polled on every row) or a failed write leaves the previous file as it was.

use crate::engine::trace::{TraceRow, TraceSink};
use crate::model::time::{civil_from_days, days_from_civil};
use crate::model::Model;
use crate::outfs::{AtomicFile, Existing, Inputs, OutError};
use std::io::Write;
use std::path::Path;

/// The trace's columns, in order.
pub const COLUMNS: &[&str] = &[
    "replication",
    "contact_id",
    "visit",
    "arrival",
    "category",
    "intent",
    "vip",
    "bot_met",
    "bot_resolved",
    "transferred",
    "queued_at",
    "service_start",
    "end",
    "outcome",
    "abandoned",
    "ticket",
    "pool",
];

/// `YYYY-MM-DDTHH:MM:SS.sss` of epoch seconds (rounded to the millisecond).
pub fn format_epoch_ms(epoch_s: f64) -> String {
    let ms = (epoch_s * 1000.0).round() as i64;
    let (secs, frac) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:03}",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Epoch seconds of `YYYY-MM-DDTHH:MM[:SS[.fff]]` (a space may stand for `T`).
pub fn parse_epoch(s: &str) -> Option<f64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' {
        return None;
    }
    let int = |r: std::ops::Range<usize>| -> Option<i64> {
        let p = s.get(r)?;
        (!p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, mo, d, h, mi) = (
        int(0..4)?,
        int(5..7)?,
        int(8..10)?,
        int(11..13)?,
        int(14..16)?,
    );
    let mut sec = 0.0;
    if b.len() > 16 {
        if b[16] != b':' || b.len() < 19 {
            return None;
        }
        let rest = &s[17..];
        let (whole, frac) = match rest.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (rest, None),
        };
        if whole.len() != 2 || !whole.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        sec = whole.parse::<f64>().ok()?;
        if let Some(f) = frac {
            if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            sec += format!("0.{f}").parse::<f64>().ok()?;
        }
    }
    let ok = (1..=12).contains(&mo)
        && d >= 1
        && d <= crate::model::time::days_in_month(y, mo as u32) as i64
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && sec < 60.0;
    ok.then(|| (days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60) as f64 + sec)
}

/// A trace written to a CSV file as the run goes. The file appears under its name only when
/// [`CsvTrace::finish`] succeeds (it is written beside it first).
pub struct CsvTrace {
    out: AtomicFile,
    origin_epoch_s: i64,
    categories: Vec<String>,
    pools: Vec<String>,
    rows: u64,
    error: Option<std::io::Error>,
    line: String,
}

impl CsvTrace {
    /// Starts a trace of `model` at `dest`, refusing an existing file.
    pub fn create(dest: &Path, model: &Model) -> Result<Self, OutError> {
        Self::create_with(dest, model, Existing::Refuse, &Inputs::default())
    }

    /// Starts a trace of `model` at `dest`, which must not be one of `inputs`; an existing
    /// file is replaced only as `existing` allows.
    pub fn create_with(
        dest: &Path,
        model: &Model,
        existing: Existing,
        inputs: &Inputs,
    ) -> Result<Self, OutError> {
        let mut out = AtomicFile::create(dest, existing, inputs)?;
        writeln!(out.writer(), "{}", COLUMNS.join(","))
            .map_err(|e| OutError::io("write", dest, e))?;
        Ok(CsvTrace {
            out,
            origin_epoch_s: model.run.calendar.origin_epoch_s,
            categories: model
                .categories
                .iter()
                .map(|c| crate::escape::csv_field(&c.name))
                .collect(),
            pools: model
                .pools
                .iter()
                .map(|p| crate::escape::csv_field(&p.name))
                .collect(),
            rows: 0,
            error: None,
            line: String::with_capacity(256),
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// What the stale-leftover clean-up did (for the caller to print as `note: …`).
    pub fn notes(&self) -> &[String] {
        self.out.notes()
    }

    /// Flushes the file to the disk and moves it into place.
    pub fn finish(mut self) -> Result<u64, OutError> {
        if let Some(e) = self.error.take() {
            return Err(OutError::io("write", self.out.dest(), e));
        }
        self.out.commit()?;
        Ok(self.rows)
    }

    fn time(&self, t: f64) -> String {
        format_epoch_ms(self.origin_epoch_s as f64 + t)
    }
}

impl TraceSink for CsvTrace {
    fn row(&mut self, r: &TraceRow) {
        use std::fmt::Write as _;
        if self.error.is_some() {
            return;
        }
        if crate::interrupt::requested() {
            // Stop writing at once; the runner stops at its next check.
            self.error = Some(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                crate::interrupt::Interrupted,
            ));
            return;
        }
        let b = |x: bool| if x { "1" } else { "0" };
        let opt = |s: &Self, t: Option<f64>| t.map(|t| s.time(t)).unwrap_or_default();
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let _ = writeln!(
            line,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.replication,
            r.contact,
            r.visit,
            self.time(r.arrival),
            self.categories[r.category],
            if r.complex { "complex" } else { "basic" },
            b(r.vip),
            b(r.bot_met),
            b(r.bot_resolved),
            b(r.transferred),
            opt(self, r.queued_at),
            opt(self, r.service_start),
            self.time(r.end),
            r.outcome.as_str(),
            b(r.outcome == crate::engine::trace::Outcome::Abandoned),
            b(r.outcome == crate::engine::trace::Outcome::Ticket),
            r.pool.map(|p| self.pools[p].as_str()).unwrap_or(""),
        );
        if let Err(e) = self.out.writer().write_all(line.as_bytes()) {
            self.error = Some(e);
        }
        self.line = line;
        self.rows += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_millisecond() {
        let e = days_from_civil(2026, 11, 11) as f64 * 86_400.0 + 20.0 * 3600.0 + 61.2345;
        let s = format_epoch_ms(e);
        assert_eq!(s, "2026-11-11T20:01:01.235");
        assert!((parse_epoch(&s).unwrap() - e).abs() < 1e-3);
        assert_eq!(parse_epoch("2026-11-11 20:01"), Some(e - 61.2345 + 60.0));
        assert!(parse_epoch("2026-02-30T00:00:00").is_none());
        assert!(parse_epoch("11/11/2026 20:01").is_none());
        assert!(parse_epoch("2026-11-11T20:01:61").is_none());
    }
}
