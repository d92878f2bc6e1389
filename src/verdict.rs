//! The one verdict rule of run, plan and compare: the service-level target is **met** only
//! when the whole horizon, every interval with traffic to judge, and every category and
//! priority class reach it. A miss is told apart as *beyond the noise* of the replications
//! (its upper 95% confidence bound is below the goal too) or *within* it.
//!
//! [`Rule`] judges one value (an interval, a class, a planned pool's interval); [`Verdict`]
//! collects a run's misses and says them in one line for the terminal, the report and
//! `summary.json`'s `target.verdict`. `target.met` stays the contract's horizon-only test.

mod text;

use crate::model::{Model, Planning};
use crate::stats::Estimate;
use crate::summary::{Aggregate, HumanClass, HumanMetric, IntervalField, Metric, Priority};
use serde_json::{json, Value};

/// A miss smaller than this is rounding, not a miss (service levels are fractions).
const ROUNDING: f64 = 1e-12;

/// How many interval misses `summary.json` lists (the worst ones; the counts are complete).
pub const LISTED_INTERVAL_MISSES: usize = 100;

/// How to judge a service level against the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// `[target] service_level`.
    pub target: f64,
    /// An interval (or class) with fewer mean contacts offered per replication than this is
    /// judged at `target − small_interval_tolerance` (`[planning]`, as the planner does).
    pub small_interval_contacts: f64,
    pub small_interval_tolerance: f64,
}

/// A service level below its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// The upper 95% confidence bound is below the goal too: more replications will not
    /// make it go away.
    BeyondNoise,
    /// The confidence interval reaches the goal: the miss may be the replications' noise.
    WithinNoise,
}

impl Rule {
    /// The rule of scenario `m`: its target, and its `[planning]` small-interval settings
    /// (the defaults without that section).
    pub fn of(m: &Model) -> Rule {
        Rule::new(
            m.target.service_level,
            m.planning.as_ref().unwrap_or(&Planning::default()),
        )
    }

    /// The rule of `target` with `planning`'s small-interval settings.
    pub fn new(target: f64, planning: &Planning) -> Rule {
        Rule {
            target,
            small_interval_contacts: planning.small_interval_contacts,
            small_interval_tolerance: planning.small_interval_tolerance,
        }
    }

    /// The goal of a value with `offered_per_rep` mean contacts offered per replication.
    pub fn goal(&self, offered_per_rep: f64) -> f64 {
        if offered_per_rep < self.small_interval_contacts {
            self.target - self.small_interval_tolerance
        } else {
            self.target
        }
    }

    /// Judges a mean service level `mean ± ci95` against `goal`: `None` when it reaches it.
    /// Without a half-width (one replication) a miss counts as beyond the noise.
    pub fn judge_against(goal: f64, mean: f64, ci95: Option<f64>) -> Option<Shortfall> {
        if mean + ROUNDING >= goal {
            None
        } else if mean + ci95.unwrap_or(0.0) < goal {
            Some(Shortfall::BeyondNoise)
        } else {
            Some(Shortfall::WithinNoise)
        }
    }

    /// Judges a value with `offered_per_rep` contacts against its [`goal`](Rule::goal).
    pub fn judge(&self, offered_per_rep: f64, mean: f64, ci95: Option<f64>) -> Option<Shortfall> {
        Rule::judge_against(self.goal(offered_per_rep), mean, ci95)
    }
}

/// What was judged and missed.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// A reporting interval: its index, `MM-DD HH:MM` label and `YYYY-MM-DDTHH:MM` start.
    Interval {
        index: usize,
        label: String,
        start: String,
    },
    /// A category (`by_category.<name>`).
    Category(String),
    /// A priority class (`by_priority.<vip|normal>`).
    Priority(Priority),
}

impl Scope {
    fn kind(&self) -> &'static str {
        match self {
            Scope::Interval { .. } => "interval",
            Scope::Category(_) => "category",
            Scope::Priority(_) => "priority",
        }
    }

    /// The name a reader sees: the interval label, the category name, `vip` / `normal`.
    pub fn name(&self) -> &str {
        match self {
            Scope::Interval { label, .. } => label,
            Scope::Category(c) => c,
            Scope::Priority(p) => p.name(),
        }
    }
}

