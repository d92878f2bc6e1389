//! Patience timers: one per contact waiting live with a finite patience, in a 4-ary heap
//! indexed by contact so that a contact who is served cancels its timer at once. The main
//! event heap then never carries (and pops) the timers of contacts already served — at
//! load 1.0 about half of all contacts wait and nearly all of them are served in time.
//!
//! Keys are the same `u128` (time, rank, sequence, payload) keys as the main event heap
//! (layout in [`super::key`]), drawn from the same sequence counter, so merging the two heaps
//! pops events in exactly the order one heap holding everything would; a timer's payload is
//! its contact, so the heap holds bare keys.

use super::contact::ContactId;
use super::key::{key_payload, smallest_of_four, EMPTY_KEY};

const NONE: u32 = u32::MAX;
/// Children per node: the smallest of four is found without branches
/// ([`smallest_of_four`]), and the heap is half as deep as a binary one.
const ARITY: usize = 4;

/// The first child of node `i`.
#[inline]
fn first_child(i: usize) -> usize {
    ARITY * i + 1
}

/// The parent of node `i > 0`.
#[inline]
fn parent(i: usize) -> usize {
    (i - 1) / ARITY
}

pub(crate) struct TimerHeap {
    /// Keys in 4-ary heap order in `heap[..n]`; a key's payload is its contact. The slots
    /// after them hold the largest key, at least `ARITY` of them, so that every node's
    /// children can be compared as a full group of four and the root read without a test.
    heap: Vec<u128>,
    n: usize,
    /// `pos[contact]`: the contact's index in `heap`, or [`NONE`].
    pos: Vec<u32>,
}

impl Default for TimerHeap {
    fn default() -> Self {
        TimerHeap {
            heap: vec![EMPTY_KEY; ARITY + 1],
            n: 0,
            pos: Vec::new(),
        }
    }
}

impl TimerHeap {
    /// The earliest key, or [`EMPTY_KEY`] when there is no timer.
    #[inline]
    pub(crate) fn min_key(&self) -> u128 {
        self.heap[0]
    }

    /// Pending timers (for the tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// The pending keys, in no particular order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = u128> + '_ {
        self.heap[..self.n].iter().copied()
    }

    /// Replaces every key `k` by `f(k)`; `f` must keep the keys' order and payloads.
    pub(crate) fn rekey(&mut self, f: impl Fn(u128) -> u128) {
        for k in &mut self.heap[..self.n] {
            let new = f(*k);
            debug_assert_eq!(key_payload(new), key_payload(*k));
            *k = new;
        }
    }

    /// Starts the timer of the contact in `key`'s payload (it must not have one).
    #[inline]
    pub(crate) fn push(&mut self, key: u128) {
        let c = key_payload(key) as usize;
        if c >= self.pos.len() {
            self.pos.resize(c + 1, NONE);
        }
        debug_assert_eq!(self.pos[c], NONE, "contact {c} already has a timer");
        let at = self.n;
        self.n += 1;
        if self.heap.len() < self.n + ARITY {
            self.heap.resize(self.n + ARITY, EMPTY_KEY);
        }
        self.sift_up(at, key);
    }

    /// Removes and returns the earliest timer's key.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<u128> {
        if self.n == 0 {
            return None;
        }
        let top = self.heap[0];
        self.remove_at(0);
        Some(top)
    }

    /// Cancels `contact`'s timer, if it has one.
    #[inline]
    pub(crate) fn cancel(&mut self, contact: ContactId) {
        if let Some(&at) = self.pos.get(contact as usize) {
            if at != NONE {
                self.remove_at(at as usize);
            }
        }
    }

    fn remove_at(&mut self, at: usize) {
        let gone = key_payload(self.heap[at]);
        self.pos[gone as usize] = NONE;
        self.n -= 1;
        let last = std::mem::replace(&mut self.heap[self.n], EMPTY_KEY);
        if at < self.n {
            // The former last entry fills the hole: it may need to go either way.
            if at > 0 && last < self.heap[parent(at)] {
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

    /// Forced inline into its two callers: once the heap was no longer exported from the
    /// crate (`pub(crate)`), LLVM kept this out of line (+0.5% instructions on M/M/200+M).
    #[inline(always)]
    fn sift_up(&mut self, mut at: usize, key: u128) {
        while at > 0 {
            let p = parent(at);
            let pk = self.heap[p];
            if pk <= key {
                break;
            }
            self.place(at, pk);
            at = p;
        }
        self.place(at, key);
    }

    fn sift_down(&mut self, mut at: usize, key: u128) {
        loop {
            let first = first_child(at);
            if first >= self.n {
                break;
            }
            // Slots from `n` on hold the largest key: a full group is always compared.
            let (best, best_at) = smallest_of_four(&self.heap[first..first + ARITY]);
            if key <= best {
                break;
            }
            self.place(at, best);
            at = first + best_at;
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
            let earliest = live.first_key_value().map_or(u128::MAX, |(k, _)| *k);
            assert_eq!(h.min_key(), earliest);
        }
        while let Some(want) = live.pop_first() {
            assert_eq!(h.pop(), Some(want.0));
        }
        assert!(h.pop().is_none());
        assert_eq!(h.min_key(), u128::MAX);
    }
}
