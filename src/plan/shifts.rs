//! Shifts that cover a per-interval requirement at the fewest paid hours: a set-covering
//! problem over every allowed (shift type, start, break position). The LP relaxation is
//! solved with `good_lp` (pure-Rust `microlp` backend) and gives a lower bound; the integer
//! roster is the better of two roundings (round every LP value up; round down and cover
//! what is left greedily), each pruned of shifts that cover nothing needed. The gap of the
//! roster to the LP bound is reported (the LP bound is also a bound on the integer optimum).

use super::load::Grid;
use crate::model::{Calendar, ShiftType};
use good_lp::{constraint, microlp, variable, variables, Expression, Solution, SolverModel};

/// One candidate shift: a type, a start (grid index, may be negative) and a break.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub shift_type: usize,
    /// Start in simulation time.
    pub start: f64,
    pub end: f64,
    pub break_start: Option<f64>,
    pub break_end: Option<f64>,
    /// Grid intervals this shift is on duty for (whole intervals, break excluded).
    pub covers: Vec<usize>,
    /// Cost of one such shift in the objective: paid hours × cost factor.
    pub cost: f64,
    pub paid_hours: f64,
}

/// A roster for one pool.
#[derive(Debug, Clone)]
pub struct Roster {
    pub candidates: Vec<Candidate>,
    /// How many of each candidate.
    pub counts: Vec<u32>,
    /// Agents on shift (paid, on duty, not on a meal break) per grid interval.
    pub on_duty: Vec<u32>,
    pub paid_hours: f64,
    /// Objective: Σ paid hours × cost factor.
    pub objective: f64,
    /// LP relaxation optimum (a lower bound of the objective).
    pub lp_bound: f64,
    /// (objective − bound) / bound.
    pub gap: f64,
    pub method: &'static str,
}

/// All candidate shifts on the grid.
pub fn candidates(grid: &Grid, cal: &Calendar, types: &[ShiftType]) -> Vec<Candidate> {
    let step = grid.step_s;
    let mut out = Vec::new();
    for (ti, st) in types.iter().enumerate() {
        let slots = (st.length_s / step + 1e-9).floor() as i64;
        if slots <= 0 {
            continue;
        }
        let brk_slots = if st.break_s > 0.0 {
            (st.break_s / step - 1e-9).ceil() as i64
        } else {
            0
        };
        let brk_offsets: Vec<Option<i64>> = if brk_slots == 0 {
            vec![None]
        } else {
            let a = (st.break_earliest_s / step - 1e-9).ceil() as i64;
            let b = (st.break_latest_s / step + 1e-9).floor() as i64;
            let v: Vec<Option<i64>> = (a.max(0)..=b.min(slots - brk_slots)).map(Some).collect();
            if v.is_empty() {
                vec![None]
            } else {
                v
            }
        };
        for a in (1 - slots)..(grid.len as i64) {
            let start = grid.first + a as f64 * step;
            if !st.allows_start(cal.second_of_day(start)) {
                continue;
            }
            for off in &brk_offsets {
                let covers: Vec<usize> = (0..slots)
                    .filter(|u| off.is_none_or(|o| *u < o || *u >= o + brk_slots))
                    .map(|u| a + u)
                    .filter(|&i| i >= 0 && (i as usize) < grid.len)
                    .map(|i| i as usize)
                    .collect();
                if covers.is_empty() {
                    continue;
                }
                let paid = st.paid_s() / 3600.0;
                out.push(Candidate {
                    shift_type: ti,
                    start,
                    end: start + st.length_s,
                    break_start: off.map(|o| start + o as f64 * step),
                    break_end: off.map(|o| start + o as f64 * step + st.break_s),
                    covers,
                    cost: paid * st.cost_factor,
                    paid_hours: paid,
                });
            }
        }
    }
    out
}

fn coverage(grid_len: usize, cands: &[Candidate], counts: &[u32]) -> Vec<u32> {
    let mut on = vec![0u32; grid_len];
    for (c, &n) in cands.iter().zip(counts) {
        if n > 0 {
            for &i in &c.covers {
                on[i] += n;
            }
        }
    }
    on
}

/// Removes shifts (most expensive first) while coverage stays ≥ the requirement.
fn prune(req: &[u32], cands: &[Candidate], counts: &mut [u32]) {
    let mut on = coverage(req.len(), cands, counts);
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by(|&a, &b| cands[b].cost.total_cmp(&cands[a].cost).then(a.cmp(&b)));
    for j in order {
        while counts[j] > 0 && cands[j].covers.iter().all(|&i| on[i] > req[i]) {
            counts[j] -= 1;
            for &i in &cands[j].covers {
                on[i] -= 1;
            }
        }
    }
}

