//! Patience timers: one per contact waiting live with a finite patience, in a binary heap
//! indexed by contact so that a contact who is served cancels its timer at once. The main
//! event heap then never carries (and pops) the timers of contacts already served — at
//! load 1.0 about half of all contacts wait and nearly all of them are served in time.
//!
//! Keys are the same `u128` (time, rank, sequence, payload) keys as the main event heap,
//! drawn from the same sequence counter, so merging the two heaps pops events in exactly the
//! order one heap holding everything would; a timer's payload is its contact, so the heap
//! holds bare keys.

use super::contact::ContactId;
use super::queue::key_payload;

const NONE: u32 = u32::MAX;

#[derive(Default)]
pub struct TimerHeap {
    /// Keys in binary-heap order; a key's payload is its contact.
    heap: Vec<u128>,
    /// `pos[contact]`: the contact's index in `heap`, or [`NONE`].
    pos: Vec<u32>,
}

impl TimerHeap {
    /// The earliest key, or `u128::MAX` when there is no timer.
    #[inline]
    pub fn min_key(&self) -> u128 {
        self.heap.first().copied().unwrap_or(u128::MAX)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The pending keys, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = u128> + '_ {
        self.heap.iter().copied()
    }

    /// Replaces every key `k` by `f(k)`; `f` must keep the keys' order and payloads.
    pub fn rekey(&mut self, f: impl Fn(u128) -> u128) {
        for k in &mut self.heap {
            let new = f(*k);
            debug_assert_eq!(key_payload(new), key_payload(*k));
            *k = new;
        }
    }

    /// Starts the timer of the contact in `key`'s payload (it must not have one).
    #[inline]
    pub fn push(&mut self, key: u128) {
        let c = key_payload(key) as usize;
        if c >= self.pos.len() {
            self.pos.resize(c + 1, NONE);
        }
        debug_assert_eq!(self.pos[c], NONE, "contact {c} already has a timer");
        self.heap.push(key);
        let at = self.heap.len() - 1;
        self.sift_up(at, key);
    }

    /// Removes and returns the earliest timer's key.
    #[inline]
    pub fn pop(&mut self) -> Option<u128> {
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
        let gone = key_payload(self.heap[at]);
        self.pos[gone as usize] = NONE;
        let last = self.heap.pop().expect("a timer to remove");
        if at < self.heap.len() {
            // The former last entry fills the hole: it may need to go either way.
            if at > 0 && last < self.heap[(at - 1) / 2] {
                self.sift_up(at, last);
            } else {
                self.sift_down(at, last);
            }
        }
    }

    #[inline]
    fn place(&mut self, at: usize, key: u128) {
        self.heap[at] = key;
        self.pos[key_payload(key) as usize] = at as u32;
    }

    #[inline]
    fn sift_up(&mut self, mut at: usize, key: u128) {
        while at > 0 {
            let parent = (at - 1) / 2;
            let p = self.heap[parent];
            if p <= key {
                break;
            }
            self.place(at, p);
            at = parent;
        }
        self.place(at, key);
    }

    fn sift_down(&mut self, mut at: usize, key: u128) {
        let n = self.heap.len();
        loop {
            let left = 2 * at + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right] < self.heap[left] {
                right
            } else {
                left
            };
            if key <= self.heap[child] {
                break;
            }
            let c = self.heap[child];
            self.place(at, c);
            at = child;
        }
        self.place(at, key);
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
                let key = ((x >> 20) as u128) << 64 | (round as u128) << 32 | contact as u128;
                h.push(key);
                live.insert(key, contact);
            }
            if x.is_multiple_of(7) {
                let want = live.pop_first();
                assert_eq!(h.pop(), want.map(|w| w.0));
            }
            assert_eq!(h.len(), live.len());
        }
        while let Some(want) = live.pop_first() {
            assert_eq!(h.pop(), Some(want.0));
        }
        assert!(h.pop().is_none());
    }
}
