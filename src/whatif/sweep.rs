//! `kefu sweep`: a grid of one or two keys, every point on the same random draws (common
//! random numbers across points), one `sweep.csv` row per point; `--shard K/N` runs a share of
//! the points and `kefu merge` puts the shards together into exactly what one run writes.
//!
//! Files: `sweep.json` (what was swept, how, and the target), `sweep.csv` (full-precision
//! numbers, so that a shard's rows read back bit for bit), charts and `sweep.md`. A shard's
//! folder holds its `sweep.json` (with a `shard` entry) and its rows of `sweep.csv` only.

use super::edit::{fmt_value, SetSpec};
use crate::escape::{excerpt, markdown as md};
use crate::report::csv_out::csv_field;
use crate::stats::Estimate;
use crate::summary::Aggregate;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

/// Every point of the grid: the first key outer, the second inner.
pub fn grid(keys: &[SetSpec]) -> Vec<Vec<f64>> {
    let mut points: Vec<Vec<f64>> = vec![Vec::new()];
    for k in keys {
        points = points
            .into_iter()
            .flat_map(|p| {
                k.values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(*v);
                    q
                })
            })
            .collect();
    }
    points
}

/// Parses `K/N` (0 ≤ K < N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard {s}: expected K/N with 0 ≤ K < N, e.g. 0/4");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n) = (
        k.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The points shard `k` of `n` runs: every n-th point from the k-th (round robin, so that
/// expensive corners of the grid are spread over the shards).
pub fn shard_points(points: usize, shard: Option<(usize, usize)>) -> Vec<usize> {
    match shard {
        None => (0..points).collect(),
        Some((k, n)) => (k..points).step_by(n).collect(),
    }
}

/// One row of `sweep.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub point: usize,
    pub values: Vec<f64>,
    pub replications: u32,
    /// Per metric: mean, then 95% half-width.
    pub cells: Vec<Option<f64>>,
}

/// The rows and their metric names (dotted summary paths).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepTable {
    pub keys: Vec<String>,
    pub metrics: Vec<String>,
    pub rows: Vec<Row>,
}

impl SweepTable {
    /// The column of a metric's mean (ci95 is the next one).
    pub fn metric(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m == name).map(|i| 2 * i)
    }

    /// `(mean, ci95)` of a metric in a row.
    pub fn estimate(&self, row: &Row, name: &str) -> Estimate {
        match self.metric(name) {
            Some(c) => Estimate {
                mean: row.cells[c],
                ci95: row.cells[c + 1],
            },
            None => Estimate {
                mean: None,
                ci95: None,
            },
        }
    }
}

/// Builds a row from a point's aggregate; `metrics` fixes the columns (from the first point).
pub fn row(point: usize, values: &[f64], replications: u32, agg: &Aggregate) -> Row {
    let by_name: HashMap<String, Estimate> = agg
        .estimates()
        .into_iter()
        .map(|(p, e)| (p.join("."), e))
        .collect();
    let mut cells = Vec::new();
    for p in &agg.paths {
        let e = by_name[&p.join(".")];
        cells.push(e.mean);
        cells.push(e.ci95);
    }
    Row {
        point,
        values: values.to_vec(),
        replications,
        cells,
    }
}

/// The metric names of an aggregate, in summary order.
pub fn metric_names(agg: &Aggregate) -> Vec<String> {
    agg.paths.iter().map(|p| p.join(".")).collect()
}

/// A cell: the shortest decimal that reads back to the same f64; empty when undefined.
fn cell(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => String::new(),
    }
}

/// `sweep.csv` text.
pub fn csv_text(t: &SweepTable) -> String {
    let mut s = String::from("point");
    for k in &t.keys {
        let _ = write!(s, ",{}", csv_field(k));
    }
    s.push_str(",replications");
    for m in &t.metrics {
        let _ = write!(
            s,
            ",{},{}",
            csv_field(&format!("{m}_mean")),
            csv_field(&format!("{m}_ci95"))
        );
    }
    s.push('\n');
    for r in &t.rows {
        let _ = write!(s, "{}", r.point);
        for v in &r.values {
            let _ = write!(s, ",{}", fmt_value(*v));
        }
        let _ = write!(s, ",{}", r.replications);
        for c in &r.cells {
            let _ = write!(s, ",{}", cell(*c));
        }
        s.push('\n');
    }
    s
}

