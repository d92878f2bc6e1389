//! Forecast uncertainty: the random busyness of a simulated day (and optionally of each
//! reporting interval) that multiplies the arrival rate, mean 1 — the B·λ(t) model of the
//! call-centre literature (Whitt 1999; Jongbloed & Koole 2001; SSJ/ContactCenters, B ~
//! Gamma(α, α)). The draws themselves are the engine's (one stream per day or interval).

use rand::Rng;
use statrs::distribution::{ContinuousCDF, Gamma as GammaCdf, Normal};

/// How a busyness factor is distributed (mean 1 either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpreadShape {
    /// Gamma(α, α) with α = 1/cv²: the literature's choice, conjugate to Poisson counts.
    Gamma,
    /// Lognormal with mean 1 and the given cv: heavier right tail.
    Lognormal,
}

impl SpreadShape {
    pub const NAMES: &'static [&'static str] = &["gamma", "lognormal"];

    pub fn parse(name: &str) -> Option<SpreadShape> {
        match name {
            "gamma" => Some(SpreadShape::Gamma),
            "lognormal" => Some(SpreadShape::Lognormal),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SpreadShape::Gamma => "gamma",
            SpreadShape::Lognormal => "lognormal",
        }
    }
}

/// A random factor with mean 1 and coefficient of variation `cv` (> 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub shape: SpreadShape,
    pub cv: f64,
}

impl Spread {
    /// The gamma shape α = 1/cv² (daily counts then have variance Λ + Λ²/α).
    pub fn gamma_shape(&self) -> f64 {
        1.0 / (self.cv * self.cv)
    }

    /// One factor.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        use rand_distr::Distribution;
        match self.shape {
            SpreadShape::Gamma => {
                let a = self.gamma_shape();
                // Validation keeps cv in (0, MAX_CV], so the parameters are valid.
                rand_distr::Gamma::new(a, 1.0 / a).map_or(1.0, |g| g.sample(rng))
            }
            SpreadShape::Lognormal => {
                let s2 = (1.0 + self.cv * self.cv).ln();
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                (z * s2.sqrt() - s2 / 2.0).exp()
            }
        }
    }

    /// The factor exceeded with probability `1 − q` (`q` in (0, 1)).
    pub fn quantile(&self, q: f64) -> f64 {
        match self.shape {
            SpreadShape::Gamma => {
                let a = self.gamma_shape();
                GammaCdf::new(a, a).map_or(1.0, |g| g.inverse_cdf(q))
            }
            SpreadShape::Lognormal => {
                let s2 = (1.0 + self.cv * self.cv).ln();
                let z = Normal::standard().inverse_cdf(q);
                (z * s2.sqrt() - s2 / 2.0).exp()
            }
        }
    }
}

/// Largest cv accepted for a busyness spread (a day at 4× its forecast's noise is a unit
/// mistake, not a forecast).
pub const MAX_CV: f64 = 2.0;

/// `[arrivals] busyness`: the day's factor and, optionally, each reporting interval's factor
/// on top of it (both mean 1, independent). At least one is present.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Busyness {
    pub day: Option<Spread>,
    pub interval: Option<Spread>,
}

impl Busyness {
    /// The busyness of the `q`-quantile day (1 without a day spread): what the planner
    /// staffs for when asked for confidence `q`.
    pub fn day_quantile(&self, q: f64) -> f64 {
        self.day.map_or(1.0, |s| s.quantile(q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn quantiles_are_monotone_and_the_median_is_below_the_mean() {
        for shape in [SpreadShape::Gamma, SpreadShape::Lognormal] {
            let s = Spread { shape, cv: 0.15 };
            let (q50, q80, q95) = (s.quantile(0.5), s.quantile(0.8), s.quantile(0.95));
            assert!(
                q50 < 1.0 && 1.0 < q80 && q80 < q95,
                "{shape:?}: {q50} {q80} {q95}"
            );
            // Roughly 1 + z·cv for a small cv.
            assert!(
                (q95 - (1.0 + 1.645 * 0.15)).abs() < 0.03,
                "{shape:?}: {q95}"
            );
        }
    }

    #[test]
    fn samples_have_mean_one_and_the_cv() {
        // 40 000 draws: the standard error of the mean is cv/200 = 0.00075, of the cv ≈ 0.0006.
        const N: usize = 40_000;
        const MEAN_TOL: f64 = 4.0 * 0.15 / 200.0;
        const CV_TOL: f64 = 0.005;
        for shape in [SpreadShape::Gamma, SpreadShape::Lognormal] {
            let s = Spread { shape, cv: 0.15 };
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
            let x: Vec<f64> = (0..N).map(|_| s.sample(&mut rng)).collect();
            let mean = x.iter().sum::<f64>() / N as f64;
            let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (N - 1) as f64;
            assert!((mean - 1.0).abs() < MEAN_TOL, "{shape:?} mean {mean}");
            assert!((var.sqrt() / mean - 0.15).abs() < CV_TOL, "{shape:?} cv");
        }
    }
}
