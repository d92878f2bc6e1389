//! Offered load per planning interval and pool, from the model alone: the arrival rate
//! integrated over each interval, times the probability of reaching a human (bot coverage ×
//! (1 − resolve) by intent and promotion mode, plus contacts that skip the bot and false
//! resolutions that come back), times the mean handle time stretched by concurrency.

use crate::model::{Model, PoolId};

/// The planning grid: intervals of `step_s` from `first` (≤ 0, so warm-up is covered)
/// through the end of the counted horizon; `counted_offset` intervals lie before `start`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub first: f64,
    pub step_s: f64,
    pub len: usize,
    pub counted_offset: usize,
    /// End of the last interval (the counted horizon's end; the last interval may be partial).
    pub end: f64,
}

impl Grid {
    pub fn of(m: &Model) -> Self {
        let step = m.run.interval_s;
        let k = (m.run.counted_from / step - 1e-9).ceil().max(0.0) as usize;
        let counted = m.run.interval_count();
        Grid {
            first: m.run.counted_from - k as f64 * step,
            step_s: step,
            len: k + counted,
            counted_offset: k,
            end: m.run.counted_to,
        }
    }

    pub fn start(&self, i: usize) -> f64 {
        self.first + i as f64 * self.step_s
    }

    /// Length of interval `i` `[s]` (the last may be partial).
    pub fn length(&self, i: usize) -> f64 {
        (self.start(i + 1).min(self.end) - self.start(i)).max(0.0)
    }

    /// Simulated part of interval `i` `[s]` (the first may start before simulation time 0).
    pub fn simulated_length(&self, i: usize) -> f64 {
        (self.start(i + 1).min(self.end) - self.start(i).max(0.0)).max(0.0)
    }

    /// Interval index holding instant `t`, if inside the grid.
    pub fn index_of(&self, t: f64) -> Option<usize> {
        if t < self.first || t >= self.end {
            return None;
        }
        Some((((t - self.first) / self.step_s).floor() as usize).min(self.len - 1))
    }

    /// Whether interval `i` is in the counted horizon.
    pub fn counted(&self, i: usize) -> bool {
        i >= self.counted_offset
    }
}

/// Expected human work of one pool in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IntervalLoad {
    /// Expected contacts arriving in the interval (all, before the bot).
    pub arrivals: f64,
    /// Expected contacts reaching this pool's queue in the interval.
    pub offered: f64,
    /// Mean handle time of those contacts, stretched by concurrency slowdown `[s]`.
    pub handle_s: f64,
    /// Mean patience (contact-weighted abandonment rate inverted) `[s]`; infinite if none abandon.
    pub patience_s: f64,
    /// Arrival rate to the queue `[1/s]`.
    pub rate: f64,
}

impl IntervalLoad {
    /// Offered load in busy chat slots `[Erlang]`.
    pub fn erlangs(&self) -> f64 {
        self.rate * self.handle_s
    }
}

/// The load of every interval of one pool.
#[derive(Debug, Clone)]
pub struct PoolLoad {
    pub pool: PoolId,
    pub intervals: Vec<IntervalLoad>,
    /// Categories whose contacts this pool serves first (its skill comes first to it in
    /// routing order); its service level is measured on them.
    pub categories: Vec<usize>,
}

/// The pool that a skill's contacts try first (listed order = routing preference).
pub fn primary_pool(m: &Model, skill: usize) -> Option<PoolId> {
    m.pools.iter().position(|p| p.serves(skill))
}

/// Occupancy assumed when stretching handle times by concurrency slowdown: a chat started
/// while the agent holds `(k − 1)·u` other chats on average.
pub const ASSUMED_OCCUPANCY: f64 = 0.85;

