//! What a job will cost, known before it runs: contacts, wall time and peak memory, and the
//! hard limits that refuse a job which would eat the machine (a mistyped rate or horizon).
//!
//! Time is contacts over a per-thread speed: for a job that may take long, measured here and
//! now by a pilot (one replication of a shortened horizon of the job's largest model, timed
//! by the wall clock, so a busy machine is accounted for), else a conservative constant. Memory is a fixed base, the kept
//! results, and each running replication's backlog: waiting contacts stay in memory, so a
//! fluid model of the queue (arrivals to humans minus the agents' service rate, drained by
//! patience) bounds how many wait at once. Measured against real runs in
//! `docs/reliability.md`.

use super::{IntervalStore, Job};
use crate::format::{human_bytes, human_count};
use crate::model::Model;
use crate::summary::{ClassField, IntervalField};

/// Contacts simulated per second by one thread of a release build when no pilot is run: the
/// shipped scenarios on the quiet 2-core CI machine run 5–10 M contacts/s per thread, so this
/// errs towards longer (`docs/reliability.md`).
pub const CONTACTS_PER_SECOND_PER_THREAD: f64 = 4.0e6;
/// A job expected (at the constant speed) to simulate fewer contacts than this is not
/// piloted: it is over in about a second anyway.
pub const PILOT_ABOVE_CONTACTS: f64 = 2.0e6;
/// Contacts the pilot simulates (about 0.05 s of one core).
pub const PILOT_CONTACTS: f64 = 2.0e5;
/// Most reporting intervals kept (one definition, checked when the scenario is validated;
/// here again for models edited after validation, e.g. by `--set`).
pub const MAX_INTERVALS: usize = crate::scenario::limits::MAX_INTERVALS;
/// Most expected contacts in one replication (likewise).
pub const MAX_CONTACTS_PER_REPLICATION: f64 = crate::scenario::limits::MAX_CONTACTS_PER_REPLICATION;
/// Most memory a job may be estimated to take (results and backlogs), whatever the machine.
pub const MAX_JOB_BYTES: f64 = 16.0 * 1024.0 * 1024.0 * 1024.0;
/// Memory of a process before any result: code, thread stacks, scenario, in bytes (measured:
/// 7–8 MiB peak for the shipped scenarios without charts).
pub const BASE_BYTES: f64 = 8.0 * 1024.0 * 1024.0;
/// What drawing the charts adds to the peak, in bytes (measured: 19 MiB peak with charts).
pub const CHART_BYTES: f64 = 12.0 * 1024.0 * 1024.0;
/// Memory one contact in the engine takes while it waits or is served, in bytes.
pub const BYTES_PER_CONTACT_IN_SYSTEM: f64 = 100.0;

/// What a job is expected to cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Expected contacts in one replication of the largest model (warm-up included).
    pub contacts_per_replication: f64,
    /// Over every model and replication (the cap, under a stopping rule).
    pub contacts: f64,
    /// Replications per model (the cap, under a stopping rule).
    pub replications: u32,
    /// Expected wall time in seconds.
    pub seconds: f64,
    /// Expected peak memory of the process in bytes.
    pub peak_bytes: f64,
    /// Reporting intervals of the model with the most of them…
    pub intervals: usize,
    /// …and its `(days, interval minutes)`.
    pub horizon: (f64, f64),
    pub threads: usize,
}

