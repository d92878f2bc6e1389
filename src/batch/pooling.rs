//! `kefu batch --pooled POOLS.toml`: what sharing agents across shops saves. One scenario
//! holds every shop (each shop's categories under its own skill, named after the shop's
//! id; volumes summed, category shares weighted by volume). Two staffings of that one
//! scenario see the same customers (common random numbers): *separate* (one pool per shop)
//! and *pooled* (the shops of each `[[pool]]` share one pool; the others keep their own).
//! In every replication each staffing's headcount is raised until every shop meets its
//! target; the agent-hours saved are paired replication by replication, with a Student-t
//! 95% CI.
//!
//! POOLS.toml:
//! ```toml
//! [[pool]]
//! name = "small beauty shops"
//! shops = ["beauty-01", "beauty-02"]   # and/or
//! categories = ["food"]                # every shop with this manifest category
//! ```

use crate::escape::excerpt;
use crate::model::Model;
use crate::runner::{self, Hooks, IntervalStore, Job, Progress, Reps};
use crate::stats::RepStats;
use crate::summary::{HumanClass, HumanMetric, Metric};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use toml::{Table, Value};

/// Most agents one pool is searched up to.
pub const MAX_AGENTS: u32 = 2_000;

/// `POOLS.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolsFile {
    pub pool: Vec<PoolSpec>,
}

/// One shared pool: the shops it serves, by id or by manifest category.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub name: String,
    #[serde(default)]
    pub shops: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

/// Why the pooled scenario cannot be built or staffed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PoolingError {
    #[error("{0}")]
    Spec(String),
    #[error("the shops cannot share one scenario: {0}")]
    Unlike(String),
    #[error("the combined scenario is invalid: {0}")]
    Invalid(String),
    #[error("{what}: the target is not met with {MAX_AGENTS} agents")]
    Unreachable { what: String },
    #[error("{0}")]
    Run(String),
}

/// A shop as the pooling sees it: its id, its manifest category and its scenario document.
pub struct PoolShop {
    pub id: String,
    pub category: String,
    pub doc: Table,
}

/// Which shops each shared pool serves (indices into the shops), from `POOLS.toml`.
pub fn groups(
    spec: &PoolsFile,
    shops: &[PoolShop],
) -> Result<Vec<(String, Vec<usize>)>, PoolingError> {
    let mut owner: Vec<Option<usize>> = vec![None; shops.len()];
    let mut out = Vec::new();
    for (g, p) in spec.pool.iter().enumerate() {
        let mut members = Vec::new();
        for id in &p.shops {
            match shops.iter().position(|s| &s.id == id) {
                Some(i) => members.push(i),
                None => {
                    return Err(PoolingError::Spec(format!(
                        "pool `{}`: no shop `{}` in the manifest",
                        excerpt(&p.name),
                        excerpt(id)
                    )))
                }
            }
        }
        members.extend(
            shops
                .iter()
                .enumerate()
                .filter(|(_, s)| p.categories.contains(&s.category))
                .map(|(i, _)| i),
        );
        members.sort_unstable();
        members.dedup();
        if members.len() < 2 {
            return Err(PoolingError::Spec(format!(
                "pool `{}` serves {} shop(s); a shared pool needs two or more",
                excerpt(&p.name),
                members.len()
            )));
        }
        for &i in &members {
            if let Some(other) = owner[i].replace(g) {
                return Err(PoolingError::Spec(format!(
                    "shop `{}` is in the pools `{}` and `{}`",
                    shops[i].id, spec.pool[other].name, p.name
                )));
            }
        }
        out.push((p.name.clone(), members));
    }
    Ok(out)
}

/// The keys every shop must share to be one scenario (all but volumes, categories, pools).
const SHARED_KEYS: &[&str] = &[
    "run", "target", "bot", "routing", "offline", "costs", "surge",
];

