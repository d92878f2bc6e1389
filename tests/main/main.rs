//! The one integration-test crate (nexosim style): each module is one kind of test.
mod busyness;
mod chart_properties;
mod cli;
mod common;
mod determinism;
mod engine_rules;
mod erlang_calc;
mod flat_memory;
mod fuzz_props;
mod hostile;
mod operations;
mod reliability;
mod safety;
mod scenario_doc;
mod theory;
mod traces;
mod verdict;