/// Why a job is refused before it runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    #[error("the run has {intervals} reporting intervals ({days:.4} days of {minutes} minutes); at most {MAX_INTERVALS} are kept: use a longer [run] interval_minutes or fewer days")]
    Intervals {
        intervals: usize,
        days: f64,
        minutes: f64,
    },
    #[error("one replication would simulate about {} contacts; at most {} are allowed (check [arrivals] per_day, the peaks' multipliers and [run] days)", human_count(*.0), human_count(MAX_CONTACTS_PER_REPLICATION))]
    Contacts(f64),
    #[error("this job would need about {} of memory{}; {}: use fewer threads or replications, a longer interval, or fix the overload (more agents, or patience so that waiting customers leave)", human_bytes(*needed), if *backlog > 0.0 { format!(" ({} waiting contacts at once in an overloaded replication)", human_count(*backlog)) } else { String::new() }, match limit { Some(l) => format!("this machine has {} available", human_bytes(*l)), None => format!("the limit is {}", human_bytes(MAX_JOB_BYTES)) })]
    Memory {
        needed: f64,
        backlog: f64,
        limit: Option<f64>,
    },
}

/// Estimates the cost of `job`, with its speed measured by a pilot when the job is large
/// enough for the estimate to matter ([`PILOT_ABOVE_CONTACTS`]).
pub fn estimate_with_pilot(job: &Job) -> Estimate {
    let mut e = estimate(job);
    if e.contacts > PILOT_ABOVE_CONTACTS && e.contacts.is_finite() {
        if let Some(speed) = pilot_speed(job) {
            e.seconds = e.contacts / (speed * e.threads as f64);
        }
    }
    e
}

/// Contacts per second one thread simulates of the job's largest model, measured on about
/// [`PILOT_CONTACTS`] contacts: one replication on a shortened horizon, or whole short
/// replications one after another (`None` when there is nothing to time).
pub fn pilot_speed(job: &Job) -> Option<f64> {
    let m = job
        .groups
        .iter()
        .flatten()
        .max_by(|a, b| a.expected_arrivals().total_cmp(&b.expected_arrivals()))?;
    let total = m.expected_arrivals();
    if !total.is_finite() || total <= 0.0 {
        return None;
    }
    let mut pilot = (*m).clone();
    if total > 2.0 * PILOT_CONTACTS {
        // One long replication: shorten the counted span so the whole (the warm-up's
        // arrivals count too) is about the pilot's size.
        let counted = pilot.run.counted_to - pilot.run.counted_from;
        let share = PILOT_CONTACTS / total;
        let span =
            ((pilot.run.counted_to * share) - pilot.run.counted_from).max(pilot.run.interval_s);
        pilot.run.counted_to = pilot.run.counted_from + span.min(counted);
    }
    // Short replications: whole ones, one after another, until the pilot's size is reached.
    let started = std::time::Instant::now();
    let (mut contacts, mut replication) = (0u64, 0u64);
    while (contacts as f64) < PILOT_CONTACTS && replication < 1000 {
        contacts += crate::engine::simulate(&pilot, pilot.run.seed, replication).contacts_simulated;
        replication += 1;
    }
    let wall = started.elapsed().as_secs_f64();
    (wall > 1e-3 && contacts > 0).then(|| contacts as f64 / wall)
}

/// Estimates the cost of `job` at the constant speed [`CONTACTS_PER_SECOND_PER_THREAD`].
pub fn estimate(job: &Job) -> Estimate {
    let threads = job.thread_count();
    let replications = super::stopping::Rule::of(job.reps).max;
    let models: Vec<&Model> = job.groups.iter().flatten().copied().collect();
    let per_rep = |m: &Model| {
        // Returns (false resolutions coming back) add `false_resolution` of the bot's share.
        let returns = m.bot.as_ref().map_or(0.0, |b| b.false_resolution);
        m.expected_arrivals() * (1.0 + returns)
    };
    let contacts: f64 = models.iter().map(|m| per_rep(m)).sum::<f64>() * replications as f64;
    let largest =
        models
            .iter()
            .map(|m| per_rep(m))
            .fold(0.0_f64, |a, b| if b.is_nan() { b } else { a.max(b) });
    let finest = models.iter().max_by_key(|m| m.run.interval_count());
    let intervals = finest.map_or(0, |m| m.run.interval_count());
    let horizon = finest.map_or((0.0, 0.0), |m| (m.run.days(), m.run.interval_s / 60.0));
    let parallel = threads.clamp(1, (replications as usize * models.len()).max(1));
    let seconds = contacts / (CONTACTS_PER_SECOND_PER_THREAD * parallel as f64);
    let backlog = models.iter().map(|m| peak_in_system(m)).fold(0.0, f64::max);
    let per_model_results = models
        .iter()
        .map(|m| result_bytes(m, replications, &job.intervals, parallel))
        .sum::<f64>();
    let peak_bytes =
        BASE_BYTES + per_model_results + parallel as f64 * backlog * BYTES_PER_CONTACT_IN_SYSTEM;
    Estimate {
        contacts_per_replication: largest,
        contacts,
        replications,
        seconds,
        peak_bytes,
        intervals,
        horizon,
        threads: parallel,
    }
}

