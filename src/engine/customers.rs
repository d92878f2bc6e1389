//! The `[queue]` and `[retrials]` rules (docs/customers.md): caps at queue entry, balking,
//! the maximum wait, clearing the line when a skill's last agent leaves, and abandoners who
//! write again. Every entry point sits behind one flag test on the common path, so a
//! scenario without these rules runs the code it ran before.
//!
//! Draws: balking from the contact's own [`Source::Balk`] stream, a retrial's decision,
//! delay and patience from [`Source::Retrial`], both keyed by the attempt
//! ([`attempt_key`]), so they do not move any other draw (common random numbers hold).

use super::contact::{ContactId, Stage};
use super::event::Event;
use super::rng::{attempt_key, chance, contact_stream, unit_f64, Source};
use super::trace::Outcome;
use super::{cell, Engine};
use crate::model::customers::{Divert, OnClose};

impl Engine<'_> {
    /// Applies the entry rules to contact `id` (needing `skill`, agents of it on duty):
    /// `max_in_system`, then — when it would have to wait — `max_waiting` and balking.
    /// Returns whether it was turned away (its visit is then accounted for).
    #[cold]
    pub(super) fn turned_away(&mut self, id: ContactId, skill: usize) -> bool {
        let q = &self.m.customers.queue;
        let waiting = self.rec.waiting();
        if let Some(cap) = q.max_in_system {
            if waiting + self.levels.busy >= cap {
                if self.contacts.get(id).counted {
                    self.stats.queue.refused += 1;
                }
                self.lose(id);
                return true;
            }
        }
        if q.max_waiting.is_none() && q.balk.is_never() {
            return false;
        }
        let free = self.skill_pools[skill]
            .iter()
            .any(|&p| self.pools[p].most_free().is_some());
        if free {
            return false;
        }
        if let Some(cap) = q.max_waiting {
            if waiting >= cap {
                if self.contacts.get(id).counted {
                    self.stats.queue.full += 1;
                }
                match q.when_full {
                    Divert::Ticket => self.make_ticket(id, skill),
                    Divert::Lost => self.lose(id),
                }
                return true;
            }
        }
        let share = q.balk.share(waiting);
        if share > 0.0 {
            let c = self.contacts.get(id);
            let key = attempt_key(self.streams.contact_key(c.number), c.attempt as u32);
            if chance(&mut contact_stream(key, Source::Balk), share) {
                self.balk(id);
                return true;
            }
        }
        false
    }

    /// Contact `id` leaves at once instead of waiting: offered, and abandoned with wait 0.
    fn balk(&mut self, id: ContactId) {
        let c = self.contacts.get(id);
        if c.counted {
            let (k, interval) = (cell(c), c.interval as usize);
            let (is_return, retrial) = (c.is_return, c.attempt > 0);
            self.count_offered(k, interval, is_return, retrial);
            let short = (0.0 < self.m.target.short_abandon_s) as u64;
            let h = &mut self.cells[k];
            h.abandoned += 1;
            h.short_abandoned += short;
            self.win.cell(interval, k).abandoned += 1;
            self.stats.queue.balked += 1;
            self.outstanding -= 1;
        }
        self.trace(id, Outcome::Balked);
        if let Some(r) = &self.m.customers.retrials {
            self.maybe_retry(id, r.probability);
        }
        self.contacts.remove(id);
    }

    /// Contact `id`'s visit ends here, lost (refused by a cap, or cleared at closing).
    fn lose(&mut self, id: ContactId) {
        if self.contacts.get(id).counted {
            self.outstanding -= 1;
        }
        self.trace(id, Outcome::Refused);
        self.contacts.remove(id);
    }

    /// Contact `id` becomes an offline message for `skill` (counted among the tickets).
    fn make_ticket(&mut self, id: ContactId, skill: usize) {
        let c = self.contacts.get_mut(id);
        c.stage = Stage::Ticket;
        c.ticket = true;
        if c.counted {
            self.stats.tickets += 1;
            self.win.row(c.interval as usize).tickets += 1;
        }
        self.lines.push_ticket(&self.contacts, id, skill);
        self.message_may_retry(id);
    }

    /// Contact `id` has just become a message: its customer may write again live
    /// (`retrials.after_message`).
    pub(super) fn message_may_retry(&mut self, id: ContactId) {
        if let Some(r) = &self.m.customers.retrials {
            if r.after_message > 0.0 {
                self.maybe_retry(id, r.after_message);
            }
        }
    }

    /// Waiting contact `id` reached `queue.max_wait_s`: it leaves the live line as a ticket.
    #[cold]
    pub(super) fn time_out(&mut self, id: ContactId) {
        let c = self.contacts.get(id);
        let skill = self.m.categories[c.category as usize].skill;
        if c.counted {
            self.stats.queue.timed_out += 1;
            self.settle_diverted(id);
        }
        self.change_waiting(-1);
        self.make_ticket(id, skill);
    }

    /// Counted offered contact `id` leaves the live line unanswered without abandoning: it
    /// waited (like an abandoner), and its queue entry's row may now be final.
    fn settle_diverted(&mut self, id: ContactId) {
        let c = self.contacts.get(id);
        let k = cell(c);
        self.cells[k].waited += (self.now > c.queued_at) as u64;
        self.win.cell(c.interval as usize, k).diverted += 1;
    }

    /// The last agent on duty with `skill` has left: applies `queue.on_close` to the
    /// contacts still waiting for it.
    #[cold]
    pub(super) fn skill_closed(&mut self, skill: usize) {
        let rule = self.m.customers.queue.on_close;
        for id in self.lines.waiting_live(&self.contacts, skill) {
            self.events.cancel_patience(id);
            self.change_waiting(-1);
            let c = self.contacts.get(id);
            if c.counted {
                self.stats.queue.closed += 1;
                self.settle_diverted(id);
            }
            match rule {
                OnClose::Keep => unreachable!("only called with a clearing rule"),
                OnClose::Ticket => self.make_ticket(id, skill),
                OnClose::Lost => self.lose(id),
            }
        }
    }

    /// Contact `id`, abandoning or turned into a message, writes again with probability
    /// `probability`: decided from its next attempt's retrial stream (a visit ends one way
    /// only, so one decision per attempt); the new attempt gets a slot of its own (the old
    /// one may stay in line as a silent leaver or a message).
    pub(super) fn maybe_retry(&mut self, id: ContactId, probability: f64) {
        let Some(r) = &self.m.customers.retrials else {
            return;
        };
        let c = self.contacts.get(id);
        let next = c.attempt as u32 + 1;
        if next >= r.max_attempts {
            return;
        }
        let key = attempt_key(self.streams.contact_key(c.number), next);
        let mut rng = contact_stream(key, Source::Retrial);
        if !chance(&mut rng, probability) {
            return;
        }
        let delay = r.after.sample(&mut rng);
        if c.counted {
            self.stats.queue.retrials_scheduled += 1;
        }
        let mut copy = c.clone();
        copy.attempt = next as u8;
        copy.stage = Stage::AwaitingReturn;
        copy.counted = false;
        copy.silent = false;
        copy.times_out = false;
        copy.ticket = false;
        let new = self.contacts.alloc();
        *self.contacts.get_mut(new) = copy;
        self.events
            .push(self.now + delay, Event::Retrial { contact: new });
    }

    /// A retrial arrives: a new visit, counted when it comes inside the horizon.
    pub(super) fn retrial(&mut self, id: ContactId) {
        let now = self.now;
        let counted = now >= self.m.run.counted_from && now < self.m.run.counted_to;
        if counted {
            self.outstanding += 1;
        }
        let c = self.contacts.get_mut(id);
        c.counted = counted;
        c.bot_met = false;
        c.arrival = now;
        self.to_human(id);
    }

    /// The patience `[s]` of a retrial and whether it would leave silently: from its
    /// attempt's retrial stream, after the decision and the delay drawn when it was scheduled.
    #[cold]
    pub(super) fn retrial_patience(&self, id: ContactId) -> (f64, bool) {
        let c = self.contacts.get(id);
        let cat = &self.m.categories[c.category as usize];
        let Some(r) = &self.m.customers.retrials else {
            unreachable!("a retrial exists only with retrials on");
        };
        let key = attempt_key(self.streams.contact_key(c.number), c.attempt as u32);
        let mut rng = contact_stream(key, Source::Retrial);
        let _decision = unit_f64(&mut rng);
        let _delay = r.after.sample(&mut rng);
        let patience_s = cat
            .patience
            .as_ref()
            .map_or(f64::INFINITY, |d| d.sample(&mut rng));
        (patience_s, chance(&mut rng, cat.silent_abandon))
    }
}
