//! `kefu merge SHARD_DIR…`: join the shards of a sweep into the sweep's whole output.

use crate::failure::{notes, say, Failure};
use crate::report::{sweep_page, OutputDir};
use crate::whatif::sweep;
use clap::Args;
use std::path::PathBuf;

/// Options of `kefu merge`.
#[derive(Debug, Args, Clone)]
pub struct MergeArgs {
    /// The shards' output folders (all N of them, in any order).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder (default: output/sweep-merged/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `kefu merge SHARD_DIR…`.
pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let shards = args
        .shards
        .iter()
        .map(|d| sweep::read_shard(d))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| Failure::Input(format!("{e:#}")))?;
    let (manifest, table) = sweep::merge(shards).map_err(|e| Failure::Input(format!("{e:#}")))?;
    let dest: PathBuf = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out("sweep-merged".into()));
    let mut inputs = crate::outfs::Inputs::default();
    for d in &args.shards {
        inputs.add("shard folder", d);
    }
    let out = OutputDir::create_for(&dest, &inputs)?;
    notes(out.notes());
    sweep_page::write_sweep(&out, &manifest, &table)?;
    let dest = out.commit()?;
    if !args.quiet {
        say(&format!(
            "merged {} shard(s), {} point(s) → {}/\n",
            args.shards.len(),
            table.rows.len(),
            dest.display()
        ))?;
    }
    Ok(())
}
