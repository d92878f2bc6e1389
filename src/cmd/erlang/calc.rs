//! The planner's calculator behind `kefu erlang`: one stationary interval staffed by Erlang C
//! (nobody abandons) or Erlang A (exponential patience), with kefu's chat concurrency (an
//! agent holds `concurrency` chat slots, each chat slowed by `slowdown` per other chat held),
//! shrinkage (paid = ⌈productive / (1 − shrinkage)⌉) and a maximum occupancy.
//!
//! Concurrency is modelled as the planner does: the chat slots are the servers. The handle
//! time of a slot is taken at full concurrency, `handle × (1 + slowdown × (K − 1))`: an upper
//! bound on the simulator's (which stretches by the chats held at pickup), so the answer errs
//! towards more agents.

use crate::erlang::{ErlangA, ErlangC};
use thiserror::Error;

/// One interval's inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Contacts reaching agents `[1/s]`.
    pub rate_per_s: f64,
    /// Mean handle time of a chat handled alone `[s]`.
    pub handle_s: f64,
    /// Mean patience `[s]`: Erlang A; `None`: Erlang C.
    pub patience_s: Option<f64>,
    pub concurrency: u32,
    /// Handle-time stretch per other chat held (the pool's `concurrency_slowdown`).
    pub slowdown: f64,
}

/// The service goal and the staffing rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    pub answer_within_s: f64,
    pub service_level: f64,
    /// Share of paid time not available for chats, in `[0, 1)`.
    pub shrinkage: f64,
    /// The highest slot occupancy allowed, in `(0, 1]`.
    pub max_occupancy: Option<f64>,
}

/// What a headcount achieves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Productive agents (on duty, taking chats).
    pub agents: u32,
    /// Paid agents: `agents` grossed up by shrinkage.
    pub paid: u32,
    pub slots: u32,
    /// Answered within the threshold / offered.
    pub service_level: f64,
    pub occupancy: f64,
    pub prob_wait: f64,
    /// Abandoned / offered (Erlang A), else 0.
    pub abandon: f64,
    /// Mean wait of answered contacts `[s]`.
    pub mean_wait_s: f64,
}

/// A load the calculator cannot staff.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CalcError {
    /// Erlang C with the offered load at or above the slots: the queue grows without bound.
    #[error("{erlangs:.1} Erlangs offered to {agents} agent(s){slots}: the queue grows without bound (at least {needed} agents are needed just to keep up)", slots = if *concurrency > 1 { format!(" × {concurrency} chats ({} slots)", agents * concurrency) } else { String::new() })]
    Unstable {
        erlangs: f64,
        agents: u32,
        concurrency: u32,
        needed: u32,
    },
    /// No headcount up to the search bound meets the goal.
    #[error("no headcount up to {0} slots meets the goal")]
    Unreachable(u32),
}

impl Interval {
    /// Mean handle time of a slot `[s]` (at full concurrency).
    pub fn slot_handle_s(&self) -> f64 {
        self.handle_s * (1.0 + self.slowdown * (self.concurrency.max(1) - 1) as f64)
    }

    /// Offered load in Erlangs (slot-busy time per unit time).
    pub fn erlangs(&self) -> f64 {
        self.rate_per_s * self.slot_handle_s()
    }

    /// What `agents` productive agents achieve against `goal`.
    pub fn evaluate(&self, goal: &Goal, agents: u32) -> Result<Outcome, CalcError> {
        let k = self.concurrency.max(1);
        let slots = agents.saturating_mul(k);
        let h = self.slot_handle_s();
        let (service_level, occupancy, prob_wait, abandon, mean_wait_s) = match self.patience_s {
            None => {
                let q = ErlangC::new(self.rate_per_s, h, slots);
                if self.rate_per_s > 0.0 && !q.is_stable() {
                    return Err(CalcError::Unstable {
                        erlangs: self.erlangs(),
                        agents,
                        concurrency: k,
                        needed: (self.erlangs() / k as f64).floor() as u32 + 1,
                    });
                }
                (
                    q.service_level(goal.answer_within_s),
                    q.utilisation(),
                    q.prob_wait(),
                    0.0,
                    // Everyone is answered: the mean wait of answered contacts.
                    q.mean_wait_s(),
                )
            }
            Some(p) => {
                let q = ErlangA::new(self.rate_per_s, h, p, slots);
                (
                    q.service_level(goal.answer_within_s),
                    q.utilisation(),
                    q.prob_wait(),
                    q.abandon_prob(),
                    q.mean_wait_served_s(),
                )
            }
        };
        Ok(Outcome {
            agents,
            paid: paid_agents(agents, goal.shrinkage),
            slots,
            service_level,
            occupancy,
            prob_wait,
            abandon,
            mean_wait_s,
        })
    }

    /// The fewest productive agents meeting the service level and the occupancy cap.
    pub fn required(&self, goal: &Goal) -> Result<Outcome, CalcError> {
        let k = self.concurrency.max(1);
        if self.rate_per_s <= 0.0 {
            return self.evaluate(goal, 0);
        }
        let slots = match self.patience_s {
            None => ErlangC::servers_for_service_level(
                self.rate_per_s,
                self.slot_handle_s(),
                goal.answer_within_s,
                goal.service_level,
            ),
            Some(p) => ErlangA::servers_for_service_level(
                self.rate_per_s,
                self.slot_handle_s(),
                p,
                goal.answer_within_s,
                goal.service_level,
            ),
        }
        .ok_or(CalcError::Unreachable(crate::erlang::MAX_SERVERS))?;
        let mut agents = slots.div_ceil(k);
        // The occupancy cap: add agents until the slots are no busier than allowed.
        if let Some(cap) = goal.max_occupancy {
            while self.evaluate(goal, agents)?.occupancy > cap + 1e-12 {
                agents += 1;
                if agents.saturating_mul(k) > crate::erlang::MAX_SERVERS {
                    return Err(CalcError::Unreachable(crate::erlang::MAX_SERVERS));
                }
            }
        }
        self.evaluate(goal, agents)
    }
}

/// Paid agents for `productive` ones at `shrinkage`: ⌈productive / (1 − shrinkage)⌉ (a tiny
/// tolerance so that 14 / 0.7 is 20, not 21).
pub fn paid_agents(productive: u32, shrinkage: f64) -> u32 {
    let gross = productive as f64 / (1.0 - shrinkage);
    (gross - 1e-9).ceil().max(0.0) as u32
}

#[cfg(test)]
mod tests;
