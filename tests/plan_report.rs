//! The charts and report.html of `kefu plan`: chart files exist (PNG full size and not blank,
//! SVG parses and carries its title), the report is well-formed and self-contained, and its
//! verdict states the numbers of plan.json — also, honestly, when an interval misses.

use kefu::model::textbook::Textbook;
use kefu::model::{Model, Peak, Planning, ShiftType};
use kefu::plan::{self, PlanMethod, PlanOptions, PlanResult};
use kefu::report::{charts, plan_html, OutputDir};
use serde_json::Value;
use std::path::Path;

/// Half a day with a flash sale and patient customers; 4-hour shifts every 30 minutes.
fn model() -> Model {
    let mut tb = Textbook::new(0.05, 300.0, 20);
    tb.days = 0.5;
    tb.seed = 3;
    tb.mean_patience_s = Some(600.0);
    let mut m = tb.model();
    let h = m.run.counted_from;
    m.arrivals.peaks.push(Peak {
        name: "flash sale".into(),
        from: h + 6.0 * 3600.0,
        to: h + 6.5 * 3600.0,
        multiplier: 4.0,
        promotion_bot: false,
    });
    m.planning = Some(Planning {
        tuning_replications: 6,
        shifts: vec![ShiftType::simple("4 h", 4.0, 30.0)],
        ..Planning::default()
    });
    m
}

fn planned() -> (Model, PlanResult) {
    let m = model();
    let r = plan::plan(
        &m,
        &PlanOptions {
            verify_replications: Some(6),
            threads: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    (m, r)
}

fn write(m: &Model, r: &PlanResult, dir: &Path) -> (Vec<charts::ChartFile>, Value, String) {
    let dest = dir.join("out");
    let out = OutputDir::create(&dest).unwrap();
    let json = plan::output::plan_json(r, m);
    let files = plan_html::write_plan_report(&out, m, r, &json, true).unwrap();
    out.commit().unwrap();
    let html = std::fs::read_to_string(dest.join("report.html")).unwrap();
    (files, json, html)
}

fn ink_share(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let ink = px
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 235))
        .count();
    (
        info.width,
        info.height,
        ink as f64 / (info.width * info.height) as f64,
    )
}

/// Well-formed, self-contained; returns the verdict's text.
fn check_html(h: &str, svgs: usize) -> String {
    let doc = roxmltree::Document::parse_with_options(
        h,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "html");
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("svg")).count(),
        svgs
    );
    let mut ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
    assert!(!h.contains("http"), "report.html mentions http");
    for (i, _) in h.match_indices("src=") {
        assert!(h[i..].starts_with("src=\"data:"), "external src at {i}");
    }
    assert!(!h.contains("<script"));
    assert!(!h.contains("<link"));
    doc.descendants()
        .find(|n| n.attribute("id") == Some("verdict"))
        .expect("a verdict")
        .descendants()
        .filter_map(|n| n.text())
        .collect()
}

fn plan_method<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["method"] == name)
        .unwrap()
}

