//! Per-shop result rows (`shops.csv`, full-precision numbers that read back bit for bit) and
//! the mall roll-up computed from those rows alone: totals, the spread of per-shop service
//! levels, the shops that miss their target, per category and per platform. Because the
//! roll-up is a function of the rows in manifest order, merged shards give the same bytes as
//! one unsharded run.

use crate::escape::{csv_field, excerpt};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One shop's result: what the roll-up needs, nothing per replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopResult {
    /// Position in the manifest (0-based).
    pub index: usize,
    pub id: String,
    pub category: String,
    pub platform: String,
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub contacts: Option<f64>,
    pub offered: Option<f64>,
    pub answered_within_target: Option<f64>,
    pub service_level: Option<f64>,
    pub service_level_ci95: Option<f64>,
    pub target_service_level: f64,
    pub agent_hours: Option<f64>,
    pub paid_hours: Option<f64>,
    pub cost: Option<f64>,
    pub currency: String,
    /// The worst reporting intervals by service level: `START SL%` joined by `; `.
    pub worst_intervals: String,
}

impl ShopResult {
    /// Whether the shop misses its target (no service level: nothing offered, not a miss).
    pub fn misses(&self) -> bool {
        self.service_level
            .is_some_and(|s| s < self.target_service_level)
    }
}

const HEADER: &str = "index,id,category,platform,scenario,seed,replications,contacts,offered,answered_within_target,service_level,service_level_ci95,target_service_level,meets_target,agent_hours,paid_hours,cost,currency,worst_intervals";

/// A number as written: the shortest decimal that reads back to the same f64; empty if none.
fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => String::new(),
    }
}

/// `shops.csv`: one row per shop, in the order given.
pub fn shops_csv(rows: &[ShopResult]) -> String {
    let mut s = String::from(HEADER);
    s.push('\n');
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.index,
            csv_field(&r.id),
            csv_field(&r.category),
            csv_field(&r.platform),
            csv_field(&r.scenario),
            r.seed,
            r.replications,
            num(r.contacts),
            num(r.offered),
            num(r.answered_within_target),
            num(r.service_level),
            num(r.service_level_ci95),
            num(Some(r.target_service_level)),
            if r.misses() { "no" } else { "yes" },
            num(r.agent_hours),
            num(r.paid_hours),
            num(r.cost),
            csv_field(&r.currency),
            csv_field(&r.worst_intervals),
        );
    }
    s
}

/// Reads `shops.csv` back; `name` labels errors.
pub fn parse_shops_csv(text: &str, name: &str) -> Result<Vec<ShopResult>> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<&str> = HEADER.split(',').collect();
    let got: Vec<String> = rd
        .headers()
        .with_context(|| name.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    if got != header {
        bail!("{name}: not a kefu shops.csv (unexpected header)");
    }
    let mut rows = Vec::new();
    for rec in rd.records() {
        let rec = rec.with_context(|| name.to_string())?;
        let line = rec.position().map_or(0, |p| p.line());
        let at = |what: &str| format!("{name}: line {line}: {what}");
        let f = |i: usize| rec.get(i).unwrap_or("");
        let opt = |i: usize| -> Result<Option<f64>> {
            let s = f(i);
            if s.is_empty() {
                return Ok(None);
            }
            match s.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => bail!(at(&format!("`{}` is not a finite number", excerpt(s)))),
            }
        };
        rows.push(ShopResult {
            index: f(0).parse().with_context(|| at("bad index"))?,
            id: f(1).to_string(),
            category: f(2).to_string(),
            platform: f(3).to_string(),
            scenario: f(4).to_string(),
            seed: f(5).parse().with_context(|| at("bad seed"))?,
            replications: f(6).parse().with_context(|| at("bad replications"))?,
            contacts: opt(7)?,
            offered: opt(8)?,
            answered_within_target: opt(9)?,
            service_level: opt(10)?,
            service_level_ci95: opt(11)?,
            target_service_level: opt(12)?.with_context(|| at("no target"))?,
            agent_hours: opt(14)?,
            paid_hours: opt(15)?,
            cost: opt(16)?,
            currency: f(17).to_string(),
            worst_intervals: f(18).to_string(),
        });
    }
    Ok(rows)
}

/// The spread of per-shop service levels (means), by linear interpolation between ranks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

/// The `q`-quantile of sorted values (linear between closest ranks, as numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let w = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * w)
}

/// Totals over a set of shops.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub shops: usize,
    pub shops_missing_target: usize,
    pub contacts: f64,
    pub offered: f64,
    pub answered_within_target: f64,
    /// Answered within target over offered, across the shops (contact-weighted).
    pub service_level: Option<f64>,
    pub shop_service_level: Spread,
    pub agent_hours: f64,
    pub paid_hours: f64,
    pub cost: f64,
    /// The shops' currency, or `mixed` when they differ (empty: no costs).
    pub currency: String,
}

/// A shop that misses its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub id: String,
    pub category: String,
    pub platform: String,
    pub service_level: Option<f64>,
    pub service_level_ci95: Option<f64>,
    pub target_service_level: f64,
    pub worst_intervals: String,
}

/// The mall roll-up (`rollup.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    pub mall: Totals,
    /// Worst first (lowest service level), then by id.
    pub missing_target: Vec<Miss>,
    pub by_category: BTreeMap<String, Totals>,
    pub by_platform: BTreeMap<String, Totals>,
    /// Shops whose shard was not merged (`kefu merge --partial`), in manifest order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_run: Vec<String>,
}

