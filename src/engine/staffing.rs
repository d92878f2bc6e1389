//! Staffing: scheduled headcount changes, and applying a pool's headcount (schedule plus
//! surge) to its agents.

use super::event::Event;
use super::Engine;

impl Engine<'_> {
    /// A pool's scheduled headcount may change now: applies it and schedules the next change.
    pub(super) fn staffing_change(&mut self, pool: usize) {
        self.apply_headcount(pool);
        let cal = &self.m.run.calendar;
        if let Some(next) = self.m.pools[pool].staffing.next_change(cal, self.now) {
            self.events
                .push(next, Event::StaffingChange { pool: pool as u16 });
        }
    }

    /// Sets `pool`'s headcount to its schedule's plus its surge agents; new agents take
    /// waiting work at once.
    pub(super) fn apply_headcount(&mut self, pool: usize) {
        let cal = &self.m.run.calendar;
        let target = self.m.pools[pool].staffing.headcount(cal, self.now) + self.surge_extra[pool];
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
