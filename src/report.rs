//! Files written by a run (contract, section 3) and the terminal summary. Everything is
//! written into a temporary folder beside the destination and renamed into place at the end,
//! so a failed or interrupted run never leaves a half-written output folder.

pub mod batch_page;
pub mod charts;
pub mod compare_page;
pub mod csv_out;
pub mod html;
pub mod json;
pub mod output_dir;
pub mod plan_html;
pub mod run_record;
pub mod sweep_page;
pub mod terminal;
pub mod whatif_charts;
pub mod whatif_html;

pub use output_dir::OutputDir;
