//! Files written by a run (contract, section 3) and the terminal summary. Everything is
//! written into a temporary folder beside the destination and renamed into place at the end,
//! so a failed or interrupted run never leaves a half-written output folder.

pub mod batch_page;
pub mod charts;
pub mod compare_page;
pub mod compare_text;
pub mod csv_out;
pub mod days;
pub mod html;
pub mod json;
pub mod plan_html;
pub mod run_record;
pub mod sweep_page;
pub mod terminal;
pub mod tickets;
pub mod whatif_charts;
pub mod whatif_html;

/// The output folder moved to the ground floor ([`crate::outfs`]); re-exported for report code.
pub use crate::outfs::OutputDir;
