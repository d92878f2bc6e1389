//! Tests of the whole loader: the bad-input corpus in `tests/bad/` (each `x.toml` next to an
//! `x.expected` holding the exact error text), the shipped `scenarios/`, and model details.
//! Set `KEFU_BLESS=1` to rewrite the `.expected` files after a deliberate message change.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::time::days_from_civil;
use crate::model::Staffing;

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn bad_corpus_gives_the_expected_messages() {
    let bless = std::env::var_os("KEFU_BLESS").is_some();
    let files = toml_files("tests/bad");
    assert!(
        files.len() >= 30,
        "the corpus should hold at least 30 files"
    );
    let mut failures = Vec::new();
    for path in files {
        let got = match load(&path) {
            Ok(_) => "(loaded without error)\n".to_string(),
            Err(e) => format!("{e}\n"),
        };
        let expected_path = path.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}:\n--- expected\n{want}--- got\n{got}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shipped_scenarios_load_cleanly() {
    for path in toml_files("scenarios") {
        match load(&path) {
            Ok(l) => assert!(
                l.warnings.is_empty(),
                "{}: {:?}",
                path.display(),
                l.warnings
            ),
            Err(e) => panic!("{e}"),
        }
    }
    let d = load_str(DEFAULT_SCENARIO, "default", Path::new("scenarios")).unwrap();
    assert_eq!(d.source_text, DEFAULT_SCENARIO);
}

const MINIMAL: &str = r#"
name = "m"
[run]
days = 1
[arrivals]
per_day = 2400
[[categories]]
name = "a"
share = 1
handle_time = { dist = "exponential", mean_s = 100 }
[[pools]]
name = "p"
skills = ["general"]
agents = 3
"#;

#[test]
fn defaults_follow_the_contract() {
    let m = load_str(MINIMAL, "m.toml", Path::new(".")).unwrap().model;
    assert_eq!(
        m.run.calendar.origin_epoch_s,
        days_from_civil(2026, 1, 5) * 86_400
    );
    assert_eq!((m.run.counted_from, m.run.counted_to), (0.0, 86_400.0));
    assert_eq!(
        (m.run.replications, m.run.seed, m.run.interval_s),
        (10, 1, 1800.0)
    );
    assert_eq!(
        (m.target.answer_within_s, m.target.service_level),
        (120.0, 0.90)
    );
    assert_eq!(
        (m.target.queue_alert_waiting, m.target.short_abandon_s),
        (5, 5.0)
    );
    assert!(m.routing.vip_first && m.offline.tickets && m.bot.is_none() && m.costs.is_none());
    assert_eq!(m.routing.silent_close_s, 60.0);
    assert_eq!(
        (m.pools[0].concurrency, m.pools[0].concurrency_slowdown),
        (1, 0.0)
    );
    assert_eq!(m.skills, vec!["general".to_string()]);
    assert_eq!(m.categories[0].complex_handle_time.mean(), 100.0);
    assert!((m.expected_arrivals() - 2400.0).abs() < 1e-6);
}

#[test]
fn warmup_moves_the_origin_and_peaks_are_in_sim_time() {
    let text = MINIMAL.replace("days = 1", "days = 2\nstart = 2026-11-10\nwarmup_hours = 4").replace(
        "[[categories]]",
        "hourly_profile = [2,2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1]\n[[arrivals.peaks]]\nname = \"x\"\nfrom = 2026-11-10T20:00:00\nto = 2026-11-11T02:00:00\nmultiplier = 6\n[[categories]]",
    );
    let m = load_str(&text, "m.toml", Path::new(".")).unwrap().model;
    let start = days_from_civil(2026, 11, 10) * 86_400;
    assert_eq!(m.run.calendar.origin_epoch_s, start - 4 * 3600);
    assert_eq!(m.run.counted_from, 14_400.0);
    assert_eq!(m.arrivals.peaks[0].from, 14_400.0 + 20.0 * 3600.0);
    assert_eq!(m.arrivals.peaks[0].to, 14_400.0 + 26.0 * 3600.0);
    assert!((m.arrivals.hourly_profile.iter().sum::<f64>() - 24.0).abs() < 1e-9);
    assert!((m.arrivals.hourly_profile[0] - 2.0 * 24.0 / 36.0).abs() < 1e-12);
}

#[test]
fn schedule_windows_and_staffing_csv() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.csv"), "start,pool,agents\n2026-01-05T00:00,p,2\n2026-01-05T00:30,other,9\n2026-01-05T00:30,p,4\n2026-01-05T01:00,p,0\n").unwrap();
    let text = MINIMAL.replace("agents = 3", "staffing_csv = \"plan.csv\"");
    let m = load_str(&text, "m.toml", dir.path()).unwrap().model;
    match &m.pools[0].staffing {
        Staffing::Table { rows, step_s } => {
            assert_eq!(rows, &vec![(0.0, 2), (1800.0, 4), (3600.0, 0)]);
            assert_eq!(*step_s, 1800.0);
        }
        s => panic!("{s:?}"),
    }
    let text = MINIMAL.replace(
        "agents = 3",
        "schedule = [{ from = \"08:00\", to = \"08:00\", agents = 2 }, { from = \"22:00\", to = \"02:00\", agents = 1, days = [\"Sat\", \"sunday\"] }]",
    );
    let m = load_str(&text, "m.toml", Path::new(".")).unwrap().model;
    let cal = m.run.calendar;
    let s = &m.pools[0].staffing;
    assert_eq!(s.headcount(&cal, 3.0 * 86_400.0 + 3600.0), 2); // Thursday 01:00: the 24-hour window only
    assert_eq!(s.headcount(&cal, 5.0 * 86_400.0 + 23.0 * 3600.0), 3); // Saturday night
    assert_eq!(s.headcount(&cal, 7.0 * 86_400.0 + 3600.0), 3); // Sunday's window into Monday
}

