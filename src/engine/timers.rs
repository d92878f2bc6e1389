//! Patience timers: one per contact waiting live with a finite patience, in a binary heap
//! indexed by contact so that a contact who is served cancels its timer at once. The main
//! event heap then never carries (and pops) the timers of contacts already served — at
//! load 1.0 about half of all contacts wait and nearly all of them are served in time.
//!
//! Keys are the same `u128` (time, rank, sequence) keys as the main event heap, drawn from
//! the same sequence counter, so merging the two heaps pops events in exactly the order one
//! heap holding everything would.

use super::contact::ContactId;

const NONE: u32 = u32::MAX;

#[derive(Default)]
pub struct TimerHeap {
    /// `(key, contact)` in binary-heap order.
    heap: Vec<(u128, ContactId)>,
    /// `pos[contact]`: the contact's index in `heap`, or [`NONE`].
    pos: Vec<u32>,
}

impl TimerHeap {
    /// The earliest key, or `u128::MAX` when there is no timer.
    #[inline]
    pub fn min_key(&self) -> u128 {
        self.heap.first().map_or(u128::MAX, |e| e.0)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Starts `contact`'s timer (it must not have one).
    #[inline]
    pub fn push(&mut self, key: u128, contact: ContactId) {
        let c = contact as usize;
        if c >= self.pos.len() {
            self.pos.resize(c + 1, NONE);
        }
        debug_assert_eq!(self.pos[c], NONE, "contact {contact} already has a timer");
        self.heap.push((key, contact));
        let at = self.heap.len() - 1;
        self.sift_up(at, (key, contact));
    }

    /// Removes and returns the earliest timer.
    #[inline]
    pub fn pop(&mut self) -> Option<(u128, ContactId)> {
        let top = *self.heap.first()?;
        self.remove_at(0);
        Some(top)
    }

    /// Cancels `contact`'s timer, if it has one.
    #[inline]
    pub fn cancel(&mut self, contact: ContactId) {
        if let Some(&at) = self.pos.get(contact as usize) {
            if at != NONE {
                self.remove_at(at as usize);
            }
        }
    }

    fn remove_at(&mut self, at: usize) {
        let gone = self.heap[at].1;
        self.pos[gone as usize] = NONE;
        let last = self.heap.pop().expect("a timer to remove");
        if at < self.heap.len() {
            // The former last entry fills the hole: it may need to go either way.
            if at > 0 && last.0 < self.heap[(at - 1) / 2].0 {
                self.sift_up(at, last);
            } else {
                self.sift_down(at, last);
            }
        }
    }

    #[inline]
    fn place(&mut self, at: usize, e: (u128, ContactId)) {
        self.heap[at] = e;
        self.pos[e.1 as usize] = at as u32;
    }

    #[inline]
    fn sift_up(&mut self, mut at: usize, e: (u128, ContactId)) {
        while at > 0 {
            let parent = (at - 1) / 2;
            let p = self.heap[parent];
            if p.0 <= e.0 {
                break;
            }
            self.place(at, p);
            at = parent;
        }
        self.place(at, e);
    }

    fn sift_down(&mut self, mut at: usize, e: (u128, ContactId)) {
        let n = self.heap.len();
        loop {
            let left = 2 * at + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right].0 < self.heap[left].0 {
                right
            } else {
                left
            };
            if e.0 <= self.heap[child].0 {
                break;
            }
            let c = self.heap[child];
            self.place(at, c);
            at = child;
        }
        self.place(at, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_key_order_and_cancels() {
        let mut h = TimerHeap::default();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut live = std::collections::BTreeMap::new();
        for round in 0..5_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let contact = (x % 300) as u32;
            if x.is_multiple_of(3) {
                h.cancel(contact);
                live.retain(|_, c| *c != contact);
            } else if !live.values().any(|&c| c == contact) {
                let key = ((x >> 20) as u128) << 64 | round as u128;
                h.push(key, contact);
                live.insert(key, contact);
            }
            if x.is_multiple_of(7) {
                let want = live.pop_first();
                assert_eq!(h.pop(), want);
            }
            assert_eq!(h.len(), live.len());
        }
        while let Some(want) = live.pop_first() {
            assert_eq!(h.pop(), Some(want));
        }
        assert!(h.pop().is_none());
    }
}
