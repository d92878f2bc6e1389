//! kefu: a discrete-event simulator and capacity planner for chat customer service.
//!
//! The stages, in the order data moves: [`scenario`] (TOML → validated [`model::Model`]),
//! [`engine`] (one replication), [`runner`] (replications in parallel), [`stats`] and
//! [`summary`] (streaming statistics, confidence intervals), [`report`] (files written),
//! and the command line in [`cli`] and [`app`].

pub mod app;
pub mod bench;
pub mod calibrate;
pub mod cli;
pub mod engine;
pub mod erlang;
#[doc(hidden)]
pub mod fuzzing;
pub mod guard;
pub mod interrupt;
pub mod model;
pub mod outfs;
pub mod plan;
pub mod report;
pub mod rerun;
pub mod runner;
pub mod scenario;
pub mod stability;
pub mod stats;
pub mod summary;
pub mod trace;
pub mod whatif;
