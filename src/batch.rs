//! `kefu batch`: many shops, one command. A manifest (CSV, one row per shop) names each shop's
//! scenario and its overrides; every shop runs with its own seed derived from (master seed,
//! shop id), so the split of the manifest over machines never changes a number. Shops are
//! assigned to shards by estimated cost (longest first); `kefu merge` joins the shards into
//! exactly what one unsharded run writes. See `docs/scale.md`.
//!
//! This floor holds the data: the manifest ([`manifest`]), the seeds, the shard assignment
//! and the schedulers' environments ([`shard`]), the per-shop rows and the mall roll-up
//! ([`rollup`]), `batch.json` and the merge checks ([`record`]), and the pooled scenario
//! ([`pooling`]). Writing folders is the command's job.

pub mod manifest;
pub mod pooling;
pub mod prepare;
pub mod record;
pub mod rollup;
pub mod shard;

/// FNV-1a (64 bit) of a shop id: a fixed, documented hash (std's hasher may change).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64's finaliser: spreads nearby inputs over the whole range.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of a shop's replications: `splitmix64(master ^ fnv1a64(id))`. It depends on the
/// shop's id and the master seed only, not on the shop's row or shard.
pub fn shop_seed(master: u64, id: &str) -> u64 {
    splitmix64(master ^ fnv1a64(id.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_depend_on_id_and_master_only() {
        // FNV-1a's published test vector: "a" → 0xaf63dc4c8601ec8c.
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(shop_seed(1, "shop-1"), shop_seed(1, "shop-1"));
        assert_ne!(shop_seed(1, "shop-1"), shop_seed(1, "shop-2"));
        assert_ne!(shop_seed(1, "shop-1"), shop_seed(2, "shop-1"));
    }
}
