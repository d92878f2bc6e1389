//! `kefu sweep SCENARIO --set …`: a grid of one or two keys on common random numbers
//! (optionally one shard of it, for `kefu merge`).

use super::{confirm, load, reps_of, run_failure, AutoArgs, Replications};
use crate::failure::{say, warn, Failure};
use crate::report::{json::to_text, sweep_page, OutputDir};
use crate::runner::{self, Hooks, IntervalStore, Job, Progress};
use crate::summary::HumanMetric;
use crate::whatif::edit::{self, fmt_value, SetSpec};
use crate::whatif::points::point_model;
use crate::whatif::sweep::{self, SweepInfo, SweepTable};
use clap::Args;
use std::path::{Path, PathBuf};

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
    #[arg(long, value_parser = super::parse_replications)]
    pub replications: Option<Replications>,
    #[command(flatten)]
    pub auto: AutoArgs,
    /// Master seed (default: the scenario's); every point uses it.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run only shard K of N (0 ≤ K < N): points K, K+N, K+2N… (merge with `kefu merge`);
    /// `auto`: K and N from the scheduler's environment (Slurm, Kubernetes, AWS Batch, SGE).
    #[arg(long)]
    pub shard: Option<String>,
    /// With --shard auto: the shard count where the scheduler does not tell it.
    #[arg(long)]
    pub shard_count: Option<usize>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Do not ask for confirmation before a sweep estimated to take over a minute.
    #[arg(long, short)]
    pub yes: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `kefu sweep SCENARIO --set …`.
pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let base = load(Some(&args.scenario))?;
    let specs: Vec<SetSpec> = args
        .set
        .iter()
        .map(|s| edit::parse_set(s))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::Input(e.to_string()))?;
    if specs.len() > 2 {
        return Err(Failure::Input(
            "--set: a sweep takes one or two keys".into(),
        ));
    }
    if specs.len() == 2 && specs[0].key == specs[1].key {
        return Err(Failure::Input(format!(
            "--set {} is given twice",
            specs[0].key
        )));
    }
    let shard = match args.shard.as_deref() {
        Some(a) if a.trim().eq_ignore_ascii_case("auto") => {
            let p = crate::batch::shard::resolve(a, args.shard_count, &|k| std::env::var(k).ok())
                .map_err(Failure::input)?;
            Some((p.index, p.count))
        }
        Some(a) => Some(sweep::parse_shard(a).map_err(Failure::Input)?),
        None => None,
    };
    let points = sweep::grid(&specs);
    // Every point is validated before anything runs, shard or not.
    let models = point_models(&base, &args.scenario, &specs, &points)?;
    let m0 = &base.model;
    let seed = args.seed.unwrap_or(m0.run.seed);
    let plan = reps_of(args.replications, m0.run.replications, &args.auto)?;
    let selected = sweep::shard_points(points.len(), shard);
    let dest = args.out.clone().unwrap_or_else(|| {
        let mut name = format!("{}-sweep", super::stem(&args.scenario));
        if let Some((k, n)) = shard {
            name.push_str(&format!("-shard-{k}-of-{n}"));
        }
        super::default_out(name)
    });
    let job = Job {
        groups: selected.iter().map(|&i| vec![&models[i]]).collect(),
        seed,
        reps: plan,
        threads: args.threads.map(|t| t as usize),
        progress: if args.quiet {
            Progress::Hidden
        } else {
            Progress::Points
        },
        intervals: IntervalStore::Memory,
    };
    let what = format!("this sweep of {} point(s)", selected.len());
    confirm(
        &runner::estimate::estimate_with_pilot(&job).with_charts(true),
        &what,
        args.yes,
        args.quiet,
    )?;
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add_scenario(&args.scenario, base.files.iter().map(|(f, _)| f.as_str()));
    let out = OutputDir::create_for(&dest, &inputs)?;
    crate::failure::notes(out.notes());
    let run = runner::run(&job, Hooks::default()).map_err(run_failure)?;
    let rows: Vec<sweep::Row> = selected
        .iter()
        .zip(&run.aggregates)
        .zip(&run.groups)
        .map(|((&i, aggs), o)| sweep::row(i, &points[i], o.replications, &aggs[0]))
        .collect();
    let metrics = run
        .aggregates
        .first()
        .map(|a| sweep::metric_names(&a[0]))
        .unwrap_or_default();
    let table = SweepTable {
        keys: specs.iter().map(|k| k.key.clone()).collect(),
        metrics,
        rows,
    };
    let info = SweepInfo {
        scenario: m0.name.clone(),
        keys: specs.clone(),
        target_service_level: m0.target.service_level,
        answer_within_s: m0.target.answer_within_s,
    };
    let (mode, precision, max) = super::compare::reps_mode(plan);
    let manifest = sweep::manifest(
        &info,
        &crate::provenance::sha256_hex(base.source_text.as_bytes()),
        seed,
        mode,
        precision,
        max,
        shard,
    );
    if shard.is_some() {
        out.write("sweep.json", to_text(&manifest))?;
        out.write("sweep.csv", sweep::csv_text(&table))?;
    } else {
        sweep_page::write_sweep(&out, &manifest, &table)?;
    }
    let dest = out.commit()?;
    if !args.quiet {
        let shard_note = shard.map_or(String::new(), |(k, n)| {
            format!(" of {}: shard {k}/{n}", points.len())
        });
        let s = terminal_text(&m0.name, seed, &table, &shard_note, &run, &dest);
        say(&crate::escape::terminal_lines(&s))?;
    }
    Ok(())
}