/// One value below its goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub scope: Scope,
    pub service_level: f64,
    pub ci95: Option<f64>,
    pub goal: f64,
    /// Mean contacts offered per replication.
    pub offered: f64,
    pub shortfall: Shortfall,
}

/// The overall state of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Horizon, every judged interval and every class reach the target.
    Met,
    /// The horizon reaches it (`target.met` is true) but an interval or class does not.
    MetOverallWithMisses,
    /// The horizon misses the target.
    NotMet,
    /// No contact reached the agents: nothing to judge.
    NoVerdict,
}

impl Status {
    /// The name in `summary.json`.
    pub const fn name(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::MetOverallWithMisses => "met_overall_with_misses",
            Status::NotMet => "not_met",
            Status::NoVerdict => "no_verdict",
        }
    }
}

/// A run's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub rule: Rule,
    /// `human.service_level` over the horizon.
    pub overall: Estimate,
    /// How the horizon itself fares (`None` when it reaches the target or has no value).
    pub overall_shortfall: Option<Shortfall>,
    /// Intervals with a service level (something offered).
    pub intervals_judged: usize,
    /// Every interval below its goal, worst first.
    pub interval_misses: Vec<Miss>,
    /// Categories and priority classes below the target, worst first.
    pub class_misses: Vec<Miss>,
}

impl Verdict {
    /// Judges a run: its horizon, its intervals (one pass over the interval store) and its
    /// categories and priority classes.
    pub fn of_run(m: &Model, agg: &Aggregate) -> anyhow::Result<Verdict> {
        let rule = Rule::of(m);
        let mut interval_misses = Vec::new();
        let mut intervals_judged = 0;
        agg.intervals.for_each(|i, iv, _| {
            let Some(mean) = iv[IntervalField::ServiceLevel].mean() else {
                return;
            };
            intervals_judged += 1;
            let offered = iv[IntervalField::Offered].mean().unwrap_or(0.0);
            let ci95 = iv[IntervalField::ServiceLevel].ci95();
            if let Some(shortfall) = rule.judge(offered, mean, ci95) {
                let start = m.run.interval_start(i);
                interval_misses.push(Miss {
                    scope: Scope::Interval {
                        index: i,
                        label: m.run.calendar.format_short(start),
                        start: m.run.calendar.format_minute(start),
                    },
                    service_level: mean,
                    ci95,
                    goal: rule.goal(offered),
                    offered,
                    shortfall,
                });
            }
        })?;
        let classes = class_scopes(m, agg)
            .into_iter()
            .filter_map(|(scope, class)| {
                let sl = agg.get(Metric::Human(class, HumanMetric::ServiceLevel))?;
                let mean = sl.mean?;
                let offered = agg
                    .get(Metric::Human(class, HumanMetric::Offered))
                    .and_then(|e| e.mean)
                    .unwrap_or(0.0);
                let shortfall = rule.judge(offered, mean, sl.ci95)?;
                Some(Miss {
                    scope,
                    service_level: mean,
                    ci95: sl.ci95,
                    goal: rule.goal(offered),
                    offered,
                    shortfall,
                })
            })
            .collect();
        let overall = agg.get(HumanMetric::ServiceLevel).unwrap_or(Estimate {
            mean: None,
            ci95: None,
        });
        Ok(Verdict::from_parts(
            rule,
            overall,
            intervals_judged,
            interval_misses,
            classes,
        ))
    }

