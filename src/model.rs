//! The validated, immutable description of a scenario. Built only by `scenario::load`
//! (or by tests through the same validation); the engine reads nothing else.
//! Times are simulation seconds since the origin (`start − warmup`), see [`time::Calendar`].

pub mod busyness;
pub mod customers;
pub mod dist;
pub mod planning;
pub mod staffing;
pub mod textbook;
pub mod time;

pub use busyness::{Busyness, Spread, SpreadShape};
pub use customers::Customers;
pub use dist::Dist;
pub use planning::{Planning, ShiftType};
pub use staffing::{Staffing, Window};
pub use time::Calendar;

use time::{DAY_S, HOUR_S};

/// Index into [`Model::skills`].
pub type SkillId = usize;
/// Index into [`Model::pools`].
pub type PoolId = usize;
/// Index into [`Model::categories`].
pub type CategoryId = usize;

/// A whole scenario, validated.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub description: Option<String>,
    pub run: RunSettings,
    pub target: Target,
    pub arrivals: Arrivals,
    pub categories: Vec<Category>,
    /// Skill names; categories and pools refer to them by index.
    pub skills: Vec<String>,
    pub bot: Option<Bot>,
    /// `[bot]` hours, session capacity and the priority of contacts it failed (kept apart
    /// from [`Bot`] so that its plain profile stays a short literal); inert without a bot.
    pub bot_controls: BotControls,
    pub pools: Vec<Pool>,
    pub routing: Routing,
    pub surges: Vec<Surge>,
    pub costs: Option<Costs>,
    pub offline: Offline,
    /// `[queue]` and `[retrials]` (default: every rule off).
    pub customers: Customers,
    /// `[planning]`: settings of `kefu plan`; `None`: the defaults.
    pub planning: Option<Planning>,
}

/// `[run]`: the horizon and the replication plan.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Maps simulation time to dates; time 0 is `start − warmup`.
    pub calendar: Calendar,
    /// Simulation time of `start`, i.e. the warm-up length `[s]`.
    pub counted_from: f64,
    /// Simulation time at which counting stops: `start + days` `[s]`.
    pub counted_to: f64,
    /// Number of independent replications.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// Reporting interval `[s]`.
    pub interval_s: f64,
}

impl RunSettings {
    /// Number of reporting intervals in the counted horizon (the last may be partial).
    pub fn interval_count(&self) -> usize {
        (((self.counted_to - self.counted_from) / self.interval_s) - 1e-9)
            .ceil()
            .max(0.0) as usize
    }

    /// Start of reporting interval `i` (simulation time).
    pub fn interval_start(&self, i: usize) -> f64 {
        self.counted_from + i as f64 * self.interval_s
    }

    /// The counted horizon in days.
    pub fn days(&self) -> f64 {
        (self.counted_to - self.counted_from) / DAY_S
    }
}

/// `[target]`: the promise and the alert threshold.
#[derive(Debug, Clone)]
pub struct Target {
    pub answer_within_s: f64,
    pub service_level: f64,
    /// An alert is raised while more than this many live contacts wait.
    pub queue_alert_waiting: u32,
    pub short_abandon_s: f64,
}

/// `[arrivals]`: a piecewise-constant rate `[contacts/s]`.
#[derive(Debug, Clone)]
pub struct Arrivals {
    pub per_day: f64,
    /// Hourly weights normalised to average 1.
    pub hourly_profile: [f64; 24],
    /// Monday..Sunday factors.
    pub weekday_factors: [f64; 7],
    pub peaks: Vec<Peak>,
    /// Per-interval contact counts that replace `per_day` × profile where they cover.
    pub forecast: Option<Forecast>,
    /// Exact arrival instants (sorted, simulation time) that replace the Poisson process:
    /// for exact-trace tests and replays of recorded days.
    pub replay: Option<Vec<f64>>,
    /// Random day (and interval) factors on the rate; `None`: the rate as forecast.
    pub busyness: Option<Busyness>,
}

/// A promotion peak `[from, to)` in simulation time.
#[derive(Debug, Clone)]
pub struct Peak {
    pub name: String,
    pub from: f64,
    pub to: f64,
    pub multiplier: f64,
    /// Inside the window the bot answers with its `promotion` profile.
    pub promotion_bot: bool,
}

/// Contacts per interval from a forecast file: rate is `contacts / length` on each row's span.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// Sorted, non-overlapping `(from, to, rate per second)` in simulation time.
    pub rows: Vec<(f64, f64, f64)>,
    /// With a `category` column: per row, the cumulative shares of the categories' rates
    /// (model category order, last one exactly 1), or empty for a row whose total is 0.
    /// Empty when the file has no `category` column (the categories' `share`s apply).
    pub mix: Vec<Vec<f64>>,
}

