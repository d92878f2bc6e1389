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
        self.count += 1;
        if v <= 0.0 {
            self.zeros += 1;
            return;
        }
        if v > self.max {
            self.max = v;
        }
        if v < MIN_S {
            self.tiny += 1;
            return;
        }
        let i = ((v / MIN_S).ln() * inv_ln_growth()) as usize;
        self.bins[i.min(BINS - 1)] += 1;
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
