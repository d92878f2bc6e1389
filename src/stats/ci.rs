//! Across-replication estimates: the mean and the 95% Student-t half-width.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A metric over replications, as written in `summary.json`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean over the replications that have a value; `null` when none has.
    pub mean: Option<f64>,
    /// 95% confidence half-width (Student t); `null` with fewer than two values.
    pub ci95: Option<f64>,
}

/// A finite number, else `null` (JSON has no NaN or infinity).
pub fn number(v: Option<f64>) -> serde_json::Value {
    match v {
        Some(x) if x.is_finite() => serde_json::json!(x),
        _ => serde_json::Value::Null,
    }
}

/// `{"mean", "ci95"}` of an estimate.
pub fn estimate_value(e: &Estimate) -> serde_json::Value {
    serde_json::json!({"mean": number(e.mean), "ci95": number(e.ci95)})
}

/// The two-sided quantile `t_{1−α/2, dof}`.
pub fn t_quantile(confidence: f64, dof: usize) -> f64 {
    let t = StudentsT::new(0.0, 1.0, dof as f64).expect("dof ≥ 1");
    t.inverse_cdf(0.5 + confidence / 2.0)
}

/// Mean, sample standard deviation and count of the present values.
pub fn mean_sd(values: &[Option<f64>]) -> (Option<f64>, Option<f64>, usize) {
    let xs: Vec<f64> = values.iter().flatten().copied().collect();
    let n = xs.len();
    if n == 0 {
        return (None, None, 0);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None, n);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (Some(mean), Some(var.sqrt()), n)
}

/// The estimate at a given confidence (0.95 for `ci95`).
pub fn estimate_at(values: &[Option<f64>], confidence: f64) -> Estimate {
    let (mean, sd, n) = mean_sd(values);
    let ci = sd.map(|sd| t_quantile(confidence, n - 1) * sd / (n as f64).sqrt());
    Estimate { mean, ci95: ci }
}

/// Mean and 95% half-width of the present values.
pub fn estimate(values: &[Option<f64>]) -> Estimate {
    estimate_at(values, 0.95)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_quantile(0.95, 9) - 2.262_157).abs() < 1e-5);
        assert!((t_quantile(0.99, 19) - 2.860_935).abs() < 1e-5);
    }

    #[test]
    fn estimate_skips_missing_and_handles_one_value() {
        let e = estimate(&[Some(1.0), None, Some(3.0)]);
        assert_eq!(e.mean, Some(2.0));
        assert!((e.ci95.unwrap() - 12.706_2).abs() < 1e-3);
        assert_eq!(estimate(&[Some(5.0)]).ci95, None);
        assert_eq!(estimate(&[None]).mean, None);
    }
}
