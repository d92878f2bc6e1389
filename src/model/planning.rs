//! `[planning]`: how `kefu plan` turns a scenario into a staffing plan (see `docs/planning.md`).
//! Everything has a default, so a scenario without the section can still be planned.

use super::time::HOUR_S;
use super::PoolId;

/// The planner's settings, validated.
#[derive(Debug, Clone)]
pub struct Planning {
    /// Replications per iteration of the simulation-based staffing (common random numbers).
    pub tuning_replications: u32,
    /// Replications of the final verification; `None`: the scenario's `[run] replications`.
    pub verify_replications: Option<u32>,
    /// Seed of the verification; `None`: the scenario seed + [`VERIFY_SEED_OFFSET`]. It must
    /// differ from the tuning seed (the scenario's `[run] seed`).
    pub verify_seed: Option<u64>,
    /// Cap on the iterations of the simulation-based staffing.
    pub max_iterations: u32,
    /// The iteration aims at `service_level + margin` per interval (guards against the noise
    /// of fresh seeds; 0 aims at the target itself).
    pub margin: f64,
    /// While tuning, an interval passes when its mean service level minus `confidence_z`
    /// standard errors (over the tuning replications) reaches the goal: the plan is fitted to
    /// a few replications and must hold on fresh ones.
    pub confidence_z: f64,
    /// `[planning] confidence`: the share of simulated days on which the plan must meet the
    /// target (staffed for the quantile day, see `docs/planning.md`); `None`: the mean day.
    pub confidence: Option<f64>,
    /// An interval whose mean offered contacts per replication are below this is "small".
    pub small_interval_contacts: f64,
    /// A small interval passes at `service_level − small_interval_tolerance` (a handful of
    /// contacts cannot measure 90% well; one late contact of five is 80%).
    pub small_interval_tolerance: f64,
    /// Fewest productive agents on duty in any interval of a planned pool (keeps the
    /// service open overnight; 0 allows closing, when contacts become tickets).
    pub min_agents: u32,
    /// Cap on occupancy: busy chat slots / on-duty chat slots, e.g. 0.85; `None`: no cap.
    pub max_occupancy: Option<f64>,
    /// Shrinkage per pool (index = [`PoolId`]) and hour of day: the share of paid time an agent
    /// is not available for chats (training, absence, short breaks; meal breaks are in the
    /// shift types). Paid headcount = productive / (1 − shrinkage).
    pub shrinkage: Vec<[f64; 24]>,
    /// Pools kept at their scenario staffing (not planned).
    pub fixed_pools: Vec<PoolId>,
    /// Shift types the roster may use.
    pub shifts: Vec<ShiftType>,
    /// Keep the scenario's `[[surge]]` on-call agents while tuning and verifying; default
    /// false: the plan must meet the target on scheduled agents alone.
    pub keep_surge: bool,
}

/// Added to the scenario seed for the verification when no `verify_seed` is given.
pub const VERIFY_SEED_OFFSET: u64 = 1_000_003;

/// A kind of shift: a length, the allowed start times and an optional unpaid meal break.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftType {
    pub name: String,
    /// Shift length `[s]`, break included.
    pub length_s: f64,
    /// Allowed starts: second of day of the earliest and latest start, and the step.
    /// `latest < earliest` wraps past midnight.
    pub earliest_start_s: f64,
    pub latest_start_s: f64,
    pub start_step_s: f64,
    /// Meal break length `[s]` (0: none); unpaid and off duty.
    pub break_s: f64,
    /// The break starts between these offsets from the shift start `[s]`, on the start grid.
    pub break_earliest_s: f64,
    pub break_latest_s: f64,
    /// Cost factor per paid hour relative to `[costs] agent_hour` (e.g. 1.1 for night shifts).
    pub cost_factor: f64,
}

impl ShiftType {
    /// A shift type starting every `step_minutes` all day, without a break.
    pub fn simple(name: &str, hours: f64, step_minutes: f64) -> Self {
        ShiftType {
            name: name.into(),
            length_s: hours * HOUR_S,
            earliest_start_s: 0.0,
            latest_start_s: super::time::DAY_S - step_minutes * 60.0,
            start_step_s: step_minutes * 60.0,
            break_s: 0.0,
            break_earliest_s: 0.0,
            break_latest_s: 0.0,
            cost_factor: 1.0,
        }
    }

    /// Paid seconds of one such shift (the meal break is unpaid).
    pub fn paid_s(&self) -> f64 {
        self.length_s - self.break_s
    }

    /// Whether a shift may start at second of day `sod`.
    pub fn allows_start(&self, sod: f64) -> bool {
        let on_grid = |from: f64| {
            let k = ((sod - from).rem_euclid(super::time::DAY_S)) / self.start_step_s;
            (k - k.round()).abs() < 1e-6
        };
        let (e, l) = (self.earliest_start_s, self.latest_start_s);
        let inside = if l >= e {
            sod >= e - 1e-6 && sod <= l + 1e-6
        } else {
            sod >= e - 1e-6 || sod <= l + 1e-6
        };
        inside && on_grid(e)
    }
}

impl Default for Planning {
    fn default() -> Self {
        let mut eight = ShiftType::simple("8h", 8.0, 30.0);
        eight.break_s = 1800.0;
        eight.break_earliest_s = 3.0 * HOUR_S;
        eight.break_latest_s = 5.0 * HOUR_S;
        Planning {
            tuning_replications: 8,
            verify_replications: None,
            verify_seed: None,
            max_iterations: 25,
            margin: 0.0,
            confidence_z: 2.0,
            confidence: None,
            small_interval_contacts: 20.0,
            small_interval_tolerance: 0.10,
            min_agents: 1,
            max_occupancy: None,
            shrinkage: Vec::new(),
            fixed_pools: Vec::new(),
            shifts: vec![eight, ShiftType::simple("4h", 4.0, 30.0)],
            keep_surge: false,
        }
    }
}

impl Planning {
    /// Shrinkage of `pool` at hour of day `hour` (0 when not given).
    pub fn shrinkage_at(&self, pool: PoolId, hour: usize) -> f64 {
        self.shrinkage.get(pool).map_or(0.0, |h| h[hour % 24])
    }
}