impl Estimate {
    /// The estimate with the memory of drawing charts added when `charts`.
    pub fn with_charts(mut self, charts: bool) -> Self {
        if charts {
            self.peak_bytes += CHART_BYTES;
        }
        self
    }

    /// The hard limits (the machine's available memory among them); the message says what
    /// to change.
    pub fn check_limits(&self) -> Result<(), LimitError> {
        if self.intervals > MAX_INTERVALS {
            return Err(LimitError::Intervals {
                intervals: self.intervals,
                days: self.horizon.0,
                minutes: self.horizon.1,
            });
        }
        let per_rep = self.contacts_per_replication;
        if per_rep.is_nan() || per_rep > MAX_CONTACTS_PER_REPLICATION {
            return Err(LimitError::Contacts(per_rep));
        }
        let available = crate::provenance::available_memory_bytes();
        let limit = available.map_or(MAX_JOB_BYTES, |a| a.min(MAX_JOB_BYTES));
        if self.peak_bytes.is_nan() || self.peak_bytes > limit {
            let backlog = (self.peak_bytes - BASE_BYTES)
                / BYTES_PER_CONTACT_IN_SYSTEM
                / self.threads.max(1) as f64;
            return Err(LimitError::Memory {
                needed: self.peak_bytes,
                backlog: if backlog > 1e6 { backlog } else { 0.0 },
                limit: available.filter(|a| *a < MAX_JOB_BYTES),
            });
        }
        Ok(())
    }
}

/// Memory kept for one model's results [bytes]: per replication its metrics (~200 bytes
/// each with its path); in memory, per interval one 24-byte moment per interval field and per class field of each class, plus
/// each running replication's own table; streamed through files, a few rows in flight.
fn result_bytes(m: &Model, replications: u32, store: &IntervalStore, parallel: usize) -> f64 {
    let metrics = 20.0 * (m.categories.len() as f64 + 3.0) + 20.0;
    let classes = m.categories.len() as f64 + 2.0;
    let intervals = m.run.interval_count() as f64;
    let moments = IntervalField::COUNT as f64 + ClassField::COUNT as f64 * classes;
    let per_interval = if *store == IntervalStore::Memory {
        intervals * moments * 24.0 * (1.0 + 2.0 * parallel as f64)
    } else {
        0.0
    };
    replications as f64 * metrics * 200.0 + per_interval
}

