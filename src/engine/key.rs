//! The event key shared by the main event heap ([`super::queue`]) and the patience timers
//! ([`super::timers`]): one `u128` ordered by (time, rank, sequence), whose low bits carry
//! a payload. Both heaps compare bare keys, so the layout lives here, once, with
//! compile-time checks that its fields fit and do not overlap.
//!
//! ```text
//! bit 127 ........ 64 | 63 .. 61 | 60 ...... 32 | 31 ....... 0
//!   time (f64 bits)   |   rank   |   sequence   |   payload
//! ```
//!
//! Non-negative finite times compare like their IEEE bit patterns, so comparing keys as
//! integers orders by time first, then rank, then sequence (insertion order).

use super::event::Rank;
use std::hint::select_unpredictable;

/// The time's `f64` bit pattern sits above this bit.
const TIME_SHIFT: u32 = 64;
/// Rank bits, just below the time.
const RANK_BITS: u32 = 3;
const RANK_SHIFT: u32 = 61;
/// Sequence bits, between rank and payload.
const SEQ_BITS: u32 = 29;
const SEQ_SHIFT: u32 = 32;
/// Payload bits (a contact, or a slot of the queue's side slab), the lowest.
const PAYLOAD_BITS: u32 = 32;

/// Sequence numbers run below this; then the pending keys are renumbered (in order).
pub(crate) const SEQ_LIMIT: u64 = 1 << SEQ_BITS;

/// The largest key: an empty heap slot, larger than any event's key.
pub(crate) const EMPTY_KEY: u128 = u128::MAX;

const fn mask(bits: u32, shift: u32) -> u128 {
    ((1u128 << bits) - 1) << shift
}

// The fields tile the low 64 bits exactly, below the time, without overlapping.
const _: () = assert!(PAYLOAD_BITS == SEQ_SHIFT);
const _: () = assert!(SEQ_SHIFT + SEQ_BITS == RANK_SHIFT);
const _: () = assert!(RANK_SHIFT + RANK_BITS == TIME_SHIFT);
const _: () = assert!(mask(PAYLOAD_BITS, 0) & mask(SEQ_BITS, SEQ_SHIFT) == 0);
const _: () = assert!(mask(SEQ_BITS, SEQ_SHIFT) & mask(RANK_BITS, RANK_SHIFT) == 0);
const _: () = assert!(mask(RANK_BITS, RANK_SHIFT) & mask(64, TIME_SHIFT) == 0);
// A payload is a `u32` (contact ids and slab slots are).
const _: () = assert!(PAYLOAD_BITS == u32::BITS);

/// Every [`Rank`] fits its bits. The `match` is exhaustive: a new rank does not compile
/// until it is listed here, and then it is checked too.
const fn rank_fits(rank: Rank) -> bool {
    let value = match rank {
        Rank::ChatEnd
        | Rank::Staffing
        | Rank::Surge
        | Rank::Patience
        | Rank::Transfer
        | Rank::Arrival
        | Rank::Horizon => rank as u64,
    };
    value < 1 << RANK_BITS
}

const _: () = {
    let all = Rank::ALL;
    let mut i = 0;
    while i < all.len() {
        assert!(rank_fits(all[i]), "a rank does not fit the key's rank bits");
        // `ALL` is in rank order, so that no rank is listed twice.
        assert!(i == 0 || (all[i - 1] as u8) < (all[i] as u8));
        i += 1;
    }
};

/// The key of an event at `time` (≥ 0, finite) of `rank`, the `seq`-th pushed (below
/// [`SEQ_LIMIT`]), carrying `payload`.
#[inline]
pub(crate) fn make_key(time: f64, rank: Rank, seq: u64, payload: u32) -> u128 {
    debug_assert!(seq < SEQ_LIMIT);
    let order = (rank as u64) << RANK_SHIFT | seq << SEQ_SHIFT | payload as u64;
    (time.max(0.0).to_bits() as u128) << TIME_SHIFT | order as u128
}

/// The time of a key.
#[inline]
pub(crate) fn key_time(key: u128) -> f64 {
    f64::from_bits((key >> TIME_SHIFT) as u64)
}

/// The rank bits of a key.
#[inline]
pub(crate) fn key_rank(key: u128) -> u64 {
    (key as u64) >> RANK_SHIFT
}

/// The payload of a key: a contact, or a slot of the side slab.
#[inline]
pub(crate) fn key_payload(key: u128) -> u32 {
    key as u32
}

/// `key` with its sequence number replaced by `seq` (below [`SEQ_LIMIT`]).
#[inline]
pub(crate) fn with_seq(key: u128, seq: u64) -> u128 {
    debug_assert!(seq < SEQ_LIMIT);
    let seq_mask = mask(SEQ_BITS, SEQ_SHIFT);
    (key & !seq_mask) | (seq as u128) << SEQ_SHIFT
}

/// The smallest of four keys and its index in `g`, found without branches: which of two
/// keys is smaller is a coin toss, so a branch on it would be mispredicted half the time.
/// The values are carried along: picking an index and loading the winner again put two more
/// dependent loads on every level of a sift-down.
#[inline(always)]
pub(crate) fn smallest_of_four(g: &[u128]) -> (u128, usize) {
    let (g0, g1, g2, g3) = (g[0], g[1], g[2], g[3]);
    let (low, low_at) = select_unpredictable(g1 < g0, (g1, 1), (g0, 0));
    let (high, high_at) = select_unpredictable(g3 < g2, (g3, 3), (g2, 2));
    select_unpredictable(high < low, (high, high_at), (low, low_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let k = make_key(12.5, Rank::Patience, SEQ_LIMIT - 1, u32::MAX);
        assert_eq!(key_time(k), 12.5);
        assert_eq!(key_rank(k), Rank::Patience as u64);
        assert_eq!(key_payload(k), u32::MAX);
        let r = with_seq(k, 7);
        assert_eq!(
            (key_time(r), key_rank(r), key_payload(r)),
            (12.5, Rank::Patience as u64, u32::MAX)
        );
        assert!(r < k, "a smaller sequence number orders first");
    }

    #[test]
    fn orders_by_time_then_rank_then_sequence_whatever_the_payload() {
        let a = make_key(1.0, Rank::Horizon, SEQ_LIMIT - 1, u32::MAX);
        let b = make_key(1.0f64.next_up(), Rank::ChatEnd, 0, 0);
        assert!(a < b);
        let c = make_key(1.0, Rank::ChatEnd, SEQ_LIMIT - 1, u32::MAX);
        let d = make_key(1.0, Rank::Staffing, 0, 0);
        assert!(c < d);
        let e = make_key(1.0, Rank::Arrival, 3, u32::MAX);
        let f = make_key(1.0, Rank::Arrival, 4, 0);
        assert!(e < f);
        assert!(f < EMPTY_KEY);
    }

    #[test]
    fn smallest_of_four_finds_the_first_minimum() {
        assert_eq!(smallest_of_four(&[4, 3, 2, 1]), (1, 3));
        assert_eq!(smallest_of_four(&[2, 1, 5, 1]), (1, 1));
        assert_eq!(smallest_of_four(&[0, 9, 9, 9]), (0, 0));
    }
}