/// Reads `sweep.csv` text back (`keys` from the manifest).
pub fn parse_csv(text: &str, keys: &[String]) -> Result<SweepTable> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers()?.iter().map(str::to_string).collect();
    let nk = keys.len();
    if header.len() < 2 + nk
        || header[0] != "point"
        || header[1..=nk] != *keys
        || header[1 + nk] != "replications"
        || !(header.len() - 2 - nk).is_multiple_of(2)
    {
        bail!("sweep.csv: unexpected header");
    }
    let metrics: Vec<String> = header[2 + nk..]
        .chunks(2)
        .map(|c| c[0].trim_end_matches("_mean").to_string())
        .collect();
    let num = |s: &str| -> Result<Option<f64>> {
        if s.is_empty() {
            Ok(None)
        } else {
            Ok(Some(
                s.parse::<f64>()
                    .with_context(|| format!("bad number `{}`", excerpt(s)))?,
            ))
        }
    };
    let mut rows = Vec::new();
    for rec in rd.records() {
        let rec = rec?;
        let f: Vec<&str> = rec.iter().collect();
        if f.len() != header.len() {
            bail!(
                "sweep.csv: a row has {} fields, the header {}",
                f.len(),
                header.len()
            );
        }
        let values = f[1..=nk]
            .iter()
            .map(|v| num(v)?.context("empty key value"))
            .collect::<Result<Vec<f64>>>()?;
        rows.push(Row {
            point: f[0].parse().context("bad point index")?,
            values,
            replications: f[1 + nk].parse().context("bad replications")?,
            cells: f[2 + nk..].iter().map(|v| num(v)).collect::<Result<_>>()?,
        });
    }
    Ok(SweepTable {
        keys: keys.to_vec(),
        metrics,
        rows,
    })
}

