//! The agent an arriving contact goes to under `[routing] policy` (the default, most free
//! slots in the first pool with one, stays inline in `human.rs`), and the category's order of
//! pools to try. Which waiting contact a freed slot takes is the waiting lines' business.

use super::agents::AgentId;
use super::rng::unit_f64;
use super::Engine;
use crate::model::{Model, RoutingPolicy};

/// Per category, the pools to try in order: `[routing] order` first, then the other pools
/// serving its skill in listed order.
pub(super) fn category_pools(m: &Model, skill_pools: &[Vec<usize>]) -> Vec<Vec<usize>> {
    m.categories
        .iter()
        .enumerate()
        .map(|(c, cat)| {
            let mut order: Vec<usize> =
                m.routing.category_pools.get(c).cloned().unwrap_or_default();
            for &p in &skill_pools[cat.skill] {
                if !order.contains(&p) {
                    order.push(p);
                }
            }
            order
        })
        .collect()
}

/// How good a free agent is under a scanning policy: lower is better; pool order, then
/// agent id, break ties.
fn score(policy: RoutingPolicy, free: u32, open: u32, concurrency: u32) -> f64 {
    match policy {
        RoutingPolicy::FewestOpen => open as f64,
        RoutingPolicy::FreeRatio => -(free as f64) / concurrency as f64,
        _ => -(free as f64),
    }
}

impl Engine<'_> {
    /// The free agent a contact of `category` goes to under a non-default policy (or the
    /// default one across pools), if any agent of its pools has a free slot.
    pub(super) fn choose_agent(&mut self, category: usize) -> Option<(usize, AgentId)> {
        let policy = self.m.routing.policy;
        let across = self.m.routing.across_pools;
        let order = &self.category_pools[category];
        match policy {
            RoutingPolicy::RoundRobin => order
                .iter()
                .find_map(|&p| self.pools[p].next_in_turn().map(|a| (p, a))),
            RoutingPolicy::Random => {
                self.candidates.clear();
                for &p in order {
                    let agents = &self.pools[p];
                    for a in 0..agents.agent_slots() {
                        if agents.free_slots(a) > 0 {
                            self.candidates.push((p, a));
                        }
                    }
                    if !across && !self.candidates.is_empty() {
                        break;
                    }
                }
                if self.candidates.is_empty() {
                    return None;
                }
                let u = unit_f64(&mut self.streams.routing);
                let k =
                    ((u * self.candidates.len() as f64) as usize).min(self.candidates.len() - 1);
                Some(self.candidates[k])
            }
            RoutingPolicy::LongestIdle => {
                // Inside a pool: the first pool with a free slot, as for every policy.
                let pools: &[usize] = if across {
                    order
                } else {
                    match order
                        .iter()
                        .position(|&p| self.pools[p].most_free().is_some())
                    {
                        Some(i) => &order[i..=i],
                        None => return None,
                    }
                };
                let idle = pools
                    .iter()
                    .filter_map(|&p| self.pools[p].longest_idle().map(|(a, t)| (p, a, t)))
                    .min_by(|x, y| x.2.total_cmp(&y.2))
                    .map(|(p, a, _)| (p, a));
                // Nobody idle: the agent with most free slots, as by default.
                idle.or_else(|| self.best_free(pools, RoutingPolicy::MostFree, across))
            }
            _ => self.best_free(order, policy, across),
        }
    }

    /// Within a pool every agent has the same concurrency, so its most-free agent is also its
    /// fewest-open and highest-ratio one: the policies differ only across pools.
    fn best_free(
        &self,
        order: &[usize],
        policy: RoutingPolicy,
        across: bool,
    ) -> Option<(usize, AgentId)> {
        let mut best: Option<(f64, usize, AgentId)> = None;
        for &p in order {
            let agents = &self.pools[p];
            let Some(a) = agents.most_free() else {
                continue;
            };
            if !across {
                return Some((p, a));
            }
            let s = score(
                policy,
                agents.free_slots(a),
                agents.open_chats(a),
                agents.concurrency(),
            );
            if best.is_none_or(|(b, _, _)| s < b) {
                best = Some((s, p, a));
            }
        }
        best.map(|(_, p, a)| (p, a))
    }
}
