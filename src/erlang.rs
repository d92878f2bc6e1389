//! Queueing formulas for a single pool: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M).
//!
//! These are the simulator's test oracle and the planner's starting point, so they are
//! written to stay exact for thousands of servers and loads up to (and beyond) 1:
//!
//! * Erlang B is computed by the recursion `B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))`
//!   in log space, so it neither overflows (no factorials) nor underflows (a few
//!   Erlangs on thousands of servers gives `B ≈ 1e−2500`, which is still fine).
//! * Erlang A uses the stationary distribution of its birth–death chain, whose queue part
//!   is the series `A(x, z) = Σ_j z^j / ((x+1)(x+2)…(x+j))` (the Mandelbaum–Zeltyn function
//!   `x·e^z·z^(−x)·γ(x, z)`, γ the lower incomplete gamma function), summed in log space
//!   with a geometric bound on the remainder. The waiting-time distribution follows from the
//!   fact that, with `k` customers ahead, the time to reach a server is a sum of
//!   exponentials of rates `cμ + jθ`, `j = k..0`, which is distributed as `−ln(Beta(x, k+1))/θ`
//!   with `x = cμ/θ`; summing over the stationary `k` gives closed forms in `A`.
//!
//! Units: rates in `[1/s]`, times in `[s]`. Inputs must be non-negative and finite (except
//! `mean_patience_s`, which may be `f64::INFINITY`, and times `t_s`), with
//! `mean_service_s > 0`; results for other inputs are unspecified.
//!
//! Definitions match the simulator's report (`offered` = all contacts that joined the
//! queue): `service_level(t)` = answered within `t` / offered, `abandon_prob()` = abandoned
//! / offered, `prob_wait()` = share of offered whose wait was > 0 (`waited_fraction`), and
//! `mean_wait_served_s()` = mean wait over answered contacts (`mean_wait_s` in the report).

use statrs::function::gamma::{digamma, ln_gamma};

/// The largest headcount the staffing searches try before giving up.
pub const MAX_SERVERS: u32 = 100_000;

/// Relative size below which the remainder of a series is dropped.
const SERIES_TOL: f64 = 1e-18;
/// Where a series' largest term lies further out than this, summation starts at that term
/// (located with `ln Γ`) and runs both ways, so the cost is O(√z) rather than O(z − x).
const SERIES_JUMP: f64 = 5_000.0;
/// A hard cap on series terms each way (never reached for inputs of practical size: the
/// terms that matter lie within a few √z of the peak; reached for absurd patience such as
/// 1e300 s, where it bounds the time instead of running forever).
const SERIES_MAX_TERMS: usize = 2_000_000;
/// Most series terms one staffing search may sum over all the headcounts it tries, about a
/// second of work (measured: 2e8 terms took 5 s): past it the search gives up (`None`, "none found") instead of hanging.
pub const SEARCH_MAX_TERMS: u64 = 50_000_000;

thread_local! {
    /// Series terms summed on this thread so far (the searches' work budget).
    static SERIES_TERMS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Series terms summed on this thread so far.
fn series_terms() -> u64 {
    SERIES_TERMS.with(|t| t.get())
}

/// One step of the Erlang B recursion in log space: `ln B(k)` from `ln B(k−1)`.
#[inline]
fn ln_erlang_b_step(ln_b_prev: f64, k: u32, a: f64) -> f64 {
    // B(k) = a·B / (k + a·B): a·B underflowing to 0 is harmless.
    let ab = a * ln_b_prev.exp();
    a.ln() + ln_b_prev - (k as f64 + ab).ln()
}

/// `ln B(c, a)` (Erlang B, blocking probability of M/M/c/c with offered load `a`).
fn ln_erlang_b(servers: u32, a: f64) -> f64 {
    if a <= 0.0 {
        return if servers == 0 { 0.0 } else { f64::NEG_INFINITY };
    }
    (1..=servers).fold(0.0, |ln_b, k| ln_erlang_b_step(ln_b, k, a))
}

/// Erlang B: the probability that all `servers` are busy in an M/M/c/c loss system with
/// offered load `offered_load` = λ/μ `[Erlang]`. Exact for any `servers` (O(c) recursion).
pub fn erlang_b(servers: u32, offered_load: f64) -> f64 {
    ln_erlang_b(servers, offered_load).exp()
}

/// `ln(e^p + e^q)` without overflow.
#[inline]
fn ln_add_exp(p: f64, q: f64) -> f64 {
    if p == f64::NEG_INFINITY {
        return q;
    }
    if q == f64::NEG_INFINITY {
        return p;
    }
    let m = p.max(q);
    m + ((p - m).exp() + (q - m).exp()).ln()
}

/// `ln(1 − e^p)` for `p ≤ 0`, accurate near both ends.
#[inline]
fn ln_one_minus_exp(p: f64) -> f64 {
    if p > -std::f64::consts::LN_2 {
        (-p.exp_m1()).ln()
    } else {
        (-p.exp()).ln_1p()
    }
}

// ---------------------------------------------------------------------------------------
// Erlang C
// ---------------------------------------------------------------------------------------

/// M/M/c with infinitely patient customers (Erlang C).
///
/// * `lambda` — arrival rate λ `[1/s]`
/// * `mean_service_s` — mean service time 1/μ `[s]`
/// * `servers` — c
///
/// When the system is unstable (offered load `a ≥ c`, including `c = 0` with λ > 0) the
/// queue grows without bound: [`prob_wait`](Self::prob_wait) is 1,
/// [`mean_wait_s`](Self::mean_wait_s) is `f64::INFINITY`,
/// [`service_level`](Self::service_level) is 0 and [`wait_quantile`](Self::wait_quantile)
/// is `f64::INFINITY` for `p > 0`. With λ = 0 nobody waits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    /// Arrival rate λ `[1/s]`.
    pub lambda: f64,
    /// Mean service time 1/μ `[s]`.
    pub mean_service_s: f64,
    /// Number of servers c.
    pub servers: u32,
}

impl ErlangC {
    pub fn new(lambda: f64, mean_service_s: f64, servers: u32) -> Self {
        ErlangC {
            lambda,
            mean_service_s,
            servers,
        }
    }

    /// Offered load a = λ/μ `[Erlang]`.
    pub fn offered_load(&self) -> f64 {
        self.lambda * self.mean_service_s
    }