/// The most contacts waiting or in service at once in one replication, by a fluid model:
/// hour by hour, work reaching humans (arrivals × share not resolved by the bot × mean
/// handle time) against the chat slots on duty; the excess accumulates, and patience
/// drains a queue to at most (arrival rate × mean patience).
pub fn peak_in_system(m: &Model) -> f64 {
    let cal = &m.run.calendar;
    let end = m.arrivals_end();
    let human_share = m.bot.as_ref().map_or(1.0, |b| {
        let complex: f64 = m.categories.iter().map(|c| c.share * c.complex_share).sum();
        let resolve = (1.0 - complex) * b.basic.resolve + complex * b.complex.resolve;
        1.0 - b.coverage * resolve * (1.0 - b.false_resolution)
    });
    let handle: f64 = m
        .categories
        .iter()
        .map(|c| {
            c.share
                * ((1.0 - c.complex_share) * c.handle_time.mean()
                    + c.complex_share * c.complex_handle_time.mean())
        })
        .sum();
    let patience: Option<f64> = m
        .categories
        .iter()
        .map(|c| c.patience.as_ref().map(|p| c.share * p.mean()))
        .sum();
    let step: f64 = 3600.0;
    let (mut t, mut queue, mut peak) = (0.0, 0.0_f64, 0.0_f64);
    while t < end {
        let dt = step.min(end - t);
        let rate = m.arrivals.rate(cal, t) * human_share;
        let slots: f64 = m
            .pools
            .iter()
            .map(|p| p.staffing.headcount(cal, t) as f64 * p.concurrency as f64)
            .sum();
        let service_rate = if handle > 0.0 {
            slots / handle
        } else {
            f64::INFINITY
        };
        queue = (queue + (rate - service_rate) * dt).max(0.0);
        if let Some(p) = patience {
            queue = queue.min(rate * p);
        }
        peak = peak.max(queue + slots.min(rate * handle));
        t += dt;
    }
    peak
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Reps;

    fn load(text: &str) -> Model {
        crate::scenario::load_str(text, "d", std::path::Path::new("."))
            .unwrap()
            .model
    }

    #[test]
    fn default_scenario_is_cheap_and_huge_ones_are_refused() {
        let m = load(crate::scenario::DEFAULT_SCENARIO);
        let e = estimate(&Job::single(&m, 1, Reps::Fixed(20)));
        assert!(e.seconds < 5.0, "{e:?}");
        assert!(e.check_limits().is_ok(), "{e:?}");
        // Validation refuses such a scenario; a model edited after it (`--set`) meets the
        // same limit here.
        let mut m = m.clone();
        m.arrivals.per_day = 1e12;
        let err = estimate(&Job::single(&m, 1, Reps::Fixed(20)))
            .check_limits()
            .unwrap_err();
        assert!(matches!(err, LimitError::Contacts(_)), "{err}");
    }

    #[test]
    fn an_overload_without_patience_is_refused_for_its_backlog() {
        // Ten times the contacts for the same agents, nobody ever leaves, for a year: the
        // queue grows by millions; with patience it stays bounded.
        let over = crate::scenario::DEFAULT_SCENARIO
            .replace("per_day = 12000", "per_day = 1.2e6")
            .replace("days = 1.0", "days = 365");
        let m = load(&over);
        let no_patience = {
            let mut m = m.clone();
            for c in &mut m.categories {
                c.patience = None;
            }
            m
        };
        let bounded = peak_in_system(&m);
        let unbounded = peak_in_system(&no_patience);
        assert!(unbounded > 100.0 * bounded, "{unbounded} vs {bounded}");
        let mut job = Job::single(&no_patience, 1, Reps::Fixed(20));
        job.threads = Some(2);
        let e = estimate(&job);
        assert!(e.peak_bytes > 1e10, "{e:?}");
        let err = e.check_limits().unwrap_err();
        assert!(err.to_string().contains("memory"), "{err}");
    }

    #[test]
    fn streamed_intervals_count_less_memory_than_in_memory_ones() {
        let long = crate::scenario::DEFAULT_SCENARIO
            .replace("days = 1.0", "days = 3650")
            .replace("interval_minutes = 30", "interval_minutes = 15");
        let m = load(&long);
        let mut job = Job::single(&m, 1, Reps::Fixed(20));
        job.threads = Some(8);
        job.intervals = IntervalStore::Files;
        let streamed = estimate(&job);
        job.intervals = IntervalStore::Memory;
        let in_memory = estimate(&job);
        assert!(
            in_memory.peak_bytes > streamed.peak_bytes + 1e9,
            "{in_memory:?} {streamed:?}"
        );
    }
}
