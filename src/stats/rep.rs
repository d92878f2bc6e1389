//! What one replication measures: counters, sums, time integrals and histograms that
//! stream as the engine runs (memory does not grow with the number of contacts).

use super::histogram::Histogram;

/// Human-stage outcomes of one class of contacts (all, a category, or a priority).
#[derive(Debug, Clone, Default)]
pub struct HumanStats {
    /// Contacts that joined the human queue.
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Abandons whose wait was shorter than `short_abandon_s`.
    pub short_abandoned: u64,
    /// Abandons who left without closing the chat.
    pub silent_abandoned: u64,
    pub answered_within_target: u64,
    /// Offered contacts whose wait was > 0.
    pub waited: u64,
    /// Offered contacts that came back after a false bot resolution.
    pub returns: u64,
    /// Sum of waits of answered contacts `[s]`.
    pub wait_sum_s: f64,
    /// Waits of answered contacts.
    pub waits: Histogram,
}

impl HumanStats {
    pub fn merge(&mut self, o: &HumanStats) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.short_abandoned += o.short_abandoned;
        self.silent_abandoned += o.silent_abandoned;
        self.answered_within_target += o.answered_within_target;
        self.waited += o.waited;
        self.returns += o.returns;
        self.wait_sum_s += o.wait_sum_s;
        self.waits.merge(&o.waits);
    }
}

/// One simulated day (24 hours from the counted start) of one replication: the sums of its
/// intervals' rows, so a day holds the contacts that arrived in it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayStats {
    pub arrivals: u64,
    pub offered: u64,
    pub answered: u64,
    pub answered_within_target: u64,
    pub abandoned: u64,
    pub wait_sum_s: f64,
}

impl DayStats {
    /// Answered within target / offered (`None` on a day nobody reached an agent).
    pub fn service_level(&self) -> Option<f64> {
        (self.offered > 0).then(|| self.answered_within_target as f64 / self.offered as f64)
    }

    /// Abandoned / offered.
    pub fn abandon_rate(&self) -> Option<f64> {
        (self.offered > 0).then(|| self.abandoned as f64 / self.offered as f64)
    }
}

/// Counted outcomes of the `[queue]` and `[retrials]` rules in one replication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Turned away because `max_waiting` contacts were waiting (to a ticket or lost).
    pub full: u64,
    /// Refused because `max_in_system` conversations were in the shop.
    pub refused: u64,
    /// Left at once instead of waiting (also counted as offered and abandoned with wait 0).
    pub balked: u64,
    /// Still waiting at `max_wait_s`: became tickets.
    pub timed_out: u64,
    /// Still waiting when the last agent with their skill went off duty (to a ticket or lost).
    pub closed: u64,
    /// Attempts after the first that were offered to agents (each also counts in `offered`).
    pub retrials_offered: u64,
    /// Of those, answered within target.
    pub retrials_within_target: u64,
    /// Abandoners who will write again (counted when they abandoned).
    pub retrials_scheduled: u64,
}

/// One reporting interval of one replication (attribution: see the contract, section 3).
#[derive(Debug, Clone, Default)]
pub struct IntervalStats {
    pub arrivals: u32,
    pub bot_resolved: u32,
    pub offered: u32,
    pub answered: u32,
    pub answered_within_target: u32,
    pub abandoned: u32,
    pub tickets: u32,
    /// Tickets (of counted contacts) whose handling started in the interval.
    pub tickets_worked: u32,
    pub returns: u32,
    pub wait_sum_s: f64,
    /// Most live contacts waiting at once.
    pub max_waiting: u32,
    /// ∫ live waiting dt `[contact·s]`.
    pub waiting_area: f64,
    /// ∫ headcount on duty (surge included) dt `[agent·s]`.
    pub headcount_area: f64,
    /// ∫ surge headcount dt `[agent·s]`.
    pub surge_area: f64,
    /// ∫ busy chat slots dt.
    pub busy_area: f64,
    /// ∫ on-duty chat slots dt.
    pub slot_area: f64,
    /// Seconds of the interval spent in a queue alert.
    pub alert_s: f64,
}

/// Offered / answered / within-target / abandoned / wait sum of one class in one interval.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClassInterval {
    pub offered: u32,
    pub answered: u32,
    pub answered_within_target: u32,
    pub abandoned: u32,
    pub wait_sum_s: f64,
    /// Offered contacts that left the live line neither answered nor abandoned (timed out
    /// or cleared at closing by the `[queue]` rules): no column, it only lets the row go.
    pub diverted: u32,
}

