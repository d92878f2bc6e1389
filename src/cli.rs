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
    /// Staffing plan: requirement by SIPP Erlang C/A and by simulation, shifts, plan.csv,
    /// verified by simulation with fresh seeds.
    Plan(PlanArgs),
    /// Quick Erlang C and Erlang A answers for one stationary interval.
    Erlang(ErlangArgs),
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
}

/// Options of `kefu plan`.
#[derive(Debug, Args, Default, Clone)]
pub struct PlanArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Output folder (default: output/<scenario file stem>-plan/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replications of the final verification (default: [planning] verify_replications, else [run] replications).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=100_000))]
    pub replications: Option<u32>,
    /// Replications per tuning iteration (default: [planning] tuning_replications, 8).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub tuning_replications: Option<u32>,
    /// Seed of the verification (must differ from the scenario seed used for tuning).
    #[arg(long)]
    pub verify_seed: Option<u64>,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `kefu erlang`.
#[derive(Debug, Args, Clone)]
pub struct ErlangArgs {
    /// Contacts reaching agents per hour.
    #[arg(long)]
    pub rate_per_hour: f64,
    /// Mean handle time [s].
    #[arg(long)]
    pub handle_s: f64,
    /// Agents (servers) to evaluate.
    #[arg(long)]
    pub agents: Option<u32>,
    /// Mean patience [s] for Erlang A (without it Erlang A is skipped).
    #[arg(long)]
    pub patience_s: Option<f64>,
    /// Answer-within threshold [s] of the service level.
    #[arg(long, default_value_t = 120.0)]
    pub target_s: f64,
    /// Target service level.
    #[arg(long, default_value_t = 0.9)]
    pub target: f64,
}
