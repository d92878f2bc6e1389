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
    /// Fit a scenario from service records (a `kefu run --trace` file or an export in the
    /// same shape; see docs/data.md) and write it as TOML with a commented fit report.
    Calibrate(CalibrateArgs),
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
    pub scenario: Option<PathBuf>,
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
    /// Write a per-contact trace (one row per visit, replication 0) to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub trace: Option<PathBuf>,
    /// Trace the first N replications instead of only replication 0 (needs --trace).
    #[arg(long, value_name = "N", requires = "trace",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub trace_replications: Option<u32>,
}

/// Options of `kefu calibrate`.
#[derive(Debug, Args, Clone)]
pub struct CalibrateArgs {
    /// The service records (CSV with a header; extra columns are ignored).
    pub records: PathBuf,
    /// Where to write the scenario.
    #[arg(long, default_value = "calibrated.toml")]
    pub out: PathBuf,
    /// Scenario name written into the file.
    #[arg(long)]
    pub name: Option<String>,
    /// Refuse when more than this share of rows is unusable.
    #[arg(long, default_value_t = 0.05)]
    pub max_bad_share: f64,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}
