//! Speed: the benchmark cases shared by `cargo bench` and `kefu bench`, the bare
//! Kiefer–Wolfowitz loop that is the hardware's floor for an M/M/c queue, and the speed
//! budget that `kefu bench` checks (see `docs/performance.md`).
//!
//! Rates are contacts simulated per second of one core (warm-up included). The cases are timed
//! in interleaved rounds (each round times every case once); the best time of the rounds is
//! the figure checked, with the median beside. Single-thread cases are timed by the thread's
//! CPU clock as well as the wall clock: on a shared machine the CPU clock is what one core
//! delivers.

use crate::engine;
use crate::model::textbook::Textbook;
use crate::model::{Model, RoutingPolicy};
use crate::runner::{self, Hooks, IntervalStore, Job, Reps};
use crate::scenario;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::Path;
use std::time::Instant;

/// The budget: M/M/c+M, c = 200, load 1.0, one thread, full statistics `[contacts/s]`.
pub const BUDGET_MMCM_RATE: f64 = 8.0e6;
/// The budget: the default scenario, 20 replications on 2 threads `[s]`.
pub const BUDGET_DEFAULT_WALL_S: f64 = 1.0;
/// The budget: 2 threads give at least this many times the contacts per second of 1.
pub const BUDGET_PARALLEL_SPEEDUP: f64 = 1.8;
/// The budget: the engine within this factor of the bare floor on the same queue.
pub const BUDGET_FLOOR_RATIO: f64 = 5.0;

/// Mean handle time of the textbook cases `[s]`.
pub const MEAN_SERVICE_S: f64 = 300.0;
/// Mean patience of the abandonment case `[s]`.
pub const MEAN_PATIENCE_S: f64 = 240.0;

/// An M/M/c(+M) model for benchmarks: load `load` on `c` agents with 300 s chats, `days` of
/// counted horizon after a 1 h warm-up, optionally with patience (mean 240 s) and a VIP class.
pub fn textbook(c: u32, load: f64, patience: bool, vip_share: f64, days: f64) -> Model {
    let mut tb = Textbook::new(load * c as f64 / MEAN_SERVICE_S, MEAN_SERVICE_S, c);
    tb.mean_patience_s = patience.then_some(MEAN_PATIENCE_S);
    tb.vip_share = vip_share;
    tb.days = days;
    tb.replications = 1;
    tb.model()
}

/// The built-in default scenario (bot, schedules, tickets, alerts, surge).
pub fn default_scenario() -> Model {
    scenario::load_str(
        scenario::DEFAULT_SCENARIO,
        "default.toml (built in)",
        Path::new("."),
    )
    .expect("the built-in scenario is valid")
    .model
}

/// One engine benchmark case: a model simulated one replication at a time.
pub struct Case {
    pub name: &'static str,
    pub model: Model,
}

/// The engine cases of the benchmark suite (one replication each).
pub fn engine_cases() -> Vec<Case> {
    vec![
        Case {
            name: "M/M/10 load 0.9",
            model: textbook(10, 0.9, false, 0.0, 30.0),
        },
        Case {
            name: "M/M/200 load 0.95",
            model: textbook(200, 0.95, false, 0.0, 2.0),
        },
        Case {
            name: "M/M/200+M load 1.0",
            model: textbook(200, 1.0, true, 0.0, 2.0),
        },
        Case {
            name: "2 classes M/M/50+M 0.97",
            model: textbook(50, 0.97, true, 0.3, 8.0),
        },
        Case {
            name: "default scenario",
            model: default_scenario(),
        },
    ]
}

