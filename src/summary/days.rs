//! The distribution across simulated days: per replication, each day's service level and
//! abandon rate (from the engine's per-day sums, [`RepStats::days`]), pooled over the
//! replications into fixed-size histograms — memory does not grow with the horizon or the
//! replications. `P(day meets target)` itself is a per-replication metric
//! (`days.meet_share`), so its confidence interval is the usual one over replications: days
//! of one replication are not independent (backlog carries over midnight), replications are.

use crate::stats::{DayStats, RepStats};

/// Bins of the pooled daily-rate histograms over [0, 1] (a resolution of 0.1 point).
const RATE_BINS: usize = 1000;

/// The share of this replication's days with contacts whose service level reached `target`
/// (`None` when no day had a contact for the agents).
pub fn meet_share(s: &RepStats, target: f64) -> Option<f64> {
    let levels: Vec<f64> = s.days.iter().filter_map(DayStats::service_level).collect();
    let met = levels.iter().filter(|&&l| l + 1e-12 >= target).count();
    (!levels.is_empty()).then(|| met as f64 / levels.len() as f64)
}

/// A histogram of a rate in [0, 1].
#[derive(Debug, Clone)]
pub struct RateHistogram {
    counts: Vec<u64>,
    n: u64,
}

impl Default for RateHistogram {
    fn default() -> Self {
        RateHistogram {
            counts: vec![0; RATE_BINS + 1],
            n: 0,
        }
    }
}

impl RateHistogram {
    pub fn add(&mut self, v: f64) {
        let bin = (v.clamp(0.0, 1.0) * RATE_BINS as f64).round() as usize;
        self.counts[bin] += 1;
        self.n += 1;
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    /// The `q`-quantile (to the bin resolution), `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (bin, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(bin as f64 / RATE_BINS as f64);
            }
        }
        None
    }

    /// The share of values at or above `v` (to the bin resolution).
    pub fn share_at_least(&self, v: f64) -> Option<f64> {
        let from = (v.clamp(0.0, 1.0) * RATE_BINS as f64).round() as usize;
        let above: u64 = self.counts[from..].iter().sum();
        (self.n > 0).then(|| above as f64 / self.n as f64)
    }
}

/// Daily values pooled over every replication's days.
#[derive(Debug, Clone, Default)]
pub struct DayDistribution {
    pub service_level: RateHistogram,
    pub abandon_rate: RateHistogram,
    /// Sum and sum of squares of the daily arrivals (the busyness shows in their variance).
    pub arrivals_sum: f64,
    pub arrivals_sum_sq: f64,
    pub days: u64,
}

impl DayDistribution {
    pub fn add(&mut self, s: &RepStats) {
        for d in &s.days {
            self.days += 1;
            self.arrivals_sum += d.arrivals as f64;
            self.arrivals_sum_sq += (d.arrivals as f64).powi(2);
            if let Some(v) = d.service_level() {
                self.service_level.add(v);
            }
            if let Some(v) = d.abandon_rate() {
                self.abandon_rate.add(v);
            }
        }
    }

    /// Mean and standard deviation of the daily arrivals over all simulated days.
    pub fn arrivals_mean_sd(&self) -> Option<(f64, f64)> {
        if self.days < 2 {
            return None;
        }
        let n = self.days as f64;
        let mean = self.arrivals_sum / n;
        let var = ((self.arrivals_sum_sq - n * mean * mean) / (n - 1.0)).max(0.0);
        Some((mean, var.sqrt()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_known_sample() {
        let mut h = RateHistogram::default();
        for i in 0..=100 {
            h.add(i as f64 / 100.0);
        }
        assert_eq!(h.quantile(0.5), Some(0.5));
        assert_eq!(h.quantile(0.1), Some(0.1));
        assert_eq!(h.share_at_least(0.9), Some(11.0 / 101.0));
        assert_eq!(RateHistogram::default().quantile(0.5), None);
    }

    #[test]
    fn meet_share_counts_days_with_contacts_only() {
        let mut s = RepStats::new(1);
        let day = |offered, within| DayStats {
            offered,
            answered_within_target: within,
            ..DayStats::default()
        };
        s.days = vec![day(10, 9), day(10, 8), day(0, 0), day(4, 4)];
        assert_eq!(meet_share(&s, 0.9), Some(2.0 / 3.0));
        s.days.clear();
        assert_eq!(meet_share(&s, 0.9), None);
    }
}
