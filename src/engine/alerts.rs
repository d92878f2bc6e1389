//! The number waiting, queue alerts and surge: an alert episode calls on-call agents in,
//! its end starts their release timers.

use super::event::Event;
use super::recorder::AlertChange;
use super::{Engine, SurgeState};

impl Engine<'_> {
    /// Applies a change of the number waiting: the interval's maximum, alerts and surges
    /// (forced inline, see [`schedule_next_arrival`](Self::schedule_next_arrival)).
    #[inline(always)]
    pub(super) fn change_waiting(&mut self, delta: i32) {
        let n = (self.rec.waiting() as i64 + delta as i64) as u32;
        let change = self
            .rec
            .set_waiting(self.now, n, &mut self.stats, &mut self.win);
        if change != AlertChange::None {
            self.alert_changed(change);
        }
    }

    /// Calls surge agents in when an alert starts, or starts their release timers when it ends.
    #[cold]
    pub(super) fn alert_changed(&mut self, change: AlertChange) {
        match change {
            AlertChange::None => {}
            AlertChange::Started => {
                self.alert_episode += 1;
                for (i, s) in self.m.surges.iter().enumerate() {
                    if self.surge_state[i] == SurgeState::Idle {
                        let ev = Event::SurgeCall {
                            surge: i as u16,
                            episode: self.alert_episode,
                        };
                        self.events.push(self.now + s.after_s, ev);
                    }
                }
            }
            AlertChange::Ended => {
                for (i, s) in self.m.surges.iter().enumerate() {
                    if self.surge_state[i] == SurgeState::Present {
                        let ev = Event::SurgeRelease {
                            surge: i as u16,
                            calm_since: self.alert_episode,
                        };
                        self.events.push(self.now + s.release_after_s, ev);
                    }
                }
            }
        }
    }

    pub(super) fn surge_call(&mut self, surge: usize, episode: u64) {
        if self.rec.alert_on()
            && self.alert_episode == episode
            && self.surge_state[surge] == SurgeState::Idle
        {
            self.surge_state[surge] = SurgeState::Called;
            if self.now >= self.m.run.counted_from && self.now < self.m.run.counted_to {
                self.stats.surge_call_ins += 1;
            }
            self.events.push(
                self.now + self.m.surges[surge].join_delay_s,
                Event::SurgeJoin {
                    surge: surge as u16,
                },
            );
        }
    }

    pub(super) fn surge_join(&mut self, surge: usize) {
        let s = &self.m.surges[surge];
        self.surge_state[surge] = SurgeState::Present;
        self.surge_extra[s.pool] += s.agents;
        self.apply_headcount(s.pool);
        if !self.rec.alert_on() {
            let ev = Event::SurgeRelease {
                surge: surge as u16,
                calm_since: self.alert_episode,
            };
            self.events.push(self.now + s.release_after_s, ev);
        }
    }

    pub(super) fn surge_release(&mut self, surge: usize, calm_since: u64) {
        let calm = !self.rec.alert_on() && self.alert_episode == calm_since;
        if calm && self.surge_state[surge] == SurgeState::Present {
            let s = &self.m.surges[surge];
            self.surge_state[surge] = SurgeState::Idle;
            self.surge_extra[s.pool] -= s.agents;
            self.apply_headcount(s.pool);
        }
    }
}