#[test]
fn forecast_replaces_the_profile_where_it_covers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("f.csv"),
        "start,contacts\n2026-01-04T23:00,999\n2026-01-05T00:00,360\n2026-01-05T01:00,720\n",
    )
    .unwrap();
    let text = MINIMAL.replace("per_day = 2400", "forecast_csv = \"f.csv\"");
    let l = load_str(&text, "m.toml", dir.path()).unwrap();
    let m = &l.model;
    assert_eq!(m.arrivals.per_day, 0.0);
    let cal = m.run.calendar;
    assert!((m.arrivals.rate(&cal, 10.0) - 0.1).abs() < 1e-12);
    assert!((m.arrivals.rate(&cal, 3700.0) - 0.2).abs() < 1e-12);
    assert_eq!(m.arrivals.rate(&cal, 7300.0), 0.0);
    assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
    assert!(l.warnings[0].message.contains("1 row(s) lie outside"));
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "\u{feff}",
        "=",
        "[[",
        "name = 1\n[run]\ndays = nan",
        "pools = 3\ncategories = []",
        "run = []",
        "[arrivals]\nper_day = inf\nhourly_profile = \"flat\"",
        "[[pools]]\nschedule = [1, {from = 1}]\nagents = 1e300",
    ] {
        let _ = load_str(text, "odd.toml", Path::new("."));
    }
}

#[test]
fn load_refuses_folders_binary_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("it is a folder"), "{e}");
    let bin = dir.path().join("x.toml");
    std::fs::write(&bin, b"name = \"\xff\xfe\"\n").unwrap();
    let e = load(&bin).unwrap_err().to_string();
    assert!(e.contains("not UTF-8"), "{e}");
    let e = load(&dir.path().join("nope.toml")).unwrap_err();
    assert!(matches!(e, ScenarioError::Io { .. }) && e.issues().is_empty());
}

#[test]
fn unused_pool_skill_is_a_warning_and_integers_may_use_underscores() {
    let text = MINIMAL
        .replace("[\"general\"]", "[\"general\", \"farm\"]")
        .replace("2400", "2_400")
        .replace("agents = 3", "agents = 0x3");
    let l = load_str(&text, "m.toml", Path::new(".")).unwrap();
    assert_eq!(l.model.arrivals.per_day, 2400.0);
    assert_eq!(
        l.model.skills,
        vec!["general".to_string(), "farm".to_string()]
    );
    assert_eq!(l.model.pools[0].skills, vec![0, 1]);
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(l.warnings[0].to_string(), "m.toml:13: pools[0].skills: no category needs skill \"farm\" (this pool's agents only take contacts of the other skills it lists)");
}

const PLANNING: &str = r#"
[planning]
tuning_replications = 4
verify_replications = 6
verify_seed = 99
max_iterations = 7
confidence_z = 1.5
margin = 0.01
small_interval_contacts = 10
small_interval_tolerance = 0.05
min_agents = 0
max_occupancy = 0.85
keep_surge = true

[planning.shrinkage]
p = [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.25, 0.2, 0.2, 0.2, 0.2,
     0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.25, 0.3, 0.3]

[[planning.shifts]]
name = "night"
hours = 10
earliest_start = "21:00"
latest_start = "01:00"
start_every_minutes = 60
break_minutes = 45
break_after_hours = [4, 6]
cost_factor = 1.2
"#;

