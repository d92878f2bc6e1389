//! A mergeable log-binned histogram of durations `[s]`: fixed memory (~19 KiB), quantiles
//! within 0.5% relative error, exact count of zeros.

/// Smallest positive value binned separately from zero `[s]`.
const MIN_S: f64 = 1e-3;
/// Relative bin width: bin edges grow by this factor.
const GROWTH: f64 = 1.01;
/// Bins cover `[MIN_S, MIN_S · GROWTH^BINS)` ≈ 1 ms … 120 days; larger values land in the last bin.
const BINS: usize = 2400;

/// Counts of durations by logarithmic bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    zeros: u64,
    tiny: u64,
    bins: Vec<u64>,
    count: u64,
    max: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

fn inv_ln_growth() -> f64 {
    1.0 / GROWTH.ln()
}

const ZERO_SLOT: u32 = u32::MAX;
const TINY_SLOT: u32 = u32::MAX - 1;

/// Where a value goes in a [`Histogram`]: a bin, the zero count or the tiny count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(u32);

/// The bin of `v ≥ MIN_S` by definition: `⌊ln(v / MIN_S) / ln GROWTH⌋`, capped.
#[inline]
fn bin_by_log(v: f64) -> usize {
    (((v / MIN_S).ln() * inv_ln_growth()) as usize).min(BINS - 1)
}

/// Sub-octave cells per power of two in the bin lookup (each cell is narrower than a bin).
const CELL_BITS: u32 = 8;
/// Relative distance to a bin edge under which the bin is found by [`bin_by_log`] itself,
/// far above the rounding error of the logarithm, so both ways agree bit for bit.
const EDGE_GUARD: f64 = 1e-9;

/// Tables for finding a bin without a logarithm: approximate bin edges, and for each
/// sub-octave cell of the covered range the bin of its lower end.
struct BinTables {
    /// `edges[i] = MIN_S · GROWTH^i`, `i = 0 ..= BINS`.
    edges: Vec<f64>,
    /// Cell index of `MIN_S`'s cell.
    first_cell: u64,
    /// Bin holding the lower end of each cell (cells from `first_cell` on).
    cell_bin: Vec<u16>,
}

fn tables() -> &'static BinTables {
    static T: std::sync::OnceLock<BinTables> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let edges: Vec<f64> = (0..=BINS).map(|i| MIN_S * GROWTH.powi(i as i32)).collect();
        let cell = |v: f64| v.to_bits() >> (52 - CELL_BITS);
        let first_cell = cell(MIN_S);
        let last_cell = cell(edges[BINS]);
        let mut cell_bin = Vec::with_capacity((last_cell - first_cell + 1) as usize);
        let mut bin = 0usize;
        for c in first_cell..=last_cell {
            let lo = f64::from_bits(c << (52 - CELL_BITS)).max(MIN_S);
            while bin < BINS - 1 && edges[bin + 1] <= lo {
                bin += 1;
            }
            cell_bin.push(bin as u16);
        }
        BinTables {
            edges,
            first_cell,
            cell_bin,
        }
    })
}

impl Slot {
    /// The slot of `v`: exactly the bin `⌊ln(v / MIN_S) / ln GROWTH⌋` (capped), found with a
    /// table lookup and at most a couple of comparisons instead of a logarithm.
    #[inline]
    pub fn of(v: f64) -> Slot {
        if v <= 0.0 {
            return Slot(ZERO_SLOT);
        }
        if v < MIN_S {
            return Slot(TINY_SLOT);
        }
        let t = tables();
        let c = (v.to_bits() >> (52 - CELL_BITS)).wrapping_sub(t.first_cell) as usize;
        let Some(&start) = t.cell_bin.get(c) else {
            return Slot(bin_by_log(v) as u32);
        };
        // A cell is narrower than a bin, so `v` lies in the start bin or the next one: one
        // comparison, added without a branch (which of the two is a coin toss weighted by
        // where the edge cuts the cell; a loop on it was mispredicted about one time in four).
        let start = start as usize;
        let i = start + ((start < BINS - 1) & (v >= t.edges[start + 1])) as usize;
        let (lo, hi) = (t.edges[i], t.edges[i + 1]);
        if v - lo < lo * EDGE_GUARD || hi - v < hi * EDGE_GUARD {
            return Slot(bin_by_log(v) as u32);
        }
        Slot(i as u32)
    }
}

impl Histogram {
    pub fn new() -> Self {
        Histogram {
            zeros: 0,
            tiny: 0,
            bins: vec![0; BINS],
            count: 0,
            max: 0.0,
        }
    }

    /// Records one duration.
    #[inline]
    pub fn record(&mut self, v: f64) {
        self.record_slot(Slot::of(v), v);
    }

