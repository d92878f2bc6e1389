//! Reliability end to end: interruption, overload, huge runs, failed writes, closed pipes,
//! zero contacts and `--from run.json` (see docs/reliability.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kefu() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
    c.stdin(Stdio::null());
    c
}

fn run_in(args: &[&str], cwd: &Path) -> Output {
    kefu()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("kefu runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.contains(".tmp-") || n.contains(".old-")
        })
        .collect()
}

const SMALL: &str = r#"name = "small"
[run]
days = 1
replications = 3
[arrivals]
per_day = 2400
[[categories]]
name = "a"
share = 1
handle_time = { dist = "exponential", mean_s = 100 }
patience = { dist = "exponential", mean_s = 200 }
[[pools]]
name = "p"
skills = ["general"]
staffing_csv = "plan.csv"
"#;

#[test]
fn sigint_mid_run_stops_promptly_and_keeps_the_previous_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // A previous run's folder, which must survive the interrupted run.
    let first = run_in(
        &["run", "--replications", "2", "--out", "out", "-q"],
        tmp.path(),
    );
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let before = std::fs::read(out.join("summary.json")).unwrap();

    let mut child = kefu()
        .args(["run", "--replications", "10000", "--out", "out", "-q"])
        .current_dir(tmp.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    // The temporary folder exists while the run goes on.
    assert_eq!(
        leftovers(tmp.path()).len(),
        1,
        "{:?}",
        leftovers(tmp.path())
    );
    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(10),
            "did not stop within 10 s of SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let stopped_in = signalled.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(stopped_in < Duration::from_secs(4), "took {stopped_in:?}");
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn sigterm_also_stops_the_run_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = kefu()
        .args(["run", "--replications", "10000", "--out", "out", "-q"])
        .current_dir(tmp.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!tmp.path().join("out").exists());
    assert!(leftovers(tmp.path()).is_empty());
}

/// Offered load at 2× capacity for a week, nobody ever abandons: allowed, reported as
/// unstable, finishes, and stays within a memory bound.
#[test]
fn overload_twice_capacity_without_patience_finishes_warns_and_stays_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    // 50 agents × 86 400 s / 300 s = 14 400 contacts a day of capacity; 28 800 offered.
    std::fs::write(
        tmp.path().join("over.toml"),
        r#"name = "twice capacity, no patience"
[run]
days = 7
replications = 3
[arrivals]
per_day = 28800
[[categories]]
name = "a"
share = 1
handle_time = { dist = "exponential", mean_s = 300 }
[[pools]]
name = "p"
skills = ["general"]
agents = 50
"#,
    )
    .unwrap();
    let started = Instant::now();
    let o = run_in(&["run", "over.toml", "--out", "out", "-q"], tmp.path());
    let wall = started.elapsed();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(wall < Duration::from_secs(20), "{wall:?}");
    assert!(err.contains("warning: unstable"), "{err}");
    assert!(err.contains("no patience is set"), "{err}");
    let s = json(&tmp.path().join("out/summary.json"));
    let st = &s["stability"];
    assert_eq!(st["stable"], false);
    assert_eq!(st["unstable_intervals"], 336, "{st}");
    let load = st["max_load"].as_f64().unwrap();
    assert!((1.8..2.5).contains(&load), "{st}");
    assert_eq!(s["censored"]["mean"], 0.0, "the week's backlog drains");
    let run = json(&tmp.path().join("out/run.json"));
    if let Some(mb) = run["peak_memory_mb"].as_f64() {
        assert!(mb < 256.0, "peak memory {mb} MiB");
    }
}

