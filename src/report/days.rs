//! The distribution across simulated days in `summary.json` (the `days` object) and in
//! `report.html` (a sentence, a few cards and a histogram of the daily service level):
//! "the target holds on 71% ± 4 of days". Only for scenarios that model day-to-day
//! uncertainty ([`Model::reports_days`]); other outputs are unchanged.

use crate::escape::html as esc;
use crate::format::insert;
use crate::model::Model;
use crate::stats::ci::number;
use crate::summary::days::RateHistogram;
use crate::summary::{Aggregate, TotalMetric};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// A key figure in the report's card style (the same markup as `html::card`; this module
/// is called from `html.rs`, so it does not import it back).
fn card(h: &mut String, key: &str, value: &str, detail: &str) {
    let _ = writeln!(
        h,
        "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"d\">{}</div></div>",
        esc(key),
        esc(value),
        esc(detail)
    );
}

/// Quantiles reported for each daily rate.
const QUANTILES: [(&str, f64); 3] = [("p10", 0.1), ("p50", 0.5), ("p90", 0.9)];

fn quantiles(h: &RateHistogram) -> Value {
    let mut o = Map::new();
    for (name, q) in QUANTILES {
        o.insert(name.into(), json!(number(h.quantile(q))));
    }
    Value::Object(o)
}

/// Adds the pooled daily distributions under `days` (the per-replication `days.*` metrics
/// are already there, with their confidence intervals).
pub fn add_to_summary(m: &Model, agg: &Aggregate, root: &mut Map<String, Value>) {
    if !m.reports_days() {
        return;
    }
    let d = &agg.days;
    insert(root, &["days", "simulated_days"], json!(d.days));
    insert(
        root,
        &["days", "service_level"],
        quantiles(&d.service_level),
    );
    insert(root, &["days", "abandon_rate"], quantiles(&d.abandon_rate));
    if let Some((mean, sd)) = d.arrivals_mean_sd() {
        insert(
            root,
            &["days", "arrivals"],
            json!({"mean": number(Some(mean)), "sd": number(Some(sd))}),
        );
    }
    if let Some(b) = m.arrivals.busyness {
        insert(
            root,
            &["days", "busyness_cv"],
            json!(b.day.map_or(0.0, |s| s.cv)),
        );
    }
}

/// `71% ± 4` from a share and its half-width.
fn share_text(mean: f64, ci: Option<f64>) -> String {
    match ci {
        Some(ci) => format!("{:.0}% ± {:.0}", mean * 100.0, ci * 100.0),
        None => format!("{:.0}%", mean * 100.0),
    }
}

/// The section of `report.html` on the days: a sentence, cards and the histogram.
pub fn section(h: &mut String, m: &Model, agg: &Aggregate) {
    if !m.reports_days() {
        return;
    }
    let Some(meet) = agg.get(TotalMetric::DaysMeetShare) else {
        return;
    };
    let Some(mean) = meet.mean else {
        return;
    };
    let target = m.target.service_level;
    let d = &agg.days;
    h.push_str("<h2>Across simulated days</h2>\n");
    let _ = writeln!(
        h,
        "<p id=\"days-sentence\">The target holds on <strong>{}</strong> of days ({} simulated days \
         over all replications; a day meets it when its own service level reaches {:.0}%).</p>",
        esc(&share_text(mean, meet.ci95)),
        d.days,
        target * 100.0
    );
    h.push_str("<div class=\"cards\">\n");
    let pct = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{:.1}%", v * 100.0));
    card(
        h,
        "Daily service level",
        &format!(
            "{} / {} / {}",
            pct(d.service_level.quantile(0.1)),
            pct(d.service_level.quantile(0.5)),
            pct(d.service_level.quantile(0.9))
        ),
        "p10 / p50 / p90 across days",
    );
    card(
        h,
        "Daily abandon rate",
        &format!(
            "{} / {} / {}",
            pct(d.abandon_rate.quantile(0.1)),
            pct(d.abandon_rate.quantile(0.5)),
            pct(d.abandon_rate.quantile(0.9))
        ),
        "p10 / p50 / p90 across days",
    );
    if let Some(b) = m.arrivals.busyness.and_then(|b| b.day) {
        card(
            h,
            "Day busyness",
            &format!("cv {:.2}", b.cv),
            &format!("{} factor on the forecast, mean 1", b.shape.name()),
        );
    }
    if let Some(e) = agg.get(TotalMetric::AbsentAgentHours).and_then(|e| e.mean) {
        card(
            h,
            "Absent agent-hours",
            &format!("{e:.0}"),
            "scheduled but absent (apart from shrinkage)",
        );
    }
    h.push_str("</div>\n");
    h.push_str(&histogram_svg(&d.service_level, target));
}

/// Bars of the share of days per 2-point band of daily service level, with the target.
fn histogram_svg(hist: &RateHistogram, target: f64) -> String {
    const BANDS: usize = 50;
    const W: f64 = 640.0;
    const H: f64 = 180.0;
    const PAD: f64 = 24.0;
    let n = hist.count().max(1) as f64;
    let mut shares = [0.0f64; BANDS];
    for (band, share) in shares.iter_mut().enumerate() {
        let lo = band as f64 / BANDS as f64;
        let hi = (band + 1) as f64 / BANDS as f64;
        let at_least = |v: f64| hist.share_at_least(v).unwrap_or(0.0);
        *share = if band + 1 == BANDS {
            at_least(lo)
        } else {
            at_least(lo) - at_least(hi)
        };
    }
    // Show the bands from the lowest one with days (the rest is empty space).
    let first = shares
        .iter()
        .position(|&s| s > 0.0)
        .unwrap_or(0)
        .min(BANDS - 10);
    let shown = BANDS - first;
    let top = shares.iter().copied().fold(0.0, f64::max).max(1.0 / n);
    let bw = (W - 2.0 * PAD) / shown as f64;
    let x_of = |v: f64| PAD + (v * BANDS as f64 - first as f64) * bw;
    let mut s = format!(
        "<figure><svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"daily service level histogram\" style=\"max-width:{W}px;width:100%\">\n"
    );
    for (i, &share) in shares[first..].iter().enumerate() {
        let bh = share / top * (H - 2.0 * PAD);
        let x = PAD + i as f64 * bw;
        let lo = (first + i) as f64 / BANDS as f64;
        let fill = if lo + 1e-9 >= target {
            "#2a9646"
        } else {
            "#d22828"
        };
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{fill}\"><title>{:.0}–{:.0}%: {:.1}% of days</title></rect>",
            H - PAD - bh,
            (bw - 1.0).max(0.5),
            lo * 100.0,
            lo * 100.0 + 100.0 / BANDS as f64,
            share * 100.0
        );
    }
    let tx = x_of(target);
    let _ = writeln!(
        s,
        "<line x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"{PAD}\" y2=\"{:.1}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">target {:.0}%</text>\n\
         <text x=\"{PAD}\" y=\"{:.1}\" font-size=\"12\">{:.0}%</text>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">100%</text>",
        H - PAD,
        tx + 4.0,
        PAD + 10.0,
        target * 100.0,
        H - 6.0,
        first as f64 * 100.0 / BANDS as f64,
        W - PAD,
        H - 6.0
    );
    s.push_str("</svg><figcaption>Share of simulated days by their own service level (green: the day met the target).</figcaption></figure>\n");
    s
}
