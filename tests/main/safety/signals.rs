//! Signals at a random moment of every command, and two kefus on one output.

use super::sandbox::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

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
