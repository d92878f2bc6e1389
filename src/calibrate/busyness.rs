//! The day busyness spread from the records: the variance of daily first-visit counts
//! beyond Poisson, after the weekday profile (method of moments).
//!
//! With the day's rate B·μ_d (B mean 1, variance cv²) a day's count N_d has mean μ_d and
//! variance μ_d + cv²·μ_d², so z_d = ((N_d − μ_d)² − μ_d) / μ_d² has mean cv². The estimate
//! is the mean of z_d over the days, its standard error their standard deviation over √D;
//! both are scaled by D / (D − p) for the p parameters (per_day and weekday factors) fitted
//! on the same days, which absorb part of the spread.

/// Fewest days for an estimate (fewer cannot separate busyness from the weekday profile).
pub const MIN_DAYS: usize = 7;

/// The fitted spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BusynessFit {
    /// Days used (replications × days).
    pub days: usize,
    /// The estimate of cv² and its standard error.
    pub cv2: f64,
    pub cv2_se: f64,
}

impl BusynessFit {
    /// cv (0 when the estimate of cv² is not positive).
    pub fn cv(&self) -> f64 {
        self.cv2.max(0.0).sqrt()
    }

    /// Standard error of the cv by the delta method (`None` at cv 0).
    pub fn cv_se(&self) -> Option<f64> {
        let cv = self.cv();
        (cv > 0.0).then(|| self.cv2_se / (2.0 * cv))
    }

    /// Whether the over-dispersion is clear: cv² more than two standard errors above 0.
    pub fn significant(&self) -> bool {
        self.cv2 > 2.0 * self.cv2_se
    }
}

/// Fits from `(count, expected)` per day; `fitted` parameters were estimated on these days.
pub fn fit(days: &[(f64, f64)], fitted: usize) -> Option<BusynessFit> {
    let z: Vec<f64> = days
        .iter()
        .filter(|(_, mu)| *mu > 0.0)
        .map(|&(n, mu)| ((n - mu).powi(2) - mu) / (mu * mu))
        .collect();
    let d = z.len();
    if d < MIN_DAYS.max(fitted + 2) {
        return None;
    }
    let mean = z.iter().sum::<f64>() / d as f64;
    let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (d - 1) as f64;
    let correction = d as f64 / (d - fitted) as f64;
    Some(BusynessFit {
        days: d,
        cv2: mean * correction,
        cv2_se: (var / d as f64).sqrt() * correction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Gamma, Poisson};

    #[test]
    fn recovers_the_spread_of_gamma_mixed_poisson_days() {
        // 2 000 days of mean 5 000 with cv 0.2: the estimate lands within 4 standard errors.
        const CV: f64 = 0.2;
        const MU: f64 = 5000.0;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let a = 1.0 / (CV * CV);
        let g = Gamma::new(a, 1.0 / a).unwrap();
        let days: Vec<(f64, f64)> = (0..2000)
            .map(|_| {
                let b: f64 = g.sample(&mut rng);
                (Poisson::new(MU * b).unwrap().sample(&mut rng), MU)
            })
            .collect();
        let f = fit(&days, 1).unwrap();
        assert!((f.cv2 - CV * CV).abs() < 4.0 * f.cv2_se, "{f:?}");
        assert!(f.significant());
        // Pure Poisson days: no spread.
        let days: Vec<(f64, f64)> = (0..2000)
            .map(|_| (Poisson::new(MU).unwrap().sample(&mut rng), MU))
            .collect();
        let f = fit(&days, 1).unwrap();
        assert!(f.cv2.abs() < 4.0 * f.cv2_se && !f.significant(), "{f:?}");
        assert_eq!(fit(&days[..3], 1), None);
    }
}
