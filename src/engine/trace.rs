//! The per-contact trace hook: one [`TraceRow`] per visit of a counted contact, handed to a
//! [`TraceSink`] the moment the visit is over (so a sink that streams to disk keeps memory
//! flat). [`super::simulate`] passes no sink; the hook then costs one branch per visit.

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Served live by an agent.
    Answered,
    /// Left the human queue before service (silent or not).
    Abandoned,
    /// Resolved by the bot (a false resolution comes back as a later visit).
    BotResolved,
    /// Became an offline message and was worked later.
    Ticket,
    /// No agent with the skill on duty and tickets are off: lost.
    Unserved,
    /// Left at once instead of waiting (`queue.balk`).
    Balked,
    /// Turned away by a cap (`queue.max_in_system`, or `queue.max_waiting` with
    /// `when_full = "lost"`) or cleared at closing (`queue.on_close = "lost"`): lost.
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Abandoned => "abandoned",
            Outcome::BotResolved => "bot_resolved",
            Outcome::Ticket => "ticket",
            Outcome::Unserved => "unserved",
            Outcome::Balked => "balked",
            Outcome::Refused => "refused",
        }
    }
}

/// One visit of one counted contact. Times are simulation seconds (see
/// [`crate::model::Calendar`] for the civil date).
#[derive(Debug, Clone)]
pub struct TraceRow {
    pub replication: u64,
    /// The contact's number in its replication (shared by its visits).
    pub contact: u64,
    /// 0 for the first visit, then 1 more for the return after a false bot resolution and
    /// for each retrial after abandoning.
    pub visit: u32,
    pub arrival: f64,
    pub category: usize,
    pub complex: bool,
    pub vip: bool,
    pub bot_met: bool,
    pub bot_resolved: bool,
    /// Met the bot and was handed to agents.
    pub transferred: bool,
    /// When it entered the human queue (or became a ticket).
    pub queued_at: Option<f64>,
    /// First human response.
    pub service_start: Option<f64>,
    /// When the visit ended (bot answer, abandonment, or end of the chat).
    pub end: f64,
    pub outcome: Outcome,
    /// Pool of the agent who served it.
    pub pool: Option<usize>,
    /// The agent who served it, by its index within the pool (agents logging out free their
    /// index for the next to log in). Not written to trace.csv.
    pub agent: Option<u32>,
}

/// Receives trace rows as the run goes.
pub trait TraceSink {
    fn row(&mut self, row: &TraceRow);
}

impl<F: FnMut(&TraceRow)> TraceSink for F {
    fn row(&mut self, row: &TraceRow) {
        self(row)
    }
}
