//! `kefu compare A B`: every metric as `B − A` with a paired 95% confidence interval
//! (replication r of A and of B saw the same customers), each side's own estimate, and the
//! half-width the difference would have had from unpaired runs (the variance reduction).

use crate::stats::ci::{estimate, mean_sd, t_quantile, Estimate};
use crate::summary::{Aggregate, HumanMetric, Metric, TotalMetric};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// How a metric is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share: values in %, differences in percentage points.
    Share,
    Seconds,
    Count,
    Hours,
    Money,
}

/// The headline metrics: the verdict, the terminal table and the chart.
pub const HEADLINE: &[(Metric, &str, Unit)] = &[
    (SERVICE_LEVEL, "service level", Unit::Share),
    (human(HumanMetric::AbandonRate), "abandon rate", Unit::Share),
    (human(HumanMetric::MeanWaitS), "mean wait", Unit::Seconds),
    (
        human(HumanMetric::WaitP90S),
        "90th percentile wait",
        Unit::Seconds,
    ),
    (human(HumanMetric::Occupancy), "occupancy", Unit::Share),
    (
        total(TotalMetric::BotContainment),
        "bot containment",
        Unit::Share,
    ),
    (OFFERED, "chats offered to agents", Unit::Count),
    (total(TotalMetric::TicketCount), "tickets", Unit::Count),
    (total(TotalMetric::AgentHours), "agent hours", Unit::Hours),
    (total(TotalMetric::CostTotal), "cost", Unit::Money),
];

/// The metric of the variance-reduction figure.
pub const SERVICE_LEVEL: Metric = human(HumanMetric::ServiceLevel);
/// A headline metric left out of the difference chart (its scale dwarfs the others).
pub const OFFERED: Metric = human(HumanMetric::Offered);

const fn human(k: HumanMetric) -> Metric {
    Metric::human(k)
}

const fn total(t: TotalMetric) -> Metric {
    Metric::Total(t)
}

/// One metric compared.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricCompare {
    /// The metric (as A's scenario numbers its categories).
    pub metric: Metric,
    /// Its path in `summary.json`, e.g. `["human", "service_level"]`.
    pub path: Vec<String>,
    pub a: Estimate,
    pub b: Estimate,
    /// Mean of the paired differences `b − a` and its 95% half-width.
    pub diff: Estimate,
    /// The 95% half-width of `mean(b) − mean(a)` had the runs been independent (Welch).
    pub independent_ci95: Option<f64>,
}

impl MetricCompare {
    /// The dotted path, e.g. `human.service_level`.
    pub fn name(&self) -> String {
        self.path.join(".")
    }

    /// Whether the paired CI excludes 0 (`None` when it is undefined).
    pub fn significant(&self) -> Option<bool> {
        let (m, ci) = (self.diff.mean?, self.diff.ci95?);
        Some(m.abs() > ci)
    }

    /// Independent half-width ÷ paired half-width (`None` when the paired one is 0).
    pub fn width_factor(&self) -> Option<f64> {
        let (ind, ci) = (self.independent_ci95?, self.diff.ci95?);
        (ci > 0.0).then(|| ind / ci)
    }
}

/// Welch's 95% half-width for the difference of two independent means.
pub fn independent_half_width(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let (_, sa, na) = mean_sd(a);
    let (_, sb, nb) = mean_sd(b);
    let (sa, sb) = (sa?, sb?);
    let (va, vb) = (sa * sa / na as f64, sb * sb / nb as f64);
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some(0.0);
    }
    let dof = se2 * se2 / (va * va / (na - 1) as f64 + vb * vb / (nb - 1) as f64);
    let t = match StudentsT::new(0.0, 1.0, dof) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => t_quantile(0.95, (na + nb).saturating_sub(2).max(1)),
    };
    Some(t * se2.sqrt())
}

/// Compares every metric A has that B has too (paired by replication index).
pub fn compare(a: &Aggregate, b: &Aggregate) -> Vec<MetricCompare> {
    a.metrics
        .iter()
        .filter_map(|&metric| {
            // Paired by name: B's categories may be numbered differently.
            let va = a.values(metric)?;
            let vb = b.values(b.metric_named(&a.name(metric)?)?)?;
            let d: Vec<Option<f64>> = va
                .iter()
                .zip(&vb)
                .map(|(x, y)| Some((*y)? - (*x)?))
                .collect();
            Some(MetricCompare {
                metric,
                path: a.path(metric)?.into_iter().map(String::from).collect(),
                a: estimate(&va),
                b: estimate(&vb),
                diff: estimate(&d),
                independent_ci95: independent_half_width(&va, &vb),
            })
        })
        .collect()
}

/// The headline rows present, with label and unit.
pub fn headline(rows: &[MetricCompare]) -> Vec<(&MetricCompare, &'static str, Unit)> {
    HEADLINE
        .iter()
        .filter_map(|(metric, label, unit)| {
            rows.iter()
                .find(|r| r.metric == *metric)
                .map(|r| (r, *label, *unit))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_matches_pooled_for_equal_variances() {
        let a = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
        let b = [Some(2.0), Some(3.0), Some(4.0), Some(5.0)];
        let w = independent_half_width(&a, &b).unwrap();
        // Equal variances and sizes: Welch's dof = 6, se = sqrt(2 × 1.6667 / 4).
        let expect = t_quantile(0.95, 6) * (2.0 * (5.0 / 3.0) / 4.0f64).sqrt();
        assert!((w - expect).abs() < 1e-9, "{w} vs {expect}");
    }
}
