//! Output safety end to end, on real files through the built binary (docs/reliability.md,
//! "Interruption and output safety"): no user file is ever deleted or overwritten, an input
//! is never an output, and a signal, a kill, a full disk or a second kefu leaves the
//! previous output intact and nothing behind.
//!
//! `sandbox`: the scratch folder and helpers; `refusals`: what kefu refuses to replace;
//! `signals`: SIGINT, SIGTERM and SIGKILL at random moments, and concurrent runs.

mod refusals;
mod sandbox;
mod signals;
