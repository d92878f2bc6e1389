//! Refusals: a user's file, a file, an input or an existing single file is never replaced;
//! a write failing part-way keeps the previous output.

use super::sandbox::*;
use std::time::Duration;

#[test]
fn a_folder_holding_a_users_file_survives_every_command_byte_for_byte() {
    let sb = Sandbox::new();
    sb.shards();
    for case in CASES {
        // A folder of the user's own.
        std::fs::create_dir_all(sb.path("mydocs")).unwrap();
        std::fs::write(sb.path("mydocs/budget.xlsx"), b"PK\x03\x04 the budget").unwrap();
        let before = snapshot(&sb.path("mydocs"));
        let o = sb.kefu(&refs(&args_of(case, "mydocs")));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", case.name);
        assert!(err.contains("budget.xlsx"), "{}: {err}", case.name);
        assert_eq!(snapshot(&sb.path("mydocs")), before, "{}", case.name);
        // kefu's own output folder with the user's file added to it.
        let out = format!("out-{}", case.name);
        sb.ok(&refs(&args_of(case, &out)));
        let sub = format!("{out}/notes/mine.txt");
        std::fs::create_dir_all(sb.path(&out).join("notes")).unwrap();
        std::fs::write(sb.path(&sub), "my notes").unwrap();
        let before = snapshot(&sb.path(&out));
        let o = sb.kefu(&refs(&args_of(case, &out)));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {err}", case.name);
        assert!(err.contains("notes/mine.txt"), "{}: {err}", case.name);
        assert_eq!(snapshot(&sb.path(&out)), before, "{}", case.name);
        // Once the user's file is gone, kefu replaces its own folder again.
        std::fs::remove_dir_all(sb.path(&out).join("notes")).unwrap();
        sb.ok(&refs(&args_of(case, &out)));
        // An existing file given as --out.
        std::fs::write(sb.path("notes.txt"), "a file").unwrap();
        let o = sb.kefu(&refs(&args_of(case, "notes.txt")));
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: {}",
            case.name,
            text(&o.stderr)
        );
        assert_eq!(std::fs::read(sb.path("notes.txt")).unwrap(), b"a file");
    }
    assert!(
        leftovers(sb.dir.path()).is_empty(),
        "{:?}",
        leftovers(sb.dir.path())
    );
}

#[test]
fn a_folder_without_kefus_marker_is_refused_with_a_hint() {
    let sb = Sandbox::new();
    // What an older kefu left: its files, no marker.
    std::fs::create_dir(sb.path("old")).unwrap();
    std::fs::write(sb.path("old/summary.json"), "{}").unwrap();
    let o = sb.kefu(&["run", "base.toml", "--out", "old", "-q", "--no-charts"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(MARKER) && err.contains("older"), "{err}");
    assert_eq!(std::fs::read(sb.path("old/summary.json")).unwrap(), b"{}");
}

#[test]
fn the_scenarios_own_folder_and_its_file_are_never_outputs() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("sc")).unwrap();
    std::fs::copy(sb.path("base.toml"), sb.path("sc/base.toml")).unwrap();
    let scenario = std::fs::read(sb.path("sc/base.toml")).unwrap();
    for out in ["sc", "sc/base.toml", "."] {
        let o = sb.kefu(&["run", "sc/base.toml", "--out", out, "-q", "--no-charts"]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {err}");
        assert!(err.contains("sc/base.toml"), "--out {out}: {err}");
        assert_eq!(std::fs::read(sb.path("sc/base.toml")).unwrap(), scenario);
    }
    // --trace onto the scenario, even with --force.
    for force in [false, true] {
        let mut args = vec![
            "run",
            "sc/base.toml",
            "--out",
            "o",
            "-q",
            "--trace",
            "sc/base.toml",
        ];
        if force {
            args.push("--force");
        }
        let o = sb.kefu(&args);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("is the scenario"),
            "{}",
            text(&o.stderr)
        );
        assert_eq!(std::fs::read(sb.path("sc/base.toml")).unwrap(), scenario);
    }
    assert!(!sb.path("o").exists());
    assert!(
        leftovers(sb.dir.path()).is_empty(),
        "{:?}",
        leftovers(sb.dir.path())
    );
}

