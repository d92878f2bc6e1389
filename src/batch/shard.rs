//! Shards: which shops a shard runs (by estimated cost, longest first), and `--shard auto`:
//! the shard's index and count read from the scheduler's environment (Slurm job arrays,
//! Kubernetes Indexed Jobs, AWS Batch array jobs, SGE/UGE task arrays), and the line that
//! resubmits missing shards to the same scheduler.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most shards a batch may be split into.
pub const MAX_SHARDS: usize = 10_000;

/// Assigns items of the given costs to `count` shards: the costliest first, each to the
/// shard with the least cost so far (ties: the lower shard index; equal costs: the earlier
/// item). A pure function of the costs and the count.
pub fn assign(costs: &[f64], count: usize) -> Vec<usize> {
    let count = count.max(1);
    let mut order: Vec<usize> = (0..costs.len()).collect();
    // NaN costs (never produced by validated models) sort as zero.
    let cost = |i: usize| if costs[i].is_nan() { 0.0 } else { costs[i] };
    order.sort_by(|&a, &b| cost(b).total_cmp(&cost(a)).then(a.cmp(&b)));
    let mut load = vec![0.0_f64; count];
    let mut out = vec![0; costs.len()];
    for i in order {
        let (k, _) = load
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(&b.0)))
            .expect("at least one shard");
        load[k] += cost(i);
        out[i] = k;
    }
    out
}

/// The scheduler a shard ran under (it decides the resubmit line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheduler {
    /// `--shard K/N` typed by hand.
    Manual,
    Slurm,
    Kubernetes,
    AwsBatch,
    Sge,
}

/// A shard's place: index and count, and how the scheduler numbers its tasks
/// (task id = `first + index × step`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardPlace {
    pub index: usize,
    pub count: usize,
    pub scheduler: Scheduler,
    pub first_task: u64,
    pub task_step: u64,
    /// The scheduler's job name (Slurm: the script's name unless `--job-name`), for the
    /// resubmit line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    /// The command line that ran the shard, its `--shard` value as `{K}` (for rerunning a
    /// shard by hand).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
}

