//! From a manifest row to a validated model (its scenario text with the row's overrides set),
//! and from a shop's aggregate to its small result row.

use super::manifest::{Manifest, RowError, Shop};
use super::rollup::ShopResult;
use crate::model::Model;
use crate::scenario::{self, Loaded};
use crate::summary::{Aggregate, HumanMetric, IntervalField, Metric, TotalMetric};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many of a missing shop's worst intervals its row names.
pub const WORST_INTERVALS: usize = 3;

/// The scenario texts a batch reads, each once: the template and the files the manifest
/// names (path relative to the manifest's folder → text, or why it cannot be read).
pub struct Sources {
    manifest_dir: PathBuf,
    template: Option<(PathBuf, String)>,
    files: BTreeMap<String, Result<String, String>>,
}

impl Sources {
    /// Reads the template (already read by the caller) and every scenario file of `m`.
    pub fn read(m: &Manifest, manifest_dir: &Path, template: Option<(PathBuf, String)>) -> Self {
        let mut files = BTreeMap::new();
        for s in &m.shops {
            if let Some(f) = &s.scenario {
                files.entry(f.clone()).or_insert_with(|| {
                    let p = manifest_dir.join(f);
                    crate::input::read_input_text(
                        &p,
                        crate::input::MAX_TEXT_BYTES,
                        "a scenario file",
                    )
                    .map_err(|e| e.to_string())
                });
            }
        }
        Sources {
            manifest_dir: manifest_dir.to_path_buf(),
            template,
            files,
        }
    }

    /// SHA-256 over the manifest's hash, the template and every scenario file (by name).
    pub fn inputs_sha256(&self, manifest_sha256: &str) -> String {
        let mut all = String::from(manifest_sha256);
        if let Some((_, t)) = &self.template {
            all.push_str("\ntemplate ");
            all.push_str(&crate::provenance::sha256_hex(t.as_bytes()));
        }
        for (name, text) in &self.files {
            let h = text.as_ref().map_or_else(
                |e| e.clone(),
                |t| crate::provenance::sha256_hex(t.as_bytes()),
            );
            all.push_str(&format!("\n{name} {h}"));
        }
        crate::provenance::sha256_hex(all.as_bytes())
    }
}

/// The validated model of a shop, or what is wrong, at the manifest's line and column.
pub fn shop_model(m: &Manifest, shop: &Shop, src: &Sources) -> Result<Loaded, RowError> {
    let at = |column: usize, message: String| RowError {
        line: shop.line,
        column,
        message,
    };
    let scol = m.scenario_column.unwrap_or(0);
    let (text, origin, dir) = match &shop.scenario {
        Some(f) => match src.files.get(f) {
            Some(Ok(t)) => {
                let p = src.manifest_dir.join(f);
                let dir = p.parent().unwrap_or(Path::new("")).to_path_buf();
                (t.as_str(), p.display().to_string(), dir)
            }
            Some(Err(e)) => return Err(at(scol, e.clone())),
            None => return Err(at(scol, "the scenario file was not read".into())),
        },
        None => match &src.template {
            Some((p, t)) => (
                t.as_str(),
                p.display().to_string(),
                p.parent().unwrap_or(Path::new("")).to_path_buf(),
            ),
            None => {
                return Err(at(
                    scol,
                    "no scenario file for this shop, and no --template".into(),
                ))
            }
        },
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut doc: toml::Table = body.parse().map_err(|e: toml::de::Error| {
        at(
            scol,
            format!("{origin}: TOML syntax error: {}", e.message()),
        )
    })?;
    for &(k, x) in &shop.values {
        let o = &m.overrides[k];
        crate::whatif::edit::set_in(&mut doc, &o.key, x)
            .map_err(|e| at(o.column, e.to_string()))?;
    }
    let edited = toml::to_string(&doc).map_err(|e| at(0, e.to_string()))?;
    scenario::load_str(&edited, &format!("{origin} [shop {}]", shop.id), &dir).map_err(|e| {
        let text = e.to_string();
        // A problem with an overridden key is that column's (the scenario's line numbers are
        // those of the edited text, so the column says more).
        let column = shop
            .values
            .iter()
            .map(|&(k, _)| &m.overrides[k])
            .find(|o| text.contains(&format!("{}:", o.key)))
            .map_or(0, |o| o.column);
        at(column, crate::escape::terminal_lines(&text))
    })
}

/// Paid hours: on-duty agent-hours over (1 − the mean shrinkage of the shop's pools and
/// hours); equal to agent-hours without `[planning]` shrinkage.
fn paid_hours(m: &Model, agent_hours: f64) -> f64 {
    let Some(p) = &m.planning else {
        return agent_hours;
    };
    let cells: Vec<f64> = (0..m.pools.len())
        .flat_map(|pool| (0..24).map(move |h| (pool, h)))
        .map(|(pool, h)| p.shrinkage_at(pool, h))
        .collect();
    let mean = cells.iter().sum::<f64>() / cells.len().max(1) as f64;
    if (0.0..1.0).contains(&mean) {
        agent_hours / (1.0 - mean)
    } else {
        agent_hours
    }
}

/// The shop's result row from its aggregate (worst intervals read from the moments).
pub fn shop_result(
    index: usize,
    shop: &Shop,
    m: &Model,
    agg: &Aggregate,
    seed: u64,
    replications: u32,
) -> anyhow::Result<ShopResult> {
    let mean = |metric: Metric| agg.get(metric).and_then(|e| e.mean);
    let sl = agg.get(HumanMetric::ServiceLevel);
    let mut worst: Vec<(f64, usize)> = Vec::new();
    agg.intervals.for_each(|i, row, _| {
        if let Some(s) = row[IntervalField::ServiceLevel].mean() {
            worst.push((s, i));
        }
    })?;
    worst.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let worst_intervals = worst
        .iter()
        .take(WORST_INTERVALS)
        .filter(|(s, _)| *s < m.target.service_level)
        .map(|(s, i)| {
            format!(
                "{} {:.1}%",
                m.run.calendar.format_minute(m.run.interval_start(*i)),
                s * 100.0
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let agent_hours = mean(TotalMetric::AgentHours.into());
    Ok(ShopResult {
        index,
        id: shop.id.clone(),
        category: shop.category.clone().unwrap_or_default(),
        platform: shop.platform.clone().unwrap_or_default(),
        scenario: m.name.clone(),
        seed,
        replications,
        contacts: mean(TotalMetric::Contacts.into()),
        offered: mean(HumanMetric::Offered.into()),
        answered_within_target: mean(HumanMetric::AnsweredWithinTarget.into()),
        service_level: sl.and_then(|e| e.mean),
        service_level_ci95: sl.and_then(|e| e.ci95),
        target_service_level: m.target.service_level,
        agent_hours,
        paid_hours: agent_hours.map(|h| paid_hours(m, h)),
        cost: m.costs.as_ref().and(mean(TotalMetric::CostTotal.into())),
        currency: m
            .costs
            .as_ref()
            .map_or(String::new(), |c| c.currency.clone()),
        worst_intervals,
    })
}