    /// Server utilisation ρ = a/c (≥ 1 means unstable; `f64::INFINITY` when c = 0 < a,
    /// 0 when a = 0).
    pub fn utilisation(&self) -> f64 {
        let a = self.offered_load();
        if a == 0.0 {
            0.0
        } else {
            a / self.servers as f64
        }
    }

    /// Is the queue stable (a < c)? λ = 0 counts as stable.
    pub fn is_stable(&self) -> bool {
        let a = self.offered_load();
        a == 0.0 || a < self.servers as f64
    }

    /// Erlang C from a precomputed `ln B(c, a)`.
    fn prob_wait_from_ln_b(a: f64, c: u32, ln_b: f64) -> f64 {
        if a == 0.0 {
            return 0.0;
        }
        if a >= c as f64 {
            return 1.0;
        }
        // C = B / (1 − ρ(1 − B)) = B / (1 − ρ + ρB).
        let rho = a / c as f64;
        let b = ln_b.exp();
        (b / (1.0 - rho + rho * b)).min(1.0)
    }

    /// Probability that an arrival waits (the Erlang C formula) = P(all servers busy).
    pub fn prob_wait(&self) -> f64 {
        let a = self.offered_load();
        if !self.is_stable() {
            return 1.0;
        }
        Self::prob_wait_from_ln_b(a, self.servers, ln_erlang_b(self.servers, a))
    }

    /// The rate `cμ − λ` `[1/s]` at which the conditional wait decays.
    fn drain_rate(&self) -> f64 {
        self.servers as f64 / self.mean_service_s - self.lambda
    }

    /// Mean wait in queue over all arrivals, Wq = C/(cμ − λ) `[s]`.
    pub fn mean_wait_s(&self) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        let c = self.prob_wait();
        if c == 0.0 {
            0.0
        } else {
            c / self.drain_rate()
        }
    }

    /// Mean number waiting Lq = λ·Wq (Little's law).
    pub fn mean_queue_len(&self) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        self.lambda * self.mean_wait_s()
    }

    /// Service level: P(wait ≤ `t_s`) = 1 − C·e^{−(cμ−λ)t} (all arrivals are served).
    /// 0 for `t_s < 0` and when unstable.
    pub fn service_level(&self, t_s: f64) -> f64 {
        if t_s < 0.0 || !self.is_stable() {
            return 0.0;
        }
        let c = self.prob_wait();
        if c == 0.0 {
            return 1.0;
        }
        (1.0 - c * (-self.drain_rate() * t_s).exp()).clamp(0.0, 1.0)
    }

    /// The p-quantile of the wait over all arrivals `[s]`: 0 when `p ≤ 1 − C`, otherwise
    /// `ln(C/(1−p)) / (cμ − λ)`; `f64::INFINITY` for `p ≥ 1` or when unstable (p > 0).
    pub fn wait_quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 || !self.is_stable() {
            return f64::INFINITY;
        }
        let c = self.prob_wait();
        if p <= 1.0 - c {
            return 0.0;
        }
        ((c / (1.0 - p)).ln() / self.drain_rate()).max(0.0)
    }

    /// The fewest servers (≥ 1, and > a) for which `service_level(t_s) ≥ target`, or `None`
    /// if not reached by [`MAX_SERVERS`]. A target of 1 or more is unreachable when λ > 0
    /// (some contacts always wait) and gives `None` at once. λ `[1/s]`; `mean_service_s`,
    /// `t_s` `[s]`.
    pub fn servers_for_service_level(
        lambda: f64,
        mean_service_s: f64,
        t_s: f64,
        target: f64,
    ) -> Option<u32> {
        if target > 1.0 || (target == 1.0 && lambda > 0.0) {
            return None;
        }
        Self::search(lambda, mean_service_s, |q| q.service_level(t_s) >= target)
    }

    /// The fewest servers (≥ 1, and > a) for which `mean_wait_s() ≤ max_mean_wait_s`, or
    /// `None` if not reached by [`MAX_SERVERS`].
    pub fn servers_for_mean_wait(
        lambda: f64,
        mean_service_s: f64,
        max_mean_wait_s: f64,
    ) -> Option<u32> {
        Self::search(lambda, mean_service_s, |q| {
            q.mean_wait_s() <= max_mean_wait_s
        })
    }

    /// Upward search from the smallest stable headcount, carrying Erlang B along (O(c)).
    fn search(lambda: f64, mean_service_s: f64, ok: impl Fn(&Precomputed) -> bool) -> Option<u32> {
        let a = lambda * mean_service_s;
        let mut ln_b = if a > 0.0 { 0.0 } else { f64::NEG_INFINITY };
        for c in 1..=MAX_SERVERS {
            if a > 0.0 {
                ln_b = ln_erlang_b_step(ln_b, c, a);
            }
            if a >= c as f64 {
                continue;
            }
            let q = ErlangC::new(lambda, mean_service_s, c);
            let pre = Precomputed {
                q,
                prob_wait: Self::prob_wait_from_ln_b(a, c, ln_b),
            };
            if ok(&pre) {
                return Some(c);
            }
        }
        None
    }
}

/// An Erlang C system with its probability of wait already known (for the searches).
struct Precomputed {
    q: ErlangC,
    prob_wait: f64,
}

impl Precomputed {
    fn service_level(&self, t_s: f64) -> f64 {
        if t_s < 0.0 {
            return 0.0;
        }
        (1.0 - self.prob_wait * (-self.q.drain_rate() * t_s).exp()).clamp(0.0, 1.0)
    }

    fn mean_wait_s(&self) -> f64 {
        if self.prob_wait == 0.0 {
            0.0
        } else {
            self.prob_wait / self.q.drain_rate()
        }
    }
}

// ---------------------------------------------------------------------------------------
// Erlang A
// ---------------------------------------------------------------------------------------

/// Log-space sums over the queue part of the Erlang A chain, with weights
/// `w_j = z^j / ((x+1)…(x+j))`, `j ≥ 0` (j = customers ahead of an arrival who queues):
#[derive(Debug, Clone, Copy)]
struct Series {
    /// ln Σ w_j = ln A(x, z)
    s0: f64,
    /// ln Σ j·w_j
    s1: f64,
    /// ln Σ w_j·x/(x+j+1) — the weight of "queued and served"
    ss: f64,
    /// ln Σ w_j·x/(x+j+1)·H_j with H_j = Σ_{i=1}^{j+1} 1/(x+i) — θ × E[wait; served]
    sw: f64,
}

