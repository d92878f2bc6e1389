//! What-if analysis: `kefu compare`, `kefu sweep`, `--shard`/`kefu merge` and
//! `--replications auto` (fixed seeds, small scenarios: the whole file runs in seconds).

use kefu::model::Model;
use kefu::runner::stopping::group_half_width;
use kefu::runner::{Hooks, Job, Outcome, Progress, Reps};
use kefu::scenario;
use kefu::stats::estimate;
use kefu::summary::{HumanMetric, Metric};
use kefu::whatif::compare::compare;
use kefu::whatif::edit;

/// Runs groups of models with `seed` on `threads` threads (in memory).
fn run_groups(
    groups: &[Vec<Model>],
    seed: u64,
    reps: Reps,
    threads: Option<usize>,
) -> anyhow::Result<Outcome> {
    let job = Job {
        groups: groups.iter().map(|g| g.iter().collect()).collect(),
        seed,
        reps,
        threads,
        progress: Progress::Hidden,
        intervals: kefu::runner::IntervalStore::Memory,
    };
    Ok(kefu::runner::run(&job, Hooks::default())?)
}
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A large pool at about 100% offered load, held stable by impatient customers: one agent
/// more or less changes the service level by about a point.
fn pool_scenario(agents: u32) -> String {
    format!(
        r#"name = "large pool, {agents} agents"
[run]
start = 2026-01-05T00:00:00
days = 1.0
warmup_hours = 2.0
replications = 10
seed = 7
interval_minutes = 60
[arrivals]
per_day = 34560
[[categories]]
name = "all"
share = 1.0
handle_time = {{ dist = "exponential", mean_s = 100 }}
patience = {{ dist = "exponential", mean_s = 240 }}
[[pools]]
name = "agents"
skills = ["general"]
agents = {agents}
"#
    )
}

fn model(text: &str) -> kefu::model::Model {
    scenario::load_str(text, "test.toml", Path::new("."))
        .expect("valid scenario")
        .model
}

fn kefu(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .output()
        .expect("kefu runs");
    assert!(
        out.status.success(),
        "kefu {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn pair(a: &str, b: &str, reps: Reps) -> Outcome {
    run_groups(&[vec![model(a), model(b)]], 7, reps, Some(2)).unwrap()
}

#[test]
fn comparing_a_scenario_with_itself_gives_exact_zeros() {
    let t = pool_scenario(40);
    let run = pair(&t, &t, Reps::Fixed(4));
    let rows = compare(&run.aggregates[0][0], &run.aggregates[0][1]);
    assert!(rows.len() > 20);
    for r in &rows {
        if r.a.mean.is_some() {
            assert_eq!(r.diff.mean, Some(0.0), "{}", r.name());
            assert_eq!(r.diff.ci95, Some(0.0), "{}", r.name());
            assert_eq!(r.significant(), Some(false));
        }
    }
    // The same through the command line, in compare.json.
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", &t);
    let out = dir.path().join("cmp");
    kefu(&[
        "compare",
        s(&a),
        s(&a),
        "--out",
        s(&out),
        "--replications",
        "3",
        "-q",
    ]);
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    let sl = &v["human"]["service_level"];
    assert_eq!(sl["diff"]["mean"], 0.0);
    assert_eq!(sl["diff"]["ci95"], 0.0);
    assert_eq!(sl["a"], sl["b"]);
    assert!(out.join("compare.png").exists() && out.join("compare.svg").exists());
    assert!(out.join("compare.md").exists());
}

#[test]
fn pairing_narrows_the_ci_at_least_threefold_for_one_more_agent() {
    let run = pair(&pool_scenario(40), &pool_scenario(41), Reps::Fixed(10));
    let rows = compare(&run.aggregates[0][0], &run.aggregates[0][1]);
    let sl = rows
        .iter()
        .find(|r| r.metric == Metric::human(HumanMetric::ServiceLevel))
        .unwrap();
    let factor = sl.width_factor().unwrap();
    // Measured: 5.5× (paired ±0.06 pp against ±0.35 pp unpaired) with seed 7, 10 replications.
    eprintln!(
        "paired ±{:.4}, independent ±{:.4}: {factor:.2}× narrower",
        sl.diff.ci95.unwrap(),
        sl.independent_ci95.unwrap()
    );
    assert!(factor >= 3.0, "only {factor:.2}× narrower");
    assert!(sl.diff.mean.unwrap() > 0.0 && sl.significant() == Some(true));
}

#[test]
fn more_agents_raise_the_service_level_at_every_sweep_step() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "pool.toml", &pool_scenario(40));
    let out = dir.path().join("sw");
    kefu(&[
        "sweep",
        s(&a),
        "--set",
        "pools[0].agents=36..44",
        "--replications",
        "4",
        "--out",
        s(&out),
        "-q",
    ]);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let table = kefu::whatif::sweep::parse_csv(&csv, &["pools[0].agents".to_string()]).unwrap();
    assert_eq!(table.rows.len(), 9);
    let sl: Vec<f64> = table
        .rows
        .iter()
        .map(|r| table.estimate(r, HumanMetric::ServiceLevel).mean.unwrap())
        .collect();
    for w in sl.windows(2) {
        assert!(
            w[1] > w[0],
            "service level fell with one more agent: {sl:?}"
        );
    }
    assert!(out.join("sweep_service_level.png").exists());
    assert!(out.join("sweep_mean_wait.svg").exists());
}

