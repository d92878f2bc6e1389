//! The verdict in words: one headline and one line, the same in the terminal, the report
//! and `summary.json` (`target.verdict.line`).

use super::{Miss, Scope, Shortfall, Status, Verdict};
use crate::summary::Priority;

/// How many interval misses the line names (the worst, told in time order).
pub const NAMED_INTERVALS: usize = 4;

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn pct_ci(v: f64, ci: Option<f64>) -> String {
    match ci {
        Some(c) => format!("{} ± {:.1}", pct(v), c * 100.0),
        None => pct(v),
    }
}

/// `11-10 21:00 86.1% ± 2.0`, the date left out when it repeats the previous label's.
fn interval_item(x: &Miss, previous_date: Option<&str>, target: f64) -> String {
    let label = x.scope.name();
    let shown = match label.split_once(' ') {
        Some((date, time)) if previous_date == Some(date) => time,
        _ => label,
    };
    item(shown, x, target)
}

fn item(name: &str, x: &Miss, target: f64) -> String {
    let noise = match x.shortfall {
        Shortfall::BeyondNoise => "",
        Shortfall::WithinNoise => " (within noise)",
    };
    // A small interval or class is judged at a lower goal: say which.
    let goal = if x.goal + 1e-12 < target {
        format!(" (few contacts: goal {})", pct(x.goal))
    } else {
        String::new()
    };
    format!("{name} {}{goal}{noise}", pct_ci(x.service_level, x.ci95))
}

/// A class as a reader names it: the category, or `VIP customers` / `normal customers`.
fn class_name(x: &Miss) -> String {
    match &x.scope {
        Scope::Priority(Priority::Vip) => "VIP customers".into(),
        Scope::Priority(Priority::Normal) => "normal customers".into(),
        s => s.name().to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Verdict {
    /// The headline of the verdict box.
    pub fn headline(&self) -> String {
        match self.status {
            Status::Met => "Target met".into(),
            Status::MetOverallWithMisses => "Target met overall, but not everywhere".into(),
            Status::NotMet if self.overall_shortfall == Some(Shortfall::WithinNoise) => {
                "Target NOT met, but close".into()
            }
            Status::NotMet => "Target NOT met".into(),
            Status::NoVerdict => "No verdict".into(),
        }
    }

    /// The report's colour: `met` (green), `close` (amber) or `missed` (red).
    pub fn css_class(&self) -> &'static str {
        match self.status {
            Status::Met => "met",
            Status::MetOverallWithMisses => "close",
            Status::NotMet if self.overall_shortfall == Some(Shortfall::WithinNoise) => "close",
            Status::NotMet | Status::NoVerdict => "missed",
        }
    }

    /// The verdict in one line: `met overall (97.5% ± 0.1), but 2 intervals miss: 11-10 21:00
    /// 86.1% ± 2.0, 21:30 83.2% ± 3.1; 1 class misses: vip-members 84.6% ± 2.0`.
    pub fn line(&self) -> String {
        let target = pct(self.rule.target);
        let overall = match self.overall.mean {
            Some(v) => pct_ci(v, self.overall.ci95),
            None => return "no verdict: no contact reached the agents".into(),
        };
        let mut s = match self.status {
            Status::Met => {
                return format!(
                    "met: {overall} over the horizon; every interval with traffic ({}) and every \
                     category and priority class reach the {target} target",
                    self.intervals_judged
                )
            }
            Status::MetOverallWithMisses => format!("met overall ({overall}), but "),
            _ => format!("NOT met: {overall} over the horizon against {target}; "),
        };
        let mut parts = Vec::new();
        if !self.interval_misses.is_empty() {
            parts.push(self.intervals_part());
        }
        if !self.class_misses.is_empty() {
            let n = self.class_misses.len();
            let items: Vec<String> = self
                .class_misses
                .iter()
                .map(|x| item(&class_name(x), x, self.rule.target))
                .collect();
            parts.push(format!(
                "{} {}: {}",
                plural(n, "class", "classes"),
                if n == 1 { "misses" } else { "miss" },
                items.join(", ")
            ));
        }
        if parts.is_empty() {
            s.push_str("every interval and class reaches it");
        } else {
            s.push_str(&parts.join("; "));
        }
        let misses = self.interval_misses.len() + self.class_misses.len();
        let beyond = self.beyond_noise();
        if misses > 0 {
            s.push_str(&match beyond {
                b if b == misses => " — beyond the noise of the replications".to_string(),
                0 => " — all within the noise of the replications".to_string(),
                b => format!(" — {b} of {misses} beyond the noise of the replications"),
            });
        }
        s
    }

    /// `2 intervals miss: 11-10 21:00 86.1% ± 2.0, 21:30 83.2% ± 3.1` (the worst, in time
    /// order, `and k more`).
    fn intervals_part(&self) -> String {
        let n = self.interval_misses.len();
        let mut named: Vec<&Miss> = self.interval_misses.iter().take(NAMED_INTERVALS).collect();
        named.sort_by_key(|x| match x.scope {
            Scope::Interval { index, .. } => index,
            _ => usize::MAX,
        });
        let mut previous: Option<&str> = None;
        let mut items = Vec::new();
        for x in named {
            items.push(interval_item(x, previous, self.rule.target));
            previous = x.scope.name().split_once(' ').map(|(d, _)| d);
        }
        let more = if n > NAMED_INTERVALS {
            format!(" and {} more", n - NAMED_INTERVALS)
        } else {
            String::new()
        };
        let worst = if n > NAMED_INTERVALS { "worst " } else { "" };
        format!(
            "{} of {} {}: {worst}{}{more}",
            n,
            plural(self.intervals_judged, "interval", "intervals"),
            if n == 1 { "misses" } else { "miss" },
            items.join(", ")
        )
    }
}
