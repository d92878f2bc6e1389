//! Speed: the benchmark cases shared by `cargo bench` and `kefu bench`, the bare
//! Kiefer–Wolfowitz loop that is the hardware's floor for an M/M/c queue, and the speed
//! budget that `kefu bench` checks (see `docs/performance.md`).
//!
//! Rates are contacts simulated per second of one core (warm-up included). Times are the best
//! of a few repetitions, and single-thread cases are timed by the thread's CPU clock as well as
//! the wall clock: on a shared machine the CPU clock is what one core delivers.

use crate::engine;
use crate::model::textbook::Textbook;
use crate::model::Model;
use crate::runner::{self, RunOptions};
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

/// Timings of repeated runs of one piece of work.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Items (contacts, customers) per run.
    pub items: u64,
    /// Best wall time of the repetitions `[s]`.
    pub wall_s: f64,
    /// Best thread CPU time of the repetitions `[s]`, when measurable.
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

/// Runs `work` (returning its item count) `reps` times on this thread; keeps the best times.
pub fn time_on_this_thread(reps: u32, mut work: impl FnMut() -> u64) -> Timing {
    let mut best = Timing {
        items: 0,
        wall_s: f64::INFINITY,
        cpu_s: None,
    };
    for _ in 0..reps.max(1) {
        let c0 = thread_cpu_s();
        let t0 = Instant::now();
        let items = work();
        let wall = t0.elapsed().as_secs_f64();
        let cpu = c0.and_then(|c0| thread_cpu_s().map(|c1| c1 - c0));
        best.items = items;
        best.wall_s = best.wall_s.min(wall);
        best.cpu_s = match (best.cpu_s, cpu) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (_, b) => b,
        };
    }
    best
}

/// Contacts simulated by one replication of `m`.
pub fn simulate_once(m: &Model, replication: u64) -> u64 {
    engine::simulate(m, replication).contacts_simulated
}

/// Wall time of `replications` replications of `m` on `threads` threads (best of `reps`),
/// with the contacts they simulated.
pub fn time_runner(m: &Model, replications: u32, threads: usize, reps: u32) -> Timing {
    let opts = RunOptions {
        replications,
        seed: m.run.seed,
        threads: Some(threads),
        progress: false,
        intervals: Default::default(),
    };
    let mut best = Timing {
        items: 0,
        wall_s: f64::INFINITY,
        cpu_s: None,
    };
    for _ in 0..reps.max(1) {
        let t0 = Instant::now();
        let out = runner::run(m, &opts).expect("the run succeeds");
        best.wall_s = best.wall_s.min(t0.elapsed().as_secs_f64());
        best.items = out.contacts_simulated;
    }
    best
}

/// A textbook queue timed by `kefu bench --queue`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueCase {
    pub servers: u32,
    pub load: f64,
    pub patience: bool,
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
        })
    }
}