/// Everything one replication measured over the counted horizon.
#[derive(Debug, Clone)]
pub struct RepStats {
    /// Counted arrivals (returns excluded).
    pub contacts: u64,
    pub bot_met: u64,
    pub bot_resolved: u64,
    pub bot_transferred: u64,
    /// Bot resolutions that were false (the customer came back).
    pub bot_false_resolved: u64,
    /// Contacts that skipped the bot.
    pub straight_to_agents: u64,
    /// Counted contacts that waited for a free bot session (`[bot] sessions`), and their
    /// waits summed `[s]`.
    pub bot_session_waited: u64,
    pub bot_session_wait_sum_s: f64,
    /// Counted contacts sent straight to agents because every bot session was taken.
    pub bot_full_to_agents: u64,
    pub human: HumanStats,
    /// By category, in scenario order.
    pub by_category: Vec<HumanStats>,
    /// `[vip, normal]`.
    pub by_priority: [HumanStats; 2],
    pub tickets: u64,
    pub ticket_response_sum_s: f64,
    pub ticket_responses: u64,
    pub unserved: u64,
    pub alert_episodes: u64,
    pub alert_total_s: f64,
    pub alert_longest_s: f64,
    pub surge_call_ins: u64,
    /// ∫ busy slots and on-duty slots over the counted horizon.
    pub busy_area: f64,
    pub slot_area: f64,
    /// Agent-seconds on duty over the counted horizon, surge included, and surge alone.
    pub agent_seconds: f64,
    pub surge_agent_seconds: f64,
    /// Scheduled agent-seconds lost to absence (`[[pools]] absence`) in the counted horizon.
    pub absent_agent_seconds: f64,
    /// Counted contacts still unfinished when the drain limit stopped the run.
    pub censored: u64,
    /// Outcomes of the `[queue]` and `[retrials]` rules (all 0 when they are off).
    pub queue: QueueStats,
    /// Simulation events processed (for speed figures).
    pub events: u64,
    /// Contacts simulated, warm-up included.
    pub contacts_simulated: u64,
    /// Most per-interval rows the replication held at once (memory diagnostics: see
    /// [`IntervalWindow`](super::IntervalWindow)).
    pub interval_rows_peak: usize,
    /// The per-interval table, when the replication kept it in memory
    /// ([`engine::simulate`](crate::engine::simulate)); empty when its rows were streamed to
    /// a sink ([`engine::simulate_streamed`](crate::engine::simulate_streamed)).
    pub intervals: Vec<IntervalStats>,
    /// `class_intervals[i * classes + k]`: class k (categories, then vip, normal) in interval i
    /// (empty when streamed, like `intervals`).
    pub class_intervals: Vec<ClassInterval>,
    /// Per simulated day of the counted horizon (one entry per day, so memory grows by a
    /// few words a day, not with the contacts).
    pub days: Vec<DayStats>,
}

impl RepStats {
    /// Empty statistics; the per-interval table is left empty (filled from the rows the
    /// engine hands out, when they are kept).
    pub fn new(categories: usize) -> Self {
        RepStats {
            contacts: 0,
            bot_met: 0,
            bot_resolved: 0,
            bot_transferred: 0,
            bot_false_resolved: 0,
            straight_to_agents: 0,
            bot_session_waited: 0,
            bot_session_wait_sum_s: 0.0,
            bot_full_to_agents: 0,
            human: HumanStats::default(),
            by_category: vec![HumanStats::default(); categories],
            by_priority: [HumanStats::default(), HumanStats::default()],
            tickets: 0,
            ticket_response_sum_s: 0.0,
            ticket_responses: 0,
            unserved: 0,
            alert_episodes: 0,
            alert_total_s: 0.0,
            alert_longest_s: 0.0,
            surge_call_ins: 0,
            busy_area: 0.0,
            slot_area: 0.0,
            agent_seconds: 0.0,
            surge_agent_seconds: 0.0,
            absent_agent_seconds: 0.0,
            censored: 0,
            queue: QueueStats::default(),
            events: 0,
            contacts_simulated: 0,
            interval_rows_peak: 0,
            intervals: Vec::new(),
            class_intervals: Vec::new(),
            days: Vec::new(),
        }
    }

    /// Number of classes per interval in `class_intervals`.
    pub fn classes(&self) -> usize {
        self.by_category.len() + 2
    }
}
