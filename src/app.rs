//! The commands: load → validate → simulate → write, with exit statuses per the contract
//! (0 success, 2 invalid input, 1 any other failure).

use crate::cli::{Cli, Command, RunArgs};
use crate::model::Model;
use crate::report::{self, OutputDir};
use crate::runner::{self, RunOptions};
use crate::scenario::{self, Loaded};
use anyhow::Context;
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
    match cli.command {
        None => {
            warn(
                "kefu: no command given, running the built-in default scenario (see `kefu --help`)",
            );
            run(RunArgs::default())
        }
        Some(Command::Run(args)) => run(args),
        Some(Command::Check { scenarios }) => check(&scenarios),
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
    if let Some(r) = args.replications {
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
    crate::interrupt::install();
    let (loaded, args) = match args.from.clone() {
        Some(from) => crate::rerun::prepare(&from, args)?,
        None => (load(args.scenario.as_deref())?, args),
    };
    let m = &loaded.model;
    let opts = run_options(m, &args);
    crate::guard::before_run(m, &opts, args.yes)?;
    let dest = out_dir(&args);
    let out = OutputDir::create(&dest)?;
    let outcome = runner::run(m, &opts)?;
    let agg = &outcome.aggregate;

    let mut summary = report::json::summary(m, agg, opts.replications, opts.seed);
    let stability = crate::stability::assess(m, agg);
    if let Some(obj) = summary.as_object_mut() {
        obj.insert("stability".into(), stability.to_json());
        obj.insert(
            "notes".into(),
            serde_json::json!(crate::stability::null_notes(agg)),
        );
    }
    out.write("summary.json", report::json::to_text(&summary))?;
    out.write("intervals.csv", report::csv_out::intervals(m, agg))?;
    out.write(
        "intervals_by_class.csv",
        report::csv_out::intervals_by_class(m, agg),
    )?;
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
        "contacts_simulated": outcome.contacts_simulated,
        "events": outcome.events,
        "contacts_per_second": outcome.contacts_simulated as f64 / outcome.wall_s.max(1e-9),
        "warnings": loaded.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        "scenario_text": loaded.source_text,
        "files": crate::rerun::record(&loaded),
        "rerun": "kefu run --from <this run.json> reproduces summary.json",
    });
    out.write("run.json", report::json::to_text(&run_info))?;
    let dest = out.commit().context("writing the results")?;
    if let Some(w) = stability.warning() {
        warn(&w);
    }
    if !args.quiet {
        let mut text = report::terminal::summary(m, agg, opts.replications);
        text.push_str(&format!(
            "  results in {}/ ({:.2} s, {} threads)\n",
            dest.display(),
            outcome.wall_s,
            outcome.threads
        ));
        say(&text)?;
    }
    Ok(())
}