#[test]
fn plan_charts_and_report() {
    let (m, r) = planned();
    let dir = tempfile::tempdir().unwrap();
    let (files, json, h) = write(&m, &r, dir.path());
    let base = dir.path().join("out");
    assert_eq!(
        files.iter().map(|f| f.stem.as_str()).collect::<Vec<_>>(),
        ["plan_requirement", "plan_service_level"]
    );
    for f in &files {
        assert!(f.png.starts_with("charts/") && f.svg.starts_with("charts/"));
        let (w, hgt, ink) = ink_share(&base.join(&f.png));
        assert_eq!((w, hgt), charts::SIZE, "{}", f.png);
        assert!(ink > 0.03, "{} is nearly blank ({ink:.3})", f.png);
        let svg = std::fs::read_to_string(base.join(&f.svg)).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", f.svg));
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        assert!(
            texts.contains(&f.title.as_str()),
            "{} lacks its title",
            f.svg
        );
        assert!(texts.contains(&"flash sale"), "{}: peak not named", f.svg);
        assert!(!f.insight.is_empty());
        assert!(h.contains(&kefu::report::html::esc(&f.insight)));
    }
    let verdict = check_html(&h, 2);
    eprintln!("{verdict}");
    // The verdict's numbers are plan.json's.
    let v = &json["verification"];
    assert_eq!(v["met"], r.verification.met);
    let missed = plan_method(&json, "plan")["intervals_missed"].clone();
    let head = if v["met"].as_bool().unwrap() {
        "The plan meets the target in every interval".to_string()
    } else if r.verification.met_within_noise {
        format!("The plan misses the target in {missed} of 24 intervals, all within the noise")
    } else {
        format!("The plan MISSES the target in {missed}")
    };
    assert!(verdict.contains(&head), "{verdict}");
    let sl = kefu::report::html::pct_ci((
        v["service_level"]["mean"].as_f64(),
        v["service_level"]["ci95"].as_f64(),
    ));
    assert!(verdict.contains(&sl), "{sl} not in {verdict}");
    let paid = format!("{:.1} hours", v["paid_hours"].as_f64().unwrap());
    assert!(verdict.contains(&paid), "{paid} not in {verdict}");
    let low = plan_method(&json, "plan")["lowest_interval_service_level"]
        .as_f64()
        .unwrap();
    assert!(
        verdict.contains(&format!("{:.1}%", low * 100.0)),
        "{verdict}"
    );
    // Each method's agent-hours in the table, and the roster.
    for mth in json["methods"].as_array().unwrap() {
        let ah = format!("{:.1}</td>", mth["agent_hours"].as_f64().unwrap());
        assert!(h.contains(&ah), "agent-hours {ah} missing");
    }
    let gap = json["pools"][0]["roster"]["gap"].as_f64().unwrap();
    assert!(h.contains(&format!("gap {:.1}%", (gap * 100.0).max(0.0) + 0.0)));
    assert!(h.contains("<h2>Shifts</h2>") && h.contains("<td>4 h</td>"));
}

/// A target above what the plan reaches in its worst interval: the report says MISSES, names
/// the interval and lists it.
#[test]
fn plan_report_is_honest_about_a_miss() {
    let (m, mut r) = planned();
    let low = r
        .checks
        .iter()
        .find(|c| c.method == PlanMethod::Plan)
        .unwrap()
        .sl
        .iter()
        .flatten()
        .filter_map(|mo| mo.mean())
        .fold(1.0f64, f64::min);
    assert!(low < 1.0, "every interval at 100%: cannot make a miss");
    // Raise the target just above the worst interval and judge again.
    r.target = (low + 1e-6).min(1.0);
    r.planning.small_interval_contacts = 0.0;
    for c in &mut r.checks {
        c.missed.clear();
        c.significant.clear();
        for (k, row) in c.sl.iter().enumerate() {
            for (j, mo) in row.iter().enumerate() {
                if mo.mean().is_some_and(|v| v < r.target) {
                    c.missed.push((k, j));
                    if mo.mean().unwrap() + mo.ci95().unwrap_or(0.0) < r.target {
                        c.significant.push((k, j));
                    }
                }
            }
        }
    }
    let c = r
        .checks
        .iter()
        .find(|c| c.method == PlanMethod::Plan)
        .unwrap();
    r.verification.met = c.missed.is_empty();
    r.verification.met_within_noise = c.significant.is_empty();
    assert!(!r.verification.met);
    let dir = tempfile::tempdir().unwrap();
    let (_, _, h) = write(&m, &r, dir.path());
    let verdict = check_html(&h, 2);
    assert!(
        verdict.contains("The plan misses the target in 1 of")
            || verdict.contains("The plan MISSES the target in 1 of"),
        "{verdict}"
    );
    assert!(h.contains("Intervals where the plan misses"));
    assert!(h.contains("class=\"verdict close\"") || h.contains("class=\"verdict missed\""));
}
