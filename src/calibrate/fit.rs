//! Fitting: handle-time families by maximum likelihood (lognormal, gamma, exponential, chosen
//! by AIC, with the Kolmogorov–Smirnov distance of the choice), and patience under
//! censoring (exponential MLE and Kaplan–Meier).

use statrs::function::erf::erf;
use statrs::function::gamma::{checked_gamma_lr, ln_gamma};

/// A duration family kefu can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    LogNormal,
    Gamma,
    Exponential,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Exponential => "exponential",
        }
    }
}

/// One candidate's maximum-likelihood fit.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub family: Family,
    pub mean_s: f64,
    pub cv: f64,
    pub log_lik: f64,
    /// Akaike information criterion: 2·parameters − 2·log-likelihood (lower is better).
    pub aic: f64,
}

/// The fit of one set of durations.
#[derive(Debug, Clone)]
pub struct DurationFit {
    pub n: usize,
    pub sample_mean_s: f64,
    pub sample_cv: f64,
    /// Candidates, best (lowest AIC) first.
    pub candidates: Vec<Candidate>,
    /// Kolmogorov–Smirnov distance between the data and the chosen fit.
    pub ks: f64,
}

impl DurationFit {
    pub fn best(&self) -> &Candidate {
        &self.candidates[0]
    }
}

/// Smallest duration used in log-likelihoods `[s]` (records keep milliseconds).
const FLOOR_S: f64 = 1e-3;

/// Fits the three families to `xs` (needs at least 2 values that are not all equal).
pub fn fit_durations(xs: &mut [f64]) -> Option<DurationFit> {
    let n = xs.len();
    if n < 2 {
        return None;
    }
    for x in xs.iter_mut() {
        *x = x.max(FLOOR_S);
    }
    let nf = n as f64;
    let mean = xs.iter().sum::<f64>() / nf;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let sum_ln: f64 = xs.iter().map(|x| x.ln()).sum();
    let mean_ln = sum_ln / nf;
    let var_ln = xs.iter().map(|x| (x.ln() - mean_ln).powi(2)).sum::<f64>() / nf;
    // Durations so large that sums overflow, or all equal: nothing to fit.
    if !(var_ln > 0.0 && var > 0.0 && var.is_finite() && mean.is_finite()) {
        return None;
    }
    let mut c = Vec::new();
    // Lognormal: MLE on the logs.
    let sigma = var_ln.sqrt();
    let ll = -sum_ln - nf * sigma.ln() - 0.5 * nf * (2.0 * std::f64::consts::PI).ln() - 0.5 * nf;
    c.push(Candidate {
        family: Family::LogNormal,
        mean_s: (mean_ln + var_ln / 2.0).exp(),
        cv: (var_ln.exp() - 1.0).sqrt(),
        log_lik: ll,
        aic: 4.0 - 2.0 * ll,
    });
    // Gamma: Minka's start, then Newton on the shape; scale = mean / shape. `s` > 0 by
    // Jensen's inequality, but rounding can make it 0 or negative for nearly equal values.
    let s = mean.ln() - mean_ln;
    let gamma_fits = s > 0.0 && s.is_finite();
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..50 {
        if !(gamma_fits && k > 0.0 && k.is_finite()) {
            break;
        }
        let num = k.ln() - digamma(k) - s;
        let den = 1.0 / k - trigamma(k);
        let next = k - num / den;
        let next = if next > 0.0 { next } else { k / 2.0 };
        if (next - k).abs() < 1e-10 * k {
            k = next;
            break;
        }
        k = next;
    }
    let theta = mean / k;
    let ll = (k - 1.0) * sum_ln - nf * k * theta.ln() - nf * ln_gamma(k) - mean * nf / theta;
    if gamma_fits && k > 0.0 && k.is_finite() && ll.is_finite() {
        c.push(Candidate {
            family: Family::Gamma,
            mean_s: mean,
            cv: 1.0 / k.sqrt(),
            log_lik: ll,
            aic: 4.0 - 2.0 * ll,
        });
    }
    // Exponential.
    let ll = -nf * mean.ln() - nf;
    c.push(Candidate {
        family: Family::Exponential,
        mean_s: mean,
        cv: 1.0,
        log_lik: ll,
        aic: 2.0 - 2.0 * ll,
    });
    // Only candidates a scenario can hold (finite, positive mean and cv).
    c.retain(|x| {
        x.aic.is_finite()
            && x.mean_s.is_finite()
            && x.mean_s > 0.0
            && x.cv.is_finite()
            && x.cv > 0.0
    });
    if c.is_empty() {
        return None;
    }
    c.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    xs.sort_by(f64::total_cmp);
    let best = c[0];
    let ks = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(&best, x);
            (f - i as f64 / nf)
                .abs()
                .max(((i + 1) as f64 / nf - f).abs())
        })
        .fold(0.0, f64::max);
    Some(DurationFit {
        n,
        sample_mean_s: mean,
        sample_cv: var.sqrt() / mean,
        candidates: c,
        ks,
    })
}

