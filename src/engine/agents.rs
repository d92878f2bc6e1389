//! The agents of one pool. Active agents with a free chat slot sit in buckets by number of
//! free slots, so the agent with the most free slots is found in O(1); agents leaving at a
//! headcount drop finish their chats and take no new ones.
//!
//! Fully busy agents are in no bucket: nothing looks for them except a headcount drop while
//! every agent is busy, which finds them by a scan. (Keeping them in a bucket cost a
//! `swap_remove` at a random position, and a dependent load, on every chat end.)

/// Index of an agent within its pool.
pub(crate) type AgentId = u32;

#[derive(Debug, Clone, Default)]
struct Agent {
    busy: u16,
    leaving: bool,
    /// Active (taking chats): not leaving and not logged out. Read by the scanning policies.
    on_duty: bool,
    /// Position in `buckets[free slots]` while active with a free slot.
    pos: u32,
}

/// Runtime state of a pool's agents.
#[derive(Debug, Clone)]
pub(crate) struct PoolAgents {
    concurrency: u16,
    agents: Vec<Agent>,
    recycled: Vec<AgentId>,
    /// `buckets[f]`: active agents with `f ≥ 1` free slots (`buckets[0]` stays empty).
    buckets: Vec<Vec<AgentId>>,
    /// Agents on duty taking chats (the headcount).
    active: u32,
    /// Busy slots of all agents, leaving ones included.
    busy_slots: u32,
    /// Busy slots of agents who are leaving.
    leaving_busy: u32,
    /// Per agent, since when it has held no chat `[s]` (NaN: logged in, not stamped yet);
    /// kept only for the longest-idle policy (else empty).
    idle_since: Vec<f64>,
    track_idle: bool,
    /// The agent the round-robin policy chose last (`None`: start from agent 0).
    turn: Option<AgentId>,
}

impl PoolAgents {
    pub(crate) fn new(concurrency: u32) -> Self {
        let k = concurrency.clamp(1, u16::MAX as u32) as u16;
        PoolAgents {
            concurrency: k,
            agents: Vec::new(),
            recycled: Vec::new(),
            buckets: vec![Vec::new(); k as usize + 1],
            active: 0,
            busy_slots: 0,
            leaving_busy: 0,
            idle_since: Vec::new(),
            track_idle: false,
            turn: None,
        }
    }

    /// Keeps, from now on, since when each agent is idle (the longest-idle policy).
    pub(crate) fn track_idle(&mut self) {
        self.track_idle = true;
        self.idle_since = vec![f64::NAN; self.agents.len()];
    }

    /// Agent `id`'s free slots (0 when it is not on duty).
    #[inline]
    pub(crate) fn free_slots(&self, id: AgentId) -> u32 {
        let a = &self.agents[id as usize];
        if a.on_duty {
            (self.concurrency - a.busy) as u32
        } else {
            0
        }
    }

    /// Chats agent `id` holds.
    #[inline]
    pub(crate) fn open_chats(&self, id: AgentId) -> u32 {
        self.agents[id as usize].busy as u32
    }

    /// Chat slots of one agent.
    pub(crate) fn concurrency(&self) -> u32 {
        self.concurrency as u32
    }

    /// Agent ids ever used in this pool (on duty or not): `0..agent_slots()`.
    pub(crate) fn agent_slots(&self) -> u32 {
        self.agents.len() as u32
    }

    /// Stamps agents who logged in since the last call as idle from `now`.
    pub(crate) fn stamp_logins(&mut self, now: f64) {
        for t in self.idle_since.iter_mut().filter(|t| t.is_nan()) {
            *t = now;
        }
    }

    /// Notes that agent `id` holds no chat from `now` (when idle times are kept).
    #[inline]
    pub(crate) fn note_idle(&mut self, id: AgentId, now: f64) {
        if self.track_idle && self.agents[id as usize].busy == 0 {
            self.idle_since[id as usize] = now;
        }
    }

    /// The on-duty agent without a chat idle the longest (lowest id on ties), if any.
    pub(crate) fn longest_idle(&self) -> Option<(AgentId, f64)> {
        let mut best: Option<(AgentId, f64)> = None;
        for (id, a) in self.agents.iter().enumerate() {
            if a.on_duty && a.busy == 0 {
                let t = self.idle_since[id];
                if best.is_none_or(|(_, b)| t < b) {
                    best = Some((id as AgentId, t));
                }
            }
        }
        best
    }

    /// The next on-duty agent with a free slot after the one chosen last (round robin);
    /// the turn moves to it.
    pub(crate) fn next_in_turn(&mut self) -> Option<AgentId> {
        let n = self.agents.len() as u32;
        let start = self.turn.map_or(0, |t| t + 1);
        for step in 0..n {
            let id = (start + step) % n;
            if self.free_slots(id) > 0 {
                self.turn = Some(id);
                return Some(id);
            }
        }
        None
    }

    /// Agents on duty taking chats.
    pub(crate) fn active(&self) -> u32 {
        self.active
    }

    pub(crate) fn busy_slots(&self) -> u32 {
        self.busy_slots
    }

    /// Chat slots on duty: all slots of active agents plus the held slots of leaving ones.
    pub(crate) fn on_duty_slots(&self) -> u32 {
        self.active * self.concurrency as u32 + self.leaving_busy
    }

    /// Puts active agent `id` in the bucket of its free slots (none when it has none).
    #[inline]
    fn bucket_insert(&mut self, id: AgentId) {
        let free = (self.concurrency - self.agents[id as usize].busy) as usize;
        if free > 0 {
            self.agents[id as usize].pos = self.buckets[free].len() as u32;
            self.buckets[free].push(id);
        }
    }

