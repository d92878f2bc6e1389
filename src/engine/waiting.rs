//! Contacts waiting for agents, per skill: a VIP line and a normal line of live chats
//! (FIFO by queue entry), and a line of tickets (oldest first). Abandoned entries are left in
//! place and skipped when they reach the front (their generation no longer matches).

use super::contact::{ContactId, Contacts, Stage};
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy)]
struct Entry {
    contact: ContactId,
    generation: u32,
    /// Global insertion order: entries enter in time order, so this is "earliest first".
    seq: u64,
}

#[derive(Debug, Default)]
struct SkillLines {
    vip: VecDeque<Entry>,
    normal: VecDeque<Entry>,
    tickets: VecDeque<Entry>,
}

/// What a freed slot should take next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pick {
    contact: ContactId,
    skill: usize,
    line: Line,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Vip,
    Normal,
    Ticket,
}

/// All waiting lines.
pub struct WaitingLines {
    skills: Vec<SkillLines>,
    seq: u64,
    vip_first: bool,
}

fn is_current(e: &Entry, contacts: &Contacts, ticket: bool) -> bool {
    let c = contacts.get(e.contact);
    contacts.generation(e.contact) == e.generation
        && if ticket {
            c.stage == Stage::Ticket
        } else {
            matches!(c.stage, Stage::Waiting | Stage::Ghost)
        }
}

/// Drops stale entries at the front and returns the first current one.
fn front(line: &mut VecDeque<Entry>, contacts: &Contacts, ticket: bool) -> Option<Entry> {
    while let Some(e) = line.front() {
        if is_current(e, contacts, ticket) {
            return Some(*e);
        }
        line.pop_front();
    }
    None
}

impl WaitingLines {
    pub fn new(skills: usize, vip_first: bool) -> Self {
        WaitingLines {
            skills: (0..skills).map(|_| SkillLines::default()).collect(),
            seq: 0,
            vip_first,
        }
    }

    fn entry(&mut self, contacts: &Contacts, id: ContactId) -> Entry {
        self.seq += 1;
        Entry {
            contact: id,
            generation: contacts.generation(id),
            seq: self.seq,
        }
    }

    /// Puts a live contact in line for `skill`.
    pub fn push_live(&mut self, contacts: &Contacts, id: ContactId, skill: usize) {
        let e = self.entry(contacts, id);
        let lines = &mut self.skills[skill];
        if contacts.get(id).vip {
            lines.vip.push_back(e)
        } else {
            lines.normal.push_back(e)
        }
    }

    /// Puts a ticket in line for `skill`.
    pub fn push_ticket(&mut self, contacts: &Contacts, id: ContactId, skill: usize) {
        let e = self.entry(contacts, id);
        self.skills[skill].tickets.push_back(e);
    }

    /// The next piece of work for a pool serving `skills`: the live contact of highest
    /// priority that entered earliest; failing that, the oldest ticket.
    fn pick(&mut self, contacts: &Contacts, skills: &[usize]) -> Option<Pick> {
        let mut best: Option<(u8, u64, Pick)> = None;
        fn consider(
            best: &mut Option<(u8, u64, Pick)>,
            class: u8,
            e: Option<Entry>,
            skill: usize,
            line: Line,
        ) {
            if let Some(e) = e {
                if best.is_none_or(|(c, s, _)| (class, e.seq) < (c, s)) {
                    *best = Some((
                        class,
                        e.seq,
                        Pick {
                            contact: e.contact,
                            skill,
                            line,
                        },
                    ));
                }
            }
        }
        let normal_class = if self.vip_first { 1 } else { 0 };
        for &s in skills {
            let lines = &mut self.skills[s];
            consider(
                &mut best,
                0,
                front(&mut lines.vip, contacts, false),
                s,
                Line::Vip,
            );
            consider(
                &mut best,
                normal_class,
                front(&mut lines.normal, contacts, false),
                s,
                Line::Normal,
            );
        }
        if best.is_none() {
            for &s in skills {
                consider(
                    &mut best,
                    2,
                    front(&mut self.skills[s].tickets, contacts, true),
                    s,
                    Line::Ticket,
                );
            }
        }
        best.map(|b| b.2)
    }

    /// Takes the next piece of work for a pool serving `skills` out of its line: the same
    /// choice as [`pick`](Self::pick) followed by [`take`](Self::take), with a fast path for
    /// a pool serving one skill. Once per chat: forced inline (LLVM kept it out of line).
    #[inline(always)]
    pub fn pop_next(&mut self, contacts: &Contacts, skills: &[usize]) -> Option<ContactId> {
        let &[skill] = skills else {
            let pick = self.pick(contacts, skills)?;
            self.take(pick);
            return Some(pick.contact);
        };
        let lines = &mut self.skills[skill];
        let vip = front(&mut lines.vip, contacts, false);
        let normal = front(&mut lines.normal, contacts, false);
        let line = match (vip, normal) {
            (Some(v), Some(n)) if self.vip_first || v.seq < n.seq => &mut lines.vip,
            (Some(_), Some(_)) | (None, Some(_)) => &mut lines.normal,
            (Some(_), None) => &mut lines.vip,
            (None, None) => {
                front(&mut lines.tickets, contacts, true)?;
                &mut lines.tickets
            }
        };
        line.pop_front().map(|e| e.contact)
    }

    /// Removes a picked entry (it is at the front of its line).
    fn take(&mut self, pick: Pick) {
        let lines = &mut self.skills[pick.skill];
        let line = match pick.line {
            Line::Vip => &mut lines.vip,
            Line::Normal => &mut lines.normal,
            Line::Ticket => &mut lines.tickets,
        };
        let e = line.pop_front();
        debug_assert_eq!(e.map(|e| e.contact), Some(pick.contact));
    }
}
