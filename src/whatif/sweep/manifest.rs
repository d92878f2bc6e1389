//! `sweep.json` as one typed struct, written and read back by the same type, and the
//! checks a shard's manifest must pass before `kefu merge` trusts it (keys and values, point
//! count, replications, target, shard index and count).

use super::SweepInfo;
use crate::escape::excerpt;
use crate::whatif::edit::SetSpec;
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most shards a sweep may be split into.
pub const MAX_SHARDS: usize = 10_000;
/// Most points a sweep grid may have (two keys of 10 000 values each).
pub const MAX_POINTS: usize = 100_000_000;
/// Largest `sweep.json` or `sweep.csv` of a shard read back.
pub const MAX_SHARD_FILE_BYTES: u64 = 64 * crate::input::MIB;

/// `sweep.json`, written and read back by this one type (field order is the file's order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepManifest {
    pub scenario: String,
    pub scenario_sha256: String,
    pub seed: u64,
    /// A count, or `"auto"` with `precision` and `max_replications`.
    pub replications: Value,
    pub precision: Option<f64>,
    pub max_replications: Option<u32>,
    pub keys: Vec<ManifestKey>,
    pub points: usize,
    pub target: ManifestTarget,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardId>,
}

/// One swept key in `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestKey {
    pub key: String,
    pub values: Vec<f64>,
}

/// The target in `sweep.json`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestTarget {
    pub answer_within_s: f64,
    pub service_level: f64,
}

/// Which share of the points a shard ran: every `count`-th from the `index`-th.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardId {
    pub index: usize,
    pub count: usize,
}

impl SweepManifest {
    /// Checks what a hand-edited or damaged file could break: keys and values, the point
    /// count, the replications, the target and (when present) the shard.
    pub fn validate(&self) -> Result<()> {
        let nkeys = self.keys.len();
        if !(1..=2).contains(&nkeys) {
            bail!("sweep.json: `keys` must hold one or two keys, not {nkeys}");
        }
        let mut points: usize = 1;
        for k in &self.keys {
            crate::whatif::edit::check_key(&k.key)
                .map_err(|e| anyhow::anyhow!("sweep.json: key: {e}"))?;
            if k.values.is_empty() || k.values.len() > 10_000 {
                bail!(
                    "sweep.json: key `{}` must have 1 to 10000 values, not {}",
                    excerpt(&k.key),
                    k.values.len()
                );
            }
            if let Some(v) = k.values.iter().find(|v| !v.is_finite()) {
                bail!("sweep.json: key `{}` has the value {v}", excerpt(&k.key));
            }
            points = points.saturating_mul(k.values.len());
        }
        if points != self.points || points > MAX_POINTS {
            bail!(
                "sweep.json: `points` is {}, but the keys' values make {points}",
                self.points
            );
        }
        match &self.replications {
            Value::String(s) if s == "auto" => {
                let precision_ok = self.precision.is_some_and(|p| p.is_finite() && p > 0.0);
                if !precision_ok || self.max_replications.is_none_or(|m| m == 0) {
                    bail!("sweep.json: `replications = \"auto\"` needs a precision > 0 and max_replications ≥ 1");
                }
            }
            v if v.as_u64().is_some_and(|n| (1..=100_000).contains(&n)) => {}
            v => bail!(
                "sweep.json: `replications` must be 1..100000 or \"auto\", not {}",
                excerpt(&v.to_string())
            ),
        }
        let t = self.target;
        // The scenario's own rules: 0 < service_level ≤ 1, answer_within_s > 0.
        let level_ok = t.service_level > 0.0 && t.service_level <= 1.0;
        let within_ok = t.answer_within_s.is_finite() && t.answer_within_s > 0.0;
        if !(level_ok && within_ok) {
            bail!("sweep.json: the target must have 0 < service_level ≤ 1 and answer_within_s > 0");
        }
        if let Some(ShardId { index, count }) = self.shard {
            if count == 0 || count > MAX_SHARDS.min(self.points.max(1)) || index >= count {
                bail!(
                    "sweep.json: shard {index}/{count} is not a share of the {} point(s) (0 ≤ index < count ≤ {})",
                    self.points,
                    MAX_SHARDS.min(self.points.max(1))
                );
            }
        }
        Ok(())
    }

    /// The values of grid point `i` (the first key outer), without building the grid.
    pub fn point_values(&self, i: usize) -> Vec<f64> {
        let mut rest = i;
        let mut values = vec![0.0; self.keys.len()];
        for (slot, k) in values.iter_mut().zip(&self.keys).rev() {
            let n = k.values.len().max(1);
            *slot = k.values.get(rest % n).copied().unwrap_or(f64::NAN);
            rest /= n;
        }
        values
    }

    /// What was swept.
    pub fn info(&self) -> SweepInfo {
        SweepInfo {
            scenario: self.scenario.clone(),
            keys: self
                .keys
                .iter()
                .map(|k| SetSpec {
                    key: k.key.clone(),
                    values: k.values.clone(),
                })
                .collect(),
            target_service_level: self.target.service_level,
            answer_within_s: self.target.answer_within_s,
        }
    }
}
