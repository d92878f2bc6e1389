//! Contacts in flight, kept in a slab whose slots are reused, so the engine allocates
//! nothing per contact once warmed up. A slot's `generation` changes whenever the contact
//! leaves a queue or the slot is reused, which makes stale timers and queue entries harmless.

/// Index of a contact's slot.
pub type ContactId = u32;

/// Where a contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// With the bot.
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
#[derive(Debug, Clone)]
pub struct Contact {
    /// Arrival instant of the current visit `[s]`.
    pub arrival: f64,
    /// When it entered the human queue `[s]`.
    pub queued_at: f64,
    /// Handle time drawn for the current visit, before slowdown `[s]`.
    pub handle_s: f64,
    /// Patience of the current visit `[s]` (infinite: never abandons).
    pub patience_s: f64,
    /// Draws kept for a return after a false resolution.
    pub return_after_s: f64,
    pub return_handle_s: f64,
    pub return_patience_s: f64,
    pub generation: u32,
    pub category: u16,
    /// Reporting interval of queue entry (counted contacts only).
    pub interval: u32,
    pub stage: Stage,
    pub vip: bool,
    pub counted: bool,
    pub is_return: bool,
    /// Would leave silently if it abandons (current visit).
    pub silent: bool,
    pub return_silent: bool,
    /// The bot's answer will be right.
    pub bot_resolves: bool,
    pub bot_false: bool,
    /// Trace fields: the contact's number, intent, whether this visit met the bot, whether it
    /// became a ticket, when service started and in which pool.
    pub number: u64,
    pub complex: bool,
    pub bot_met: bool,
    pub ticket: bool,
    pub service_start: f64,
    pub pool: u16,
}

/// The slab.
#[derive(Default)]
pub struct Contacts {
    slots: Vec<Contact>,
    free: Vec<ContactId>,
}

impl Contacts {
    /// Stores a contact and returns its id.
    #[inline]
    pub fn insert(&mut self, c: Contact) -> ContactId {
        if let Some(id) = self.free.pop() {
            let generation = self.slots[id as usize].generation.wrapping_add(1);
            self.slots[id as usize] = Contact { generation, ..c };
            id
        } else {
            self.slots.push(c);
            (self.slots.len() - 1) as ContactId
        }
    }

    /// Releases a slot; pending references to it become stale.
    #[inline]
    pub fn remove(&mut self, id: ContactId) {
        let c = &mut self.slots[id as usize];
        c.generation = c.generation.wrapping_add(1);
        self.free.push(id);
    }

    #[inline]
    pub fn get(&self, id: ContactId) -> &Contact {
        &self.slots[id as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, id: ContactId) -> &mut Contact {
        &mut self.slots[id as usize]
    }

    /// Slots ever allocated (the peak number of contacts in flight).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}
