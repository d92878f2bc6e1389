//! The one integration-test crate (nexosim style): each module is one kind of test.
mod common;
mod determinism;
mod theory;
mod traces;
