//! The capacity planner behind `kefu plan`: offered load per interval ([`load`]), the
//! period-by-period Erlang requirements ([`sipp`]), the simulation-based iterative
//! requirement ([`iterate`]), shifts that cover it ([`shifts`]), and a verification of every
//! method's staffing by simulation with fresh seeds ([`verify`]); [`output`] writes the files.
//!
//! Requirements are productive agents on duty per pool and interval (`plan.csv`); shrinkage
//! turns them into paid headcount for the roster. Multi-pool scenarios are planned jointly:
//! every planned pool is adjusted in the same iterations, each from the service level of the
//! contacts it serves first (categories whose skill it is the first pool for, in routing
//! order), so overflow between pools is simulated as it will happen. Pools that are first for
//! no skill (pure overflow) and pools listed in `[planning] fixed_pools` keep their scenario
//! staffing. See `docs/planning.md`.

pub mod confidence;
pub mod iterate;
pub mod load;
pub mod method;
pub mod output;
pub mod shifts;
pub mod sipp;
pub mod verify;

use crate::model::{Model, Planning, PoolId, Staffing};
use crate::runner::{self, Hooks, IntervalStore, Job, JobIndex, Outcome, Reps};
use crate::summary::Moments;
use load::{Grid, PoolLoad};
pub use method::PlanMethod;
use sipp::Goal;

/// Command-line overrides and run settings of the planner.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub tuning_replications: Option<u32>,
    pub verify_replications: Option<u32>,
    pub verify_seed: Option<u64>,
    pub threads: Option<usize>,
    /// `--confidence`: plan for the quantile day (overrides `[planning] confidence`).
    pub confidence: Option<f64>,
    /// Told of every simulation step (for a progress bar).
    pub progress: Option<StepObserver>,
}

/// A step of the planner, as it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStep {
    /// Tuning iteration `iteration` (from 1) of at most `max`.
    Tuning { iteration: u32, max: u32 },
    /// Verifying method `done + 1` of `of` on fresh seeds.
    Verifying { done: u32, of: u32 },
}

/// Something told of each [`PlanStep`].
#[derive(Clone)]
pub struct StepObserver(pub std::sync::Arc<dyn Fn(PlanStep) + Send + Sync>);

impl std::fmt::Debug for StepObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StepObserver")
    }
}

/// What the stages share.
pub struct PlanContext {
    pub grid: Grid,
    pub planning: Planning,
    /// Loads of the planned pools (in scenario order).
    pub pools: Vec<PoolLoad>,
    pub goals: Vec<Goal>,
    pub target: f64,
    pub tuning_seed: u64,
    pub threads: Option<usize>,
    pub progress: Option<StepObserver>,
}

impl PlanContext {
    /// Tells the observer, if any, that `step` starts; stops the plan on Ctrl-C.
    pub fn step(&self, step: PlanStep) -> Result<(), crate::interrupt::Interrupted> {
        crate::interrupt::check()?;
        if let Some(p) = &self.progress {
            (p.0)(step);
        }
        Ok(())
    }

    /// The service level interval goal given its mean offered contacts per replication:
    /// small intervals get the stated tolerance, others the target (+ margin while tuning).
    pub fn interval_goal(&self, offered_per_rep: f64, with_margin: bool) -> f64 {
        let rule = self.rule();
        if with_margin && offered_per_rep >= rule.small_interval_contacts {
            self.target + self.planning.margin
        } else {
            rule.goal(offered_per_rep)
        }
    }

    /// The verdict rule the plan is judged by (the one of run and compare).
    pub fn rule(&self) -> crate::verdict::Rule {
        crate::verdict::Rule::new(self.target, &self.planning)
    }

    /// `base` with the planned pools staffed per grid interval (`staffing[k]` for the k-th
    /// planned pool) and, unless kept, no on-call surge.
    pub fn staffed_model(&self, base: &Model, staffing: &[Vec<u32>]) -> Model {
        let mut m = base.clone();
        for (pl, s) in self.pools.iter().zip(staffing) {
            m.pools[pl.pool].staffing = table(&self.grid, s);
        }
        if !self.planning.keep_surge {
            m.surges.clear();
        }
        m
    }

