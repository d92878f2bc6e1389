//! The discrete-event engine: one replication of a [`Model`], from the first simulated
//! instant through the counted horizon and the drain, into a [`RepStats`].
//!
//! # Sections
//! - This file: [`simulate`], the event loop and the one `match` over `event::Event`; the
//!   state of a replication (`Engine`) and its set-up.
//! - `arrivals.rs`: a non-homogeneous Poisson process, exact for the piecewise-constant
//!   rate (the cumulative rate is inverted piece by piece); attributes, bot, returns.
//! - `human.rs`: routing to the pool and agent (section 2.4 of the contract), waiting
//!   lines, patience, tickets, silent abandonment, the trace hook.
//! - `alerts.rs`: the number waiting, queue alerts and surge (on-call agents).
//! - `routing.rs`: the agent an arriving contact goes to under a non-default policy.
//! - `staffing.rs`: headcount changes.
//! - `customers.rs`: the `[queue]` and `[retrials]` rules (caps, balking, the maximum wait,
//!   clearing at closing, retrials); off the common path, each behind one test of a flag.
//!
//! The event handlers are `impl Engine` blocks in those files; they call each other as
//! methods, so no file under `engine/` imports a sibling that imports it back.

pub(crate) mod agents;
mod alerts;
mod arrivals;
pub(crate) mod contact;
mod customers;
pub(crate) mod event;
mod human;
pub(crate) mod key;
pub(crate) mod queue;
pub(crate) mod recorder;
pub(crate) mod rng;
mod routing;
mod staffing;
pub(crate) mod timers;
pub mod trace;
pub(crate) mod waiting;

use crate::model::Model;
use crate::stats::{HumanStats, IntervalSink, IntervalTable, IntervalWindow, RepStats};
use agents::PoolAgents;
use contact::{Contact, Contacts};
use event::Event;
use queue::EventQueue;
use recorder::{Levels, Recorder};
use rng::Streams;
use trace::TraceSink;
use waiting::WaitingLines;

/// How long after the counted horizon the drain may run before unfinished contacts are
/// reported as censored `[s]` (a ticket line no agent ever works would otherwise run forever).
pub(crate) const DRAIN_LIMIT_S: f64 = 30.0 * 86_400.0;

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
    /// Per category, the pools an arriving contact tries, in order (`routing.rs`).
    category_pools: Vec<Vec<usize>>,
    /// The routing policy is not today's rule: arrivals go through `Engine::choose_agent`.
    policy_routing: bool,
    /// Contacts with the bot now (counted only under `[bot] sessions`), and those waiting,
    /// first come first served, for a session.
    bot_sessions: u32,
    bot_line: std::collections::VecDeque<contact::ContactId>,
    /// Scratch list of free agents for the random policy.
    candidates: Vec<(usize, agents::AgentId)>,
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
    /// `(day number, factor)` and `(interval number, factor)` of the busyness last drawn.
    busy_day: (i64, f64),
    busy_interval: (i64, f64),
    /// Per pool: today's absence draws, and the agents absent now (`absence` > 0 only).
    absent: Vec<staffing::AbsenceRoll>,
    absent_now: Vec<u32>,
    absence_since: f64,
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
    /// Whether a `[queue]` rule acts when a contact joins the queue (caps, balking).
    entry_rules: bool,
    /// `queue.max_wait_s`, or infinity: a waiting contact's timer is the earlier of it and
    /// its patience.
    max_wait_s: f64,
    /// Whether contacts still waiting are cleared when their skill's last agent leaves.
    close_rule: bool,
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

/// Runs replication `replication` of `model` with master seed `seed` and returns what it
/// measured, its per-interval table in memory (`intervals`, `class_intervals`).
///
/// The random streams are `(seed, replication)`'s alone (`rng::Streams`): the model's own
/// `run.seed` is not read, so a caller running one model under another seed passes it here.
pub fn simulate(model: &Model, seed: u64, replication: u64) -> RepStats {
    simulate_traced(model, seed, replication, None)
}

