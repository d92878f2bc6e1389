//! The sandbox and helpers of the safety tests: a scratch folder with two small scenarios,
//! the binary run in it, snapshots of folders and the leftovers a run must not leave.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The scenario: the M/M/10 textbook queue over one day (6 912 contacts a replication).
pub const BASE: &str = include_str!("../../../scenarios/mmc-textbook.toml");
/// kefu's marker inside every output folder.
pub const MARKER: &str = kefu::outfs::marker::MARKER;
/// A signalled command must have exited by then (the signal thread's grace is 0.75 s; the
/// rest is headroom for a machine shared with compilers).
pub const STOP_WITHIN: Duration = Duration::from_secs(3);
/// No command here runs longer than this unless something hangs.
pub const HANG: Duration = Duration::from_secs(60);

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// A folder with `base.toml` (1 day, 4 replications) and `b.toml` (one agent more).
    pub fn new() -> Self {
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

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
        c.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        c
    }

    pub fn kefu(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("kefu runs")
    }

    pub fn ok(&self, args: &[&str]) -> Output {
        let o = self.kefu(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        o
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kefu starts")
    }

    /// Two shard folders `s0`, `s1` of a sweep, for `merge`.
    pub fn shards(&self) {
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
    pub fn records(&self, reps: &str) {
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

pub const SWEEP_SET: &str = "pools[0].agents=9..11:3";

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file below `dir` (relative path → bytes); a missing `dir` is empty.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    pub fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
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
pub fn leftovers(dir: &Path) -> Vec<String> {
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
pub fn changes(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> String {
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let differ: Vec<&str> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| k.as_str())
        .collect();
    format!("changed: {differ:?}")
}

/// An output folder (or a single file: key "") whose marker lists exactly what it holds.
pub fn assert_complete(snap: &BTreeMap<String, Vec<u8>>, context: &str) {
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
pub fn wait_within(child: &mut Child, limit: Duration, what: &str) -> (ExitStatus, Duration) {
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

pub fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut err).ok();
    }
    err
}

/// A delay in `[0, max)`, different on every call (time-seeded; printed on failure).
pub fn random_delay(max: Duration) -> Duration {
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
pub struct Case {
    pub name: &'static str,
    pub args: fn(&str) -> Vec<String>,
    pub result: &'static str,
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub const CASES: &[Case] = &[
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

pub fn args_of(case: &Case, out: &str) -> Vec<String> {
    (case.args)(out)
}

pub fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