#[test]
fn zero_contacts_is_a_valid_run_with_nulls_and_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("plan.csv"),
        "start,pool,agents\n2026-01-05T00:00,p,2\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("zero.toml"),
        SMALL.replace("per_day = 2400", "per_day = 0"),
    )
    .unwrap();
    let o = run_in(&["run", "zero.toml", "--out", "out", "-q"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let raw = std::fs::read_to_string(tmp.path().join("out/summary.json")).unwrap();
    assert!(!raw.contains("NaN") && !raw.contains("inf"), "{raw}");
    let s: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(s["contacts"]["mean"], 0.0);
    assert!(s["human"]["service_level"]["mean"].is_null());
    assert!(s["notes"][0]
        .as_str()
        .unwrap()
        .contains("no contact arrived"));
    assert_eq!(s["stability"]["stable"], true);
}

#[test]
fn from_run_json_reproduces_summary_byte_for_byte_without_the_original_files() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = tmp.path().join("scen");
    std::fs::create_dir(&scen).unwrap();
    std::fs::write(
        scen.join("plan.csv"),
        "start,pool,agents\n2026-01-05T00:00,p,3\n2026-01-05T12:00,p,5\n",
    )
    .unwrap();
    std::fs::write(scen.join("small.toml"), SMALL).unwrap();
    let o = run_in(
        &["run", "scen/small.toml", "--seed", "7", "--out", "a", "-q"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let run = json(&tmp.path().join("a/run.json"));
    assert_eq!(run["seed"], 7);
    assert!(run["files"]["plan.csv"]["text"]
        .as_str()
        .unwrap()
        .contains("12:00,p,5"));
    assert!(run["kefu_version"].is_string());
    // The originals are gone: the record alone must do.
    std::fs::remove_dir_all(&scen).unwrap();
    let o = run_in(
        &[
            "run",
            "--from",
            "a/run.json",
            "--out",
            "b",
            "--threads",
            "1",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read(tmp.path().join("a/summary.json")).unwrap(),
        std::fs::read(tmp.path().join("b/summary.json")).unwrap()
    );
    assert_eq!(
        std::fs::read(tmp.path().join("a/intervals.csv")).unwrap(),
        std::fs::read(tmp.path().join("b/intervals.csv")).unwrap()
    );
    // A tampered record is refused (exit 2), with nothing written.
    let edited = std::fs::read_to_string(tmp.path().join("a/run.json"))
        .unwrap()
        .replace("per_day = 2400", "per_day = 2500");
    std::fs::write(tmp.path().join("edited.json"), edited).unwrap();
    let o = run_in(&["run", "--from", "edited.json", "--out", "c"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("the record was edited"));
    assert!(!tmp.path().join("c").exists());
}

#[test]
fn a_failed_write_is_a_clear_error_with_exit_1_and_nothing_left() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("file"), "not a folder").unwrap();
    let o = run_in(
        &["run", "--replications", "2", "--out", "file/out", "-q"],
        tmp.path(),
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: cannot create the folder file"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    // /dev/full: writing fails with "No space left on device" (disk full).
    if Path::new("/dev/full").exists() {
        let o = kefu()
            .args(["check", "../../scenarios/default.toml"])
            .current_dir(env!("CARGO_MANIFEST_DIR").to_string() + "/tests/main")
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("No space left"), "{err}");
    }
}

#[test]
fn a_closed_pipe_does_not_panic() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Kept until the run ends (a temporary `TempDir` would be removed under the running kefu).
    let tmp = tempfile::tempdir().unwrap();
    let mut child = kefu()
        .args(["run", "--replications", "2", "--out"])
        .arg(tmp.path().join("o"))
        .current_dir(repo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_huge_run_warns_when_not_a_terminal_and_hard_limits_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    let o = kefu()
        .args(["run", "--replications", "2", "--out", "out", "-q"])
        .env("KEFU_CONFIRM_ABOVE_S", "0.0001")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("this run simulates about"), "{err}");
    assert!(err.contains("going on (not a terminal"), "{err}");
    // --yes: no question, no warning.
    let o = kefu()
        .args(["run", "--replications", "2", "--out", "out", "-q", "--yes"])
        .env("KEFU_CONFIRM_ABOVE_S", "0.0001")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(!text(&o.stderr).contains("this run simulates"));
    // One-minute intervals over ten years: refused before anything is simulated.
    let big = kefu::scenario::DEFAULT_SCENARIO
        .replace("days = 1.0", "days = 3650")
        .replace("interval_minutes = 30", "interval_minutes = 1");
    std::fs::write(tmp.path().join("big.toml"), big).unwrap();
    let started = Instant::now();
    let o = run_in(&["run", "big.toml", "--out", "big"], tmp.path());
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("5256000 reporting intervals"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!tmp.path().join("big").exists());
    let o = run_in(
        &["run", "--replications", "100001", "--out", "x"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
}