#[test]
fn planning_section_maps_onto_the_model() {
    let m = load_str(MINIMAL, "m.toml", Path::new(".")).unwrap().model;
    assert!(m.planning.is_none());
    let text = format!("{MINIMAL}{PLANNING}");
    let l = load_str(&text, "m.toml", Path::new(".")).unwrap();
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    let p = l.model.planning.unwrap();
    assert_eq!(
        (p.tuning_replications, p.verify_replications, p.verify_seed),
        (4, Some(6), Some(99))
    );
    assert_eq!((p.max_iterations, p.min_agents), (7, 0));
    assert_eq!((p.confidence_z, p.margin), (1.5, 0.01));
    assert_eq!(
        (p.small_interval_contacts, p.small_interval_tolerance),
        (10.0, 0.05)
    );
    assert_eq!(p.max_occupancy, Some(0.85));
    assert!(p.keep_surge && p.fixed_pools.is_empty());
    assert_eq!(p.shrinkage.len(), 1);
    assert_eq!((p.shrinkage[0][0], p.shrinkage[0][8]), (0.3, 0.2));
    assert_eq!(p.shifts.len(), 1);
    let s = &p.shifts[0];
    assert_eq!(s.name, "night");
    assert_eq!(s.length_s, 36_000.0);
    assert_eq!((s.earliest_start_s, s.latest_start_s), (75_600.0, 3_600.0));
    assert_eq!((s.start_step_s, s.break_s), (3_600.0, 2_700.0));
    assert_eq!((s.break_earliest_s, s.break_latest_s), (14_400.0, 21_600.0));
    assert_eq!(s.cost_factor, 1.2);
    assert!(s.allows_start(0.0) && s.allows_start(82_800.0) && !s.allows_start(7_200.0));

    // An empty section: the defaults, with one zero shrinkage row per pool.
    let text = format!("{MINIMAL}\n[planning]\n");
    let p = load_str(&text, "m.toml", Path::new("."))
        .unwrap()
        .model
        .planning
        .unwrap();
    let d = crate::model::Planning::default();
    assert_eq!(p.shifts, d.shifts);
    assert_eq!(p.shrinkage, vec![[0.0; 24]]);
    assert_eq!((p.tuning_replications, p.verify_seed), (8, None));
    assert_eq!(p.max_occupancy, None);
    // A shift without explicit starts: every step all day; `shifts = []`: no shift types.
    let text = format!(
        "{MINIMAL}\n[planning]\nfixed_pools = []\n[planning.shrinkage]\np = 0.25\n[[planning.shifts]]\nname = \"6h\"\nhours = 6\nstart_every_minutes = 15\n"
    );
    let p = load_str(&text, "m.toml", Path::new("."))
        .unwrap()
        .model
        .planning
        .unwrap();
    assert_eq!(p.shrinkage, vec![[0.25; 24]]);
    assert_eq!(p.shifts[0].latest_start_s, 86_400.0 - 900.0);
    assert_eq!(p.shifts[0].break_s, 0.0);
    let text = format!("{MINIMAL}\n[planning]\nshifts = []\n");
    let p = load_str(&text, "m.toml", Path::new("."))
        .unwrap()
        .model
        .planning
        .unwrap();
    assert!(p.shifts.is_empty());
}

#[test]
fn planning_problems_are_all_reported_with_paths() {
    let text = MINIMAL.replace("days = 1", "days = 1\nseed = 5")
        + r#"
[planning]
tuning_replications = 1
verify_seed = 5
margin = 0.5
max_occupancy = 0
fixed_pools = ["q", "p"]
keep_surge = "no"

[planning.shrinkage]
pp = 0.2
p = [0.2, 0.2]

[[planning.shifts]]
name = "x"
hours = 25
earliest_start = "8:00"
start_every_minutes = 7
break_minutes = 30
[[planning.shifts]]
name = "y"
hours = 4
break_minutes = 30
break_after_hours = [3, 1]
[[planning.shifts]]
name = "z"
hours = 4
break_minutes = 30
break_after_hours = [1.1, 1.4]
colour = "red"
"#;
    let e = load_str(&text, "m.toml", Path::new(".")).unwrap_err();
    let keys: Vec<&str> = e.issues().iter().map(|i| i.key.as_str()).collect();
    for k in [
        "planning.tuning_replications",
        "planning.verify_seed",
        "planning.margin",
        "planning.max_occupancy",
        "planning.fixed_pools",
        "planning.fixed_pools[0]",
        "planning.keep_surge",
        "planning.shrinkage.pp",
        "planning.shrinkage.p",
        "planning.shifts[0].hours",
        "planning.shifts[0].earliest_start",
        "planning.shifts[0].start_every_minutes",
        "planning.shifts[0].break_after_hours",
        "planning.shifts[1].break_after_hours",
        "planning.shifts[2].break_after_hours",
        "planning.shifts[2].colour",
    ] {
        assert!(keys.contains(&k), "{k} not in {keys:?}\n{e}");
    }
    assert!(e.issues().iter().all(|i| i.line.is_some()), "{e}");
    let text = e.to_string();
    assert!(text.contains("did you mean \"p\"?"), "{text}");
    assert!(text.contains("equals [run] seed (5)"), "{text}");
}

