//! Output safety end to end, on real files through the built binary (docs/reliability.md,
//! "Interruption and output safety"): no user file is ever deleted or overwritten, an input
//! is never an output, and a signal, a kill, a full disk or a second kefu leaves the
//! previous output intact and nothing behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The scenario: the M/M/10 textbook queue over one day (6 912 contacts a replication).
const BASE: &str = include_str!("../../scenarios/mmc-textbook.toml");
/// kefu's marker inside every output folder.
const MARKER: &str = kefu::outfs::marker::MARKER;
/// A signalled command must have exited by then (the signal thread's grace is 0.75 s; the
/// rest is headroom for a machine shared with compilers).
const STOP_WITHIN: Duration = Duration::from_secs(3);
/// No command here runs longer than this unless something hangs.
const HANG: Duration = Duration::from_secs(60);

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// A folder with `base.toml` (1 day, 4 replications) and `b.toml` (one agent more).
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let base = BASE
            .replace("days = 7.0", "days = 1.0")
            .replace("replications = 20", "replications = 4");
        assert_ne!(base, BASE, "the textbook scenario changed shape");
        std::fs::write(dir.path().join("base.toml"), &base).unwrap();
        std::fs::write(
            dir.path().join("b.toml"),
            base.replace("agents = 10", "agents = 11"),
        )
        .unwrap();
        Sandbox { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
        c.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        c
    }

    fn kefu(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("kefu runs")
    }

    fn ok(&self, args: &[&str]) -> Output {
        let o = self.kefu(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        o
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kefu starts")
    }

    /// Two shard folders `s0`, `s1` of a sweep, for `merge`.
    fn shards(&self) {
        for k in 0..2 {
            let shard = format!("{k}/2");
            let out = format!("s{k}");
            self.ok(&[
                "sweep",
                "base.toml",
                "--set",
                SWEEP_SET,
                "--shard",
                &shard,
                "--out",
                &out,
                "-q",
            ]);
        }
    }

    /// A records file `tr.csv` for `calibrate` (a trace of `reps` replications).
    fn records(&self, reps: &str) {
        self.ok(&[
            "run",
            "base.toml",
            "--out",
            "trace-run",
            "--no-charts",
            "-q",
            "--trace",
            "tr.csv",
            "--trace-replications",
            reps,
            "--replications",
            reps,
            "--force",
        ]);
    }
}

const SWEEP_SET: &str = "pools[0].agents=9..11:3";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file below `dir` (relative path → bytes); a missing `dir` is empty.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(read) = std::fs::read_dir(dir) else {
            return;
        };
        for e in read {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    if dir.is_file() {
        out.insert(String::new(), std::fs::read(dir).unwrap());
    } else {
        walk(dir, dir, &mut out);
    }
    out
}

/// Temporary folders, files and locks anywhere below `dir`: every hidden entry but kefu's
/// marker inside an output folder.
fn leftovers(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|rel| {
            rel.trim_end_matches('/')
                .split('/')
                .any(|part| part.starts_with('.') && part != MARKER)
        })
        .collect()
}

/// The entries that differ between two snapshots (for messages).
fn changes(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> String {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let differ: Vec<&str> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| k.as_str())
        .collect();
    format!("changed: {differ:?}")
}

/// An output folder (or a single file: key "") whose marker lists exactly what it holds.
fn assert_complete(snap: &BTreeMap<String, Vec<u8>>, context: &str) {
    if snap.contains_key("") {
        return;
    }
    let marker: serde_json::Value = serde_json::from_slice(&snap[MARKER]).expect("a marker");
    let listed: Vec<&str> = marker["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let held: Vec<&str> = snap
        .keys()
        .map(|k| k.as_str())
        .filter(|k| *k != MARKER)
        .collect();
    assert_eq!(listed, held, "{context}");
    assert_eq!(marker["complete"], true, "{context}");
}

/// Waits for `child`, failing the test if it runs past `limit`.
fn wait_within(child: &mut Child, limit: Duration, what: &str) -> (ExitStatus, Duration) {
    let started = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return (s, started.elapsed());
        }
        if started.elapsed() > limit {
            child.kill().ok();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut err).ok();
    }
    err
}

