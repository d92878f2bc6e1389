//! `batch.json`: what a batch (or one shard of it) ran — the manifest's and the inputs'
//! hashes, the master seed, the replications, kefu's version, the shop ids in manifest order
//! and, for a shard, its place and the shard of every shop. `kefu merge` trusts a shard only
//! if its record matches the others'.

use super::rollup::ShopResult;
use super::shard::ShardPlace;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Largest `batch.json` or `shops.csv` read back.
pub const MAX_RECORD_BYTES: u64 = 256 * crate::input::MIB;

/// `batch.json`, written and read back by this one type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRecord {
    pub kefu_version: String,
    /// The manifest's file name (not its folder: where it lies does not change a number).
    pub manifest: String,
    pub manifest_sha256: String,
    /// Over the manifest, the template and every scenario file it names.
    pub inputs_sha256: String,
    pub seed: u64,
    /// `--replications` when given (otherwise each shop's scenario decides).
    pub replications: Option<u32>,
    pub shops: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardPlace>,
    /// For a shard: the shard of every shop, in manifest order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Vec<usize>>,
}

impl BatchRecord {
    /// The record without its shard: what every shard of one batch shares.
    pub fn whole(&self) -> BatchRecord {
        BatchRecord {
            shard: None,
            assignment: None,
            ..self.clone()
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a record; `name` labels errors.
    pub fn parse(text: &str, name: &str) -> Result<BatchRecord> {
        let r: BatchRecord = serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{name}: not a kefu batch record: {}",
                crate::escape::excerpt(&e.to_string())
            )
        })?;
        if let (Some(p), Some(a)) = (&r.shard, &r.assignment) {
            if a.len() != r.shops.len() || a.iter().any(|&k| k >= p.count) || p.index >= p.count {
                bail!("{name}: the shard assignment does not fit the shops");
            }
        } else if r.shard.is_some() != r.assignment.is_some() {
            bail!("{name}: a shard record needs both `shard` and `assignment`");
        }
        Ok(r)
    }
}

/// A shard's folder read back.
pub struct ShardFolder {
    pub dir: std::path::PathBuf,
    pub record: BatchRecord,
    pub rows: Vec<ShopResult>,
}

/// Reads `batch.json` and `shops.csv` of a shard's folder (bounded, regular files).
pub fn read_shard(dir: &Path) -> Result<ShardFolder> {
    use crate::input::read_input_text;
    let jp = dir.join("batch.json");
    let text = read_input_text(&jp, MAX_RECORD_BYTES, "a batch shard's batch.json")?;
    let record = BatchRecord::parse(&text, &jp.display().to_string())?;
    if record.shard.is_none() {
        bail!(
            "{}: not a shard (a whole batch's folder has nothing to merge)",
            jp.display()
        );
    }
    let cp = dir.join("shops.csv");
    let text = read_input_text(&cp, MAX_RECORD_BYTES, "a batch shard's shops.csv")?;
    let rows = super::rollup::parse_shops_csv(&text, &cp.display().to_string())?;
    Ok(ShardFolder {
        dir: dir.to_path_buf(),
        record,
        rows,
    })
}

/// Shards put together.
pub struct Merged {
    /// The whole batch's record (as an unsharded run writes it).
    pub record: BatchRecord,
    /// Every present shop's row, in manifest order, and the folder holding its files.
    pub rows: Vec<(ShopResult, std::path::PathBuf)>,
    /// Absent shard indices (only with `partial`).
    pub missing: Vec<usize>,
    /// The first shard's place (for the resubmit line).
    pub place: ShardPlace,
    /// The shard of every shop, in manifest order.
    pub assignment: Vec<usize>,
}

/// Checks and joins shards: one batch (same record), each shard once; all of them unless
/// `partial`. Every refusal names the shard's folder.
pub fn merge(shards: Vec<ShardFolder>, partial: bool) -> Result<Merged> {
    let Some(first) = shards.first() else {
        bail!("no shard folders given");
    };
    let whole = first.record.whole();
    let place = first.record.shard.clone().expect("checked on reading");
    let assignment = first.record.assignment.clone().expect("checked on reading");
    let mut seen: Vec<Option<&Path>> = vec![None; place.count];
    for s in &shards {
        let p = s.record.shard.as_ref().expect("checked on reading");
        let d = s.dir.display();
        if s.record.whole() != whole {
            let r = &s.record;
            let why = if r.kefu_version != whole.kefu_version {
                format!(
                    "kefu {} wrote it, kefu {} the first",
                    r.kefu_version, whole.kefu_version
                )
            } else if r.seed != whole.seed {
                format!("seed {} against {}", r.seed, whole.seed)
            } else if r.manifest_sha256 != whole.manifest_sha256 {
                "another manifest".into()
            } else {
                "other scenario files or replications".into()
            };
            bail!(
                "{d}: a shard of another batch than {} ({why})",
                first.dir.display()
            );
        }
        if p.count != place.count || s.record.assignment.as_ref() != Some(&assignment) {
            bail!(
                "{d}: shard {p} does not split the batch like {} ({place})",
                first.dir.display()
            );
        }
        if let Some(other) = seen[p.index].replace(&s.dir) {
            bail!("{d}: shard {p} is given twice (also {})", other.display());
        }
        for r in &s.rows {
            let ok = r.index < whole.shops.len()
                && whole.shops[r.index] == r.id
                && assignment[r.index] == p.index;
            if !ok {
                bail!(
                    "{d}: shops.csv holds the shop `{}`, which is not one of shard {p}'s",
                    crate::escape::excerpt(&r.id)
                );
            }
        }
        let expected = assignment.iter().filter(|&&k| k == p.index).count();
        if s.rows.len() != expected {
            bail!(
                "{d}: shard {p} should hold {expected} shop(s), its shops.csv has {}",
                s.rows.len()
            );
        }
    }
    let missing: Vec<usize> = (0..place.count).filter(|&k| seen[k].is_none()).collect();
    if !missing.is_empty() && !partial {
        let list: Vec<String> = missing
            .iter()
            .map(|k| format!("{k}/{}", place.count))
            .collect();
        bail!(
            "missing shard(s): {} (merge what is there with --partial)",
            list.join(", ")
        );
    }
    let mut rows: Vec<(ShopResult, std::path::PathBuf)> = shards
        .into_iter()
        .flat_map(|s| {
            let dir = s.dir;
            s.rows.into_iter().map(move |r| (r, dir.clone()))
        })
        .collect();
    rows.sort_by_key(|(r, _)| r.index);
    Ok(Merged {
        record: whole,
        rows,
        missing,
        place,
        assignment,
    })
}
