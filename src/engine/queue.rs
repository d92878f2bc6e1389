//! The future event list: a binary min-heap ordered by (time, rank, insertion sequence), so
//! events at equal instants are handled in a fixed, documented order. The key is one `u128`
//! (time bits, then rank and sequence), so a comparison is two integer compares; deletion is
//! bottom-up (Floyd), one comparison a level, which measured fewer instructions than a 4-ary
//! heap or `std::collections::BinaryHeap`. Any correct heap pops the same sequence: the key
//! is a total order.

use super::event::Event;

#[derive(Clone, Copy)]
struct Entry {
    /// `time_bits << 64 | rank << 56 | seq`. Non-negative times compare like their IEEE bit
    /// patterns, which is cheaper than floats.
    key: u128,
    event: Event,
}

/// Pending events.
#[derive(Default)]
pub struct EventQueue {
    heap: Vec<Entry>,
    /// The pending [`Event::Arrival`], kept out of the heap: the arrival process keeps one
    /// pending, and it is nearly always the earliest event, so in the heap it would climb to
    /// the root on every push and be deleted from the root on every pop.
    arrival: Option<u128>,
    seq: u64,
}

impl EventQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time` `[s]` (must be ≥ 0 and finite).
    #[inline]
    pub fn push(&mut self, time: f64, event: Event) {
        debug_assert!(time >= 0.0 && time.is_finite(), "bad event time {time}");
        self.seq += 1;
        let order = (event.rank() as u64) << 56 | self.seq;
        let key = (time.max(0.0).to_bits() as u128) << 64 | order as u128;
        if let Event::Arrival = event {
            match self.arrival {
                None => {
                    self.arrival = Some(key);
                    return;
                }
                // A second pending arrival (not made by the engine): the earlier one stays
                // here, the other goes to the heap.
                Some(k) if key < k => {
                    self.arrival = Some(key);
                    return self.heap_push(k, Event::Arrival);
                }
                Some(_) => {}
            }
        }
        self.heap_push(key, event);
    }

    #[inline]
    fn heap_push(&mut self, key: u128, event: Event) {
        // Sift up with a hole: move parents down until the new entry's place is found.
        let mut pos = self.heap.len();
        self.heap.push(Entry { key, event });
        while pos > 0 {
            let parent = (pos - 1) / 2;
            // SAFETY: parent < pos < len.
            let p = unsafe { *self.heap.get_unchecked(parent) };
            if p.key <= key {
                break;
            }
            unsafe { *self.heap.get_unchecked_mut(pos) = p };
            pos = parent;
        }
        self.heap[pos] = Entry { key, event };
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, Event)> {
        if let Some(k) = self.arrival {
            if self.heap.first().is_none_or(|e| k < e.key) {
                self.arrival = None;
                return Some((f64::from_bits((k >> 64) as u64), Event::Arrival));
            }
        }
        self.heap_pop()
    }

    #[inline]
    fn heap_pop(&mut self) -> Option<(f64, Event)> {
        let last = self.heap.pop()?;
        let n = self.heap.len();
        if n == 0 {
            return Some((f64::from_bits((last.key >> 64) as u64), last.event));
        }
        let h = &mut self.heap[..];
        let top = h[0];
        // Floyd's bottom-up deletion: walk the hole down to a leaf along the smaller child
        // (one comparison a level), then sift the former last entry up from there (it
        // usually belongs near the bottom, so this is short).
        let mut pos = 0;
        let mut child = 1;
        while child + 1 < n {
            // SAFETY: child + 1 < n = h.len().
            let (a, b) = unsafe { (h.get_unchecked(child).key, h.get_unchecked(child + 1).key) };
            child += (b < a) as usize;
            // SAFETY: child < n and pos < child.
            unsafe { *h.get_unchecked_mut(pos) = *h.get_unchecked(child) };
            pos = child;
            child = 2 * pos + 1;
        }
        if child < n {
            h[pos] = h[child];
            pos = child;
        }
        while pos > 0 {
            let parent = (pos - 1) / 2;
            // SAFETY: parent < pos < n.
            let p = unsafe { *h.get_unchecked(parent) };
            if p.key <= last.key {
                break;
            }
            unsafe { *h.get_unchecked_mut(pos) = p };
            pos = parent;
        }
        h[pos] = last;
        Some((f64::from_bits((top.key >> 64) as u64), top.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.arrival.is_some() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_rank_then_insertion() {
        let mut q = EventQueue::new();
        q.push(5.0, Event::Arrival);
        q.push(5.0, Event::StaffingChange { pool: 1 });
        q.push(5.0, Event::StaffingChange { pool: 2 });
        q.push(1.0, Event::HorizonEnd);
        q.push(
            5.0,
            Event::ChatEnd {
                pool: 0,
                agent: 0,
                contact: 0,
            },
        );
        let order: Vec<Event> = std::iter::from_fn(|| q.pop().map(|e| e.1)).collect();
        assert_eq!(
            order,
            vec![
                Event::HorizonEnd,
                Event::ChatEnd {
                    pool: 0,
                    agent: 0,
                    contact: 0
                },
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
            let ev = if x % 5 == 0 {
                Event::Arrival
            } else {
                Event::StaffingChange {
                    pool: (round % 60_000) as u16,
                }
            };
            q.push(t, ev);
            reference.push(Reverse((t.to_bits(), ev.rank(), round, format!("{ev:?}"))));
            if x % 3 == 0 {
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
}
