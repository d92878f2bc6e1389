//! The command wing: the command line, one file per subcommand under `cmd/`, and what every
//! command shares (interrupt handling installed once, scenario loading with its warnings,
//! the replication options, the confirmation before a long job). Nothing below this wing
//! imports from it; each subcommand maps the library's typed errors to a [`Failure`].

mod batch;
pub mod bench;
mod calibrate;
mod check;
mod compare;
pub mod erlang;
mod merge;
mod plan;
mod run;
mod sweep;

use crate::failure::{warn, Failure};
use crate::format::{human_bytes, human_count, human_duration};
use crate::runner::{stopping, Estimate, Reps};
use crate::scenario::{self, Loaded};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

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
    Run(run::RunArgs),
    /// Staffing plan: requirement by SIPP Erlang C/A and by simulation, shifts, plan.csv,
    /// verified by simulation with fresh seeds.
    Plan(plan::PlanArgs),
    /// Quick Erlang C and Erlang A answers for one stationary interval.
    Erlang(erlang::ErlangArgs),
    /// Fit a scenario from service records (a `kefu run --trace` file or an export in the
    /// same shape; see docs/data.md) and write it as TOML with a commented fit report.
    Calibrate(calibrate::CalibrateArgs),
    /// Validate scenario files only; exit 0 when all are valid.
    Check(check::CheckArgs),
    /// Compare two scenarios on common random numbers: every metric as B − A with a paired
    /// 95% CI; writes compare.json, compare.md and a chart of the differences.
    Compare(compare::CompareArgs),
    /// Run a scenario over a grid of one or two keys (`--set KEY=FROM..TO[:STEPS]`) on common
    /// random numbers; writes sweep.csv, sweep.json, sweep.md and charts.
    Sweep(sweep::SweepArgs),
    /// Many shops from a manifest CSV (one row per shop), each seeded from (seed, shop id),
    /// optionally one shard of them; writes a folder per shop and the mall roll-up.
    Batch(batch::BatchArgs),
    /// Combine the folders written by `kefu sweep --shard K/N` or `kefu batch --shard K/N`
    /// into one sweep's or batch's output (`--partial`: the shards present).
    Merge(merge::MergeArgs),
    /// Measure speed against the budget (docs/performance.md); exit 1 if a budget fails.
    /// Timing-sensitive: run it on a quiet machine, not in shared CI.
    Bench(bench::BenchArgs),
}

/// Runs the parsed command line; the process exits with [`Failure::exit_code`].
pub fn dispatch(cli: Cli) -> Result<(), Failure> {
    // Every command: Ctrl-C and SIGTERM stop it cleanly (see `interrupt`).
    crate::interrupt::install();
    let result = match cli.command {
        None => {
            warn(
                "kefu: no command given, running the built-in default scenario (see `kefu --help`)",
            );
            run::run(run::RunArgs::default())
        }
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Check(args)) => check::check(&args),
        Some(Command::Plan(args)) => plan::plan(args),
        Some(Command::Erlang(args)) => erlang::erlang(&args),
        Some(Command::Compare(args)) => compare::compare(args),
        Some(Command::Sweep(args)) => sweep::sweep(args),
        Some(Command::Batch(args)) => batch::batch(args),
        Some(Command::Merge(args)) => merge::merge(args),
        Some(Command::Calibrate(args)) => calibrate::calibrate(args),
        Some(Command::Bench(args)) => bench::bench(&args),
    };
    match result {
        Err(_) if crate::interrupt::requested() => Err(Failure::Interrupted),
        other => other,
    }
}

/// Loads a scenario file, or the compiled-in default when `path` is `None`, printing its
/// warnings.
fn load(path: Option<&Path>) -> Result<Loaded, Failure> {
    let loaded = match path {
        Some(p) => scenario::load(p),
        None => scenario::load_str(
            scenario::DEFAULT_SCENARIO,
            "default.toml (built in)",
            Path::new("."),
        ),
    };
    let loaded = loaded.map_err(Failure::input)?;
    for w in &loaded.warnings {
        warn(&crate::escape::terminal_lines(&format!("warning: {w}")));
    }
    Ok(loaded)
}