/// The combined scenario: shop `i`'s categories are `categories[ranges[i]]`; `pools[k]` is
/// shared pool `k` (for `k < groups.len()`) then one pool per shop not in a group.
pub struct Combined {
    pub doc: Table,
    pub ranges: Vec<Range<usize>>,
    /// Per pool of the pooled staffing: the shops it serves.
    pub pooled_pools: Vec<Vec<usize>>,
    pub counted_hours: f64,
}

fn arrivals_without_volume(doc: &Table) -> Option<Table> {
    let mut a = doc.get("arrivals")?.as_table()?.clone();
    a.remove("per_day");
    Some(a)
}

/// Builds the combined scenario document of `shops` with the pooled staffing's pools.
pub fn combine(
    shops: &[PoolShop],
    groups: &[(String, Vec<usize>)],
) -> Result<Combined, PoolingError> {
    let first = &shops[0].doc;
    for s in &shops[1..] {
        for k in SHARED_KEYS {
            if s.doc.get(*k) != first.get(*k) {
                return Err(PoolingError::Unlike(format!(
                    "shop `{}` has another `{k}` than shop `{}`",
                    s.id, shops[0].id
                )));
            }
        }
        if arrivals_without_volume(&s.doc) != arrivals_without_volume(first) {
            return Err(PoolingError::Unlike(format!(
                "shop `{}` has another arrival pattern than shop `{}` (only per_day may differ)",
                s.id, shops[0].id
            )));
        }
    }
    let per_day = |d: &Table| {
        d.get("arrivals")
            .and_then(|a| a.get("per_day"))
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
            .unwrap_or(0.0)
    };
    let total: f64 = shops.iter().map(|s| per_day(&s.doc)).sum();
    if total <= 0.0 {
        return Err(PoolingError::Unlike("the shops have no volume".into()));
    }
    let mut doc = first.clone();
    doc.insert("name".into(), Value::String("pooled mall".into()));
    if let Some(Value::Table(a)) = doc.get_mut("arrivals") {
        a.insert("per_day".into(), Value::Float(total));
    }
    let (mut cats, mut ranges) = (Vec::new(), Vec::new());
    for s in shops {
        let w = per_day(&s.doc) / total;
        let start = cats.len();
        let list = s
            .doc
            .get("categories")
            .and_then(|c| c.as_array())
            .cloned()
            .unwrap_or_default();
        for c in list {
            let Value::Table(mut c) = c else { continue };
            let share = c
                .get("share")
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                .unwrap_or(0.0);
            let name = c
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            c.insert("name".into(), Value::String(format!("{}/{name}", s.id)));
            c.insert("share".into(), Value::Float(share * w));
            c.insert("skill".into(), Value::String(s.id.clone()));
            cats.push(Value::Table(c));
        }
        ranges.push(start..cats.len());
    }
    // Shares were summing to 1 per shop: the weighted sum is 1 up to rounding; the last
    // category takes the rest so that validation's 1e-6 tolerance holds.
    let sum: f64 = cats.iter().filter_map(|c| c.get("share")?.as_float()).sum();
    if let Some(Value::Table(last)) = cats.last_mut() {
        let s = last.get("share").and_then(|v| v.as_float()).unwrap_or(0.0);
        last.insert("share".into(), Value::Float(s + (1.0 - sum)));
    }
    doc.insert("categories".into(), Value::Array(cats));
    let mut pools = Vec::new();
    let mut pooled_pools = Vec::new();
    for (name, members) in groups {
        let skills = members.iter().map(|&i| shops[i].id.clone()).collect();
        pools.push(pool_of(&shops[members[0]], name.clone(), skills));
        pooled_pools.push(members.clone());
    }
    for (i, s) in shops.iter().enumerate() {
        if !groups.iter().any(|(_, m)| m.contains(&i)) {
            pools.push(pool_of(s, s.id.clone(), vec![s.id.clone()]));
            pooled_pools.push(vec![i]);
        }
    }
    doc.insert("pools".into(), Value::Array(pools));
    let days = first
        .get("run")
        .and_then(|r| r.get("days"))
        .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
        .unwrap_or(0.0);
    Ok(Combined {
        doc,
        ranges,
        pooled_pools,
        counted_hours: days * 24.0,
    })
}

