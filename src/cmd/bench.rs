//! `kefu bench`: the speed budget (docs/performance.md). The timing harness and the bare
//! floor loop are in [`harness`] (also used by `cargo bench` and `examples/`), here in the
//! command wing rather than on the library's floors.

pub mod harness;

use crate::failure::{say, warn, Failure};
use crate::model::RoutingPolicy;
use clap::Args;

/// Options of `kefu bench`.
#[derive(Debug, Args, Clone)]
pub struct BenchArgs {
    /// Rounds: each round times every case once, interleaved, so that a slow stretch of a
    /// shared machine does not fall on one case alone; the best of the rounds is checked
    /// against the budget and the median shown beside. With --queue: rounds of engine and floor.
    #[arg(long, default_value_t = harness::DEFAULT_REPS, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub reps: u32,
    /// Counted days of the single-replication M/M/200 cases (more: steadier figures).
    #[arg(long, default_value_t = 5.0)]
    pub days: f64,
    /// Time one textbook queue instead of the budget table: `SERVERS:LOAD` (M/M/c) or
    /// `SERVERS:LOAD:+M` (mean patience 240 s), 300 s chats; prints one JSON line with the
    /// engine's and the bare floor's contacts per second of one core (used by bench/peers.py).
    #[arg(long, value_name = "C:LOAD[:+M]")]
    pub queue: Option<String>,
    /// Routing policy of the --queue case (`[routing] policy` names): the cost of a
    /// non-default one (default: most_free).
    #[arg(long, value_name = "POLICY", requires = "queue")]
    pub policy: Option<String>,
    /// Customers simulated with --queue (about; the horizon is rounded to whole seconds).
    #[arg(long, default_value_t = 1_000_000, requires = "queue")]
    pub customers: u64,
}

/// Runs `kefu bench`.
pub fn bench(args: &BenchArgs) -> Result<(), Failure> {
    if !(args.days.is_finite() && args.days > 0.0 && args.days <= 365.0) {
        return Err(Failure::Input(format!(
            "--days must be a number of days in (0, 365], got {}",
            args.days
        )));
    }
    if let Some(q) = &args.queue {
        let mut queue = harness::QueueCase::parse(q).map_err(Failure::Input)?;
        if let Some(name) = &args.policy {
            let names: Vec<&str> = RoutingPolicy::ALL.iter().map(|(_, n)| *n).collect();
            queue.policy = RoutingPolicy::ALL
                .iter()
                .find(|(_, n)| n == name)
                .map(|(p, _)| *p)
                .ok_or_else(|| {
                    Failure::Input(format!(
                        "--policy must be one of {}, got {:?}",
                        names.join(", "),
                        crate::escape::excerpt(name)
                    ))
                })?;
        }
        let line = harness::time_queue(&queue, args.customers, args.reps);
        return say(&format!("{line}\n"));
    }
    let opts = harness::BenchOptions {
        reps: args.reps,
        days: args.days,
    };
    let rows = harness::run_budget(&opts, |step| warn(&format!("bench: {step}")));
    let mut text = format!(
        "kefu {} speed budget ({} interleaved rounds, each case once per round; best of the \
         rounds checked, median beside; rates per core by thread CPU time)\n",
        env!("CARGO_PKG_VERSION"),
        opts.reps.max(1)
    );
    text.push_str(&harness::format_rows(&rows));
    say(&text)?;
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.ok == Some(false))
        .map(|r| r.case.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!(
            "speed budget not met: {}",
            failed.join("; ")
        )))
    }
}
