//! Every shipped scenario's charts, drawn by `kefu run`, read back from their SVG text:
//! no axis repeats a tick label, every bar of the bar charts is labelled, the breakdown
//! draws its target line, the funnel names the base of every share, the wait chart shows the
//! answered-at-once mass, and a scenario with tickets draws its backlog (issue 16).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target's colour in the SVG (`style::TARGET`).
const TARGET_STROKE: &str = "#D22828";

/// A `<text>` element: position, anchor, vertical offset and content.
struct Label {
    x: i64,
    y: i64,
    anchor: String,
    dy: String,
    text: String,
}

fn labels(svg: &str) -> Vec<Label> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let num = |n: &roxmltree::Node, a: &str| {
        n.attribute(a)
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0, |v| v.round() as i64)
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| Label {
            x: num(&n, "x"),
            y: num(&n, "y"),
            anchor: n.attribute("text-anchor").unwrap_or("").into(),
            dy: n.attribute("dy").unwrap_or("").into(),
            text: n.text().unwrap_or("").trim().into(),
        })
        .collect()
}

/// An axis: `x` or `y`, the shared coordinate of its labels, their anchor.
type Axis<'a> = (char, i64, &'a str);

/// Axis tick labels that repeat their neighbour: y ticks share an x and are right-aligned
/// (`dy="0.5ex"`), x ticks share a y and are centred (`dy="0.76em"`). Groups of fewer than
/// three labels are value labels, not axes.
fn repeated_ticks(labels: &[Label]) -> Vec<String> {
    let mut axes: BTreeMap<Axis, Vec<(i64, &str)>> = BTreeMap::new();
    for l in labels.iter().filter(|l| !l.text.is_empty()) {
        match (l.anchor.as_str(), l.dy.as_str()) {
            (a @ ("end" | "start"), "0.5ex") => {
                axes.entry(('y', l.x, a)).or_default().push((l.y, &l.text))
            }
            ("middle", "0.76em") => axes
                .entry(('x', l.y, "middle"))
                .or_default()
                .push((l.x, &l.text)),
            _ => {}
        }
    }
    let mut repeated = Vec::new();
    for (axis, mut ticks) in axes {
        if ticks.len() < 3 {
            continue;
        }
        ticks.sort();
        for w in ticks.windows(2) {
            if w[0].1 == w[1].1 {
                repeated.push(format!("{axis:?}: {:?} twice", w[0].1));
            }
        }
    }
    repeated
}

fn shipped() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_shipped_scenario_draws_truthful_charts() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = shipped();
    assert!(scenarios.len() >= 5, "{scenarios:?}");
    for s in scenarios {
        let stem = s.file_stem().unwrap().to_string_lossy().to_string();
        let out = dir.path().join(&stem);
        let o = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg("run")
            .arg(&s)
            .args(["--threads", "2", "--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{stem}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let svg = |name: &str| std::fs::read_to_string(out.join("charts").join(name)).unwrap();
        for name in [
            "breakdown.svg",
            "funnel.svg",
            "load_capacity.svg",
            "service_level.svg",
            "wait_distribution.svg",
        ] {
            let text = svg(name);
            let repeated = repeated_ticks(&labels(&text));
            assert!(repeated.is_empty(), "{stem}/{name}: {repeated:?}");
        }

        // Breakdown: one value label per class row with a row label, and the target line.
        let breakdown = svg("breakdown.svg");
        let l = labels(&breakdown);
        let values = l.iter().filter(|l| l.text.contains("% ±")).count();
        assert!(
            values >= 1,
            "{stem}: no service-level value on the breakdown"
        );
        let row_labels = l
            .iter()
            .filter(|l| l.anchor == "end" && l.dy == "0.5ex" && !l.text.is_empty())
            .filter(|l| !l.text.contains('±'))
            .count();
        assert_eq!(
            row_labels, values,
            "{stem}: every breakdown bar has its row label"
        );
        assert!(
            breakdown.contains(&format!("stroke=\"{TARGET_STROKE}\"")),
            "{stem}: no target line on the breakdown"
        );

        // Funnel: every count names its base.
        let funnel = labels(&svg("funnel.svg"));
        let counts: Vec<&Label> = funnel.iter().filter(|l| l.text.contains("  (")).collect();
        assert!(
            counts.len() >= 5,
            "{stem}: {} funnel bar labels",
            counts.len()
        );
        for c in counts {
            assert!(
                c.text.contains("of contacts"),
                "{stem}: funnel label {:?}",
                c.text
            );
        }

        // Wait chart: the answered-at-once mass is stated and drawn (left of 0).
        if summary["human"]["answered"]["mean"].as_f64().unwrap_or(0.0) > 0.0 {
            let wait = svg("wait_distribution.svg");
            assert!(
                wait.contains("at once: bar left of 0"),
                "{stem}: wait chart"
            );
        }

        // Tickets: the backlog is on the load chart.
        let tickets = summary["tickets"]["count"]["mean"].as_f64().unwrap_or(0.0);
        let load = svg("load_capacity.svg");
        assert_eq!(
            load.contains("open tickets"),
            tickets > 0.0,
            "{stem}: backlog line"
        );
    }
}

#[test]
fn the_tick_check_finds_a_repeated_label() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg">
        <text x="120" y="10" dy="0.5ex" text-anchor="end">1%</text>
        <text x="120" y="20" dy="0.5ex" text-anchor="end">0%</text>
        <text x="120" y="30" dy="0.5ex" text-anchor="end">0%</text>
        </svg>"#;
    assert_eq!(repeated_ticks(&labels(svg)).len(), 1);
}
