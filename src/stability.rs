//! Overload report: the reporting intervals where the work offered to agents exceeds their
//! chat-slot capacity, as a warning and as `stability` in `summary.json`.
//!
//! An interval's *load* is `offered × mean handle time / (agents on duty × chat slots per
//! agent × interval length)`, from the interval means over replications: above 1 the queue
//! grows during the interval. Handle times are the categories' means (complex ones weighted
//! as they reach agents past the bot), before concurrency slowdown, so the load is if
//! anything understated. Pools are pooled: one pool overloaded while another idles shows
//! as a lower load here (see `by_category` and `intervals_by_class.csv`).

use crate::model::Model;
use crate::summary::{Aggregate, ClassField, HumanMetric, IntervalField, Metric, TotalMetric};
use serde_json::{json, Value};

/// Consecutive unstable intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub from: String,
    pub to: String,
    pub intervals: usize,
    /// Highest load in the span; `None`: work was offered with no agent on duty.
    pub max_load: Option<f64>,
}

/// The assessment of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Stability {
    pub unstable_intervals: usize,
    pub intervals: usize,
    pub max_load: Option<f64>,
    pub spans: Vec<Span>,
    /// Some category has no patience: its queue only shrinks when capacity returns.
    pub no_patience: bool,
    /// Counted contacts still unfinished when the drain limit was reached (mean).
    pub censored: f64,
}

/// Most spans listed in `summary.json` (the count is always complete).
pub const MAX_SPANS: usize = 50;

/// Mean handle time of a category's contacts that reach agents.
fn mean_handle(m: &Model, k: usize) -> f64 {
    let c = &m.categories[k];
    let (cov, rb, rc) = m.bot.as_ref().map_or((0.0, 0.0, 0.0), |b| {
        (b.coverage, b.basic.resolve, b.complex.resolve)
    });
    let basic = (1.0 - c.complex_share) * (1.0 - cov * rb);
    let complex = c.complex_share * (1.0 - cov * rc);
    if basic + complex <= 0.0 {
        return c.handle_time.mean();
    }
    (basic * c.handle_time.mean() + complex * c.complex_handle_time.mean()) / (basic + complex)
}

/// Chat slots per agent on duty at `t` (pools weighted by their headcount then).
fn slots_per_agent(m: &Model, t: f64) -> f64 {
    let cal = &m.run.calendar;
    let (mut agents, mut slots) = (0.0, 0.0);
    for p in &m.pools {
        let h = p.staffing.headcount(cal, t) as f64;
        agents += h;
        slots += h * p.concurrency as f64;
    }
    if agents > 0.0 {
        slots / agents
    } else {
        m.pools.iter().map(|p| p.concurrency as f64).sum::<f64>() / m.pools.len().max(1) as f64
    }
}

/// Assesses the intervals of a finished run.
pub fn assess(m: &Model, agg: &Aggregate) -> anyhow::Result<Stability> {
    let handle: Vec<f64> = (0..m.categories.len()).map(|k| mean_handle(m, k)).collect();
    let mut spans: Vec<Span> = Vec::new();
    let mut unstable = 0;
    let mut max_load: Option<f64> = None;
    let mut open = false;
    let n = agg.intervals.len();
    agg.intervals.for_each(|i, row, classes| {
        let start = m.run.interval_start(i);
        let end = m.run.interval_start(i + 1).min(m.run.counted_to);
        let len = (end - start).max(1e-9);
        let work: f64 = (0..m.categories.len())
            .map(|k| classes[k][ClassField::Offered].mean().unwrap_or(0.0) * handle[k])
            .sum();
        let offered = row[IntervalField::Offered].mean().unwrap_or(0.0);
        let agents = row[IntervalField::AgentsOnDuty].mean().unwrap_or(0.0);
        let capacity = agents * slots_per_agent(m, (start + end) / 2.0) * len;
        let load = if capacity > 0.0 {
            Some(work / capacity)
        } else {
            None
        };
        let over = match load {
            Some(l) => l > 1.0,
            None => offered > 0.0 && work > 0.0,
        };
        if !over {
            open = false;
            return;
        }
        unstable += 1;
        if let Some(l) = load {
            max_load = Some(max_load.map_or(l, |x: f64| x.max(l)));
        }
        let cal = &m.run.calendar;
        if open {
            let s = spans.last_mut().expect("an open span");
            s.to = cal.format_minute(end);
            s.intervals += 1;
            s.max_load = match (s.max_load, load) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        } else {
            spans.push(Span {
                from: cal.format_minute(start),
                to: cal.format_minute(end),
                intervals: 1,
                max_load: load,
            });
            open = true;
        }
    })?;
    Ok(Stability {
        unstable_intervals: unstable,
        intervals: n,
        max_load,
        spans,
        no_patience: m.categories.iter().any(|c| c.patience.is_none()),
        censored: agg
            .get(TotalMetric::Censored)
            .and_then(|e| e.mean)
            .unwrap_or(0.0),
    })
}