/// Accumulates `e^(l − m)·f` for several factors with a common running scale `m`.
struct Acc {
    m: f64,
    s: [f64; 4],
}

impl Acc {
    fn add(&mut self, l: f64, f: [f64; 4]) -> f64 {
        if l > self.m {
            let r = (self.m - l).exp();
            for v in &mut self.s {
                *v *= r;
            }
            self.m = l;
        }
        let e = (l - self.m).exp();
        for (v, fi) in self.s.iter_mut().zip(f) {
            *v += e * fi;
        }
        e
    }

    fn ln(&self, i: usize) -> f64 {
        if self.s[i] > 0.0 {
            self.m + self.s[i].ln()
        } else {
            f64::NEG_INFINITY
        }
    }
}

/// The [`Series`] for `x ≥ 0`, `z ≥ 0`.
fn series(x: f64, z: f64) -> Series {
    if z <= 0.0 {
        let served = if x > 0.0 { x / (x + 1.0) } else { 0.0 };
        let h0 = 1.0 / (x + 1.0);
        return Series {
            s0: 0.0,
            s1: f64::NEG_INFINITY,
            ss: served.ln(),
            sw: (served * h0).ln(),
        };
    }
    let ln_z = z.ln();
    let factors = |j: f64, h: f64| {
        let served = x / (x + j + 1.0);
        [1.0, j, served, served * h]
    };
    // The terms grow while z/(x+j) > 1, i.e. up to j = z − x.
    let peak = (z - x).floor().max(0.0);
    let mut acc = Acc {
        m: f64::NEG_INFINITY,
        s: [0.0; 4],
    };
    let (j0, l0, h0) = if peak > SERIES_JUMP {
        let l = peak * ln_z - (ln_gamma(x + peak + 1.0) - ln_gamma(x + 1.0));
        let h = digamma(x + peak + 2.0) - digamma(x + 1.0);
        (peak, l, h)
    } else {
        (0.0, 0.0, 1.0 / (x + 1.0))
    };
    // Upward from j0.
    let (mut j, mut l, mut h) = (j0, l0, h0);
    let mut terms = 0u64;
    for _ in 0..SERIES_MAX_TERMS {
        terms += 1;
        let e = acc.add(l, factors(j, h));
        let r = z / (x + j + 1.0); // w_{j+1}/w_j, decreasing in j
        if j >= peak && r < 1.0 {
            // Remainder of Σ (j'+1)·w_j' beyond j is at most e·r·(j+2)/(1−r)².
            let tail = e * r * (j + 2.0) / ((1.0 - r) * (1.0 - r));
            if tail <= SERIES_TOL * acc.s[0] {
                break;
            }
        }
        l += r.ln();
        j += 1.0;
        h += 1.0 / (x + j + 1.0);
    }
    // Downward from j0 (only after a jump): w_{j−1}/w_j = (x+j)/z, decreasing as j falls.
    let (mut j, mut l, mut h) = (j0, l0, h0);
    // Bounded: at j ≥ 2^53, `j -= 1.0` leaves j unchanged.
    for _ in 0..SERIES_MAX_TERMS {
        if j <= 0.0 {
            break;
        }
        terms += 1;
        l += ((x + j) / z).ln();
        h -= 1.0 / (x + j + 1.0);
        j -= 1.0;
        let e = acc.add(l, factors(j, h));
        let q = (x + j) / z;
        if q < 1.0 && e * (j + 1.0) * q / (1.0 - q) <= SERIES_TOL * acc.s[0] {
            break;
        }
    }
    SERIES_TERMS.with(|t| t.set(t.get().saturating_add(terms)));
    Series {
        s0: acc.ln(0),
        s1: acc.ln(1),
        ss: acc.ln(2),
        sw: acc.ln(3),
    }
}

/// M/M/c+M (Erlang A, the Palm model): Erlang C plus exponential patience with mean 1/θ.
///
/// * `lambda` — arrival rate λ `[1/s]`
/// * `mean_service_s` — mean service time 1/μ `[s]`
/// * `mean_patience_s` — mean patience 1/θ `[s]`; `f64::INFINITY` gives Erlang C
///   (see [`ErlangC`] for its unstable case); 0 gives the Erlang B loss system (those who
///   find every server busy leave at once)
/// * `servers` — c (0 allowed: everybody abandons)
///
/// Every arrival joins the queue (it is "offered"). Its *wait* W is the time from arrival
/// to the start of service for those served, and to the moment of leaving for those who
/// abandon. The quantities, all as fractions of offered contacts unless stated:
///
/// | method | meaning |
/// |---|---|
/// | [`prob_wait`](Self::prob_wait) | P(W > 0) = P(all servers busy on arrival) |
/// | [`abandon_prob`](Self::abandon_prob) | P(abandon) — the simulator's `abandon_rate` |
/// | [`service_level`](Self::service_level)`(t)` | P(served and W ≤ t) — the simulator's `service_level` |
/// | [`service_level_answered`](Self::service_level_answered)`(t)` | P(W ≤ t ∣ served) |
/// | [`prob_wait_le`](Self::prob_wait_le)`(t)` | P(W ≤ t), abandoners counted with their time to abandon |
/// | [`mean_wait_s`](Self::mean_wait_s) | E\[W\] over all arrivals (abandoners' time to leave included) = P(ab)/θ |
/// | [`mean_wait_served_s`](Self::mean_wait_served_s) | E[W ∣ served] — the simulator's `mean_wait_s` |
/// | [`wait_quantile_served`](Self::wait_quantile_served)`(p)` | p-quantile of W ∣ served — the simulator's wait percentiles |
///
/// Erlang A is stable for every load when θ > 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// Arrival rate λ `[1/s]`.
    pub lambda: f64,
    /// Mean service time 1/μ `[s]`.
    pub mean_service_s: f64,
    /// Mean patience 1/θ `[s]`.
    pub mean_patience_s: f64,
    /// Number of servers c.
    pub servers: u32,
}

