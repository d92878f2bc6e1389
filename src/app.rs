//! The commands: load → validate → simulate → write, with exit statuses per the contract
//! (0 success, 2 invalid input, 1 any other failure).

use crate::cli::{BenchArgs, CalibrateArgs, Cli, Command, ErlangArgs, PlanArgs, RunArgs};
use crate::model::Model;
use crate::report::{self, OutputDir};
use crate::runner::{self, RunOptions};
use crate::scenario::{self, Loaded};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A failure and the exit status it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Invalid input (scenario or flags): exit status 2.
    Input(String),
    /// Anything else: exit status 1.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<crate::outfs::OutError> for Failure {
    /// Refusals about the paths given are invalid input (2); a lock held or I/O is 1.
    fn from(e: crate::outfs::OutError) -> Self {
        if e.is_input() {
            Failure::Input(e.to_string())
        } else {
            Failure::Other(e.into())
        }
    }
}

/// Prints what the output clean-up did (a dead kefu's leftovers removed).
pub fn notes(notes: &[String]) {
    for n in notes {
        warn(&format!("note: {n}"));
    }
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) => 2,
            Failure::Other(_) => 1,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(s) => write!(f, "{s}"),
            Failure::Other(e) => write!(f, "{e:#}"),
        }
    }
}

/// Prints to stdout, treating a closed pipe (`kefu … | head`) as success.
pub fn say(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Other(e.into())),
        _ => Ok(()),
    }
}

