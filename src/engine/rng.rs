//! Random streams: one generator per source of randomness, derived from
//! (master seed, replication, source), so that scenarios differing only in staffing or
//! routing see the same customers (common random numbers) and replications are independent.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used everywhere: portable across platforms and releases, ~1 ns a draw.
pub(crate) type SimRng = Xoshiro256PlusPlus;

/// The sources of randomness; each gets its own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Source {
    /// Inter-arrival times and contact attributes (category, intent, VIP).
    Arrivals = 1,
    /// Bot coverage, response time, resolution, false resolutions and returns.
    Bot = 2,
    /// Handle times.
    Handle = 3,
    /// Patience and silent abandonment.
    Patience = 4,
    /// The busyness factor of a simulated day (one generator per day, [`indexed_stream`]).
    DayBusyness = 5,
    /// The busyness factor of a reporting interval (one generator per interval).
    IntervalBusyness = 6,
    /// Which scheduled agents of a pool are absent on a day (one generator per pool and day).
    Absence = 7,
    /// Whether an abandoner writes again, after how long, and that attempt's patience.
    Retrial = 8,
    /// Whether a contact who would have to wait leaves at once.
    Balk = 9,
    /// The random routing policy's choice among free agents.
    Routing = 10,
}

/// SplitMix64 finaliser: a bijective mixer with good avalanche.
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of one (seed, replication, source).
pub(crate) fn stream(seed: u64, replication: u64, source: Source) -> SimRng {
    let key =
        mix64(mix64(mix64(seed) ^ replication.wrapping_mul(0xA24B_AED4_963E_E407)) ^ source as u64);
    SimRng::seed_from_u64(key)
}

/// The generator of one (seed, replication, source, index), e.g. the busyness of day
/// `index`: it depends on nothing the simulation did, so a staffing change, or a change of
/// another day, leaves it untouched.
pub(crate) fn indexed_stream(seed: u64, replication: u64, source: Source, index: u64) -> SimRng {
    let key =
        mix64(mix64(mix64(seed) ^ replication.wrapping_mul(0xA24B_AED4_963E_E407)) ^ source as u64);
    SimRng::seed_from_u64(mix64(key ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93)))
}

/// A small generator for the draws of one contact from one source.
pub(crate) type ContactRng = rand_xoshiro::SplitMix64;

/// The streams of one replication. Arrival instants come from one sequential stream; every
/// other draw of contact `n` comes from generators keyed by (replication key, n, source), so a
/// contact's category, bot outcome, handle time and patience do not depend on anything that
/// happened to other contacts: staffing and routing changes leave them untouched.
pub(crate) struct Streams {
    pub(crate) arrivals: SimRng,
    /// The random routing policy's draws, one per routed contact (sequential: a contact's
    /// choice depends on who is free, so it cannot be the contact's own).
    pub(crate) routing: SimRng,
    key: u64,
    seed: u64,
    replication: u64,
}

impl Streams {
    pub(crate) fn new(seed: u64, replication: u64) -> Self {
        Streams {
            arrivals: stream(seed, replication, Source::Arrivals),
            routing: stream(seed, replication, Source::Routing),
            key: mix64(mix64(seed ^ 0x6B65_6675) ^ replication.wrapping_mul(0xD1B5_4A32_D192_ED03)),
            seed,
            replication,
        }
    }

    /// This replication's generator for `source` and `index` ([`indexed_stream`]).
    pub(crate) fn indexed(&self, source: Source, index: i64) -> SimRng {
        indexed_stream(self.seed, self.replication, source, index as u64)
    }

    /// The part of contact `n`'s stream keys shared by all sources: computed once per contact,
    /// then [`contact_stream`] derives each source's generator with one multiply and xor.
    #[inline]
    pub(crate) fn contact_key(&self, n: u64) -> u64 {
        mix64(self.key ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
}

/// The generator for `source` of the contact whose [`Streams::contact_key`] is `key`.
#[inline]
pub(crate) fn contact_stream(key: u64, source: Source) -> ContactRng {
    let k = key ^ (source as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    ContactRng::from_seed(k.to_le_bytes())
}

/// The stream key of attempt `attempt` (0 = the first) of the contact whose
/// [`Streams::contact_key`] is `key`: the first attempt's is the contact's own, so adding
/// retrials leaves every draw of first attempts unchanged.
#[inline]
pub(crate) fn attempt_key(key: u64, attempt: u32) -> u64 {
    if attempt == 0 {
        key
    } else {
        mix64(key ^ (attempt as u64).wrapping_mul(0xFF51_AFD7_ED55_8CCD))
    }
}

/// A uniform draw in [0, 1) with 53 random bits (defined beside the distributions, which
/// sample with it too; the model floor sits below the engine).
pub(crate) use crate::model::dist::unit_f64;

/// A Bernoulli trial with probability `p`.
#[inline]
pub(crate) fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    unit_f64(rng) < p
}

/// An exponential draw with mean 1 by inversion (one uniform per draw; the Erlang tests'
/// reference simulation).
#[cfg(test)]
pub(crate) fn exp1<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    -(1.0 - unit_f64(rng)).ln()
}

/// An exponential draw with mean 1 by the ziggurat method: about a sixth of the cost of a
/// logarithm, using a variable number of words — for streams that draw nothing else.
#[inline(always)]
pub(crate) fn exp1_fast<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    use rand_distr::Distribution;
    rand_distr::Exp1.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_every_coordinate_and_repeat() {
        let a = stream(1, 0, Source::Arrivals).next_u64();
        assert_eq!(a, stream(1, 0, Source::Arrivals).next_u64());
        assert_ne!(a, stream(2, 0, Source::Arrivals).next_u64());
        assert_ne!(a, stream(1, 1, Source::Arrivals).next_u64());
        assert_ne!(a, stream(1, 0, Source::Bot).next_u64());
        let d = indexed_stream(1, 0, Source::DayBusyness, 3).next_u64();
        assert_eq!(d, indexed_stream(1, 0, Source::DayBusyness, 3).next_u64());
        assert_ne!(d, indexed_stream(1, 0, Source::DayBusyness, 4).next_u64());
        assert_ne!(d, indexed_stream(1, 1, Source::DayBusyness, 3).next_u64());
        assert_ne!(
            d,
            indexed_stream(1, 0, Source::IntervalBusyness, 3).next_u64()
        );
    }
}
