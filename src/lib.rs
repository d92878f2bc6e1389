//! kefu: a discrete-event simulator and capacity planner for chat customer service.
//!
//! The stages, in the order data moves: [`scenario`] (TOML → validated [`model::Model`]),
//! [`engine`] (one replication), [`runner`] (replications in parallel), [`stats`]
//! (streaming statistics and confidence intervals), [`report`] (files written), and the
//! command line in [`cli`].

pub mod engine;
pub mod model;
pub mod scenario;
