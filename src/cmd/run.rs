//! `kefu run`: prepare (scenario or `--from` record, options, output folder) → simulate →
//! write (summary, intervals, charts, run.json, report) → print.

use super::{confirm, load, reps_of, run_failure, AutoArgs, Replications};
use crate::failure::{notes, say, warn, Failure};
use crate::outfs::{Existing, Inputs};
use crate::report::run_record::{self, AutoRecord, RunRecord, TraceRecord};
use crate::report::{self, OutputDir};
use crate::runner::{self, GroupOutcome, Hooks, IntervalStore, Job, Progress, Reps};
use crate::scenario::Loaded;
use crate::summary::Aggregate;
use crate::verdict::Verdict;
use clap::Args;
use std::path::{Path, PathBuf};

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
    #[arg(long, value_parser = super::parse_replications)]
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

/// Everything decided before simulating.
struct Prepared {
    loaded: Loaded,
    args: RunArgs,
    seed: u64,
    reps: Reps,
    dest: PathBuf,
    /// Every file read: no output may be one of them.
    inputs: Inputs,
}

/// What the simulation produced.
struct Simulated {
    aggregate: Aggregate,
    outcome: runner::Outcome,
    /// The stopping rule's outcome, under `--replications auto`.
    auto: Option<GroupOutcome>,
    trace: Option<TraceRecord>,
    /// The verdict, judged while the interval store is open (the terminal prints it after).
    verdict: Verdict,
    /// Seconds spent drawing charts (set by `write`).
    charts_s: Option<f64>,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let p = prepare(args)?;
    let out = OutputDir::create_for(&p.dest, &p.inputs)?;
    notes(out.notes());
    let mut sim = simulate(&p, &out)?;
    let written = write(&p, &mut sim, out)?;
    print(&p, &sim, &written)
}

/// Loads the scenario (or the record), resolves seed, replications and the output folder,
/// and checks the job's cost.
fn prepare(args: RunArgs) -> Result<Prepared, Failure> {
    if let Some(f) = &args.font_file {
        report::charts::font::use_font_file(f).map_err(|e| Failure::Input(format!("{e:#}")))?;
    }
    let (loaded, args) = match args.from.clone() {
        Some(from) => from_record(&from, args)?,
        None => (load(args.scenario.as_deref())?, args),
    };
    let m = &loaded.model;
    let reps = reps_of(args.replications, m.run.replications, &args.auto)?;
    if matches!(reps, Reps::Auto { .. }) && args.trace.is_some() {
        return Err(Failure::Input(
            "--trace needs a fixed number of replications, not --replications auto".into(),
        ));
    }
    let seed = args.seed.unwrap_or(m.run.seed);
    let dest = args.out.clone().unwrap_or_else(|| {
        super::default_out(
            args.scenario
                .as_deref()
                .map_or("default".into(), super::stem),
        )
    });
    let mut inputs = Inputs::default();
    match (&args.from, &args.scenario) {
        (Some(from), _) => inputs.add("run record", from),
        (None, Some(s)) => inputs.add_scenario(s, loaded.files.iter().map(|(f, _)| f.as_str())),
        (None, None) => {}
    }
    if let Some(f) = &args.font_file {
        inputs.add("font file", f);
    }
    let p = Prepared {
        loaded,
        args,
        seed,
        reps,
        dest,
        inputs,
    };
    let job = p.job(IntervalStore::Files);
    confirm(
        &runner::estimate::estimate_with_pilot(&job).with_charts(!p.args.no_charts),
        "this run",
        p.args.yes,
        p.args.quiet,
    )?;
    Ok(p)
}

impl Prepared {
    fn job(&self, intervals: IntervalStore) -> Job<'_> {
        let mut job = Job::single(&self.loaded.model, self.seed, self.reps);
        job.threads = self.args.threads.map(|t| t as usize);
        job.progress = if self.args.quiet {
            Progress::Hidden
        } else {
            Progress::Replications
        };
        // The stopping rule's runs keep their per-interval moments in memory; a fixed count
        // streams them through files inside the folder being written.
        job.intervals = match self.reps {
            Reps::Auto { .. } => IntervalStore::Memory,
            Reps::Fixed(_) => intervals,
        };
        job
    }
}

