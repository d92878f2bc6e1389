//! Re-simulation of every method's staffing with FRESH seeds (not the tuning seed): the
//! service level each one actually achieves per interval, and the closing verdict on the
//! plan (shift-covered headcount) with confidence intervals, agent-hours and cost.

use super::method::PlanMethod;
use super::{measure, PlanContext, PoolPlan};
use crate::model::Model;
use crate::stats::Estimate;
use crate::summary::{HumanMetric, Moments, TotalMetric};
use crate::verdict::Shortfall;

/// What one method's staffing achieved when re-simulated.
#[derive(Debug, Clone)]
pub struct MethodCheck {
    pub method: PlanMethod,
    /// Per planned pool, per counted interval.
    pub sl: Vec<Vec<Moments>>,
    pub offered: Vec<Vec<f64>>,
    /// Productive agent-hours of the planned pools over the counted horizon.
    pub agent_hours: f64,
    /// `(planned pool index, counted interval)` whose mean service level is below its goal.
    pub missed: Vec<(usize, usize)>,
    /// Those of `missed` whose upper 95% confidence bound is below the goal too (a miss the
    /// noise of the replications cannot explain).
    pub significant: Vec<(usize, usize)>,
    /// `human.service_level` over the whole horizon (all pools).
    pub service_level: Estimate,
}

impl MethodCheck {
    /// The lowest mean service level and where: `(planned pool, counted interval, level)`.
    pub fn lowest(&self) -> Option<(usize, usize, f64)> {
        self.sl
            .iter()
            .enumerate()
            .flat_map(|(k, row)| {
                row.iter()
                    .enumerate()
                    .filter_map(move |(j, mo)| mo.mean().map(|v| (k, j, v)))
            })
            .min_by(|a, b| a.2.total_cmp(&b.2))
    }
}

/// The scenario's own staffing of the planned pools, re-simulated like the methods (same
/// seed, same surge rule) and judged by the same rule: the row a manager compares the plan
/// with.
#[derive(Debug, Clone)]
pub struct ScenarioCheck {
    /// Per planned pool, per grid interval: the scenario's headcount (at mid-interval).
    pub staffing: Vec<Vec<u32>>,
    /// Productive agent-hours of the planned pools over the counted horizon.
    pub agent_hours: f64,
    /// Those hours grossed up by shrinkage over the whole grid (warm-up included).
    pub paid_hours: f64,
    /// `paid_hours × [costs] agent_hour`, and the currency.
    pub paid_cost: Option<(f64, String)>,
    pub service_level: Estimate,
    pub lowest: Option<(usize, usize, f64)>,
    pub missed: usize,
    pub significant: usize,
}

/// The closing verdict on the plan.
#[derive(Debug, Clone)]
pub struct Verification {
    pub seed: u64,
    pub replications: u32,
    pub service_level: Estimate,
    pub abandon_rate: Estimate,
    /// Agents on duty (all pools, counted horizon) as simulated.
    pub agent_hours_on_duty: Estimate,
    /// Paid hours of the rostered shifts (planned pools; whole shifts, warm-up included).
    pub paid_hours: f64,
    /// Paid hours × cost factor × `[costs] agent_hour`, and the currency.
    pub paid_cost: Option<(f64, String)>,
    /// The simulator's `cost.total` (on-duty hours and bot contacts).
    pub simulated_cost: Option<Estimate>,
    /// The share of simulated days meeting the target (`days.meet_share`), when the
    /// scenario reports days (busyness, absence or a plan confidence).
    pub day_meet_share: Option<Estimate>,
    /// Every interval's mean service level reached its goal.
    pub met: bool,
    /// No interval missed by more than its 95% confidence half-width.
    pub met_within_noise: bool,
    /// The scenario's own staffing beside the methods.
    pub scenario: Option<ScenarioCheck>,
    pub wall_s: f64,
}

