//! A real scheduler: a 4-task Slurm job array of `kefu batch --shard auto` on the local
//! single-node cluster (`.ci/slurm-up` starts it), merged, equals the unsharded run byte for
//! byte. Skips, saying why, when `sinfo` is not available or no node is up.

use crate::batch::{assert_same_tree, example_args, kefu};
use std::process::Command;

/// Why the cluster cannot be used, if it cannot.
fn cluster_unavailable() -> Option<String> {
    match Command::new("sinfo").args(["-h", "-o", "%T"]).output() {
        Err(e) => Some(format!("`sinfo` is not available ({e}); run .ci/slurm-up")),
        Ok(o) if !o.status.success() => Some(format!(
            "`sinfo` failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(o) => {
            let states = String::from_utf8_lossy(&o.stdout).into_owned();
            let up = states
                .lines()
                .any(|s| ["idle", "mixed", "allocated"].contains(&s.trim()));
            (!up).then(|| format!("no Slurm node is up (sinfo says {:?})", states.trim()))
        }
    }
}

#[test]
fn a_four_task_slurm_array_merges_to_the_unsharded_run() {
    if let Some(why) = cluster_unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (m, t) = example_args();
    let exe = env!("CARGO_BIN_EXE_kefu");
    let script = dir.join("mall.sbatch");
    std::fs::write(
        &script,
        format!(
            "#!/bin/bash\n#SBATCH --array=0-3\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n#SBATCH --output={d}/slurm-%a.out\n\
             exec {exe} batch {m} --template {t} --shard auto --threads 1 -q --out {d}/shard-$SLURM_ARRAY_TASK_ID\n",
            d = dir.display()
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = Command::new("sbatch")
        .args(["--wait", "--chdir"])
        .arg(dir)
        .arg(&script)
        .output()
        .expect("sbatch runs");
    let logs: String = (0..4)
        .map(|k| std::fs::read_to_string(dir.join(format!("slurm-{k}.out"))).unwrap_or_default())
        .collect();
    assert!(
        o.status.success(),
        "sbatch --wait failed: {}\n{logs}",
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!(
        "slurm: {} — 4 array tasks done in {:.1} s",
        String::from_utf8_lossy(&o.stdout).trim(),
        started.elapsed().as_secs_f64()
    );
    let whole = kefu(
        &["batch", &m, "--template", &t, "--out", "whole", "-q"],
        dir,
    );
    assert!(whole.status.success());
    let merged = kefu(
        &[
            "merge", "shard-0", "shard-1", "shard-2", "shard-3", "--out", "merged",
        ],
        dir,
    );
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&merged.stdout));
    // The shards really came from the Slurm array.
    let rec = std::fs::read_to_string(dir.join("shard-2/batch.json")).unwrap();
    assert!(rec.contains("\"scheduler\": \"slurm\""), "{rec}");
    assert_same_tree(&dir.join("whole"), &dir.join("merged"));
}
