//! `kefu merge SHARD_DIR…`: join the shards of a sweep or of a batch into its whole output;
//! `--partial` (batches) merges the shards present, writes `missing.txt` and prints the line
//! that resubmits the missing ones.

use crate::batch::record as batch_record;
use crate::batch::shard;
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
    /// Output folder (default: output/sweep-merged/ or output/batch-merged/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Batch shards: merge the shards present, write missing.txt and print the resubmit line.
    #[arg(long)]
    pub partial: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `kefu merge SHARD_DIR…`.
pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    if args.shards.iter().any(|d| d.join("batch.json").exists()) {
        return merge_batch(args);
    }
    if args.partial {
        return Err(Failure::Input(
            "--partial merges batch shards only; a sweep needs every shard".into(),
        ));
    }
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

/// The files of one shop, copied from its shard's folder.
const SHOP_FILES: [&str; 2] = ["summary.json", "intervals.csv"];

fn merge_batch(args: MergeArgs) -> Result<(), Failure> {
    let shards = args
        .shards
        .iter()
        .map(|d| batch_record::read_shard(d))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| Failure::Input(format!("{e:#}")))?;
    let merged =
        batch_record::merge(shards, args.partial).map_err(|e| Failure::Input(format!("{e:#}")))?;
    let dest: PathBuf = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out("batch-merged".into()));
    let mut inputs = crate::outfs::Inputs::default();
    for d in &args.shards {
        inputs.add("shard folder", d);
    }
    let out = OutputDir::create_for(&dest, &inputs)?;
    notes(out.notes());
    out.write("batch.json", merged.record.to_text())?;
    for (row, dir) in &merged.rows {
        for f in SHOP_FILES {
            let rel = format!("shops/{}/{f}", row.id);
            let bytes = crate::input::read_input(
                &dir.join(&rel),
                batch_record::MAX_RECORD_BYTES,
                "a shop's result file",
            )
            .map_err(|e| Failure::Input(e.to_string()))?;
            out.write(&rel, bytes)?;
        }
    }
    let rows: Vec<_> = merged.rows.iter().map(|(r, _)| r.clone()).collect();
    out.write("shops.csv", crate::batch::rollup::shops_csv(&rows))?;
    let mut resubmit = Vec::new();
    let not_run: Vec<String> = if merged.missing.is_empty() {
        Vec::new()
    } else {
        let text: String = merged.missing.iter().map(|k| format!("{k}\n")).collect();
        out.write("missing.txt", text)?;
        let rerun = format!(
            "kefu batch {} --seed {} --shard {{K}}",
            merged.record.manifest, merged.record.seed
        );
        resubmit = shard::resubmit_lines(&merged.place, &merged.missing, &rerun);
        merged
            .record
            .shops
            .iter()
            .zip(&merged.assignment)
            .filter(|(_, k)| merged.missing.contains(k))
            .map(|(id, _)| id.clone())
            .collect()
    };
    super::batch::write_rollup(&out, &merged.record, &rows, not_run.clone())?;
    let dest = out.commit()?;
    if !args.quiet {
        let mut s = format!(
            "merged {} shard(s) of {}, {} shop(s) → {}/\n",
            merged.place.count - merged.missing.len(),
            merged.place.count,
            rows.len(),
            dest.display()
        );
        s.push_str(&super::batch::summary_text(&crate::batch::rollup::rollup(
            &rows, not_run,
        )));
        if !resubmit.is_empty() {
            let list: Vec<String> = merged.missing.iter().map(|k| k.to_string()).collect();
            s.push_str(&format!(
                "  missing shard(s) {} (missing.txt); resubmit with:\n",
                list.join(",")
            ));
            for l in &resubmit {
                s.push_str(&format!("    {l}\n"));
            }
        }
        say(&crate::escape::terminal_lines(&s))?;
    }
    Ok(())
}
