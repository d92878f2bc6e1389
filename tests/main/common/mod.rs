//! Helpers shared by the integration tests.
#![allow(dead_code)]

use kefu::model::Model;
use kefu::runner::{run, Hooks, IntervalStore, Job, Progress, Reps};
use kefu::stats::ci::estimate_at;
use kefu::summary::{Aggregate, Metric};

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
pub fn mean_ci99(agg: &Aggregate, metric: impl Into<Metric>) -> (f64, f64) {
    let metric = metric.into();
    let values = agg
        .values(metric)
        .unwrap_or_else(|| panic!("no metric {metric:?}"));
    let e = estimate_at(&values, 0.99);
    (e.mean.expect("a mean"), e.ci95.expect("a half-width"))
}

/// The single-replication value of a metric (trace tests).
pub fn value(agg: &Aggregate, metric: impl Into<Metric>) -> Option<f64> {
    let metric = metric.into();
    agg.values(metric)
        .unwrap_or_else(|| panic!("no metric {metric:?}"))[0]
}
