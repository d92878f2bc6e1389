//! Helpers shared by the integration tests.
#![allow(dead_code)]

use kefu::model::Model;
use kefu::runner::{run, Hooks, IntervalStore, Job, Progress, Reps};
use kefu::stats::ci::estimate_at;
use kefu::summary::Aggregate;

/// Runs `m` with its own replications and seed on `threads` threads.
pub fn simulate(m: &Model, threads: usize) -> Aggregate {
    let opts = Job {
        groups: vec![vec![&m]],
        seed: m.run.seed,
        reps: Reps::Fixed(m.run.replications),
        threads: Some(threads),
        progress: Progress::Hidden,
        intervals: IntervalStore::Files,
    };
    run(&opts, Hooks::default())
        .expect("run succeeds")
        .into_single()
        .0
}

/// Mean and 99% half-width of a metric over replications.
pub fn mean_ci99(agg: &Aggregate, path: &[&str]) -> (f64, f64) {
    let values = agg
        .values(path)
        .unwrap_or_else(|| panic!("no metric {path:?}"));
    let e = estimate_at(&values, 0.99);
    (e.mean.expect("a mean"), e.ci95.expect("a half-width"))
}

/// The single-replication value of a metric (trace tests).
pub fn value(agg: &Aggregate, path: &[&str]) -> Option<f64> {
    agg.values(path)
        .unwrap_or_else(|| panic!("no metric {path:?}"))[0]
}