/// Above this gamma shape (cv below 0.3%), the CDF uses a normal approximation.
const GAMMA_NORMAL_SHAPE: f64 = 1e5;

/// The CDF of a fitted candidate.
pub fn cdf(c: &Candidate, x: f64) -> f64 {
    match c.family {
        Family::Exponential => 1.0 - (-x / c.mean_s).exp(),
        Family::LogNormal => {
            let s2 = (1.0 + c.cv * c.cv).ln();
            let mu = c.mean_s.ln() - s2 / 2.0;
            0.5 * (1.0 + erf((x.ln() - mu) / (2.0 * s2).sqrt()))
        }
        Family::Gamma => {
            let k = 1.0 / (c.cv * c.cv);
            let y = x * k / c.mean_s;
            // statrs panics outside a in (0, ∞), x in (0, ∞): the limits are known.
            if y.is_nan() || k.is_nan() {
                f64::NAN
            } else if y <= 0.0 {
                0.0
            } else if y == f64::INFINITY {
                1.0
            } else if k > GAMMA_NORMAL_SHAPE {
                // statrs' series takes O(k) steps (47 s for 200 nearly equal durations, k ≈
                // 1e10); at such shapes the Wilson–Hilferty normal approximation is exact to
                // far better than the KS statistic needs.
                let v = 1.0 / (9.0 * k);
                let z = ((y / k).cbrt() - (1.0 - v)) / v.sqrt();
                0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))
            } else {
                checked_gamma_lr(k, y).unwrap_or(f64::NAN)
            }
        }
    }
}

/// ψ(x) for x > 0: recurrence up to 10, then the asymptotic series; NaN outside (0, ∞)
/// (the recurrence would never end for x = -∞ or a large negative x).
pub fn digamma(mut x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let mut r = 0.0;
    while x < 10.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln() - 0.5 / x - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f / 240.0)))
}