/// Times one replication of `q` with about `customers` contacts, and the bare floor on the
/// same arrival and service rates (no abandonment), on this thread (best of `reps`). Returns
/// a JSON line: `{"queue", "contacts", "engine_per_core", "floor_per_core", "floor_ratio"}`.
pub fn time_queue(q: &QueueCase, customers: u64, reps: u32) -> String {
    let lambda = q.load * q.servers as f64 / MEAN_SERVICE_S;
    let days = ((customers as f64 / lambda - 3600.0) / 86_400.0).max(1.0 / 86_400.0);
    let m = textbook(q.servers, q.load, q.patience, 0.0, days);
    let engine = time_on_this_thread(reps, || simulate_once(&m, 0));
    let floor = time_on_this_thread(reps, || {
        std::hint::black_box(kiefer_wolfowitz(
            lambda,
            MEAN_SERVICE_S,
            q.servers,
            engine.items,
        ));
        engine.items
    });
    serde_json::json!({
        "queue": format!("M/M/{}{} load {}", q.servers, if q.patience { "+M" } else { "" }, q.load),
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
    /// Repetitions of each timing (the best is kept).
    pub reps: u32,
    /// Days of counted horizon for the single-replication cases.
    pub days: f64,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions { reps: 5, days: 5.0 }
    }
}

fn rate(r: f64) -> String {
    format!("{:.2} M contacts/s", r / 1e6)
}

/// Runs the budget cases and returns the table (the caller prints it and decides the exit).
pub fn run_budget(o: &BenchOptions, mut progress: impl FnMut(&str)) -> Vec<Row> {
    let mut rows = Vec::new();
    // The floor and the engine on the same queue (M/M/200, load 1.0 for the +M case).
    let c = 200;
    let lambda = c as f64 / MEAN_SERVICE_S;
    let customers = (lambda * (o.days * 86_400.0 + 3600.0)) as u64;
    progress("floor: Kiefer–Wolfowitz M/M/200");
    let floor200 = time_on_this_thread(o.reps, || {
        std::hint::black_box(kiefer_wolfowitz(lambda, MEAN_SERVICE_S, c, customers));
        customers
    });
    let floor10 = time_on_this_thread(o.reps, || {
        let n = customers;
        std::hint::black_box(kiefer_wolfowitz(
            0.9 * 10.0 / MEAN_SERVICE_S,
            MEAN_SERVICE_S,
            10,
            n,
        ));
        n
    });
    rows.push(Row {
        case: "floor: bare M/M/10 loop, 1 thread".into(),
        measured: rate(floor10.core_rate()),
        budget: "(reference)".into(),
        ok: None,
    });
    rows.push(Row {
        case: "floor: bare M/M/200 loop, 1 thread".into(),
        measured: rate(floor200.core_rate()),
        budget: "(reference)".into(),
        ok: None,
    });
    for (name, m) in [
        (
            "M/M/10 load 0.9",
            textbook(10, 0.9, false, 0.0, o.days * 10.0),
        ),
        ("M/M/200 load 0.95", textbook(200, 0.95, false, 0.0, o.days)),
        (
            "2 classes M/M/50+M load 0.97",
            textbook(50, 0.97, true, 0.3, o.days * 4.0),
        ),
    ] {
        progress(name);
        let t = time_on_this_thread(o.reps, || simulate_once(&m, 0));
        rows.push(Row {
            case: format!("{name}, 1 thread"),
            measured: rate(t.core_rate()),
            budget: "(information)".into(),
            ok: None,
        });
    }
    progress("M/M/200+M load 1.0");
    let mmcm = textbook(200, 1.0, true, 0.0, o.days);
    let t = time_on_this_thread(o.reps, || simulate_once(&mmcm, 0));
    rows.push(Row {
        case: "M/M/200+M load 1.0, 1 thread".into(),
        measured: format!(
            "{} (wall clock {:.2} M/s)",
            rate(t.core_rate()),
            t.wall_rate() / 1e6
        ),
        budget: format!("≥ {:.0} M contacts/s", BUDGET_MMCM_RATE / 1e6),
        ok: Some(t.core_rate() >= BUDGET_MMCM_RATE),
    });
    let ratio = floor200.core_rate() / t.core_rate();
    rows.push(Row {
        case: "floor / engine, M/M/200(+M)".into(),
        measured: format!("{ratio:.2}×"),
        budget: format!("≤ {BUDGET_FLOOR_RATIO:.0}×"),
        ok: Some(ratio <= BUDGET_FLOOR_RATIO),
    });

    progress("default scenario, 20 replications");
    let d = default_scenario();
    let one = time_runner(&d, 20, 1, o.reps.min(3));
    let two = time_runner(&d, 20, 2, o.reps.min(3));
    rows.push(Row {
        case: "default scenario ×20, 1 thread".into(),
        measured: format!("{:.3} s ({})", one.wall_s, rate(one.wall_rate())),
        budget: "(information)".into(),
        ok: None,
    });
    rows.push(Row {
        case: "default scenario ×20, 2 threads".into(),
        measured: format!("{:.3} s ({})", two.wall_s, rate(two.wall_rate())),
        budget: format!("< {BUDGET_DEFAULT_WALL_S:.0} s"),
        ok: Some(two.wall_s < BUDGET_DEFAULT_WALL_S),
    });
    let speedup = two.wall_rate() / one.wall_rate();
    rows.push(Row {
        case: "parallel speed-up, 2 threads / 1".into(),
        measured: format!("{speedup:.2}×"),
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
}