/// A file's stem, for default output folder names.
fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

/// `output/<name>/`.
fn default_out(name: String) -> PathBuf {
    Path::new("output").join(name)
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

impl AutoArgs {
    fn precision(&self) -> f64 {
        self.precision.unwrap_or(stopping::DEFAULT_PRECISION)
    }

    fn max(&self) -> u32 {
        self.max_replications.unwrap_or(stopping::DEFAULT_MAX)
    }
}

/// The replication plan from `--replications` (default: `fixed`) and the auto options.
fn reps_of(r: Option<Replications>, fixed: u32, auto: &AutoArgs) -> Result<Reps, Failure> {
    let precision = auto.precision();
    if !(precision.is_finite() && precision > 0.0 && precision < 1.0) {
        return Err(Failure::Input(format!(
            "--precision must be a share between 0 and 1 (e.g. 0.005), got {precision}"
        )));
    }
    let max = auto.max();
    if !(stopping::AUTO_MIN..=100_000).contains(&max) {
        return Err(Failure::Input(format!(
            "--max-replications must be between {} and 100000, got {max}",
            stopping::AUTO_MIN
        )));
    }
    Ok(match r {
        Some(Replications::Auto) => Reps::Auto {
            precision,
            min: stopping::AUTO_MIN,
            max,
        },
        Some(Replications::Count(n)) => Reps::Fixed(n),
        None => Reps::Fixed(fixed),
    })
}

/// A job expected to take longer than this asks for confirmation (in a terminal).
pub const CONFIRM_ABOVE_S: f64 = 60.0;
/// A job expected to take longer than this says so before it starts.
pub const NOTE_ABOVE_S: f64 = 10.0;

/// Before a long job: checks the hard limits, says what the job will cost, and asks for
/// confirmation in a terminal when it should take over [`CONFIRM_ABOVE_S`] (unless `yes`),
/// or warns and goes on when stdin is not one. A job over [`NOTE_ABOVE_S`] says what it
/// will cost (unless `quiet`). `what` names the work ("this run", "this
/// sweep of 12 points").
fn confirm(e: &Estimate, what: &str, yes: bool, quiet: bool) -> Result<(), Failure> {
    e.check_limits().map_err(Failure::input)?;
    // `KEFU_CONFIRM_ABOVE_S` moves the threshold (tests; machines much slower than assumed).
    let threshold = std::env::var("KEFU_CONFIRM_ABOVE_S")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(CONFIRM_ABOVE_S);
    let text = format!(
        "{what} simulates about {} contacts ({} replication(s) of {} each) and should take about {} on {} thread(s), using about {} of memory",
        human_count(e.contacts),
        e.replications,
        human_count(e.contacts_per_replication),
        human_duration(e.seconds),
        e.threads,
        human_bytes(e.peak_bytes)
    );
    if e.seconds <= threshold {
        if e.seconds > NOTE_ABOVE_S.min(threshold) && !quiet {
            warn(&format!("kefu: {text}"));
        }
        return Ok(());
    }
    if yes {
        if !quiet {
            warn(&format!("kefu: {text}"));
        }
        return Ok(());
    }
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        warn(&format!(
            "warning: {text}; going on (not a terminal; pass --yes to silence this)"
        ));
        return Ok(());
    }
    warn(&format!(
        "{text}.\nGo on? [y/N] (pass --yes to skip this question)"
    ));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!(
            "not run: cancelled at the confirmation question"
        )))
    }
}

/// Maps a runner error: limits are the input's fault, an interrupt is an interrupt.
fn run_failure(e: crate::runner::RunError) -> Failure {
    use crate::runner::RunError;
    match e {
        RunError::Interrupted(_) => Failure::Interrupted,
        RunError::Limit(l) => Failure::input(l),
        RunError::TraceNeedsOneModel => Failure::input(e),
        other => Failure::Other(other.into()),
    }
}