/// The bare floor: a FIFO M/M/c queue by the Kiefer–Wolfowitz recursion — one heap of agent
/// free times, two exponential draws per customer (by the ziggurat method, as the engine
/// draws them; by inversion, with a logarithm each, the loop is 10–30% slower), no
/// statistics but the sum of waits (returned so the work cannot be optimised away).
pub fn kiefer_wolfowitz(lambda: f64, mean_service_s: f64, servers: u32, customers: u64) -> f64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut exp = |mean: f64| mean * crate::engine::rng::exp1_fast(&mut rng);
    let mut free: BinaryHeap<Reverse<u64>> = (0..servers).map(|_| Reverse(0u64)).collect();
    let (mut t, mut wait_sum) = (0.0f64, 0.0f64);
    for _ in 0..customers {
        t += exp(1.0 / lambda);
        let mut top = free.peek_mut().expect("servers > 0");
        let start = t.max(f64::from_bits(top.0));
        wait_sum += start - t;
        // Non-negative times order like their bit patterns.
        top.0 = (start + exp(mean_service_s)).to_bits();
    }
    wait_sum
}

/// CPU time of the calling thread `[s]` (wall time where the platform has no such clock).
pub fn thread_cpu_s() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: a valid clock id and a valid pointer to a timespec.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        if rc == 0 {
            return Some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9);
        }
    }
    None
}

/// The times of one run of a piece of work, or the best or median over several runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Items (contacts, customers) per run.
    pub items: u64,
    /// Wall time `[s]`.
    pub wall_s: f64,
    /// Thread CPU time `[s]`, when measurable.
    pub cpu_s: Option<f64>,
}

impl Timing {
    /// Items per second of wall time.
    pub fn wall_rate(&self) -> f64 {
        self.items as f64 / self.wall_s.max(1e-12)
    }

    /// Items per second of one core: by the thread's CPU clock when it has one.
    pub fn core_rate(&self) -> f64 {
        self.items as f64 / self.cpu_s.unwrap_or(self.wall_s).max(1e-12)
    }
}

/// Times one run of `work` (returning its item count) on this thread, by the wall clock and
/// the thread's CPU clock.
pub fn time_once(work: impl FnOnce() -> u64) -> Timing {
    let c0 = thread_cpu_s();
    let t0 = Instant::now();
    let items = work();
    let wall_s = t0.elapsed().as_secs_f64();
    let cpu_s = c0.and_then(|c0| thread_cpu_s().map(|c1| c1 - c0));
    Timing {
        items,
        wall_s,
        cpu_s,
    }
}

/// Times one run of the bare floor loop: `customers` customers of an M/M/`servers` queue
/// with arrival rate `lambda` and the benchmarks' mean handle time.
pub fn time_floor(lambda: f64, servers: u32, customers: u64) -> Timing {
    time_once(|| {
        std::hint::black_box(kiefer_wolfowitz(lambda, MEAN_SERVICE_S, servers, customers));
        customers
    })
}

/// Times one run of `replications` replications of `m` on `threads` threads, by the wall
/// clock only (the work runs on other threads).
pub fn time_runner_once(m: &Model, replications: u32, threads: usize) -> Timing {
    let mut job = Job::single(m, m.run.seed, Reps::Fixed(replications));
    job.threads = Some(threads);
    job.intervals = IntervalStore::Files;
    let t0 = Instant::now();
    let out = runner::run(&job, Hooks::default()).expect("the run succeeds");
    Timing {
        items: out.contacts_simulated,
        wall_s: t0.elapsed().as_secs_f64(),
        cpu_s: None,
    }
}

/// The median of `xs` (the mean of the middle two for an even count; NaN when empty).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

/// The timings of one case, one per round.
#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<Timing>);

impl Samples {
    /// The timings in the order they were taken (round by round).
    pub fn per_round(&self) -> &[Timing] {
        &self.0
    }

    /// The least times (wall and CPU each): the run least disturbed by other work, the best
    /// estimate of what one core delivers. The budget is checked on this.
    pub fn best(&self) -> Timing {
        self.summary(|xs| xs.iter().copied().fold(f64::INFINITY, f64::min))
    }

    /// The median times (wall and CPU each): what a typical run of this bench saw.
    pub fn median(&self) -> Timing {
        self.summary(median)
    }

    fn summary(&self, f: impl Fn(&[f64]) -> f64) -> Timing {
        let wall: Vec<f64> = self.0.iter().map(|t| t.wall_s).collect();
        let cpu: Option<Vec<f64>> = self.0.iter().map(|t| t.cpu_s).collect();
        Timing {
            items: self.0.last().map_or(0, |t| t.items),
            wall_s: f(&wall),
            cpu_s: cpu.filter(|c| !c.is_empty()).map(|c| f(&c)),
        }
    }
}

