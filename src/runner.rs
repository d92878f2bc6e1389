//! Replications in parallel: each replication is simulated on its own streams, and results
//! are folded in replication order, so the numbers do not depend on the thread count.
//! Replications run in batches so that memory stays bounded however many there are.
//!
//! Per-interval results ([`IntervalStore`]): by default each replication streams its final
//! interval rows to a file, and after each batch the batch's files are merged, in
//! replication order, into the per-interval moments kept in a file: memory does not grow
//! with the horizon. [`IntervalStore::Memory`] keeps the tables in memory instead.

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
    /// In memory: every replication's table, and the moments (short horizons, or callers
    /// that read [`RepStats::intervals`]).
    Memory,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub replications: u32,
    pub seed: u64,
    /// Worker threads; `None`: one per core.
    pub threads: Option<usize>,
    /// Show a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Where the per-interval results are kept.
    pub intervals: IntervalStore,
}

impl RunOptions {
    /// The scenario's own `[run]` settings.
    pub fn from_model(m: &Model) -> Self {
        RunOptions {
            replications: m.run.replications,
            seed: m.run.seed,
            threads: None,
            progress: false,
            intervals: IntervalStore::default(),
        }
    }
}

/// What a run produced, with its cost.
pub struct RunOutcome {
    pub aggregate: Aggregate,
    pub wall_s: f64,
    pub threads: usize,
    pub events: u64,
    /// Contacts simulated (warm-up included), over all replications.
    pub contacts_simulated: u64,
}

/// Runs the replications of `model` and folds them into an [`Aggregate`] (per-interval
/// results kept where `opts.intervals` says).
pub fn run(model: &Model, opts: &RunOptions) -> anyhow::Result<RunOutcome> {
    run_inner(model, opts, |_, _| {}, None)
}

/// Like [`run`], calling `each(index, &stats)` for every replication in index order, with
/// its per-interval table in memory (`stats.intervals`, `stats.class_intervals`; the
/// aggregate keeps its moments in memory too, whatever `opts.intervals` says).
pub fn run_with(
    model: &Model,
    opts: &RunOptions,
    each: impl FnMut(u32, &RepStats),
) -> anyhow::Result<RunOutcome> {
    let opts = RunOptions {
        intervals: IntervalStore::Memory,
        ..opts.clone()
    };
    run_inner(model, &opts, each, None)
}

/// Like [`run`], handing the per-contact trace of replications `0..traced` to `sink`. Those
/// replications run first, one after another on this thread; the numbers are the same as
/// without a trace.
pub fn run_traced(
    model: &Model,
    opts: &RunOptions,
    traced: u32,
    sink: &mut dyn TraceSink,
) -> anyhow::Result<RunOutcome> {
    run_inner(model, opts, |_, _| {}, Some((traced, sink)))
}

fn run_inner(
    model: &Model,
    opts: &RunOptions,
    mut each: impl FnMut(u32, &RepStats),
    trace: Option<(u32, &mut dyn TraceSink)>,
) -> anyhow::Result<RunOutcome> {
    let started = Instant::now();
    let mut m = model.clone();
    m.run.seed = opts.seed;
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()?;
    let bar = progress_bar(opts);
    let mut aggregate = match &opts.intervals {
        IntervalStore::Memory => Aggregate::new(&m),
        IntervalStore::Files => Aggregate::in_files(&m, &std::env::temp_dir())?,
        IntervalStore::FilesIn(dir) => Aggregate::in_files(&m, dir)?,
    };
    let files = aggregate.intervals.in_files_mode();
    let (mut events, mut contacts) = (0, 0);
    let batch = (threads.max(1) * 2) as u32;
    let mut next = 0;
    if let Some((traced, sink)) = trace {
        while next < traced.min(opts.replications) {
            crate::interrupt::check()?;
            let stats = if files {
                let mut rows = aggregate.intervals.row_writer(next)?;
                let stats = engine::simulate_streamed(&m, next as u64, Some(&mut *sink), &mut rows);
                aggregate.intervals.merge(&m, vec![rows.finish()?])?;
                stats
            } else {
                let stats = engine::simulate_traced(&m, next as u64, Some(&mut *sink));
                aggregate.intervals.add(&m, &stats);
                stats
            };
            events += stats.events;
            contacts += stats.contacts_simulated;
            each(next, &stats);
            aggregate.add_totals(&m, &stats);
            next += 1;
            if let Some(b) = &bar {
                b.set_position(next as u64);
            }
        }
    }
    while next < opts.replications {
        // Ctrl-C / SIGTERM: stop between batches (see `interrupt`).
        crate::interrupt::check()?;
        let end = (next + batch).min(opts.replications);
        let agg = &aggregate;
        let results: Vec<anyhow::Result<(RepStats, Option<RowFile>)>> = pool.install(|| {
            (next..end)
                .into_par_iter()
                .map(|r| {
                    if files {
                        let mut rows = agg.intervals.row_writer(r)?;
                        let stats = engine::simulate_streamed(&m, r as u64, None, &mut rows);
                        Ok((stats, Some(rows.finish()?)))
                    } else {
                        Ok((engine::simulate(&m, r as u64), None))
                    }
                })
                .collect()
        });
        let mut batch_files = Vec::new();
        for (i, result) in results.into_iter().enumerate() {
            let (stats, file) = result?;
            events += stats.events;
            contacts += stats.contacts_simulated;
            each(next + i as u32, &stats);
            aggregate.add_totals(&m, &stats);
            match file {
                Some(f) => batch_files.push(f),
                None => aggregate.intervals.add(&m, &stats),
            }
        }
        aggregate.intervals.merge(&m, batch_files)?;
        if let Some(b) = &bar {
            b.set_position(end as u64);
        }
        next = end;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(RunOutcome {
        aggregate,
        wall_s: started.elapsed().as_secs_f64(),
        threads,
        events,
        contacts_simulated: contacts,
    })
}

fn progress_bar(opts: &RunOptions) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !opts.progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(opts.replications as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} replications {pos}/{len} {wide_bar} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}
