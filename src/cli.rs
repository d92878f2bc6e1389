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
    /// Simulate a scenario and write summary.json, intervals.csv, run.json, charts/ and report.html.
    Run(RunArgs),
    /// Staffing plan: requirement by SIPP Erlang C/A and by simulation, shifts, plan.csv,
    /// verified by simulation with fresh seeds.
    Plan(PlanArgs),
    /// Quick Erlang C and Erlang A answers for one stationary interval.
    Erlang(ErlangArgs),
    /// Fit a scenario from service records (a `kefu run --trace` file or an export in the
    /// same shape; see docs/data.md) and write it as TOML with a commented fit report.
    Calibrate(CalibrateArgs),
    /// Validate scenario files only; exit 0 when all are valid.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Compare two scenarios on common random numbers: every metric as B − A with a paired
    /// 95% CI; writes compare.json, compare.md and a chart of the differences.
    Compare(CompareArgs),
    /// Run a scenario over a grid of one or two keys (--set KEY=FROM..TO[:STEPS]) on common
    /// random numbers; writes sweep.csv, sweep.json, sweep.md and charts.
    Sweep(SweepArgs),
    /// Combine the folders written by `kefu sweep --shard K/N` into one sweep's output.
    Merge(MergeArgs),
    /// Measure speed against the budget (docs/performance.md); exit 1 if a budget fails.
    /// Timing-sensitive: run it on a quiet machine, not in shared CI.
    Bench(BenchArgs),
}

/// How many replications: a number, or `auto` (until the service level is precise enough).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Replications {
    Count(u32),
    Auto,
}

/// Parses `--replications N|auto`.
pub fn parse_replications(s: &str) -> Result<Replications, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(Replications::Auto);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(Replications::Count(n)),
        _ => Err(format!(
            "`{s}` is neither `auto` nor a whole number in 1..=100000"
        )),
    }
}

/// Options of `--replications auto`.
#[derive(Debug, Args, Default, Clone)]
pub struct AutoArgs {
    /// With --replications auto: stop once the service level's 95% CI half-width is at most
    /// this (a share: 0.005 = ±0.5 percentage points) [default: 0.005].
    #[arg(long)]
    pub precision: Option<f64>,
    /// With --replications auto: never run more replications than this [default: 2000].
    #[arg(long)]
    pub max_replications: Option<u32>,
}

/// Options of `kefu compare`.
#[derive(Debug, Args, Clone)]
pub struct CompareArgs {
    /// Scenario A (the baseline).
    pub a: PathBuf,
    /// Scenario B (the option); differences are B − A.
    pub b: PathBuf,
    /// Output folder (default: output/compare-<A stem>-vs-<B stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replications, a number or `auto` (default: A's [run] replications).
    #[arg(long, value_parser = parse_replications)]
    pub replications: Option<Replications>,
    #[command(flatten)]
    pub auto: AutoArgs,
    /// Master seed for both (default: A's [run] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `kefu sweep`.
#[derive(Debug, Args, Clone)]
pub struct SweepArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// KEY=FROM..TO[:STEPS], KEY=A,B,C or KEY=VALUE; KEY is a dotted path into the scenario
    /// such as bot.complex.resolve, arrivals.peaks[0].multiplier or pools[0].agents. Once or twice.
    #[arg(long = "set", required = true, num_args = 1)]
    pub set: Vec<String>,
    /// Output folder (default: output/<stem>-sweep/, or …-sweep-shard-K-of-N/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replications per point, a number or `auto` (default: the scenario's).
    #[arg(long, value_parser = parse_replications)]
    pub replications: Option<Replications>,
    #[command(flatten)]
    pub auto: AutoArgs,
    /// Master seed (default: the scenario's); every point uses it.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run only shard K of N (0 ≤ K < N): points K, K+N, K+2N… (merge with `kefu merge`).
    #[arg(long)]
    pub shard: Option<String>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `kefu merge`.
#[derive(Debug, Args, Clone)]
pub struct MergeArgs {
    /// The shards' output folders (all N of them, in any order).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder (default: output/sweep-merged/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `kefu bench`.
#[derive(Debug, Args, Clone)]
pub struct BenchArgs {
    /// Rounds: each round times every case once, interleaved, so that a slow stretch of a
    /// shared machine does not fall on one case alone; the best of the rounds is checked
    /// against the budget and the median shown beside. With --queue: rounds of engine and floor.
    #[arg(long, default_value_t = crate::bench::DEFAULT_REPS, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub reps: u32,
    /// Counted days of the single-replication M/M/200 cases (more: steadier figures).
    #[arg(long, default_value_t = 5.0)]
    pub days: f64,
    /// Time one textbook queue instead of the budget table: `SERVERS:LOAD` (M/M/c) or
    /// `SERVERS:LOAD:+M` (mean patience 240 s), 300 s chats; prints one JSON line with the
    /// engine's and the bare floor's contacts per second of one core (used by bench/peers.py).
    #[arg(long, value_name = "C:LOAD[:+M]")]
    pub queue: Option<String>,
    /// Customers simulated with --queue (about; the horizon is rounded to whole seconds).
    #[arg(long, default_value_t = 1_000_000, requires = "queue")]
    pub customers: u64,
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
    /// Replications (overrides [run] replications), or `auto`: add replications until the
    /// service level's 95% CI half-width is at most --precision.
    #[arg(long, value_parser = parse_replications)]
    pub replications: Option<Replications>,
    #[command(flatten)]
    pub auto: AutoArgs,
    /// Master seed (overrides [run] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Do not draw charts (for batch runs); report.html then has no charts.
    #[arg(long)]
    pub no_charts: bool,
    /// A TTF/OTF/TTC font for chart text instead of the built-in Noto Sans, e.g. a CJK font
    /// for Chinese category names: /usr/share/fonts/truetype/wqy/wqy-microhei.ttc.
    #[arg(long, value_name = "FILE")]
    pub font_file: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a per-contact trace (one row per visit, replication 0) to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub trace: Option<PathBuf>,
    /// Replace an existing --trace file (output folders are never forced: kefu replaces
    /// only folders it wrote itself).
    #[arg(long, requires = "trace")]
    pub force: bool,
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
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
    /// Refuse when more than this share of rows is unusable.
    #[arg(long, default_value_t = 0.05)]
    pub max_bad_share: f64,
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
    /// Do not draw charts; report.html then has no charts.
    #[arg(long)]
    pub no_charts: bool,
    /// A TTF/OTF/TTC font for chart text instead of the built-in Noto Sans (see `kefu run`).
    #[arg(long, value_name = "FILE")]
    pub font_file: Option<PathBuf>,
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