/// Cases timed in interleaved rounds: each round times every case once, in the order they
/// were added. On a shared machine that runs 25–35% slower for a second or so at a time, a
/// block of consecutive repetitions of one case can fall wholly inside a slow stretch;
/// rounds spread each case's samples over the whole bench and time the cases compared with
/// each other (floor and engine, 1 and 2 threads) moments apart.
#[derive(Default)]
pub struct Rounds<'a> {
    cases: Vec<Box<dyn FnMut() -> Timing + 'a>>,
}

impl<'a> Rounds<'a> {
    pub fn new() -> Self {
        Rounds::default()
    }

    /// Adds a case (one timed run per call); returns its index in [`Rounds::run`]'s result.
    pub fn case(&mut self, run: impl FnMut() -> Timing + 'a) -> usize {
        self.cases.push(Box::new(run));
        self.cases.len() - 1
    }

    /// Runs `rounds` rounds (at least 1), calling `progress(round, rounds)` before each;
    /// returns each case's samples, in the order the cases were added.
    pub fn run(mut self, rounds: u32, mut progress: impl FnMut(u32, u32)) -> Vec<Samples> {
        let rounds = rounds.max(1);
        let mut samples = vec![Samples::default(); self.cases.len()];
        for round in 1..=rounds {
            progress(round, rounds);
            for (case, s) in self.cases.iter_mut().zip(&mut samples) {
                s.0.push(case());
            }
        }
        samples
    }
}

/// Contacts simulated by one replication of `m`.
pub fn simulate_once(m: &Model, replication: u64) -> u64 {
    engine::simulate(m, m.run.seed, replication).contacts_simulated
}

/// A textbook queue timed by `kefu bench --queue`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueCase {
    pub servers: u32,
    pub load: f64,
    pub patience: bool,
    /// The routing policy (`kefu bench --policy`): the cost of a non-default one.
    pub policy: RoutingPolicy,
}

impl QueueCase {
    /// Parses `C:LOAD` or `C:LOAD:+M`.
    pub fn parse(s: &str) -> Result<QueueCase, String> {
        let bad = || format!("--queue must look like 200:1.0 or 200:1.0:+M, got {s:?}");
        let parts: Vec<&str> = s.split(':').collect();
        let (servers, load, patience) = match parts.as_slice() {
            [c, l] => (c, l, false),
            [c, l, m] if m.eq_ignore_ascii_case("+M") => (c, l, true),
            _ => return Err(bad()),
        };
        let servers: u32 = servers.parse().map_err(|_| bad())?;
        let load: f64 = load.parse().map_err(|_| bad())?;
        if !((1..=100_000).contains(&servers) && load > 0.0 && load <= 10.0) {
            return Err(bad());
        }
        Ok(QueueCase {
            servers,
            load,
            patience,
            policy: RoutingPolicy::default(),
        })
    }
}

/// Times one replication of `q` with about `customers` contacts, and the bare floor on the
/// same arrival and service rates (no abandonment), on this thread, in `reps` interleaved
/// rounds (engine, then floor; best of each). Returns a JSON line: `{"queue", "contacts",
/// "engine_per_core", "floor_per_core", "floor_ratio"}`.
pub fn time_queue(q: &QueueCase, customers: u64, reps: u32) -> String {
    let lambda = q.load * q.servers as f64 / MEAN_SERVICE_S;
    let days = ((customers as f64 / lambda - 3600.0) / 86_400.0).max(1.0 / 86_400.0);
    let mut m = textbook(q.servers, q.load, q.patience, 0.0, days);
    m.routing.policy = q.policy;
    // The floor serves as many customers as the engine simulated, known once it has run
    // (the engine runs first in every round; its count is the same each time).
    let contacts = std::cell::Cell::new(0u64);
    let mut rounds = Rounds::new();
    let engine = rounds.case(|| {
        let t = time_once(|| simulate_once(&m, 0));
        contacts.set(t.items);
        t
    });
    let floor = rounds.case(|| time_floor(lambda, q.servers, contacts.get()));
    let samples = rounds.run(reps, |_, _| {});
    let (engine, floor) = (samples[engine].best(), samples[floor].best());
    let policy = match q.policy {
        RoutingPolicy::MostFree => String::new(),
        p => format!(", policy {}", p.name()),
    };
    serde_json::json!({
        "queue": format!("M/M/{}{} load {}{policy}", q.servers, if q.patience { "+M" } else { "" }, q.load),
        "contacts": engine.items,
        "engine_per_core": engine.core_rate(),
        "floor_per_core": floor.core_rate(),
        "floor_ratio": floor.core_rate() / engine.core_rate(),
    })
    .to_string()
}