/// The solved chain: enough to answer every question about one [`ErlangA`] system.
#[derive(Debug, Clone, Copy)]
struct Solved {
    /// x = cμ/θ, y = λ/θ, θ
    x: f64,
    y: f64,
    theta: f64,
    /// ln P(N = c)
    ln_pi_c: f64,
    prob_wait: f64,
    abandon: f64,
    /// P(served and W > 0)
    served_waited: f64,
    /// E[W; served] `[s]`
    wait_served_sum: f64,
}

impl Solved {
    fn new(lambda: f64, mu: f64, theta: f64, c: u32, ln_b: f64) -> Solved {
        let x = c as f64 * mu / theta;
        let y = lambda / theta;
        if y == 0.0 {
            return Solved {
                x,
                y,
                theta,
                ln_pi_c: f64::NEG_INFINITY,
                prob_wait: 0.0,
                abandon: 0.0,
                served_waited: 0.0,
                wait_served_sum: 0.0,
            };
        }
        let s = series(x, y);
        // π over 0..c is proportional to Erlang's truncated Poisson: Σ_{n≤c} π_n = π_c/B,
        // and Σ_{n≥c} π_n = π_c·A, so π_c = B / (1 − B + A·B).
        let ln_d = ln_add_exp(ln_one_minus_exp(ln_b), ln_b + s.s0);
        let ln_pi_c = ln_b - ln_d;
        Solved {
            x,
            y,
            theta,
            ln_pi_c,
            prob_wait: (ln_pi_c + s.s0).exp().min(1.0),
            // P(ab) = θ·E[Q]/λ = π_c·Σ j·w_j / y
            abandon: (ln_pi_c + s.s1 - y.ln()).exp().min(1.0),
            served_waited: (ln_pi_c + s.ss).exp().min(1.0),
            wait_served_sum: (ln_pi_c + s.sw).exp() / theta,
        }
    }

    /// ln of the common factor u^(x+1)·e^{y(1−u)} with u = e^{−θt}.
    fn ln_decay(&self, t: f64) -> f64 {
        let ln_u = -self.theta * t;
        (self.x + 1.0) * ln_u - self.y * ln_u.exp_m1()
    }

    /// P(served and W > t) for t ≥ 0:
    /// π_c · x/(x+1) · u^(x+1) · e^{y(1−u)} · A(x+1, y·u).
    fn served_tail(&self, t: f64) -> f64 {
        if self.y == 0.0 || self.x == 0.0 {
            return 0.0;
        }
        if t <= 0.0 {
            return self.served_waited;
        }
        if t == f64::INFINITY {
            return 0.0;
        }
        let u = (-self.theta * t).exp();
        let a = series(self.x + 1.0, self.y * u).s0;
        let v = self.ln_pi_c + (self.x / (self.x + 1.0)).ln() + self.ln_decay(t) + a;
        v.exp().min(self.served_waited)
    }

    /// P(W > t) over all arrivals for t ≥ 0: π_c · u^(x+1) · e^{y(1−u)} · A(x, y·u).
    fn all_tail(&self, t: f64) -> f64 {
        if self.y == 0.0 {
            return 0.0;
        }
        if t <= 0.0 {
            return self.prob_wait;
        }
        if t == f64::INFINITY {
            return 0.0;
        }
        let u = (-self.theta * t).exp();
        let a = series(self.x, self.y * u).s0;
        (self.ln_pi_c + self.ln_decay(t) + a)
            .exp()
            .min(self.prob_wait)
    }

    fn service_level(&self, t: f64) -> f64 {
        if t < 0.0 {
            return 0.0;
        }
        (1.0 - self.abandon - self.served_tail(t)).clamp(0.0, 1.0)
    }

    fn mean_wait_served(&self) -> f64 {
        let served = 1.0 - self.abandon;
        if served <= 0.0 {
            f64::INFINITY
        } else {
            self.wait_served_sum / served
        }
    }
}

/// What an [`ErlangA`] system reduces to.
enum Kind {
    /// θ > 0 and finite.
    Palm(Solved),
    /// θ = 0: Erlang C.
    Patient(ErlangC),
    /// θ = ∞: Erlang B; holds B.
    Loss(f64),
}

impl ErlangA {
    pub fn new(lambda: f64, mean_service_s: f64, mean_patience_s: f64, servers: u32) -> Self {
        ErlangA {
            lambda,
            mean_service_s,
            mean_patience_s,
            servers,
        }
    }

    /// Offered load a = λ/μ `[Erlang]`.
    pub fn offered_load(&self) -> f64 {
        self.lambda * self.mean_service_s
    }

    fn erlang_c(&self) -> ErlangC {
        ErlangC::new(self.lambda, self.mean_service_s, self.servers)
    }

    fn kind_with_ln_b(&self, ln_b: f64) -> Kind {
        if self.mean_patience_s == f64::INFINITY {
            Kind::Patient(self.erlang_c())
        } else if self.mean_patience_s <= 0.0 {
            Kind::Loss(ln_b.exp())
        } else {
            let mu = 1.0 / self.mean_service_s;
            let theta = 1.0 / self.mean_patience_s;
            Kind::Palm(Solved::new(self.lambda, mu, theta, self.servers, ln_b))
        }
    }

    fn kind(&self) -> Kind {
        self.kind_with_ln_b(ln_erlang_b(self.servers, self.offered_load()))
    }

    /// P(W > 0): the share of arrivals who find every server busy.
    pub fn prob_wait(&self) -> f64 {
        match self.kind() {
            Kind::Palm(s) => s.prob_wait,
            Kind::Patient(q) => q.prob_wait(),
            Kind::Loss(b) => b,
        }
    }

    /// P(abandon): abandoned / offered. (0 for infinite patience, even if unstable.)
    pub fn abandon_prob(&self) -> f64 {
        match self.kind() {
            Kind::Palm(s) => s.abandon,
            Kind::Patient(_) => 0.0,
            Kind::Loss(b) => b,
        }
    }

    /// Server utilisation (occupancy) = a·(1 − P(ab))/c; for infinite patience a/c (≥ 1
    /// when unstable). 0 when a = 0 or c = 0.
    pub fn utilisation(&self) -> f64 {
        let a = self.offered_load();
        if a == 0.0 || self.servers == 0 {
            return 0.0;
        }
        a * (1.0 - self.abandon_prob()) / self.servers as f64
    }

