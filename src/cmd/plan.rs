//! `kefu plan`: the staffing plan, verified by simulation, with its report.

use super::load;
use crate::failure::{notes, say, warn, Failure};
use crate::plan::{PlanError, PlanStep, StepObserver};
use crate::report::{self, OutputDir};
use crate::runner::{self, Job, Reps};
use clap::Args;
use std::path::PathBuf;

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
    /// Staff so that the target holds on at least this share of simulated days (0.5..0.999;
    /// default: [planning] confidence, else the mean day); also plans at 50/80/95% for the report.
    #[arg(long, value_parser = parse_confidence)]
    pub confidence: Option<f64>,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Do not draw charts; report.html then has no charts.
    #[arg(long)]
    pub no_charts: bool,
    /// A TTF/OTF/TTC font for chart text instead of the built-in Noto Sans (see `kefu run`).
    #[arg(long, value_name = "FILE")]
    pub font_file: Option<PathBuf>,
    /// Do not ask for confirmation before a plan estimated to take over a minute.
    #[arg(long, short)]
    pub yes: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn plan(args: PlanArgs) -> Result<(), Failure> {
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
        super::default_out(format!("{stem}-plan"))
    });
    let bar = progress_bar(args.quiet);
    let opts = crate::plan::PlanOptions {
        tuning_replications: args.tuning_replications,
        verify_replications: args.replications,
        verify_seed: args.verify_seed,
        threads: args.threads.map(|t| t as usize),
        confidence: args.confidence,
        progress: bar.clone().map(|b| {
            StepObserver(std::sync::Arc::new(move |step| {
                b.set_message(step_text(step))
            }))
        }),
    };
    let estimate = estimate(m, &args, &opts).with_charts(!args.no_charts);
    super::confirm(&estimate, "this plan", args.yes, args.quiet)?;
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add_scenario(&args.scenario, loaded.files.iter().map(|(f, _)| f.as_str()));
    if let Some(f) = &args.font_file {
        inputs.add("font file", f);
    }
    let out = OutputDir::create_for(&dest, &inputs)?;
    notes(out.notes());
    if let Some(b) = &bar {
        b.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    let r = crate::plan::plan(m, &opts).map_err(|e| match e {
        PlanError::Settings(s) => Failure::Input(s),
        PlanError::Interrupted(_) => Failure::Interrupted,
        PlanError::Failed(e) => Failure::Other(e),
    })?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    out.write("plan.csv", output::plan_csv(&r, &m.run.calendar))?;
    out.write("shifts.csv", output::shifts_csv(&r, m))?;
    out.write(
        "plan_intervals.csv",
        output::intervals_csv(&r, &m.run.calendar),
    )?;
    let mut json = output::plan_json(&r, m);
    json["scenario_file"] = serde_json::json!(args.scenario.display().to_string());
    json["scenario_sha256"] =
        serde_json::json!(crate::provenance::sha256_hex(loaded.source_text.as_bytes()));
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

/// Tuning iterations the estimate assumes (the shipped scenarios converge in 7–12).
const EXPECTED_ITERATIONS: u32 = 12;

/// The plan's cost: the tuning iterations and the verification of four staffings, as one
/// job of that many replications.
fn estimate(
    m: &crate::model::Model,
    args: &PlanArgs,
    opts: &crate::plan::PlanOptions,
) -> runner::Estimate {
    let planning = m.planning.clone().unwrap_or_default();
    let tuning = opts
        .tuning_replications
        .unwrap_or(planning.tuning_replications);
    let verify = opts
        .verify_replications
        .or(planning.verify_replications)
        .unwrap_or(m.run.replications)
        .max(2);
    let iterations = planning.max_iterations.clamp(1, EXPECTED_ITERATIONS);
    // A plan with a confidence is one plan per confidence of the ladder (and the one asked).
    let plans = if opts.confidence.or(planning.confidence).is_some() {
        crate::plan::confidence::LADDER.len() as u32 + 1
    } else {
        1
    };
    let reps = tuning
        .saturating_mul(iterations)
        .saturating_add(verify.saturating_mul(4))
        .saturating_mul(plans);
    let mut job = Job::single(m, m.run.seed, Reps::Fixed(reps));
    job.threads = args.threads.map(|t| t as usize);
    runner::estimate::estimate_with_pilot(&job)
}

/// `--confidence`: a share of days in [0.5, 0.999].
fn parse_confidence(text: &str) -> Result<f64, String> {
    let q: f64 = text
        .parse()
        .map_err(|_| format!("not a number: {}", crate::escape::terminal(text)))?;
    if (0.5..=0.999).contains(&q) {
        Ok(q)
    } else {
        Err("must be between 0.5 and 0.999 (a share of days, e.g. 0.8)".into())
    }
}

/// A spinner whose message names the planner's step (only on a terminal, unless quiet).
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} plan: {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    Some(bar)
}

fn step_text(step: PlanStep) -> String {
    match step {
        PlanStep::Tuning { iteration, max } => {
            format!("tuning by simulation, iteration {iteration} (at most {max})")
        }
        PlanStep::Verifying { done, of } => {
            format!("verifying on fresh seeds, staffing {} of {of}", done + 1)
        }
    }
}
