//! `kefu sweep`: a grid of one or two keys, every point on the same random draws (common
//! random numbers across points), one `sweep.csv` row per point; `--shard K/N` runs a share of
//! the points and `kefu merge` puts the shards together into exactly what one run writes.
//!
//! Files: `sweep.json` (what was swept, how, and the target), `sweep.csv` (full-precision
//! numbers, so that a shard's rows read back bit for bit), charts and `sweep.md`. A shard's
//! folder holds its `sweep.json` (with a `shard` entry) and its rows of `sweep.csv` only.

mod manifest;

use super::edit::{fmt_value, SetSpec};
use crate::escape::{csv_field, excerpt};
use crate::stats::Estimate;
use crate::summary::{Aggregate, Metric};
use anyhow::{bail, Context, Result};
pub use manifest::{
    ManifestKey, ManifestTarget, ShardId, SweepManifest, MAX_POINTS, MAX_SHARDS,
    MAX_SHARD_FILE_BYTES,
};
use serde::Deserialize;
use serde_json::Value;
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

    /// `(mean, ci95)` of a metric in a row (a scenario-wide, `human.*` or `by_priority.*`
    /// one: the table does not know the category names).
    pub fn estimate(&self, row: &Row, metric: impl Into<Metric>) -> Estimate {
        let name = metric.into().name(&[]);
        match name.and_then(|n| self.metric(&n)) {
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
    let mut cells = Vec::new();
    for (_, e) in agg.estimates() {
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
    agg.metrics
        .iter()
        .map(|k| {
            agg.name(*k)
                .expect("the aggregate's own metrics have names")
        })
        .collect()
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
/// them with [`shard_from_texts`].
pub fn read_shard(dir: &Path) -> Result<Shard> {
    use crate::input::read_input_text;
    let json_path = dir.join("sweep.json");
    let mtext = read_input_text(&json_path, MAX_SHARD_FILE_BYTES, "a shard's sweep.json")?;
    let csv_path = dir.join("sweep.csv");
    let ctext = read_input_text(&csv_path, MAX_SHARD_FILE_BYTES, "a shard's sweep.csv")?;
    shard_from_texts(
        &mtext,
        &ctext,
        &json_path.display().to_string(),
        &csv_path.display().to_string(),
    )
}

/// A shard from its `sweep.json` and `sweep.csv` texts (named in messages): a valid manifest
/// with a `shard` entry, rows at this shard's points with the grid's values, finite numbers.
pub fn shard_from_texts(
    mtext: &str,
    ctext: &str,
    json_name: &str,
    csv_name: &str,
) -> Result<Shard> {
    let mut manifest: SweepManifest = serde_json::from_str(mtext).map_err(|e| {
        anyhow::anyhow!(
            "{json_name}: not a sweep manifest: {}",
            excerpt(&e.to_string())
        )
    })?;
    manifest.validate().with_context(|| json_name.to_string())?;
    let Some(shard) = manifest.shard.take() else {
        bail!("{json_name} is not a shard's manifest (no `shard` entry)");
    };
    let keys: Vec<String> = manifest.keys.iter().map(|k| k.key.clone()).collect();
    let table = parse_csv(ctext, &keys).with_context(|| csv_name.to_string())?;
    for r in &table.rows {
        let at = || format!("{csv_name}: point {}", r.point);
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