fn simulate(p: &Prepared, out: &OutputDir) -> Result<Simulated, Failure> {
    let m = &p.loaded.model;
    let job = p.job(IntervalStore::FilesIn(out.tmp_path().to_path_buf()));
    let (outcome, trace) = match &p.args.trace {
        None => (
            runner::run(&job, Hooks::default()).map_err(run_failure)?,
            None,
        ),
        Some(path) => {
            // A trace inside the output folder is written into the new folder.
            let placed = out.place(path)?;
            let existing = Existing::from_force(p.args.force || placed.is_some());
            let target = placed.as_deref().unwrap_or(path);
            let mut sink = crate::trace::CsvTrace::create_with(target, m, existing, &p.inputs)?;
            notes(sink.notes());
            let n = p.args.trace_replications.unwrap_or(1);
            let hooks = Hooks {
                trace: Some((n, &mut sink)),
                each: None,
            };
            let outcome = runner::run(&job, hooks).map_err(run_failure)?;
            let rows = sink.finish()?;
            let replications = n.min(outcome.groups[0].replications);
            let file = path.display().to_string();
            (
                outcome,
                Some(TraceRecord {
                    file,
                    rows,
                    replications,
                }),
            )
        }
    };
    let auto = matches!(p.reps, Reps::Auto { .. }).then_some(outcome.groups[0]);
    let (aggregate, outcome) = outcome.into_single();
    let verdict = Verdict::of_run(m, &aggregate)?;
    Ok(Simulated {
        aggregate,
        outcome,
        auto,
        trace,
        verdict,
        charts_s: None,
    })
}

/// Writes every file and moves the folder into place; returns where it went.
fn write(p: &Prepared, sim: &mut Simulated, out: OutputDir) -> Result<PathBuf, Failure> {
    let (m, agg) = (&p.loaded.model, &sim.aggregate);
    let replications = sim.outcome.groups[0].replications;
    let mut summary = report::json::summary(m, agg, replications, p.seed);
    report::json::add_verdict(&mut summary, &sim.verdict);
    let stability = crate::stability::assess(m, agg)?;
    if let Some(obj) = summary.as_object_mut() {
        obj.insert("stability".into(), stability.to_json());
        obj.insert(
            "notes".into(),
            serde_json::json!(crate::stability::null_notes(agg)),
        );
    }
    out.write("summary.json", report::json::to_text(&summary))?;
    out.write_with("intervals.csv", |w| {
        report::csv_out::write_intervals(m, agg, w)
    })?;
    out.write_with("intervals_by_class.csv", |w| {
        report::csv_out::write_intervals_by_class(m, agg, w)
    })?;
    let (charts, charts_s) = if p.args.no_charts {
        (Vec::new(), None)
    } else {
        if let Some(w) = report::charts::missing_glyph_warning(m) {
            warn(&format!("warning: {w}"));
        }
        let started = std::time::Instant::now();
        let charts = report::charts::write_charts(&out, m, agg)?;
        (charts, Some(started.elapsed().as_secs_f64()))
    };
    sim.charts_s = charts_s;
    let record = record(p, sim, replications);
    let run_info = serde_json::to_value(&record).map_err(anyhow::Error::from)?;
    out.write("run.json", record.to_text())?;
    out.write(
        "report.html",
        report::html::report_html(m, agg, &summary, &run_info, &charts, &sim.verdict)?,
    )?;
    // The per-interval scratch files live in the folder being written: gone before it moves.
    sim.aggregate.intervals.close();
    let dest = out.commit()?;
    if let Some(w) = stability.warning() {
        warn(&w);
    }
    Ok(dest)
}