/// One line of `kefu bench`'s table.
#[derive(Debug, Clone)]
pub struct Row {
    pub case: String,
    pub measured: String,
    pub budget: String,
    /// `None`: information only; `Some(ok)`: a budget line.
    pub ok: Option<bool>,
}

/// Options of `kefu bench`.
#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    /// Rounds: each round times every case once; the best and the median are reported.
    pub reps: u32,
    /// Days of counted horizon for the single-replication cases.
    pub days: f64,
}

/// Default rounds of `kefu bench`: enough to outlast the slow stretches of a shared machine.
pub const DEFAULT_REPS: u32 = 30;

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            reps: DEFAULT_REPS,
            days: 5.0,
        }
    }
}

fn rate(r: f64) -> String {
    format!("{:.2} M contacts/s", r / 1e6)
}

/// A rate per core: the best, with the median beside.
fn core_rates(s: &Samples) -> String {
    format!(
        "{} (median {:.2} M)",
        rate(s.best().core_rate()),
        s.median().core_rate() / 1e6
    )
}

/// The median over the rounds of `f(a, b)` on the two cases' samples of the same round.
fn paired_median(a: &Samples, b: &Samples, f: impl Fn(&Timing, &Timing) -> f64) -> f64 {
    let per_round: Vec<f64> = a
        .per_round()
        .iter()
        .zip(b.per_round())
        .map(|(a, b)| f(a, b))
        .collect();
    median(&per_round)
}

