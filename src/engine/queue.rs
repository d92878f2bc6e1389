//! The future event list, ordered by (time, rank, insertion sequence), so events at equal
//! instants are handled in a fixed, documented order. The key is one `u128` (layout in
//! [`super::key`]): time bits, then rank, sequence and payload. A comparison is two integer
//! compares, and since the key is a total order, any correct priority queue pops the same
//! sequence (results are bit-identical to the `std::collections::BinaryHeap` this replaced).
//!
//! The key carries the event itself: a chat end (nearly every event in the heap) is its rank
//! and its contact in the key's payload bits; rarer events sit in a small side slab indexed
//! by the payload. Sifts therefore move one 16-byte key per level and nothing else (moving a
//! 16-byte event beside each key cost about a tenth of the engine's time).
//!
//! The one pending arrival is kept beside the heap (it is nearly always the earliest event,
//! so in the heap it would climb to the root on every push and leave from it on every pop);
//! everything else is in a 4-ary heap, four keys to a cache line: a deletion waits on half
//! as many dependent loads as in a binary heap, and the smallest of four children is found
//! with independent comparisons.

use super::contact::ContactId;
use super::event::{Event, Rank};
use super::key::{
    key_payload, key_rank, key_time, make_key, smallest_of_four, with_seq, EMPTY_KEY, SEQ_LIMIT,
};
use super::timers::TimerHeap;
use std::hint::select_unpredictable;

/// Children per node. Four keys of 16 bytes fill one cache line, and the minimum of four is
/// found with independent comparisons, so a deletion waits on half as many dependent loads as
/// in a binary heap.
const ARITY: usize = 4;
/// The root sits at this index so that the four children of every node share a cache line.
const ROOT: usize = ARITY - 1;

#[inline]
fn parent(i: usize) -> usize {
    i / ARITY + ROOT - 1
}

#[inline]
fn first_child(i: usize) -> usize {
    (i + 1 - ROOT) * ARITY
}

/// Child levels below the root of a heap of `n` entries: how many levels a sift-down from
/// the root may descend (0 for one entry, 1 for up to 5, 2 for up to 21, ...).
#[inline]
fn sift_levels(n: usize) -> usize {
    // Levels `L` hold (4^L - 1) / 3 entries: L = ceil(log4(3n + 1)).
    let x = 3 * n as u64 + 1;
    let ceil_log2 = (u64::BITS - (x - 1).leading_zeros()) as usize;
    (ceil_log2.div_ceil(2)).saturating_sub(1)
}

/// Cache lines of keys holding every level of a heap down to `levels` child levels below
/// the root (the unused slots before the root included).
fn full_levels_lines(levels: usize) -> usize {
    // ROOT + (4^(levels + 1) - 1) / 3 slots, which is (4^levels + 2) / 3 lines of four
    // (4^levels leaves 1 when divided by 3).
    4usize.pow(levels as u32).div_ceil(3)
}

#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct KeyLine([u128; ARITY]);

/// Pending events.
pub(crate) struct EventQueue {
    /// Keys of the heap entries, in cache-line groups (slots `0..ROOT` are unused).
    /// Non-negative times compare like their IEEE bit patterns.
    keys: Vec<KeyLine>,
    /// Entries in the heap.
    n: usize,
    /// Events other than chat ends, arrivals and patience ends, at their key's payload.
    others: Vec<Event>,
    /// Free slots of `others`.
    free_others: Vec<u32>,
    /// The pending [`Event::Arrival`], kept out of the heap: the arrival process keeps one
    /// pending, and it is nearly always the earliest event, so in the heap it would climb to
    /// the root on every push and be deleted from the root on every pop.
    arrival: Option<u128>,
    /// Patience timers, apart so that a served contact's timer is cancelled, not popped.
    timers: TimerHeap,
    /// The root slot is empty: the last pop left it for the next push to fill (a chat that
    /// ends is usually followed by the agent's next chat, so one sift-down serves both), or
    /// for the next pop to refill from the last slot.
    hole: bool,
    /// The next sequence number.
    seq: u64,
    /// Where sequence numbers wrap ([`SEQ_LIMIT`]; smaller in tests).
    seq_limit: u64,
}

impl Default for EventQueue {
    fn default() -> Self {
        EventQueue {
            keys: Vec::new(),
            n: 0,
            others: Vec::new(),
            free_others: Vec::new(),
            arrival: None,
            timers: TimerHeap::default(),
            hole: false,
            seq: 0,
            seq_limit: SEQ_LIMIT,
        }
    }
}

