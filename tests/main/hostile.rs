//! Hostile and careless input through the built binary: special files (a symlink to
//! /dev/zero or /dev/urandom, a FIFO, /proc/self/environ) wherever kefu reads a file, names
//! carrying markup or terminal escapes, absurd magnitudes, crafted shards, records and
//! `--set` keys. Every case must be refused with exit status 2 and a message naming the
//! file and key (or run correctly), within [`TIME_LIMIT`], with no panic and without echoing
//! a secret from the environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A case that hangs (a FIFO opened for reading blocks until a writer comes) is killed
/// after this; every case here finishes in well under a second when handled.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// An environment variable every run gets; its value must never show up in any output.
const SECRET_VAR: &str = "KEFU_HOSTILE_TEST_SECRET";

fn secret() -> String {
    format!("s3cr3t-marker-{}-do-not-print", std::process::id())
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs kefu in `cwd` with stdout/stderr in files (no pipe to fill), killed after
/// [`TIME_LIMIT`] (the test then fails, naming the arguments).
fn kefu(args: &[&str], cwd: &Path) -> Ran {
    let logs = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (logs.path().join("out"), logs.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .current_dir(cwd)
        .env(SECRET_VAR, secret())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("kefu starts");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().ok();
            child.wait().ok();
            panic!("kefu {args:?} did not finish within {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    Ran {
        code: status.code(),
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// No panic, no secret and no raw terminal control in what kefu printed.
fn clean(r: &Ran, what: &str) {
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(!all.contains("panicked at"), "{what}: {all}");
    assert!(
        !all.contains(&secret()),
        "{what}: the secret was echoed: {all}"
    );
    assert!(
        !all.chars().any(|c| c.is_control() && c != '\n'),
        "{what}: a control character was printed: {all:?}"
    );
}

/// Refused: exit status 2, and stderr holds every one of `needles`.
fn refused(r: &Ran, needles: &[&str], what: &str) {
    clean(r, what);
    assert_eq!(r.code, Some(2), "{what}: {}", r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "{what}: no `{n}` in: {}", r.stderr);
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A small valid scenario (one day, ~500 chats): `name` and the pool's headcount line given.
fn scenario(name: &str, headcount: &str) -> String {
    format!(
        "name = \"{name}\"\n[run]\nstart = 2026-01-05T00:00:00\ndays = 1\nreplications = 2\n\
         [arrivals]\nper_day = 500\n[[categories]]\nname = \"a\"\nshare = 1\n\
         handle_time = {{ dist = \"exponential\", mean_s = 100 }}\n\
         [[pools]]\nname = \"p\"\nskills = [\"general\"]\n{headcount}\n"
    )
}

/// Makes `name` in `dir` a FIFO.
fn mkfifo(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    p
}

/// The special files, as (file name in `dir`, the kind the message must name).
fn special_files(dir: &Path) -> Vec<(&'static str, &'static str)> {
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", dir.join("random.csv")).unwrap();
    mkfifo(dir, "fifo.csv");
    vec![
        ("zero.csv", "character device"),
        ("random.csv", "character device"),
        ("fifo.csv", "FIFO"),
    ]
}

#[test]
fn special_files_as_scenario_and_csvs_are_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    for (file, kind) in special_files(d) {
        let r = kefu(&["check", file], d);
        refused(
            &r,
            &[file, kind, "a scenario file"],
            &format!("check {file}"),
        );
        std::fs::write(
            d.join("s.toml"),
            scenario("s", &format!("staffing_csv = \"{file}\"")),
        )
        .unwrap();
        let r = kefu(&["run", "s.toml", "--out", "o", "--quiet"], d);
        refused(
            &r,
            &["s.toml:", "pools[0].staffing_csv", kind],
            &format!("staffing_csv = {file}"),
        );
        assert!(!d.join("o").exists());
        let text = scenario("s", "agents = 3")
            .replace("per_day = 500", &format!("forecast_csv = \"{file}\""));
        std::fs::write(d.join("f.toml"), text).unwrap();
        let r = kefu(&["check", "f.toml"], d);
        refused(
            &r,
            &["f.toml:", "arrivals.forecast_csv", kind],
            &format!("forecast_csv = {file}"),
        );
    }
}

#[test]
fn proc_self_environ_is_refused_without_echoing_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let text = scenario("s", "staffing_csv = \"/proc/self/environ\"");
    std::fs::write(d.join("s.toml"), text).unwrap();
    let r = kefu(&["check", "s.toml"], d);
    refused(
        &r,
        &["/proc/self/environ", "pools[0].staffing_csv", "NUL byte"],
        "staffing_csv = /proc/self/environ",
    );
    assert!(!r.stderr.contains(SECRET_VAR), "{}", r.stderr);
    // A text file of secrets: no line of it is quoted back.
    std::fs::write(d.join("creds.csv"), format!("{SECRET_VAR}={}\n", secret())).unwrap();
    std::fs::write(
        d.join("c.toml"),
        scenario("s", "staffing_csv = \"creds.csv\""),
    )
    .unwrap();
    let r = kefu(&["check", "c.toml"], d);
    refused(
        &r,
        &["creds.csv:1", "the header has no `start` column"],
        "creds",
    );
    assert!(!r.stderr.contains(SECRET_VAR), "{}", r.stderr);
}

#[test]
fn special_font_records_and_shard_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("s.toml"), scenario("s", "agents = 3")).unwrap();
    for (file, kind) in special_files(d) {
        let r = kefu(
            &[
                "run",
                "s.toml",
                "--font-file",
                file,
                "--out",
                "o",
                "--quiet",
            ],
            d,
        );
        refused(
            &r,
            &[file, kind, "a font file"],
            &format!("--font-file {file}"),
        );
        assert!(!d.join("o").exists());
        let r = kefu(&["calibrate", file, "--out", "cal.toml", "--quiet"], d);
        refused(
            &r,
            &[file, kind, "a records file"],
            &format!("calibrate {file}"),
        );
        assert!(!d.join("cal.toml").exists());
        // A shard folder whose sweep.json is the special file.
        let shard = d.join(format!("shard-{file}"));
        std::fs::create_dir(&shard).unwrap();
        std::os::unix::fs::symlink(d.join(file), shard.join("sweep.json")).unwrap();
        let dir = shard.file_name().unwrap().to_str().unwrap();
        let r = kefu(&["merge", dir, "--out", "m", "--quiet"], d);
        refused(&r, &["sweep.json", kind], &format!("merge {file}"));
    }
}

/// Writes a shard folder from its two texts.
fn shard(d: &Path, name: &str, json: &str, csv: &str) -> String {
    std::fs::create_dir_all(d.join(name)).unwrap();
    std::fs::write(d.join(name).join("sweep.json"), json).unwrap();
    std::fs::write(d.join(name).join("sweep.csv"), csv).unwrap();
    name.to_string()
}

#[test]
fn crafted_shards_are_refused_and_good_ones_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let seed = String::from_utf8(kefu::fuzzing::merge_seed()).unwrap();
    let parts: Vec<&str> = seed.split('\0').collect();
    let (j0, c0, j1, c1) = (parts[0], parts[1], parts[2], parts[3]);
    let a = shard(d, "a", j0, c0);
    let b = shard(d, "b", j1, c1);
    let r = kefu(&["merge", &a, &b, "--out", "merged", "--quiet"], d);
    clean(&r, "good merge");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(d.join("merged/sweep.md").exists());
    let cases: Vec<(&str, String, String, &str)> = vec![
        (
            "index out of range",
            j1.replace("\"index\":1", "\"index\":7"),
            c1.to_string(),
            "shard 7/2",
        ),
        (
            "count 0",
            j1.replace("\"count\":2", "\"count\":0"),
            c1.to_string(),
            "shard 1/0",
        ),
        (
            "count 1e9",
            j1.replace("\"count\":2", "\"count\":1000000000"),
            c1.to_string(),
            "shard 1/1000000000",
        ),
        (
            "NaN in a cell",
            j1.to_string(),
            c1.replace("0.75", "NaN"),
            "not finite",
        ),
        (
            "values not the grid's",
            j1.to_string(),
            c1.replace("1,2,2,", "1,9,2,"),
            "differ from the grid",
        ),
        (
            "unknown field",
            j1.replace("\"seed\":1", "\"seed\":1,\"extra\":true"),
            c1.to_string(),
            "unknown field",
        ),
        (
            "points not the grid's",
            j1.replace("\"points\":3", "\"points\":4"),
            c1.to_string(),
            "`points` is 4",
        ),
    ];
    for (what, json, csv, needle) in cases {
        let bad = shard(d, &format!("bad-{}", what.replace(' ', "-")), &json, &csv);
        let r = kefu(&["merge", &a, &bad, "--out", "m2", "--quiet"], d);
        refused(&r, &[needle], what);
        assert!(!d.join("m2").exists(), "{what}: wrote an output");
    }
}