    /// E\[W\] over all arrivals `[s]`, the abandoners' time to leave included (= P(ab)/θ).
    pub fn mean_wait_s(&self) -> f64 {
        match self.kind() {
            Kind::Palm(s) => s.abandon / s.theta,
            Kind::Patient(q) => q.mean_wait_s(),
            Kind::Loss(_) => 0.0,
        }
    }

    /// E[W ∣ served] `[s]`: the mean wait of answered contacts. `f64::INFINITY` when
    /// nobody is served (c = 0, or unstable with infinite patience).
    pub fn mean_wait_served_s(&self) -> f64 {
        match self.kind() {
            Kind::Palm(s) => s.mean_wait_served(),
            Kind::Patient(q) => q.mean_wait_s(),
            Kind::Loss(_) => {
                if self.servers == 0 && self.lambda > 0.0 {
                    f64::INFINITY
                } else {
                    0.0
                }
            }
        }
    }

    /// Service level P(served and W ≤ `t_s`) over all arrivals = answered within `t_s` /
    /// offered, as the simulator defines it. 0 for `t_s < 0`.
    pub fn service_level(&self, t_s: f64) -> f64 {
        if t_s < 0.0 {
            return 0.0;
        }
        match self.kind() {
            Kind::Palm(s) => s.service_level(t_s),
            Kind::Patient(q) => q.service_level(t_s),
            Kind::Loss(b) => 1.0 - b,
        }
    }

    /// P(W ≤ `t_s` ∣ served) = answered within `t_s` / answered. 0 when nobody is served.
    pub fn service_level_answered(&self, t_s: f64) -> f64 {
        let served = 1.0 - self.abandon_prob();
        if served <= 0.0 {
            return 0.0;
        }
        (self.service_level(t_s) / served).min(1.0)
    }

    /// P(W ≤ `t_s`) over all arrivals, where an abandoner's W is its time to abandon: the
    /// share of offered contacts who have left the queue (served or abandoned) within `t_s`.
    pub fn prob_wait_le(&self, t_s: f64) -> f64 {
        if t_s < 0.0 {
            return 0.0;
        }
        match self.kind() {
            Kind::Palm(s) => (1.0 - s.all_tail(t_s)).clamp(0.0, 1.0),
            Kind::Patient(q) => q.service_level(t_s),
            Kind::Loss(_) => 1.0,
        }
    }

    /// The p-quantile of the wait of served contacts `[s]` (the simulator's wait
    /// percentiles): 0 when `P(W = 0 ∣ served) ≥ p`; `f64::INFINITY` for `p ≥ 1` or when
    /// nobody is served. Found by bisection to 1e-9 relative.
    pub fn wait_quantile_served(&self, p: f64) -> f64 {
        if p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return f64::INFINITY;
        }
        let s = match self.kind() {
            Kind::Palm(s) => s,
            Kind::Patient(q) => return q.wait_quantile(p),
            Kind::Loss(b) => {
                return if b >= 1.0 { f64::INFINITY } else { 0.0 };
            }
        };
        let served = 1.0 - s.abandon;
        if served <= 0.0 {
            return f64::INFINITY;
        }
        // P(W > t | served) ≤ 1 − p  ⇔  served_tail(t) ≤ (1 − p)·served.
        let goal = (1.0 - p) * served;
        if s.served_tail(0.0) <= goal {
            return 0.0;
        }
        let mut hi = self.mean_service_s / self.servers.max(1) as f64;
        let mut lo = 0.0;
        while s.served_tail(hi) > goal {
            lo = hi;
            hi *= 2.0;
            if hi > 1e15 {
                return f64::INFINITY;
            }
        }
        while hi - lo > 1e-9 * hi {
            let mid = 0.5 * (lo + hi);
            if s.served_tail(mid) > goal {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }

    /// The fewest servers c ≥ 1 with `service_level(t_s) ≥ target`, or `None` if not
    /// reached by [`MAX_SERVERS`]; a target of 1 or more with λ > 0 gives `None` at once. Since the service level
    /// cannot exceed c/a, the search starts at c = ⌊target·a⌋ (at least 1) and goes up.
    pub fn servers_for_service_level(
        lambda: f64,
        mean_service_s: f64,
        mean_patience_s: f64,
        t_s: f64,
        target: f64,
    ) -> Option<u32> {
        if target > 1.0 || (target == 1.0 && lambda > 0.0) {
            return None;
        }
        let a = lambda * mean_service_s;
        let start = (target.clamp(0.0, 1.0) * a).floor().max(1.0) as u32;
        Self::search(
            lambda,
            mean_service_s,
            mean_patience_s,
            start,
            |k| match k {
                Kind::Palm(s) => s.service_level(t_s) >= target,
                Kind::Patient(q) => q.service_level(t_s) >= target,
                Kind::Loss(b) => t_s >= 0.0 && 1.0 - b >= target,
            },
        )
    }

    /// The fewest servers c ≥ 1 with `mean_wait_served_s() ≤ max_mean_wait_s` (mean wait
    /// of answered contacts `[s]`), searching upward from 1; `None` if not reached by
    /// [`MAX_SERVERS`].
    pub fn servers_for_mean_wait(
        lambda: f64,
        mean_service_s: f64,
        mean_patience_s: f64,
        max_mean_wait_s: f64,
    ) -> Option<u32> {
        Self::search(lambda, mean_service_s, mean_patience_s, 1, |k| match k {
            Kind::Palm(s) => s.mean_wait_served() <= max_mean_wait_s,
            Kind::Patient(q) => q.mean_wait_s() <= max_mean_wait_s,
            Kind::Loss(_) => max_mean_wait_s >= 0.0,
        })
    }

    fn search(
        lambda: f64,
        mean_service_s: f64,
        mean_patience_s: f64,
        start: u32,
        ok: impl Fn(&Kind) -> bool,
    ) -> Option<u32> {
        let a = lambda * mean_service_s;
        let start = start.clamp(1, MAX_SERVERS);
        let mut ln_b = ln_erlang_b(start - 1, a);
        let work_at_start = series_terms();
        for c in start..=MAX_SERVERS {
            if series_terms().saturating_sub(work_at_start) > SEARCH_MAX_TERMS {
                return None;
            }
            ln_b = if a > 0.0 {
                ln_erlang_b_step(ln_b, c, a)
            } else {
                f64::NEG_INFINITY
            };
            let q = ErlangA::new(lambda, mean_service_s, mean_patience_s, c);
            if ok(&q.kind_with_ln_b(ln_b)) {
                return Some(c);
            }
        }
        None
    }
}

// Reference values are pasted exactly as mpmath printed them (17 significant digits).
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use crate::engine::rng::{exp1, SimRng};
    use rand::SeedableRng;

