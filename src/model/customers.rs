//! `[queue]` and `[retrials]`: how customers meet a full or slow shop — a cap on the number
//! waiting, a cap on conversations in the shop, a maximum wait, balking, what happens to
//! those waiting when the last agent with their skill goes off duty, and abandoners who
//! write again. [`Customers::default`] is today's behaviour: every rule off.

use super::Dist;

/// Where a contact goes when a rule turns it away from the live queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divert {
    /// It becomes an offline message, worked later like any ticket.
    Ticket,
    /// It is lost.
    Lost,
}

/// What happens to live contacts still waiting when the last agent on duty with their
/// skill leaves (the shop closes for that skill).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClose {
    /// They keep waiting (until their patience runs out or an agent comes back): today's rule.
    Keep,
    /// They become offline messages.
    Ticket,
    /// They are lost.
    Lost,
}

/// Balking: the share of contacts who leave at once when they would have to wait.
#[derive(Debug, Clone, PartialEq)]
pub enum Balk {
    /// Nobody balks.
    Never,
    /// The same share whatever the queue.
    Share(f64),
    /// By the number already waiting (all skills): element `n` is the share when `n` wait;
    /// the last element holds beyond the list.
    ByWaiting(Vec<f64>),
}

impl Balk {
    /// The share that balks when `waiting` live contacts are already waiting.
    #[inline]
    pub fn share(&self, waiting: u32) -> f64 {
        match self {
            Balk::Never => 0.0,
            Balk::Share(p) => *p,
            Balk::ByWaiting(by) => by[(waiting as usize).min(by.len() - 1)],
        }
    }

    pub fn is_never(&self) -> bool {
        match self {
            Balk::Never => true,
            Balk::Share(p) => *p == 0.0,
            Balk::ByWaiting(by) => by.iter().all(|&p| p == 0.0),
        }
    }
}

/// `[queue]`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRules {
    /// Most live contacts waiting at once (all skills); a contact who would wait beyond it
    /// is turned away to `when_full`. `None`: no cap.
    pub max_waiting: Option<u32>,
    pub when_full: Divert,
    /// A contact still waiting after this long `[s]` becomes an offline message.
    pub max_wait_s: Option<f64>,
    pub balk: Balk,
    /// Most conversations in the shop at once: live contacts waiting plus chats in progress
    /// (tickets being worked included). A contact arriving at the human stage beyond it is
    /// refused and lost. `None`: no cap.
    pub max_in_system: Option<u32>,
    pub on_close: OnClose,
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            max_waiting: None,
            when_full: Divert::Ticket,
            max_wait_s: None,
            balk: Balk::Never,
            max_in_system: None,
            on_close: OnClose::Keep,
        }
    }
}

impl QueueRules {
    /// Whether any rule acts on a contact joining the queue (else the engine skips them).
    pub fn at_entry(&self) -> bool {
        self.max_waiting.is_some() || self.max_in_system.is_some() || !self.balk.is_never()
    }
}

/// `[retrials]`: abandoners (balkers included), and customers whose chat became a message,
/// who write again.
#[derive(Debug, Clone)]
pub struct Retrials {
    /// Probability that an abandoning customer writes again.
    pub probability: f64,
    /// Probability that a customer whose contact became a message (ticket) writes again
    /// live; the message stays in line and is worked too.
    pub after_message: f64,
    /// Delay from the abandonment to the new attempt.
    pub after: Dist,
    /// Most attempts per customer, the first included (≥ 2).
    pub max_attempts: u32,
}

/// Both sections.
#[derive(Debug, Clone, Default)]
pub struct Customers {
    pub queue: QueueRules,
    /// `None`: nobody writes again after abandoning.
    pub retrials: Option<Retrials>,
}

impl Customers {
    /// Whether every rule is off (results are then today's, byte for byte).
    pub fn is_neutral(&self) -> bool {
        self.queue == QueueRules::default() && self.retrials.is_none()
    }
}
