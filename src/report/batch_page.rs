//! The roll-up page of `kefu batch` and of merged batch shards (`report.html`): the mall's key
//! figures, the spread of per-shop service levels as a histogram, agent-hours by category,
//! the shops that miss their target with their worst intervals, and the per-category and
//! per-platform tables. Charts are inline SVG drawn here (no files, no fonts), so the page
//! is the same bytes wherever it is written.

use crate::batch::record::BatchRecord;
use crate::batch::rollup::{Rollup, ShopResult, Totals};
use crate::report::html::{card, esc, page_close, page_open};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Histogram bins of per-shop service level (5 percentage points each).
const BINS: usize = 20;
/// Chart size in SVG units.
const W: f64 = 640.0;
const H: f64 = 240.0;
const PAD: f64 = 36.0;

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |x| format!("{:.1}%", x * 100.0))
}

fn hours(x: f64) -> String {
    format!("{x:.0} h")
}

/// Vertical bars with labels under them; `marker` draws a dashed line at that bar position.
fn bars(title: &str, labels: &[String], values: &[f64], marker: Option<(f64, &str)>) -> String {
    let mut s = String::new();
    let top = values.iter().copied().fold(0.0_f64, f64::max).max(1e-9);
    let n = values.len().max(1) as f64;
    let bw = (W - 2.0 * PAD) / n;
    let _ = write!(
        s,
        "<figure><h3>{}</h3><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(title)
    );
    for (i, (v, l)) in values.iter().zip(labels).enumerate() {
        let h = (H - 2.0 * PAD) * v / top;
        let x = PAD + i as f64 * bw;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#4c78a8\"><title>{}: {}</title></rect>",
            H - PAD - h,
            (bw - 2.0).max(1.0),
            esc(l),
            crate::report::html::fmt_num(*v)
        );
        if values.len() <= 12 || i % 4 == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                x + bw / 2.0,
                H - PAD + 14.0,
                esc(l)
            );
        }
    }
    if let Some((at, label)) = marker {
        let x = PAD + at * bw;
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{PAD}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#d62728\">{}</text>",
            H - PAD,
            x + 4.0,
            PAD - 6.0,
            esc(label)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{PAD}\" y=\"{:.1}\" font-size=\"10\">max {}</text></svg></figure>",
        PAD - 20.0 + 6.0,
        crate::report::html::fmt_num(top)
    );
    s
}

fn totals_table(h: &mut String, title: &str, groups: &BTreeMap<String, Totals>) {
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table><thead><tr><th>name</th><th>shops</th><th>missing target</th><th>contacts</th><th>service level</th><th>shop p10 / p50 / p90</th><th>agent-hours</th><th>paid hours</th><th>cost</th></tr></thead><tbody>",
        esc(title)
    );
    for (name, t) in groups {
        let p = t.shop_service_level;
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{}</td><td>{} / {} / {}</td><td>{}</td><td>{}</td><td>{:.0} {}</td></tr>",
            esc(name),
            t.shops,
            t.shops_missing_target,
            t.contacts,
            pct(t.service_level),
            pct(p.p10),
            pct(p.p50),
            pct(p.p90),
            hours(t.agent_hours),
            hours(t.paid_hours),
            t.cost,
            esc(&t.currency)
        );
    }
    h.push_str("</tbody></table>\n");
}

/// The page.
pub fn batch_html(record: &BatchRecord, r: &Rollup, rows: &[ShopResult]) -> String {
    let title = format!("Mall roll-up — {}", record.manifest);
    let mut h = page_open(&title);
    let m = &r.mall;
    let _ = writeln!(
        h,
        "<h1>{}</h1>\n<p>{} shop(s) from <code>{}</code>, master seed {} (each shop seeded from the master seed and its id).</p>",
        esc(&title),
        m.shops,
        esc(&record.manifest),
        record.seed
    );
    let class = if m.shops_missing_target == 0 {
        "met"
    } else {
        "missed"
    };
    let _ = writeln!(
        h,
        "<section class=\"verdict {class}\" id=\"verdict\"><p class=\"head\">{} of {} shop(s) miss their service-level target</p></section>",
        m.shops_missing_target, m.shops
    );
    if !r.not_run.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"warn\"><strong>Partial:</strong> {} shop(s) were not run (their shards are missing): {}</p>",
            r.not_run.len(),
            esc(&r.not_run.join(", "))
        );
    }
    h.push_str("<div class=\"cards\">\n");
    card(
        &mut h,
        "contacts",
        &format!("{:.0}", m.contacts),
        "mall-wide, mean over replications",
    );
    card(
        &mut h,
        "service level",
        &pct(m.service_level),
        "answered within target / offered, all shops",
    );
    card(
        &mut h,
        "shop service level",
        &format!(
            "{} / {} / {}",
            pct(m.shop_service_level.p10),
            pct(m.shop_service_level.p50),
            pct(m.shop_service_level.p90)
        ),
        "p10 / p50 / p90 over shops",
    );
    card(&mut h, "agent-hours", &hours(m.agent_hours), "on duty");
    card(
        &mut h,
        "paid hours",
        &hours(m.paid_hours),
        "agent-hours over (1 − shrinkage)",
    );
    card(
        &mut h,
        "cost",
        &format!("{:.0} {}", m.cost, m.currency),
        "shops with [costs]",
    );
    h.push_str("</div>\n");
    // Histogram of per-shop service levels, 5-point bins, the lowest target marked.
    let mut counts = vec![0.0; BINS];
    for s in rows.iter().filter_map(|r| r.service_level) {
        counts[((s * BINS as f64) as usize).min(BINS - 1)] += 1.0;
    }
    let labels: Vec<String> = (0..BINS).map(|i| format!("{}%", i * 100 / BINS)).collect();
    let target = rows
        .iter()
        .map(|r| r.target_service_level)
        .fold(f64::NAN, f64::min);
    h.push_str(&bars(
        "Shops by service level (5-point bins)",
        &labels,
        &counts,
        target
            .is_finite()
            .then_some((target * BINS as f64, "target")),
    ));
    if !r.by_category.is_empty() {
        let (l, v): (Vec<String>, Vec<f64>) = r
            .by_category
            .iter()
            .map(|(n, t)| (n.clone(), t.agent_hours))
            .unzip();
        h.push_str(&bars("Agent-hours by category", &l, &v, None));
    }
    let _ = writeln!(
        h,
        "<h2 id=\"missing\">Shops that miss their target ({})</h2>",
        r.missing_target.len()
    );
    if r.missing_target.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th>shop</th><th>category</th><th>platform</th><th>service level</th><th>target</th><th>worst intervals</th></tr></thead><tbody>\n");
        for x in &r.missing_target {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
                esc(&x.id),
                esc(&x.category),
                esc(&x.platform),
                pct(x.service_level),
                x.service_level_ci95
                    .map_or(String::new(), |c| format!(" ± {:.1}", c * 100.0)),
                pct(Some(x.target_service_level)),
                esc(&x.worst_intervals)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    totals_table(&mut h, "By category", &r.by_category);
    totals_table(&mut h, "By platform", &r.by_platform);
    h.push_str("<p>Files: <code>rollup.json</code>, <code>rollup.csv</code>, <code>shops.csv</code> (one row per shop), <code>shops/&lt;id&gt;/summary.json</code> and <code>intervals.csv</code>.</p>\n");
    page_close(&mut h);
    h
}