    fn close(got: f64, want: f64, rel: f64) {
        let tol = rel * want.abs().max(1e-300);
        assert!(
            (got - want).abs() <= tol,
            "got {got:.15e}, want {want:.15e} (rel tol {rel:e})"
        );
    }

    // Reference values below were computed independently in Python with mpmath at 40
    // digits: Erlang C from the B recursion in exact arithmetic; Erlang A both from the
    // Mandelbaum–Zeltyn closed forms (mpmath's incomplete gamma) and from the birth–death
    // distribution with per-state regularised incomplete beta functions (they agree to 17
    // digits).

    #[test]
    fn erlang_b_recursion_small_and_huge() {
        // B(2, 1) = (1/2)/(1 + 1 + 1/2) = 0.2
        close(erlang_b(2, 1.0), 0.2, 1e-15);
        close(erlang_b(0, 3.0), 1.0, 0.0);
        // B(1000, 5) = 1.5627435114234556e-1871: far below f64, fine in log space.
        let want = 1.5627435114234556f64.ln() - 1871.0 * std::f64::consts::LN_10;
        close(ln_erlang_b(1000, 5.0), want, 1e-13);
        assert_eq!(erlang_b(1000, 5.0), 0.0);
    }

    #[test]
    fn erlang_c_classic_call_centre() {
        // 100 contacts per 30 min, 180 s handle time (a = 10 Erlang), answer within 20 s.
        let lambda = 100.0 / 1800.0;
        let cases = [
            (
                12,
                0.44938822429827087,
                40.444940186844378,
                0.64015804037400657,
            ),
            (
                13,
                0.28527045303649294,
                17.116227182189576,
                0.79559478841778312,
            ),
            (
                14,
                0.17413193359504984,
                7.8359370117772429,
                0.88835001917946688,
            ),
        ];
        for (c, pw, wq, sl) in cases {
            let q = ErlangC::new(lambda, 180.0, c);
            close(q.offered_load(), 10.0, 1e-15);
            close(q.prob_wait(), pw, 1e-13);
            close(q.mean_wait_s(), wq, 1e-13);
            close(q.service_level(20.0), sl, 1e-13);
            close(q.mean_queue_len(), lambda * wq, 1e-13);
        }
        // 80/20 needs 14 agents; an average wait of 10 s needs 14, of 20 s needs 13.
        assert_eq!(
            ErlangC::servers_for_service_level(lambda, 180.0, 20.0, 0.8),
            Some(14)
        );
        assert_eq!(
            ErlangC::servers_for_mean_wait(lambda, 180.0, 10.0),
            Some(14)
        );
        assert_eq!(
            ErlangC::servers_for_mean_wait(lambda, 180.0, 20.0),
            Some(13)
        );
        assert_eq!(
            ErlangC::servers_for_service_level(lambda, 180.0, 20.0, 1.0),
            None
        );
        assert_eq!(
            ErlangC::servers_for_service_level(0.0, 180.0, 20.0, 0.99),
            Some(1)
        );
    }

    #[test]
    fn erlang_c_one_server_is_mm1() {
        let (lambda, s) = (0.7, 1.0);
        let q = ErlangC::new(lambda, s, 1);
        close(q.prob_wait(), 0.7, 1e-14);
        close(q.utilisation(), 0.7, 1e-15);
        close(q.mean_wait_s(), 0.7 / (1.0 - 0.7), 1e-14);
        close(
            q.service_level(2.0),
            1.0 - 0.7 * (-0.3f64 * 2.0).exp(),
            1e-14,
        );
        // Quantile inverts the service level.
        assert_eq!(q.wait_quantile(0.3), 0.0);
        let w = q.wait_quantile(0.9);
        close(q.service_level(w), 0.9, 1e-13);
    }

    #[test]
    fn erlang_c_large_and_unstable() {
        let q = ErlangC::new(499.5 / 100.0, 100.0, 500);
        close(q.prob_wait(), 0.97257012068018654, 1e-12);
        close(q.mean_wait_s(), 194.51402413603731, 1e-12);
        close(q.service_level(10.0), 0.074862683818796187, 1e-11);
        let q = ErlangC::new(999.0 / 300.0, 300.0, 1000);
        close(q.prob_wait(), 0.96123926040841911, 1e-12);
        close(q.mean_wait_s(), 288.37177812252573, 1e-12);
        close(q.service_level(20.0), 0.10075395760129776, 1e-11);
        let q = ErlangC::new(5.0 / 300.0, 300.0, 1000);
        assert_eq!(q.prob_wait(), 0.0);
        assert_eq!(q.service_level(0.0), 1.0);
        for c in [0, 499, 500] {
            let q = ErlangC::new(5.0, 100.0, c);
            assert!(!q.is_stable());
            assert_eq!(q.prob_wait(), 1.0);
            assert_eq!(q.mean_wait_s(), f64::INFINITY);
            assert_eq!(q.service_level(30.0), 0.0);
            assert_eq!(q.wait_quantile(0.5), f64::INFINITY);
        }
        let q = ErlangC::new(0.0, 100.0, 0);
        assert_eq!(
            (q.prob_wait(), q.mean_wait_s(), q.service_level(0.0)),
            (0.0, 0.0, 1.0)
        );
        assert_eq!(
            ErlangC::servers_for_service_level(999.0 / 300.0, 300.0, 20.0, 0.8),
            (1000..2000)
                .find(|&c| ErlangC::new(999.0 / 300.0, 300.0, c).service_level(20.0) >= 0.8)
        );
    }

