//! The command line (contract, section 4): clap definitions only; the work is in `app`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// kefu — simulate and plan chat customer service (bot first, then human agents).
#[derive(Debug, Parser)]
#[command(name = "kefu", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write summary.json, intervals.csv and run.json.
    Run(RunArgs),
    /// Validate scenario files only; exit 0 when all are valid.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

/// Options of `kefu run`.
#[derive(Debug, Args, Default, Clone)]
pub struct RunArgs {
    /// The scenario file; without it the built-in default scenario runs.
    #[arg(conflicts_with = "from")]
    pub scenario: Option<PathBuf>,
    /// Re-run a recorded run: the scenario, CSV files, seed and replications in its run.json.
    #[arg(long, value_name = "RUN_JSON")]
    pub from: Option<PathBuf>,
    /// Do not ask for confirmation before a run estimated to take over a minute.
    #[arg(long, short)]
    pub yes: bool,
    /// Output folder (default: output/<scenario file stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replications (overrides [run] replications).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: Option<u32>,
    /// Master seed (overrides [run] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}