/// Runs the budget cases in `o.reps` interleaved rounds and returns the table (the caller
/// prints it and decides the exit).
pub fn run_budget(o: &BenchOptions, mut progress: impl FnMut(&str)) -> Vec<Row> {
    // The floor and the engine on the same queue (M/M/200, load 1.0 for the +M case).
    let c = 200;
    let lambda = c as f64 / MEAN_SERVICE_S;
    let customers = (lambda * (o.days * 86_400.0 + 3600.0)) as u64;
    let mmcm = textbook(200, 1.0, true, 0.0, o.days);
    let info = [
        (
            "M/M/10 load 0.9",
            textbook(10, 0.9, false, 0.0, o.days * 10.0),
        ),
        ("M/M/200 load 0.95", textbook(200, 0.95, false, 0.0, o.days)),
        (
            "2 classes M/M/50+M load 0.97",
            textbook(50, 0.97, true, 0.3, o.days * 4.0),
        ),
    ];
    let d = default_scenario();

    // The cases compared with each other run next to each other in every round.
    let mut rounds = Rounds::new();
    let floor10 = rounds.case(|| time_floor(0.9 * 10.0 / MEAN_SERVICE_S, 10, customers));
    let info_ids: Vec<usize> = info
        .iter()
        .map(|(_, m)| rounds.case(move || time_once(|| simulate_once(m, 0))))
        .collect();
    let floor200 = rounds.case(|| time_floor(lambda, c, customers));
    let engine = rounds.case(|| time_once(|| simulate_once(&mmcm, 0)));
    let one = rounds.case(|| time_runner_once(&d, 20, 1));
    let two = rounds.case(|| time_runner_once(&d, 20, 2));
    let samples = rounds.run(o.reps, |k, n| progress(&format!("round {k} of {n}")));

    let mut rows = vec![
        Row {
            case: "floor: bare M/M/10 loop, 1 thread".into(),
            measured: core_rates(&samples[floor10]),
            budget: "(reference)".into(),
            ok: None,
        },
        Row {
            case: "floor: bare M/M/200 loop, 1 thread".into(),
            measured: core_rates(&samples[floor200]),
            budget: "(reference)".into(),
            ok: None,
        },
    ];
    for ((name, _), id) in info.iter().zip(info_ids) {
        rows.push(Row {
            case: format!("{name}, 1 thread"),
            measured: core_rates(&samples[id]),
            budget: "(information)".into(),
            ok: None,
        });
    }
    let (t, t_median) = (samples[engine].best(), samples[engine].median());
    rows.push(Row {
        case: "M/M/200+M load 1.0, 1 thread".into(),
        measured: format!(
            "{} (median {:.2} M; wall {:.2} M/s)",
            rate(t.core_rate()),
            t_median.core_rate() / 1e6,
            t.wall_rate() / 1e6
        ),
        budget: format!("≥ {:.0} M contacts/s", BUDGET_MMCM_RATE / 1e6),
        ok: Some(t.core_rate() >= BUDGET_MMCM_RATE),
    });
    let ratio = samples[floor200].best().core_rate() / t.core_rate();
    let ratio_median = paired_median(&samples[floor200], &samples[engine], |f, e| {
        f.core_rate() / e.core_rate()
    });
    rows.push(Row {
        case: "floor / engine, M/M/200(+M)".into(),
        measured: format!("{ratio:.2}× (median of rounds {ratio_median:.2}×)"),
        budget: format!("≤ {BUDGET_FLOOR_RATIO:.0}×"),
        ok: Some(ratio <= BUDGET_FLOOR_RATIO),
    });

    let wall = |s: &Samples| {
        let (b, m) = (s.best(), s.median());
        format!(
            "{:.3} s (median {:.3} s; {})",
            b.wall_s,
            m.wall_s,
            rate(b.wall_rate())
        )
    };
    let (one, two) = (&samples[one], &samples[two]);
    rows.push(Row {
        case: "default scenario ×20, 1 thread".into(),
        measured: wall(one),
        budget: "(information)".into(),
        ok: None,
    });
    let two_best = two.best();
    rows.push(Row {
        case: "default scenario ×20, 2 threads".into(),
        measured: wall(two),
        budget: format!("< {BUDGET_DEFAULT_WALL_S:.0} s"),
        ok: Some(two_best.wall_s < BUDGET_DEFAULT_WALL_S),
    });
    let speedup = two_best.wall_rate() / one.best().wall_rate();
    let speedup_median = paired_median(two, one, |t, o| t.wall_rate() / o.wall_rate());
    rows.push(Row {
        case: "parallel speed-up, 2 threads / 1".into(),
        measured: format!("{speedup:.2}× (median of rounds {speedup_median:.2}×)"),
        budget: format!("≥ {BUDGET_PARALLEL_SPEEDUP}×"),
        ok: Some(speedup >= BUDGET_PARALLEL_SPEEDUP),
    });
    rows
}

