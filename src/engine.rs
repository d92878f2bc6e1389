//! The discrete-event engine: one replication of a [`Model`], from the first simulated
//! instant through the counted horizon and the drain, into a [`RepStats`].
//!
//! # Sections
//! - [`simulate`]: the event loop and the one `match` over [`Event`].
//! - Arrivals: a non-homogeneous Poisson process, exact for the piecewise-constant rate
//!   (the cumulative rate is inverted piece by piece).
//! - Human stage: routing to the pool and agent (section 2.4 of the contract), waiting lines,
//!   patience, tickets, silent abandonment.
//! - Staffing and surge: headcount changes, on-call agents called in by alerts.

pub mod agents;
pub mod contact;
pub mod event;
pub mod queue;
pub mod recorder;
pub mod rng;
pub mod timers;
pub mod trace;
pub mod waiting;

use crate::model::{BotProfile, Model};
use crate::stats::{HumanStats, IntervalSink, IntervalTable, IntervalWindow, RepStats};
use agents::{AgentId, PoolAgents};
use contact::{Contact, ContactId, Contacts, Stage};
use event::Event;
use queue::EventQueue;
use recorder::{AlertChange, Levels, Recorder};
use rng::{chance, contact_stream, exp1_fast, unit_f64, Source, Streams};
use trace::{Outcome, TraceRow, TraceSink};
use waiting::WaitingLines;

/// How long after the counted horizon the drain may run before unfinished contacts are
/// reported as censored `[s]` (a ticket line no agent ever works would otherwise run forever).
pub const DRAIN_LIMIT_S: f64 = 30.0 * 86_400.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SurgeState {
    Idle,
    Called,
    Present,
}

/// The state of one replication.
struct Engine<'m> {
    m: &'m Model,
    now: f64,
    events: EventQueue,
    contacts: Contacts,
    lines: WaitingLines,
    pools: Vec<PoolAgents>,
    /// The levels of all pools, as [`Engine::sum_levels`] would give them: busy slots follow
    /// each chat's start and end, the rest is summed again when headcounts change (summing
    /// the pools on every event cost about 4% of the instructions).
    levels: Levels,
    /// Skills served by each pool, and pools serving each skill (in routing order).
    pool_skills: Vec<Vec<usize>>,
    skill_pools: Vec<Vec<usize>>,
    /// Agents on duty (active) in the pools serving each skill, kept with the headcounts.
    skill_on_duty: Vec<u32>,
    surge_extra: Vec<u32>,
    surge_state: Vec<SurgeState>,
    /// Alert episodes started so far (identifies an episode for surge timers).
    alert_episode: u64,
    streams: Streams,
    next_contact: u64,
    /// The current piece of the arrival rate: `(end, rate, 1 / rate)`.
    rate_piece: (f64, f64, f64),
    arrivals_done: bool,
    horizon_passed: bool,
    /// Counted contacts not finished yet.
    outstanding: u64,
    /// Whether a contact can come back after a false bot resolution (else its return draws
    /// are never used, and not made).
    returns_possible: bool,
    /// `(category, complex, vip)` when the model leaves no choice (one category, shares of 0
    /// or 1): the attribute draws are the whole stream and cannot matter, so are not made.
    fixed_attributes: Option<(usize, bool, bool)>,
    rec: Recorder,
    stats: RepStats,
    /// Human-stage outcomes by cell (category × priority, [`cell`]): each contact is recorded
    /// once, in its cell; `stats.human`, `by_category` and `by_priority` are summed from the
    /// cells at the end ([`Engine::fold_cells`]).
    cells: Vec<HumanStats>,
    /// The per-interval rows that may still change (cells per interval included); final rows
    /// go to the run's [`IntervalSink`].
    win: IntervalWindow<'m>,
    replication: u64,
    /// Per-contact trace hook (`None`: no trace).
    sink: Option<&'m mut dyn TraceSink>,
}

/// Runs replication `replication` of `model` and returns what it measured, its per-interval
/// table in memory (`intervals`, `class_intervals`).
pub fn simulate(model: &Model, replication: u64) -> RepStats {
    simulate_traced(model, replication, None)
}