/// Why `--shard` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("--shard {0}: expected K/N with 0 ≤ K < N (e.g. 0/4) or `auto`")]
    Syntax(String),
    #[error("--shard auto: no scheduler's array index is set (looked for SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, SGE_TASK_ID); run inside a job array or give --shard K/N")]
    NoScheduler,
    #[error("--shard auto: {var} is set ({value}) but the shard count is not known: pass --shard-count N")]
    NoCount { var: &'static str, value: String },
    #[error("--shard auto: {var} = `{value}` is not a whole number")]
    BadVariable { var: &'static str, value: String },
    #[error("--shard auto: {0}")]
    Inconsistent(String),
    #[error("--shard-count {0}: must be 1..={MAX_SHARDS}")]
    BadCount(usize),
}

/// Parses `--shard K/N`, or `auto` from the environment `env` (a lookup, so tests need not
/// touch the process's environment); `count` is `--shard-count`.
pub fn resolve(
    arg: &str,
    count: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ShardPlace, ShardError> {
    if let Some(c) = count {
        if !(1..=MAX_SHARDS).contains(&c) {
            return Err(ShardError::BadCount(c));
        }
    }
    let place = if arg.trim().eq_ignore_ascii_case("auto") {
        from_env(count, env)?
    } else {
        let bad = || ShardError::Syntax(arg.to_string());
        let (k, n) = arg.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if count.is_some_and(|c| c != n) {
            return Err(ShardError::Inconsistent(format!(
                "--shard {arg} and --shard-count {} disagree",
                count.unwrap_or(0)
            )));
        }
        ShardPlace {
            index: k,
            count: n,
            scheduler: Scheduler::Manual,
            first_task: 0,
            task_step: 1,
            job_name: None,
            command: Vec::new(),
        }
    };
    if place.count == 0 || place.count > MAX_SHARDS || place.index >= place.count {
        return Err(ShardError::Inconsistent(format!(
            "shard {} of {} is not a share (0 ≤ index < count ≤ {MAX_SHARDS})",
            place.index, place.count
        )));
    }
    Ok(place)
}

fn number(
    env: &dyn Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<u64>, ShardError> {
    match env(var) {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| ShardError::BadVariable { var, value: v }),
    }
}

fn from_env(
    count: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ShardPlace, ShardError> {
    let place = |index: u64, n: usize, scheduler, first_task, task_step, job_name| ShardPlace {
        index: index as usize,
        count: n,
        scheduler,
        first_task,
        task_step,
        job_name,
        command: Vec::new(),
    };
    if let Some(id) = number(env, "SLURM_ARRAY_TASK_ID")? {
        let min = number(env, "SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = number(env, "SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let n = match (
            number(env, "SLURM_ARRAY_TASK_COUNT")?,
            number(env, "SLURM_ARRAY_TASK_MAX")?,
        ) {
            (Some(c), _) => c as usize,
            (None, Some(max)) if max >= min => ((max - min) / step + 1) as usize,
            _ => count.ok_or(ShardError::NoCount {
                var: "SLURM_ARRAY_TASK_ID",
                value: id.to_string(),
            })?,
        };
        if id < min || !(id - min).is_multiple_of(step) {
            return Err(ShardError::Inconsistent(format!(
                "SLURM_ARRAY_TASK_ID {id} is not min {min} + a multiple of step {step}"
            )));
        }
        let n = count.unwrap_or(n);
        return Ok(place(
            (id - min) / step,
            n,
            Scheduler::Slurm,
            min,
            step,
            env("SLURM_JOB_NAME"),
        ));
    }
    if let Some(i) = number(env, "JOB_COMPLETION_INDEX")? {
        let n = count.ok_or(ShardError::NoCount {
            var: "JOB_COMPLETION_INDEX",
            value: i.to_string(),
        })?;
        return Ok(place(i, n, Scheduler::Kubernetes, 0, 1, None));
    }
    if let Some(i) = number(env, "AWS_BATCH_JOB_ARRAY_INDEX")? {
        let n = count.ok_or(ShardError::NoCount {
            var: "AWS_BATCH_JOB_ARRAY_INDEX",
            value: i.to_string(),
        })?;
        return Ok(place(i, n, Scheduler::AwsBatch, 0, 1, None));
    }
    // SGE sets SGE_TASK_ID to `undefined` outside an array job.
    if let Some(v) = env("SGE_TASK_ID").filter(|v| v.trim() != "undefined") {
        let id: u64 = v.trim().parse().map_err(|_| ShardError::BadVariable {
            var: "SGE_TASK_ID",
            value: v.clone(),
        })?;
        let first = number(env, "SGE_TASK_FIRST")?.unwrap_or(1);
        let step = number(env, "SGE_TASK_STEPSIZE")?.unwrap_or(1).max(1);
        let n = match number(env, "SGE_TASK_LAST")? {
            Some(last) if last >= first => ((last - first) / step + 1) as usize,
            _ => count.ok_or(ShardError::NoCount {
                var: "SGE_TASK_ID",
                value: v,
            })?,
        };
        if id < first || !(id - first).is_multiple_of(step) {
            return Err(ShardError::Inconsistent(format!(
                "SGE_TASK_ID {id} is not SGE_TASK_FIRST {first} + a multiple of SGE_TASK_STEPSIZE {step}"
            )));
        }
        let n = count.unwrap_or(n);
        return Ok(place(
            (id - first) / step,
            n,
            Scheduler::Sge,
            first,
            step,
            env("JOB_NAME"),
        ));
    }
    Err(ShardError::NoScheduler)
}

/// The command line(s) that rerun the shards `missing` under the scheduler of `place`;
/// `rerun` is the `kefu batch …` command for a hand-run shard (`{K}` is replaced).
pub fn resubmit_lines(place: &ShardPlace, missing: &[usize], rerun: &str) -> Vec<String> {
    let task = |k: usize| place.first_task + k as u64 * place.task_step;
    let ids: Vec<String> = missing.iter().map(|&k| task(k).to_string()).collect();
    let script = place.job_name.as_deref().unwrap_or("JOB_SCRIPT");
    match place.scheduler {
        Scheduler::Slurm => vec![format!("sbatch --array={} {script}", ids.join(","))],
        Scheduler::Sge => ids
            .iter()
            .map(|id| format!("qsub -t {id} {script}"))
            .collect(),
        Scheduler::Manual | Scheduler::Kubernetes | Scheduler::AwsBatch => {
            let line = if place.command.is_empty() {
                rerun.to_string()
            } else {
                place.command.join(" ")
            };
            missing
                .iter()
                .map(|&k| line.replace("{K}", &format!("{k}/{}", place.count)))
                .collect()
        }
    }
}

impl fmt::Display for ShardPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn longest_first_balances_cost_not_rows() {
        // One big shop and four small ones: the big one alone, the small ones together.
        let a = assign(&[1.0, 1.0, 10.0, 1.0, 1.0], 2);
        assert_eq!(a, vec![1, 1, 0, 1, 1]);
        // Pure: the same costs give the same assignment.
        assert_eq!(a, assign(&[1.0, 1.0, 10.0, 1.0, 1.0], 2));
    }

    #[test]
    fn reads_each_scheduler() {
        let slurm = env_of(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_JOB_NAME", "mall.sbatch"),
        ]);
        let p = resolve("auto", None, &slurm).unwrap();
        assert_eq!((p.index, p.count, p.scheduler), (2, 4, Scheduler::Slurm));
        assert_eq!(
            resubmit_lines(&p, &[0, 3], "x"),
            vec!["sbatch --array=1,4 mall.sbatch".to_string()]
        );
        let k8s = env_of(&[("JOB_COMPLETION_INDEX", "5")]);
        assert!(matches!(
            resolve("auto", None, &k8s),
            Err(ShardError::NoCount { .. })
        ));
        assert_eq!(resolve("auto", Some(8), &k8s).unwrap().index, 5);
        let aws = env_of(&[("AWS_BATCH_JOB_ARRAY_INDEX", "0")]);
        assert_eq!(
            resolve("auto", Some(2), &aws).unwrap().scheduler,
            Scheduler::AwsBatch
        );
        let sge = env_of(&[
            ("SGE_TASK_ID", "5"),
            ("SGE_TASK_FIRST", "1"),
            ("SGE_TASK_LAST", "7"),
            ("SGE_TASK_STEPSIZE", "2"),
        ]);
        let p = resolve("auto", None, &sge).unwrap();
        assert_eq!((p.index, p.count), (2, 4));
        let none = env_of(&[("SGE_TASK_ID", "undefined")]);
        assert_eq!(resolve("auto", None, &none), Err(ShardError::NoScheduler));
        assert!(resolve("4/4", None, &none).is_err());
        assert_eq!(resolve("1/4", None, &none).unwrap().index, 1);
    }
}