    /// Productive agent-hours of the planned pools over the counted horizon.
    pub fn agent_hours(&self, staffing: &[Vec<u32>]) -> f64 {
        let g = &self.grid;
        staffing
            .iter()
            .map(|s| {
                (g.counted_offset..g.len)
                    .map(|i| s[i] as f64 * g.length(i) / 3600.0)
                    .sum::<f64>()
            })
            .sum()
    }
}

/// Standard error of the mean of a [`Moments`] (0 with fewer than two values).
pub fn std_error(m: &Moments) -> f64 {
    if m.n < 2 {
        return 0.0;
    }
    let n = m.n as f64;
    (((m.sum_sq - m.sum * m.sum / n) / (n - 1.0)).max(0.0) / n).sqrt()
}

/// A per-interval headcount as a staffing table on the grid.
pub fn table(grid: &Grid, agents: &[u32]) -> Staffing {
    Staffing::Table {
        rows: (0..grid.len).map(|i| (grid.start(i), agents[i])).collect(),
        step_s: grid.step_s,
    }
}

/// Per planned pool and counted interval: the service level over replications (each
/// replication's within/offered of the pool's categories) and the mean offered.
#[derive(Debug, Clone)]
pub struct Measured {
    pub sl: Vec<Vec<Moments>>,
    pub offered: Vec<Vec<f64>>,
}

/// Simulates `model` (`reps` replications, `seed`) and measures each planned pool.
pub fn measure(
    ctx: &PlanContext,
    model: &Model,
    reps: u32,
    seed: u64,
) -> anyhow::Result<(Measured, Outcome)> {
    let n = model.run.interval_count();
    let np = ctx.pools.len();
    let mut sl = vec![vec![Moments::default(); n]; np];
    let mut offered = vec![vec![0.0; n]; np];
    let mut job = Job::single(model, seed, Reps::Fixed(reps));
    job.threads = ctx.threads;
    job.intervals = IntervalStore::Memory;
    let mut each = |_: JobIndex, st: &crate::stats::RepStats| {
        let k = st.classes();
        for (p, pl) in ctx.pools.iter().enumerate() {
            for j in 0..n {
                let (mut off, mut within) = (0u64, 0u64);
                for &c in &pl.categories {
                    let ci = &st.class_intervals[j * k + c];
                    off += ci.offered as u64;
                    within += ci.answered_within_target as u64;
                }
                offered[p][j] += off as f64;
                sl[p][j].add((off > 0).then(|| within as f64 / off as f64));
            }
        }
    };
    let hooks = Hooks {
        trace: None,
        each: Some(&mut each),
    };
    let outcome = runner::run(&job, hooks)?;
    for v in offered.iter_mut().flatten() {
        *v /= reps.max(1) as f64;
    }
    Ok((Measured { sl, offered }, outcome))
}

/// One pool's plan by every method.
#[derive(Debug, Clone)]
pub struct PoolPlan {
    pub pool: PoolId,
    pub name: String,
    pub load: PoolLoad,
    pub sipp_erlang_c: Vec<u32>,
    pub sipp_erlang_a: Vec<u32>,
    /// The simulation-based requirement (productive agents).
    pub simulated: Vec<u32>,
    pub shrinkage: Vec<f64>,
    /// Paid agents needed: simulated / (1 − shrinkage), rounded up.
    pub paid_required: Vec<u32>,
    pub roster: shifts::Roster,
    /// Productive agents on duty from the roster: what `plan.csv` holds.
    pub planned: Vec<u32>,
}