/// Like [`simulate`], handing one [`TraceRow`] per visit of every counted contact to `sink`
/// as the visit ends. The draws, and so the numbers, are the same as without a sink.
pub fn simulate_traced<'m>(
    model: &'m Model,
    replication: u64,
    sink: Option<&'m mut dyn TraceSink>,
) -> RepStats {
    let mut table = IntervalTable::default();
    // Shortens the trait object's lifetime to the table's (a reborrow, not a change).
    #[allow(clippy::needless_match)]
    let sink: Option<&mut dyn TraceSink> = match sink {
        Some(s) => Some(s),
        None => None,
    };
    let mut stats = simulate_streamed(model, replication, sink, &mut table);
    stats.intervals = table.intervals;
    stats.class_intervals = table.class_intervals;
    stats
}

/// Like [`simulate_traced`], handing each per-interval row to `rows` (in interval order) as
/// soon as it is final instead of keeping the table: memory does not grow with the horizon.
/// The returned `intervals` and `class_intervals` are empty; the numbers are the same.
pub fn simulate_streamed<'m>(
    model: &'m Model,
    replication: u64,
    sink: Option<&'m mut dyn TraceSink>,
    rows: &'m mut dyn IntervalSink,
) -> RepStats {
    let mut e = Engine::new(model, replication, rows);
    e.sink = sink;
    e.start();
    let drain_end = model.run.counted_to + DRAIN_LIMIT_S;
    while let Some((t, ev)) = e.events.pop() {
        if t > drain_end {
            break;
        }
        e.now = t;
        e.stats.events += 1;
        debug_assert_eq!(e.levels, e.sum_levels());
        e.rec.advance(t, e.levels, &mut e.win);
        match ev {
            Event::Arrival => e.arrival(),
            Event::BotDone { contact } => e.bot_done(contact),
            Event::Return { contact } => e.comes_back(contact),
            Event::PatienceEnd { contact } => e.patience_end(contact),
            Event::ChatEnd { contact } => e.chat_end(contact),
            Event::StaffingChange { pool } => e.staffing_change(pool as usize),
            Event::SurgeCall { surge, episode } => e.surge_call(surge as usize, episode),
            Event::SurgeJoin { surge } => e.surge_join(surge as usize),
            Event::SurgeRelease { surge, calm_since } => {
                e.surge_release(surge as usize, calm_since)
            }
            Event::HorizonEnd => {
                e.horizon_passed = true;
                e.rec.horizon_end(&mut e.stats);
            }
        }
        if e.arrivals_done && e.horizon_passed && e.outstanding == 0 {
            break;
        }
    }
    e.stats.censored = e.outstanding;
    e.fold_cells();
    e.rec.finish(&mut e.win);
    e.win.finish();
    e.win.set_totals(&mut e.stats);
    e.stats.interval_rows_peak = e.win.peak_rows();
    e.stats
}

/// The cell (category × priority) of a contact: `2 · category + (0 if VIP else 1)`.
#[inline]
fn cell(c: &Contact) -> usize {
    2 * c.category as usize + !c.vip as usize
}

impl<'m> Engine<'m> {
    fn new(m: &'m Model, replication: u64, rows: &'m mut dyn IntervalSink) -> Self {
        let skills = m.skills.len();
        let pool_skills: Vec<Vec<usize>> = m.pools.iter().map(|p| p.skills.clone()).collect();
        let skill_pools = (0..skills)
            .map(|s| {
                (0..m.pools.len())
                    .filter(|&p| m.pools[p].serves(s))
                    .collect()
            })
            .collect();
        let intervals = m.run.interval_count();
        Engine {
            m,
            now: 0.0,
            events: EventQueue::new(),
            contacts: Contacts::default(),
            lines: WaitingLines::new(skills, m.routing.vip_first),
            pools: m
                .pools
                .iter()
                .map(|p| PoolAgents::new(p.concurrency))
                .collect(),
            levels: Levels::default(),
            pool_skills,
            skill_pools,
            skill_on_duty: vec![0; skills],
            surge_extra: vec![0; m.pools.len()],
            surge_state: vec![SurgeState::Idle; m.surges.len()],
            alert_episode: 0,
            streams: Streams::new(m.run.seed, replication),
            next_contact: 0,
            rate_piece: (0.0, 0.0, f64::INFINITY),
            arrivals_done: false,
            horizon_passed: false,
            outstanding: 0,
            returns_possible: m
                .bot
                .as_ref()
                .is_some_and(|b| b.return_after.is_some() && b.false_resolution > 0.0),
            fixed_attributes: fixed_attributes(m),
            rec: Recorder::new(
                m.run.counted_from,
                m.run.counted_to,
                m.run.interval_s,
                intervals,
                m.target.queue_alert_waiting,
            ),
            stats: RepStats::new(m.categories.len()),
            cells: vec![HumanStats::default(); 2 * m.categories.len()],
            win: IntervalWindow::new(m.categories.len(), intervals, rows),
            replication,
            sink: None,
        }
    }