/// A delay in `[0, max)`, different on every call (time-seeded; printed on failure).
fn random_delay(max: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    // SplitMix64 of the clock: a well-spread value from a poorly spread seed.
    let mut z = nanos.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Duration::from_micros(z % (max.as_micros() as u64).max(1))
}

/// One command writing the output `out`, with its main result file (identical bytes on
/// every run, as the seed is fixed).
struct Case {
    name: &'static str,
    args: fn(&str) -> Vec<String>,
    result: &'static str,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const CASES: &[Case] = &[
    Case {
        name: "run",
        args: |out| strings(&["run", "base.toml", "--out", out, "-q", "--no-charts"]),
        result: "summary.json",
    },
    Case {
        name: "plan",
        args: |out| strings(&["plan", "base.toml", "--out", out, "-q", "--no-charts"]),
        result: "plan.csv",
    },
    Case {
        name: "compare",
        args: |out| strings(&["compare", "base.toml", "b.toml", "--out", out, "-q"]),
        result: "compare.json",
    },
    Case {
        name: "sweep",
        args: |out| strings(&["sweep", "base.toml", "--set", SWEEP_SET, "--out", out, "-q"]),
        result: "sweep.csv",
    },
    Case {
        name: "merge",
        args: |out| strings(&["merge", "s0", "s1", "--out", out, "-q"]),
        result: "sweep.csv",
    },
];

fn args_of(case: &Case, out: &str) -> Vec<String> {
    (case.args)(out)
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

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

/// Sends `signal` at a random moment into the command's run and checks the outcome: stopped
/// with 130 (or finished first) within [`STOP_WITHIN`], the previous output intact, no
/// temporary left (after the next run, for SIGKILL).
fn signal_at_random(
    sb: &Sandbox,
    what: &str,
    args: &[String],
    out: &str,
    result: &str,
    signal: i32,
    longest: Duration,
) {
    let before = snapshot(&sb.path(out));
    let delay = random_delay(longest);
    let mut child = sb.spawn(&refs(args));
    std::thread::sleep(delay);
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    let (status, stopped_in) = wait_within(&mut child, HANG, what);
    let err = stderr_of(&mut child);
    let context = format!("{what}, signal {signal} after {delay:?}: {status:?}\n{err}");
    // Shown with --nocapture: how often the signal hit the command mid-way.
    eprintln!("safety: {what}, signal {signal} after {delay:?}: {status} in {stopped_in:?}");
    use std::os::unix::process::ExitStatusExt;
    let finished = status.code() == Some(0);
    match signal {
        libc::SIGKILL => assert!(
            finished || status.signal() == Some(libc::SIGKILL),
            "{context}"
        ),
        // Before kefu installs its handler (the first instant) the signal ends it outright.
        _ => assert!(
            finished || status.code() == Some(130) || status.signal() == Some(signal),
            "{context}"
        ),
    }
    if signal != libc::SIGKILL && !finished {
        assert!(stopped_in < STOP_WITHIN, "took {stopped_in:?}: {context}");
        assert!(
            status.signal().is_some() || err.contains("interrupted"),
            "{context}"
        );
    }
    let after = snapshot(&sb.path(out));
    if after != before {
        // Only a command that got as far as moving its output into place (it then exited 0,
        // or SIGKILL came after the move) may have changed it: to a whole new output with the
        // same results.
        assert!(
            finished || signal == libc::SIGKILL,
            "{context}: {}",
            changes(&before, &after)
        );
        assert_eq!(after.get(result), before.get(result), "{context}");
        assert_complete(&after, &context);
    }
    if signal == libc::SIGKILL {
        // A lock file alone (killed in the instant around taking the lock) goes silently.
        let had_leftovers = leftovers(sb.dir.path()).iter().any(|l| l.contains(".tmp-"));
        let o = sb.ok(&refs(args));
        if had_leftovers {
            assert!(
                text(&o.stderr).contains("note: removed"),
                "{context}\n{}",
                text(&o.stderr)
            );
        }
    }
    assert!(
        leftovers(sb.dir.path()).is_empty(),
        "{context}: {:?}",
        leftovers(sb.dir.path())
    );
}

/// Each command, made to run about half a second.
fn long_args(case: &Case) -> Vec<String> {
    let mut args = args_of(case, "out");
    let reps = match case.name {
        "run" => "300",
        "plan" => "100",
        "compare" => "150",
        "sweep" => "100",
        _ => return args,
    };
    args.extend(strings(&["--replications", reps, "--threads", "2"]));
    args
}

/// Runs `args` to completion and returns how long it took: signals are then sent within
/// that span, so that most land while the command works, whatever the machine's speed.
fn timed_ok(sb: &Sandbox, args: &[String]) -> Duration {
    let started = Instant::now();
    sb.ok(&refs(args));
    started.elapsed()
}

fn signals_on(name: &str) {
    let sb = Sandbox::new();
    let case = CASES.iter().find(|c| c.name == name).unwrap();
    if name == "merge" {
        sb.shards();
    }
    let args = long_args(case);
    let longest = timed_ok(&sb, &args);
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGKILL] {
        signal_at_random(&sb, name, &args, "out", case.result, signal, longest);
    }
}

