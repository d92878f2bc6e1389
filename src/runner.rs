//! The one replication runner, for every command: `run`, `plan`, `compare`, `sweep` and
//! `--replications auto` alike.
//!
//! A [`Job`] is a list of *groups*; a group is a set of models paired replication by
//! replication (one model for `kefu run` or a sweep point, two for `kefu compare`).
//! Replication `r` of every model uses the streams of (seed, r), so the models of a group,
//! and all groups, see the same customers (common random numbers). Jobs (group,
//! replication, model) run in parallel in chunks and are folded in that order, so the
//! numbers do not depend on the thread count. Between chunks the runner checks for
//! Ctrl-C/SIGTERM ([`crate::interrupt`]) and moves the progress bar.
//!
//! Per-interval results ([`IntervalStore`]): in memory, or streamed by each replication to a
//! file and merged after each chunk, in replication order, into moments kept in a file, so
//! memory does not grow with the horizon.
//!
//! How many replications ([`Reps`]): a fixed count, or a sequential stopping rule on the
//! service level's confidence interval ([`stopping`]).

pub mod estimate;
mod progress;
pub mod stopping;

pub use estimate::{Estimate, LimitError};
pub use stopping::{GroupOutcome, Reps};

use crate::engine;
use crate::engine::trace::TraceSink;
use crate::model::Model;
use crate::stats::RepStats;
use crate::summary::{Aggregate, RowFile};
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// Where the per-interval results of a run are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum IntervalStore {
    /// In files in a temporary folder created inside [`std::env::temp_dir`], removed with
    /// the [`Aggregate`].
    #[default]
    Files,
    /// Like `Files`, in a temporary folder inside this folder.
    FilesIn(PathBuf),
    /// In memory: every replication's table (callers that read [`RepStats::intervals`]
    /// through [`Hooks::each`] need this), and the moments.
    Memory,
}

/// What the progress bar counts (it is drawn only when stderr is a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    /// No bar.
    #[default]
    Hidden,
    /// Replications (of the first group: `run`, `compare`).
    Replications,
    /// Finished groups (`sweep` points).
    Points,
}

/// A set of replications to simulate.
pub struct Job<'a> {
    /// Groups of models paired replication by replication.
    pub groups: Vec<Vec<&'a Model>>,
    /// The master seed every model runs with (its own `[run] seed` is not used).
    pub seed: u64,
    pub reps: Reps,
    /// Worker threads; `None`: one per core. Results do not depend on it.
    pub threads: Option<usize>,
    pub progress: Progress,
    pub intervals: IntervalStore,
}

impl<'a> Job<'a> {
    /// One model, `replications` replications on `seed`.
    pub fn single(model: &'a Model, seed: u64, reps: Reps) -> Self {
        Job {
            groups: vec![vec![model]],
            seed,
            reps,
            threads: None,
            progress: Progress::Hidden,
            intervals: IntervalStore::Memory,
        }
    }

    /// The worker threads this job uses.
    pub fn thread_count(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    }
}

/// Where one replication belongs in a [`Job`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobIndex {
    pub group: usize,
    pub model: usize,
    pub replication: u32,
}

/// Called for every replication kept, in fold order.
pub type EachReplication<'h> = &'h mut dyn FnMut(JobIndex, &RepStats);

/// Optional observers of a job.
#[derive(Default)]
pub struct Hooks<'h> {
    /// The per-contact trace of replications `0..n` of the job's only model: those
    /// replications run first, one after another on this thread (the numbers are the same
    /// as without a trace).
    pub trace: Option<(u32, &'h mut dyn TraceSink)>,
    /// Called for every replication that is kept, in fold order (with
    /// [`IntervalStore::Memory`] its interval tables are in the stats).
    pub each: Option<EachReplication<'h>>,
}

