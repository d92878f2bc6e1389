//! kefu: a discrete-event simulator and capacity planner for chat customer service.
//!
//! The stages, in the order data moves: [`scenario`] (TOML → validated [`model::Model`]),
//! [`engine`] (one replication), [`runner`] (replications in parallel), [`stats`] and
//! [`summary`] (streaming statistics, confidence intervals), [`report`] (files written),
//! and [`plan`], and the command wing [`cmd`] on top. [`failure`], [`format`](mod@format),
//! [`provenance`] and [`interrupt`] are the ground floor every stage may use.

pub mod batch;
pub mod calibrate;
pub mod cmd;
pub mod engine;
pub mod erlang;
pub mod escape;
pub mod failure;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
pub mod interrupt;
pub mod model;
pub mod outfs;
pub mod plan;
pub mod provenance;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod stability;
pub mod stats;
pub mod summary;
pub mod trace;
pub mod verdict;
pub mod whatif;