    /// Takes active agent `id` out of its bucket (if it is in one).
    #[inline]
    fn bucket_remove(&mut self, id: AgentId) {
        let free = (self.concurrency - self.agents[id as usize].busy) as usize;
        if free == 0 {
            return;
        }
        let pos = self.agents[id as usize].pos as usize;
        let bucket = &mut self.buckets[free];
        bucket.swap_remove(pos);
        if let Some(&moved) = bucket.get(pos) {
            self.agents[moved as usize].pos = pos as u32;
        }
    }

    /// The active agent with the most free slots, if any has one.
    #[inline]
    pub(crate) fn most_free(&self) -> Option<AgentId> {
        // One chat per agent is the common case: its one bucket, without the loop.
        if let [_, free] = self.buckets.as_slice() {
            return free.last().copied();
        }
        self.buckets[1..]
            .iter()
            .rev()
            .find_map(|b| b.last().copied())
    }

    /// Gives `id` one more chat; returns how many it held before.
    #[inline]
    pub(crate) fn occupy(&mut self, id: AgentId) -> u32 {
        let held = self.agents[id as usize].busy;
        // `most_free` hands out the last agent of its bucket: then no other agent moves.
        self.bucket_remove(id);
        self.agents[id as usize].busy = held + 1;
        self.bucket_insert(id);
        self.busy_slots += 1;
        held as u32
    }

    /// Ends one of `id`'s chats; returns true when the agent is active and so has a free slot.
    #[inline]
    pub(crate) fn release(&mut self, id: AgentId) -> bool {
        self.busy_slots -= 1;
        let a = &mut self.agents[id as usize];
        if a.leaving {
            self.leaving_busy -= 1;
            a.busy -= 1;
            if a.busy == 0 {
                self.recycled.push(id);
            }
            return false;
        }
        self.bucket_remove(id);
        self.agents[id as usize].busy -= 1;
        self.bucket_insert(id);
        true
    }

    /// Brings the number of active agents to `n`: new agents log in idle; when it falls, the
    /// agents with the most free slots leave first (idle ones at once).
    pub(crate) fn set_headcount(&mut self, n: u32) {
        while self.active < n {
            let id = match self.recycled.pop() {
                Some(id) => {
                    self.agents[id as usize] = Agent::default();
                    id
                }
                None => {
                    self.agents.push(Agent::default());
                    if self.track_idle {
                        self.idle_since.push(f64::NAN);
                    }
                    (self.agents.len() - 1) as AgentId
                }
            };
            self.agents[id as usize].on_duty = true;
            if self.track_idle {
                self.idle_since[id as usize] = f64::NAN;
            }
            self.bucket_insert(id);
            self.active += 1;
        }
        // Fully busy agents are in no bucket: when they must leave, the highest-numbered go
        // first, found by one downward scan.
        let mut scan = self.agents.len();
        while self.active > n {
            let id = match self.most_free() {
                Some(id) => id,
                None => loop {
                    scan -= 1;
                    let a = &self.agents[scan];
                    if a.busy == self.concurrency && !a.leaving {
                        break scan as AgentId;
                    }
                },
            };
            self.bucket_remove(id);
            self.active -= 1;
            let a = &mut self.agents[id as usize];
            a.on_duty = false;
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

    #[test]
    fn fully_busy_agents_leave_highest_first_when_none_is_free() {
        let mut p = PoolAgents::new(1);
        p.set_headcount(4);
        while let Some(a) = p.most_free() {
            p.occupy(a);
        }
        assert_eq!(p.busy_slots(), 4);
        p.set_headcount(2);
        assert_eq!(p.active(), 2);
        assert_eq!(p.on_duty_slots(), 2 + 2, "leaving agents keep their chats");
        let leaving: Vec<bool> = p.agents.iter().map(|a| a.leaving).collect();
        assert_eq!(leaving, [false, false, true, true]);
        // A staying agent's chat ends: its slot is free again; a leaving one's is not.
        assert!(p.release(1));
        assert_eq!(p.most_free(), Some(1));
        assert!(!p.release(3));
        assert_eq!(p.on_duty_slots(), 2 + 1);
        // Another drop while agent 1 is free: it leaves at once, then agent 0 (busy) stays.
        p.set_headcount(1);
        assert_eq!(p.active(), 1);
        assert!(p.most_free().is_none());
        assert!(!p.agents[0].leaving);
    }

    #[test]
    fn round_robin_and_longest_idle_skip_agents_off_duty() {
        let mut p = PoolAgents::new(1);
        p.track_idle();
        p.set_headcount(3);
        p.stamp_logins(5.0);
        assert_eq!(p.longest_idle(), Some((0, 5.0)), "ties: lowest index");
        assert_eq!(p.next_in_turn(), Some(0));
        p.occupy(0);
        assert_eq!(p.next_in_turn(), Some(1));
        assert_eq!(p.next_in_turn(), Some(2));
        assert_eq!(p.next_in_turn(), Some(1), "agent 0 is busy: skipped");
        // Agent 0 frees at 20, 2 has been idle since 5; agent 1 logs out.
        assert!(p.release(0));
        p.note_idle(0, 20.0);
        p.set_headcount(2);
        let on_duty: Vec<u32> = (0..3).filter(|&a| p.free_slots(a) > 0).collect();
        assert_eq!(on_duty.len(), 2);
        let gone = (0..3).find(|a| !on_duty.contains(a)).unwrap();
        let (idle, since) = p.longest_idle().unwrap();
        assert_ne!(idle, gone);
        assert!(since <= 20.0);
        for _ in 0..4 {
            assert_ne!(p.next_in_turn(), Some(gone));
        }
    }
}