fn load_text(l: Option<f64>) -> String {
    l.map_or("no agents on duty".into(), |l| format!("{l:.2}×"))
}

impl Stability {
    /// `summary.json`'s `stability` object.
    pub fn to_json(&self) -> Value {
        let spans: Vec<Value> = self
            .spans
            .iter()
            .take(MAX_SPANS)
            .map(|s| {
                json!({"from": s.from, "to": s.to, "intervals": s.intervals,
                       "max_load": s.max_load.filter(|x| x.is_finite())})
            })
            .collect();
        let note = if self.unstable_intervals == 0 {
            "offered load stays within agent capacity in every interval".to_string()
        } else {
            format!(
                "offered load (offered × mean handle time) exceeds the chat-slot capacity on duty in {} of {} intervals; the queue grows there{}",
                self.unstable_intervals,
                self.intervals,
                if self.no_patience {
                    " and, without patience, only shrinks when capacity returns"
                } else {
                    " until abandonment balances it"
                }
            )
        };
        json!({
            "stable": self.unstable_intervals == 0 && self.censored == 0.0,
            "unstable_intervals": self.unstable_intervals,
            "max_load": self.max_load.filter(|x| x.is_finite()),
            "spans": spans,
            "spans_listed": spans.len(),
            "censored_contacts": self.censored,
            "note": note,
        })
    }

    /// A warning for the terminal, when there is something to warn about.
    pub fn warning(&self) -> Option<String> {
        if self.unstable_intervals == 0 && self.censored == 0.0 {
            return None;
        }
        let mut s = format!(
            "warning: unstable: offered load exceeds agent capacity in {} of {} interval(s), up to {}",
            self.unstable_intervals,
            self.intervals,
            self.max_load.map_or("∞ (no agents)".into(), |l| format!("{l:.2}×"))
        );
        for sp in self.spans.iter().take(5) {
            s.push_str(&format!(
                "\n  {} → {} ({} interval(s), load {})",
                sp.from,
                sp.to,
                sp.intervals,
                load_text(sp.max_load)
            ));
        }
        if self.spans.len() > 5 {
            s.push_str(&format!("\n  … and {} more span(s)", self.spans.len() - 5));
        }
        if self.no_patience && self.unstable_intervals > 0 {
            s.push_str("\n  no patience is set: waiting customers never leave, so waits grow until capacity returns");
        }
        if self.censored > 0.0 {
            s.push_str(&format!(
                "\n  {:.1} counted contact(s) per replication were still unfinished at the drain limit (reported as `censored`)",
                self.censored
            ));
        }
        Some(s)
    }
}

/// Why values in `summary.json` are `null`: explanations keyed by the situation.
pub fn null_notes(agg: &Aggregate) -> Vec<String> {
    let mean = |k: Metric| agg.get(k).and_then(|e| e.mean).unwrap_or(0.0);
    let mut notes = Vec::new();
    if mean(Metric::Total(TotalMetric::Contacts)) == 0.0 {
        notes.push("no contact arrived in any replication: rates, shares and waits are null (undefined), counts are 0".to_string());
    } else if mean(Metric::human(HumanMetric::Offered)) == 0.0 {
        notes.push(
            "no contact reached the agents: human rates and waits are null (undefined)".to_string(),
        );
    } else if mean(Metric::human(HumanMetric::Answered)) == 0.0 {
        notes.push("no contact was answered by an agent: waits are null (undefined)".to_string());
    }
    if agg.reps.len() < 2 {
        notes.push(
            "one replication: every ci95 is null (a confidence interval needs at least two)"
                .to_string(),
        );
    }
    notes
}