    /// (λ, 1/μ, 1/θ, c, t) and P(W>0), P(ab), P(served, W≤t), P(W>t), E[W | served].
    const ERLANG_A_CASES: [(f64, f64, f64, u32, f64, [f64; 5]); 4] = [
        (
            1.2,
            4.0,
            3.0,
            5,
            1.0,
            [
                0.49559083321519432,
                0.17213846903037973,
                0.68640240565092951,
                0.20272245795761553,
                0.43056410469487055,
            ],
        ),
        (
            1.0 / 18.0,
            180.0,
            120.0,
            12,
            20.0,
            [
                0.27980701864544416,
                0.061597377003680401,
                0.82558264436176425,
                0.14041270550375773,
                6.3347741728191643,
            ],
        ),
        (
            1.0 / 18.0,
            180.0,
            120.0,
            8,
            20.0,
            [
                0.72262646333878293,
                0.2579823812877581,
                0.40321302738024727,
                0.4958310018637921,
                29.26798716472232,
            ],
        ),
        (
            2.0,
            1.0,
            1.0,
            3,
            0.5,
            [
                0.32332358381693654,
                0.10900877456475711,
                0.83862163203434532,
                0.074820186289053678,
                0.083884725628614388,
            ],
        ),
    ];

    #[test]
    fn erlang_a_matches_reference() {
        for (lambda, s, p, c, t, [pw, pab, sl, wgt, ews]) in ERLANG_A_CASES {
            let q = ErlangA::new(lambda, s, p, c);
            close(q.prob_wait(), pw, 1e-12);
            close(q.abandon_prob(), pab, 1e-12);
            close(q.service_level(t), sl, 1e-12);
            close(1.0 - q.prob_wait_le(t), wgt, 1e-11);
            close(q.mean_wait_served_s(), ews, 1e-12);
            close(q.mean_wait_s(), pab * p, 1e-12);
            // Internal consistency: at t = 0 and t = ∞.
            close(q.service_level(0.0), 1.0 - pw, 1e-12);
            close(q.service_level(f64::INFINITY), 1.0 - pab, 1e-12);
            close(q.service_level(1e6 * s), 1.0 - pab, 1e-12);
            assert_eq!(q.prob_wait_le(f64::INFINITY), 1.0);
            close(q.service_level_answered(t), sl / (1.0 - pab), 1e-12);
            close(q.utilisation(), lambda * s * (1.0 - pab) / c as f64, 1e-12);
        }
        // The served-wait 0.9 quantile of the 12-agent case (solved in mpmath).
        let q = ErlangA::new(1.0 / 18.0, 180.0, 120.0, 12);
        close(q.wait_quantile_served(0.9), 25.024768655033298, 1e-8);
        assert_eq!(q.wait_quantile_served(0.5), 0.0);
    }

    #[test]
    fn erlang_a_series_identities() {
        // P(wait) = P(ab) + P(served, waited), and Σ w_j x/(x+j+1) = (x/y)(A − 1).
        for (x, y) in [
            (3.0, 0.5),
            (40.0, 39.0),
            (100.0, 300.0),
            (1e5, 1.2e5),
            (0.7, 20.0),
        ] {
            let s = series(x, y);
            let ln_a_minus_1 = s.s0 + ln_one_minus_exp(-s.s0);
            close(s.ss, (x / y).ln() + ln_a_minus_1, 1e-12);
        }
        for (lambda, s, p, c, _, _) in ERLANG_A_CASES {
            let k = ErlangA::new(lambda, s, p, c).kind();
            let Kind::Palm(sol) = k else { panic!() };
            close(sol.abandon + sol.served_waited, sol.prob_wait, 1e-13);
        }
    }

    #[test]
    fn erlang_a_theta_equal_mu_is_poisson() {
        // With θ = μ every customer in system leaves at rate μ: N ~ Poisson(a) (M/M/∞), so
        // P(wait) = P(N ≥ c) and P(ab) = E[(N − c)⁺]/a.
        let (a, c) = (7.5f64, 8u32);
        let mut pmf = (-a).exp();
        let (mut below, mut mean_below) = (0.0, 0.0);
        for n in 0..c {
            below += pmf;
            mean_below += (c - n) as f64 * pmf;
            pmf *= a / (n + 1) as f64;
        }
        // E[(N−c)⁺] = E[N] − c + E[(c−N)⁺]
        let want_ab = (a - c as f64 + mean_below) / a;
        let q = ErlangA::new(a / 60.0, 60.0, 60.0, c);
        close(q.prob_wait(), 1.0 - below, 1e-13);
        close(q.abandon_prob(), want_ab, 1e-12);
    }

    #[test]
    fn erlang_a_tends_to_erlang_c() {
        let c = ErlangC::new(285.0 / 300.0, 300.0, 300);
        for patience in [1e8, 1e10] {
            let a = ErlangA::new(285.0 / 300.0, 300.0, patience, 300);
            let rel = 1e5 / patience;
            close(a.prob_wait(), c.prob_wait(), rel);
            close(a.mean_wait_served_s(), c.mean_wait_s(), rel);
            close(a.service_level(20.0), c.service_level(20.0), rel);
            assert!(a.abandon_prob() < rel);
        }
        let a = ErlangA::new(285.0 / 300.0, 300.0, f64::INFINITY, 300);
        assert_eq!(a.prob_wait(), c.prob_wait());
        assert_eq!(a.service_level(20.0), c.service_level(20.0));
        assert_eq!(a.abandon_prob(), 0.0);
        // Zero patience: the Erlang B loss system.
        let a = ErlangA::new(2.0, 1.0, 0.0, 3);
        close(a.abandon_prob(), erlang_b(3, 2.0), 1e-15);
        close(a.service_level(5.0), 1.0 - erlang_b(3, 2.0), 1e-15);
    }

