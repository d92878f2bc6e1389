//! Agent headcount over time: a constant, a daily schedule of windows, or a per-interval
//! table (as `kefu plan` writes). Evaluated at instants; the engine asks for the next change.

use super::time::{Calendar, DAY_S};

/// A schedule window: `agents` on duty from `from_s` to `to_s` (seconds after midnight;
/// `to_s <= from_s` wraps past midnight) on the weekdays where `days[weekday]` is true
/// (the weekday on which the window starts).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub from_s: f64,
    pub to_s: f64,
    pub agents: u32,
    pub days: [bool; 7],
}

impl Window {
    fn length(&self) -> f64 {
        if self.to_s > self.from_s {
            self.to_s - self.from_s
        } else {
            self.to_s + DAY_S - self.from_s
        }
    }
}

/// How a pool's headcount is given.
#[derive(Debug, Clone)]
pub enum Staffing {
    Constant(u32),
    Schedule(Vec<Window>),
    /// Sorted `(from, agents)` rows in simulation time, each `step_s` long; before the first
    /// row and after the last the nearest row holds.
    Table {
        rows: Vec<(f64, u32)>,
        step_s: f64,
    },
}

impl Staffing {
    /// Headcount on duty at instant `t`.
    pub fn headcount(&self, cal: &Calendar, t: f64) -> u32 {
        match self {
            Staffing::Constant(n) => *n,
            Staffing::Schedule(windows) => {
                let midnight = cal.midnight_before(t);
                let today = cal.weekday(t);
                let mut n = 0;
                for w in windows {
                    // A window counts if it started today or yesterday and still covers t.
                    for (start_day, day) in [(midnight, today), (midnight - DAY_S, (today + 6) % 7)]
                    {
                        let from = start_day + w.from_s;
                        if w.days[day] && t >= from && t < from + w.length() {
                            n += w.agents;
                        }
                    }
                }
                n
            }
            Staffing::Table { rows, .. } => {
                let i = rows.partition_point(|r| r.0 <= t);
                rows[i.saturating_sub(1)].1
            }
        }
    }

    /// The first instant after `t` at which the headcount may change, if ever.
    pub fn next_change(&self, cal: &Calendar, t: f64) -> Option<f64> {
        match self {
            Staffing::Constant(_) => None,
            Staffing::Schedule(windows) => {
                let midnight = cal.midnight_before(t);
                let mut best = f64::INFINITY;
                for w in windows {
                    for edge in [w.from_s, w.to_s] {
                        let mut e = midnight + edge;
                        while e <= t + 1e-9 {
                            e += DAY_S;
                        }
                        best = best.min(e);
                    }
                }
                best.is_finite().then_some(best)
            }
            Staffing::Table { rows, .. } => {
                let i = rows.partition_point(|r| r.0 <= t);
                rows.get(i).map(|r| r.0)
            }
        }
    }

    /// The largest headcount this staffing ever reaches.
    pub fn max_headcount(&self) -> u32 {
        match self {
            Staffing::Constant(n) => *n,
            Staffing::Schedule(ws) => {
                // Overlaps add up: probe every window edge of a week.
                let cal = Calendar { origin_epoch_s: 0 };
                (0..14 * 24 * 4)
                    .map(|q| self.headcount(&cal, q as f64 * 900.0 + 1.0))
                    .chain(ws.iter().map(|w| w.agents))
                    .max()
                    .unwrap_or(0)
            }
            Staffing::Table { rows, .. } => rows.iter().map(|r| r.1).max().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_days() -> [bool; 7] {
        [true; 7]
    }

    #[test]
    fn schedule_wraps_midnight_and_filters_days() {
        // 2026-01-05 is a Monday.
        let cal = Calendar {
            origin_epoch_s: super::super::time::days_from_civil(2026, 1, 5) * 86_400,
        };
        let s = Staffing::Schedule(vec![
            Window {
                from_s: 8.0 * 3600.0,
                to_s: 22.0 * 3600.0,
                agents: 20,
                days: all_days(),
            },
            Window {
                from_s: 22.0 * 3600.0,
                to_s: 8.0 * 3600.0,
                agents: 4,
                days: all_days(),
            },
            Window {
                from_s: 9.0 * 3600.0,
                to_s: 18.0 * 3600.0,
                agents: 6,
                days: [false, false, false, false, false, true, true],
            },
        ]);
        assert_eq!(s.headcount(&cal, 3.0 * 3600.0), 4);
        assert_eq!(s.headcount(&cal, 10.0 * 3600.0), 20);
        assert_eq!(s.headcount(&cal, 5.0 * DAY_S + 10.0 * 3600.0), 26); // Saturday
        assert_eq!(s.headcount(&cal, 23.0 * 3600.0), 4);
        assert_eq!(s.next_change(&cal, 0.0), Some(8.0 * 3600.0));
        assert_eq!(s.next_change(&cal, 8.0 * 3600.0), Some(9.0 * 3600.0));
        assert_eq!(s.max_headcount(), 26);
    }

    #[test]
    fn table_holds_nearest_row() {
        let cal = Calendar { origin_epoch_s: 0 };
        let s = Staffing::Table {
            rows: vec![(0.0, 3), (1800.0, 5)],
            step_s: 1800.0,
        };
        assert_eq!(s.headcount(&cal, -5.0), 3);
        assert_eq!(s.headcount(&cal, 1799.0), 3);
        assert_eq!(s.headcount(&cal, 99_999.0), 5);
        assert_eq!(s.next_change(&cal, 0.0), Some(1800.0));
        assert_eq!(s.next_change(&cal, 1800.0), None);
    }
}