/// The load of every pool on the grid.
pub fn pool_loads(m: &Model, grid: &Grid) -> Vec<PoolLoad> {
    let np = m.pools.len();
    let n = grid.len;
    let mut arrivals = vec![0.0; n];
    // per pool, interval: contacts, Σ contacts × handle, Σ contacts / patience
    let mut cnt = vec![vec![0.0; n]; np];
    let mut work = vec![vec![0.0; n]; np];
    let mut impatience = vec![vec![0.0; n]; np];
    let cal = &m.run.calendar;
    let return_delay = m
        .bot
        .as_ref()
        .and_then(|b| b.return_after.as_ref())
        .map(|d| d.mean());
    let mut t = grid.first.max(0.0);
    let end = grid.end;
    while t < end {
        let i = grid.index_of(t).expect("inside grid");
        let next = m
            .arrivals
            .next_change(cal, t)
            .min(end)
            .min(grid.start(i + 1));
        let next = if next <= t { (t + 1.0).min(end) } else { next };
        let expected = m.arrivals.rate(cal, t) * (next - t);
        arrivals[i] += expected;
        let promo = m.arrivals.promotion_at(t);
        for (ci, cat) in m.categories.iter().enumerate() {
            let Some(p) = primary_pool(m, cat.skill) else {
                continue;
            };
            for (complex, p_intent) in [(false, 1.0 - cat.complex_share), (true, cat.complex_share)]
            {
                let n_c = expected * cat.share * p_intent;
                if n_c <= 0.0 {
                    continue;
                }
                let handle = if complex {
                    cat.complex_handle_time.mean()
                } else {
                    cat.handle_time.mean()
                };
                let (now, back) = match &m.bot {
                    None => (1.0, 0.0),
                    Some(bot) => {
                        let prof = match &bot.promotion {
                            Some(pp) if promo => pp,
                            _ if complex => &bot.complex,
                            _ => &bot.basic,
                        };
                        let now = (1.0 - bot.coverage) + bot.coverage * (1.0 - prof.resolve);
                        let back = if return_delay.is_some() {
                            bot.coverage * prof.resolve * bot.false_resolution
                        } else {
                            0.0
                        };
                        (now, back)
                    }
                };
                let inv_pat = m.categories[ci]
                    .patience
                    .as_ref()
                    .map_or(0.0, |d| 1.0 / d.mean().max(1e-9));
                let mut add = |j: usize, k: f64| {
                    cnt[p][j] += k;
                    work[p][j] += k * handle;
                    impatience[p][j] += k * inv_pat;
                };
                add(i, n_c * now);
                if back > 0.0 {
                    let when = 0.5 * (t + next) + return_delay.unwrap_or(0.0);
                    if let Some(j) = grid.index_of(when) {
                        add(j, n_c * back);
                    }
                }
            }
        }
        t = next;
    }
    (0..np)
        .map(|p| {
            let pool = &m.pools[p];
            let k = pool.concurrency.max(1) as f64;
            let stretch = 1.0 + pool.concurrency_slowdown * (k - 1.0) * ASSUMED_OCCUPANCY;
            let intervals = (0..n)
                .map(|i| {
                    let c = cnt[p][i];
                    let len = grid.simulated_length(i).max(1e-9);
                    IntervalLoad {
                        arrivals: arrivals[i],
                        offered: c,
                        handle_s: if c > 0.0 {
                            work[p][i] / c * stretch
                        } else {
                            0.0
                        },
                        patience_s: if c > 0.0 && impatience[p][i] > 0.0 {
                            c / impatience[p][i]
                        } else {
                            f64::INFINITY
                        },
                        rate: c / len,
                    }
                })
                .collect();
            let categories = m
                .categories
                .iter()
                .enumerate()
                .filter(|(_, c)| primary_pool(m, c.skill) == Some(p))
                .map(|(i, _)| i)
                .collect();
            PoolLoad {
                pool: p,
                intervals,
                categories,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::textbook::Textbook;

    #[test]
    fn grid_covers_warmup_and_constant_load_integrates() {
        let m = Textbook::new(0.5, 200.0, 110).model(); // warm-up 3600 s, 1 day
        let g = Grid::of(&m);
        assert_eq!(g.counted_offset, 2);
        assert_eq!(g.len, 50);
        assert_eq!(g.first, 0.0);
        let l = pool_loads(&m, &g);
        assert_eq!(l.len(), 1);
        for iv in &l[0].intervals {
            assert!((iv.offered - 900.0).abs() < 1e-6, "{iv:?}");
            assert!((iv.erlangs() - 100.0).abs() < 1e-6);
            assert!(iv.patience_s.is_infinite());
        }
    }
}