/// Why a job could not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Stopped by Ctrl-C or SIGTERM.
    #[error(transparent)]
    Interrupted(#[from] crate::interrupt::Interrupted),
    /// The job exceeds a hard limit (refused before anything ran).
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// A trace needs a job of one model and a fixed number of replications.
    #[error("a trace needs one scenario and a fixed number of replications")]
    TraceNeedsOneModel,
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker thread(s): {source}")]
    Threads {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
    /// The per-interval results could not be written to or read from their files.
    #[error("per-interval results: {0:#}")]
    Intervals(anyhow::Error),
}

/// What a job produced, with its cost.
pub struct Outcome {
    /// `aggregates[g][k]`: model `k` of group `g`.
    pub aggregates: Vec<Vec<Aggregate>>,
    /// How each group ended (its replication count and service-level half-width).
    pub groups: Vec<GroupOutcome>,
    pub wall_s: f64,
    pub threads: usize,
    pub events: u64,
    /// Contacts simulated (warm-up included), over all replications kept.
    pub contacts_simulated: u64,
}

impl Outcome {
    /// The aggregate of a one-model job.
    pub fn into_single(mut self) -> (Aggregate, Outcome) {
        let agg = self.aggregates.remove(0).remove(0);
        (agg, self)
    }
}

/// The state of one group while its replications run.
struct GroupState {
    aggs: Vec<Aggregate>,
    /// Replications folded (of every model).
    n: u32,
    /// Replications to simulate up to in this round.
    target: u32,
    done: bool,
    half_width: Option<f64>,
    converged: bool,
    /// Per model, the interval-row files of folded replications not merged yet.
    pending: Vec<Vec<RowFile>>,
}

impl GroupState {
    /// Merges the pending interval rows into the moments, in replication order.
    fn merge_pending(&mut self, models: &[&Model]) -> Result<(), RunError> {
        for ((agg, rows), m) in self.aggs.iter_mut().zip(&mut self.pending).zip(models) {
            agg.intervals
                .merge(m, std::mem::take(rows))
                .map_err(RunError::Intervals)?;
        }
        Ok(())
    }
}

/// Folds finished replications into their groups, in fold order.
struct Folder<'a, 'h> {
    groups: &'a [Vec<&'a Model>],
    rule: stopping::Rule,
    events: u64,
    contacts: u64,
    each: Option<EachReplication<'h>>,
}

impl Folder<'_, '_> {
    /// Folds one replication in (or discards it: simulated ahead of its group's stopping
    /// point) and applies the stopping rule when the group's last model is in.
    fn fold(&mut self, states: &mut [GroupState], f: Finished) {
        let JobIndex {
            group: g,
            model: i,
            replication: r,
        } = f.index;
        let st = &mut states[g];
        if st.done {
            return;
        }
        let m = self.groups[g][i];
        self.events += f.stats.events;
        self.contacts += f.stats.contacts_simulated;
        if let Some(each) = self.each.as_mut() {
            each(f.index, &f.stats);
        }
        match f.rows {
            Some(rows) => {
                st.aggs[i].add_totals(m, &f.stats);
                st.pending[i].push(rows);
            }
            None => st.aggs[i].add(m, &f.stats),
        }
        if i + 1 == self.groups[g].len() {
            st.n = r + 1;
            if self.rule.may_stop(st.n) {
                st.half_width = stopping::group_half_width(&st.aggs);
                st.done = self.rule.stops(st.n, st.half_width);
                st.converged = st.done && self.rule.converged(st.half_width);
            }
        }
    }
}

/// A finished replication, before it is folded.
struct Finished {
    index: JobIndex,
    stats: RepStats,
    rows: Option<RowFile>,
}

