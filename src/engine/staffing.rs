//! Staffing: scheduled headcount changes, and applying a pool's headcount (schedule plus
//! surge) to its agents.

use super::event::Event;
use super::rng::{chance, SimRng, Source};
use super::Engine;
use crate::model::time::DAY_S;

/// One pool's absence draws of the current day: `present[i]` is how many of agents 0..=i
/// turned up.
pub(super) struct AbsenceRoll {
    day: i64,
    rng: SimRng,
    present: Vec<u32>,
}

impl AbsenceRoll {
    pub(super) fn new() -> Self {
        use rand::SeedableRng;
        AbsenceRoll {
            day: i64::MIN,
            rng: SimRng::seed_from_u64(0),
            present: Vec::new(),
        }
    }
}

impl Engine<'_> {
    /// Adds the absent agent-time since the last change, inside the counted horizon.
    pub(super) fn count_absence(&mut self, until: f64) {
        let (from, to) = (self.m.run.counted_from, self.m.run.counted_to);
        let span = until.min(to) - self.absence_since.max(from);
        if span > 0.0 {
            let absent: u32 = self.absent_now.iter().sum();
            self.stats.absent_agent_seconds += absent as f64 * span;
        }
        self.absence_since = self.absence_since.max(until);
    }

    /// How many of the first `scheduled` agents of `pool` turned up today. Agent `i` of a
    /// day is absent with the pool's `absence` probability for the whole day, drawn from the
    /// (pool, day) stream in agent order: a larger schedule keeps the same absentees among
    /// its first agents (common random numbers across staffing changes).
    fn present(&mut self, pool: usize, scheduled: u32) -> u32 {
        let p = self.m.pools[pool].absence;
        if p <= 0.0 || scheduled == 0 {
            return scheduled;
        }
        let cal = &self.m.run.calendar;
        let midnight = cal.midnight_before(self.now);
        let day = (cal.epoch_s(midnight) / DAY_S).round() as i64;
        let pools = self.m.pools.len() as i64;
        let roll = &mut self.absent[pool];
        if roll.day != day {
            roll.day = day;
            roll.rng = self
                .streams
                .indexed(Source::Absence, day * pools + pool as i64);
            roll.present.clear();
        }
        while roll.present.len() < scheduled as usize {
            let here = !chance(&mut roll.rng, p);
            let before = roll.present.last().copied().unwrap_or(0);
            roll.present.push(before + here as u32);
        }
        let present = roll.present[scheduled as usize - 1];
        self.absent_now[pool] = scheduled - present;
        present
    }

    /// A pool's scheduled headcount may change now: applies it and schedules the next change.
    pub(super) fn staffing_change(&mut self, pool: usize) {
        self.apply_headcount(pool);
        let cal = &self.m.run.calendar;
        let mut next = self.m.pools[pool].staffing.next_change(cal, self.now);
        if self.m.pools[pool].absence > 0.0 {
            // Who is absent changes at midnight.
            let midnight = cal.midnight_before(self.now) + DAY_S;
            next = Some(next.map_or(midnight, |n| n.min(midnight)));
        }
        if let Some(next) = next {
            self.events
                .push(next, Event::StaffingChange { pool: pool as u16 });
        }
    }

    /// Sets `pool`'s headcount to its schedule's plus its surge agents; new agents take
    /// waiting work at once.
    pub(super) fn apply_headcount(&mut self, pool: usize) {
        let cal = &self.m.run.calendar;
        let scheduled = self.m.pools[pool].staffing.headcount(cal, self.now);
        self.count_absence(self.now);
        let target = self.present(pool, scheduled) + self.surge_extra[pool];
        let before = self.pools[pool].active();
        self.pools[pool].set_headcount(target);
        for i in 0..self.pool_skills[pool].len() {
            let skill = self.pool_skills[pool][i];
            self.skill_on_duty[skill] = self.skill_on_duty[skill] + target - before;
            if self.close_rule && self.skill_on_duty[skill] == 0 && before > target {
                self.skill_closed(skill);
            }
        }
        if target > before {
            self.fill_pool(pool);
        }
        self.levels = self.sum_levels();
    }
}
