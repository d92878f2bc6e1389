//! Limits and estimates checked before a run starts, so a mistyped rate or horizon cannot
//! eat the machine: the contacts to simulate and how long that should take (a run expected
//! to take over [`CONFIRM_ABOVE_S`] asks for confirmation), and hard limits on reporting
//! intervals, contacts per replication and result memory.

use crate::app::{warn, Failure};
use crate::model::Model;
use crate::runner::RunOptions;

/// Contacts simulated per second by one thread, measured conservatively (the release build
/// does 1.5–3 M/s on the default scenario on a 2020s laptop core; see `docs/reliability.md`).
pub const CONTACTS_PER_SECOND_PER_THREAD: f64 = 1.0e6;
/// A run expected to take longer than this asks for `--yes` (in a terminal).
pub const CONFIRM_ABOVE_S: f64 = 60.0;
/// Most reporting intervals kept (one definition, checked when the scenario is validated).
pub const MAX_INTERVALS: usize = crate::scenario::limits::MAX_INTERVALS;
/// Most expected contacts in one replication (likewise; here again for edited models).
pub const MAX_CONTACTS_PER_REPLICATION: f64 = crate::scenario::limits::MAX_CONTACTS_PER_REPLICATION;
/// Most memory the per-replication metrics (and per-interval moments, when they are kept in
/// memory) may take.
pub const MAX_RESULT_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;

/// What a run is expected to cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Expected contacts in one replication (warm-up included).
    pub contacts_per_replication: f64,
    /// Over all replications.
    pub contacts: f64,
    /// Expected wall time in seconds.
    pub seconds: f64,
    /// Memory kept for the results, in bytes.
    pub result_bytes: f64,
}

/// Estimates the cost of `replications` replications of `m` on `threads` threads, with the
/// per-interval results in memory (`intervals_in_memory`) or streamed through files.
pub fn estimate(
    m: &Model,
    replications: u32,
    threads: usize,
    intervals_in_memory: bool,
) -> Estimate {
    let per_rep = m.expected_arrivals();
    // Returns (false resolutions coming back) add up to `false_resolution` of the bot's share.
    let returns = m.bot.as_ref().map_or(0.0, |b| b.false_resolution);
    let per_rep = per_rep * (1.0 + returns);
    let contacts = per_rep * replications as f64;
    let threads = threads.clamp(1, replications.max(1) as usize) as f64;
    let seconds = contacts / (CONTACTS_PER_SECOND_PER_THREAD * threads);
    let metrics = 20.0 * (m.categories.len() as f64 + 3.0) + 20.0;
    let classes = m.categories.len() as f64 + 2.0;
    let intervals = m.run.interval_count() as f64;
    // A metric is kept per replication with its path (~200 bytes). In memory, an interval
    // holds 18 + 6 × classes moments of 24 bytes, and each replication's own copy while it
    // runs; streamed through files, only a few rows per replication in flight.
    let per_interval = if intervals_in_memory {
        intervals * (18.0 + 6.0 * classes) * 24.0 * (1.0 + 2.0 * threads)
    } else {
        0.0
    };
    let result_bytes = replications as f64 * metrics * 200.0 + per_interval;
    Estimate {
        contacts_per_replication: per_rep,
        contacts,
        seconds,
        result_bytes,
    }
}

/// The hard limits; the message says what to change.
pub fn check_limits(m: &Model, e: &Estimate) -> Result<(), String> {
    let intervals = m.run.interval_count();
    if intervals > MAX_INTERVALS {
        return Err(format!(
            "the run has {intervals} reporting intervals ({:.4} days of {} minutes); at most {MAX_INTERVALS} are kept: use a longer [run] interval_minutes or fewer days",
            m.run.days(),
            m.run.interval_s / 60.0
        ));
    }
    let per_rep = e.contacts_per_replication;
    if per_rep.is_nan() || per_rep > MAX_CONTACTS_PER_REPLICATION {
        return Err(format!(
            "one replication would simulate about {} contacts; at most {} are allowed (check [arrivals] per_day, the peaks' multipliers and [run] days)",
            human_count(e.contacts_per_replication),
            human_count(MAX_CONTACTS_PER_REPLICATION)
        ));
    }
    if e.result_bytes > MAX_RESULT_BYTES {
        return Err(format!(
            "the results would take about {:.1} GiB of memory (limit {:.0} GiB): use fewer replications or a longer interval",
            e.result_bytes / 1024f64.powi(3),
            MAX_RESULT_BYTES / 1024f64.powi(3)
        ));
    }
    Ok(())
}

