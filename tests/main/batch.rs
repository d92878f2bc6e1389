//! `kefu batch` end to end: sharded and merged equals unsharded byte for byte, a shop's
//! numbers do not depend on its row or shard, bad rows are all reported with line and column,
//! and `kefu merge` refuses missing, duplicated and foreign shards (or, with `--partial`,
//! writes missing.txt and the resubmit line).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn kefu(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .expect("kefu runs")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (relative path → bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                // kefu's output marker records the command and pid that wrote the folder.
                if rel != ".kefu-output.json" {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    out
}

/// Asserts two folders hold the same files with the same bytes, naming the first difference.
pub fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "the folders hold different files"
    );
    for (k, v) in &ta {
        assert!(
            v == &tb[k],
            "{k} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "kefu failed: {err}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The small example manifest with its template, as arguments.
pub fn example_args() -> (String, String) {
    let r = repo();
    (
        r.join("examples/mall/small.csv").display().to_string(),
        r.join("examples/mall/shop.toml").display().to_string(),
    )
}

fn batch(tmp: &Path, manifest: &str, template: &str, out: &str, extra: &[&str]) -> Output {
    let mut a = vec![
        "batch",
        manifest,
        "--template",
        template,
        "--out",
        out,
        "-q",
    ];
    a.extend_from_slice(extra);
    kefu(&a, tmp)
}

#[test]
fn four_shards_merged_equal_the_unsharded_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, t) = example_args();
    ok(&batch(tmp.path(), &m, &t, "whole", &[]));
    let mut shards = Vec::new();
    for k in 0..4 {
        let dir = format!("s{k}");
        ok(&batch(
            tmp.path(),
            &m,
            &t,
            &dir,
            &["--shard", &format!("{k}/4"), "--threads", "1"],
        ));
        shards.push(dir);
    }
    // Any order of the shard folders.
    shards.reverse();
    let mut a: Vec<&str> = vec!["merge"];
    a.extend(shards.iter().map(String::as_str));
    a.extend(["--out", "merged", "-q"]);
    ok(&kefu(&a, tmp.path()));
    assert_same_tree(&tmp.path().join("whole"), &tmp.path().join("merged"));
    let rollup = std::fs::read_to_string(tmp.path().join("whole/rollup.json")).unwrap();
    assert!(rollup.contains("\"missing_target\""));
}

#[test]
fn a_shops_numbers_do_not_depend_on_its_row() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, t) = example_args();
    let text = std::fs::read_to_string(&m).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reordered = tmp.path().join("reordered.csv");
    std::fs::write(&reordered, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    ok(&batch(tmp.path(), &m, &t, "a", &[]));
    ok(&batch(
        tmp.path(),
        reordered.to_str().unwrap(),
        &t,
        "b",
        &[],
    ));
    let shops = |d: &str| tree(&tmp.path().join(d).join("shops"));
    assert_eq!(shops("a"), shops("b"));
    // Another master seed changes them.
    ok(&batch(tmp.path(), &m, &t, "c", &["--seed", "2"]));
    assert_ne!(shops("a"), shops("c"));
}

#[test]
fn bad_rows_are_all_reported_with_line_and_column_and_nothing_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, t) = example_args();
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        "id,per_day,agents,pools[7].agents\nok,100,2,\nbad/id,lots,2,\nok,100,-3,\nfine,100,2,4\n",
    )
    .unwrap();
    let o = batch(tmp.path(), bad.to_str().unwrap(), &t, "out", &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for at in [
        "line 3, column 1",
        "line 3, column 2",
        "line 4, column 1",
        "line 5, column 4",
    ] {
        assert!(err.contains(at), "no `{at}` in: {err}");
    }
    // The negative headcount is found by the scenario's own validation, on its line.
    assert!(err.contains("line 4"), "{err}");
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn merge_refuses_missing_duplicated_and_foreign_shards_and_partial_says_what_to_resubmit() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, t) = example_args();
    for k in 0..3 {
        ok(&batch(
            tmp.path(),
            &m,
            &t,
            &format!("s{k}"),
            &["--shard", &format!("{k}/3")],
        ));
    }
    ok(&batch(
        tmp.path(),
        &m,
        &t,
        "other",
        &["--shard", "1/3", "--seed", "9"],
    ));
    let merge = |dirs: &[&str], extra: &[&str]| {
        let mut a = vec!["merge"];
        a.extend_from_slice(dirs);
        a.extend_from_slice(extra);
        kefu(&a, tmp.path())
    };
    let refused = |o: Output, needle: &str| {
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "no `{needle}` in: {err}");
    };
    refused(
        merge(&["s0", "s2"], &["--out", "x"]),
        "missing shard(s): 1/3",
    );
    refused(
        merge(&["s0", "s1", "s1", "s2"], &["--out", "x"]),
        "s1: shard 1/3 is given twice",
    );
    refused(
        merge(&["s0", "other", "s2"], &["--out", "x"]),
        "other: a shard of another batch",
    );
    assert!(!tmp.path().join("x").exists());
    let out = ok(&merge(&["s0", "s2"], &["--partial", "--out", "part"]));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("part/missing.txt")).unwrap(),
        "1\n"
    );
    assert!(out.contains("--shard 1/3"), "{out}");
    let rollup = std::fs::read_to_string(tmp.path().join("part/rollup.json")).unwrap();
    assert!(rollup.contains("\"not_run\""), "{rollup}");
}

