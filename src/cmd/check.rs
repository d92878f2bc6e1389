//! `kefu check`: validate scenario files only (the same validation and limits as `run`).

use crate::failure::{say, warn, Failure};
use crate::scenario;
use clap::Args;
use std::path::PathBuf;

/// Options of `kefu check`.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

pub fn check(args: &CheckArgs) -> Result<(), Failure> {
    let mut bad = Vec::new();
    for p in &args.scenarios {
        match scenario::load(p) {
            Ok(l) => {
                for w in &l.warnings {
                    warn(&crate::escape::terminal_lines(&format!("warning: {w}")));
                }
                say(&crate::escape::terminal_lines(&format!(
                    "ok: {} ({})\n",
                    p.display(),
                    l.model.name
                )))?;
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