impl Arrivals {
    /// Base rate before peaks at instant `t` `[contacts/s]`.
    fn base_rate(&self, cal: &Calendar, t: f64) -> f64 {
        if let Some(f) = &self.forecast {
            if let Some(row) = f.row_at(t) {
                return row.2;
            }
        }
        self.per_day / DAY_S
            * self.hourly_profile[cal.hour_of_day(t)]
            * self.weekday_factors[cal.weekday(t)]
    }

    /// Arrival rate at instant `t` `[contacts/s]`, peaks included.
    pub fn rate(&self, cal: &Calendar, t: f64) -> f64 {
        let mut r = self.base_rate(cal, t);
        for p in &self.peaks {
            if t >= p.from && t < p.to {
                r *= p.multiplier;
            }
        }
        r
    }

    /// The first instant after `t` at which the rate may change.
    pub fn next_change(&self, cal: &Calendar, t: f64) -> f64 {
        let mut next = cal.midnight_before(t) + (cal.hour_of_day(t) as f64 + 1.0) * HOUR_S;
        if next <= t {
            next = t + HOUR_S; // guards rounding at an hour boundary
        }
        for p in &self.peaks {
            for edge in [p.from, p.to] {
                if edge > t && edge < next {
                    next = edge;
                }
            }
        }
        if let Some(f) = &self.forecast {
            if let Some(edge) = f.next_edge(t) {
                if edge < next {
                    next = edge;
                }
            }
        }
        next
    }

    /// Cumulative per-category rate shares at `t` when a per-category forecast row covers
    /// `t` (and its total is positive); `None` where the categories' static `share`s apply.
    /// Peaks scale the total only, so they leave the mix unchanged.
    pub fn category_mix_at(&self, t: f64) -> Option<&[f64]> {
        let f = self.forecast.as_ref()?;
        let i = f.row_index(t)?;
        f.mix.get(i).map(Vec::as_slice).filter(|m| !m.is_empty())
    }

    /// Whether the bot is in promotion mode at `t`.
    pub fn promotion_at(&self, t: f64) -> bool {
        self.peaks
            .iter()
            .any(|p| p.promotion_bot && t >= p.from && t < p.to)
    }
}

impl Forecast {
    fn row_index(&self, t: f64) -> Option<usize> {
        let i = self.rows.partition_point(|r| r.1 <= t);
        self.rows.get(i).filter(|r| r.0 <= t).map(|_| i)
    }

    fn row_at(&self, t: f64) -> Option<&(f64, f64, f64)> {
        self.row_index(t).map(|i| &self.rows[i])
    }

    fn next_edge(&self, t: f64) -> Option<f64> {
        let i = self.rows.partition_point(|r| r.1 <= t);
        let r = self.rows.get(i)?;
        Some(if r.0 > t { r.0 } else { r.1 })
    }
}

/// A product category: its share of contacts and what its contacts are like.
#[derive(Debug, Clone)]
pub struct Category {
    pub name: String,
    pub share: f64,
    pub complex_share: f64,
    pub vip_share: f64,
    pub skill: SkillId,
    pub handle_time: Dist,
    pub complex_handle_time: Dist,
    /// `None`: never abandons.
    pub patience: Option<Dist>,
    /// Share of abandoning customers who leave without closing the chat.
    pub silent_abandon: f64,
}

/// `[bot]`: the chat bot that meets contacts first.
#[derive(Debug, Clone)]
pub struct Bot {
    pub coverage: f64,
    pub basic: BotProfile,
    pub complex: BotProfile,
    pub promotion: Option<BotProfile>,
    pub false_resolution: f64,
    pub return_after: Option<Dist>,
}

/// `[bot]` controls; the default (all day, no capacity, no boost) is today's bot.
#[derive(Debug, Clone, Default)]
pub struct BotControls {
    /// `hours`: the bot meets contacts arriving in `[from, to)` seconds of the local day
    /// (wrapping midnight when `from > to`); `None`: all day.
    pub hours: Option<(f64, f64)>,
    /// `sessions`: contacts with the bot at once; `None`: no limit.
    pub sessions: Option<u32>,
    /// `when_full`: what a contact does when every session is taken.
    pub when_full: BotFull,
    /// `failed_priority`: a contact the bot failed joins the agents' queue in the priority
    /// (VIP) line.
    pub failed_priority: bool,
}

impl BotControls {
    /// Whether the bot works at second of day `sod`.
    pub fn in_hours(&self, sod: f64) -> bool {
        match self.hours {
            None => true,
            Some((from, to)) if from <= to => sod >= from && sod < to,
            Some((from, to)) => sod >= from || sod < to,
        }
    }
}

/// `[bot] when_full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BotFull {
    /// Wait, first come first served, for a free bot session.
    #[default]
    Wait,
    /// Go straight to the agents.
    Human,
}

/// How the bot responds to one kind of question.
#[derive(Debug, Clone)]
pub struct BotProfile {
    pub response: Dist,
    pub resolve: f64,
}

