//! The one integration-test crate (nexosim style): each module is one kind of test.
mod cli;
mod common;
mod customers;
mod determinism;
mod engine_rules;
mod flat_memory;
mod fuzz_props;
mod hostile;
mod operations;
mod reliability;
mod safety;
mod theory;
mod theory_customers;
mod traces;
