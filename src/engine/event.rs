//! The kinds of event, and the fixed order in which events at the same instant are handled.

use super::contact::ContactId;

/// Everything that can happen. Handled in one `match` in `engine.rs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Event {
    /// The next contact arrives; the arrival process keeps exactly one of these pending.
    Arrival,
    /// The bot has answered a contact: it leaves resolved or is transferred.
    BotDone { contact: ContactId },
    /// A falsely resolved contact comes back, straight to the human queue.
    Return { contact: ContactId },
    /// A customer who abandoned writes again (a retrial), straight to the human queue.
    Retrial { contact: ContactId },
    /// A waiting contact's patience runs out (the timer is cancelled if it is served first),
    /// or its `max_wait_s` does (`Contact::times_out`): the same timer, the earlier of the two.
    PatienceEnd { contact: ContactId },
    /// An agent finishes a chat (live, ticket or silent close) and frees a slot.
    /// The agent and pool are the contact's (`Contact::agent`, `Contact::pool`), so that
    /// the event fits in the event queue's key.
    ChatEnd { contact: ContactId },
    /// A pool's scheduled headcount may change.
    StaffingChange { pool: u16 },
    /// An alert episode has lasted a surge's `after_s`: call on-call agents in.
    SurgeCall { surge: u16, episode: u64 },
    /// Called-in agents have logged in.
    SurgeJoin { surge: u16 },
    /// The release timer of a surge expires (stale if an alert started since).
    SurgeRelease { surge: u16, calm_since: u64 },
    /// The end of the counted horizon: closes time-weighted statistics.
    HorizonEnd,
}

/// Same-instant order, lowest first. Freed capacity is applied before anyone new is routed
/// (simmer's release-before-seize), so a contact whose patience ends at the very instant a
/// slot frees is served; arrivals come last so they see the state the instant left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Rank {
    ChatEnd = 0,
    Staffing = 1,
    Surge = 2,
    Patience = 3,
    Transfer = 4,
    Arrival = 5,
    Horizon = 6,
}

impl Rank {
    /// Every rank, lowest first (the event key checks each fits its bits: `key.rs`).
    pub(crate) const ALL: [Rank; 7] = [
        Rank::ChatEnd,
        Rank::Staffing,
        Rank::Surge,
        Rank::Patience,
        Rank::Transfer,
        Rank::Arrival,
        Rank::Horizon,
    ];
}

impl Event {
    pub(crate) fn rank(&self) -> Rank {
        match self {
            Event::ChatEnd { .. } => Rank::ChatEnd,
            Event::StaffingChange { .. } => Rank::Staffing,
            Event::SurgeCall { .. } | Event::SurgeJoin { .. } | Event::SurgeRelease { .. } => {
                Rank::Surge
            }
            Event::PatienceEnd { .. } => Rank::Patience,
            Event::BotDone { .. } | Event::Return { .. } | Event::Retrial { .. } => Rank::Transfer,
            Event::Arrival => Rank::Arrival,
            Event::HorizonEnd => Rank::Horizon,
        }
    }
}
