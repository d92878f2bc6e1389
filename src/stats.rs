//! Streaming statistics: histograms, per-replication counters and across-replication
//! confidence intervals.
pub mod ci;
pub mod histogram;
pub mod interval_window;
pub mod rep;

pub use ci::{estimate, Estimate};
pub use histogram::Histogram;
pub use interval_window::{IntervalSink, IntervalTable, IntervalWindow};
pub use rep::{ClassInterval, DayStats, HumanStats, IntervalStats, QueueStats, RepStats};
