//! Across-replication results: the per-replication metrics under their `summary.json` paths,
//! per-interval moments, and pooled wait histograms — the one structure every output reads.

pub mod intervals;

use crate::model::Model;
use crate::stats::{estimate, Estimate, Histogram, HumanStats, RepStats};
pub use intervals::{ClassMoments, FieldMoments, IntervalMoments, RowFile, RowWriter};
use std::path::Path;

/// A metric's place in `summary.json`, e.g. `["human", "service_level"]`.
pub type MetricPath = Vec<String>;

fn path(parts: &[&str]) -> MetricPath {
    parts.iter().map(|s| s.to_string()).collect()
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// The human-stage metrics of one class, in contract order.
fn human_metrics(h: &HumanStats, occupancy: Option<f64>) -> Vec<(&'static str, Option<f64>)> {
    let offered = h.offered as f64;
    let answered = h.answered as f64;
    let within = h.answered_within_target as f64;
    vec![
        ("offered", Some(offered)),
        ("answered", Some(answered)),
        ("abandoned", Some(h.abandoned as f64)),
        ("answered_within_target", Some(within)),
        ("service_level", ratio(within, offered)),
        ("service_level_answered", ratio(within, answered)),
        (
            "service_level_excl_short",
            ratio(within, offered - h.short_abandoned as f64),
        ),
        ("abandon_rate", ratio(h.abandoned as f64, offered)),
        ("waited_fraction", ratio(h.waited as f64, offered)),
        ("mean_wait_s", ratio(h.wait_sum_s, answered)),
        ("wait_p50_s", h.waits.quantile(0.50)),
        ("wait_p90_s", h.waits.quantile(0.90)),
        ("wait_p99_s", h.waits.quantile(0.99)),
        ("occupancy", occupancy),
        ("short_abandoned", Some(h.short_abandoned as f64)),
        ("silent_abandoned", Some(h.silent_abandoned as f64)),
        ("returns", Some(h.returns as f64)),
        ("return_share", ratio(h.returns as f64, offered)),
    ]
}

/// Every metric of one replication, in the order `summary.json` lists them.
pub fn rep_metrics(m: &Model, s: &RepStats) -> Vec<(MetricPath, Option<f64>)> {
    let mut out: Vec<(MetricPath, Option<f64>)> = Vec::new();
    let mut put = |p: MetricPath, v: Option<f64>| out.push((p, v));
    put(path(&["contacts"]), Some(s.contacts as f64));
    put(path(&["bot", "met"]), Some(s.bot_met as f64));
    put(path(&["bot", "resolved"]), Some(s.bot_resolved as f64));
    put(
        path(&["bot", "transferred"]),
        Some(s.bot_transferred as f64),
    );
    put(
        path(&["bot", "false_resolved"]),
        Some(s.bot_false_resolved as f64),
    );
    put(
        path(&["bot", "straight_to_agents"]),
        Some(s.straight_to_agents as f64),
    );
    put(
        path(&["bot", "containment"]),
        ratio(s.bot_resolved as f64, s.contacts as f64),
    );
    let occupancy = ratio(s.busy_area, s.slot_area);
    for (k, v) in human_metrics(&s.human, occupancy) {
        put(path(&["human", k]), v);
    }
    for (c, h) in m.categories.iter().zip(&s.by_category) {
        for (k, v) in human_metrics(h, None) {
            put(vec!["by_category".into(), c.name.clone(), k.into()], v);
        }
    }
    for (name, h) in ["vip", "normal"].iter().zip(&s.by_priority) {
        for (k, v) in human_metrics(h, None) {
            put(path(&["by_priority", name, k]), v);
        }
    }
    put(path(&["tickets", "count"]), Some(s.tickets as f64));
    put(
        path(&["tickets", "mean_response_s"]),
        ratio(s.ticket_response_sum_s, s.ticket_responses as f64),
    );
    put(path(&["unserved"]), Some(s.unserved as f64));
    put(path(&["alerts", "episodes"]), Some(s.alert_episodes as f64));
    put(path(&["alerts", "total_s"]), Some(s.alert_total_s));
    put(path(&["alerts", "longest_s"]), Some(s.alert_longest_s));
    put(
        path(&["agents", "agent_hours"]),
        Some(s.agent_seconds / 3600.0),
    );
    if !m.surges.is_empty() {
        put(path(&["surge", "call_ins"]), Some(s.surge_call_ins as f64));
        put(
            path(&["surge", "agent_hours"]),
            Some(s.surge_agent_seconds / 3600.0),
        );
    }
    if let Some(c) = &m.costs {
        let total = s.agent_seconds / 3600.0 * c.agent_hour + s.bot_met as f64 * c.bot_contact;
        put(path(&["cost", "total"]), Some(total));
        put(
            path(&["cost", "per_contact"]),
            ratio(total, s.contacts as f64),
        );
    }
    put(path(&["censored"]), Some(s.censored as f64));
    out
}

/// Running first and second moments of one per-interval quantity over replications
/// (only replications where it is defined).
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    pub n: u32,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn add(&mut self, v: Option<f64>) {
        if let Some(v) = v {
            self.n += 1;
            self.sum += v;
            self.sum_sq += v * v;
        }
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// 95% Student-t half-width over replications.
    pub fn ci95(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        let var = ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0);
        Some(crate::stats::ci::t_quantile(0.95, self.n as usize - 1) * (var / n).sqrt())
    }
}