#[test]
fn shard_auto_reads_a_slurm_array_and_refuses_without_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, t) = example_args();
    let o = batch(tmp.path(), &m, &t, "a", &["--shard", "auto"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SLURM_ARRAY_TASK_ID"));
    let o = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args([
            "batch",
            &m,
            "--template",
            &t,
            "--out",
            "b",
            "-q",
            "--shard",
            "auto",
        ])
        .current_dir(tmp.path())
        .env("SLURM_ARRAY_TASK_ID", "12")
        .env("SLURM_ARRAY_TASK_MIN", "10")
        .env("SLURM_ARRAY_TASK_MAX", "13")
        .output()
        .unwrap();
    ok(&o);
    ok(&batch(tmp.path(), &m, &t, "c", &["--shard", "2/4"]));
    let shops = |d: &str| std::fs::read(tmp.path().join(d).join("shops.csv")).unwrap();
    assert_eq!(shops("b"), shops("c"));
}

#[test]
fn pooling_saves_agent_hours_with_a_paired_ci_and_refuses_bad_pools() {
    let tmp = tempfile::tempdir().unwrap();
    let (m, t) = example_args();
    let pools = repo()
        .join("examples/mall/pools.toml")
        .display()
        .to_string();
    ok(&batch(tmp.path(), &m, &t, "p", &["--pooled", &pools]));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("p/pooling.json")).unwrap())
            .unwrap();
    let total = &j["total"];
    let (saved, ci) = (
        total["saved_agent_hours"]["mean"].as_f64().unwrap(),
        total["saved_agent_hours"]["ci95"].as_f64().unwrap(),
    );
    // Square-root staffing: sharing among shops of one to three agents saves a large share,
    // far more than the paired CI (a zero saving would fail here).
    assert!(saved - ci > 0.0, "saved {saved} ± {ci}");
    let sep = total["separate_agent_hours"]["mean"].as_f64().unwrap();
    let pooled = total["pooled_agent_hours"]["mean"].as_f64().unwrap();
    assert!(
        (sep - pooled - saved).abs() < 1e-9,
        "the saving is the paired difference"
    );
    // The pooled scenario is a valid scenario on its own.
    ok(&kefu(&["check", "p/pooled.toml"], tmp.path()));
    let twice = tmp.path().join("twice.toml");
    std::fs::write(
        &twice,
        "[[pool]]\nname = \"a\"\nshops = [\"toys-01\", \"toys-02\"]\n[[pool]]\nname = \"b\"\ncategories = [\"toys\"]\n",
    )
    .unwrap();
    let o = batch(
        tmp.path(),
        &m,
        &t,
        "q",
        &["--pooled", twice.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is in the pools"));
}

#[test]
fn sweep_shard_auto_is_the_same_shard_as_typed_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let s = repo()
        .join("scenarios/mmc-textbook.toml")
        .display()
        .to_string();
    let common = [
        "sweep",
        &s,
        "--set",
        "pools[0].agents=9..12",
        "--replications",
        "2",
        "-q",
    ];
    let mut by_hand = common.to_vec();
    by_hand.extend(["--shard", "1/2", "--out", "hand"]);
    ok(&kefu(&by_hand, tmp.path()));
    let mut auto = common.to_vec();
    auto.extend(["--shard", "auto", "--shard-count", "2", "--out", "auto"]);
    let o = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(&auto)
        .current_dir(tmp.path())
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("JOB_COMPLETION_INDEX", "1")
        .output()
        .unwrap();
    ok(&o);
    assert_same_tree(&tmp.path().join("hand"), &tmp.path().join("auto"));
}
