//! Arrivals: the next arrival instant (a non-homogeneous Poisson process, exact for the
//! piecewise-constant rate: the cumulative rate is inverted piece by piece), a new
//! contact's attributes and draws, the bot, and the return after a false resolution.

use super::contact::{Contact, ContactId, Stage};
use super::event::Event;
use super::rng::{chance, contact_stream, exp1_fast, unit_f64, Source};
use super::trace::Outcome;
use super::Engine;
use crate::model::time::DAY_S;
use crate::model::{BotFull, BotProfile, Model};

impl Engine<'_> {
    /// The attributes every contact of `m` gets whatever its draws (see the field
    /// `Engine::fixed_attributes`): a unit draw `u < share` is always false for
    /// `share <= 0` and always true for `share >= 1`.
    pub(super) fn fixed_attributes(m: &Model) -> Option<(usize, bool, bool)> {
        let [cat] = m.categories.as_slice() else {
            return None;
        };
        let certain = |share: f64| (share <= 0.0 || share >= 1.0).then_some(share >= 1.0);
        Some((0, certain(cat.complex_share)?, certain(cat.vip_share)?))
    }

    /// Draws the next arrival instant after `from` by inverting the cumulative rate (or takes
    /// the next instant of a replayed list).
    ///
    /// Runs once per contact; forced inline like [`take_next`](Self::take_next) and
    /// [`change_waiting`](Self::change_waiting) (the three: -2.2% instructions, +2% speed on
    /// M/M/200+M; LLVM left them out of line).
    #[inline(always)]
    pub(super) fn schedule_next_arrival(&mut self, from: f64) {
        let end = self.m.arrivals_end();
        if let Some(times) = &self.m.arrivals.replay {
            match times.get(self.next_contact as usize) {
                Some(&t) if t < end => self.events.push(t.max(from), Event::Arrival),
                _ => self.arrivals_done = true,
            }
            return;
        }
        let cal = &self.m.run.calendar;
        // The arrival stream draws nothing but these unit-rate budgets.
        let mut budget = exp1_fast(&mut self.streams.arrivals);
        let mut t = from;
        while t < end {
            if t >= self.rate_piece.0 {
                let mut next = self.m.arrivals.next_change(cal, t).min(end);
                let mut rate = self.m.arrivals.rate(cal, t);
                if self.m.arrivals.busyness.is_some() {
                    let (factor, edge) = self.busyness_at(t);
                    rate *= factor;
                    next = next.min(edge);
                }
                self.rate_piece = (next, rate, 1.0 / rate);
            }
            // `mean_gap = 1 / rate`: a multiplication instead of a division per contact.
            let (piece_end, rate, mean_gap) = self.rate_piece;
            if rate > 0.0 && t + budget * mean_gap < piece_end {
                self.events.push(t + budget * mean_gap, Event::Arrival);
                return;
            }
            budget -= rate * (piece_end - t);
            t = piece_end;
        }
        self.arrivals_done = true;
    }

    /// The busyness factor at `t` (day × interval) and the instant it may change. Each
    /// day's and interval's factor comes from its own generator, so every scenario with the
    /// same seed sees the same days whatever its staffing.
    fn busyness_at(&mut self, t: f64) -> (f64, f64) {
        let Some(b) = self.m.arrivals.busyness else {
            return (1.0, f64::INFINITY);
        };
        let cal = &self.m.run.calendar;
        let midnight = cal.midnight_before(t);
        let mut edge = midnight + DAY_S;
        let mut factor = 1.0;
        if let Some(spread) = b.day {
            // Days are numbered by their local midnight (epoch days), the same in any run.
            let day = (cal.epoch_s(midnight) / DAY_S).round() as i64;
            if self.busy_day.0 != day {
                let f = spread.sample(&mut self.streams.indexed(Source::DayBusyness, day));
                self.busy_day = (day, f);
            }
            factor *= self.busy_day.1;
        }
        if let Some(spread) = b.interval {
            let len = self.m.run.interval_s;
            let k = ((t - self.m.run.counted_from) / len).floor();
            edge = edge.min(self.m.run.counted_from + (k + 1.0) * len);
            let k = k as i64;
            if self.busy_interval.0 != k {
                let f = spread.sample(&mut self.streams.indexed(Source::IntervalBusyness, k));
                self.busy_interval = (k, f);
            }
            factor *= self.busy_interval.1;
        }
        (factor, edge)
    }

    pub(super) fn arrival(&mut self) {
        let m = self.m;
        let t = self.now;
        let n = self.next_contact;
        self.next_contact += 1;
        self.stats.contacts_simulated += 1;

        // Attributes: fixed draws from the contact's own generators (common random numbers).
        // Draws whose value cannot matter are skipped only when they are the last ones of
        // their stream (or of a stream whose later draws are skipped too), so every draw that
        // is used has the same value as when all are made.
        let key = self.streams.contact_key(n);
        let (category, complex, vip) = match self.fixed_attributes {
            Some(fixed) => fixed,
            None => {
                let mut attr = contact_stream(key, Source::Arrivals);
                let u_cat = unit_f64(&mut attr);
                let complex_u = unit_f64(&mut attr);
                let vip_u = unit_f64(&mut attr);
                let category = pick_category(m, u_cat, t);
                let cat = &m.categories[category];
                (
                    category,
                    complex_u < cat.complex_share,
                    vip_u < cat.vip_share,
                )
            }
        };
        let cat = &m.categories[category];
        let returns = self.returns_possible;

        let mut handle = contact_stream(key, Source::Handle);
        let dist = if complex {
            &cat.complex_handle_time
        } else {
            &cat.handle_time
        };
        let handle_s = dist.sample(&mut handle);
        let return_handle_s = if returns {
            dist.sample(&mut handle)
        } else {
            0.0
        };

        // Patience is drawn when the contact has to wait (`draw_patience`): half of them at
        // load 1.0 never do.

        let counted = t >= m.run.counted_from;
        // Written straight into its slot (built on the stack and copied, it cost ~30
        // instructions per contact).
        let id = self.contacts.alloc();
        let c = self.contacts.get_mut(id);
        *c = Contact {
            arrival: t,
            queued_at: t,
            handle_s,
            return_after_s: 0.0,
            return_handle_s,
            category: category as u16,
            interval: 0,
            stage: Stage::Bot,
            vip,
            counted,
            is_return: false,
            attempt: 0,
            times_out: false,
            silent: false,
            bot_resolves: false,
            bot_false: false,
            number: n,
            complex,
            bot_met: false,
            ticket: false,
            service_start: f64::NAN,
            pool: u16::MAX,
            agent: u32::MAX,
        };
        if counted {
            self.stats.contacts += 1;
            self.outstanding += 1;
            let i = self.rec.interval_of(t);
            self.win.row(i).arrivals += 1;
        }

        let mut bot_response = None;
        if let Some(bot) = &m.bot {
            let mut b = contact_stream(key, Source::Bot);
            let covered = chance(&mut b, bot.coverage);
            let profile: &BotProfile = match &bot.promotion {
                Some(p) if m.arrivals.promotion_at(t) => p,
                _ if complex => &bot.complex,
                _ => &bot.basic,
            };
            let response = profile.response.sample(&mut b);
            c.bot_resolves = chance(&mut b, profile.resolve);
            c.bot_false = chance(&mut b, bot.false_resolution);
            c.return_after_s = bot.return_after.as_ref().map_or(0.0, |d| d.sample(&mut b));
            // Outside the bot's hours the draws are made all the same (common random numbers).
            let controls = &m.bot_controls;
            let in_hours =
                controls.hours.is_none() || controls.in_hours(m.run.calendar.second_of_day(t));
            if covered && in_hours {
                bot_response = Some(response);
                c.bot_met = true;
            }
        }
        let bot_full = bot_response.is_some()
            && m.bot_controls
                .sessions
                .is_some_and(|cap| self.bot_sessions >= cap);
        if bot_full && m.bot_controls.when_full == BotFull::Human {
            self.contacts.get_mut(id).bot_met = false;
            if counted {
                self.stats.bot_full_to_agents += 1;
            }
            bot_response = None;
        }
        match bot_response {
            Some(response) => {
                if counted {
                    self.stats.bot_met += 1;
                    // The bot's outcome counts in the arrival's interval.
                    self.win.hold(self.rec.interval_of(t));
                }
                if bot_full {
                    self.bot_line.push_back(id);
                } else {
                    self.start_bot_session(id, response);
                }
            }
            None => {
                if counted {
                    self.stats.straight_to_agents += 1;
                }
                self.to_human(id);
            }
        }
        self.schedule_next_arrival(t);
    }

    /// Contact `id` starts its session with the bot, answered `response` seconds from now.
    fn start_bot_session(&mut self, id: ContactId, response: f64) {
        if self.m.bot_controls.sessions.is_some() {
            self.bot_sessions += 1;
        }
        self.events
            .push(self.now + response, Event::BotDone { contact: id });
    }

    /// A bot session has ended: the contact waiting longest for one (if any) starts its own.
    fn bot_session_freed(&mut self) {
        self.bot_sessions -= 1;
        let Some(next) = self.bot_line.pop_front() else {
            return;
        };
        let c = self.contacts.get(next);
        if c.counted {
            self.stats.bot_session_waited += 1;
            self.stats.bot_session_wait_sum_s += self.now - c.arrival;
        }
        let response = self.bot_response(next);
        self.start_bot_session(next, response);
    }

    /// The bot's response time for contact `id`, drawn again from its own bot stream (the
    /// same value as at its arrival: the first draws of that stream, in the same order).
    fn bot_response(&self, id: ContactId) -> f64 {
        let m = self.m;
        let bot = m
            .bot
            .as_ref()
            .expect("only contacts meeting a bot wait for it");
        let c = self.contacts.get(id);
        let mut b = contact_stream(self.streams.contact_key(c.number), Source::Bot);
        let _covered = chance(&mut b, bot.coverage);
        let profile: &BotProfile = match &bot.promotion {
            Some(p) if m.arrivals.promotion_at(c.arrival) => p,
            _ if c.complex => &bot.complex,
            _ => &bot.basic,
        };
        profile.response.sample(&mut b)
    }

    pub(super) fn bot_done(&mut self, id: ContactId) {
        if self.m.bot_controls.sessions.is_some() {
            self.bot_session_freed();
        }
        let c = self.contacts.get(id);
        let (counted, resolves, falsely, after) =
            (c.counted, c.bot_resolves, c.bot_false, c.return_after_s);
        if !resolves {
            if counted {
                self.stats.bot_transferred += 1;
                self.win.release(self.rec.interval_of(c.arrival));
            }
            return self.to_human(id);
        }
        if counted {
            self.stats.bot_resolved += 1;
            let i = self.rec.interval_of(c.arrival);
            self.win.row(i).bot_resolved += 1;
            self.win.release(i);
        }
        self.trace(id, Outcome::BotResolved);
        if falsely
            && self
                .m
                .bot
                .as_ref()
                .is_some_and(|b| b.return_after.is_some())
        {
            if counted {
                self.stats.bot_false_resolved += 1;
            }
            self.contacts.get_mut(id).stage = Stage::AwaitingReturn;
            self.events
                .push(self.now + after, Event::Return { contact: id });
        } else {
            self.finish(id);
        }
    }

    pub(super) fn comes_back(&mut self, id: ContactId) {
        let now = self.now;
        // A return is a new offered contact: counted when it comes back inside the horizon.
        let counted = now >= self.m.run.counted_from && now < self.m.run.counted_to;
        let c = self.contacts.get_mut(id);
        match (c.counted, counted) {
            (true, false) => self.outstanding -= 1,
            (false, true) => self.outstanding += 1,
            _ => {}
        }
        c.counted = counted;
        c.is_return = true;
        c.bot_met = false;
        c.arrival = now;
        c.handle_s = c.return_handle_s;
        self.to_human(id);
    }
}

/// The category whose cumulative share first exceeds `u`: the per-category forecast's mix
/// at `t` where it covers, the static `share`s elsewhere.
#[inline]
fn pick_category(m: &Model, u: f64, t: f64) -> usize {
    if let Some(cum) = m.arrivals.category_mix_at(t) {
        return cum.iter().position(|&c| u < c).unwrap_or(cum.len() - 1);
    }
    let mut acc = 0.0;
    for (i, c) in m.categories.iter().enumerate() {
        acc += c.share;
        if u < acc {
            return i;
        }
    }
    m.categories.len() - 1
}