/// A pool of the combined scenario: the shop's first pool (its concurrency, slowdown…) under
/// `name`, serving `skills`, at a constant headcount of 1 (the search sets the real one).
fn pool_of(s: &PoolShop, name: String, skills: Vec<String>) -> Value {
    let mut p = s
        .doc
        .get("pools")
        .and_then(|p| p.as_array())
        .and_then(|a| a.first())
        .and_then(|p| p.as_table())
        .cloned()
        .unwrap_or_default();
    p.remove("schedule");
    p.remove("staffing_csv");
    p.insert("name".into(), Value::String(name));
    p.insert(
        "skills".into(),
        Value::Array(skills.into_iter().map(Value::String).collect()),
    );
    p.insert("agents".into(), Value::Integer(1));
    Value::Table(p)
}

/// The separate staffing of the combined scenario: one pool per shop (same order as shops).
pub fn separate(c: &Combined, shops: &[PoolShop]) -> Combined {
    let mut doc = c.doc.clone();
    let pools: Vec<Value> = shops
        .iter()
        .map(|s| pool_of(s, s.id.clone(), vec![s.id.clone()]))
        .collect();
    doc.insert("pools".into(), Value::Array(pools));
    Combined {
        doc,
        ranges: c.ranges.clone(),
        pooled_pools: (0..shops.len()).map(|i| vec![i]).collect(),
        counted_hours: c.counted_hours,
    }
}

/// The document with pool `k` at `agents[k]` agents, validated.
pub fn staffed(c: &Combined, agents: &[u32]) -> Result<(String, Model), PoolingError> {
    let mut doc = c.doc.clone();
    if let Some(Value::Array(pools)) = doc.get_mut("pools") {
        for (p, &a) in pools.iter_mut().zip(agents) {
            if let Value::Table(t) = p {
                t.insert("agents".into(), Value::Integer(i64::from(a)));
            }
        }
    }
    let text = toml::to_string(&doc).map_err(|e| PoolingError::Invalid(e.to_string()))?;
    let loaded = crate::scenario::load_str(&text, "pooled scenario", std::path::Path::new("."))
        .map_err(|e| PoolingError::Invalid(e.to_string()))?;
    Ok((text, loaded.model))
}

/// Shop `i`'s service level in one replication (None: nothing offered, counted as met).
fn shop_level(m: &Model, s: &RepStats, cats: &Range<usize>) -> Option<f64> {
    let (mut within, mut offered) = (0.0, 0.0);
    for c in cats.clone() {
        let v = |k| crate::summary::rep_value(m, s, Metric::Human(HumanClass::Category(c), k));
        within += v(HumanMetric::AnsweredWithinTarget).unwrap_or(0.0);
        offered += v(HumanMetric::Offered).unwrap_or(0.0);
    }
    (offered > 0.0).then(|| within / offered)
}

