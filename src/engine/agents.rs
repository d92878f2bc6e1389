//! The agents of one pool. Active agents sit in buckets by number of free chat slots, so the
//! agent with the most free slots is found in O(1); agents leaving at a headcount drop finish
//! their chats and take no new ones.

/// Index of an agent within its pool.
pub type AgentId = u32;

#[derive(Debug, Clone, Default)]
struct Agent {
    busy: u16,
    leaving: bool,
    /// Position in `buckets[free slots]` while active.
    pos: u32,
}

/// Runtime state of a pool's agents.
#[derive(Debug, Clone)]
pub struct PoolAgents {
    concurrency: u16,
    agents: Vec<Agent>,
    recycled: Vec<AgentId>,
    /// `buckets[f]`: active agents with `f` free slots.
    buckets: Vec<Vec<AgentId>>,
    /// Agents on duty taking chats (the headcount).
    active: u32,
    /// Busy slots of all agents, leaving ones included.
    busy_slots: u32,
    /// Busy slots of agents who are leaving.
    leaving_busy: u32,
}

impl PoolAgents {
    pub fn new(concurrency: u32) -> Self {
        let k = concurrency.clamp(1, u16::MAX as u32) as u16;
        PoolAgents {
            concurrency: k,
            agents: Vec::new(),
            recycled: Vec::new(),
            buckets: vec![Vec::new(); k as usize + 1],
            active: 0,
            busy_slots: 0,
            leaving_busy: 0,
        }
    }

    /// Agents on duty taking chats.
    pub fn active(&self) -> u32 {
        self.active
    }

    pub fn busy_slots(&self) -> u32 {
        self.busy_slots
    }

    /// Chat slots on duty: all slots of active agents plus the held slots of leaving ones.
    pub fn on_duty_slots(&self) -> u32 {
        self.active * self.concurrency as u32 + self.leaving_busy
    }

    fn bucket_insert(&mut self, id: AgentId) {
        let free = (self.concurrency - self.agents[id as usize].busy) as usize;
        self.agents[id as usize].pos = self.buckets[free].len() as u32;
        self.buckets[free].push(id);
    }

    fn bucket_remove(&mut self, id: AgentId) {
        let free = (self.concurrency - self.agents[id as usize].busy) as usize;
        let pos = self.agents[id as usize].pos as usize;
        let bucket = &mut self.buckets[free];
        bucket.swap_remove(pos);
        if let Some(&moved) = bucket.get(pos) {
            self.agents[moved as usize].pos = pos as u32;
        }
    }

    /// The active agent with the most free slots, if any has one.
    #[inline]
    pub fn most_free(&self) -> Option<AgentId> {
        self.buckets[1..]
            .iter()
            .rev()
            .find_map(|b| b.last().copied())
    }

    /// Gives `id` one more chat; returns how many it held before.
    #[inline]
    pub fn occupy(&mut self, id: AgentId) -> u32 {
        let k = self.concurrency;
        let a = &mut self.agents[id as usize];
        let (held, pos) = (a.busy, a.pos as usize);
        a.busy = held + 1;
        let from = (k - held) as usize;
        // `most_free` hands out the last agent of its bucket: then no other agent moves.
        let bucket = &mut self.buckets[from];
        bucket.swap_remove(pos);
        if let Some(&moved) = bucket.get(pos) {
            self.agents[moved as usize].pos = pos as u32;
        }
        let to = &mut self.buckets[from - 1];
        self.agents[id as usize].pos = to.len() as u32;
        to.push(id);
        self.busy_slots += 1;
        held as u32
    }

    /// Ends one of `id`'s chats; returns true when the agent is active and so has a free slot.
    #[inline]
    pub fn release(&mut self, id: AgentId) -> bool {
        self.busy_slots -= 1;
        let k = self.concurrency;
        let a = &mut self.agents[id as usize];
        if a.leaving {
            self.leaving_busy -= 1;
            a.busy -= 1;
            if a.busy == 0 {
                self.recycled.push(id);
            }
            return false;
        }
        let (busy, pos) = (a.busy, a.pos as usize);
        a.busy = busy - 1;
        let from = (k - busy) as usize;
        let bucket = &mut self.buckets[from];
        bucket.swap_remove(pos);
        if let Some(&moved) = bucket.get(pos) {
            self.agents[moved as usize].pos = pos as u32;
        }
        let to = &mut self.buckets[from + 1];
        self.agents[id as usize].pos = to.len() as u32;
        to.push(id);
        true
    }

    /// Brings the number of active agents to `n`: new agents log in idle; when it falls, the
    /// agents with the most free slots leave first (idle ones at once).
    pub fn set_headcount(&mut self, n: u32) {
        while self.active < n {
            let id = match self.recycled.pop() {
                Some(id) => {
                    self.agents[id as usize] = Agent::default();
                    id
                }
                None => {
                    self.agents.push(Agent::default());
                    (self.agents.len() - 1) as AgentId
                }
            };
            self.bucket_insert(id);
            self.active += 1;
        }
        while self.active > n {
            let id = self
                .buckets
                .iter()
                .rev()
                .find_map(|b| b.last().copied())
                .expect("an active agent exists");
            self.bucket_remove(id);
            self.active -= 1;
            let a = &mut self.agents[id as usize];
            if a.busy == 0 {
                self.recycled.push(id);
            } else {
                a.leaving = true;
                self.leaving_busy += a.busy as u32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_free_and_leaving() {
        let mut p = PoolAgents::new(2);
        p.set_headcount(2);
        let a = p.most_free().unwrap();
        assert_eq!(p.occupy(a), 0);
        let b = p.most_free().unwrap();
        assert_ne!(a, b, "the idle agent has more free slots");
        assert_eq!(p.occupy(b), 0);
        assert_eq!(p.occupy(p.most_free().unwrap()), 1);
        // Drop to one agent: the one with a free slot leaves... unless both are equal; here
        // one agent holds 2 (no free slot), the other 1: the latter leaves, finishing its chat.
        p.set_headcount(1);
        assert_eq!(p.active(), 1);
        assert_eq!(p.on_duty_slots(), 2 + 1);
        assert_eq!(p.busy_slots(), 3);
        assert!(p.most_free().is_none());
        // Identify the leaving agent: the one with busy 1.
        let leaving = if p.agents[a as usize].leaving { a } else { b };
        assert!(!p.release(leaving));
        assert_eq!(p.on_duty_slots(), 2);
        p.set_headcount(2);
        assert_eq!(p.active(), 2);
        assert_eq!(
            p.most_free(),
            Some(leaving),
            "the slot is reused for a new agent"
        );
    }
}