/// Prints to stderr, ignoring failures (there is nowhere left to report them).
pub fn warn(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> Result<(), Failure> {
    // Every command stops cleanly on Ctrl-C / SIGTERM.
    crate::interrupt::install();
    match cli.command {
        None => {
            warn(
                "kefu: no command given, running the built-in default scenario (see `kefu --help`)",
            );
            run(RunArgs::default())
        }
        Some(Command::Run(args)) => run(args),
        Some(Command::Check { scenarios }) => check(&scenarios),
        Some(Command::Plan(args)) => plan(args),
        Some(Command::Erlang(args)) => erlang(&args),
        Some(Command::Compare(args)) => crate::whatif::cmd::compare(args),
        Some(Command::Sweep(args)) => crate::whatif::cmd::sweep(args),
        Some(Command::Merge(args)) => crate::whatif::cmd::merge(args),
        Some(Command::Calibrate(args)) => calibrate(args),
        Some(Command::Bench(args)) => bench(&args),
    }
}

fn bench(args: &BenchArgs) -> Result<(), Failure> {
    if !(args.days.is_finite() && args.days > 0.0 && args.days <= 365.0) {
        return Err(Failure::Input(format!(
            "--days must be a number of days in (0, 365], got {}",
            args.days
        )));
    }
    if let Some(q) = &args.queue {
        let queue = crate::bench::QueueCase::parse(q).map_err(Failure::Input)?;
        let line = crate::bench::time_queue(&queue, args.customers, args.reps);
        return say(&format!("{line}\n"));
    }
    let opts = crate::bench::BenchOptions {
        reps: args.reps,
        days: args.days,
    };
    let rows = crate::bench::run_budget(&opts, |step| warn(&format!("bench: {step}")));
    let mut text = format!(
        "kefu {} speed budget ({} interleaved rounds, each case once per round; best of the \
         rounds checked, median beside; rates per core by thread CPU time)\n",
        env!("CARGO_PKG_VERSION"),
        opts.reps.max(1)
    );
    text.push_str(&crate::bench::format_rows(&rows));
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

/// Loads a scenario file, or the compiled-in default when `path` is `None`.
pub fn load(path: Option<&Path>) -> Result<Loaded, Failure> {
    let loaded = match path {
        Some(p) => scenario::load(p),
        None => scenario::load_str(
            scenario::DEFAULT_SCENARIO,
            "default.toml (built in)",
            Path::new("."),
        ),
    };
    let loaded = loaded.map_err(|e| Failure::Input(e.to_string()))?;
    for w in &loaded.warnings {
        warn(&format!("warning: {w}"));
    }
    Ok(loaded)
}

fn check(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut bad = Vec::new();
    for p in paths {
        match scenario::load(p) {
            Ok(l) => {
                for w in &l.warnings {
                    warn(&format!("warning: {w}"));
                }
                say(&format!("ok: {} ({})\n", p.display(), l.model.name))?;
            }
            Err(e) => bad.push(e.to_string()),
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(bad.join("\n")))
    }
}

/// The output folder: `--out`, else `output/<file stem>/`.
fn out_dir(args: &RunArgs) -> PathBuf {
    if let Some(o) = &args.out {
        return o.clone();
    }
    let stem = args
        .scenario
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "default".into());
    Path::new("output").join(stem)
}

/// Hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Applies the command-line overrides to the scenario's run options.
pub fn run_options(m: &Model, args: &RunArgs) -> RunOptions {
    let mut o = RunOptions::from_model(m);
    if let Some(crate::cli::Replications::Count(r)) = args.replications {
        o.replications = r;
    }
    if let Some(s) = args.seed {
        o.seed = s;
    }
    o.threads = args.threads.map(|t| t as usize);
    o.progress = !args.quiet;
    o
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let (loaded, args) = match args.from.clone() {
        Some(from) => crate::rerun::prepare(&from, args)?,
        None => (load(args.scenario.as_deref())?, args),
    };
    let m = &loaded.model;
    let mut opts = run_options(m, &args);
    if let Some(f) = &args.font_file {
        report::charts::font::use_font_file(f).map_err(|e| Failure::Input(format!("{e:#}")))?;
    }
    let auto_requested = matches!(args.replications, Some(crate::cli::Replications::Auto));
    if auto_requested {
        // The stopping rule's runs keep their per-interval moments in memory.
        opts.intervals = runner::IntervalStore::Memory;
    }
    crate::guard::before_run(m, &opts, args.yes)?;
    let dest = out_dir(&args);
    let mut inputs = crate::outfs::Inputs::default();
    match (&args.from, &args.scenario) {
        (Some(from), _) => inputs.add("run record", from),
        (None, Some(s)) => inputs.add_scenario(s, loaded.files.iter().map(|(f, _)| f.as_str())),
        (None, None) => {}
    }
    if let Some(f) = &args.font_file {
        inputs.add("font file", f);
    }
    let out = OutputDir::create_for(&dest, &inputs)?;
    notes(out.notes());
    if !auto_requested {
        // Per-interval results stream through files inside the folder being written (removed
        // before it is moved into place).
        opts.intervals = runner::IntervalStore::FilesIn(out.tmp_path().to_path_buf());
    }
    if auto_requested && args.trace.is_some() {
        return Err(Failure::Input(
            "--trace needs a fixed number of replications, not --replications auto".into(),
        ));
    }
    let (outcome, auto, traced) = match &args.trace {
        None if auto_requested => {
            let (outcome, auto) = crate::whatif::cmd::auto_run(m, &opts, &args.auto)?;
            opts.replications = auto.replications;
            (outcome, Some(auto), None)
        }
        None => (runner::run(m, &opts)?, None, None),
        Some(path) => {
            // A trace inside the output folder is written into the new folder.
            let placed = out.place(path)?;
            let existing = crate::outfs::Existing::from_force(args.force || placed.is_some());
            let target = placed.as_deref().unwrap_or(path);
            let mut sink = crate::trace::CsvTrace::create_with(target, m, existing, &inputs)?;
            notes(sink.notes());
            let n = args.trace_replications.unwrap_or(1);
            let outcome = runner::run_traced(m, &opts, n, &mut sink)?;
            let rows = sink.finish()?;
            (
                outcome,
                None,
                Some((path.clone(), rows, n.min(opts.replications))),
            )
        }
    };
    let mut outcome = outcome;
    let agg = &outcome.aggregate;

    let mut summary = report::json::summary(m, agg, opts.replications, opts.seed);
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
    let (charts, charts_s) = if args.no_charts {
        (Vec::new(), None)
    } else {
        if let Some(w) = report::charts::missing_glyph_warning(m) {
            warn(&format!("warning: {w}"));
        }
        let started = std::time::Instant::now();
        let charts = report::charts::write_charts(&out, m, agg)?;
        (charts, Some(started.elapsed().as_secs_f64()))
    };
    let run_info = serde_json::json!({
        "scenario": m.name,
        "scenario_file": args.scenario.as_ref().map(|p| p.display().to_string()),
        "scenario_sha256": sha256_hex(&loaded.source_text),
        "seed": opts.seed,
        "replications": opts.replications,
        "threads": outcome.threads,
        "kefu_version": env!("CARGO_PKG_VERSION"),
        "git_revision": crate::rerun::git_revision(),
        "command": std::env::args().collect::<Vec<_>>(),
        "peak_memory_mb": crate::guard::peak_memory_mb(),
        "wall_time_s": outcome.wall_s,
        "charts_s": charts_s,
        "contacts_simulated": outcome.contacts_simulated,
        "events": outcome.events,
        "contacts_per_second": outcome.contacts_simulated as f64 / outcome.wall_s.max(1e-9),
        "trace": traced.as_ref().map(|(p, rows, n)| serde_json::json!({
            "file": p.display().to_string(), "rows": rows, "replications": n,
        })),
        "peak_rss_mb": peak_rss_mb(),
        "warnings": loaded.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        "scenario_text": loaded.source_text,
        "files": crate::rerun::record(&loaded),
        "rerun": "kefu run --from <this run.json> reproduces summary.json",
    });
    let mut run_info = run_info;
    if let Some(a) = &auto {
        run_info["replications_auto"] = crate::whatif::cmd::auto_json(a, &args.auto);
    }
    out.write("run.json", report::json::to_text(&run_info))?;
    out.write(
        "report.html",
        report::html::report_html(m, agg, &summary, &run_info, &charts)?,
    )?;
    outcome.aggregate.intervals.close();
    let agg = &outcome.aggregate;
    let dest = out.commit()?;
    if let Some(w) = stability.warning() {
        warn(&w);
    }
    if !args.quiet {
        let mut text = report::terminal::summary(m, agg, opts.replications);
        if let Some(a) = &auto {
            text.push_str(&crate::whatif::cmd::auto_line(a, &args.auto));
        }
        text.push_str(&format!(
            "  results in {}/ ({:.2} s, {} threads{})\n",
            dest.display(),
            outcome.wall_s,
            outcome.threads,
            charts_s.map_or(String::new(), |c| format!("; charts {c:.2} s"))
        ));
        if !args.no_charts {
            text.push_str(&format!(
                "  report: {}\n",
                dest.join("report.html").display()
            ));
        }
        if let Some((p, rows, n)) = &traced {
            text.push_str(&format!(
                "  trace: {rows} rows ({n} replication{}) in {}\n",
                if *n == 1 { "" } else { "s" },
                p.display()
            ));
        }
        say(&text)?;
    }
    Ok(())
}

fn plan(args: PlanArgs) -> Result<(), Failure> {
    use crate::plan::output;
    if let Some(f) = &args.font_file {
        report::charts::font::use_font_file(f).map_err(|e| Failure::Input(format!("{e:#}")))?;
    }
    let loaded = load(Some(&args.scenario))?;
    let m = &loaded.model;
    let dest = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .scenario
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan".into());
        Path::new("output").join(format!("{stem}-plan"))
    });
    let opts = crate::plan::PlanOptions {
        tuning_replications: args.tuning_replications,
        verify_replications: args.replications,
        verify_seed: args.verify_seed,
        threads: args.threads.map(|t| t as usize),
    };
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add_scenario(&args.scenario, loaded.files.iter().map(|(f, _)| f.as_str()));
    if let Some(f) = &args.font_file {
        inputs.add("font file", f);
    }
    let out = OutputDir::create_for(&dest, &inputs)?;
    notes(out.notes());
    let r = crate::plan::plan(m, &opts).map_err(|e| {
        if e.to_string().contains("[planning]") || e.to_string().contains("seed") {
            Failure::Input(format!("{e:#}"))
        } else {
            Failure::Other(e)
        }
    })?;
    out.write("plan.csv", output::plan_csv(&r, &m.run.calendar))?;
    out.write("shifts.csv", output::shifts_csv(&r, m))?;
    out.write(
        "plan_intervals.csv",
        output::intervals_csv(&r, &m.run.calendar),
    )?;
    let mut json = output::plan_json(&r, m);
    json["scenario_file"] = serde_json::json!(args.scenario.display().to_string());
    json["scenario_sha256"] = serde_json::json!(sha256_hex(&loaded.source_text));
    out.write("plan.json", report::json::to_text(&json))?;
    if !args.no_charts {
        if let Some(w) = report::charts::missing_glyph_warning(m) {
            warn(&format!("warning: {w}"));
        }
    }
    report::plan_html::write_plan_report(&out, m, &r, &json, !args.no_charts)?;
    let dest = out.commit()?;
    if !args.quiet {
        let mut text = output::terminal(&r, m);
        text.push_str(&format!("  results in {}/\n", dest.display()));
        text.push_str(&format!(
            "  report: {}\n",
            dest.join("report.html").display()
        ));
        say(&text)?;
    }
    Ok(())
}

