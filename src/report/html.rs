//! `report.html`: one self-contained file for managers — a verdict readable in five seconds,
//! the charts inlined as SVG with one sentence each, the scenario's key inputs and the run's
//! provenance. No script, no external style, font or image: it opens from a shared folder or
//! an e-mail attachment, and prints to PDF. The markup is also well-formed XML.

use crate::model::time::HOUR_S;
use crate::model::{Model, Staffing};
use crate::report::charts::{fmt_count, fmt_duration, ChartFile};
use crate::summary::{Aggregate, HumanMetric, Metric, TotalMetric};
use crate::verdict::{Shortfall, Verdict};
use serde_json::Value;
use std::fmt::Write;

const CSS: &str = r#"
*{box-sizing:border-box}
body{font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;
 color:#1e1e1e;margin:0;background:#fff;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:1.7em;margin:0 0 4px}
h2{font-size:1.3em;margin:36px 0 6px;border-bottom:2px solid #e4e4e4;padding-bottom:4px}
h3{font-size:1.05em;margin:18px 0 6px}
.sub{color:#555;margin:0 0 18px}
.verdict{border-radius:10px;padding:18px 22px;margin:8px 0 16px;border:3px solid}
.verdict.met{background:#eaf6ec;border-color:#2a9646}
.verdict.missed{background:#fcebea;border-color:#d22828}
.verdict.close{background:#fff6e0;border-color:#e0a010}
.verdict .head{font-size:1.9em;font-weight:700;margin:0}
.verdict .line{font-size:1.15em;margin:6px 0 0}
.verdict .basis{margin:6px 0 0}
.verdict .rule{color:#555;font-size:.85em;margin:6px 0 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:12px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;background:#fafafa}
.card .k{color:#555;font-size:.9em}
.card .v{font-size:1.35em;font-weight:700}
.card .d{color:#555;font-size:.9em}
figure{margin:18px 0 28px;break-inside:avoid;page-break-inside:avoid}
figure p{margin:2px 0 8px}
figure svg{width:100%;height:auto;display:block;border:1px solid #e4e4e4;border-radius:6px}
figcaption{color:#666;font-size:.85em;margin-top:4px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:.95em}
th,td{border-bottom:1px solid #e4e4e4;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:Consolas,"DejaVu Sans Mono",monospace;font-size:.9em;word-break:break-all}
.muted{color:#666}
@media (max-width:700px){main{padding:14px}.verdict .head{font-size:1.5em}
 figure{overflow-x:auto}figure svg{min-width:900px}}
@media print{
 @page{size:A4;margin:12mm}
 main{max-width:none;padding:0}
 body{font-size:10pt}
 .verdict,.card,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 .cards{grid-template-columns:repeat(3,1fr)}
 h2{break-after:avoid;page-break-after:avoid}
 h2#charts{break-before:page;page-break-before:always}
 figure{break-inside:avoid;page-break-inside:avoid;margin:6px 0 10px}
 figure svg{max-height:105mm;width:auto;max-width:100%;margin:0 auto}
 figure figcaption{display:none}
 a{color:inherit;text-decoration:none}
}
"#;

/// Escapes text for HTML/XML content and attributes (one implementation: [`crate::escape`]).
pub fn esc(s: &str) -> String {
    crate::escape::html(s)
}

/// `{mean, ci95}` of a scenario-wide, `human.*` or `by_priority.*` metric in `summary.json`.
fn est(summary: &Value, metric: impl Into<Metric>) -> (Option<f64>, Option<f64>) {
    let mut v = summary;
    for p in metric.into().path(&[]).unwrap_or_default() {
        v = &v[p];
    }
    (v["mean"].as_f64(), v["ci95"].as_f64())
}

/// `93.2% ± 0.6` from fractions.
pub fn pct_ci(e: (Option<f64>, Option<f64>)) -> String {
    match e {
        (Some(m), Some(ci)) => format!("{:.1}% ± {:.1}", m * 100.0, ci * 100.0),
        (Some(m), None) => format!("{:.1}%", m * 100.0),
        _ => "n/a".into(),
    }
}

fn secs(e: (Option<f64>, Option<f64>)) -> String {
    match e.0 {
        Some(s) if s >= 120.0 => format!("{:.1} min", s / 60.0),
        Some(s) => format!("{s:.1} s"),
        None => "n/a".into(),
    }
}

/// An inlined SVG: no XML namespace URL (HTML does not need it), sized by CSS, ids made
/// unique to the chart so that several SVGs on one page cannot clash.
pub fn inline_svg(c: &ChartFile) -> String {
    let prefix = format!("{}-", c.stem);
    let mut s = c.svg_text.trim().to_string();
    if s.starts_with("<?xml") {
        if let Some(end) = s.find("?>") {
            s = s[end + 2..].trim_start().to_string();
        }
    }
    s = s
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replace(" id=\"", &format!(" id=\"{prefix}"))
        .replace("url(#", &format!("url(#{prefix}"))
        .replace("href=\"#", &format!("href=\"#{prefix}"));
    let title_id = format!("{prefix}title");
    let open = format!(
        "<svg role=\"img\" aria-labelledby=\"{title_id}\" class=\"chart\" preserveAspectRatio=\"xMidYMid meet\""
    );
    s = s.replacen("<svg", &open, 1);
    if let Some(gt) = s.find('>') {
        s.insert_str(
            gt + 1,
            &format!("\n<title id=\"{title_id}\">{}</title>", esc(&c.title)),
        );
    }
    s
}

/// The whole report.
pub fn report_html(
    m: &Model,
    agg: &Aggregate,
    summary: &Value,
    run_info: &Value,
    charts: &[ChartFile],
    v: &Verdict,
) -> anyhow::Result<String> {
    let mut h = page_open(&format!("kefu report: {}", m.name));
    let name = esc(&m.name);
    let start = m
        .run
        .calendar
        .format_minute(m.run.counted_from)
        .replace('T', " ");
    let reps = summary["replications"]
        .as_u64()
        .unwrap_or(agg.reps.len() as u64);
    let _ = writeln!(
        h,
        "<h1>Chat service report: {name}</h1>\n<p class=\"sub\">{} day(s) from {start}, {reps} simulated \
         replications. Numbers are means over replications; “±” is the 95% confidence half-width.</p>",
        fmt_num(m.run.days())
    );
    verdict(&mut h, m, summary, v);
    super::days::section(&mut h, m, agg);
    cards(&mut h, m, summary, v);
    tickets(&mut h, m, agg, summary)?;
    if charts.is_empty() {
        h.push_str("<p class=\"muted\">Charts were not drawn for this run (<code>--no-charts</code>).</p>\n");
    } else {
        h.push_str("<h2 id=\"charts\">Charts</h2>\n");
    }
    for c in charts {
        figure(&mut h, c);
    }
    inputs(&mut h, m);
    provenance(&mut h, run_info);
    page_close(&mut h);
    Ok(h)
}

/// The start of a report page: doctype, head with the shared style, `<main>` opened.
pub fn page_open(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(title)
    )
}

/// Closes what [`page_open`] opened.
pub fn page_close(h: &mut String) {
    h.push_str("</main>\n</body>\n</html>\n");
}

/// One chart: heading, its sentence, the inlined SVG and where the files are.
pub fn figure(h: &mut String, c: &ChartFile) {
    let _ = writeln!(
        h,
        "<figure id=\"fig-{stem}\">\n<h3>{title}</h3>\n<p>{insight}</p>\n{svg}\n<figcaption>Also as files: \
         <code>{png}</code>, <code>{svgf}</code></figcaption>\n</figure>",
        stem = esc(&c.stem),
        title = esc(&c.title),
        insight = esc(&c.insight),
        svg = inline_svg(c),
        png = esc(&c.png),
        svgf = esc(&c.svg),
    );
}

/// The coloured verdict box: `class` is `met`, `missed` or `close`; `line_html` is markup.
pub fn verdict_box(h: &mut String, class: &str, head: &str, line_html: &str) {
    let _ = writeln!(
        h,
        "<section class=\"verdict {class}\" id=\"verdict\">\n<p class=\"head\">{}</p>\n<p class=\"line\">{line_html}</p>\n</section>",
        esc(head)
    );
}

/// A number without a needless fraction: `3` or `2.50`.
pub fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A key figure: label, value, detail.
pub fn card(h: &mut String, key: &str, value: &str, detail: &str) {
    let _ = writeln!(
        h,
        "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"d\">{}</div></div>",
        esc(key),
        esc(value),
        esc(detail)
    );
}

fn verdict(h: &mut String, m: &Model, s: &Value, v: &Verdict) {
    let sl = est(s, HumanMetric::ServiceLevel);
    let within = fmt_duration(m.target.answer_within_s);
    let _ = writeln!(
        h,
        "<section class=\"verdict {class}\" id=\"verdict\">\n<p class=\"head\">{head}</p>\n\
         <p class=\"line\" id=\"verdict-line\">{line}</p>\n<p class=\"basis\">Service level <strong>{sl}</strong> \
         against the {target:.0}% target: the share of contacts reaching the agents that were answered within \
         {within}.{close}</p>\n<p class=\"rule\">{rule}</p>\n</section>",
        class = v.css_class(),
        head = esc(&v.headline()),
        line = esc(&capitalised(&v.line())),
        sl = esc(&pct_ci(sl)),
        target = m.target.service_level * 100.0,
        within = esc(&within),
        close = if v.overall_shortfall == Some(Shortfall::WithinNoise) {
            " The confidence interval includes the target: run more replications or add margin."
        } else {
            ""
        },
        rule = esc(crate::verdict::RULE_TEXT),
    );
}

/// `met overall …` → `Met overall …`.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn cards(h: &mut String, m: &Model, s: &Value, v: &Verdict) {
    h.push_str("<div class=\"cards\">\n");
    let abandoned = est(s, HumanMetric::Abandoned)
        .0
        .map_or("n/a".into(), fmt_count);
    card(
        h,
        "Abandoned before an answer",
        &pct_ci(est(s, HumanMetric::AbandonRate)),
        &format!("{abandoned} contacts per run"),
    );
    card(
        h,
        "Wait of answered contacts",
        &format!("mean {}", secs(est(s, HumanMetric::MeanWaitS))),
        &format!(
            "90% answered within {}",
            secs(est(s, HumanMetric::WaitP90S))
        ),
    );
    let worst: Vec<String> = v
        .interval_misses
        .iter()
        .take(3)
        .map(|x| format!("{}: {:.0}%", x.scope.name(), x.service_level * 100.0))
        .collect();
    card(
        h,
        "Intervals below their goal",
        &format!("{} of {}", v.interval_misses.len(), v.intervals_judged),
        &if worst.is_empty() {
            "none".to_string()
        } else {
            format!("worst: {}", worst.join("; "))
        },
    );
    if m.costs.is_some() {
        let cur = s["cost"]["currency"].as_str().unwrap_or("");
        let total = est(s, TotalMetric::CostTotal)
            .0
            .map_or("n/a".into(), fmt_count);
        let per = est(s, TotalMetric::CostPerContact)
            .0
            .map_or("n/a".into(), |v| format!("{v:.2}"));
        card(
            h,
            "Cost",
            &format!("{total} {cur}"),
            &format!("{per} {cur} per contact"),
        );
    }
    let episodes = est(s, TotalMetric::AlertEpisodes).0.unwrap_or(0.0);
    let alert_min = est(s, TotalMetric::AlertTotalS).0.unwrap_or(0.0) / 60.0;
    card(
        h,
        &format!(
            "Queue alerts (over {} waiting)",
            m.target.queue_alert_waiting
        ),
        &format!("{episodes:.1} episode(s)"),
        &format!("{alert_min:.0} min in alert per run"),
    );
    if m.bot.is_some() {
        card(
            h,
            "Resolved by the bot",
            &pct_ci(est(s, TotalMetric::BotContainment)),
            "of all contacts, no agent needed",
        );
    }
    h.push_str("</div>\n");
}

/// The tickets card and sentence, when the run made tickets.
fn tickets(h: &mut String, m: &Model, agg: &Aggregate, s: &Value) -> anyhow::Result<()> {
    let Some(b) = crate::report::tickets::backlog(m, agg)? else {
        return Ok(());
    };
    let count = est(s, TotalMetric::TicketCount);
    let response = secs(est(s, TotalMetric::TicketMeanResponseS));
    let cal = &m.run.calendar;
    h.push_str("<div class=\"cards\" id=\"tickets\">\n");
    card(
        h,
        "Offline tickets",
        &format!("{} per run", count.0.map_or("n/a".into(), fmt_count)),
        &format!(
            "{} ± {} contacts arrived when no agent with their skill was on duty",
            count.0.map_or("n/a".into(), fmt_count),
            count.1.map_or("n/a".into(), fmt_count)
        ),
    );
    card(
        h,
        "Ticket response",
        &format!("mean {response}"),
        "from the contact's arrival to the start of its handling",
    );
    card(
        h,
        "Ticket backlog",
        &format!("peak {}", fmt_count(b.peak)),
        &format!(
            "open tickets at {}; {} still open at the end",
            cal.format_short(b.peak_at),
            fmt_count(b.at_end)
        ),
    );
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<p id=\"tickets-sentence\">{} contacts per run became offline tickets; the backlog built up to {} open \
         tickets by {} and was worked off at a mean response of {}{}. The load chart draws the backlog over time.</p>",
        fmt_count(b.made),
        fmt_count(b.peak),
        esc(&cal.format_short(b.peak_at)),
        esc(&response),
        if b.at_end >= 0.5 {
            format!(", leaving {} open when the horizon ends", fmt_count(b.at_end))
        } else {
            String::new()
        }
    );
    Ok(())
}

fn clock(s: f64) -> String {
    let s = s.rem_euclid(86_400.0);
    format!(
        "{:02}:{:02}",
        (s / HOUR_S) as u32,
        ((s % HOUR_S) / 60.0) as u32
    )
}

fn staffing(s: &Staffing) -> String {
    match s {
        Staffing::Constant(n) => format!("{n} agents all day"),
        Staffing::Schedule(ws) => ws
            .iter()
            .map(|w| {
                let days = if w.days.iter().all(|d| *d) {
                    String::new()
                } else {
                    " (some weekdays)".into()
                };
                format!("{}–{}: {}{days}", clock(w.from_s), clock(w.to_s), w.agents)
            })
            .collect::<Vec<_>>()
            .join("; "),
        Staffing::Table { rows, step_s } => format!(
            "table of {} rows every {}, up to {} agents",
            rows.len(),
            fmt_duration(*step_s),
            rows.iter().map(|r| r.1).max().unwrap_or(0)
        ),
    }
}

/// A table row: header cell and value.
pub fn row(h: &mut String, k: &str, v: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
        esc(k),
        esc(v)
    );
}

fn inputs(h: &mut String, m: &Model) {
    h.push_str("<h2>Key inputs</h2>\n<table>\n");
    let cal = &m.run.calendar;
    row(
        h,
        "Horizon",
        &format!(
            "{} to {} ({} day(s)), reported every {}",
            cal.format_minute(m.run.counted_from).replace('T', " "),
            cal.format_minute(m.run.counted_to).replace('T', " "),
            fmt_num(m.run.days()),
            fmt_duration(m.run.interval_s)
        ),
    );
    row(
        h,
        "Target",
        &format!(
            "{:.0}% answered within {}; queue alert above {} waiting",
            m.target.service_level * 100.0,
            fmt_duration(m.target.answer_within_s),
            m.target.queue_alert_waiting
        ),
    );
    let arrivals = if m.arrivals.forecast.is_some() {
        "from a forecast file (per-day volume where it does not cover)".to_string()
    } else {
        format!(
            "{} contacts per day, hourly and weekday profile",
            fmt_count(m.arrivals.per_day)
        )
    };
    row(h, "Arrivals", &arrivals);
    for p in &m.arrivals.peaks {
        row(
            h,
            "Promotion peak",
            &format!(
                "{}: {} to {}, ×{}{}",
                p.name,
                cal.format_short(p.from),
                cal.format_short(p.to),
                fmt_num(p.multiplier),
                if p.promotion_bot {
                    ", bot in promotion mode"
                } else {
                    ""
                }
            ),
        );
    }
    match &m.bot {
        Some(b) => row(
            h,
            "Bot",
            &format!(
                "meets {:.0}% of contacts; resolves {:.0}% of basic and {:.0}% of complex questions{}",
                b.coverage * 100.0,
                b.basic.resolve * 100.0,
                b.complex.resolve * 100.0,
                b.promotion.as_ref().map_or(String::new(), |p| format!(", {:.0}% during promotions", p.resolve * 100.0))
            ),
        ),
        None => row(h, "Bot", "none: every contact goes to the agents"),
    }
    for p in &m.pools {
        row(
            h,
            &format!("Agent pool “{}”", p.name),
            &format!(
                "{} chat(s) at once per agent; {}",
                p.concurrency,
                staffing(&p.staffing)
            ),
        );
    }
    for s in &m.surges {
        row(
            h,
            "Surge",
            &format!(
                "{} on-call agents join {} after an alert lasting {}",
                s.agents,
                fmt_duration(s.join_delay_s),
                fmt_duration(s.after_s)
            ),
        );
    }
    if let Some(c) = &m.costs {
        row(
            h,
            "Costs",
            &format!(
                "{} {} per agent hour, {} per bot contact",
                fmt_num(c.agent_hour),
                c.currency,
                fmt_num(c.bot_contact)
            ),
        );
    }
    h.push_str("</table>\n<table>\n<tr><th>Category</th><th>Share</th><th>VIP share</th><th>Mean handle time</th><th>Mean patience</th></tr>\n");
    for c in &m.categories {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{:.0}%</td><td class=\"n\">{:.0}%</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&c.name),
            c.share * 100.0,
            c.vip_share * 100.0,
            esc(&fmt_duration(c.handle_time.mean())),
            esc(&c.patience.as_ref().map_or("never leaves".into(), |p| fmt_duration(p.mean())))
        );
    }
    h.push_str("</table>\n");
}

fn provenance(h: &mut String, run: &Value) {
    h.push_str("<h2>Provenance</h2>\n<table>\n");
    let text = |k: &str| match &run[k] {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        v => Some(v.to_string()),
    };
    for (k, label) in [
        ("scenario", "Scenario"),
        ("scenario_file", "Scenario file"),
        ("scenario_sha256", "Scenario SHA-256"),
        ("seed", "Seed"),
        ("replications", "Replications"),
        ("kefu_version", "kefu version"),
        ("threads", "Threads"),
    ] {
        if let Some(v) = text(k) {
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\">{}</th><td><code>{}</code></td></tr>",
                esc(label),
                esc(&v)
            );
        }
    }
    if let Some(w) = run["wall_time_s"].as_f64() {
        let charts = run["charts_s"]
            .as_f64()
            .map_or(String::new(), |c| format!(", charts {c:.2} s"));
        row(h, "Run time", &format!("simulation {w:.2} s{charts}"));
    }
    h.push_str("</table>\n<p class=\"muted\">Made by kefu, a discrete-event simulator of chat customer service. \
        The charts are also in the <code>charts/</code> folder as PNG and SVG; the numbers are in \
        <code>summary.json</code> and <code>intervals.csv</code>.</p>\n");
}