#[test]
fn a_trace_inside_the_output_folder_survives_and_an_existing_trace_needs_force() {
    let sb = Sandbox::new();
    let args = [
        "run",
        "base.toml",
        "--out",
        "out",
        "-q",
        "--no-charts",
        "--trace",
        "out/t/trace.csv",
    ];
    for round in 0..2 {
        sb.ok(&args);
        let trace = std::fs::read_to_string(sb.path("out/t/trace.csv")).unwrap();
        assert!(trace.starts_with("replication,contact_id"), "round {round}");
        let run: serde_json::Value =
            serde_json::from_slice(&std::fs::read(sb.path("out/run.json")).unwrap()).unwrap();
        let listed = run["trace"]["file"].as_str().unwrap();
        assert!(sb.path(listed).is_file(), "run.json lists {listed}");
    }
    // A trace outside: refused when it exists, replaced with --force.
    std::fs::write(sb.path("mine.csv"), "my data").unwrap();
    let trace = [
        "run",
        "base.toml",
        "--out",
        "o2",
        "-q",
        "--no-charts",
        "--trace",
        "mine.csv",
    ];
    let o = sb.kefu(&trace);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("--force"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(sb.path("mine.csv")).unwrap(), b"my data");
    assert!(!sb.path("o2").exists(), "refused before any work");
    let forced: Vec<&str> = trace.iter().copied().chain(["--force"]).collect();
    sb.ok(&forced);
    assert!(std::fs::read_to_string(sb.path("mine.csv"))
        .unwrap()
        .starts_with("replication,"));
    assert!(
        leftovers(sb.dir.path()).is_empty(),
        "{:?}",
        leftovers(sb.dir.path())
    );
}

#[test]
fn calibrate_replaces_an_existing_scenario_only_with_force_and_never_its_records() {
    let sb = Sandbox::new();
    sb.records("1");
    std::fs::write(sb.path("shop.toml"), "# my hand-made scenario\n").unwrap();
    let o = sb.kefu(&["calibrate", "tr.csv", "--out", "shop.toml", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read(sb.path("shop.toml")).unwrap(),
        b"# my hand-made scenario\n"
    );
    sb.ok(&["calibrate", "tr.csv", "--out", "shop.toml", "-q", "--force"]);
    sb.ok(&["check", "shop.toml"]);
    let records = std::fs::read(sb.path("tr.csv")).unwrap();
    let o = sb.kefu(&["calibrate", "tr.csv", "--out", "tr.csv", "-q", "--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(sb.path("tr.csv")).unwrap(), records);
    assert!(
        leftovers(sb.dir.path()).is_empty(),
        "{:?}",
        leftovers(sb.dir.path())
    );
}

/// A full disk, as the kernel reports it to a process over its file-size limit (EFBIG, with
/// SIGXFSZ ignored): the write fails part-way, exit 1, the previous output stays whole.
#[cfg(target_os = "linux")]
#[test]
fn a_write_failing_part_way_keeps_the_previous_output_and_leaves_nothing() {
    use std::os::unix::process::CommandExt;
    /// Bytes a file may grow to: less than any output file written here.
    const LIMIT: libc::rlim_t = 64;
    let sb = Sandbox::new();
    sb.records("1");
    sb.ok(&["calibrate", "tr.csv", "--out", "shop.toml", "-q"]);
    sb.ok(&["run", "base.toml", "--out", "out", "-q", "--no-charts"]);
    let (shop, out) = (snapshot(&sb.path("shop.toml")), snapshot(&sb.path("out")));
    let limited = |args: &[&str]| {
        let mut c = sb.command(args);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            c.pre_exec(|| {
                let lim = libc::rlimit {
                    rlim_cur: LIMIT,
                    rlim_max: LIMIT,
                };
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        c.output().unwrap()
    };
    let o = limited(&["calibrate", "tr.csv", "--out", "shop.toml", "-q", "--force"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("File too large"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(snapshot(&sb.path("shop.toml")), shop);
    let o = limited(&["run", "base.toml", "--out", "out", "-q", "--no-charts"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(snapshot(&sb.path("out")), out);
    assert!(
        leftovers(sb.dir.path()).is_empty(),
        "{:?}",
        leftovers(sb.dir.path())
    );
}

#[test]
fn a_user_file_dropped_in_during_a_run_is_kept_and_the_commit_refused() {
    let sb = Sandbox::new();
    let args = ["run", "base.toml", "--out", "out", "-q", "--no-charts"];
    sb.ok(&args);
    let before = snapshot(&sb.path("out"));
    let mut long: Vec<&str> = args.to_vec();
    long.extend(["--replications", "2000", "--threads", "1"]);
    let mut child = sb.spawn(&long);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(sb.path("out/late.txt"), "mine").unwrap();
    let (status, _) = wait_within(&mut child, HANG, "run");
    let err = stderr_of(&mut child);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("late.txt"), "{err}");
    let mut expected = before;
    expected.insert("late.txt".into(), b"mine".to_vec());
    assert_eq!(snapshot(&sb.path("out")), expected);
    assert!(
        leftovers(sb.dir.path()).is_empty(),
        "{:?}",
        leftovers(sb.dir.path())
    );
}