/// Everything the planner found.
pub struct PlanResult {
    pub grid: Grid,
    pub target: f64,
    pub answer_within_s: f64,
    pub planning: Planning,
    pub pools: Vec<PoolPlan>,
    /// Pools held at their scenario staffing, and why.
    pub fixed: Vec<(PoolId, &'static str)>,
    pub iteration: iterate::Iterated,
    pub tuning_seed: u64,
    pub tuning_replications: u32,
    pub checks: Vec<verify::MethodCheck>,
    pub verification: verify::Verification,
    /// With a confidence: the plans at 50/80/95% (and the one asked for), verified.
    pub confidence: Option<confidence::ConfidenceReport>,
    pub wall_s: f64,
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The `[planning]` settings or the seeds cannot give a plan (the input's fault).
    #[error("{0}")]
    Settings(String),
    /// Stopped by Ctrl-C or SIGTERM.
    #[error(transparent)]
    Interrupted(#[from] crate::interrupt::Interrupted),
    /// The simulations or the shift LP failed.
    #[error("{0:#}")]
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for PlanError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<crate::interrupt::Interrupted>() {
            Ok(i) => PlanError::Interrupted(i),
            Err(e) => match e.downcast::<runner::RunError>() {
                Ok(runner::RunError::Interrupted(i)) => PlanError::Interrupted(i),
                Ok(runner::RunError::Limit(l)) => PlanError::Settings(l.to_string()),
                Ok(other) => PlanError::Failed(other.into()),
                Err(e) => PlanError::Failed(e),
            },
        }
    }
}

/// Fails with [`PlanError::Settings`] unless the condition holds.
macro_rules! ensure_settings {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(PlanError::Settings(format!($($msg)+)));
        }
    };
}

impl PlanResult {
    /// What `method`'s staffing achieved when re-simulated.
    pub fn check(&self, method: PlanMethod) -> Option<&verify::MethodCheck> {
        self.checks.iter().find(|c| c.method == method)
    }
}

/// Validates the planning settings against the model.
fn check_planning(m: &Model, p: &Planning) -> Result<(), PlanError> {
    ensure_settings!(
        p.tuning_replications >= 2,
        "[planning] tuning_replications must be at least 2"
    );
    ensure_settings!(
        (0.0..0.5).contains(&p.margin),
        "[planning] margin must be in [0, 0.5)"
    );
    ensure_settings!(
        (0.0..=5.0).contains(&p.confidence_z),
        "[planning] confidence_z must be in [0, 5]"
    );
    for (pool, h) in p.shrinkage.iter().enumerate() {
        ensure_settings!(
            h.iter().all(|s| (0.0..1.0).contains(s)),
            "[planning] shrinkage of pool {} must be in [0, 1)",
            m.pools.get(pool).map_or("?", |p| &p.name)
        );
    }
    if let Some(o) = p.max_occupancy {
        ensure_settings!(
            o > 0.0 && o <= 1.0,
            "[planning] max_occupancy must be in (0, 1]"
        );
    }
    for s in &p.shifts {
        ensure_settings!(
            s.length_s >= m.run.interval_s && s.start_step_s > 0.0 && s.break_s < s.length_s,
            "[planning] shift {}: length must be at least one interval, start step > 0, break shorter than the shift",
            s.name
        );
    }
    Ok(())
}

/// Plans `model`: requirements by the three methods, shifts, and the verification; with a
/// confidence (`opts` or `[planning]`), for the quantile day ([`confidence`]).
pub fn plan(model: &Model, opts: &PlanOptions) -> Result<PlanResult, PlanError> {
    let asked = opts
        .confidence
        .or(model.planning.as_ref().and_then(|p| p.confidence));
    match asked {
        Some(q) => confidence::plan_with_confidence(model, opts, q),
        None => plan_once(model, model, opts),
    }
}