/// What a sweep is, as written in `sweep.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepInfo {
    pub scenario: String,
    pub keys: Vec<SetSpec>,
    pub target_service_level: f64,
    pub answer_within_s: f64,
}

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
            super::edit::check_key(&k.key).map_err(|e| anyhow::anyhow!("sweep.json: key: {e}"))?;
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
            v if v.as_u64().is_some_and(|n| (1..=10_000).contains(&n)) => {}
            v => bail!(
                "sweep.json: `replications` must be 1..10000 or \"auto\", not {}",
                excerpt(&v.to_string())
            ),
        }
        let t = self.target;
        if !(t.service_level > 0.0 && t.service_level < 1.0)
            || !(t.answer_within_s.is_finite() && t.answer_within_s >= 0.0)
        {
            bail!("sweep.json: the target must have 0 < service_level < 1 and answer_within_s ≥ 0");
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

/// The `sweep.json` manifest.
#[allow(clippy::too_many_arguments)]
pub fn manifest(
    info: &SweepInfo,
    scenario_sha256: &str,
    seed: u64,
    replications: Value,
    precision: Option<f64>,
    max_replications: Option<u32>,
    shard: Option<(usize, usize)>,
) -> Value {
    let typed = SweepManifest {
        scenario: info.scenario.clone(),
        scenario_sha256: scenario_sha256.to_string(),
        seed,
        replications,
        precision,
        max_replications,
        keys: info
            .keys
            .iter()
            .map(|k| ManifestKey {
                key: k.key.clone(),
                values: k.values.clone(),
            })
            .collect(),
        points: grid(&info.keys).len(),
        target: ManifestTarget {
            answer_within_s: info.answer_within_s,
            service_level: info.target_service_level,
        },
        shard: shard.map(|(index, count)| ShardId { index, count }),
    };
    // Serialising plain fields cannot fail; Null would show up in the file, not panic.
    serde_json::to_value(&typed).unwrap_or(Value::Null)
}

/// Reads the manifest back.
pub fn info_from_manifest(v: &Value) -> Result<SweepInfo> {
    let typed = SweepManifest::deserialize(v).context("sweep.json")?;
    Ok(typed.info())
}

/// A shard's folder, read back and checked.
pub struct Shard {
    pub manifest: SweepManifest,
    pub shard: ShardId,
    pub table: SweepTable,
}

/// Reads a shard's `sweep.json` and `sweep.csv` (regular files, bounded in size) and checks
/// them: a valid manifest with a `shard` entry, rows at this shard's points with the grid's
/// values, finite numbers.
pub fn read_shard(dir: &Path) -> Result<Shard> {
    use crate::input::read_input_text;
    let json_path = dir.join("sweep.json");
    let mtext = read_input_text(&json_path, MAX_SHARD_FILE_BYTES, "a shard's sweep.json")?;
    let mut manifest: SweepManifest = serde_json::from_str(&mtext).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a sweep manifest: {}",
            json_path.display(),
            excerpt(&e.to_string())
        )
    })?;
    manifest
        .validate()
        .with_context(|| json_path.display().to_string())?;
    let Some(shard) = manifest.shard.take() else {
        bail!(
            "{} is not a shard's output (no `shard` in sweep.json)",
            dir.display()
        );
    };
    let keys: Vec<String> = manifest.keys.iter().map(|k| k.key.clone()).collect();
    let csv_path = dir.join("sweep.csv");
    let ctext = read_input_text(&csv_path, MAX_SHARD_FILE_BYTES, "a shard's sweep.csv")?;
    let table = parse_csv(&ctext, &keys).with_context(|| csv_path.display().to_string())?;
    for r in &table.rows {
        let at = || format!("{}: point {}", csv_path.display(), r.point);
        if r.point >= manifest.points || r.point % shard.count != shard.index {
            bail!(
                "{}: not a point of shard {}/{}",
                at(),
                shard.index,
                shard.count
            );
        }
        if r.values != manifest.point_values(r.point) {
            bail!("{}: the key values differ from the grid's", at());
        }
        if r.replications == 0 {
            bail!("{}: 0 replications", at());
        }
        if r.cells.iter().flatten().any(|c| !c.is_finite()) {
            bail!("{}: a number is not finite (NaN or infinite)", at());
        }
    }
    Ok(Shard {
        manifest,
        shard,
        table,
    })
}

/// Puts shards together: same sweep, every shard once, every point once.
pub fn merge(shards: Vec<Shard>) -> Result<(Value, SweepTable)> {
    let Some(first) = shards.first() else {
        bail!("no shard folders given");
    };
    let (manifest, count) = (first.manifest.clone(), first.shard.count);
    // `count` is at most MAX_SHARDS (validated on reading).
    let mut seen = vec![false; count];
    for s in &shards {
        let ShardId { index, count: c } = s.shard;
        if s.manifest != manifest {
            bail!(
                "shard {index}/{c} belongs to another sweep (scenario, keys, seed or replications differ)"
            );
        }
        if c != count {
            bail!("shards of {count} and of {c} parts cannot be merged");
        }
        if std::mem::replace(&mut seen[index], true) {
            bail!("shard {index}/{count} is given twice");
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|k| !seen[*k])
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!("missing shard(s): {}", missing.join(", "));
    }
    let points = manifest.points;
    let mut tables = shards.into_iter().map(|s| s.table);
    let Some(mut table) = tables.next() else {
        bail!("no shard folders given");
    };
    for t in tables {
        if t.metrics != table.metrics {
            bail!("the shards' sweep.csv columns differ");
        }
        table.rows.extend(t.rows);
    }
    table.rows.sort_by_key(|r| r.point);
    let ok = table.rows.len() == points && table.rows.iter().enumerate().all(|(i, r)| r.point == i);
    if !ok {
        bail!("the shards do not hold every point of the grid exactly once");
    }
    let value = serde_json::to_value(&manifest).context("sweep.json")?;
    Ok((value, table))
}

