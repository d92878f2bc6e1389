//! `kefu compare A B`: two scenarios on common random numbers, every metric as B − A with
//! a paired 95% CI.

use super::{confirm, load, reps_of, run_failure, AutoArgs, Replications};
use crate::failure::{notes, say, warn, Failure};
use crate::report::compare_page::{self, CompareInfo};
use crate::report::compare_text;
use crate::report::{json::to_text, OutputDir};
use crate::runner::{self, Hooks, IntervalStore, Job, Progress, Reps};
use crate::verdict::Verdict;
use crate::whatif::compare;
use clap::Args;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

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
    #[arg(long, value_parser = super::parse_replications)]
    pub replications: Option<Replications>,
    #[command(flatten)]
    pub auto: AutoArgs,
    /// Master seed for both (default: A's [run] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Do not ask for confirmation before a comparison estimated to take over a minute.
    #[arg(long, short)]
    pub yes: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `kefu compare A B`.
pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    let a = load(Some(&args.a))?;
    let b = load(Some(&args.b))?;
    let (ma, mb) = (&a.model, &b.model);
    let seed = args.seed.unwrap_or(ma.run.seed);
    let plan = reps_of(args.replications, ma.run.replications, &args.auto)?;
    if args.seed.is_none() && mb.run.seed != ma.run.seed {
        warn(&format!(
            "warning: B sets seed {} and A seed {}: both run with A's ({seed}) so that they see the same customers",
            mb.run.seed, ma.run.seed
        ));
    }
    if args.replications.is_none() && mb.run.replications != ma.run.replications {
        warn(&format!(
            "warning: B sets {} replications and A {}: both run A's",
            mb.run.replications, ma.run.replications
        ));
    }
    if (ma.run.counted_from, ma.run.counted_to, ma.run.interval_s)
        != (mb.run.counted_from, mb.run.counted_to, mb.run.interval_s)
    {
        warn("warning: A and B simulate different horizons ([run] start, days, warmup_hours or interval_minutes differ): the pairing is only as fair as the horizons are comparable");
    }
    let dest = args.out.clone().unwrap_or_else(|| {
        super::default_out(format!(
            "compare-{}-vs-{}",
            super::stem(&args.a),
            super::stem(&args.b)
        ))
    });
    let job = Job {
        groups: vec![vec![ma, mb]],
        seed,
        reps: plan,
        threads: args.threads.map(|t| t as usize),
        progress: if args.quiet {
            Progress::Hidden
        } else {
            Progress::Replications
        },
        intervals: IntervalStore::Memory,
    };
    confirm(
        &runner::estimate::estimate_with_pilot(&job).with_charts(true),
        "this comparison",
        args.yes,
        args.quiet,
    )?;
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add_scenario(&args.a, a.files.iter().map(|(f, _)| f.as_str()));
    inputs.add_scenario(&args.b, b.files.iter().map(|(f, _)| f.as_str()));
    let out = OutputDir::create_for(&dest, &inputs)?;
    notes(out.notes());
    let run = runner::run(&job, Hooks::default()).map_err(run_failure)?;
    let o = run.groups[0];
    let rows = compare::compare(&run.aggregates[0][0], &run.aggregates[0][1]);
    let (mode, precision, max) = reps_mode(plan);
    let mut meta = Map::new();
    meta.insert(
        "scenario_a".into(),
        json!({"name": ma.name, "file": args.a.display().to_string(), "sha256": crate::provenance::sha256_hex(a.source_text.as_bytes())}),
    );
    meta.insert(
        "scenario_b".into(),
        json!({"name": mb.name, "file": args.b.display().to_string(), "sha256": crate::provenance::sha256_hex(b.source_text.as_bytes())}),
    );
    meta.insert("seed".into(), json!(seed));
    meta.insert("replications".into(), json!(o.replications));
    meta.insert(
        "replications_mode".into(),
        json!({"mode": mode, "precision": precision, "max_replications": max, "converged": matches!(plan, Reps::Auto{..}).then_some(o.converged)}),
    );
    meta.insert("pairing".into(), json!("common random numbers: replication r of A and of B use the same streams (same customers, handle times, patience)"));
    let doc = compare_page::to_json(meta, &rows);
    out.write("compare.json", to_text(&doc))?;
    let verdict_a = Verdict::of_run(ma, &run.aggregates[0][0])?;
    let verdict_b = Verdict::of_run(mb, &run.aggregates[0][1])?;
    let info = CompareInfo {
        a_name: &ma.name,
        b_name: &mb.name,
        seed,
        replications: o.replications,
        target_service_level: ma.target.service_level,
        verdicts: [&verdict_a, &verdict_b],
    };
    compare_page::write_compare(&out, &doc, &rows, &info)?;
    let dest = out.commit()?;
    if !args.quiet {
        let mut s = format!(
            "A: {} ({})\nB: {} ({})\n{} paired replication(s), seed {seed}, common random numbers\n\n",
            ma.name,
            args.a.display(),
            mb.name,
            args.b.display(),
            o.replications
        );
        s.push_str(&compare_text::table(&rows, false));
        s.push('\n');
        s.push_str(&compare_page::verdict_text(&rows));
        s.push_str(&compare_page::against_target_text(&info));
        if let Reps::Auto { .. } = plan {
            s.push_str(&super::run::auto_line(&o, &args.auto));
        }
        s.push_str(&format!(
            "  results in {}/ ({:.2} s, {} threads)\n",
            dest.display(),
            run.wall_s,
            run.threads
        ));
        say(&crate::escape::terminal_lines(&s))?;
    }
    Ok(())
}

pub(super) fn reps_mode(plan: Reps) -> (Value, Option<f64>, Option<u32>) {
    match plan {
        Reps::Fixed(n) => (json!(n), None, None),
        Reps::Auto { precision, max, .. } => (json!("auto"), Some(precision), Some(max)),
    }
}