/// Like [`simulate`], handing one [`TraceRow`](trace::TraceRow) per visit of every counted
/// contact to `sink` as the visit ends. The draws, and so the numbers, are the same as
/// without a sink.
pub fn simulate_traced<'m>(
    model: &'m Model,
    seed: u64,
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
    let mut stats = simulate_streamed(model, seed, replication, sink, &mut table);
    stats.intervals = table.intervals;
    stats.class_intervals = table.class_intervals;
    stats
}

/// Like [`simulate_traced`], handing each per-interval row to `rows` (in interval order) as
/// soon as it is final instead of keeping the table: memory does not grow with the horizon.
/// The returned `intervals` and `class_intervals` are empty; the numbers are the same.
pub fn simulate_streamed<'m>(
    model: &'m Model,
    seed: u64,
    replication: u64,
    sink: Option<&'m mut dyn TraceSink>,
    rows: &'m mut dyn IntervalSink,
) -> RepStats {
    let mut e = Engine::new(model, seed, replication, rows);
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
            Event::Retrial { contact } => e.retrial(contact),
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
    e.count_absence(model.run.counted_to);
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
    fn new(m: &'m Model, seed: u64, replication: u64, rows: &'m mut dyn IntervalSink) -> Self {
        let skills = m.skills.len();
        let pool_skills: Vec<Vec<usize>> = m.pools.iter().map(|p| p.skills.clone()).collect();
        let skill_pools: Vec<Vec<usize>> = (0..skills)
            .map(|s| {
                (0..m.pools.len())
                    .filter(|&p| m.pools[p].serves(s))
                    .collect()
            })
            .collect();
        let intervals = m.run.interval_count();
        let category_pools = routing::category_pools(m, &skill_pools);
        let policy_routing =
            m.routing.policy != crate::model::RoutingPolicy::MostFree || m.routing.across_pools;
        let longest_idle = m.routing.policy == crate::model::RoutingPolicy::LongestIdle;
        Engine {
            m,
            now: 0.0,
            events: EventQueue::new(),
            contacts: Contacts::default(),
            lines: WaitingLines::new(skills, m.routing.vip_first),
            pools: m
                .pools
                .iter()
                .map(|p| {
                    let mut agents = PoolAgents::new(p.concurrency);
                    if longest_idle {
                        agents.track_idle();
                    }
                    agents
                })
                .collect(),
            levels: Levels::default(),
            pool_skills,
            skill_pools,
            category_pools,
            policy_routing,
            candidates: Vec::new(),
            bot_sessions: 0,
            bot_line: Default::default(),
            skill_on_duty: vec![0; skills],
            surge_extra: vec![0; m.pools.len()],
            surge_state: vec![SurgeState::Idle; m.surges.len()],
            alert_episode: 0,
            streams: Streams::new(seed, replication),
            next_contact: 0,
            rate_piece: (0.0, 0.0, f64::INFINITY),
            busy_day: (i64::MIN, 1.0),
            busy_interval: (i64::MIN, 1.0),
            absent: m
                .pools
                .iter()
                .map(|_| staffing::AbsenceRoll::new())
                .collect(),
            absent_now: vec![0; m.pools.len()],
            absence_since: 0.0,
            arrivals_done: false,
            horizon_passed: false,
            outstanding: 0,
            returns_possible: m
                .bot
                .as_ref()
                .is_some_and(|b| b.return_after.is_some() && b.false_resolution > 0.0),
            fixed_attributes: Engine::fixed_attributes(m),
            entry_rules: m.customers.queue.at_entry(),
            max_wait_s: m.customers.queue.max_wait_s.unwrap_or(f64::INFINITY),
            close_rule: m.customers.queue.on_close != crate::model::customers::OnClose::Keep,
            rec: Recorder::new(
                m.run.counted_from,
                m.run.counted_to,
                m.run.interval_s,
                intervals,
                m.target.queue_alert_waiting,
            ),
            stats: RepStats::new(m.categories.len()),
            cells: vec![HumanStats::default(); 2 * m.categories.len()],
            win: IntervalWindow::new(m.categories.len(), intervals, rows)
                .count_days(m.run.interval_s),
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
}