/// Re-simulates the four staffings with `seed` and judges the plan.
pub fn verify(
    ctx: &PlanContext,
    model: &Model,
    pools: &[PoolPlan],
    seed: u64,
    reps: u32,
) -> anyhow::Result<(Vec<MethodCheck>, Verification)> {
    let t0 = std::time::Instant::now();
    let mut checks = Vec::new();
    let mut verification = None;
    let of = PlanMethod::ALL.len() as u32;
    for (done, &method) in PlanMethod::ALL.iter().enumerate() {
        ctx.step(super::PlanStep::Verifying {
            done: done as u32,
            of,
        })?;
        let staffing: Vec<Vec<u32>> = pools.iter().map(|p| method.staffing(p).clone()).collect();
        let m = ctx.staffed_model(model, &staffing);
        let (meas, outcome) = measure(ctx, &m, reps, seed)?;
        let (missed, significant) = judged(ctx, &meas);
        let agg = &outcome.aggregates[0][0];
        let none = Estimate {
            mean: None,
            ci95: None,
        };
        let service_level = agg.get(HumanMetric::ServiceLevel).unwrap_or(none);
        if method == PlanMethod::Plan {
            let paid_hours: f64 = pools.iter().map(|p| p.roster.paid_hours).sum();
            let paid_cost = model.costs.as_ref().map(|c| {
                let weighted: f64 = pools
                    .iter()
                    .map(|p| {
                        if p.roster.objective > 0.0 {
                            p.roster.objective
                        } else {
                            p.roster.paid_hours
                        }
                    })
                    .sum();
                (weighted * c.agent_hour, c.currency.clone())
            });
            verification = Some(Verification {
                seed,
                replications: reps,
                service_level,
                abandon_rate: agg.get(HumanMetric::AbandonRate).unwrap_or(none),
                agent_hours_on_duty: agg.get(TotalMetric::AgentHours).unwrap_or(none),
                paid_hours,
                paid_cost,
                simulated_cost: agg.get(TotalMetric::CostTotal),
                day_meet_share: agg.get(TotalMetric::DaysMeetShare),
                met: missed.is_empty(),
                met_within_noise: significant.is_empty(),
                scenario: None,
                wall_s: 0.0,
            });
        }
        checks.push(MethodCheck {
            method,
            sl: meas.sl,
            offered: meas.offered,
            agent_hours: ctx.agent_hours(&staffing),
            missed,
            significant,
            service_level,
        });
    }
    let mut v = verification.expect("the plan is verified");
    v.scenario = Some(scenario_check(ctx, model, pools, seed, reps)?);
    v.wall_s = t0.elapsed().as_secs_f64();
    Ok((checks, v))
}

/// `(planned pool, counted interval)` cells.
type Cells = Vec<(usize, usize)>;

/// Judges `meas` by the verdict rule: `(missed, beyond the noise)`.
fn judged(ctx: &PlanContext, meas: &super::Measured) -> (Cells, Cells) {
    let (mut missed, mut significant) = (Vec::new(), Vec::new());
    for (k, row) in meas.sl.iter().enumerate() {
        for (j, mo) in row.iter().enumerate() {
            let Some(v) = mo.mean() else { continue };
            match ctx.rule().judge(meas.offered[k][j], v, mo.ci95()) {
                Some(Shortfall::BeyondNoise) => {
                    missed.push((k, j));
                    significant.push((k, j));
                }
                Some(Shortfall::WithinNoise) => missed.push((k, j)),
                None => {}
            }
        }
    }
    (missed, significant)
}

/// Re-simulates the scenario's own staffing of the planned pools as the methods are.
fn scenario_check(
    ctx: &PlanContext,
    model: &Model,
    pools: &[PoolPlan],
    seed: u64,
    reps: u32,
) -> anyhow::Result<ScenarioCheck> {
    let g = &ctx.grid;
    let cal = &model.run.calendar;
    let staffing: Vec<Vec<u32>> = pools
        .iter()
        .map(|p| {
            (0..g.len)
                .map(|i| {
                    let mid = g.start(i) + g.length(i) / 2.0;
                    model.pools[p.pool].staffing.headcount(cal, mid)
                })
                .collect()
        })
        .collect();
    let m = ctx.staffed_model(model, &staffing);
    let (meas, outcome) = measure(ctx, &m, reps, seed)?;
    let (missed, significant) = judged(ctx, &meas);
    let paid_hours: f64 = pools
        .iter()
        .zip(&staffing)
        .map(|(p, s)| {
            (0..g.len)
                .map(|i| s[i] as f64 * g.length(i) / 3600.0 / (1.0 - p.shrinkage[i]).max(1e-9))
                .sum::<f64>()
        })
        .sum();
    let check = MethodCheck {
        method: PlanMethod::Plan,
        sl: meas.sl,
        offered: meas.offered,
        agent_hours: 0.0,
        missed: Vec::new(),
        significant: Vec::new(),
        service_level: Estimate {
            mean: None,
            ci95: None,
        },
    };
    Ok(ScenarioCheck {
        agent_hours: ctx.agent_hours(&staffing),
        paid_hours,
        paid_cost: model
            .costs
            .as_ref()
            .map(|c| (paid_hours * c.agent_hour, c.currency.clone())),
        service_level: outcome.aggregates[0][0]
            .get(HumanMetric::ServiceLevel)
            .unwrap_or(check.service_level),
        lowest: check.lowest(),
        missed: missed.len(),
        significant: significant.len(),
        staffing,
    })
}
