//! The human stage: routing to the pool and agent (section 2.4 of the contract), waiting
//! lines, chats, patience, tickets, silent abandonment and the per-contact trace.

use super::agents::AgentId;
use super::contact::{ContactId, Stage};
use super::event::Event;
use super::rng::{chance, contact_stream, Source};
use super::trace::{Outcome, TraceRow};
use super::{cell, Engine};
use crate::model::TakeOrder;

impl Engine<'_> {
    /// Sums the cells into the classes of [`RepStats`]: all contacts, categories, priorities
    /// (per interval: see [`IntervalWindow`]).
    pub(super) fn fold_cells(&mut self) {
        let s = &mut self.stats;
        let k = s.by_category.len();
        for (cat, h) in s.by_category.iter_mut().enumerate() {
            h.merge(&self.cells[2 * cat]);
            h.merge(&self.cells[2 * cat + 1]);
        }
        for (p, h) in s.by_priority.iter_mut().enumerate() {
            for cat in 0..k {
                h.merge(&self.cells[2 * cat + p]);
            }
        }
        for h in &s.by_category {
            s.human.merge(h);
        }
    }

    #[allow(clippy::wrong_self_convention)] // "to" as in "hand over to", not a conversion
    pub(super) fn to_human(&mut self, id: ContactId) {
        let now = self.now;
        let interval = self.rec.interval_of(now) as u32;
        let c = self.contacts.get_mut(id);
        c.queued_at = now;
        c.interval = interval;
        let skill = self.m.categories[c.category as usize].skill;
        let (counted, is_return, cell) = (c.counted, c.is_return, cell(c));
        let retrial = c.attempt > 0;
        debug_assert_eq!(
            self.skill_on_duty[skill],
            self.skill_pools[skill]
                .iter()
                .map(|&p| self.pools[p].active())
                .sum::<u32>()
        );
        if self.skill_on_duty[skill] == 0 {
            if self.m.offline.tickets {
                if counted {
                    self.stats.tickets += 1;
                    self.win.row(interval as usize).tickets += 1;
                }
                let t = self.contacts.get_mut(id);
                t.stage = Stage::Ticket;
                t.ticket = true;
                self.lines.push_ticket(&self.contacts, id, skill);
                if self.m.customers.retrials.is_some() {
                    self.message_may_retry(id);
                }
            } else {
                if counted {
                    self.stats.unserved += 1;
                    self.outstanding -= 1;
                }
                self.trace(id, Outcome::Unserved);
                self.contacts.remove(id);
            }
            return;
        }
        if self.entry_rules && self.turned_away(id, skill) {
            return;
        }
        if counted {
            self.count_offered(cell, interval as usize, is_return, retrial);
        }
        let c = self.contacts.get_mut(id);
        c.stage = Stage::Waiting;
        let category = c.category as usize;
        if self.policy_routing {
            if let Some((p, agent)) = self.choose_agent(category) {
                return self.start_chat(id, p, agent);
            }
        } else {
            for i in 0..self.category_pools[category].len() {
                let p = self.category_pools[category][i];
                if let Some(agent) = self.pools[p].most_free() {
                    return self.start_chat(id, p, agent);
                }
            }
        }
        // A contact the bot failed (transferred, not a return) may jump to the priority line.
        if self.m.bot_controls.failed_priority && self.contacts.get(id).bot_met {
            self.lines.push_priority(&self.contacts, id, skill);
        } else {
            self.lines.push_live(&self.contacts, id, skill);
        }
        self.change_waiting(1);
        let (patience_s, silent) = self.draw_patience(id);
        let c = self.contacts.get_mut(id);
        c.silent = silent;
        // One timer: the earlier of patience and `queue.max_wait_s` (a tie times out).
        let times_out = self.max_wait_s.is_finite() && self.max_wait_s <= patience_s;
        c.times_out = times_out;
        let timer_s = if times_out {
            self.max_wait_s
        } else {
            patience_s
        };
        if timer_s.is_finite() {
            self.events.push_patience(now + timer_s, id);
        }
    }

    /// Counts an offered contact of `cell` whose queue entry is in `interval`.
    #[inline(always)]
    pub(super) fn count_offered(
        &mut self,
        cell: usize,
        interval: usize,
        is_return: bool,
        retrial: bool,
    ) {
        if retrial {
            self.stats.queue.retrials_offered += 1;
        }
        let h = &mut self.cells[cell];
        h.offered += 1;
        h.returns += is_return as u64;
        // Its answer or abandonment counts in this interval too (the window keeps the
        // row while offers outnumber them).
        self.win.cell(interval, cell).offered += 1;
        if is_return {
            self.win.row(interval).returns += 1;
        }
    }

    /// The patience `[s]` of contact `id`'s current visit and whether it would leave
    /// silently: from the contact's own patience stream (first visit, then return), so the
    /// same whenever it is drawn.
    pub(super) fn draw_patience(&self, id: ContactId) -> (f64, bool) {
        let c = self.contacts.get(id);
        if c.attempt > 0 {
            return self.retrial_patience(id);
        }
        let cat = &self.m.categories[c.category as usize];
        let returns = self.returns_possible;
        let mut pat = contact_stream(self.streams.contact_key(c.number), Source::Patience);
        let p_silent = cat.silent_abandon;
        // A chance of 0 or 1 is decided without a draw; it is then the draws before it that
        // are needed only to keep later ones aligned.
        let silent_drawn = p_silent > 0.0 && p_silent < 1.0;
        let (patience_s, return_patience_s) = match &cat.patience {
            Some(d) => {
                let first = d.sample(&mut pat);
                if returns || silent_drawn {
                    (first, d.sample(&mut pat))
                } else {
                    (first, f64::INFINITY)
                }
            }
            None => (f64::INFINITY, f64::INFINITY),
        };
        let (silent, return_silent) = if silent_drawn {
            (
                chance(&mut pat, p_silent),
                returns && chance(&mut pat, p_silent),
            )
        } else {
            (p_silent >= 1.0, p_silent >= 1.0)
        };
        if c.is_return {
            (return_patience_s, return_silent)
        } else {
            (patience_s, silent)
        }
    }

    /// Agent `agent` of pool `pool` takes contact `id` (waiting live, a ghost, or a ticket).
    pub(super) fn start_chat(&mut self, id: ContactId, pool: usize, agent: AgentId) {
        let now = self.now;
        let held = self.pools[pool].occupy(agent);
        self.levels.busy += 1;
        let c = self.contacts.get_mut(id);
        let mut stretch = 1.0 + self.m.pools[pool].concurrency_slowdown * held as f64;
        let factors = &self.m.pools[pool].handle_factor;
        if !factors.is_empty() {
            stretch *= factors[self.m.categories[c.category as usize].skill];
        }
        let duration = match c.stage {
            Stage::Waiting => {
                self.events.cancel_patience(id);
                if c.counted {
                    let wait = now - c.queued_at;
                    let within = (wait <= self.m.target.answer_within_s) as u64;
                    let k = cell(c);
                    let h = &mut self.cells[k];
                    h.answered += 1;
                    h.answered_within_target += within;
                    h.waited += (wait > 0.0) as u64;
                    h.wait_sum_s += wait;
                    h.waits.record(wait);
                    if c.attempt > 0 {
                        self.stats.queue.retrials_within_target += within;
                    }
                    let ci = self.win.cell(c.interval as usize, k);
                    ci.answered += 1;
                    ci.answered_within_target += within as u32;
                    ci.wait_sum_s += wait;
                }
                c.handle_s * stretch
            }
            Stage::Ticket => {
                if c.counted {
                    self.stats.ticket_responses += 1;
                    self.stats.ticket_response_sum_s += now - c.arrival;
                    // The report's backlog: tickets worked per interval, horizon only.
                    if now < self.m.run.counted_to {
                        self.win.row(self.rec.interval_of(now)).tickets_worked += 1;
                    }
                }
                c.handle_s * stretch
            }
            Stage::Ghost => self.m.routing.silent_close_s,
            other => unreachable!("a contact in stage {other:?} cannot be picked up"),
        };
        if c.stage == Stage::Ghost {
            c.stage = Stage::Closing;
        } else {
            c.stage = Stage::InService;
            c.service_start = now;
        }
        c.pool = pool as u16;
        c.agent = agent;
        self.events
            .push(now + duration, Event::ChatEnd { contact: id });
    }

    /// Takes the next waiting work for a free slot of `agent` in `pool`, if any (once per
    /// chat: forced inline, see [`schedule_next_arrival`](Self::schedule_next_arrival)).
    #[inline(always)]
    pub(super) fn take_next(&mut self, pool: usize, agent: AgentId) -> bool {
        let skill_order = self.m.pools[pool].take == TakeOrder::SkillOrder;
        let Some(id) = self
            .lines
            .pop_next(&self.contacts, &self.pool_skills[pool], skill_order)
        else {
            return false;
        };
        if self.contacts.get(id).stage == Stage::Waiting {
            self.change_waiting(-1);
        }
        self.start_chat(id, pool, agent);
        true
    }

    /// Fills every free slot of `pool` from the waiting lines.
    pub(super) fn fill_pool(&mut self, pool: usize) {
        // Called when agents log in: they are idle from now (longest-idle policy).
        self.pools[pool].stamp_logins(self.now);
        while let Some(agent) = self.pools[pool].most_free() {
            if !self.take_next(pool, agent) {
                break;
            }
        }
    }

    pub(super) fn chat_end(&mut self, id: ContactId) {
        let c = self.contacts.get(id);
        let (pool, agent) = (c.pool as usize, c.agent);
        if c.counted && c.stage == Stage::InService {
            self.outstanding -= 1;
            let outcome = if c.ticket {
                Outcome::Ticket
            } else {
                Outcome::Answered
            };
            self.trace(id, outcome);
        }
        self.contacts.remove(id);
        if self.pools[pool].release(agent) {
            self.levels.busy -= 1;
            if !self.take_next(pool, agent) {
                self.pools[pool].note_idle(agent, self.now);
            }
        } else {
            // A leaving agent's slot: the on-duty slots change too.
            self.levels = self.sum_levels();
        }
    }

    /// A waiting contact's patience ran out (a contact served in time cancelled its timer).
    pub(super) fn patience_end(&mut self, id: ContactId) {
        debug_assert_eq!(self.contacts.get(id).stage, Stage::Waiting);
        let c = self.contacts.get(id);
        if c.times_out {
            return self.time_out(id);
        }
        let wait = self.now - c.queued_at;
        let silent = c.silent;
        if c.counted {
            let short = (wait < self.m.target.short_abandon_s) as u64;
            let k = cell(c);
            let interval = c.interval as usize;
            let h = &mut self.cells[k];
            h.abandoned += 1;
            h.short_abandoned += short;
            h.silent_abandoned += silent as u64;
            h.waited += (wait > 0.0) as u64;
            self.win.cell(interval, k).abandoned += 1;
            self.outstanding -= 1;
        }
        self.trace(id, Outcome::Abandoned);
        self.change_waiting(-1);
        if let Some(r) = &self.m.customers.retrials {
            self.maybe_retry(id, r.probability);
        }
        if silent {
            // Still in line: an agent will open it and spend `silent_close_s` closing it.
            self.contacts.get_mut(id).stage = Stage::Ghost;
        } else {
            self.contacts.remove(id);
        }
    }

    /// A contact's visit is over without a human (bot resolution, unserved).
    pub(super) fn finish(&mut self, id: ContactId) {
        if self.contacts.get(id).counted {
            self.outstanding -= 1;
        }
        self.contacts.remove(id);
    }

    /// Hands the row of a counted contact's finished visit to the trace sink, if any.
    pub(super) fn trace(&mut self, id: ContactId, outcome: Outcome) {
        let Some(sink) = self.sink.as_deref_mut() else {
            return;
        };
        let c = self.contacts.get(id);
        if !c.counted {
            return;
        }
        let human = !matches!(outcome, Outcome::BotResolved);
        let served = matches!(outcome, Outcome::Answered | Outcome::Ticket);
        sink.row(&TraceRow {
            replication: self.replication,
            contact: c.number,
            visit: c.is_return as u32 + c.attempt as u32,
            arrival: c.arrival,
            category: c.category as usize,
            complex: c.complex,
            vip: c.vip,
            bot_met: c.bot_met,
            bot_resolved: c.bot_met && !human,
            transferred: c.bot_met && human,
            queued_at: human.then_some(c.queued_at),
            service_start: served.then_some(c.service_start),
            end: self.now,
            outcome,
            pool: served.then_some(c.pool as usize),
            agent: served.then_some(c.agent),
        });
    }
}
