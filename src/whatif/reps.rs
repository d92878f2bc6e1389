//! Replications of several scenarios on common random numbers, in one parallel job list.
//!
//! A *group* is a set of models that are paired replication by replication (the two sides of
//! `kefu compare`, or one sweep point). Replication `r` of every model uses the streams of
//! (seed, r), so the models of a group, and all groups, see the same customers. Jobs
//! (group, replication, model) run in parallel in chunks and are folded in that order, so the
//! numbers do not depend on the thread count.
//!
//! With [`Reps::Auto`] the stopping rule is sequential and exact: a group stops at the first
//! replication count n ≥ `min` at which every service-level half-width it reports (each model's,
//! and for a pair the paired difference's) is ≤ `precision`, or at `max`. Replications are
//! simulated ahead in batches for speed, and any beyond the stopping point are discarded, so
//! the count and the numbers depend only on the seed and the bound.

use crate::engine;
use crate::model::Model;
use crate::stats::{estimate, RepStats};
use crate::summary::Aggregate;
use rayon::prelude::*;
use std::time::Instant;

/// The service level's summary path.
pub const SERVICE_LEVEL: [&str; 2] = ["human", "service_level"];

/// How many replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reps {
    /// Exactly this many.
    Fixed(u32),
    /// Until the service level's 95% half-width is ≤ `precision` (at least `min`, at most `max`).
    Auto { precision: f64, min: u32, max: u32 },
}

/// Default bound on the service level's 95% half-width for `--replications auto`.
pub const DEFAULT_PRECISION: f64 = 0.005;
/// Replications `--replications auto` always runs before it may stop.
pub const AUTO_MIN: u32 = 10;
/// Default cap for `--replications auto`.
pub const DEFAULT_MAX: u32 = 2000;

/// How one group ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupOutcome {
    pub replications: u32,
    /// The largest service-level half-width of the group at the end (`None`: undefined).
    pub half_width: Option<f64>,
    /// Under `Auto`: whether the bound was reached (false: stopped at the cap).
    pub converged: bool,
}

/// The result of [`run_groups`].
pub struct GroupsRun {
    /// `aggregates[g][k]`: model `k` of group `g`.
    pub aggregates: Vec<Vec<Aggregate>>,
    pub outcomes: Vec<GroupOutcome>,
    pub wall_s: f64,
    pub threads: usize,
    pub events: u64,
    pub contacts_simulated: u64,
}

/// The paired 95% half-width of `b − a` over the replications where both are defined.
pub fn paired_half_width(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let d: Vec<Option<f64>> = a.iter().zip(b).map(|(x, y)| Some((*y)? - (*x)?)).collect();
    estimate(&d).ci95
}

/// The largest service-level half-width of a group (each model, and the pair's difference).
pub fn group_half_width(aggs: &[Aggregate]) -> Option<f64> {
    let sl: Vec<Vec<Option<f64>>> = aggs
        .iter()
        .map(|a| a.values(&SERVICE_LEVEL).unwrap_or_default())
        .collect();
    let mut worst: f64 = 0.0;
    for v in &sl {
        worst = worst.max(estimate(v).ci95?);
    }
    if let [a, b] = sl.as_slice() {
        worst = worst.max(paired_half_width(a, b)?);
    }
    Some(worst)
}

struct State {
    aggs: Vec<Aggregate>,
    n: u32,
    target: u32,
    done: bool,
    half_width: Option<f64>,
    converged: bool,
}

