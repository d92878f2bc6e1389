//! The binary end to end: exit statuses, files written, no output on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kefu(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("kefu runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_bad_scenario_exits_2_names_its_line_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(repo().join("tests/bad")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        seen += 1;
        let out_dir = tmp.path().join(path.file_stem().unwrap());
        let out = kefu(
            &[
                "run",
                path.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", path.display());
        assert!(
            !out_dir.exists(),
            "{}: left an output folder",
            path.display()
        );
        assert!(!err.contains("panicked"), "{}: {err}", path.display());
        let names_a_line = [".toml:", ".csv:"].iter().any(|ext| {
            err.match_indices(ext)
                .any(|(i, _)| err[i + ext.len()..].starts_with(|c: char| c.is_ascii_digit()))
        });
        let unreadable = err.contains("empty")
            || err.contains("UTF-8")
            || err.contains("too large")
            || err.contains(".csv: ");
        assert!(
            names_a_line || unreadable,
            "{}: the error names no file:line: {err}",
            path.display()
        );
        // No temporary folder left behind either.
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "{}: left {leftovers:?}",
            path.display()
        );
    }
    assert!(seen >= 20, "the corpus has {seen} files");
}

#[test]
fn every_shipped_scenario_runs_and_writes_the_contract_files() {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let out_dir = tmp.path().join(path.file_stem().unwrap());
        let out = kefu(
            &[
                "run",
                path.to_str().unwrap(),
                "--out",
                out_dir.to_str().unwrap(),
                "--replications",
                "2",
                "--quiet",
            ],
            tmp.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        for f in ["summary.json", "intervals.csv", "run.json"] {
            assert!(out_dir.join(f).is_file(), "{}: no {f}", path.display());
        }
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap())
                .unwrap();
        assert!(
            summary["human"]["service_level"]["mean"].is_number(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn bare_kefu_runs_the_built_in_default_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = kefu(&[], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("default scenario"));
    assert!(tmp.path().join("output/default/summary.json").is_file());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("service level"), "{stdout}");
}

#[test]
fn mmc_textbook_scenario_agrees_with_erlang_c() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("mmc");
    let scenario = repo().join("scenarios/mmc-textbook.toml");
    let out = kefu(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--quiet",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap())
            .unwrap();
    let c = kefu::erlang::ErlangC::new(0.08, 100.0, 10);
    for (metric, exact) in [
        ("waited_fraction", c.prob_wait()),
        ("mean_wait_s", c.mean_wait_s()),
        ("service_level", c.service_level(120.0)),
    ] {
        let mean = s["human"][metric]["mean"].as_f64().unwrap();
        let ci = s["human"][metric]["ci95"].as_f64().unwrap();
        // 95% CI: allow 1.5 half-widths so the fixed-seed check is not a 1-in-20 coin toss.
        assert!(
            (mean - exact).abs() <= 1.5 * ci,
            "{metric}: {mean} ± {ci} vs {exact}"
        );
    }
}

#[test]
fn bad_flags_exit_2_and_check_accepts_good_files() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        kefu(&["run", "--replications", "zero"], tmp.path())
            .status
            .code(),
        Some(2)
    );
    let good = repo().join("scenarios/default.toml");
    let out = kefu(&["check", good.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(0));
    let missing = kefu(&["check", "no-such-file.toml"], tmp.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file.toml"));
    let folder = kefu(
        &["check", repo().join("scenarios").to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(folder.status.code(), Some(2));
}

#[test]
fn plan_without_charts_writes_the_plan_and_a_report_without_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("plan");
    let scenario = repo().join("scenarios/mmc-textbook.toml");
    let out = kefu(
        &[
            "plan",
            scenario.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--no-charts",
            "--quiet",
        ],
        tmp.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["plan.csv", "shifts.csv", "plan.json", "report.html"] {
        assert!(out_dir.join(f).is_file(), "{f} missing");
    }
    assert!(!out_dir.join("charts").exists());
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(!html.contains("<svg"), "no chart is embedded");
    // A font file that does not exist is bad input, refused before any work.
    let bad = kefu(
        &[
            "plan",
            scenario.to_str().unwrap(),
            "--out",
            tmp.path().join("p2").to_str().unwrap(),
            "--font-file",
            "no-such-font.ttf",
        ],
        tmp.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(!tmp.path().join("p2").exists());
}
