//! Plans with a confidence: `kefu plan --confidence 0.8` staffs for the **quantile day**.
//!
//! With day busyness B (mean 1, `[arrivals] busyness`), the day's rate is B·λ(t). The
//! planner is run on the deterministic day whose busyness is the `q`-quantile b_q of B
//! (rate b_q·λ(t), no day factor; interval factors, absence and Poisson noise stay), so each
//! interval meets its goal on that day. The service level of a day falls as its busyness
//! rises, so every day with B ≤ b_q — a share q of them — is served at least as well as the
//! quantile day: P(day meets target) ≳ q, up to the noise inside a day, which the tuning's
//! per-interval margins cover. That claim is then checked, not assumed: the plan is
//! re-simulated on fresh seeds WITH the random busyness, and `days.meet_share` (the share
//! of simulated days meeting the target, with its CI over replications) is reported beside
//! the confidence asked for. See `docs/planning.md`.
//!
//! The alternative (a quantile of per-day requirements) needs a requirement per simulated
//! day, i.e. a tuning per day; staffing for the quantile day costs one tuning per confidence.

use super::{PlanError, PlanOptions, PlanResult};
use crate::model::Model;
use crate::stats::Estimate;

/// The confidences shown side by side in the plan report (the cost of certainty).
pub const LADDER: [f64; 3] = [0.5, 0.8, 0.95];

/// One confidence's plan, verified with random busyness on fresh seeds.
#[derive(Debug, Clone)]
pub struct ConfidencePlan {
    pub confidence: f64,
    /// The busyness of the quantile day it was staffed for.
    pub busyness: f64,
    /// Productive agent-hours of the planned pools as rostered (counted horizon).
    pub agent_hours: f64,
    /// Paid hours of the roster, and their cost (with `[costs]`).
    pub paid_hours: f64,
    pub paid_cost: Option<(f64, String)>,
    /// Verified: the share of simulated days meeting the target, and the overall level.
    pub day_meet_share: Option<Estimate>,
    pub service_level: Estimate,
}

/// What a plan with a confidence adds to its result.
#[derive(Debug, Clone)]
pub struct ConfidenceReport {
    /// The confidence asked for: the result's staffing is this one's.
    pub requested: f64,
    /// The plans at [`LADDER`] (and at `requested`), in increasing confidence.
    pub ladder: Vec<ConfidencePlan>,
}

/// `model` on its `q`-quantile day: every rate times b_q, no random day factor. Returns
/// the model and b_q.
pub fn quantile_day_model(model: &Model, q: f64) -> (Model, f64) {
    let mut m = model.clone();
    let Some(b) = m.arrivals.busyness else {
        return (m, 1.0);
    };
    let factor = b.day_quantile(q);
    m.arrivals.per_day *= factor;
    if let Some(f) = &mut m.arrivals.forecast {
        for row in &mut f.rows {
            row.2 *= factor;
        }
    }
    m.arrivals.busyness = b.interval.map(|interval| crate::model::Busyness {
        day: None,
        interval: Some(interval),
    });
    (m, factor)
}

/// Plans at confidence `requested` and at every [`LADDER`] confidence.
pub fn plan_with_confidence(
    model: &Model,
    opts: &PlanOptions,
    requested: f64,
) -> Result<PlanResult, PlanError> {
    if !(0.5..1.0).contains(&requested) {
        return Err(PlanError::Settings(format!(
            "the confidence must be in [0.5, 1), not {requested}"
        )));
    }
    // The verified model reports the days whatever its keys.
    let mut verified = model.clone();
    let mut planning = verified.planning.clone().unwrap_or_default();
    planning.confidence = Some(requested);
    verified.planning = Some(planning);
    let mut levels: Vec<f64> = LADDER.to_vec();
    if !levels.iter().any(|&q| (q - requested).abs() < 1e-9) {
        levels.push(requested);
        levels.sort_by(f64::total_cmp);
    }
    let t0 = std::time::Instant::now();
    let mut chosen = None;
    let mut ladder = Vec::new();
    for q in levels {
        let (tuned, factor) = quantile_day_model(&verified, q);
        let r = super::plan_once(&tuned, &verified, opts)?;
        let v = &r.verification;
        ladder.push(ConfidencePlan {
            confidence: q,
            busyness: factor,
            agent_hours: r.pools.iter().map(|p| planned_hours(&r, p)).sum(),
            paid_hours: v.paid_hours,
            paid_cost: v.paid_cost.clone(),
            day_meet_share: v.day_meet_share,
            service_level: v.service_level,
        });
        if (q - requested).abs() < 1e-9 {
            chosen = Some(r);
        }
    }
    let mut r = chosen.expect("the requested confidence is on the ladder");
    r.confidence = Some(ConfidenceReport { requested, ladder });
    r.wall_s = t0.elapsed().as_secs_f64();
    Ok(r)
}

/// Productive agent-hours of a pool's rostered plan over the counted horizon.
fn planned_hours(r: &PlanResult, p: &super::PoolPlan) -> f64 {
    let g = &r.grid;
    (g.counted_offset..g.len)
        .map(|i| p.planned[i] as f64 * g.length(i) / 3600.0)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Spread, SpreadShape};

    #[test]
    fn the_quantile_day_scales_every_rate_and_drops_the_day_factor() {
        let mut m = crate::scenario::load_str(
            crate::scenario::DEFAULT_SCENARIO,
            "d",
            std::path::Path::new("scenarios"),
        )
        .unwrap()
        .model;
        let (same, one) = quantile_day_model(&m, 0.8);
        assert_eq!(one, 1.0);
        assert_eq!(same.arrivals.per_day, m.arrivals.per_day);
        let interval = Spread {
            shape: SpreadShape::Gamma,
            cv: 0.05,
        };
        m.arrivals.busyness = Some(crate::model::Busyness {
            day: Some(Spread {
                shape: SpreadShape::Gamma,
                cv: 0.15,
            }),
            interval: Some(interval),
        });
        let (q, b) = quantile_day_model(&m, 0.8);
        assert!(b > 1.0 && b < 1.2, "{b}");
        let cal = &m.run.calendar;
        let t = m.run.counted_from + 12.0 * 3600.0;
        assert!((q.arrivals.rate(cal, t) - b * m.arrivals.rate(cal, t)).abs() < 1e-12);
        let left = q.arrivals.busyness.unwrap();
        assert_eq!((left.day, left.interval), (None, Some(interval)));
    }
}
