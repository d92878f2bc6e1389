//! Stationary independent period-by-period (SIPP) staffing: each interval staffed on its own
//! average load, as if it were in steady state, with Erlang C (nobody abandons) or Erlang A
//! (exponential patience with the interval's mean). Chat slots are the servers; an agent
//! holds `concurrency` slots.

use super::load::IntervalLoad;
use crate::erlang::{ErlangA, ErlangC};

/// What the period-by-period formulas need besides the load.
#[derive(Debug, Clone, Copy)]
pub struct Goal {
    pub answer_within_s: f64,
    pub service_level: f64,
    /// Chat slots per agent.
    pub concurrency: u32,
    pub min_agents: u32,
    pub max_occupancy: Option<f64>,
}

impl Goal {
    /// Agents that hold `slots` chat slots.
    pub fn agents_for_slots(&self, slots: u32) -> u32 {
        slots.div_ceil(self.concurrency.max(1))
    }

    /// The floor every method respects: `min_agents` and the occupancy cap.
    pub fn floor(&self, l: &IntervalLoad) -> u32 {
        let mut f = self.min_agents;
        if let Some(occ) = self.max_occupancy {
            let slots = (l.erlangs() / occ - 1e-9).ceil().max(0.0) as u32;
            f = f.max(self.agents_for_slots(slots));
        }
        f
    }
}

/// Erlang C requirement of one interval (agents).
pub fn erlang_c(l: &IntervalLoad, g: &Goal) -> u32 {
    if l.rate <= 0.0 || l.handle_s <= 0.0 {
        return g.floor(l);
    }
    let slots =
        ErlangC::servers_for_service_level(l.rate, l.handle_s, g.answer_within_s, g.service_level)
            .unwrap_or(crate::erlang::MAX_SERVERS);
    g.agents_for_slots(slots).max(g.floor(l))
}

/// Erlang A requirement of one interval (agents).
pub fn erlang_a(l: &IntervalLoad, g: &Goal) -> u32 {
    if l.rate <= 0.0 || l.handle_s <= 0.0 {
        return g.floor(l);
    }
    let slots = ErlangA::servers_for_service_level(
        l.rate,
        l.handle_s,
        l.patience_s,
        g.answer_within_s,
        g.service_level,
    )
    .unwrap_or(crate::erlang::MAX_SERVERS);
    g.agents_for_slots(slots).max(g.floor(l))
}

/// Erlang A service level of an interval with its rate scaled by `load_factor`, staffed by
/// `agents`.
pub fn erlang_a_sl(l: &IntervalLoad, g: &Goal, agents: u32, load_factor: f64) -> f64 {
    if l.rate <= 0.0 || l.handle_s <= 0.0 {
        return 1.0;
    }
    ErlangA::new(
        l.rate * load_factor,
        l.handle_s,
        l.patience_s,
        agents * g.concurrency.max(1),
    )
    .service_level(g.answer_within_s)
}

/// The load factor `f` at which Erlang A with `agents` gives the measured service level
/// `sl` (the largest such factor, so the calibration errs towards more load): this is how
/// the measured gap is turned into agents. Bisection on `ln f` in `[1/64, 64]`.
pub fn calibrate(l: &IntervalLoad, g: &Goal, agents: u32, sl: f64) -> f64 {
    if l.rate <= 0.0 || l.handle_s <= 0.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = ((1.0f64 / 64.0).ln(), 64.0f64.ln());
    if erlang_a_sl(l, g, agents, lo.exp()) < sl {
        return lo.exp();
    }
    if erlang_a_sl(l, g, agents, hi.exp()) >= sl {
        return hi.exp();
    }
    for _ in 0..30 {
        let mid = 0.5 * (lo + hi);
        if erlang_a_sl(l, g, agents, mid.exp()) >= sl {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-3 {
            break;
        }
    }
    lo.exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal() -> Goal {
        Goal {
            answer_within_s: 120.0,
            service_level: 0.9,
            concurrency: 1,
            min_agents: 1,
            max_occupancy: None,
        }
    }

    #[test]
    fn erlang_c_and_a_agree_with_the_toolkit() {
        let l = IntervalLoad {
            arrivals: 0.0,
            offered: 0.0,
            handle_s: 240.0,
            patience_s: f64::INFINITY,
            rate: 0.1,
        };
        let c = ErlangC::servers_for_service_level(0.1, 240.0, 120.0, 0.9).unwrap();
        assert_eq!(erlang_c(&l, &goal()), c);
        assert_eq!(erlang_a(&l, &goal()), c); // infinite patience: Erlang A is Erlang C
        let la = IntervalLoad {
            patience_s: 180.0,
            ..l
        };
        assert!(erlang_a(&la, &goal()) <= c);
        let mut g2 = goal();
        g2.concurrency = 3;
        assert_eq!(erlang_c(&l, &g2), c.div_ceil(3));
        g2.max_occupancy = Some(0.5);
        assert_eq!(erlang_c(&l, &g2), (24.0f64 / 0.5 / 3.0).ceil() as u32);
    }

    #[test]
    fn calibration_inverts_the_service_level() {
        let l = IntervalLoad {
            arrivals: 0.0,
            offered: 0.0,
            handle_s: 240.0,
            patience_s: 300.0,
            rate: 0.1,
        };
        let g = goal();
        let sl = erlang_a_sl(&l, &g, 26, 1.3);
        let f = calibrate(&l, &g, 26, sl);
        assert!((f - 1.3).abs() < 0.01, "{f}");
    }
}