/// Simulates every group with `seed`; each model keeps its other settings.
pub fn run_groups(
    groups: &[Vec<Model>],
    seed: u64,
    reps: Reps,
    threads: Option<usize>,
) -> anyhow::Result<GroupsRun> {
    let started = Instant::now();
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let groups: Vec<Vec<Model>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|m| {
                    let mut m = m.clone();
                    m.run.seed = seed;
                    m
                })
                .collect()
        })
        .collect();
    let (first, min, max, precision) = match reps {
        Reps::Fixed(n) => (n, n, n, f64::INFINITY),
        Reps::Auto {
            precision,
            min,
            max,
        } => {
            let min = min.clamp(2, max.max(2));
            (min, min, max.max(min), precision)
        }
    };
    let mut states: Vec<State> = groups
        .iter()
        .map(|g| State {
            aggs: g.iter().map(Aggregate::new).collect(),
            n: 0,
            target: first,
            done: first == 0,
            half_width: None,
            converged: false,
        })
        .collect();
    let (mut events, mut contacts) = (0u64, 0u64);
    let chunk = threads * 4;
    while states.iter().any(|s| !s.done) {
        // This round's jobs, in fold order: group, replication, model.
        let jobs: Vec<(usize, u32, usize)> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.done)
            .flat_map(|(g, s)| {
                let k = groups[g].len();
                (s.n..s.target).flat_map(move |r| (0..k).map(move |i| (g, r, i)))
            })
            .collect();
        let mut at = 0;
        while at < jobs.len() {
            // Ctrl-C / SIGTERM: stop between batches (see `interrupt`).
            crate::interrupt::check()?;
            // Skip the jobs of groups that stopped meanwhile.
            let batch: Vec<(usize, u32, usize)> = jobs[at..]
                .iter()
                .filter(|(g, _, _)| !states[*g].done)
                .take(chunk)
                .copied()
                .collect();
            if batch.is_empty() {
                break;
            }
            let last = batch.last().copied();
            let results: Vec<RepStats> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|&(g, r, i)| engine::simulate(&groups[g][i], r as u64))
                    .collect()
            });
            for (&(g, r, i), stats) in batch.iter().zip(&results) {
                let st = &mut states[g];
                if st.done {
                    continue;
                }
                events += stats.events;
                contacts += stats.contacts_simulated;
                st.aggs[i].add(&groups[g][i], stats);
                if i + 1 < groups[g].len() {
                    continue;
                }
                st.n = r + 1;
                if st.n >= min {
                    st.half_width = group_half_width(&st.aggs);
                    if st.half_width.is_some_and(|h| h <= precision) {
                        st.done = true;
                        st.converged = true;
                    } else if st.n >= max {
                        st.done = true;
                    }
                }
            }
            // Advance past the last job of this batch.
            let last = last.expect("non-empty batch");
            at = jobs[at..]
                .iter()
                .position(|j| *j == last)
                .map_or(jobs.len(), |p| at + p + 1);
        }
        for st in states.iter_mut().filter(|s| !s.done) {
            if st.n >= st.target {
                st.target = next_target(st.n, st.half_width, precision, max, threads);
            }
        }
    }
    if let Reps::Fixed(_) = reps {
        for st in &mut states {
            st.half_width = group_half_width(&st.aggs);
        }
    }
    let outcomes = states
        .iter()
        .map(|s| GroupOutcome {
            replications: s.n,
            half_width: s.half_width,
            converged: s.converged,
        })
        .collect();
    Ok(GroupsRun {
        aggregates: states.into_iter().map(|s| s.aggs).collect(),
        outcomes,
        wall_s: started.elapsed().as_secs_f64(),
        threads,
        events,
        contacts_simulated: contacts,
    })
}

/// The replication count to simulate up to next: the count the current half-width projects
/// (it shrinks like 1/√n), at least a few more, at most the cap.
fn next_target(n: u32, hw: Option<f64>, precision: f64, max: u32, threads: usize) -> u32 {
    let step = (threads as u32).max(2);
    let projected = match hw {
        Some(h) if precision > 0.0 => (n as f64 * (h / precision).powi(2)).ceil(),
        _ => (n * 2) as f64,
    };
    let projected = if projected.is_finite() {
        projected.min(max as f64) as u32
    } else {
        max
    };
    projected.max(n + step).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_target_projects_and_caps() {
        assert_eq!(next_target(10, Some(0.01), 0.005, 1000, 2), 40);
        assert_eq!(next_target(10, Some(0.0051), 0.005, 1000, 2), 12);
        assert_eq!(next_target(10, Some(1.0), 0.005, 100, 2), 100);
        assert_eq!(next_target(10, None, 0.005, 100, 2), 20);
    }

    #[test]
    fn paired_half_width_of_equal_series_is_zero() {
        let a = [Some(0.9), Some(0.8), None, Some(0.95)];
        assert_eq!(paired_half_width(&a, &a), Some(0.0));
    }
}
