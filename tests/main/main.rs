//! The one integration-test crate (nexosim style): each module is one kind of test.
mod cli;
mod common;
mod determinism;
mod operations;
mod theory;
mod traces;