fn totals<'a>(rows: impl Iterator<Item = &'a ShopResult>) -> Totals {
    let rows: Vec<&ShopResult> = rows.collect();
    let sum = |f: fn(&ShopResult) -> Option<f64>| rows.iter().filter_map(|r| f(r)).sum::<f64>();
    let offered = sum(|r| r.offered);
    let within = sum(|r| r.answered_within_target);
    let mut levels: Vec<f64> = rows.iter().filter_map(|r| r.service_level).collect();
    levels.sort_by(f64::total_cmp);
    let mut currencies: Vec<&str> = rows
        .iter()
        .filter(|r| r.cost.is_some())
        .map(|r| r.currency.as_str())
        .collect();
    currencies.sort_unstable();
    currencies.dedup();
    Totals {
        shops: rows.len(),
        shops_missing_target: rows.iter().filter(|r| r.misses()).count(),
        contacts: sum(|r| r.contacts),
        offered,
        answered_within_target: within,
        service_level: (offered > 0.0).then(|| within / offered),
        shop_service_level: Spread {
            p10: quantile(&levels, 0.1),
            p50: quantile(&levels, 0.5),
            p90: quantile(&levels, 0.9),
        },
        agent_hours: sum(|r| r.agent_hours),
        paid_hours: sum(|r| r.paid_hours),
        cost: sum(|r| r.cost),
        currency: match currencies.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            _ => "mixed".into(),
        },
    }
}

/// The roll-up of `rows` (in manifest order); `not_run` lists shops without results.
pub fn rollup(rows: &[ShopResult], not_run: Vec<String>) -> Rollup {
    let mut missing: Vec<Miss> = rows
        .iter()
        .filter(|r| r.misses())
        .map(|r| Miss {
            id: r.id.clone(),
            category: r.category.clone(),
            platform: r.platform.clone(),
            service_level: r.service_level,
            service_level_ci95: r.service_level_ci95,
            target_service_level: r.target_service_level,
            worst_intervals: r.worst_intervals.clone(),
        })
        .collect();
    missing.sort_by(|a, b| {
        let sl = |m: &Miss| m.service_level.unwrap_or(f64::INFINITY);
        sl(a).total_cmp(&sl(b)).then_with(|| a.id.cmp(&b.id))
    });
    let group = |label: fn(&ShopResult) -> &str| {
        let mut names: Vec<&str> = rows.iter().map(label).filter(|s| !s.is_empty()).collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .map(|n| (n.to_string(), totals(rows.iter().filter(|r| label(r) == n))))
            .collect::<BTreeMap<_, _>>()
    };
    Rollup {
        mall: totals(rows.iter()),
        missing_target: missing,
        by_category: group(|r| r.category.as_str()),
        by_platform: group(|r| r.platform.as_str()),
        not_run,
    }
}

/// `rollup.csv`: one row for the mall, one per category and per platform.
pub fn rollup_csv(r: &Rollup) -> String {
    let mut s = String::from("scope,name,shops,shops_missing_target,contacts,offered,service_level,shop_service_level_p10,shop_service_level_p50,shop_service_level_p90,agent_hours,paid_hours,cost,currency\n");
    let mut line = |scope: &str, name: &str, t: &Totals| {
        let _ = writeln!(
            s,
            "{scope},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(name),
            t.shops,
            t.shops_missing_target,
            num(Some(t.contacts)),
            num(Some(t.offered)),
            num(t.service_level),
            num(t.shop_service_level.p10),
            num(t.shop_service_level.p50),
            num(t.shop_service_level.p90),
            num(Some(t.agent_hours)),
            num(Some(t.paid_hours)),
            num(Some(t.cost)),
            csv_field(&t.currency)
        );
    };
    line("mall", "", &r.mall);
    for (n, t) in &r.by_category {
        line("category", n, t);
    }
    for (n, t) in &r.by_platform {
        line("platform", n, t);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(i: usize, sl: f64, cat: &str) -> ShopResult {
        ShopResult {
            index: i,
            id: format!("s{i}"),
            category: cat.into(),
            platform: String::new(),
            scenario: "x, \"y\"".into(),
            seed: 7,
            replications: 10,
            contacts: Some(100.0 + i as f64),
            offered: Some(50.0),
            answered_within_target: Some(50.0 * sl),
            service_level: Some(sl),
            service_level_ci95: Some(0.1 + 0.2),
            target_service_level: 0.9,
            agent_hours: Some(8.0),
            paid_hours: Some(10.0),
            cost: None,
            currency: String::new(),
            worst_intervals: "2026-01-05T20:00 61.2%".into(),
        }
    }

    #[test]
    fn rows_read_back_bit_for_bit() {
        let rows = vec![shop(0, 0.95, "a"), shop(1, 1.0 / 3.0, "b")];
        assert_eq!(parse_shops_csv(&shops_csv(&rows), "t").unwrap(), rows);
    }

    #[test]
    fn rollup_names_the_misses_and_spreads_the_levels() {
        let rows: Vec<ShopResult> = (0..11).map(|i| shop(i, i as f64 / 10.0, "a")).collect();
        let r = rollup(&rows, Vec::new());
        // Levels 0.0..1.0: p10 = 0.1, p50 = 0.5; every shop below 0.9 misses.
        let p = r.mall.shop_service_level;
        assert!((p.p10.unwrap() - 0.1).abs() < 1e-12 && (p.p50.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(r.mall.shops_missing_target, 9);
        assert_eq!(r.missing_target[0].id, "s0");
        assert_eq!(r.by_category["a"].shops, 11);
    }
}