/// A pool of interchangeable agents.
#[derive(Debug, Clone)]
pub struct Pool {
    pub name: String,
    pub skills: Vec<SkillId>,
    /// Chats one agent holds at once.
    pub concurrency: u32,
    pub concurrency_slowdown: f64,
    pub staffing: Staffing,
    /// Probability that a scheduled agent is absent for a whole day (drawn per agent and
    /// day, apart from planned shrinkage); 0: everyone turns up.
    pub absence: f64,
    /// `handle_factor`: per skill id, the factor on handle time when this pool's agents work
    /// that skill (a specialist 0.75 on its own kind); empty when every factor is 1.
    pub handle_factor: Vec<f64>,
    /// `take`: which waiting class a freed slot of this pool takes.
    pub take: TakeOrder,
}

/// Which waiting contact a freed slot of a pool serving several skills takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TakeOrder {
    /// The one waiting longest across the pool's skills (VIP first when `vip_first`).
    #[default]
    LongestWaiting,
    /// The first of the pool's skills, in its listed order, that has a live contact waiting.
    SkillOrder,
}

impl Pool {
    pub fn serves(&self, skill: SkillId) -> bool {
        self.skills.contains(&skill)
    }
}

/// `[routing]`.
#[derive(Debug, Clone)]
pub struct Routing {
    pub vip_first: bool,
    pub silent_close_s: f64,
    /// `policy`: which free agent an arriving contact goes to.
    pub policy: RoutingPolicy,
    /// `across_pools`: the policy chooses among the free agents of every eligible pool at once
    /// (pool order breaks ties) instead of within the first pool that has a free slot.
    pub across_pools: bool,
    /// `order`: per category id, the pools to try first (in this order); the other pools
    /// serving the category's skill follow in listed order. Empty: listed order for all.
    pub category_pools: Vec<Vec<PoolId>>,
}

/// `[routing] policy`: how an arriving contact's agent is chosen among the free ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoutingPolicy {
    /// The agent with most free slots (today's rule).
    #[default]
    MostFree,
    /// The agent with fewest open chats.
    FewestOpen,
    /// The agent with the highest share of free slots (free / concurrency).
    FreeRatio,
    /// Agents in turn: the next agent after the last one chosen, per pool.
    RoundRobin,
    /// The agent idle (no open chat) the longest; failing one idle, most free slots.
    LongestIdle,
    /// A free agent chosen uniformly at random (the routing stream).
    Random,
}

impl RoutingPolicy {
    /// Every policy with its scenario name, default first.
    pub const ALL: [(RoutingPolicy, &'static str); 6] = [
        (RoutingPolicy::MostFree, "most_free"),
        (RoutingPolicy::FewestOpen, "fewest_open"),
        (RoutingPolicy::FreeRatio, "free_ratio"),
        (RoutingPolicy::RoundRobin, "round_robin"),
        (RoutingPolicy::LongestIdle, "longest_idle"),
        (RoutingPolicy::Random, "random"),
    ];

    /// The scenario name.
    pub fn name(self) -> &'static str {
        RoutingPolicy::ALL
            .iter()
            .find(|(p, _)| *p == self)
            .map_or("most_free", |(_, n)| n)
    }
}

/// `[[surge]]`: on-call agents called in by a long queue alert.
#[derive(Debug, Clone)]
pub struct Surge {
    pub pool: PoolId,
    pub agents: u32,
    pub after_s: f64,
    pub join_delay_s: f64,
    pub release_after_s: f64,
}

/// `[costs]`.
#[derive(Debug, Clone)]
pub struct Costs {
    pub agent_hour: f64,
    pub bot_contact: f64,
    pub currency: String,
}

/// `[offline]`.
#[derive(Debug, Clone)]
pub struct Offline {
    pub tickets: bool,
}

impl Model {
    /// The instant up to which contacts arrive (end of the counted horizon).
    pub fn arrivals_end(&self) -> f64 {
        self.run.counted_to
    }

    /// Whether the scenario models day-to-day uncertainty (busyness, absence, or a plan
    /// confidence): then `summary.json` and the report show the distribution across days.
    /// Without it the outputs stay exactly as they were before these keys existed.
    pub fn reports_days(&self) -> bool {
        self.arrivals.busyness.is_some()
            || self.has_absence()
            || self
                .planning
                .as_ref()
                .is_some_and(|p| p.confidence.is_some())
    }

    /// Whether any pool has `absence` > 0.
    pub fn has_absence(&self) -> bool {
        self.pools.iter().any(|p| p.absence > 0.0)
    }

    /// Expected number of arrivals in the whole simulated span (warm-up included), by
    /// integrating the rate; used to size work and to warn about huge runs.
    pub fn expected_arrivals(&self) -> f64 {
        let cal = &self.run.calendar;
        let (mut t, end) = (0.0, self.arrivals_end());
        let mut total = 0.0;
        while t < end {
            let next = self.arrivals.next_change(cal, t).min(end);
            total += self.arrivals.rate(cal, t) * (next - t);
            t = next;
        }
        total
    }
}