/// Runs `job`: every group's replications, folded into one [`Aggregate`] per model.
pub fn run(job: &Job, mut hooks: Hooks) -> Result<Outcome, RunError> {
    let started = Instant::now();
    let threads = job.thread_count();
    estimate::estimate(job).check_limits()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::Threads { threads, source })?;
    let groups = &job.groups;
    let rule = stopping::Rule::of(job.reps);
    let mut states = Vec::with_capacity(groups.len());
    for g in groups {
        let aggs = g
            .iter()
            .map(|m| match &job.intervals {
                IntervalStore::Memory => Ok(Aggregate::new(m)),
                IntervalStore::Files => Aggregate::in_files(m, &std::env::temp_dir()),
                IntervalStore::FilesIn(dir) => Aggregate::in_files(m, dir),
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map_err(RunError::Intervals)?;
        states.push(GroupState {
            pending: g.iter().map(|_| Vec::new()).collect(),
            aggs,
            n: 0,
            target: rule.first,
            done: rule.first == 0,
            half_width: None,
            converged: false,
        });
    }
    let files = job.intervals != IntervalStore::Memory;
    let bar = progress::Bar::new(job, &rule);
    let mut fold = Folder {
        groups,
        rule,
        events: 0,
        contacts: 0,
        each: hooks.each.take(),
    };

    // Traced replications first, on this thread, in order.
    if let Some((traced, sink)) = hooks.trace.take() {
        if groups.len() != 1 || groups[0].len() != 1 || !matches!(job.reps, Reps::Fixed(_)) {
            return Err(RunError::TraceNeedsOneModel);
        }
        let m = &groups[0][0];
        for r in 0..traced.min(rule.first) {
            crate::interrupt::check()?;
            let index = JobIndex {
                group: 0,
                model: 0,
                replication: r,
            };
            let finished = simulate_one(
                m,
                job.seed,
                index,
                &states[0].aggs[0],
                files,
                Some(&mut *sink),
            )?;
            fold.fold(&mut states, finished);
            states[0].merge_pending(&groups[0])?;
            bar.show(&states_progress(&states));
        }
    }

    let chunk = threads * 4;
    while states.iter().any(|s| !s.done) {
        // This round's jobs, in fold order: group, replication, model.
        let round: Vec<JobIndex> = states
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.done)
            .flat_map(|(g, s)| {
                let k = groups[g].len();
                (s.n..s.target).flat_map(move |r| {
                    (0..k).map(move |i| JobIndex {
                        group: g,
                        model: i,
                        replication: r,
                    })
                })
            })
            .collect();
        for batch in round.chunks(chunk) {
            crate::interrupt::check()?;
            let batch: Vec<JobIndex> = batch
                .iter()
                .filter(|j| !states[j.group].done)
                .copied()
                .collect();
            if batch.is_empty() {
                continue;
            }
            let st = &states;
            let results: Vec<Result<Finished, RunError>> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|&j| {
                        let agg = &st[j.group].aggs[j.model];
                        simulate_one(groups[j.group][j.model], job.seed, j, agg, files, None)
                    })
                    .collect()
            });
            for finished in results {
                fold.fold(&mut states, finished?);
            }
            for (st, models) in states.iter_mut().zip(groups) {
                st.merge_pending(models)?;
            }
            bar.show(&states_progress(&states));
        }
        for st in states.iter_mut().filter(|s| !s.done) {
            if st.n >= st.target {
                st.target = rule.next_target(st.n, st.half_width, threads);
            }
        }
    }
    bar.finish();
    if let Reps::Fixed(_) = job.reps {
        for st in &mut states {
            st.half_width = stopping::group_half_width(&st.aggs);
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
    Ok(Outcome {
        aggregates: states.into_iter().map(|s| s.aggs).collect(),
        groups: outcomes,
        wall_s: started.elapsed().as_secs_f64(),
        threads,
        events: fold.events,
        contacts_simulated: fold.contacts,
    })
}

/// Simulates one replication, its interval rows streamed to a file when `files`.
fn simulate_one<'a>(
    m: &'a Model,
    seed: u64,
    index: JobIndex,
    agg: &Aggregate,
    files: bool,
    trace: Option<&'a mut dyn TraceSink>,
) -> Result<Finished, RunError> {
    let r = index.replication as u64;
    let (stats, rows) = if files {
        let mut rows = agg
            .intervals
            .row_writer(index.replication)
            .map_err(RunError::Intervals)?;
        // Shortens the trait object's lifetime to the row writer's (a coercion, not a copy).
        #[allow(clippy::needless_match)]
        let trace: Option<&mut dyn TraceSink> = match trace {
            Some(t) => Some(t),
            None => None,
        };
        let stats = engine::simulate_streamed(m, seed, r, trace, &mut rows);
        (stats, Some(rows.finish().map_err(RunError::Intervals)?))
    } else {
        (engine::simulate_traced(m, seed, r, trace), None)
    };
    Ok(Finished { index, stats, rows })
}

/// `(replications of group 0, finished groups)` for the progress bar.
fn states_progress(states: &[GroupState]) -> progress::Done {
    progress::Done {
        first_group_replications: states.first().map_or(0, |s| s.n),
        groups_done: states.iter().filter(|s| s.done).count(),
    }
}