/// The scenario of every point, validated (all problems at once, the first three shown).
fn point_models(
    base: &crate::scenario::Loaded,
    scenario: &Path,
    specs: &[SetSpec],
    points: &[Vec<f64>],
) -> Result<Vec<crate::model::Model>, Failure> {
    let origin = scenario.display().to_string();
    let base_dir = scenario.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut models = Vec::with_capacity(points.len());
    let (mut errors, mut notes) = (Vec::new(), Vec::new());
    for p in points {
        match point_model(&base.source_text, &origin, &base_dir, specs, p) {
            Ok((l, n)) => {
                for w in n
                    .into_iter()
                    .chain(l.warnings.iter().map(|w| w.to_string()))
                {
                    if !notes.contains(&w) {
                        notes.push(w);
                    }
                }
                models.push(l.model);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        let n = errors.len();
        errors.truncate(3);
        return Err(Failure::Input(format!(
            "{n} of {} sweep point(s) are invalid:\n{}",
            points.len(),
            errors.join("\n")
        )));
    }
    for n in &notes {
        warn(&format!("note: {n}"));
    }
    Ok(models)
}

/// The terminal summary: one line per point, then the cost.
fn terminal_text(
    scenario: &str,
    seed: u64,
    table: &SweepTable,
    shard_note: &str,
    run: &runner::Outcome,
    dest: &Path,
) -> String {
    let mut s = format!(
        "{scenario} — sweep of {} ({} point(s){shard_note}), seed {seed}, common random numbers\n",
        table.keys.join(" × "),
        table.rows.len(),
    );
    for r in &table.rows {
        let sl = table.estimate(r, HumanMetric::ServiceLevel);
        let w = table.estimate(r, HumanMetric::MeanWaitS);
        let vals: Vec<String> = r.values.iter().map(|v| fmt_value(*v)).collect();
        s.push_str(&format!(
            "  {:<14} {:>5} reps  service level {}  mean wait {}\n",
            vals.join(", "),
            r.replications,
            match (sl.mean, sl.ci95) {
                (Some(m), Some(c)) => format!("{:6.2}% ± {:.2}", m * 100.0, c * 100.0),
                (Some(m), None) => format!("{:6.2}%", m * 100.0),
                _ => "n/a".into(),
            },
            w.mean.map_or("n/a".into(), |m| format!("{m:.1} s"))
        ));
    }
    let total: u32 = table.rows.iter().map(|r| r.replications).sum();
    s.push_str(&format!(
        "  {} replications in {:.2} s wall time on {} threads ({:.0} contacts/s)\n  results in {}/\n",
        total,
        run.wall_s,
        run.threads,
        run.contacts_simulated as f64 / run.wall_s.max(1e-9),
        dest.display()
    ));
    s
}
