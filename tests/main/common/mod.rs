//! Helpers shared by the integration tests.
#![allow(dead_code)]

use kefu::model::Model;
use kefu::runner::{run, RunOptions};
use kefu::stats::ci::estimate_at;
use kefu::summary::{Aggregate, Metric};

/// Runs `m` with its own replications and seed on `threads` threads.
pub fn simulate(m: &Model, threads: usize) -> Aggregate {
    let opts = RunOptions {
        replications: m.run.replications,
        seed: m.run.seed,
        threads: Some(threads),
        progress: false,
        intervals: Default::default(),
    };
    run(m, &opts).expect("run succeeds").aggregate
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