#[test]
fn signals_at_a_random_moment_of_run_leave_the_previous_output_and_nothing_else() {
    signals_on("run");
}

#[test]
fn signals_at_a_random_moment_of_plan_leave_the_previous_output_and_nothing_else() {
    signals_on("plan");
}

#[test]
fn signals_at_a_random_moment_of_compare_leave_the_previous_output_and_nothing_else() {
    signals_on("compare");
}

#[test]
fn signals_at_a_random_moment_of_sweep_leave_the_previous_output_and_nothing_else() {
    signals_on("sweep");
}

#[test]
fn signals_at_a_random_moment_of_merge_leave_the_previous_output_and_nothing_else() {
    signals_on("merge");
}

#[test]
fn signals_at_a_random_moment_of_calibrate_and_of_a_traced_run_leave_nothing_behind() {
    let sb = Sandbox::new();
    sb.records("10");
    let cal = strings(&["calibrate", "tr.csv", "--out", "cal.toml", "-q", "--force"]);
    let cal_takes = timed_ok(&sb, &cal);
    let traced = strings(&[
        "run",
        "base.toml",
        "--out",
        "out",
        "-q",
        "--no-charts",
        "--trace",
        "t.csv",
        "--force",
        "--trace-replications",
        "100",
        "--replications",
        "100",
    ]);
    let traced_takes = timed_ok(&sb, &traced);
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGKILL] {
        signal_at_random(&sb, "calibrate", &cal, "cal.toml", "", signal, cal_takes);
        let before = snapshot(&sb.path("t.csv"));
        signal_at_random(
            &sb,
            "traced run",
            &traced,
            "out",
            "summary.json",
            signal,
            traced_takes,
        );
        // The trace is whole: the previous one, or (finished) the same rows again.
        assert_eq!(snapshot(&sb.path("t.csv")), before);
    }
}

#[test]
fn two_runs_on_one_output_never_mix_and_leave_nothing() {
    let sb = Sandbox::new();
    let args = [
        "run",
        "base.toml",
        "--out",
        "out",
        "-q",
        "--no-charts",
        "--replications",
        "40",
    ];
    sb.ok(&args);
    let reference = snapshot(&sb.path("out"));
    for round in 0..4 {
        let mut a = sb.spawn(&args);
        let mut b = sb.spawn(&args);
        let (sa, _) = wait_within(&mut a, HANG, "first");
        let (sb2, _) = wait_within(&mut b, HANG, "second");
        let errs = [stderr_of(&mut a), stderr_of(&mut b)];
        let codes = [sa.code(), sb2.code()];
        assert!(
            codes.contains(&Some(0)),
            "round {round}: {codes:?} {errs:?}"
        );
        for (code, err) in codes.iter().zip(&errs) {
            match code {
                Some(0) => {}
                Some(1) => assert!(err.contains("another kefu"), "round {round}: {err}"),
                other => panic!("round {round}: exit {other:?}: {err}"),
            }
        }
        let now = snapshot(&sb.path("out"));
        let names = |s: &BTreeMap<String, Vec<u8>>| s.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(&now), names(&reference), "round {round}");
        assert_complete(&now, &format!("round {round}"));
        for f in ["summary.json", "intervals.csv", "intervals_by_class.csv"] {
            assert_eq!(now[f], reference[f], "round {round}: {f}");
        }
        assert!(
            leftovers(sb.dir.path()).is_empty(),
            "{:?}",
            leftovers(sb.dir.path())
        );
    }
}