    fn start(&mut self) {
        for p in 0..self.pools.len() {
            self.staffing_change(p);
        }
        self.events.push(self.m.run.counted_to, Event::HorizonEnd);
        self.schedule_next_arrival(0.0);
    }

    fn sum_levels(&self) -> Levels {
        let mut l = Levels::default();
        for (p, agents) in self.pools.iter().enumerate() {
            l.headcount += agents.active();
            l.surge += self.surge_extra[p].min(agents.active());
            l.busy += agents.busy_slots();
            l.slots += agents.on_duty_slots();
        }
        l
    }

    // ---- arrivals -------------------------------------------------------------------

    /// Draws the next arrival instant after `from` by inverting the cumulative rate (or takes
    /// the next instant of a replayed list).
    ///
    /// Runs once per contact; forced inline like [`take_next`](Self::take_next) and
    /// [`change_waiting`](Self::change_waiting) (the three: -2.2% instructions, +2% speed on
    /// M/M/200+M; LLVM left them out of line).
    #[inline(always)]
    fn schedule_next_arrival(&mut self, from: f64) {
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
                let next = self.m.arrivals.next_change(cal, t).min(end);
                let rate = self.m.arrivals.rate(cal, t);
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

    fn arrival(&mut self) {
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
            if covered {
                bot_response = Some(response);
                c.bot_met = true;
            }
        }
        match bot_response {
            Some(response) => {
                if counted {
                    self.stats.bot_met += 1;
                    // The bot's outcome counts in the arrival's interval.
                    self.win.hold(self.rec.interval_of(t));
                }
                self.events
                    .push(t + response, Event::BotDone { contact: id });
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

    fn bot_done(&mut self, id: ContactId) {
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

    fn comes_back(&mut self, id: ContactId) {
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

    // ---- human stage -----------------------------------------------------------------

    /// Sums the cells into the classes of [`RepStats`]: all contacts, categories, priorities
    /// (per interval: see [`IntervalWindow`]).
    fn fold_cells(&mut self) {
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
    fn to_human(&mut self, id: ContactId) {
        let now = self.now;
        let interval = self.rec.interval_of(now) as u32;
        let c = self.contacts.get_mut(id);
        c.queued_at = now;
        c.interval = interval;
        let skill = self.m.categories[c.category as usize].skill;
        let (counted, is_return, cell) = (c.counted, c.is_return, cell(c));
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
        if counted {
            let h = &mut self.cells[cell];
            h.offered += 1;
            h.returns += is_return as u64;
            // Its answer or abandonment counts in this interval too (the window keeps the
            // row while offers outnumber them).
            self.win.cell(interval as usize, cell).offered += 1;
            if is_return {
                self.win.row(interval as usize).returns += 1;
            }
        }
        self.contacts.get_mut(id).stage = Stage::Waiting;
        for i in 0..self.skill_pools[skill].len() {
            let p = self.skill_pools[skill][i];
            if let Some(agent) = self.pools[p].most_free() {
                return self.start_chat(id, p, agent);
            }
        }
        self.lines.push_live(&self.contacts, id, skill);
        self.change_waiting(1);
        let (patience_s, silent) = self.draw_patience(id);
        self.contacts.get_mut(id).silent = silent;
        if patience_s.is_finite() {
            self.events.push_patience(now + patience_s, id);
        }
    }

    /// The patience `[s]` of contact `id`'s current visit and whether it would leave
    /// silently: from the contact's own patience stream (first visit, then return), so the
    /// same whenever it is drawn.
    fn draw_patience(&self, id: ContactId) -> (f64, bool) {
        let c = self.contacts.get(id);
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
    fn start_chat(&mut self, id: ContactId, pool: usize, agent: AgentId) {
        let now = self.now;
        let held = self.pools[pool].occupy(agent);
        self.levels.busy += 1;
        let c = self.contacts.get_mut(id);
        let stretch = 1.0 + self.m.pools[pool].concurrency_slowdown * held as f64;
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
    fn take_next(&mut self, pool: usize, agent: AgentId) -> bool {
        let Some(id) = self.lines.pop_next(&self.contacts, &self.pool_skills[pool]) else {
            return false;
        };
        if self.contacts.get(id).stage == Stage::Waiting {
            self.change_waiting(-1);
        }
        self.start_chat(id, pool, agent);
        true
    }

    /// Fills every free slot of `pool` from the waiting lines.
    fn fill_pool(&mut self, pool: usize) {
        while let Some(agent) = self.pools[pool].most_free() {
            if !self.take_next(pool, agent) {
                break;
            }
        }
    }

    fn chat_end(&mut self, id: ContactId) {
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
            self.take_next(pool, agent);
        } else {
            // A leaving agent's slot: the on-duty slots change too.
            self.levels = self.sum_levels();
        }
    }

    /// A waiting contact's patience ran out (a contact served in time cancelled its timer).
    fn patience_end(&mut self, id: ContactId) {
        debug_assert_eq!(self.contacts.get(id).stage, Stage::Waiting);
        let c = self.contacts.get(id);
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
        if silent {
            // Still in line: an agent will open it and spend `silent_close_s` closing it.
            self.contacts.get_mut(id).stage = Stage::Ghost;
        } else {
            self.contacts.remove(id);
        }
    }

    /// A contact's visit is over without a human (bot resolution, unserved).
    fn finish(&mut self, id: ContactId) {
        if self.contacts.get(id).counted {
            self.outstanding -= 1;
        }
        self.contacts.remove(id);
    }

    /// Hands the row of a counted contact's finished visit to the trace sink, if any.
    fn trace(&mut self, id: ContactId, outcome: Outcome) {
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
            visit: c.is_return as u32,
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
        });
    }

    // ---- waiting count, alerts and surge ----------------------------------------------

    /// Applies a change of the number waiting: the interval's maximum, alerts and surges
    /// (forced inline, see [`schedule_next_arrival`](Self::schedule_next_arrival)).
    #[inline(always)]
    fn change_waiting(&mut self, delta: i32) {
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
    fn alert_changed(&mut self, change: AlertChange) {
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

    fn surge_call(&mut self, surge: usize, episode: u64) {
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

    fn surge_join(&mut self, surge: usize) {
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

    fn surge_release(&mut self, surge: usize, calm_since: u64) {
        let calm = !self.rec.alert_on() && self.alert_episode == calm_since;
        if calm && self.surge_state[surge] == SurgeState::Present {
            let s = &self.m.surges[surge];
            self.surge_state[surge] = SurgeState::Idle;
            self.surge_extra[s.pool] -= s.agents;
            self.apply_headcount(s.pool);
        }
    }

    // ---- staffing --------------------------------------------------------------------

    fn staffing_change(&mut self, pool: usize) {
        self.apply_headcount(pool);
        let cal = &self.m.run.calendar;
        if let Some(next) = self.m.pools[pool].staffing.next_change(cal, self.now) {
            self.events
                .push(next, Event::StaffingChange { pool: pool as u16 });
        }
    }

    fn apply_headcount(&mut self, pool: usize) {
        let cal = &self.m.run.calendar;
        let target = self.m.pools[pool].staffing.headcount(cal, self.now) + self.surge_extra[pool];
        let before = self.pools[pool].active();
        self.pools[pool].set_headcount(target);
        for i in 0..self.pool_skills[pool].len() {
            let skill = self.pool_skills[pool][i];
            self.skill_on_duty[skill] = self.skill_on_duty[skill] + target - before;
        }
        if target > before {
            self.fill_pool(pool);
        }
        self.levels = self.sum_levels();
    }
}

/// The attributes every contact of `m` gets whatever its draws (see
/// `Engine::fixed_attributes`): a unit draw `u < share` is always false for `share <= 0`
/// and always true for `share >= 1`.
fn fixed_attributes(m: &Model) -> Option<(usize, bool, bool)> {
    let [cat] = m.categories.as_slice() else {
        return None;
    };
    let certain = |share: f64| (share <= 0.0 || share >= 1.0).then_some(share >= 1.0);
    Some((0, certain(cat.complex_share)?, certain(cat.vip_share)?))
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
