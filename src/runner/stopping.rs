//! How many replications a group gets: a fixed count, or a sequential stopping rule.
//!
//! With [`Reps::Auto`] the rule is exact: a group stops at the first replication count
//! n ≥ `min` at which every service-level half-width it reports (each model's, and for a pair
//! the paired difference's) is ≤ `precision`, or at `max`. Replications are simulated ahead
//! in batches for speed and any beyond the stopping point are discarded, so the count and the
//! numbers depend only on the seed and the bound.

use crate::stats::estimate;
use crate::summary::{Aggregate, HumanMetric, Metric};

/// The metric the replication counts are chosen for.
pub const SERVICE_LEVEL: Metric = Metric::human(HumanMetric::ServiceLevel);

/// How many replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reps {
    /// Exactly this many.
    Fixed(u32),
    /// Until the service level's 95% half-width is ≤ `precision` (at least `min`, at most `max`).
    Auto { precision: f64, min: u32, max: u32 },
}

/// Default bound on the service level's 95% half-width for `--replications auto`.
pub const DEFAULT_PRECISION: f64 = 0.005;
/// Replications `--replications auto` always runs before it may stop.
pub const AUTO_MIN: u32 = 10;
/// Default cap for `--replications auto`.
pub const DEFAULT_MAX: u32 = 2000;

/// How one group ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupOutcome {
    pub replications: u32,
    /// The largest service-level half-width of the group at the end (`None`: undefined).
    pub half_width: Option<f64>,
    /// Under `Auto`: whether the bound was reached (false: stopped at the cap).
    pub converged: bool,
}

/// [`Reps`] resolved into counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    /// Replications of the first round.
    pub first: u32,
    min: u32,
    pub max: u32,
    precision: f64,
}

impl Rule {
    pub fn of(reps: Reps) -> Self {
        match reps {
            Reps::Fixed(n) => Rule {
                first: n,
                min: n,
                max: n,
                precision: f64::INFINITY,
            },
            Reps::Auto {
                precision,
                min,
                max,
            } => {
                let min = min.clamp(2, max.max(2));
                Rule {
                    first: min,
                    min,
                    max: max.max(min),
                    precision,
                }
            }
        }
    }

    /// Whether a group with `n` replications may stop (the half-width is then computed).
    pub fn may_stop(&self, n: u32) -> bool {
        n >= self.min
    }

    /// Whether a group with `n` replications and this half-width stops.
    pub fn stops(&self, n: u32, half_width: Option<f64>) -> bool {
        self.converged(half_width) || n >= self.max
    }

    /// Whether the half-width meets the bound.
    pub fn converged(&self, half_width: Option<f64>) -> bool {
        half_width.is_some_and(|h| h <= self.precision)
    }

    /// The replication count to simulate up to next: the count the current half-width
    /// projects (it shrinks like 1/√n), at least a few more, at most the cap.
    pub fn next_target(&self, n: u32, hw: Option<f64>, threads: usize) -> u32 {
        let step = (threads as u32).max(2);
        let projected = match hw {
            Some(h) if self.precision > 0.0 => (n as f64 * (h / self.precision).powi(2)).ceil(),
            _ => (n * 2) as f64,
        };
        let projected = if projected.is_finite() {
            projected.min(self.max as f64) as u32
        } else {
            self.max
        };
        projected.max(n + step).min(self.max)
    }
}

/// The paired 95% half-width of `b − a` over the replications where both are defined.
pub fn paired_half_width(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let d: Vec<Option<f64>> = a.iter().zip(b).map(|(x, y)| Some((*y)? - (*x)?)).collect();
    estimate(&d).ci95
}

/// The largest service-level half-width of a group (each model, and the pair's difference).
pub fn group_half_width(aggs: &[Aggregate]) -> Option<f64> {
    let sl: Vec<Vec<Option<f64>>> = aggs
        .iter()
        .map(|a| a.values(SERVICE_LEVEL).unwrap_or_default())
        .collect();
    let mut worst: f64 = 0.0;
    for v in &sl {
        worst = worst.max(estimate(v).ci95?);
    }
    if let [a, b] = sl.as_slice() {
        worst = worst.max(paired_half_width(a, b)?);
    }
    Some(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(max: u32) -> Rule {
        Rule::of(Reps::Auto {
            precision: 0.005,
            min: 10,
            max,
        })
    }

    #[test]
    fn next_target_projects_and_caps() {
        assert_eq!(auto(1000).next_target(10, Some(0.01), 2), 40);
        assert_eq!(auto(1000).next_target(10, Some(0.0051), 2), 12);
        assert_eq!(auto(100).next_target(10, Some(1.0), 2), 100);
        assert_eq!(auto(100).next_target(10, None, 2), 20);
    }

    #[test]
    fn a_fixed_count_stops_exactly_there() {
        let r = Rule::of(Reps::Fixed(7));
        assert_eq!(r.first, 7);
        assert!(!r.may_stop(6));
        assert!(r.stops(7, None));
        assert!(
            r.stops(7, Some(1.0)),
            "a fixed count ignores the half-width"
        );
    }

    #[test]
    fn auto_stops_at_the_bound_or_the_cap() {
        let r = auto(50);
        assert!(!r.may_stop(9));
        assert!(r.stops(10, Some(0.004)) && r.converged(Some(0.004)));
        assert!(!r.stops(10, Some(0.006)));
        assert!(r.stops(50, Some(0.006)) && !r.converged(Some(0.006)));
    }

    #[test]
    fn paired_half_width_of_equal_series_is_zero() {
        let a = [Some(0.9), Some(0.8), None, Some(0.95)];
        assert_eq!(paired_half_width(&a, &a), Some(0.0));
    }
}