#[test]
fn auto_replications_stop_at_the_bound_and_repeat() {
    let t = pool_scenario(40);
    let plan = Reps::Auto {
        precision: 0.001,
        min: 5,
        max: 200,
    };
    let run = |threads| run_groups(&[vec![model(&t)]], 7, plan, Some(threads)).unwrap();
    let (r1, r2) = (run(1), run(2));
    let o = r1.groups[0];
    assert!(o.converged);
    assert_eq!(o, r2.groups[0], "the count depends on the seed only");
    let agg = &r1.aggregates[0][0];
    assert_eq!(agg.reps.len() as u32, o.replications);
    assert!(o.half_width.unwrap() <= 0.001);
    // The first count at which the bound holds: one replication fewer was not enough.
    let sl = agg.values(HumanMetric::ServiceLevel).unwrap();
    let n = sl.len();
    assert!(n > 5, "the bound should need more than the minimum ({n})");
    assert!(estimate(&sl[..n - 1]).ci95.unwrap() > 0.001);
    assert_eq!(group_half_width(std::slice::from_ref(agg)), o.half_width);
    assert_eq!(
        agg.values(HumanMetric::MeanWaitS),
        r2.aggregates[0][0].values(HumanMetric::MeanWaitS)
    );
    // `kefu run --replications auto` keeps the same replications.
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "pool.toml", &t);
    let out = dir.path().join("run");
    kefu(&[
        "run",
        s(&a),
        "--replications",
        "auto",
        "--precision",
        "0.001",
        "--out",
        s(&out),
        "-q",
    ]);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let run_json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let expected = run_groups(
        &[vec![model(&t)]],
        7,
        Reps::Auto {
            precision: 0.001,
            min: 10,
            max: 2000,
        },
        None,
    )
    .unwrap();
    let n = expected.groups[0].replications;
    assert_eq!(summary["replications"], n);
    assert_eq!(run_json["replications_auto"]["replications"], n);
    assert!(
        run_json["replications_auto"]["service_level_ci95"]
            .as_f64()
            .unwrap()
            <= 0.001
    );
}

#[test]
fn sweep_rows_match_single_runs_of_the_same_point() {
    let dir = tempfile::tempdir().unwrap();
    let text = pool_scenario(40);
    let a = write(dir.path(), "pool.toml", &text);
    let out = dir.path().join("sw");
    kefu(&[
        "sweep",
        s(&a),
        "--set",
        "arrivals.per_day=30000,36000",
        "--replications",
        "3",
        "--out",
        s(&out),
        "-q",
    ]);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let table = kefu::whatif::sweep::parse_csv(&csv, &["arrivals.per_day".to_string()]).unwrap();
    for (row, per_day) in table.rows.iter().zip([30000.0, 36000.0]) {
        let (edited, _) = edit::apply(&text, &[("arrivals.per_day".into(), per_day)]).unwrap();
        let p = write(dir.path(), &format!("point{}.toml", row.point), &edited);
        let run_out = dir.path().join(format!("run{}", row.point));
        kefu(&[
            "run",
            s(&p),
            "--replications",
            "3",
            "--out",
            s(&run_out),
            "-q",
        ]);
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(run_out.join("summary.json")).unwrap())
                .unwrap();
        for m in [
            "human.service_level",
            "human.mean_wait_s",
            "human.abandon_rate",
            "contacts",
        ] {
            let mut v = &summary;
            for part in m.split('.') {
                v = &v[part];
            }
            // The name table's name of the metric is its key path in summary.json.
            let e = table.estimate(row, Metric::parse(m, &[]).unwrap());
            assert_eq!(e.mean, v["mean"].as_f64(), "{m} at per_day {per_day}");
            assert_eq!(e.ci95, v["ci95"].as_f64(), "{m} at per_day {per_day}");
        }
    }
}