    #[test]
    fn erlang_a_large_and_overloaded() {
        // 1000 agents at 110 % load, 4-minute patience.
        let q = ErlangA::new(1100.0 / 300.0, 300.0, 240.0, 1000);
        close(q.prob_wait(), 0.99697445755348634, 1e-11);
        close(q.abandon_prob(), 0.090934990593756206, 1e-11);
        close(q.mean_wait_s(), 21.824397742501489, 1e-11);
        close(1.0 - q.prob_wait_le(20.0), 0.58629714976858919, 1e-10);
        // θ tiny and 20 % overload: the series starts at its peak (j ≈ 20 000).
        let q = ErlangA::new(1.2, 100.0, 1e5, 100);
        close(q.prob_wait(), 1.0, 1e-15);
        close(q.abandon_prob(), 0.16666666666666664, 1e-9);
        close(1.0 - q.prob_wait_le(50.0), 0.99950012497916927, 1e-9);
        // Critically loaded and lightly loaded.
        let q = ErlangA::new(1.0, 300.0, 180.0, 300);
        close(q.prob_wait(), 0.44519046656569288, 1e-11);
        close(q.abandon_prob(), 0.02594915898011924, 1e-11);
        close(1.0 - q.prob_wait_le(30.0), 0.0116468436278751, 1e-10);
        let q = ErlangA::new(0.5, 300.0, 1e7, 300);
        close(q.prob_wait(), 3.1508831392431776e-27, 1e-10);
        close(q.abandon_prob(), 6.3017624974313774e-34, 1e-9);
        // No NaN anywhere over a sweep of loads and sizes, and sane orderings.
        for c in [0u32, 1, 10, 500, 1000] {
            for rho in [0.0, 0.3, 0.9, 0.999, 1.0, 1.2, 3.0, 30.0] {
                let lambda = rho * c.max(1) as f64 / 300.0;
                for patience in [1.0, 60.0, 300.0, 3600.0, 1e6] {
                    let q = ErlangA::new(lambda, 300.0, patience, c);
                    let v = [
                        q.prob_wait(),
                        q.abandon_prob(),
                        q.service_level(20.0),
                        q.prob_wait_le(20.0),
                        q.mean_wait_s(),
                    ];
                    let ctx = format!("c={c} rho={rho} patience={patience}: {v:?}");
                    assert!(v.iter().all(|x| x.is_finite() && *x >= 0.0), "{ctx}");
                    assert!(v[..4].iter().all(|x| *x <= 1.0), "{ctx}");
                    assert!(v[1] <= v[0] + 1e-12 && v[2] <= v[3] + 1e-12, "{ctx}");
                    assert!(!q.mean_wait_served_s().is_nan(), "{ctx}");
                    assert!(q.utilisation().is_finite(), "{ctx}");
                }
            }
        }
    }

    #[test]
    fn erlang_a_staffing() {
        let (lambda, s, p, t) = (1100.0 / 300.0, 300.0, 240.0, 20.0);
        let c = ErlangA::servers_for_service_level(lambda, s, p, t, 0.8).unwrap();
        println!("Erlang A 80/20 at a = 1100, 4-min patience: {c} servers");
        assert!(ErlangA::new(lambda, s, p, c).service_level(t) >= 0.8);
        assert!(ErlangA::new(lambda, s, p, c - 1).service_level(t) < 0.8);
        // Impatience lets Erlang A staff below Erlang C, never above.
        let cc = ErlangC::servers_for_service_level(lambda, s, t, 0.8).unwrap();
        assert!(c <= cc, "{c} vs {cc}");
        println!("Erlang C 80/20 at a = 1100: {cc} servers");
        let c = ErlangA::servers_for_mean_wait(lambda, s, p, 10.0).unwrap();
        println!("Erlang A mean served wait <= 10 s: {c} servers");
        assert!(ErlangA::new(lambda, s, p, c).mean_wait_served_s() <= 10.0);
        assert!(ErlangA::new(lambda, s, p, c - 1).mean_wait_served_s() > 10.0);
        assert_eq!(
            ErlangA::servers_for_service_level(lambda, s, p, t, 1.0),
            None
        );
        // The classic example with 2-minute patience.
        assert_eq!(
            ErlangA::servers_for_service_level(1.0 / 18.0, 180.0, 120.0, 20.0, 0.8),
            (1..50).find(|&c| ErlangA::new(1.0 / 18.0, 180.0, 120.0, c).service_level(20.0) >= 0.8)
        );
    }

    /// A direct FCFS M/M/c+M simulation: an arrival's offered wait is the time until the
    /// earliest server is free after everyone ahead who stayed; it is served if its
    /// patience outlasts that, and abandons otherwise (taking no server).
    /// Returns per-batch (abandon fraction, service level, mean wait of served).
    fn simulate(q: &ErlangA, t: f64, batches: usize, per_batch: usize, seed: u64) -> Vec<[f64; 3]> {
        let mut rng = SimRng::seed_from_u64(seed);
        let mut free_at = vec![0.0f64; q.servers as usize];
        let mut now = 0.0;
        let mut out = Vec::new();
        for b in 0..=batches {
            let (mut ab, mut within, mut served, mut wait_sum) = (0usize, 0usize, 0usize, 0.0);
            for _ in 0..per_batch {
                now += exp1(&mut rng) / q.lambda;
                let patience = exp1(&mut rng) * q.mean_patience_s;
                let service = exp1(&mut rng) * q.mean_service_s;
                let (k, f) = free_at
                    .iter()
                    .copied()
                    .enumerate()
                    .min_by(|x, y| x.1.total_cmp(&y.1))
                    .unwrap();
                let wait = (f - now).max(0.0);
                if wait >= patience {
                    ab += 1;
                } else {
                    served += 1;
                    wait_sum += wait;
                    within += usize::from(wait <= t);
                    free_at[k] = now + wait + service;
                }
            }
            if b > 0 {
                // batch 0 is the warm-up
                let n = per_batch as f64;
                out.push([ab as f64 / n, within as f64 / n, wait_sum / served as f64]);
            }
        }
        out
    }

    #[test]
    fn erlang_a_monte_carlo() {
        let (lambda, s, p, c, t, [_, pab, sl, _, ews]) = ERLANG_A_CASES[0];
        let q = ErlangA::new(lambda, s, p, c);
        let batches = simulate(&q, t, 40, 10_000, 7);
        let n = batches.len() as f64;
        for (i, want) in [pab, sl, ews].into_iter().enumerate() {
            let mean = batches.iter().map(|b| b[i]).sum::<f64>() / n;
            let var = batches.iter().map(|b| (b[i] - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let se = (var / n).sqrt();
            println!("metric {i}: simulated {mean:.5} ± {se:.5} (1 s.e.), formula {want:.5}");
            assert!(
                (mean - want).abs() < 4.0 * se,
                "metric {i}: {mean} ± {se} vs {want}"
            );
        }
    }
}
