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
pub(crate) struct WaitingLines {
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
    pub(crate) fn new(skills: usize, vip_first: bool) -> Self {
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
    pub(crate) fn push_live(&mut self, contacts: &Contacts, id: ContactId, skill: usize) {
        let e = self.entry(contacts, id);
        let lines = &mut self.skills[skill];
        if contacts.get(id).vip {
            lines.vip.push_back(e)
        } else {
            lines.normal.push_back(e)
        }
    }

    /// The live contacts still waiting for `skill` (silent leavers not included), earliest
    /// queue entry first; their entries stay and go stale once they leave the line.
    pub(crate) fn waiting_live(&self, contacts: &Contacts, skill: usize) -> Vec<ContactId> {
        let lines = &self.skills[skill];
        let mut found: Vec<&Entry> = lines
            .vip
            .iter()
            .chain(&lines.normal)
            .filter(|e| is_current(e, contacts, false))
            .filter(|e| contacts.get(e.contact).stage == Stage::Waiting)
            .collect();
        found.sort_by_key(|e| e.seq);
        found.into_iter().map(|e| e.contact).collect()
    }

    /// Puts a live contact in the priority (VIP) line for `skill`, whatever its own class
    /// (`[bot] failed_priority`).
    pub(crate) fn push_priority(&mut self, contacts: &Contacts, id: ContactId, skill: usize) {
        let e = self.entry(contacts, id);
        self.skills[skill].vip.push_back(e)
    }

    /// Puts a ticket in line for `skill`.
    pub(crate) fn push_ticket(&mut self, contacts: &Contacts, id: ContactId, skill: usize) {
        let e = self.entry(contacts, id);
        self.skills[skill].tickets.push_back(e);
    }

    /// The next piece of work for a pool serving `skills`: the live contact of highest
    /// priority that entered earliest; failing that, the oldest ticket. With `skill_order`
    /// the pool's skills rank first, in their listed order (then priority, then entry).
    fn pick(&mut self, contacts: &Contacts, skills: &[usize], skill_order: bool) -> Option<Pick> {
        let mut best: Option<((usize, u8, u64), Pick)> = None;
        fn consider(
            best: &mut Option<((usize, u8, u64), Pick)>,
            rank: (usize, u8),
            e: Option<Entry>,
            skill: usize,
            line: Line,
        ) {
            if let Some(e) = e {
                let key = (rank.0, rank.1, e.seq);
                if best.is_none_or(|(k, _)| key < k) {
                    *best = Some((
                        key,
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
        for (i, &s) in skills.iter().enumerate() {
            let rank = if skill_order { i } else { 0 };
            let lines = &mut self.skills[s];
            consider(
                &mut best,
                (rank, 0),
                front(&mut lines.vip, contacts, false),
                s,
                Line::Vip,
            );
            consider(
                &mut best,
                (rank, normal_class),
                front(&mut lines.normal, contacts, false),
                s,
                Line::Normal,
            );
        }
        if best.is_none() {
            for (i, &s) in skills.iter().enumerate() {
                let rank = if skill_order { i } else { 0 };
                consider(
                    &mut best,
                    (rank, 2),
                    front(&mut self.skills[s].tickets, contacts, true),
                    s,
                    Line::Ticket,
                );
            }
        }
        best.map(|b| b.1)
    }

    /// Takes the next piece of work for a pool serving `skills` out of its line: the same
    /// choice as [`pick`](Self::pick) followed by [`take`](Self::take), with a fast path for
    /// a pool serving one skill. Once per chat: forced inline (LLVM kept it out of line).
    #[inline(always)]
    pub(crate) fn pop_next(
        &mut self,
        contacts: &Contacts,
        skills: &[usize],
        skill_order: bool,
    ) -> Option<ContactId> {
        let &[skill] = skills else {
            let pick = self.pick(contacts, skills, skill_order)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::contact::Contact;
    use proptest::prelude::*;

    const SKILLS: usize = 3;

    /// What happens next to the lines.
    #[derive(Debug, Clone)]
    enum Op {
        /// A live contact (VIP or not) starts waiting for a skill.
        Live { skill: usize, vip: bool },
        /// A ticket is filed for a skill.
        Ticket { skill: usize },
        /// The `k`-th contact still in line leaves: removed from the slab, or (silently)
        /// left in line as a ghost.
        Leave { k: usize, silent: bool },
        /// A pool serving one skill takes its next piece of work.
        Pop { skill: usize },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..SKILLS, any::<bool>()).prop_map(|(skill, vip)| Op::Live { skill, vip }),
            1 => (0..SKILLS).prop_map(|skill| Op::Ticket { skill }),
            2 => (0usize..64, any::<bool>()).prop_map(|(k, silent)| Op::Leave { k, silent }),
            4 => (0..SKILLS).prop_map(|skill| Op::Pop { skill }),
        ]
    }

    /// The general path of [`WaitingLines::pop_next`]: [`pick`](WaitingLines::pick), then
    /// [`take`](WaitingLines::take).
    fn pop_general(lines: &mut WaitingLines, contacts: &Contacts, skill: usize) -> Option<u32> {
        let pick = lines.pick(contacts, &[skill], false)?;
        lines.take(pick);
        Some(pick.contact)
    }

    /// Applies `ops` to two copies of the lines, one popped by the single-skill fast path and
    /// one by the general path: they must take the same contact every time.
    fn check(vip_first: bool, ops: &[Op]) {
        let mut contacts = Contacts::default();
        let mut fast = WaitingLines::new(SKILLS, vip_first);
        let mut general = WaitingLines::new(SKILLS, vip_first);
        // Contacts in line (live, ghost or ticket), oldest first.
        let mut in_line: Vec<ContactId> = Vec::new();
        for (n, op) in ops.iter().enumerate() {
            match *op {
                Op::Live { skill, vip } => {
                    let id = contacts.alloc();
                    *contacts.get_mut(id) = Contact {
                        vip,
                        stage: Stage::Waiting,
                        ..Contact::default()
                    };
                    fast.push_live(&contacts, id, skill);
                    general.push_live(&contacts, id, skill);
                    in_line.push(id);
                }
                Op::Ticket { skill } => {
                    let id = contacts.alloc();
                    *contacts.get_mut(id) = Contact {
                        stage: Stage::Ticket,
                        ..Contact::default()
                    };
                    fast.push_ticket(&contacts, id, skill);
                    general.push_ticket(&contacts, id, skill);
                    in_line.push(id);
                }
                Op::Leave { k, silent } => {
                    if in_line.is_empty() {
                        continue;
                    }
                    let id = in_line[k % in_line.len()];
                    if contacts.get(id).stage != Stage::Waiting {
                        continue;
                    }
                    if silent {
                        contacts.get_mut(id).stage = Stage::Ghost;
                    } else {
                        in_line.retain(|&c| c != id);
                        contacts.remove(id);
                    }
                }
                Op::Pop { skill } => {
                    let got = fast.pop_next(&contacts, &[skill], false);
                    let want = pop_general(&mut general, &contacts, skill);
                    assert_eq!(got, want, "op {n}: {op:?}");
                    if let Some(id) = got {
                        in_line.retain(|&c| c != id);
                        // Served: its slot is freed (and reused by later contacts).
                        contacts.get_mut(id).stage = Stage::InService;
                        contacts.remove(id);
                    }
                }
            }
        }
        // Whatever is left comes out in the same order.
        for skill in 0..SKILLS {
            loop {
                let got = fast.pop_next(&contacts, &[skill], false);
                assert_eq!(got, pop_general(&mut general, &contacts, skill), "draining");
                let Some(id) = got else { break };
                contacts.remove(id);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        #[test]
        fn the_fast_path_takes_what_the_general_path_takes(
            vip_first in any::<bool>(),
            ops in proptest::collection::vec(op(), 0..200),
        ) {
            check(vip_first, &ops);
        }
    }

    #[test]
    fn priority_then_entry_order_then_tickets() {
        // c0 normal, c1 VIP, c2 ticket, c3 normal: VIP first takes c1, c0, c3, then the
        // ticket; without VIP priority the live contacts go by entry order: c0, c1, c3.
        for (vip_first, want) in [(true, [1, 0, 3, 2]), (false, [0, 1, 3, 2])] {
            let mut contacts = Contacts::default();
            let mut lines = WaitingLines::new(1, vip_first);
            for (vip, stage) in [
                (false, Stage::Waiting),
                (true, Stage::Waiting),
                (false, Stage::Ticket),
                (false, Stage::Waiting),
            ] {
                let id = contacts.alloc();
                *contacts.get_mut(id) = Contact {
                    vip,
                    stage,
                    ..Contact::default()
                };
                if stage == Stage::Ticket {
                    lines.push_ticket(&contacts, id, 0);
                } else {
                    lines.push_live(&contacts, id, 0);
                }
            }
            let order: Vec<_> =
                std::iter::from_fn(|| lines.pop_next(&contacts, &[0], false)).collect();
            assert_eq!(order, want, "vip_first {vip_first}");
        }
    }

    #[test]
    fn skill_order_takes_the_first_listed_skill_with_someone_waiting() {
        // c0 waits for skill 1 (first), c1 for skill 0, c2 (VIP) for skill 1, then a ticket
        // for skill 0. A pool serving [0, 1]: longest waiting takes c2 (VIP first), c0, c1;
        // skill order takes skill 0's c1 first, then skill 1's VIP c2 and c0; tickets last.
        for (skill_order, want) in [(false, [2, 0, 1, 3]), (true, [1, 2, 0, 3])] {
            let mut contacts = Contacts::default();
            let mut lines = WaitingLines::new(2, true);
            for (skill, vip, stage) in [
                (1, false, Stage::Waiting),
                (0, false, Stage::Waiting),
                (1, true, Stage::Waiting),
                (0, false, Stage::Ticket),
            ] {
                let id = contacts.alloc();
                *contacts.get_mut(id) = Contact {
                    vip,
                    stage,
                    ..Contact::default()
                };
                if stage == Stage::Ticket {
                    lines.push_ticket(&contacts, id, skill);
                } else {
                    lines.push_live(&contacts, id, skill);
                }
            }
            let order: Vec<_> =
                std::iter::from_fn(|| lines.pop_next(&contacts, &[0, 1], skill_order)).collect();
            assert_eq!(order, want, "skill_order {skill_order}");
        }
    }
}