/// ψ′(x) for x > 0; NaN outside (0, ∞).
pub fn trigamma(mut x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let mut r = 0.0;
    while x < 10.0 {
        r += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + 1.0 / x + f / 2.0 + f / x * (1.0 / 6.0 - f * (1.0 / 30.0 - f * (1.0 / 42.0 - f / 30.0)))
}

/// Patience estimated from waits in the human queue: abandoners show their patience, served
/// customers only that it exceeded their wait (right-censored).
#[derive(Debug, Clone)]
pub struct PatienceFit {
    /// Customers who entered the human queue (live; tickets excluded).
    pub offered: u64,
    pub abandons: u64,
    /// Total time waited by all of them `[s]`.
    pub exposure_s: f64,
    /// Exponential MLE with censoring: exposure / abandons `[s]`.
    pub mean_s: f64,
    /// Approximate 95% interval of the mean (log-normal approximation, 1.96/√abandons).
    pub ci95: (f64, f64),
    /// The naive (biased) estimate: the mean wait of those who abandoned `[s]`.
    pub naive_mean_s: f64,
    /// Kaplan–Meier median of patience, when the survival curve falls to 0.5 in the data.
    pub km_median_s: Option<f64>,
}

/// Fits patience to `(wait, abandoned)` pairs; `None` when nobody abandoned.
pub fn fit_patience(waits: &mut [(f64, bool)]) -> Option<PatienceFit> {
    let abandons = waits.iter().filter(|w| w.1).count() as u64;
    if abandons == 0 {
        return None;
    }
    let exposure: f64 = waits.iter().map(|w| w.0.max(0.0)).sum();
    let naive = waits.iter().filter(|w| w.1).map(|w| w.0).sum::<f64>() / abandons as f64;
    let mean = exposure / abandons as f64;
    let z = 1.96 / (abandons as f64).sqrt();
    // Kaplan–Meier: at each abandonment time, S *= 1 − d/n (served customers leave the risk
    // set at their wait without an event; ties: abandonments first).
    waits.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = waits.len() as f64;
    let mut s = 1.0;
    let mut km_median = None;
    let mut i = 0;
    while i < waits.len() {
        let t = waits[i].0;
        let (mut d, mut gone) = (0.0, 0.0);
        while i < waits.len() && waits[i].0 == t {
            d += waits[i].1 as u8 as f64;
            gone += 1.0;
            i += 1;
        }
        if d > 0.0 {
            s *= 1.0 - d / at_risk;
            if s <= 0.5 && km_median.is_none() {
                km_median = Some(t);
            }
        }
        at_risk -= gone;
    }
    Some(PatienceFit {
        offered: waits.len() as u64,
        abandons,
        exposure_s: exposure,
        mean_s: mean,
        ci95: (mean * (-z).exp(), mean * z.exp()),
        naive_mean_s: naive,
        km_median_s: km_median,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dist;
    use rand::SeedableRng;

    fn draws(d: &Dist, n: usize) -> Vec<f64> {
        let mut r = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        (0..n).map(|_| d.sample(&mut r)).collect()
    }

    #[test]
    fn each_family_is_recognised_and_recovered() {
        for (d, fam) in [
            (Dist::lognormal(300.0, 0.8).unwrap(), Family::LogNormal),
            (Dist::gamma(300.0, 0.5).unwrap(), Family::Gamma),
            (Dist::exponential(300.0).unwrap(), Family::Exponential),
        ] {
            let mut xs = draws(&d, 20_000);
            let f = fit_durations(&mut xs).unwrap();
            assert_eq!(f.best().family, fam, "{:?}", f.candidates);
            assert!(
                (f.best().mean_s / 300.0 - 1.0).abs() < 0.03,
                "{:?}",
                f.best()
            );
            assert!(f.ks < 0.02, "ks {}", f.ks);
        }
    }

    #[test]
    fn special_functions_end_and_never_panic_outside_their_domain() {
        for x in [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            0.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(digamma(x).is_nan() && trigamma(x).is_nan(), "{x}");
        }
        let c = Candidate {
            family: Family::Gamma,
            mean_s: 100.0,
            cv: 0.0,
            log_lik: 0.0,
            aic: 0.0,
        };
        // cv = 0 makes the shape infinite: statrs would panic.
        let _ = cdf(&c, 50.0);
        let c = Candidate { cv: 1.0, ..c };
        assert_eq!(cdf(&c, 0.0), 0.0);
        assert_eq!(cdf(&c, f64::INFINITY), 1.0);
    }

    #[test]
    fn a_huge_gamma_shape_is_quick_and_matches_the_exact_cdf_at_the_threshold() {
        let at = |cv: f64, x: f64| {
            cdf(
                &Candidate {
                    family: Family::Gamma,
                    mean_s: 100.0,
                    cv,
                    log_lik: 0.0,
                    aic: 0.0,
                },
                x,
            )
        };
        // Just above and below the switch: the approximation agrees with statrs.
        let cv_at = |k: f64| 1.0 / k.sqrt();
        for x in [99.5, 100.0, 100.4] {
            let (exact, approx) = (
                at(cv_at(GAMMA_NORMAL_SHAPE * 0.99), x),
                at(cv_at(GAMMA_NORMAL_SHAPE * 1.01), x),
            );
            assert!((exact - approx).abs() < 0.01, "{x}: {exact} vs {approx}");
        }
        let started = std::time::Instant::now();
        for i in 0..200 {
            let _ = at(1e-5, 100.0 + i as f64 * 1e-4);
        }
        assert!(
            started.elapsed().as_secs_f64() < 0.5,
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn durations_that_overflow_or_are_equal_are_not_fitted() {
        assert!(fit_durations(&mut [1e308, 1e308, 1.0]).is_none());
        assert!(fit_durations(&mut [0.0, 0.0, 0.0]).is_none());
        assert!(fit_durations(&mut [5.0; 40]).is_none());
        let mut nearly: Vec<f64> = (0..40).map(|i| 5.0 + i as f64 * 1e-15).collect();
        if let Some(f) = fit_durations(&mut nearly) {
            assert!(f
                .candidates
                .iter()
                .all(|c| c.mean_s.is_finite() && c.cv > 0.0));
        }
    }

    #[test]
    fn special_functions() {
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-10);
        assert!((trigamma(1.0) - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-10);
    }

    #[test]
    fn censored_patience_is_unbiased_and_naive_is_not() {
        // Patience exp(240), waits exp(60) censor it: MLE ≈ 240, naive ≈ 48.
        let p = draws(&Dist::exponential(240.0).unwrap(), 40_000);
        let w = draws(&Dist::exponential(60.0).unwrap(), 40_001);
        let mut obs: Vec<(f64, bool)> = p
            .iter()
            .zip(&w[1..])
            .map(|(&p, &w)| if p < w { (p, true) } else { (w, false) })
            .collect();
        let f = fit_patience(&mut obs).unwrap();
        assert!((f.mean_s / 240.0 - 1.0).abs() < 0.05, "{f:?}");
        assert!(f.naive_mean_s < 0.3 * 240.0, "{f:?}");
    }
}