#[test]
fn a_100_mb_file_is_refused_quickly_and_csvs_are_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap(); // sparse: no 100 MB written
    let started = std::time::Instant::now();
    let e = load(&big).unwrap_err().to_string();
    assert!(
        started.elapsed().as_secs_f64() < 0.5,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        e,
        format!(
            "cannot read {}: it is larger than 10 MiB, the limit for a scenario file",
            big.display()
        )
    );
    // The same limit for a CSV, then an empty CSV and a non-UTF-8 one.
    let csv = dir.path().join("plan.csv");
    std::fs::File::create(&csv)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let text = MINIMAL.replace("agents = 3", "staffing_csv = \"plan.csv\"");
    let e = load_str(&text, "m.toml", dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("is larger than 10 MiB, the limit for a staffing CSV"),
        "{e}"
    );
    for (bytes, want) in [
        (&b""[..], "the header has no `start` column"),
        (
            &b"start,pool,agents\n2026-01-05T00:00,p,\xff\n"[..],
            "not a readable CSV line",
        ),
        (
            &b"start,pool,agents\n\"2026-01-05T00:00,p,3\n"[..],
            "the line has 1 field(s), the header 3",
        ),
    ] {
        std::fs::write(&csv, bytes).unwrap();
        let e = load_str(&text, "m.toml", dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{bytes:?}: {e}");
    }
    // In-memory files (run.json, fuzzing) go through the same checks.
    let e = load_str_with_files(&text, "m.toml", vec![])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("plan.csv is not among the files recorded"),
        "{e}"
    );
    let l = load_str_with_files(
        &text,
        "m.toml",
        vec![(
            "plan.csv".into(),
            b"start,pool,agents\n2026-01-05T00:00,p,2\n".to_vec(),
        )],
    )
    .unwrap();
    assert_eq!(l.files.len(), 1);
}

/// Special files created at test time (they cannot live in the repository): a CSV or a
/// scenario that is a symlink to /dev/zero, a FIFO, or /proc/self/environ is refused at once
/// with a message naming the key and the kind of file, and quoting none of its content.
#[cfg(target_os = "linux")]
#[test]
fn special_files_are_refused_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.csv")).unwrap();
    let fifo = d.join("fifo.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let cases = [
        ("zero.csv", "character device"),
        ("fifo.csv", "FIFO"),
        ("/proc/self/environ", "NUL byte"),
    ];
    for (csv, why) in cases {
        let text = MINIMAL.replace("agents = 3", &format!("staffing_csv = \"{csv}\""));
        let scenario = d.join("s.toml");
        std::fs::write(&scenario, text).unwrap();
        let e = load(&scenario).unwrap_err().to_string();
        assert!(
            e.contains("pools[0].staffing_csv") && e.contains(why),
            "{csv}: {e}"
        );
        assert!(!e.contains("PATH=") && !e.contains("HOME="), "{csv}: {e}");
    }
    for (scenario, why) in [("zero.csv", "character device"), ("fifo.csv", "FIFO")] {
        let e = load(&d.join(scenario)).unwrap_err().to_string();
        assert!(e.contains(why) && e.contains("a scenario file"), "{e}");
    }
}

#[test]
fn check_refuses_what_run_would_refuse() {
    // Model-only limits are part of validation: `kefu check` and `kefu run` agree.
    let text = MINIMAL.replace("days = 1", "days = 400\ninterval_minutes = 1");
    let e = load_str(&text, "m.toml", Path::new(".")).unwrap_err();
    assert!(e.to_string().contains("reporting intervals"), "{e}");
    let text = MINIMAL.replace("per_day = 2400", "per_day = 2e9");
    let e = load_str(&text, "m.toml", Path::new(".")).unwrap_err();
    assert!(e.to_string().contains("at most 1000000000"), "{e}");
    // Just under the contact limit loads.
    let text = MINIMAL.replace("per_day = 2400", "per_day = 9e8");
    assert!(load_str(&text, "m.toml", Path::new(".")).is_ok());
}