/// The run's `run.json`.
fn record(p: &Prepared, sim: &Simulated, replications: u32) -> RunRecord {
    let (loaded, o) = (&p.loaded, &sim.outcome);
    let peak = crate::provenance::peak_rss_mb();
    RunRecord {
        scenario: loaded.model.name.clone(),
        scenario_file: p.args.scenario.as_ref().map(|p| p.display().to_string()),
        scenario_sha256: crate::provenance::sha256_hex(loaded.source_text.as_bytes()),
        seed: p.seed,
        replications,
        threads: o.threads,
        kefu_version: env!("CARGO_PKG_VERSION").into(),
        git_revision: crate::provenance::git_revision().map(str::to_string),
        command: std::env::args().collect(),
        peak_memory_mb: peak.map(|mb| (mb * 10.0).round() / 10.0),
        wall_time_s: o.wall_s,
        charts_s: sim.charts_s,
        contacts_simulated: o.contacts_simulated,
        events: o.events,
        contacts_per_second: o.contacts_simulated as f64 / o.wall_s.max(1e-9),
        trace: sim.trace.clone(),
        peak_rss_mb: peak,
        warnings: loaded.warnings.iter().map(|w| w.to_string()).collect(),
        scenario_text: loaded.source_text.clone(),
        files: run_record::recorded_files(loaded),
        rerun: run_record::RERUN_HINT.into(),
        replications_auto: sim.auto.map(|a| AutoRecord {
            precision: p.args.auto.precision(),
            max_replications: p.args.auto.max(),
            replications: a.replications,
            service_level_ci95: a.half_width,
            converged: a.converged,
        }),
    }
}

fn print(p: &Prepared, sim: &Simulated, dest: &Path) -> Result<(), Failure> {
    if p.args.quiet {
        return Ok(());
    }
    let (m, o) = (&p.loaded.model, &sim.outcome);
    let mut text =
        report::terminal::summary(m, &sim.aggregate, o.groups[0].replications, &sim.verdict);
    if let Some(a) = &sim.auto {
        text.push_str(&auto_line(a, &p.args.auto));
    }
    text.push_str(&format!(
        "  results in {}/ ({:.2} s, {} threads{})\n",
        dest.display(),
        o.wall_s,
        o.threads,
        sim.charts_s
            .map_or(String::new(), |c| format!("; charts {c:.2} s"))
    ));
    if !p.args.no_charts {
        text.push_str(&format!(
            "  report: {}\n",
            dest.join("report.html").display()
        ));
    }
    if let Some(t) = &sim.trace {
        text.push_str(&format!(
            "  trace: {} rows ({} replication{}) in {}\n",
            t.rows,
            t.replications,
            if t.replications == 1 { "" } else { "s" },
            t.file
        ));
    }
    say(&text)
}

/// The terminal line about an automatic replication count.
pub(super) fn auto_line(o: &GroupOutcome, auto: &AutoArgs) -> String {
    let bound = auto.precision();
    let hw = o
        .half_width
        .map_or("n/a".into(), |h| format!("{:.2} pp", h * 100.0));
    if o.converged {
        format!(
            "  replications    auto: {} needed for a service-level CI of ±{hw} (bound ±{:.2} pp)\n",
            o.replications,
            bound * 100.0
        )
    } else {
        format!(
            "  replications    auto: stopped at the cap of {} with ±{hw}, above the bound ±{:.2} pp\n",
            o.replications,
            bound * 100.0
        )
    }
}

/// `--from run.json`: the recorded scenario and CSV files, and the run arguments to use —
/// seed and replications from the record unless given on the command line; the output
/// folder `output/<stem>-rerun/` unless `--out` is given.
fn from_record(from: &Path, mut args: RunArgs) -> Result<(Loaded, RunArgs), Failure> {
    let bad = |why: String| Failure::Input(format!("cannot re-run from {}: {why}", from.display()));
    let text = crate::input::read_input_text(from, run_record::MAX_RECORD_BYTES, "run record")
        .map_err(|e| bad(e.to_string()))?;
    let r = RunRecord::parse(&text).map_err(|e| bad(e.to_string()))?;
    let origin = r.scenario_file.as_ref().map_or_else(
        || format!("scenario recorded in {}", from.display()),
        |f| format!("{f} (recorded in {})", from.display()),
    );
    let loaded = r.load_scenario(&origin).map_err(Failure::input)?;
    args.seed = args.seed.or(Some(r.seed));
    args.replications = args
        .replications
        .or(Some(Replications::Count(r.replications)));
    if args.out.is_none() {
        let stem = r
            .scenario_file
            .as_deref()
            .map_or("default".into(), |f| super::stem(Path::new(f)));
        args.out = Some(super::default_out(format!("{stem}-rerun")));
    }
    let here = crate::provenance::git_revision();
    if let Some(rev) = &r.git_revision {
        if Some(rev.as_str()) != here {
            warn(&format!(
                "warning: the run was recorded by kefu at revision {rev}, this is {}; numbers may differ if the engine changed",
                here.unwrap_or("an unknown revision")
            ));
        }
    }
    Ok((loaded, args))
}