#[test]
fn sweep_refuses_the_run_keys_it_owns() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("s.toml"), scenario("s", "agents = 3")).unwrap();
    for (set, key, option) in [
        ("run.seed=1..3", "run.seed", "--seed"),
        (
            "run.replications=1..10000",
            "run.replications",
            "--replications",
        ),
    ] {
        let r = kefu(
            &["sweep", "s.toml", "--set", set, "--out", "o", "--quiet"],
            d,
        );
        refused(&r, &[&format!("--set {key}:"), option], set);
        assert!(!d.join("o").exists());
    }
}

#[test]
fn erlang_is_bounded() {
    let d = tempfile::tempdir().unwrap();
    let r = kefu(
        &[
            "erlang",
            "--rate-per-hour",
            "100",
            "--handle-s",
            "300",
            "--agents",
            "4000000000",
        ],
        d.path(),
    );
    refused(&r, &["--agents", "100000"], "--agents 4e9");
    // Absurd but valid numbers finish (within TIME_LIMIT) and print compact numbers.
    for args in [
        ["1e300", "1e300", "1"],
        ["1e6", "300", "1e12"],
        ["3.59e8", "1", "1e300"],
    ] {
        let r = kefu(
            &[
                "erlang",
                "--rate-per-hour",
                args[0],
                "--handle-s",
                args[1],
                "--patience-s",
                args[2],
            ],
            d.path(),
        );
        clean(&r, &format!("{args:?}"));
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        let longest_digit_run = r
            .stdout
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_digit_run < 20, "{args:?}: {}", r.stdout);
    }
}

