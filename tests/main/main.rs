//! The one integration-test crate (nexosim style): each module is one kind of test.
mod bot_controls;
mod cli;
mod common;
mod determinism;
mod engine_rules;
mod flat_memory;
mod fuzz_props;
mod hostile;
mod operations;
mod reliability;
mod routing;
mod safety;
mod theory;
mod traces;
