//! `kefu batch MANIFEST.csv`: every shop of a manifest (or one shard of them), each in its
//! own folder as it finishes, then the mall roll-up. See `docs/scale.md`.

mod pooled;

use super::{confirm, run_failure};
use crate::batch::manifest::{self, Manifest};
use crate::batch::prepare::{self, Sources};
use crate::batch::record::BatchRecord;
use crate::batch::rollup::{self, ShopResult};
use crate::batch::shard::{self, ShardPlace};
use crate::failure::{say, warn, Failure};
use crate::report::{self, OutputDir};
use crate::runner::{self, Hooks, IntervalStore, Job, Progress, Reps};
use clap::Args;
use std::path::{Path, PathBuf};

/// Largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 64 * crate::input::MIB;

/// Options of `kefu batch`.
#[derive(Debug, Args, Clone)]
pub struct BatchArgs {
    /// The manifest: one row per shop (id, scenario, category, platform, overrides).
    pub manifest: PathBuf,
    /// The scenario of shops whose `scenario` cell is empty (or when there is no such column).
    #[arg(long, value_name = "SCENARIO")]
    pub template: Option<PathBuf>,
    /// Output folder (default: output/<manifest stem>-batch/, or …-batch-shard-K-of-N/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed; each shop's replications use a seed derived from it and the shop's id.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Replications per shop (default: each shop's scenario's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: Option<u32>,
    /// Run only shard K/N of the shops (by estimated cost), or `auto`: K and N from the
    /// scheduler's environment (Slurm, Kubernetes Indexed Job, AWS Batch, SGE).
    #[arg(long)]
    pub shard: Option<String>,
    /// The shard count where the scheduler does not tell it (Kubernetes, AWS Batch).
    #[arg(long)]
    pub shard_count: Option<usize>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Instead of running each shop: the agent-hours shared pools (POOLS.toml) save against
    /// one pool per shop, for the same target, with paired CIs (writes pooling.json/.md).
    #[arg(long, value_name = "POOLS.toml", conflicts_with_all = ["shard", "shard_count"])]
    pub pooled: Option<PathBuf>,
    /// Do not ask for confirmation before a batch estimated to take over a minute.
    #[arg(long, short)]
    pub yes: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A manifest read and every shop validated (only costs kept, not models).
struct Checked {
    manifest: Manifest,
    sources: Sources,
    record: BatchRecord,
    costs: Vec<f64>,
}

fn check_all(args: &BatchArgs) -> Result<Checked, Failure> {
    let file = args.manifest.display().to_string();
    let text =
        crate::input::read_input_text(&args.manifest, MAX_MANIFEST_BYTES, "a batch manifest")
            .map_err(Failure::input)?;
    let manifest = manifest::parse(&text, &file).map_err(Failure::input)?;
    let template = match &args.template {
        Some(p) => Some((
            p.clone(),
            crate::input::read_input_text(p, crate::input::MAX_TEXT_BYTES, "a scenario file")
                .map_err(Failure::input)?,
        )),
        None => None,
    };
    let dir = args
        .manifest
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let sources = Sources::read(&manifest, &dir, template);
    let (mut errors, mut notes, mut costs) = (manifest.problems.clone(), Vec::new(), Vec::new());
    for shop in &manifest.shops {
        if shop.bad {
            costs.push(0.0);
            continue;
        }
        match prepare::shop_model(&manifest, shop, &sources) {
            Ok(l) => {
                let reps = args.replications.unwrap_or(l.model.run.replications);
                let job = Job::single(&l.model, 0, Reps::Fixed(reps));
                if let Err(e) = runner::estimate::estimate(&job).check_limits() {
                    errors.push(manifest::RowError {
                        line: shop.line,
                        column: 0,
                        message: e.to_string(),
                    });
                }
                for w in &l.warnings {
                    let w = w.to_string();
                    if notes.len() < 20 && !notes.contains(&w) {
                        notes.push(w);
                    }
                }
                costs.push(l.model.expected_arrivals() * f64::from(reps));
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(Failure::input(manifest::ManifestError { file, errors }));
    }
    for n in &notes {
        warn(&crate::escape::terminal_lines(&format!("warning: {n}")));
    }
    let manifest_sha256 = crate::provenance::sha256_hex(text.as_bytes());
    let record = BatchRecord {
        kefu_version: env!("CARGO_PKG_VERSION").into(),
        manifest: args
            .manifest
            .file_name()
            .map_or(file.clone(), |n| n.to_string_lossy().into_owned()),
        inputs_sha256: sources.inputs_sha256(&manifest_sha256),
        manifest_sha256,
        seed: args.seed,
        replications: args.replications,
        shops: manifest.shops.iter().map(|s| s.id.clone()).collect(),
        shard: None,
        assignment: None,
    };
    Ok(Checked {
        manifest,
        sources,
        record,
        costs,
    })
}

/// `kefu batch MANIFEST.csv`.
pub fn batch(args: BatchArgs) -> Result<(), Failure> {
    let mut c = check_all(&args)?;
    if let Some(p) = &args.pooled {
        return pooled::pooled(&args, &c, p);
    }
    let place: Option<ShardPlace> = match &args.shard {
        Some(s) => Some(
            shard::resolve(s, args.shard_count, &|k| std::env::var(k).ok())
                .map_err(Failure::input)?,
        ),
        None if args.shard_count.is_some() => {
            return Err(Failure::Input("--shard-count needs --shard".into()))
        }
        None => None,
    };
    let place = place.map(|mut p| {
        // The command as run, `--shard` given as `{K}`: how to rerun a lost shard by hand.
        let mut next_is_shard = false;
        p.command = std::env::args()
            .map(|a| {
                let was = std::mem::replace(&mut next_is_shard, a == "--shard");
                if was {
                    "{K}".to_string()
                } else if a.starts_with("--shard=") {
                    "--shard={K}".to_string()
                } else {
                    a
                }
            })
            .collect();
        p
    });
    let selected: Vec<usize> = match &place {
        Some(p) => {
            let a = shard::assign(&c.costs, p.count);
            let sel = (0..a.len()).filter(|&i| a[i] == p.index).collect();
            c.record.shard = Some(p.clone());
            c.record.assignment = Some(a);
            sel
        }
        None => (0..c.manifest.shops.len()).collect(),
    };
    let dest = args.out.clone().unwrap_or_else(|| {
        let mut name = format!("{}-batch", super::stem(&args.manifest));
        if let Some(p) = &place {
            name.push_str(&format!("-shard-{}-of-{}", p.index, p.count));
        }
        super::default_out(name)
    });
    let contacts: f64 = selected.iter().map(|&i| c.costs[i]).sum();
    let mut e = runner::estimate::Estimate {
        contacts_per_replication: 0.0,
        contacts,
        replications: 0,
        seconds: 0.0,
        peak_bytes: 0.0,
        intervals: 0,
        horizon: (0.0, 0.0),
        threads: 1,
    };
    // The costliest shop sets the memory; the sum of contacts the time.
    if let Some(&big) = selected
        .iter()
        .max_by(|&&a, &&b| c.costs[a].total_cmp(&c.costs[b]))
    {
        let l = prepare::shop_model(&c.manifest, &c.manifest.shops[big], &c.sources)
            .map_err(Failure::input)?;
        let reps = args.replications.unwrap_or(l.model.run.replications);
        let mut job = Job::single(&l.model, 0, Reps::Fixed(reps));
        job.threads = args.threads.map(|t| t as usize);
        job.intervals = IntervalStore::Files;
        let one = runner::estimate::estimate(&job);
        e = runner::estimate::Estimate {
            contacts,
            seconds: one.seconds * contacts / one.contacts.max(1.0),
            ..one
        };
    }
    let what = format!("this batch of {} shop(s)", selected.len());
    confirm(&e, &what, args.yes, args.quiet)?;
    let out = OutputDir::create_for(&dest, &batch_inputs(&args, &c))?;
    crate::failure::notes(out.notes());
    out.write("batch.json", c.record.to_text())?;
    let started = std::time::Instant::now();
    let mut rows = Vec::with_capacity(selected.len());
    let mut contacts_simulated = 0u64;
    for (done, &i) in selected.iter().enumerate() {
        let (row, simulated) = run_shop(&args, &c, i, &out)?;
        contacts_simulated += simulated;
        rows.push(row);
        if !args.quiet {
            progress(done + 1, selected.len());
        }
    }
    let wall_s = started.elapsed().as_secs_f64();
    out.write("shops.csv", rollup::shops_csv(&rows))?;
    if place.is_none() {
        write_rollup(&out, &c.record, &rows, Vec::new())?;
    }
    let dest = out.commit()?;
    if !args.quiet {
        let mut s = match &place {
            Some(p) => format!(
                "shard {p} ({:?}): {} of {} shop(s)\n",
                p.scheduler,
                rows.len(),
                c.record.shops.len()
            ),
            None => summary_text(&rollup::rollup(&rows, Vec::new())),
        };
        s.push_str(&format!(
            "  {} shop(s) in {wall_s:.1} s ({:.0} contacts/s)\n  results in {}/\n",
            rows.len(),
            contacts_simulated as f64 / wall_s.max(1e-9),
            dest.display()
        ));
        say(&crate::escape::terminal_lines(&s))?;
    }
    Ok(())
}

/// Runs one shop and writes its folder; returns its row and the contacts simulated.
fn run_shop(
    args: &BatchArgs,
    c: &Checked,
    i: usize,
    out: &OutputDir,
) -> Result<(ShopResult, u64), Failure> {
    let shop = &c.manifest.shops[i];
    // Rebuilt from the manifest row (validated before anything ran): no model is kept.
    let l = prepare::shop_model(&c.manifest, shop, &c.sources).map_err(Failure::input)?;
    let m = &l.model;
    let seed = crate::batch::shop_seed(args.seed, &shop.id);
    let reps = args.replications.unwrap_or(m.run.replications);
    let mut job = Job::single(m, seed, Reps::Fixed(reps));
    job.threads = args.threads.map(|t| t as usize);
    job.progress = Progress::Hidden;
    job.intervals = IntervalStore::FilesIn(out.tmp_path().to_path_buf());
    let outcome = runner::run(&job, Hooks::default()).map_err(run_failure)?;
    let simulated = outcome.contacts_simulated;
    let (mut agg, outcome) = outcome.into_single();
    let replications = outcome.groups[0].replications;
    let folder = format!("shops/{}", shop.id);
    out.write(
        &format!("{folder}/summary.json"),
        report::json::to_text(&report::json::summary(m, &agg, replications, seed)),
    )?;
    out.write_with(&format!("{folder}/intervals.csv"), |w| {
        report::csv_out::write_intervals(m, &agg, w)
    })?;
    let row = prepare::shop_result(i, shop, m, &agg, seed, replications)?;
    agg.intervals.close();
    Ok((row, simulated))
}

/// A progress line on a terminal (every shop), nothing otherwise.
fn progress(done: usize, total: usize) {
    use std::io::{IsTerminal, Write};
    let mut e = std::io::stderr();
    if e.is_terminal() {
        let _ = write!(e, "\r  shop {done}/{total}");
        if done == total {
            let _ = writeln!(e);
        }
    }
}

/// The roll-up files of a whole batch (one run, or merged shards: the same bytes).
pub(super) fn write_rollup(
    out: &OutputDir,
    record: &BatchRecord,
    rows: &[ShopResult],
    not_run: Vec<String>,
) -> Result<(), Failure> {
    let r = rollup::rollup(rows, not_run);
    let json = serde_json::to_string_pretty(&r).map_err(anyhow::Error::from)?;
    out.write("rollup.json", format!("{json}\n"))?;
    out.write("rollup.csv", rollup::rollup_csv(&r))?;
    out.write(
        "report.html",
        report::batch_page::batch_html(record, &r, rows),
    )?;
    Ok(())
}

/// The terminal lines of a roll-up.
pub(super) fn summary_text(r: &rollup::Rollup) -> String {
    let m = &r.mall;
    let pct = |v: Option<f64>| v.map_or("n/a".into(), |x| format!("{:.1}%", x * 100.0));
    let mut s = format!(
        "mall: {} shop(s), {:.0} contacts, service level {} (shops p10 {} · p50 {} · p90 {}), {:.0} agent-hours, {:.0} paid hours{}\n  {} shop(s) miss their target",
        m.shops,
        m.contacts,
        pct(m.service_level),
        pct(m.shop_service_level.p10),
        pct(m.shop_service_level.p50),
        pct(m.shop_service_level.p90),
        m.agent_hours,
        m.paid_hours,
        if m.currency.is_empty() { String::new() } else { format!(", cost {:.0} {}", m.cost, m.currency) },
        m.shops_missing_target
    );
    const LISTED: usize = 5;
    let ids: Vec<String> = r
        .missing_target
        .iter()
        .take(LISTED)
        .map(|x| format!("{} {}", x.id, pct(x.service_level)))
        .collect();
    if !ids.is_empty() {
        s.push_str(&format!(
            ": {}{}",
            ids.join(", "),
            if r.missing_target.len() > LISTED {
                ", …"
            } else {
                ""
            }
        ));
    }
    s.push('\n');
    if !r.not_run.is_empty() {
        s.push_str(&format!(
            "  {} shop(s) not run (missing shards)\n",
            r.not_run.len()
        ));
    }
    s
}

/// Every file a batch reads (manifest, template, the shops' scenarios): no output may be one.
fn batch_inputs(args: &BatchArgs, c: &Checked) -> crate::outfs::Inputs {
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add("manifest", &args.manifest);
    if let Some(t) = &args.template {
        inputs.add("template scenario", t);
    }
    let dir = args.manifest.parent().unwrap_or(Path::new(""));
    for shop in &c.manifest.shops {
        if let Some(f) = &shop.scenario {
            inputs.add("a shop's scenario", &dir.join(f));
        }
    }
    inputs
}
