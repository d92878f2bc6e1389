//! Contacts in flight, kept in a slab whose slots are reused, so the engine allocates
//! nothing per contact once warmed up. A slot's generation changes whenever its contact is
//! removed, which makes stale queue entries harmless. Generations are kept beside the slots
//! so that a new contact is written straight into its slot.

/// Index of a contact's slot.
pub(crate) type ContactId = u32;

/// Where a contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Stage {
    /// With the bot.
    #[default]
    Bot,
    /// Resolved by the bot, but will come back.
    AwaitingReturn,
    /// Waiting for an agent, still there.
    Waiting,
    /// Left silently: still looks like a waiting chat to agents.
    Ghost,
    /// An offline message waiting to be worked.
    Ticket,
    /// Being handled by an agent.
    InService,
    /// An agent is closing a chat whose customer left silently.
    Closing,
}

/// One contact (one visit at a time; a return reuses the slot).
#[derive(Debug, Clone, Default)]
pub(crate) struct Contact {
    /// Arrival instant of the current visit `[s]`.
    pub(crate) arrival: f64,
    /// When it entered the human queue `[s]`.
    pub(crate) queued_at: f64,
    /// Handle time drawn for the current visit, before slowdown `[s]`.
    pub(crate) handle_s: f64,
    /// Draws kept for a return after a false resolution (patience is drawn when the contact
    /// has to wait).
    pub(crate) return_after_s: f64,
    pub(crate) return_handle_s: f64,
    pub(crate) category: u16,
    /// Reporting interval of queue entry (counted contacts only).
    pub(crate) interval: u32,
    pub(crate) stage: Stage,
    pub(crate) vip: bool,
    pub(crate) counted: bool,
    pub(crate) is_return: bool,
    /// Attempts before this one (retrials after abandoning; 0 for the first).
    pub(crate) attempt: u8,
    /// Its timer is the `max_wait_s` timeout, not its patience (current visit).
    pub(crate) times_out: bool,
    /// Would leave silently if it abandons (current visit; set when it starts waiting).
    pub(crate) silent: bool,
    /// The bot's answer will be right.
    pub(crate) bot_resolves: bool,
    pub(crate) bot_false: bool,
    /// The contact's number (it keys the contact's random streams). Trace fields: the number, intent, whether this visit met the bot, whether it
    /// became a ticket, when service started and in which pool.
    pub(crate) number: u64,
    pub(crate) complex: bool,
    pub(crate) bot_met: bool,
    pub(crate) ticket: bool,
    pub(crate) service_start: f64,
    /// The pool and agent of the chat, once one has started (read at the chat's end).
    pub(crate) pool: u16,
    pub(crate) agent: u32,
}

/// The slab.
#[derive(Default)]
pub(crate) struct Contacts {
    slots: Vec<Contact>,
    /// `generations[id]`: bumped when the slot's contact is removed.
    generations: Vec<u32>,
    free: Vec<ContactId>,
}

impl Contacts {
    /// A free slot for a new contact (its old content is to be overwritten).
    #[inline]
    pub(crate) fn alloc(&mut self) -> ContactId {
        match self.free.pop() {
            Some(id) => id,
            None => self.grow(),
        }
    }

    #[cold]
    fn grow(&mut self) -> ContactId {
        self.slots.push(Contact::default());
        self.generations.push(0);
        (self.slots.len() - 1) as ContactId
    }

    #[inline]
    pub(crate) fn remove(&mut self, id: ContactId) {
        let g = &mut self.generations[id as usize];
        *g = g.wrapping_add(1);
        self.free.push(id);
    }

    /// The slot's generation: the same from insertion to removal.
    #[inline]
    pub(crate) fn generation(&self, id: ContactId) -> u32 {
        self.generations[id as usize]
    }

    #[inline]
    pub(crate) fn get(&self, id: ContactId) -> &Contact {
        &self.slots[id as usize]
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: ContactId) -> &mut Contact {
        &mut self.slots[id as usize]
    }
}
