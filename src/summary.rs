//! Across-replication results: the per-replication value of every [`Metric`] of `summary.json`,
//! per-interval moments, and pooled wait histograms — the one structure every output reads.

pub mod days;
pub mod fields;
pub mod intervals;
pub mod metric;

use crate::model::Model;
use crate::stats::{estimate, Estimate, Histogram, HumanStats, RepStats};
pub use fields::{ClassField, ClassRow, IntervalField, IntervalRow};
pub use intervals::{ClassMoments, FieldMoments, IntervalMoments, RowFile, RowWriter};
pub use metric::{HumanClass, HumanMetric, Metric, Priority, TotalMetric};
use std::path::Path;

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// Human-stage metric `k` of one class (`occupancy` is only defined for all contacts).
fn human_value(h: &HumanStats, k: HumanMetric, occupancy: Option<f64>) -> Option<f64> {
    let offered = h.offered as f64;
    let answered = h.answered as f64;
    let within = h.answered_within_target as f64;
    match k {
        HumanMetric::Offered => Some(offered),
        HumanMetric::Answered => Some(answered),
        HumanMetric::Abandoned => Some(h.abandoned as f64),
        HumanMetric::AnsweredWithinTarget => Some(within),
        HumanMetric::ServiceLevel => ratio(within, offered),
        HumanMetric::ServiceLevelAnswered => ratio(within, answered),
        HumanMetric::ServiceLevelExclShort => ratio(within, offered - h.short_abandoned as f64),
        HumanMetric::AbandonRate => ratio(h.abandoned as f64, offered),
        HumanMetric::WaitedFraction => ratio(h.waited as f64, offered),
        HumanMetric::MeanWaitS => ratio(h.wait_sum_s, answered),
        HumanMetric::WaitP50S => h.waits.quantile(0.50),
        HumanMetric::WaitP90S => h.waits.quantile(0.90),
        HumanMetric::WaitP99S => h.waits.quantile(0.99),
        HumanMetric::Occupancy => occupancy,
        HumanMetric::ShortAbandoned => Some(h.short_abandoned as f64),
        HumanMetric::SilentAbandoned => Some(h.silent_abandoned as f64),
        HumanMetric::Returns => Some(h.returns as f64),
        HumanMetric::ReturnShare => ratio(h.returns as f64, offered),
    }
}

/// Scenario-wide metric `t` of one replication (`None` where the scenario lacks it).
fn total_value(m: &Model, s: &RepStats, t: TotalMetric) -> Option<f64> {
    let cost_total = || {
        let c = m.costs.as_ref()?;
        Some(s.agent_seconds / 3600.0 * c.agent_hour + s.bot_met as f64 * c.bot_contact)
    };
    match t {
        TotalMetric::Contacts => Some(s.contacts as f64),
        TotalMetric::BotMet => Some(s.bot_met as f64),
        TotalMetric::BotResolved => Some(s.bot_resolved as f64),
        TotalMetric::BotTransferred => Some(s.bot_transferred as f64),
        TotalMetric::BotFalseResolved => Some(s.bot_false_resolved as f64),
        TotalMetric::BotStraightToAgents => Some(s.straight_to_agents as f64),
        TotalMetric::BotSessionWaited => Some(s.bot_session_waited as f64),
        TotalMetric::BotSessionMeanWaitS => {
            ratio(s.bot_session_wait_sum_s, s.bot_session_waited as f64)
        }
        TotalMetric::BotFullToAgents => Some(s.bot_full_to_agents as f64),
        TotalMetric::BotContainment => ratio(s.bot_resolved as f64, s.contacts as f64),
        TotalMetric::TicketCount => Some(s.tickets as f64),
        TotalMetric::TicketMeanResponseS => {
            ratio(s.ticket_response_sum_s, s.ticket_responses as f64)
        }
        TotalMetric::Unserved => Some(s.unserved as f64),
        TotalMetric::QueueFull => Some(s.queue.full as f64),
        TotalMetric::QueueRefused => Some(s.queue.refused as f64),
        TotalMetric::QueueBalked => Some(s.queue.balked as f64),
        TotalMetric::QueueTimedOut => Some(s.queue.timed_out as f64),
        TotalMetric::QueueClosed => Some(s.queue.closed as f64),
        TotalMetric::RetrialsScheduled => Some(s.queue.retrials_scheduled as f64),
        TotalMetric::RetrialsOffered => Some(s.queue.retrials_offered as f64),
        // First attempts are the offered visits that are not retrials; a customer is
        // answered at most once, so every answer within target counts for "any attempt".
        TotalMetric::RetrialsFirstAttemptServiceLevel => ratio(
            (s.human.answered_within_target - s.queue.retrials_within_target) as f64,
            (s.human.offered - s.queue.retrials_offered) as f64,
        ),
        TotalMetric::RetrialsAnyAttemptServiceLevel => ratio(
            s.human.answered_within_target as f64,
            (s.human.offered - s.queue.retrials_offered) as f64,
        ),
        TotalMetric::AlertEpisodes => Some(s.alert_episodes as f64),
        TotalMetric::AlertTotalS => Some(s.alert_total_s),
        TotalMetric::AlertLongestS => Some(s.alert_longest_s),
        TotalMetric::AgentHours => Some(s.agent_seconds / 3600.0),
        TotalMetric::SurgeCallIns => Some(s.surge_call_ins as f64),
        TotalMetric::SurgeAgentHours => Some(s.surge_agent_seconds / 3600.0),
        TotalMetric::CostTotal => cost_total(),
        TotalMetric::CostPerContact => ratio(cost_total()?, s.contacts as f64),
        TotalMetric::Censored => Some(s.censored as f64),
        TotalMetric::DaysMeetShare => days::meet_share(s, m.target.service_level),
        TotalMetric::DaysWorstServiceLevel => s
            .days
            .iter()
            .filter_map(|d| d.service_level())
            .reduce(f64::min),
        TotalMetric::DaysWorstAbandonRate => s
            .days
            .iter()
            .filter_map(|d| d.abandon_rate())
            .reduce(f64::max),
        TotalMetric::AbsentAgentHours => Some(s.absent_agent_seconds / 3600.0),
    }
}