/// The table as text.
pub fn format_rows(rows: &[Row]) -> String {
    let w0 = rows
        .iter()
        .map(|r| r.case.chars().count())
        .max()
        .unwrap_or(0);
    let w1 = rows
        .iter()
        .map(|r| r.measured.chars().count())
        .max()
        .unwrap_or(0);
    let w2 = rows
        .iter()
        .map(|r| r.budget.chars().count())
        .max()
        .unwrap_or(0);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut out = format!(
        "{}  {}  {}  result\n",
        pad("case", w0),
        pad("measured", w1),
        pad("budget", w2)
    );
    for r in rows {
        let verdict = match r.ok {
            None => "",
            Some(true) => "ok",
            Some(false) => "FAIL",
        };
        out.push_str(&format!(
            "{}  {}  {}  {verdict}\n",
            pad(&r.case, w0),
            pad(&r.measured, w1),
            pad(&r.budget, w2)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_loop_waits_like_erlang_c() {
        // M/M/10 at 0.8: Erlang C mean wait 20.46 s (λ = 0.08, 1/μ = 100 s).
        let n = 400_000;
        let w = kiefer_wolfowitz(0.08, 100.0, 10, n) / n as f64;
        assert!((w - 20.46).abs() < 2.5, "mean wait {w}");
    }

    fn timing(wall_s: f64, cpu_s: Option<f64>) -> Timing {
        Timing {
            items: 100,
            wall_s,
            cpu_s,
        }
    }

    fn samples(ts: &[Timing]) -> Samples {
        Samples(ts.to_vec())
    }

    #[test]
    fn rounds_run_every_case_once_per_round_in_order() {
        let calls = std::cell::RefCell::new(Vec::new());
        let mut rounds = Rounds::new();
        let ids: Vec<usize> = (0..3)
            .map(|case| {
                let calls = &calls;
                let mut n = 0.0;
                rounds.case(move || {
                    calls.borrow_mut().push(case);
                    n += 1.0;
                    timing(10.0 * case as f64 + n, None)
                })
            })
            .collect();
        assert_eq!(ids, [0, 1, 2]);
        let mut seen = Vec::new();
        let out = rounds.run(4, |k, n| seen.push((k, n, calls.borrow().len())));
        assert_eq!(calls.into_inner(), [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
        // Progress before each round, with the calls made so far.
        assert_eq!(seen, [(1, 4, 0), (2, 4, 3), (3, 4, 6), (4, 4, 9)]);
        assert_eq!(out.len(), 3);
        for (case, s) in out.iter().enumerate() {
            let walls: Vec<f64> = s.per_round().iter().map(|t| t.wall_s).collect();
            let base = 10.0 * case as f64;
            assert_eq!(walls, [base + 1.0, base + 2.0, base + 3.0, base + 4.0]);
        }
    }

    #[test]
    fn zero_rounds_still_run_one() {
        let mut calls = 0;
        let mut rounds = Rounds::new();
        rounds.case(|| {
            calls += 1;
            timing(1.0, None)
        });
        assert_eq!(rounds.run(0, |_, _| {})[0].per_round().len(), 1);
        assert_eq!(calls, 1);
    }

    #[test]
    fn median_of_odd_even_and_empty_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[5.0]), 5.0);
        assert_eq!(median(&[9.0, 1.0]), 5.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn best_and_median_of_known_samples() {
        // Wall and CPU are summarised each on its own: the least wall need not be the run
        // with the least CPU time.
        let s = samples(&[
            timing(0.50, Some(0.40)),
            timing(0.30, Some(0.35)),
            timing(0.90, Some(0.80)),
            timing(0.40, Some(0.20)),
            timing(0.60, Some(0.45)),
        ]);
        assert_eq!(s.best(), timing(0.30, Some(0.20)));
        assert_eq!(s.median(), timing(0.50, Some(0.40)));
        assert_eq!(s.best().core_rate(), 500.0);
        assert_eq!(s.median().wall_rate(), 200.0);
        // An even count: the mean of the middle two.
        let s = samples(&[
            timing(0.2, None),
            timing(0.8, None),
            timing(0.4, None),
            timing(0.6, None),
        ]);
        assert_eq!(s.best(), timing(0.2, None));
        assert_eq!(s.median(), timing(0.5, None));
        // Without a CPU clock the core rate falls back on the wall clock.
        assert_eq!(s.median().core_rate(), 200.0);
    }

    #[test]
    fn paired_median_compares_samples_of_the_same_round() {
        // Per round: 0.2/0.1, 0.9/0.3, 0.3/0.6 = 2, 3, 0.5, median 2. Sorted pairs would give
        // 1.5, the ratio of the medians 0.3/0.3 = 1.
        let a = samples(&[timing(0.2, None), timing(0.9, None), timing(0.3, None)]);
        let b = samples(&[timing(0.1, None), timing(0.3, None), timing(0.6, None)]);
        assert_eq!(paired_median(&a, &b, |a, b| a.wall_s / b.wall_s), 2.0);
    }
}