#[test]
fn merged_shards_are_byte_identical_to_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "pool.toml", &pool_scenario(40));
    let common = [
        "--set",
        "pools[0].agents=38..40",
        "--set",
        "arrivals.per_day=33000,36000",
        "--replications",
        "2",
        "-q",
    ];
    let whole = dir.path().join("whole");
    let mut args = vec!["sweep", s(&a), "--out", s(&whole)];
    args.extend(common);
    kefu(&args);
    let mut shards = Vec::new();
    for k in 0..3 {
        let d = dir.path().join(format!("shard{k}"));
        let shard = format!("{k}/3");
        let mut args = vec![
            "sweep",
            s(&a),
            "--out",
            s(&d),
            "--shard",
            &shard,
            "--threads",
            "1",
        ];
        args.extend(common);
        kefu(&args);
        shards.push(d);
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge", "--out", s(&merged), "-q"];
    // Any order.
    args.extend(shards.iter().rev().map(|d| s(d)));
    kefu(&args);
    let mut names: Vec<String> = std::fs::read_dir(&whole)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // kefu's marker records the command, which differs.
        .filter(|n| n != kefu::outfs::marker::MARKER)
        .collect();
    names.sort();
    assert!(
        names.contains(&"sweep_heatmap.png".to_string()),
        "{names:?}"
    );
    for n in &names {
        let x = std::fs::read(whole.join(n)).unwrap();
        let y = std::fs::read(merged.join(n)).unwrap_or_else(|_| panic!("merge lacks {n}"));
        assert!(
            x == y,
            "{n} differs between the single run and the merged shards"
        );
    }
    assert_eq!(std::fs::read_dir(&merged).unwrap().count(), names.len() + 1);
    // A missing shard is refused.
    let bad = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args([
            "merge",
            "--out",
            s(&dir.path().join("bad")),
            s(&shards[0]),
            s(&shards[1]),
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing shard(s): 2/3"));
}

#[test]
fn an_invalid_sweep_point_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "pool.toml", &pool_scenario(40));
    let out = dir.path().join("sw");
    let r = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args([
            "sweep",
            s(&a),
            "--set",
            "pools[0].agents=1.5,2",
            "--out",
            s(&out),
        ])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("1 of 2 sweep point(s) are invalid"));
    assert!(!out.exists());
}

/// report.html of compare and sweep: well-formed, self-contained, the chart(s) inlined, and
/// the verdict with the numbers of compare.json / the sweep table.
fn check_report(path: &Path, svgs: usize) -> (String, String) {
    let h = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &h,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("svg")).count(),
        svgs
    );
    assert!(!h.contains("http"), "report.html mentions http");
    for (i, _) in h.match_indices("src=") {
        assert!(h[i..].starts_with("src=\"data:"), "external src at {i}");
    }
    assert!(!h.contains("<script") && !h.contains("<link"));
    let verdict: String = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("verdict"))
        .expect("a verdict")
        .descendants()
        .filter_map(|n| n.text())
        .collect();
    (h, verdict)
}

#[test]
fn compare_and_sweep_write_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", &pool_scenario(38));
    let b = write(dir.path(), "b.toml", &pool_scenario(41));
    let out = dir.path().join("cmp");
    kefu(&[
        "compare",
        s(&a),
        s(&b),
        "--out",
        s(&out),
        "--replications",
        "4",
        "-q",
    ]);
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    let (h, verdict) = check_report(&out.join("report.html"), 1);
    let sl = &v["human"]["service_level"];
    assert_eq!(sl["significant"], true);
    let head = format!(
        "B raises the service level by {:.2} ± {:.2} points",
        sl["diff"]["mean"].as_f64().unwrap() * 100.0,
        sl["diff"]["ci95"].as_f64().unwrap() * 100.0
    );
    assert!(verdict.contains(&head), "{verdict}");
    let f = v["variance_reduction"]["variance_factor"].as_f64().unwrap();
    assert!(
        h.contains(&format!("{f:.1}× less variance")),
        "variance factor {f}"
    );
    assert!(h.contains("B − A: large pool, 38 agents → large pool, 41 agents"));

    let sw = dir.path().join("sweep");
    kefu(&[
        "sweep",
        s(&a),
        "--set",
        "pools[0].agents=36,40,44",
        "--out",
        s(&sw),
        "--replications",
        "2",
        "-q",
    ]);
    let (_, verdict) = check_report(&sw.join("report.html"), 2);
    let csv = std::fs::read_to_string(sw.join("sweep.csv")).unwrap();
    let table = kefu::whatif::sweep::parse_csv(&csv, &["pools[0].agents".to_string()]).unwrap();
    let sl: Vec<f64> = table
        .rows
        .iter()
        .map(|r| table.estimate(r, HumanMetric::ServiceLevel).mean.unwrap())
        .collect();
    eprintln!("{sl:?}: {verdict}");
    let i = sl.iter().position(|&x| x >= 0.9);
    match i {
        Some(0) => assert!(verdict.contains("Every point"), "{verdict}"),
        Some(i) => assert!(
            verdict.contains(&format!(
                "between pools[0].agents = {} ({:.1}%) and pools[0].agents = {} ({:.1}%)",
                table.rows[i - 1].values[0],
                sl[i - 1] * 100.0,
                table.rows[i].values[0],
                sl[i] * 100.0
            )),
            "{verdict}"
        ),
        None => assert!(verdict.contains("No point"), "{verdict}"),
    }
}
