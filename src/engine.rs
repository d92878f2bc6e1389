//! The discrete-event engine.
pub mod rng;