fn erlang(a: &ErlangArgs) -> Result<(), Failure> {
    use crate::erlang::{ErlangA, ErlangC};
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !(a.rate_per_hour.is_finite() && a.rate_per_hour >= 0.0) {
        return Err(Failure::Input(
            "--rate-per-hour must be a number ≥ 0".into(),
        ));
    }
    if !positive(a.handle_s) {
        return Err(Failure::Input(
            "--handle-s must be a positive number".into(),
        ));
    }
    if a.patience_s.is_some_and(|p| p.is_nan() || p <= 0.0) {
        return Err(Failure::Input(
            "--patience-s must be a positive number".into(),
        ));
    }
    let target_ok = a.target > 0.0 && a.target < 1.0;
    if !target_ok || a.target_s.is_nan() || a.target_s < 0.0 {
        return Err(Failure::Input(
            "--target must be in (0, 1) and --target-s ≥ 0".into(),
        ));
    }
    let lambda = a.rate_per_hour / 3600.0;
    let load = lambda * a.handle_s;
    let mut s = format!(
        "offered load {load:.2} Erlangs ({} contacts/h × {} s); target {:.0}% within {} s\n",
        a.rate_per_hour,
        a.handle_s,
        100.0 * a.target,
        a.target_s
    );
    if let Some(c) = a.agents {
        let q = ErlangC::new(lambda, a.handle_s, c);
        s.push_str(&format!(
            "Erlang C, {c} agents: occupancy {:.1}%, P(wait) {:.1}%, mean wait {:.1} s, service level {:.1}%\n",
            100.0 * q.utilisation().min(1.0),
            100.0 * q.prob_wait(),
            q.mean_wait_s(),
            100.0 * q.service_level(a.target_s)
        ));
        if let Some(p) = a.patience_s {
            let q = ErlangA::new(lambda, a.handle_s, p, c);
            s.push_str(&format!(
                "Erlang A, {c} agents, patience {p} s: occupancy {:.1}%, P(wait) {:.1}%, abandon {:.1}%, \
mean wait (answered) {:.1} s, service level {:.1}%\n",
                100.0 * q.utilisation(),
                100.0 * q.prob_wait(),
                100.0 * q.abandon_prob(),
                q.mean_wait_served_s(),
                100.0 * q.service_level(a.target_s)
            ));
        }
    }
    let need_c = ErlangC::servers_for_service_level(lambda, a.handle_s, a.target_s, a.target);
    s.push_str(&format!(
        "agents needed (Erlang C): {}\n",
        need_c.map_or("none found".into(), |n| n.to_string())
    ));
    if let Some(p) = a.patience_s {
        let need_a =
            ErlangA::servers_for_service_level(lambda, a.handle_s, p, a.target_s, a.target);
        s.push_str(&format!(
            "agents needed (Erlang A): {}\n",
            need_a.map_or("none found".into(), |n| n.to_string())
        ));
    }
    say(&s)
}
/// Peak resident memory of this process in MiB (Linux `VmHWM`), when known.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    use crate::calibrate::{self, CalibrateError, Options};
    let opts = Options {
        name: args.name.clone(),
        max_bad_share: args.max_bad_share,
    };
    let cal = calibrate::calibrate_file(&args.records, &opts).map_err(|e| match e {
        CalibrateError::Io(e) => Failure::Other(e),
        other => Failure::Input(other.to_string()),
    })?;
    let text = cal.to_toml();
    // The scenario must load as written (checked before it replaces anything); a failure
    // here is a bug, not bad input.
    let base = args.out.parent().unwrap_or(Path::new(""));
    scenario::load_str(&text, &args.out.display().to_string(), base).map_err(|e| {
        Failure::Other(anyhow::anyhow!(
            "the calibrated scenario does not load: {e}"
        ))
    })?;
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add("records", &args.records);
    let existing = crate::outfs::Existing::from_force(args.force);
    notes(&crate::outfs::write_file(
        &args.out, &text, existing, &inputs,
    )?);
    if !args.quiet {
        let mut out = cal.report();
        out.push_str(&format!("scenario written to {}\n", args.out.display()));
        say(&out)?;
    }
    Ok(())
}