impl EventQueue {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The keys as one flat array: key `i` at index `i`.
    #[inline]
    fn flat(&self) -> &[u128] {
        // SAFETY: `KeyLine` is `repr(C)` around `[u128; ARITY]` (its alignment only adds
        // none: 64 bytes is its size), so `len` lines are `len * ARITY` contiguous keys.
        unsafe {
            std::slice::from_raw_parts(self.keys.as_ptr().cast::<u128>(), self.keys.len() * ARITY)
        }
    }

    /// [`flat`](Self::flat), to write.
    #[inline]
    fn flat_mut(&mut self) -> &mut [u128] {
        // SAFETY: as in `flat`.
        unsafe {
            std::slice::from_raw_parts_mut(
                self.keys.as_mut_ptr().cast::<u128>(),
                self.keys.len() * ARITY,
            )
        }
    }

    #[inline]
    fn key(&self, i: usize) -> u128 {
        self.flat()[i]
    }

    #[inline]
    fn set(&mut self, i: usize, key: u128) {
        self.flat_mut()[i] = key;
    }

    /// The key of an event of `rank` scheduled now at `time` with `payload`: later pushes at
    /// the same instant and rank come out later.
    #[inline]
    fn next_key(&mut self, time: f64, rank: Rank, payload: u32) -> u128 {
        debug_assert!(time >= 0.0 && time.is_finite(), "bad event time {time}");
        if self.seq >= self.seq_limit {
            self.renumber();
        }
        let key = make_key(time, rank, self.seq, payload);
        self.seq += 1;
        key
    }

    /// Sequence numbers ran out: gives the pending keys the numbers `0..` in their order.
    /// The order of all keys is unchanged, so neither heap needs to move anything.
    #[cold]
    fn renumber(&mut self) {
        // An empty root still holds the key it left with.
        let live = ROOT + self.hole as usize..ROOT + self.n;
        let mut all: Vec<u128> = live
            .clone()
            .map(|i| self.key(i))
            .filter(|&k| k != EMPTY_KEY)
            .chain(self.arrival)
            .chain(self.timers.keys())
            .collect();
        all.sort_unstable();
        let renumbered = |k: u128| -> u128 {
            let i = all.binary_search(&k).expect("a pending key");
            with_seq(k, i as u64)
        };
        for i in live {
            let k = self.key(i);
            if k != EMPTY_KEY {
                self.set(i, renumbered(k));
            }
        }
        self.arrival = self.arrival.map(renumbered);
        self.timers.rekey(renumbered);
        self.seq = all.len() as u64;
        assert!(
            self.seq < self.seq_limit,
            "more pending events than sequence numbers"
        );
    }

    /// Starts the patience timer of waiting `contact`: [`Event::PatienceEnd`] at `time`
    /// unless [`cancel_patience`](Self::cancel_patience) comes first.
    #[inline]
    pub(crate) fn push_patience(&mut self, time: f64, contact: ContactId) {
        let key = self.next_key(time, Rank::Patience, contact);
        self.timers.push(key);
    }

    /// Cancels `contact`'s patience timer, if it has one (it was served).
    #[inline]
    pub(crate) fn cancel_patience(&mut self, contact: ContactId) {
        self.timers.cancel(contact);
    }

    /// Schedules `event` at `time` `[s]` (must be ≥ 0 and finite).
    #[inline]
    pub(crate) fn push(&mut self, time: f64, event: Event) {
        debug_assert!(
            !matches!(event, Event::PatienceEnd { .. }),
            "patience timers go through push_patience"
        );
        match event {
            Event::ChatEnd { contact } => {
                let key = self.next_key(time, Rank::ChatEnd, contact);
                self.heap_push(key);
            }
            Event::Arrival => {
                let key = self.next_key(time, Rank::Arrival, 0);
                match self.arrival {
                    None => self.arrival = Some(key),
                    // A second pending arrival (not made by the engine): the earlier one
                    // stays here, the other goes to the heap.
                    Some(k) if key < k => {
                        self.arrival = Some(key);
                        self.heap_push(k);
                    }
                    Some(_) => self.heap_push(key),
                }
            }
            other => self.push_other(time, other),
        }
    }

    /// Schedules an event kept in the side slab.
    #[inline(never)]
    fn push_other(&mut self, time: f64, event: Event) {
        let slot = match self.free_others.pop() {
            Some(slot) => {
                self.others[slot as usize] = event;
                slot
            }
            None => {
                self.others.push(event);
                u32::try_from(self.others.len() - 1).expect("fewer than 2^32 pending events")
            }
        };
        let key = self.next_key(time, event.rank(), slot);
        self.heap_push(key);
    }