/// Checks the limits and, for a run estimated over [`CONFIRM_ABOVE_S`], asks for
/// confirmation in a terminal (unless `yes`) or warns and goes on when stdin is not one.
pub fn before_run(m: &Model, opts: &RunOptions, yes: bool) -> Result<(), Failure> {
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let in_memory = opts.intervals == crate::runner::IntervalStore::Memory;
    let e = estimate(m, opts.replications, threads, in_memory);
    check_limits(m, &e).map_err(Failure::Input)?;
    // `KEFU_CONFIRM_ABOVE_S` moves the threshold (tests; machines much slower than assumed).
    let threshold = std::env::var("KEFU_CONFIRM_ABOVE_S")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(CONFIRM_ABOVE_S);
    if e.seconds <= threshold {
        return Ok(());
    }
    let what = format!(
        "this run simulates about {} contacts ({} replication(s) × {}) and should take about {} on {threads} thread(s)",
        human_count(e.contacts),
        opts.replications,
        human_count(e.contacts_per_replication),
        human_duration(e.seconds)
    );
    if yes {
        return Ok(());
    }
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        warn(&format!(
            "warning: {what}; going on (not a terminal; pass --yes to silence this)"
        ));
        return Ok(());
    }
    warn(&format!(
        "{what}.\nGo on? [y/N] (pass --yes to skip this question)"
    ));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!(
            "not run: cancelled at the confirmation question"
        )))
    }
}

/// Peak resident memory of this process in MiB (Linux; `None` elsewhere).
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

/// `1234567` → `"1.2 M"`.
pub fn human_count(x: f64) -> String {
    match x {
        x if x >= 1e9 => format!("{:.1} G", x / 1e9),
        x if x >= 1e6 => format!("{:.1} M", x / 1e6),
        x if x >= 1e4 => format!("{:.0} k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

/// `4000.0` → `"1 h 7 min"`.
pub fn human_duration(s: f64) -> String {
    if !s.is_finite() {
        return "forever".into();
    }
    let s = s.round() as u64;
    match s {
        0..=119 => format!("{s} s"),
        120..=3599 => format!("{} min", s / 60),
        3600..=172_799 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_counts_read_well() {
        assert_eq!(human_duration(59.4), "59 s");
        assert_eq!(human_duration(4000.0), "1 h 6 min");
        assert_eq!(human_duration(f64::INFINITY), "forever");
        assert_eq!(human_count(1_234_567.0), "1.2 M");
        assert_eq!(human_count(999.0), "999");
    }

    #[test]
    fn default_scenario_is_cheap_and_huge_ones_are_refused() {
        let l = crate::scenario::load_str(
            crate::scenario::DEFAULT_SCENARIO,
            "d",
            std::path::Path::new("."),
        )
        .unwrap();
        let e = estimate(&l.model, 20, 2, false);
        assert!(e.seconds < CONFIRM_ABOVE_S, "{e:?}");
        assert!(check_limits(&l.model, &e).is_ok());
        // Validation refuses such scenarios now (scenario::limits); models edited after
        // validation (`--set`) still meet these checks here.
        let mut huge = l.model.clone();
        huge.arrivals.per_day = 1e12;
        let msg = check_limits(&huge, &estimate(&huge, 20, 2, false)).unwrap_err();
        assert!(msg.contains("contacts"), "{msg}");
        let mut fine = l.model.clone();
        fine.run.interval_s = 0.1;
        let msg = check_limits(&fine, &estimate(&fine, 1, 1, false)).unwrap_err();
        assert!(msg.contains("reporting intervals"), "{msg}");
        // Per-interval moments count against the memory limit only when kept in memory.
        let long = crate::scenario::DEFAULT_SCENARIO
            .replace("days = 1.0", "days = 3650")
            .replace("interval_minutes = 30", "interval_minutes = 15");
        let l = crate::scenario::load_str(&long, "d", std::path::Path::new(".")).unwrap();
        let streamed = estimate(&l.model, 20, 8, false);
        let in_memory = estimate(&l.model, 20, 8, true);
        assert!(check_limits(&l.model, &streamed).is_ok(), "{streamed:?}");
        let msg = check_limits(&l.model, &in_memory).unwrap_err();
        assert!(msg.contains("GiB of memory"), "{msg}");
    }
}