/// Plans `model` (the load the staffing is tuned for) and verifies it on `verified` (the
/// same scenario, possibly with its random day busyness).
fn plan_once(model: &Model, verified: &Model, opts: &PlanOptions) -> Result<PlanResult, PlanError> {
    let t0 = std::time::Instant::now();
    let mut planning = model.planning.clone().unwrap_or_default();
    if let Some(r) = opts.tuning_replications {
        planning.tuning_replications = r;
    }
    check_planning(model, &planning)?;
    let grid = Grid::of(model);
    let loads = load::pool_loads(model, &grid);
    let mut fixed = Vec::new();
    let mut planned_loads = Vec::new();
    for l in loads {
        if planning.fixed_pools.contains(&l.pool) {
            fixed.push((l.pool, "listed in [planning] fixed_pools"));
        } else if l.categories.is_empty() {
            fixed.push((
                l.pool,
                "first in routing order for no skill (overflow only)",
            ));
        } else {
            planned_loads.push(l);
        }
    }
    ensure_settings!(
        !planned_loads.is_empty(),
        "no pool to plan: every pool is fixed or serves no contacts first"
    );
    let goals: Vec<Goal> = planned_loads
        .iter()
        .map(|l| Goal {
            answer_within_s: model.target.answer_within_s,
            service_level: model.target.service_level,
            concurrency: model.pools[l.pool].concurrency.max(1),
            min_agents: planning.min_agents,
            max_occupancy: planning.max_occupancy,
        })
        .collect();
    let ctx = PlanContext {
        grid,
        planning: planning.clone(),
        pools: planned_loads,
        goals,
        target: model.target.service_level,
        tuning_seed: model.run.seed,
        threads: opts.threads,
        progress: opts.progress.clone(),
    };

    // Period-by-period requirements.
    let by = |f: fn(&load::IntervalLoad, &Goal) -> u32| -> Vec<Vec<u32>> {
        ctx.pools
            .iter()
            .zip(&ctx.goals)
            .map(|(pl, g)| pl.intervals.iter().map(|l| f(l, g)).collect())
            .collect()
    };
    let sipp_c = by(sipp::erlang_c);
    let sipp_a = by(sipp::erlang_a);

    // Simulation-based requirement, from the Erlang A estimate.
    let iteration = iterate::iterate(&ctx, model, sipp_a.clone())?;

    // Shifts on paid headcount.
    let cal = &model.run.calendar;
    let mut pools = Vec::new();
    for (k, pl) in ctx.pools.iter().enumerate() {
        let simulated = iteration.staffing[k].clone();
        let shrinkage: Vec<f64> = (0..grid.len)
            .map(|i| planning.shrinkage_at(pl.pool, cal.hour_of_day(grid.start(i) + 1.0)))
            .collect();
        let paid_required: Vec<u32> = simulated
            .iter()
            .zip(&shrinkage)
            .map(|(&r, &s)| (r as f64 / (1.0 - s) - 1e-9).ceil().max(0.0) as u32)
            .collect();
        let roster = if planning.shifts.is_empty() {
            shifts::Roster {
                candidates: Vec::new(),
                counts: Vec::new(),
                on_duty: paid_required.clone(),
                paid_hours: paid_required
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| n as f64 * grid.length(i) / 3600.0)
                    .sum(),
                objective: 0.0,
                lp_bound: 0.0,
                gap: 0.0,
                method: "no shift types: paid requirement per interval",
            }
        } else {
            shifts::roster(&grid, cal, &planning.shifts, &paid_required)?
        };
        let planned: Vec<u32> = roster
            .on_duty
            .iter()
            .zip(&shrinkage)
            .map(|(&n, &s)| (n as f64 * (1.0 - s) + 1e-9).floor() as u32)
            .collect();
        pools.push(PoolPlan {
            pool: pl.pool,
            name: model.pools[pl.pool].name.clone(),
            load: pl.clone(),
            sipp_erlang_c: sipp_c[k].clone(),
            sipp_erlang_a: sipp_a[k].clone(),
            simulated,
            shrinkage,
            paid_required,
            roster,
            planned,
        });
    }

    // Verification with fresh seeds.
    let verify_seed = opts.verify_seed.or(planning.verify_seed).unwrap_or(
        model
            .run
            .seed
            .wrapping_add(crate::model::planning::VERIFY_SEED_OFFSET),
    );
    ensure_settings!(
        verify_seed != ctx.tuning_seed,
        "the verification seed must differ from the tuning seed"
    );
    let verify_reps = opts
        .verify_replications
        .or(planning.verify_replications)
        .unwrap_or(model.run.replications)
        .max(2);
    let (checks, verification) = verify::verify(&ctx, verified, &pools, verify_seed, verify_reps)?;
    Ok(PlanResult {
        grid,
        target: model.target.service_level,
        answer_within_s: model.target.answer_within_s,
        tuning_replications: planning.tuning_replications,
        planning,
        pools,
        fixed,
        iteration,
        tuning_seed: ctx.tuning_seed,
        checks,
        verification,
        confidence: None,
        wall_s: t0.elapsed().as_secs_f64(),
    })
}