    /// Records `v`, whose slot ([`Slot::of`]) is already known: several histograms fed the
    /// same value find its bin once.
    #[inline]
    pub fn record_slot(&mut self, slot: Slot, v: f64) {
        self.count += 1;
        if v > self.max {
            self.max = v;
        }
        match slot.0 {
            ZERO_SLOT => self.zeros += 1,
            TINY_SLOT => self.tiny += 1,
            i => self.bins[i as usize] += 1,
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        self.zeros += other.zeros;
        self.tiny += other.tiny;
        self.count += other.count;
        self.max = self.max.max(other.max);
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q`-quantile (nearest rank), `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = self.zeros;
        if seen >= rank {
            return Some(0.0);
        }
        seen += self.tiny;
        if seen >= rank {
            return Some(MIN_S / 2.0);
        }
        for (i, &c) in self.bins.iter().enumerate() {
            seen += c;
            if seen >= rank {
                // Geometric middle of the bin, capped by the largest value seen.
                return Some((MIN_S * GROWTH.powf(i as f64 + 0.5)).min(self.max));
            }
        }
        Some(self.max)
    }

    /// Share of recorded values `<= x` (values in the bin holding `x` are split pro rata).
    pub fn fraction_at_most(&self, x: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        if x < 0.0 {
            return Some(0.0);
        }
        let mut below = self.zeros as f64;
        if x >= MIN_S {
            below += self.tiny as f64;
            let pos = (x / MIN_S).ln() * inv_ln_growth();
            let full = (pos as usize).min(BINS);
            below += self.bins[..full].iter().sum::<u64>() as f64;
            if full < BINS {
                below += self.bins[full] as f64 * (pos - full as f64);
            }
        }
        Some((below / self.count as f64).min(1.0))
    }

    /// Non-empty bins as `(lower edge, upper edge, count)` `[s]`, zeros as `(0, 0, n)`.
    pub fn buckets(&self) -> Vec<(f64, f64, u64)> {
        let mut out = Vec::new();
        if self.zeros > 0 {
            out.push((0.0, 0.0, self.zeros));
        }
        if self.tiny > 0 {
            out.push((0.0, MIN_S, self.tiny));
        }
        for (i, &c) in self.bins.iter().enumerate() {
            if c > 0 {
                out.push((
                    MIN_S * GROWTH.powi(i as i32),
                    MIN_S * GROWTH.powi(i as i32 + 1),
                    c,
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_within_half_a_percent() {
        let mut h = Histogram::new();
        for i in 1..=100_000 {
            h.record(i as f64 * 0.01);
        }
        for q in [0.5, 0.9, 0.99] {
            let exact = q * 1000.0;
            let got = h.quantile(q).unwrap();
            assert!((got / exact - 1.0).abs() < 0.006, "q{q}: {got} vs {exact}");
        }
        assert!((h.fraction_at_most(120.0).unwrap() - 0.12).abs() < 0.001);
    }

    #[test]
    fn table_lookup_matches_the_logarithm() {
        let mut x = 0x1234_5678_9abc_def0_u64;
        let check = |v: f64| {
            let want = if v <= 0.0 {
                ZERO_SLOT
            } else if v < MIN_S {
                TINY_SLOT
            } else {
                bin_by_log(v) as u32
            };
            assert_eq!(Slot::of(v).0, want, "{v}");
        };
        for i in 0..=BINS + 5 {
            let e = MIN_S * GROWTH.powi(i as i32);
            let mut v = e;
            for _ in 0..40 {
                v = v.next_down();
            }
            for _ in 0..80 {
                check(v);
                v = v.next_up();
            }
        }
        for _ in 0..1_000_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            check(((x >> 11) as f64 / (1u64 << 53) as f64) * 40.0 - 10.0);
            check(((x >> 11) as f64 / (1u64 << 53) as f64 * 60.0 - 12.0).exp());
        }
        check(0.0);
        check(f64::MAX);
    }

    #[test]
    fn every_cell_lies_in_at_most_two_bins() {
        // `Slot::of` steps at most once from a cell's start bin.
        let t = tables();
        for (c, &start) in t.cell_bin.iter().enumerate() {
            let next_cell_lo = f64::from_bits((t.first_cell + c as u64 + 1) << (52 - CELL_BITS));
            let last_in_cell = next_cell_lo.next_down();
            if last_in_cell >= t.edges[BINS] {
                break;
            }
            assert!(bin_by_log(last_in_cell) <= start as usize + 1, "cell {c}");
        }
    }

    #[test]
    fn zeros_merge_and_empty() {
        let mut a = Histogram::new();
        assert_eq!(a.quantile(0.5), None);
        a.record(0.0);
        a.record(0.0);
        let mut b = Histogram::new();
        b.record(10.0);
        a.merge(&b);
        assert_eq!(a.count(), 3);
        assert_eq!(a.quantile(0.5), Some(0.0));
        assert!((a.quantile(1.0).unwrap() - 10.0).abs() < 0.05);
    }
}