/// `sweep.md`: the report section.
pub fn markdown(info: &SweepInfo, t: &SweepTable, seed: u64) -> String {
    let mut s = String::new();
    // Names are escaped for Markdown: a scenario name cannot open HTML or end a cell.
    let keys: Vec<String> = info.keys.iter().map(|k| md(&k.key)).collect();
    let _ = writeln!(
        s,
        "## Sweep: {} — {}\n",
        md(&info.scenario),
        keys.join(" × ")
    );
    let _ = writeln!(
        s,
        "{} point(s), seed {seed}, the same random draws at every point (common random numbers). \
         Service level = share of chats offered to agents answered within {:.0} s; target {:.0}%.\n",
        t.rows.len(),
        info.answer_within_s,
        info.target_service_level * 100.0
    );
    let _ = write!(s, "|");
    for k in &keys {
        let _ = write!(s, " {k} |");
    }
    let _ = writeln!(
        s,
        " replications | service level | mean wait | abandon rate | meets target |"
    );
    let _ = writeln!(s, "|{}", " --- |".repeat(keys.len() + 5));
    for r in &t.rows {
        let sl = t.estimate(r, "human.service_level");
        let w = t.estimate(r, "human.mean_wait_s");
        let ab = t.estimate(r, "human.abandon_rate");
        let _ = write!(s, "|");
        for v in &r.values {
            let _ = write!(s, " {} |", fmt_value(*v));
        }
        let pct = |e: Estimate| match (e.mean, e.ci95) {
            (Some(m), Some(c)) => format!("{:.2}% ± {:.2}", m * 100.0, c * 100.0),
            (Some(m), None) => format!("{:.2}%", m * 100.0),
            _ => "n/a".into(),
        };
        let _ = writeln!(
            s,
            " {} | {} | {} | {} | {} |",
            r.replications,
            pct(sl),
            w.mean.map_or("n/a".into(), |m| format!("{m:.1} s")),
            pct(ab),
            if sl.mean.is_some_and(|m| m >= info.target_service_level) {
                "yes"
            } else {
                "no"
            }
        );
    }
    if keys.len() == 1 {
        if let Some(r) = t.rows.iter().find(|r| {
            t.estimate(r, "human.service_level")
                .mean
                .is_some_and(|m| m >= info.target_service_level)
        }) {
            let _ = writeln!(
                s,
                "\nThe target is first met at {} = {}.",
                keys[0],
                fmt_value(r.values[0])
            );
        } else {
            let _ = writeln!(s, "\nNo point of the sweep meets the target.");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_and_shards() {
        let keys = vec![
            SetSpec {
                key: "a".into(),
                values: vec![1.0, 2.0],
            },
            SetSpec {
                key: "b".into(),
                values: vec![0.1, 0.2, 0.3],
            },
        ];
        let g = grid(&keys);
        assert_eq!(g.len(), 6);
        assert_eq!(g[1], vec![1.0, 0.2]);
        assert_eq!(shard_points(6, Some((1, 4))), vec![1, 5]);
        assert_eq!(shard_points(3, None), vec![0, 1, 2]);
        assert!(parse_shard("4/4").is_err());
        assert_eq!(parse_shard("3/4"), Ok((3, 4)));
    }

    #[test]
    fn csv_reads_back_bit_for_bit() {
        let t = SweepTable {
            keys: vec!["bot.complex.resolve".into()],
            metrics: vec!["human.service_level".into()],
            rows: vec![Row {
                point: 0,
                values: vec![0.55],
                replications: 7,
                cells: vec![Some(0.1 + 0.2), None],
            }],
        };
        let back = parse_csv(&csv_text(&t), &t.keys).unwrap();
        assert_eq!(back, t);
    }
}