/// Per pool, per replication: the fewest agents with which every shop of the pool meets
/// `target` in that replication. Raises every unsettled pool by one agent per round.
pub fn requirement(
    c: &Combined,
    target: f64,
    seed: u64,
    reps: u32,
    threads: Option<usize>,
) -> Result<Vec<Vec<u32>>, PoolingError> {
    let n = c.pooled_pools.len();
    let mut agents = vec![1u32; n];
    let mut need: Vec<Vec<Option<u32>>> = vec![vec![None; reps as usize]; n];
    loop {
        let (_, model) = staffed(c, &agents)?;
        let mut job = Job::single(&model, seed, Reps::Fixed(reps));
        job.threads = threads;
        job.progress = Progress::Hidden;
        job.intervals = IntervalStore::Memory;
        let mut each = |idx: runner::JobIndex, s: &RepStats| {
            let r = idx.replication as usize;
            for (k, shops) in c.pooled_pools.iter().enumerate() {
                if need[k][r].is_some() {
                    continue;
                }
                let met = shops
                    .iter()
                    .all(|&i| shop_level(&model, s, &c.ranges[i]).is_none_or(|l| l >= target));
                if met {
                    need[k][r] = Some(agents[k]);
                }
            }
        };
        runner::run(
            &job,
            Hooks {
                trace: None,
                each: Some(&mut each),
            },
        )
        .map_err(|e| PoolingError::Run(e.to_string()))?;
        let mut settled = true;
        for k in 0..n {
            if need[k].iter().any(Option::is_none) {
                settled = false;
                if agents[k] >= MAX_AGENTS {
                    return Err(PoolingError::Unreachable {
                        what: format!("pool {k}"),
                    });
                }
                agents[k] += 1;
            }
        }
        if settled {
            return Ok(need
                .into_iter()
                .map(|v| v.into_iter().map(|x| x.unwrap_or(0)).collect())
                .collect());
        }
    }
}

/// A mean with its Student-t 95% half-width.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mean {
    pub mean: Option<f64>,
    pub ci95: Option<f64>,
}

fn mean_of(v: &[f64]) -> Mean {
    let e = crate::stats::ci::estimate(&v.iter().map(|x| Some(*x)).collect::<Vec<_>>());
    Mean {
        mean: e.mean,
        ci95: e.ci95,
    }
}

/// One shared pool's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolSaving {
    pub pool: String,
    pub shops: Vec<String>,
    /// Agent-hours with one pool per shop (sum of the shops' requirements).
    pub separate_agent_hours: Mean,
    pub pooled_agent_hours: Mean,
    /// Separate − pooled, paired replication by replication.
    pub saved_agent_hours: Mean,
    pub saved_share: Option<f64>,
}

/// `pooling.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolingReport {
    pub replications: u32,
    pub seed: u64,
    pub target_service_level: f64,
    pub pools: Vec<PoolSaving>,
    pub total: PoolSaving,
}

/// Pairs the two staffings' requirements into savings per shared pool and in all.
pub fn savings(
    groups: &[(String, Vec<usize>)],
    shops: &[PoolShop],
    separate_need: &[Vec<u32>],
    pooled_need: &[Vec<u32>],
    hours: f64,
    meta: (u32, u64, f64),
) -> PoolingReport {
    let reps = meta.0 as usize;
    let one = |name: String, members: &[usize], pooled: Vec<f64>| {
        let sep: Vec<f64> = (0..reps)
            .map(|r| {
                members
                    .iter()
                    .map(|&i| f64::from(separate_need[i][r]) * hours)
                    .sum()
            })
            .collect();
        let saved: Vec<f64> = sep.iter().zip(&pooled).map(|(a, b)| a - b).collect();
        let (s, d) = (mean_of(&sep), mean_of(&saved));
        PoolSaving {
            pool: name,
            shops: members.iter().map(|&i| shops[i].id.clone()).collect(),
            separate_agent_hours: s,
            pooled_agent_hours: mean_of(&pooled),
            saved_share: match (d.mean, s.mean) {
                (Some(d), Some(s)) if s > 0.0 => Some(d / s),
                _ => None,
            },
            saved_agent_hours: d,
        }
    };
    let pools: Vec<PoolSaving> = groups
        .iter()
        .enumerate()
        .map(|(k, (name, members))| {
            let pooled = (0..reps)
                .map(|r| f64::from(pooled_need[k][r]) * hours)
                .collect();
            one(name.clone(), members, pooled)
        })
        .collect();
    let all: Vec<usize> = groups.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let pooled_all = (0..reps)
        .map(|r| {
            (0..groups.len())
                .map(|k| f64::from(pooled_need[k][r]) * hours)
                .sum()
        })
        .collect();
    PoolingReport {
        replications: meta.0,
        seed: meta.1,
        target_service_level: meta.2,
        total: one("all shared pools".into(), &all, pooled_all),
        pools,
    }
}