/// Adds shifts greedily (most uncovered need per cost) until the requirement is covered.
fn fill(req: &[u32], cands: &[Candidate], counts: &mut [u32]) {
    let mut on = coverage(req.len(), cands, counts);
    loop {
        let deficit = |i: usize| req[i].saturating_sub(on[i]);
        if (0..req.len()).all(|i| deficit(i) == 0) {
            return;
        }
        let mut best: Option<(f64, usize)> = None;
        for (j, c) in cands.iter().enumerate() {
            let gain = c.covers.iter().filter(|&&i| deficit(i) > 0).count() as f64;
            if gain > 0.0 {
                let score = gain / c.cost.max(1e-9);
                if best.is_none_or(|(s, _)| score > s + 1e-12) {
                    best = Some((score, j));
                }
            }
        }
        let Some((_, j)) = best else { return };
        counts[j] += 1;
        for &i in &cands[j].covers {
            on[i] += 1;
        }
    }
}

/// Rosters `req` (paid agents needed per grid interval) with the given shift types.
pub fn roster(
    grid: &Grid,
    cal: &Calendar,
    types: &[ShiftType],
    req: &[u32],
) -> anyhow::Result<Roster> {
    let cands = candidates(grid, cal, types);
    for (i, &r) in req.iter().enumerate() {
        if r > 0 && !cands.iter().any(|c| c.covers.contains(&i)) {
            anyhow::bail!(
                "no allowed shift covers the interval starting {}: widen the shift start times in [planning]",
                cal.format_minute(grid.start(i))
            );
        }
    }
    // Only candidates that cover some need matter.
    let useful: Vec<Candidate> = cands
        .into_iter()
        .filter(|c| c.covers.iter().any(|&i| req[i] > 0))
        .collect();
    if useful.is_empty() {
        return Ok(Roster {
            candidates: Vec::new(),
            counts: Vec::new(),
            on_duty: vec![0; req.len()],
            paid_hours: 0.0,
            objective: 0.0,
            lp_bound: 0.0,
            gap: 0.0,
            method: "empty",
        });
    }
    let mut vars = variables!();
    let x: Vec<_> = useful
        .iter()
        .map(|_| vars.add(variable().min(0.0)))
        .collect();
    let objective: Expression = x.iter().zip(&useful).map(|(v, c)| c.cost * *v).sum();
    let mut pb = vars.minimise(objective).using(microlp);
    for (i, &r) in req.iter().enumerate() {
        if r == 0 {
            continue;
        }
        let e: Expression = useful
            .iter()
            .zip(&x)
            .filter(|(c, _)| c.covers.contains(&i))
            .map(|(_, v)| *v)
            .sum();
        pb = pb.with(constraint!(e >= r as f64));
    }
    let sol = pb
        .solve()
        .map_err(|e| anyhow::anyhow!("shift LP failed: {e}"))?;
    let lp: Vec<f64> = x.iter().map(|v| sol.value(*v).max(0.0)).collect();
    let lp_bound: f64 = lp.iter().zip(&useful).map(|(v, c)| v * c.cost).sum();

    let cost = |counts: &[u32]| {
        counts
            .iter()
            .zip(&useful)
            .map(|(&n, c)| n as f64 * c.cost)
            .sum::<f64>()
    };
    let mut up: Vec<u32> = lp
        .iter()
        .map(|v| (v - 1e-6).ceil().max(0.0) as u32)
        .collect();
    prune(req, &useful, &mut up);
    let mut down: Vec<u32> = lp
        .iter()
        .map(|v| (v + 1e-6).floor().max(0.0) as u32)
        .collect();
    fill(req, &useful, &mut down);
    prune(req, &useful, &mut down);
    let (counts, method) = if cost(&down) < cost(&up) {
        (down, "LP round-down + greedy")
    } else {
        (up, "LP round-up")
    };
    let on_duty = coverage(req.len(), &useful, &counts);
    debug_assert!(on_duty.iter().zip(req).all(|(o, r)| o >= r));
    let objective = cost(&counts);
    let paid_hours = counts
        .iter()
        .zip(&useful)
        .map(|(&n, c)| n as f64 * c.paid_hours)
        .sum();
    Ok(Roster {
        candidates: useful,
        counts,
        on_duty,
        paid_hours,
        objective,
        lp_bound,
        gap: if lp_bound > 0.0 {
            (objective - lp_bound) / lp_bound
        } else {
            0.0
        },
        method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_requirement_within_reported_gap() {
        let grid = Grid {
            first: 0.0,
            step_s: 1800.0,
            len: 96,
            counted_offset: 0,
            end: 96.0 * 1800.0,
        };
        let cal = Calendar { origin_epoch_s: 0 };
        let req: Vec<u32> = (0..96)
            .map(|i| (3.0 + 10.0 * (std::f64::consts::PI * i as f64 / 48.0).sin().powi(2)) as u32)
            .collect();
        let types = crate::model::Planning::default().shifts;
        let r = roster(&grid, &cal, &types, &req).unwrap();
        assert!(r.on_duty.iter().zip(&req).all(|(o, q)| o >= q));
        assert!(r.objective >= r.lp_bound - 1e-6);
        assert!((r.objective - r.lp_bound * (1.0 + r.gap)).abs() < 1e-6);
        assert!(r.gap < 0.15, "gap {}", r.gap);
    }
}