/// The per-interval columns, each averaged over replications.
pub const INTERVAL_FIELDS: [&str; 18] = [
    "arrivals",
    "bot_resolved",
    "offered",
    "answered",
    "answered_within_target",
    "abandoned",
    "tickets",
    "service_level",
    "mean_wait_s",
    "max_waiting",
    "agents_on_duty",
    "returns",
    "mean_waiting",
    "occupancy",
    "surge_agents",
    "alert_minutes",
    "abandon_rate",
    "service_level_answered",
];

/// Index of a field in [`INTERVAL_FIELDS`].
pub fn field(name: &str) -> usize {
    INTERVAL_FIELDS
        .iter()
        .position(|f| *f == name)
        .expect("known interval field")
}

/// The class columns per interval: offered, answered, within target, abandoned, SL, mean wait.
pub const CLASS_FIELDS: [&str; 6] = [
    "offered",
    "answered",
    "answered_within_target",
    "abandoned",
    "service_level",
    "mean_wait_s",
];

/// Everything folded over replications.
pub struct Aggregate {
    /// The metric paths, in summary order (stored once, not per replication).
    pub paths: Vec<MetricPath>,
    /// Per replication, the value of every metric of `paths`, in the same order.
    pub reps: Vec<Vec<Option<f64>>>,
    /// Per interval, moments of the [`INTERVAL_FIELDS`] and of each class's
    /// [`CLASS_FIELDS`], in memory or in files (read with [`IntervalMoments::for_each`]).
    pub intervals: IntervalMoments,
    /// Waits of answered contacts pooled over replications: all, VIP, normal.
    pub waits: Histogram,
    pub waits_vip: Histogram,
    pub waits_normal: Histogram,
}

impl Aggregate {
    /// An aggregate whose per-interval moments are kept in memory (replications are folded
    /// with [`add`](Self::add), from their in-memory tables).
    pub fn new(m: &Model) -> Self {
        Self::with_intervals(IntervalMoments::in_memory(m))
    }

    /// An aggregate whose per-interval moments are kept in files in a temporary folder inside
    /// `scratch` (replications are folded with [`add_totals`](Self::add_totals) and
    /// [`IntervalMoments::merge`]): memory does not grow with the horizon.
    pub fn in_files(m: &Model, scratch: &Path) -> anyhow::Result<Self> {
        Ok(Self::with_intervals(IntervalMoments::in_files(m, scratch)?))
    }

    fn with_intervals(intervals: IntervalMoments) -> Self {
        Aggregate {
            paths: Vec::new(),
            reps: Vec::new(),
            intervals,
            waits: Histogram::new(),
            waits_vip: Histogram::new(),
            waits_normal: Histogram::new(),
        }
    }

    /// Folds one replication in, its in-memory interval table included (memory store; call
    /// in replication order).
    pub fn add(&mut self, m: &Model, s: &RepStats) {
        self.add_totals(m, s);
        self.intervals.add(m, s);
    }

    /// Folds in one replication's metrics and wait histograms (not its intervals; call in
    /// replication order).
    pub fn add_totals(&mut self, m: &Model, s: &RepStats) {
        let metrics = rep_metrics(m, s);
        if self.reps.is_empty() {
            self.paths = metrics.iter().map(|(p, _)| p.clone()).collect();
        }
        debug_assert!(metrics.iter().map(|(p, _)| p).eq(self.paths.iter()));
        self.reps
            .push(metrics.into_iter().map(|(_, v)| v).collect());
        self.waits.merge(&s.human.waits);
        self.waits_vip.merge(&s.by_priority[0].waits);
        self.waits_normal.merge(&s.by_priority[1].waits);
    }

    /// Classes per interval: categories in scenario order, then VIP, normal.
    pub fn class_count(&self) -> usize {
        self.intervals.class_count()
    }

    /// Every metric path with its estimate over replications, in summary order.
    pub fn estimates(&self) -> Vec<(MetricPath, Estimate)> {
        self.paths
            .iter()
            .enumerate()
            .map(|(k, p)| (p.clone(), estimate(&self.column(k))))
            .collect()
    }

    /// The values of metric `k` (an index into `paths`) over replications.
    fn column(&self, k: usize) -> Vec<Option<f64>> {
        self.reps.iter().map(|r| r[k]).collect()
    }

    /// The estimate of one metric, e.g. `get(&["human", "service_level"])`.
    pub fn get(&self, p: &[&str]) -> Option<Estimate> {
        self.values(p).map(|v| estimate(&v))
    }

    /// Per-replication values of one metric.
    pub fn values(&self, p: &[&str]) -> Option<Vec<Option<f64>>> {
        let k = self
            .paths
            .iter()
            .position(|q| q.iter().map(String::as_str).eq(p.iter().copied()))?;
        Some(self.column(k))
    }
}