    #[inline]
    fn heap_push(&mut self, key: u128) {
        if self.hole {
            self.hole = false;
            return self.sift_down(key);
        }
        let mut pos = ROOT + self.n;
        self.n += 1;
        if pos / ARITY >= self.keys.len() {
            // A new level: all of it at once, so that `sift_down` can read every group of
            // children down to the deepest level without a bounds test.
            let lines = full_levels_lines(sift_levels(self.n));
            self.keys.resize(lines, KeyLine([EMPTY_KEY; ARITY]));
        }
        // Sift up with a hole.
        while pos > ROOT {
            let p = parent(pos);
            let pk = self.key(p);
            if pk <= key {
                break;
            }
            self.set(pos, pk);
            pos = p;
        }
        self.set(pos, key);
    }

    /// The event of a key popped from the main heap.
    #[inline]
    fn event_of(&mut self, key: u128) -> Event {
        let payload = key_payload(key);
        match key_rank(key) {
            r if r == Rank::ChatEnd as u64 => Event::ChatEnd { contact: payload },
            r if r == Rank::Arrival as u64 => Event::Arrival,
            _ => {
                self.free_others.push(payload);
                self.others[payload as usize]
            }
        }
    }

    /// The earliest event and its time.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(f64, Event)> {
        // With the root empty, the heap's earliest key is the smallest of the root's children
        // (the entry a refill would bring up). An arrival or timer before it leaves the root
        // empty, so that the chat the arrival starts fills it with one sift-down.
        let heap = if self.hole {
            let first = first_child(ROOT);
            self.keys
                .get(first / ARITY)
                .map_or(EMPTY_KEY, |g| g.0[0].min(g.0[1]).min(g.0[2].min(g.0[3])))
        } else if self.n > 0 {
            self.key(ROOT)
        } else {
            EMPTY_KEY
        };
        let timer = self.timers.min_key();
        if let Some(k) = self.arrival {
            if k < heap && k < timer {
                self.arrival = None;
                return Some((key_time(k), Event::Arrival));
            }
        }
        if timer < heap {
            let k = self.timers.pop().expect("a timer");
            return Some((
                key_time(k),
                Event::PatienceEnd {
                    contact: key_payload(k),
                },
            ));
        }
        if self.hole {
            self.refill();
        }
        if self.n == 0 {
            return None;
        }
        debug_assert_eq!(self.key(ROOT), heap);
        // Leave the root empty: filled by the next push, or else refilled by the next pop.
        self.hole = true;
        Some((key_time(heap), self.event_of(heap)))
    }

    /// Fills the empty root with the last entry.
    fn refill(&mut self) {
        self.hole = false;
        self.n -= 1;
        let end = ROOT + self.n;
        if self.n > 0 {
            let last_key = self.key(end);
            self.set(end, EMPTY_KEY);
            self.sift_down(last_key);
        } else {
            self.set(ROOT, EMPTY_KEY);
        }
    }

    /// Places `key` in the empty root and sifts it down (slots from `ROOT + n` on hold the
    /// largest key).
    ///
    /// Without a branch on where the key stops: the loop runs once per level of the heap
    /// (`sift_levels(n)`, which changes only when a level fills or empties, so its exit is
    /// predicted), and at each level the key either moves on or stays, by selects. Where a
    /// random key comes to rest is a coin toss at every level, so a loop that left at that
    /// point was mispredicted about once per sift. Once the key stays, its group of children
    /// is read again each level and it stays again: nothing moves after that.
    ///
    /// Inlined into its two callers (a push into the hole, a refill): a call saved and restored
    /// six registers once per chat (-1% instructions).
    #[inline(always)]
    fn sift_down(&mut self, key: u128) {
        let levels = sift_levels(self.n);
        let keys = self.flat_mut();
        let mut pos = ROOT;
        for _ in 0..levels {
            let first = first_child(pos);
            // The level's lines all exist (`heap_push` adds whole levels).
            let (best_key, best) = smallest_of_four(&keys[first..first + ARITY]);
            // Empty slots hold the largest key: the key never moves into them.
            let moves = best_key < key;
            keys[pos] = select_unpredictable(moves, best_key, keys[pos]);
            pos = select_unpredictable(moves, first + best, pos);
        }
        keys[pos] = key;
    }

    /// Pending events (the tests' check on cancels and pops).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.n - self.hole as usize + self.arrival.is_some() as usize + self.timers.len()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sift_levels_and_full_levels_match_counting() {
        // Level by level: the entries a heap with `levels` child levels holds, and its slots.
        let (mut levels, mut holds) = (0usize, 1usize);
        for n in 1..=5_000usize {
            if n > holds {
                levels += 1;
                holds += ARITY.pow(levels as u32);
            }
            assert_eq!(sift_levels(n), levels, "n = {n}");
            assert_eq!(full_levels_lines(levels) * ARITY, ROOT + holds, "n = {n}");
        }
        assert_eq!(sift_levels(0), 0);
    }

    #[test]
    fn orders_by_time_then_rank_then_insertion() {
        let mut q = EventQueue::new();
        q.push(5.0, Event::Arrival);
        q.push(5.0, Event::StaffingChange { pool: 1 });
        q.push(5.0, Event::StaffingChange { pool: 2 });
        q.push(1.0, Event::HorizonEnd);
        q.push(5.0, Event::ChatEnd { contact: 0 });
        let order: Vec<Event> = std::iter::from_fn(|| q.pop().map(|e| e.1)).collect();
        assert_eq!(
            order,
            vec![
                Event::HorizonEnd,
                Event::ChatEnd { contact: 0 },
                Event::StaffingChange { pool: 1 },
                Event::StaffingChange { pool: 2 },
                Event::Arrival,
            ]
        );
    }

    #[test]
    fn pops_like_a_reference_heap() {
        use std::cmp::Reverse;
        let mut q = EventQueue::new();
        let mut reference = std::collections::BinaryHeap::new();
        let mut x = 88172645463325252u64;
        for round in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = (x % 1000) as f64 * 0.5;
            // Mostly one pending arrival at a time, as the engine does; sometimes two.
            let ev = if x.is_multiple_of(5) {
                Event::Arrival
            } else {
                Event::StaffingChange {
                    pool: (round % 60_000) as u16,
                }
            };
            q.push(t, ev);
            reference.push(Reverse((t.to_bits(), ev.rank(), round, format!("{ev:?}"))));
            if x.is_multiple_of(3) {
                let Reverse((tb, _, _, ev)) = reference.pop().unwrap();
                let (t, got) = q.pop().unwrap();
                assert_eq!((t.to_bits(), format!("{got:?}")), (tb, ev));
            }
        }
        while let Some(Reverse((tb, _, _, ev))) = reference.pop() {
            let (t, got) = q.pop().unwrap();
            assert_eq!((t.to_bits(), format!("{got:?}")), (tb, ev));
        }
        assert!(q.is_empty());
    }

    /// Random pushes (with few distinct times, so that many keys tie on time and rank),
    /// patience timers, cancels and pops, against a reference ordered by (time, rank,
    /// push count).
    /// With `pending_cap`, pops whenever that many events are pending (a steady state).
    fn against_reference(rounds: u32, seq_limit: u64, pending_cap: usize) {
        use std::collections::BTreeMap;
        let mut q = EventQueue::new();
        q.seq_limit = seq_limit;
        let mut reference = BTreeMap::new();
        let mut timer_keys = BTreeMap::new();
        let mut now = 0.0;
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for round in 0..rounds {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = now + (x % 8) as f64;
            let choice = if reference.len() >= pending_cap {
                9
            } else {
                x % 10
            };
            match choice {
                0..=4 => {
                    let ev = Event::StaffingChange { pool: round as u16 };
                    q.push(t, ev);
                    reference.insert((t.to_bits(), ev.rank(), round), ev);
                }
                5 => {
                    q.push(t, Event::Arrival);
                    reference.insert((t.to_bits(), Rank::Arrival, round), Event::Arrival);
                }
                6 => {
                    q.push_patience(t, round);
                    let key = (t.to_bits(), Rank::Patience, round);
                    reference.insert(key, Event::PatienceEnd { contact: round });
                    timer_keys.insert(round, key);
                }
                7 => {
                    if let Some((contact, key)) = timer_keys.pop_first() {
                        q.cancel_patience(contact);
                        reference.remove(&key);
                    }
                }
                _ => {
                    let want = reference.pop_first();
                    let got = q.pop();
                    assert_eq!(
                        got.map(|(t, e)| (t.to_bits(), e)),
                        want.map(|((tb, _, _), e)| (tb, e)),
                        "round {round}"
                    );
                    if let Some((_, Event::PatienceEnd { contact })) = want {
                        timer_keys.remove(&contact);
                    }
                    if let Some((t, _)) = got {
                        now = t;
                    }
                }
            }
            assert_eq!(q.len(), reference.len());
        }
        while let Some(((tb, _, _), want)) = reference.pop_first() {
            let (t, got) = q.pop().expect("an event");
            assert_eq!((t.to_bits(), got), (tb, want));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn pops_like_a_reference_with_ties() {
        against_reference(50_000, SEQ_LIMIT, usize::MAX);
    }

    #[test]
    fn renumbering_sequence_numbers_keeps_the_order() {
        // About 60 events pending: every couple of hundred pushes the sequence numbers run
        // out and are renumbered.
        against_reference(50_000, 256, 60);
    }
}
