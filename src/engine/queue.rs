//! The future event list: a binary heap ordered by (time, rank, insertion sequence), so
//! events at equal instants are handled in a fixed, documented order.

use super::event::Event;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry {
    /// Non-negative times compare like their IEEE bit patterns, which is cheaper than floats.
    time_bits: u64,
    /// `rank << 56 | seq`.
    order: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time_bits, other.order).cmp(&(self.time_bits, self.order))
    }
}

/// Pending events.
#[derive(Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
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
        self.heap.push(Entry {
            time_bits: time.max(0.0).to_bits(),
            order,
            event,
        });
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, Event)> {
        self.heap
            .pop()
            .map(|e| (f64::from_bits(e.time_bits), e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
}
