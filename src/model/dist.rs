//! Duration distributions, parameterised the way planners think (a mean and a CV),
//! converted once into samplers so the engine's hot path only draws.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal, Weibull};

/// A validated duration distribution `[s]`. Build it with [`Dist::exponential`] and friends,
/// which check their parameters; the engine only calls [`Dist::sample`].
#[derive(Debug, Clone)]
pub enum Dist {
    /// Exponential with the given mean. Drawn as `rand_distr`'s `Exp` draws (a standard
    /// exponential times `1 / (1 / mean)`, bit for bit), but inlined into the engine.
    Exponential { mean_s: f64, scale: f64 },
    /// Lognormal with the given mean and coefficient of variation.
    LogNormal {
        mean_s: f64,
        cv: f64,
        sampler: LogNormal<f64>,
    },
    /// Gamma with the given mean and CV (shape = 1/cv²).
    Gamma {
        mean_s: f64,
        cv: f64,
        sampler: Gamma<f64>,
    },
    /// Erlang-k with the given mean: a gamma of integer shape k.
    Erlang {
        mean_s: f64,
        k: u32,
        sampler: Gamma<f64>,
    },
    /// Weibull with the given mean and shape.
    Weibull {
        mean_s: f64,
        shape: f64,
        sampler: Weibull<f64>,
    },
    /// Uniform on `[min_s, max_s]`.
    Uniform { min_s: f64, max_s: f64 },
    /// Always the same value.
    Constant { value_s: f64 },
}

/// Why a distribution's parameters were refused; the message names the parameter.
pub type DistError = String;

fn positive(name: &str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{name} must be a positive number, got {v}"))
    }
}

impl Dist {
    pub fn exponential(mean_s: f64) -> Result<Self, DistError> {
        let mean_s = positive("mean_s", mean_s)?;
        // `Exp::new(λ)` scales by `1 / λ`, which may differ from `mean_s` in the last bit.
        let scale = 1.0 / (1.0 / mean_s);
        Ok(Dist::Exponential { mean_s, scale })
    }

    pub fn lognormal(mean_s: f64, cv: f64) -> Result<Self, DistError> {
        let mean_s = positive("mean_s", mean_s)?;
        let cv = positive("cv", cv)?;
        let sigma2 = (1.0 + cv * cv).ln();
        let mu = mean_s.ln() - sigma2 / 2.0;
        let sampler = LogNormal::new(mu, sigma2.sqrt()).map_err(|e| e.to_string())?;
        Ok(Dist::LogNormal {
            mean_s,
            cv,
            sampler,
        })
    }

    pub fn gamma(mean_s: f64, cv: f64) -> Result<Self, DistError> {
        let mean_s = positive("mean_s", mean_s)?;
        let cv = positive("cv", cv)?;
        let shape = 1.0 / (cv * cv);
        let sampler = Gamma::new(shape, mean_s / shape).map_err(|e| e.to_string())?;
        Ok(Dist::Gamma {
            mean_s,
            cv,
            sampler,
        })
    }

    pub fn erlang(mean_s: f64, k: u32) -> Result<Self, DistError> {
        let mean_s = positive("mean_s", mean_s)?;
        if k == 0 {
            return Err("k must be a whole number of at least 1".into());
        }
        let sampler = Gamma::new(k as f64, mean_s / k as f64).map_err(|e| e.to_string())?;
        Ok(Dist::Erlang { mean_s, k, sampler })
    }

    pub fn weibull(mean_s: f64, shape: f64) -> Result<Self, DistError> {
        let mean_s = positive("mean_s", mean_s)?;
        let shape = positive("shape", shape)?;
        let scale = mean_s / statrs::function::gamma::gamma(1.0 + 1.0 / shape);
        if !scale.is_finite() || scale <= 0.0 {
            return Err(format!("shape {shape} is too small for a finite mean"));
        }
        let sampler = Weibull::new(scale, shape).map_err(|e| e.to_string())?;
        Ok(Dist::Weibull {
            mean_s,
            shape,
            sampler,
        })
    }

    pub fn uniform(min_s: f64, max_s: f64) -> Result<Self, DistError> {
        if !(min_s.is_finite() && min_s >= 0.0) {
            return Err(format!("min_s must be a number ≥ 0, got {min_s}"));
        }
        if !(max_s.is_finite() && max_s >= min_s) {
            return Err(format!("max_s ({max_s}) must be ≥ min_s ({min_s})"));
        }
        Ok(Dist::Uniform { min_s, max_s })
    }

    pub fn constant(value_s: f64) -> Result<Self, DistError> {
        if !(value_s.is_finite() && value_s >= 0.0) {
            return Err(format!("value_s must be a number ≥ 0, got {value_s}"));
        }
        Ok(Dist::Constant { value_s })
    }

    /// The distribution's mean `[s]`.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Exponential { mean_s, .. }
            | Dist::LogNormal { mean_s, .. }
            | Dist::Gamma { mean_s, .. }
            | Dist::Erlang { mean_s, .. }
            | Dist::Weibull { mean_s, .. } => mean_s,
            Dist::Uniform { min_s, max_s } => (min_s + max_s) / 2.0,
            Dist::Constant { value_s } => value_s,
        }
    }

    /// One draw `[s]`, never negative.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Exponential { scale, .. } => {
                <Exp1 as Distribution<f64>>::sample(&Exp1, rng) * scale
            }
            Dist::LogNormal { sampler, .. } => sampler.sample(rng),
            Dist::Gamma { sampler, .. } | Dist::Erlang { sampler, .. } => sampler.sample(rng),
            Dist::Weibull { sampler, .. } => sampler.sample(rng),
            Dist::Uniform { min_s, max_s } => min_s + (max_s - min_s) * unit_f64(rng),
            Dist::Constant { value_s } => *value_s,
        }
    }
}

/// A uniform draw in [0, 1) with 53 random bits.
#[inline]
pub(crate) fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn sample_mean(d: &Dist) -> f64 {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn means_match_parameters() {
        // Relative tolerance 2%: far above the sampling error at n = 200 000 for cv ≤ 1.
        for d in [
            Dist::exponential(300.0).unwrap(),
            Dist::lognormal(300.0, 0.8).unwrap(),
            Dist::gamma(300.0, 0.5).unwrap(),
            Dist::erlang(300.0, 3).unwrap(),
            Dist::weibull(300.0, 1.5).unwrap(),
            Dist::uniform(100.0, 500.0).unwrap(),
            Dist::constant(300.0).unwrap(),
        ] {
            let m = sample_mean(&d);
            assert!((m / d.mean() - 1.0).abs() < 0.02, "{d:?}: {m}");
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Dist::exponential(-3.0).unwrap_err().contains("mean_s"));
        assert!(Dist::lognormal(10.0, 0.0).unwrap_err().contains("cv"));
        assert!(Dist::uniform(5.0, 1.0).unwrap_err().contains("max_s"));
        assert!(Dist::erlang(5.0, 0).is_err());
    }
}