/// The value of one metric in one replication.
pub fn rep_value(m: &Model, s: &RepStats, metric: Metric) -> Option<f64> {
    match metric {
        Metric::Total(t) => total_value(m, s, t),
        Metric::Human(HumanClass::All, k) => {
            human_value(&s.human, k, ratio(s.busy_area, s.slot_area))
        }
        Metric::Human(HumanClass::Category(c), k) => human_value(s.by_category.get(c)?, k, None),
        Metric::Human(HumanClass::Priority(p), k) => {
            human_value(&s.by_priority[p.index()], k, None)
        }
    }
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

/// Everything folded over replications.
pub struct Aggregate {
    /// The metrics, in summary order (set by the first replication).
    pub metrics: Vec<Metric>,
    /// The category names in scenario order: the `<name>` of `by_category.<name>.*`.
    pub categories: Vec<String>,
    /// Per replication, the value of every metric of `metrics`, in the same order.
    pub reps: Vec<Vec<Option<f64>>>,
    /// Per interval, moments of the [`IntervalField`]s and of each class's [`ClassField`]s,
    /// in memory or in files (read with [`IntervalMoments::for_each`]).
    pub intervals: IntervalMoments,
    /// Waits of answered contacts pooled over replications: all, VIP, normal.
    pub waits: Histogram,
    pub waits_vip: Histogram,
    pub waits_normal: Histogram,
    /// Daily service levels and abandon rates pooled over the replications' days.
    pub days: days::DayDistribution,
}

impl Aggregate {
    /// An aggregate whose per-interval moments are kept in memory (replications are folded
    /// with [`add`](Self::add), from their in-memory tables).
    pub fn new(m: &Model) -> Self {
        Self::with_intervals(m, IntervalMoments::in_memory(m))
    }

    /// An aggregate whose per-interval moments are kept in files in a temporary folder inside
    /// `scratch` (replications are folded with [`add_totals`](Self::add_totals) and
    /// [`IntervalMoments::merge`]): memory does not grow with the horizon.
    pub fn in_files(m: &Model, scratch: &Path) -> anyhow::Result<Self> {
        Ok(Self::with_intervals(
            m,
            IntervalMoments::in_files(m, scratch)?,
        ))
    }

    fn with_intervals(m: &Model, intervals: IntervalMoments) -> Self {
        Aggregate {
            metrics: Vec::new(),
            categories: m.categories.iter().map(|c| c.name.clone()).collect(),
            reps: Vec::new(),
            intervals,
            waits: Histogram::new(),
            waits_vip: Histogram::new(),
            waits_normal: Histogram::new(),
            days: days::DayDistribution::default(),
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
        if self.reps.is_empty() {
            self.metrics = Metric::all(m);
        }
        self.reps
            .push(self.metrics.iter().map(|k| rep_value(m, s, *k)).collect());
        self.waits.merge(&s.human.waits);
        self.waits_vip
            .merge(&s.by_priority[Priority::Vip.index()].waits);
        self.waits_normal
            .merge(&s.by_priority[Priority::Normal.index()].waits);
        self.days.add(s);
    }

    /// Classes per interval: categories in scenario order, then VIP, normal.
    pub fn class_count(&self) -> usize {
        self.intervals.class_count()
    }

    /// Every metric with its estimate over replications, in summary order.
    pub fn estimates(&self) -> Vec<(Metric, Estimate)> {
        self.metrics
            .iter()
            .enumerate()
            .map(|(k, p)| (*p, estimate(&self.column(k))))
            .collect()
    }

    /// The values of metric `k` (an index into `metrics`) over replications.
    fn column(&self, k: usize) -> Vec<Option<f64>> {
        self.reps.iter().map(|r| r[k]).collect()
    }

    /// The estimate of one metric (`None` when the scenario does not have it), e.g.
    /// `get(HumanMetric::ServiceLevel)` for `human.service_level`.
    pub fn get(&self, metric: impl Into<Metric>) -> Option<Estimate> {
        self.values(metric).map(|v| estimate(&v))
    }

    /// Per-replication values of one metric.
    pub fn values(&self, metric: impl Into<Metric>) -> Option<Vec<Option<f64>>> {
        let metric = metric.into();
        let k = self.metrics.iter().position(|q| *q == metric)?;
        Some(self.column(k))
    }

    /// The path of a metric in `summary.json` (`None` for a category this scenario lacks).
    pub fn path(&self, metric: Metric) -> Option<Vec<&str>> {
        metric.path(&self.categories)
    }

    /// The dotted name of a metric, as in `sweep.csv` and `compare.json`.
    pub fn name(&self, metric: Metric) -> Option<String> {
        metric.name(&self.categories)
    }

    /// The metric of a dotted name in this aggregate's scenario.
    pub fn metric_named(&self, name: &str) -> Option<Metric> {
        Metric::parse(name, &self.categories)
    }
}
