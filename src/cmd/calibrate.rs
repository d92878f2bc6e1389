//! `kefu calibrate`: fit a scenario from service records and write it as TOML.

use crate::failure::{notes, say, Failure};
use crate::scenario;
use clap::Args;
use std::path::PathBuf;

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
    /// Roster against actuals (CSV `date,scheduled,present`, a row per day): fits the pool's `absence`.
    #[arg(long, value_name = "FILE.csv")]
    pub roster: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    use crate::calibrate::{self, CalibrateError, Options};
    let opts = Options {
        name: args.name.clone(),
        max_bad_share: args.max_bad_share,
    };
    let mut cal = calibrate::calibrate_file(&args.records, &opts).map_err(|e| match e {
        CalibrateError::Io(e) => Failure::Other(e),
        other => Failure::Input(other.to_string()),
    })?;
    if let Some(roster) = &args.roster {
        let text =
            crate::input::read_input_text(roster, crate::input::MAX_TEXT_BYTES, "a roster file")
                .map_err(|e| Failure::Input(e.to_string()))?;
        let file = crate::escape::terminal(&roster.display().to_string());
        cal.absence = Some(calibrate::absence::fit_roster(&text, &file).map_err(Failure::Input)?);
    }
    let text = cal.to_toml();
    // The scenario must load as written (checked before anything is written); a failure
    // here is a bug, not bad input.
    let base = args.out.parent().unwrap_or(std::path::Path::new("."));
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