#[test]
fn names_are_escaped_in_markdown_and_refused_with_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let name = "<script>alert(1)</script> | `x` [a](http://e)";
    std::fs::write(d.join("a.toml"), scenario(name, "agents = 2")).unwrap();
    std::fs::write(d.join("b.toml"), scenario(name, "agents = 3")).unwrap();
    let r = kefu(
        &["compare", "a.toml", "b.toml", "--out", "cmp", "--quiet"],
        d,
    );
    clean(&r, "compare");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = kefu(
        &[
            "sweep",
            "a.toml",
            "--set",
            "pools[0].agents=2,3",
            "--out",
            "sw",
            "--quiet",
        ],
        d,
    );
    clean(&r, "sweep");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for md in ["cmp/compare.md", "sw/sweep.md"] {
        let text = std::fs::read_to_string(d.join(md)).unwrap();
        assert!(!text.contains("<script>"), "{md}: {text}");
        assert!(!text.contains("](http"), "{md}: a link was written: {text}");
        let heading = text.lines().next().unwrap();
        assert!(
            heading.contains("&lt;script&gt;") && heading.contains("\\|"),
            "{md}: {heading}"
        );
    }
    // A terminal escape or a NUL in a name is refused, with its key and line.
    std::fs::write(
        d.join("esc.toml"),
        scenario("shop \\u001b]0;owned\\u0007", "agents = 2"),
    )
    .unwrap();
    let r = kefu(&["check", "esc.toml"], d);
    refused(&r, &["esc.toml:1: name", "U+001B"], "escape in the name");
}

#[test]
fn calibrate_never_prints_or_writes_control_characters_from_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let seed =
        std::fs::read_to_string(repo().join("fuzz/seeds/records_csv/trace-1day.csv")).unwrap();
    // A few rows with a category holding an OSC title sequence: skipped, not obeyed.
    let mut rows: Vec<String> = seed.lines().map(str::to_string).collect();
    rows[2] = rows[2].replace(",orders,", ",\u{1b}]0;owned\u{7},");
    std::fs::write(d.join("r.csv"), rows.join("\n")).unwrap();
    let r = kefu(
        &[
            "calibrate",
            "r.csv",
            "--out",
            "cal.toml",
            "--max-bad-share",
            "0.5",
        ],
        d,
    );
    clean(&r, "calibrate");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("control character"), "{}", r.stdout);
    let r = kefu(&["check", "cal.toml"], d);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // A --name with a control character gives a scenario kefu refuses: nothing is written.
    let r = kefu(
        &[
            "calibrate",
            "r.csv",
            "--out",
            "cal2.toml",
            "--max-bad-share",
            "0.5",
            "--name",
            "x\u{1b}[2J",
        ],
        d,
    );
    refused(&r, &["r.csv", "U+001B"], "--name with ESC");
    assert!(!d.join("cal2.toml").exists());
}

#[test]
fn calibrate_on_zero_and_nearly_equal_handle_times_is_prompt() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // 200 chats served in 0 or 1 ms: a gamma fit of shape ~1e10 took 47 s in statrs.
    let mut text = String::from(
        "replication,contact_id,visit,arrival,category,queued_at,service_start,end,abandoned,pool\n",
    );
    for i in 0..200 {
        let t = format!("2026-01-05T{:02}:{:02}:{:02}.000", i % 24, i % 60, i % 60);
        let end = if i % 3 == 0 {
            t.replace(".000", ".001")
        } else {
            t.clone()
        };
        text.push_str(&format!("0,{i},0,{t},orders,{t},{t},{end},0,p\n"));
    }
    std::fs::write(d.join("r.csv"), text).unwrap();
    let started = Instant::now();
    let r = kefu(&["calibrate", "r.csv", "--out", "cal.toml", "--quiet"], d);
    clean(&r, "zero handle times");
    assert!(matches!(r.code, Some(0 | 2)), "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    if r.code == Some(0) {
        let r = kefu(&["check", "cal.toml"], d);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
    }
}

#[test]
fn check_refuses_what_run_refuses() {
    let r = kefu(&["check", "tests/bad/63-too-many-intervals.toml"], &repo());
    refused(
        &r,
        &["63-too-many-intervals.toml:4: run", "at most 500000"],
        "5 million intervals",
    );
    let r = kefu(&["check", "tests/bad/62-too-many-categories.toml"], &repo());
    refused(&r, &["categories", "at most 1000"], "1001 categories");
}