    /// A verdict from judged parts (sorts the misses worst first and sets the status).
    pub fn from_parts(
        rule: Rule,
        overall: Estimate,
        intervals_judged: usize,
        mut interval_misses: Vec<Miss>,
        mut class_misses: Vec<Miss>,
    ) -> Verdict {
        let worst_first =
            |a: &Miss, b: &Miss| (a.service_level - a.goal).total_cmp(&(b.service_level - b.goal));
        interval_misses.sort_by(worst_first);
        class_misses.sort_by(worst_first);
        // The horizon is judged at the target itself, however little traffic it has.
        let overall_shortfall = overall
            .mean
            .and_then(|v| Rule::judge_against(rule.target, v, overall.ci95));
        let status = match overall.mean {
            None => Status::NoVerdict,
            Some(v) if v < rule.target => Status::NotMet,
            Some(_) if interval_misses.is_empty() && class_misses.is_empty() => Status::Met,
            Some(_) => Status::MetOverallWithMisses,
        };
        Verdict {
            status,
            rule,
            overall,
            overall_shortfall,
            intervals_judged,
            interval_misses,
            class_misses,
        }
    }

    /// Every miss (intervals, then classes) beyond the noise of the replications.
    pub fn beyond_noise(&self) -> usize {
        self.interval_misses
            .iter()
            .chain(&self.class_misses)
            .filter(|x| x.shortfall == Shortfall::BeyondNoise)
            .count()
    }

    /// `target.verdict` of `summary.json`.
    pub fn to_json(&self) -> Value {
        let miss = |x: &Miss| {
            let mut o = json!({
                "kind": x.scope.kind(),
                "name": x.scope.name(),
            });
            if let Scope::Interval { start, .. } = &x.scope {
                o["start"] = json!(start);
            }
            o["service_level"] = json!({"mean": x.service_level, "ci95": x.ci95});
            o["goal"] = json!(x.goal);
            o["offered"] = json!(x.offered);
            o["beyond_noise"] = json!(x.shortfall == Shortfall::BeyondNoise);
            o
        };
        let beyond = |xs: &[Miss]| {
            xs.iter()
                .filter(|x| x.shortfall == Shortfall::BeyondNoise)
                .count()
        };
        json!({
            "status": self.status.name(),
            "line": self.line(),
            "rule": RULE_TEXT,
            "small_interval_contacts": self.rule.small_interval_contacts,
            "small_interval_goal": self.rule.target - self.rule.small_interval_tolerance,
            "overall_beyond_noise": self.overall_shortfall.map(|s| s == Shortfall::BeyondNoise),
            "intervals_judged": self.intervals_judged,
            "intervals_missed": self.interval_misses.len(),
            "intervals_missed_beyond_noise": beyond(&self.interval_misses),
            "classes_missed": self.class_misses.len(),
            "misses": self.interval_misses.iter().take(LISTED_INTERVAL_MISSES)
                .chain(&self.class_misses).map(miss).collect::<Vec<_>>(),
        })
    }
}

/// The rule in words, as the report, `summary.json` and docs state it.
pub const RULE_TEXT: &str = "The target is met only when the whole horizon, every interval with \
    traffic to judge and every category and priority class reach it. An interval or class with \
    fewer contacts per replication than [planning] small_interval_contacts is judged at the target \
    minus small_interval_tolerance, as the planner does. A miss is beyond the noise when its upper \
    95% confidence bound is below the goal too.";

/// The categories and priority classes to judge: those that are not simply every contact
/// again (one category, or a priority class holding everything offered, says nothing new).
fn class_scopes(m: &Model, agg: &Aggregate) -> Vec<(Scope, HumanClass)> {
    let offered = |c: HumanClass| {
        agg.get(Metric::Human(c, HumanMetric::Offered))
            .and_then(|e| e.mean)
            .unwrap_or(0.0)
    };
    let all = offered(HumanClass::All);
    let is_everything = |c: HumanClass| offered(c) >= all * (1.0 - 1e-9);
    let mut out = Vec::new();
    if m.categories.len() > 1 {
        for (id, c) in m.categories.iter().enumerate() {
            let class = HumanClass::Category(id);
            if !is_everything(class) {
                out.push((Scope::Category(c.name.clone()), class));
            }
        }
    }
    for &p in Priority::ALL {
        let class = HumanClass::Priority(p);
        if !is_everything(class) {
            out.push((Scope::Priority(p), class));
        }
    }
    out
}

#[cfg(test)]
mod tests;
