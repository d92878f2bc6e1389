//! The calibrated scenario as TOML (contract format, section 1), headed by a commented report
//! of what was fitted and how well.

use super::fit::{DurationFit, Family};
use super::{Calibration, MIN_FIT};
use crate::model::time::civil_from_days;
use std::fmt::Write;

/// Occupancy assumed when turning chats in service into a starting headcount.
pub const STARTING_OCCUPANCY: f64 = 0.85;

/// Most agents a schedule window may have (the scenario's limit).
pub const MAX_AGENTS: f64 = 1_000_000.0;

/// The starting headcount for `busy` chats in service: at least 1, at most [`MAX_AGENTS`].
fn starting_agents(busy: f64) -> u32 {
    (busy / STARTING_OCCUPANCY).ceil().clamp(1.0, MAX_AGENTS) as u32
}

pub(crate) fn date(epoch_s: i64) -> String {
    let (y, m, d) = civil_from_days(epoch_s.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A report line as a TOML comment: the report quotes cells of the records (category
/// names, unparseable values), and a control character there (a newline inside a quoted
/// CSV field, a NUL…) is not allowed in a comment, or would end it and inject TOML.
fn comment_safe(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_control() && c != '\t' {
            let _ = write!(out, "\\u{{{:04X}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Shares as millionths that sum exactly to one (the largest absorbs the rounding).
fn shares(values: &[f64]) -> Vec<String> {
    let mut u: Vec<i64> = values.iter().map(|v| (v * 1e6).round() as i64).collect();
    let diff = 1_000_000 - u.iter().sum::<i64>();
    if let Some(i) = (0..u.len()).max_by_key(|&i| u[i]) {
        u[i] += diff;
    }
    u.iter()
        .map(|x| format!("{}.{:06}", x / 1_000_000, x % 1_000_000))
        .collect()
}

/// `x` with `decimals` decimals, or in exponent form when that would round a positive
/// value to zero (a near-constant sample's cv of 2e-5 must not be written as `0.0000`,
/// which does not load).
fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if x > 0.0 && s.parse::<f64>() == Ok(0.0) {
        format!("{x:e}")
    } else {
        s
    }
}

fn dist(f: &DurationFit) -> String {
    let b = f.best();
    match b.family {
        Family::Exponential => format!(
            "{{ dist = \"exponential\", mean_s = {} }}",
            fixed(b.mean_s, 2)
        ),
        fam => format!(
            "{{ dist = \"{}\", mean_s = {}, cv = {} }}",
            fam.name(),
            fixed(b.mean_s, 2),
            fixed(b.cv, 4)
        ),
    }
}

fn describe_fit(out: &mut Vec<String>, what: &str, f: &DurationFit) {
    out.push(format!(
        "  {what}: n = {}, sample mean {:.1} s, cv {:.3}",
        f.n, f.sample_mean_s, f.sample_cv
    ));
    let best_aic = f.best().aic;
    for c in &f.candidates {
        out.push(format!(
            "    {:<11} mean {:>8.1} s  cv {:.3}  log-lik {:>14.1}  ΔAIC {:>10.1}{}",
            c.family.name(),
            c.mean_s,
            c.cv,
            c.log_lik,
            c.aic - best_aic,
            if c.aic == best_aic {
                "  ← chosen"
            } else {
                ""
            }
        ));
    }
    out.push(format!(
        "    Kolmogorov–Smirnov distance of the chosen fit: {:.4}{}",
        f.ks,
        if f.ks < 1.36 / (f.n as f64).sqrt() {
            " (not rejected at 5%)"
        } else {
            " (rejected at 5%: treat the fit as an approximation)"
        }
    ));
}

impl Calibration {
    /// The report: what was read, fitted, and how well (one line per entry).
    pub fn report_lines(&self) -> Vec<String> {
        let mut r = Vec::new();
        r.push(format!(
            "kefu calibrate: {} rows read from {}, {} used, {} skipped",
            self.rows_read,
            self.source,
            self.rows_used,
            self.rows_read - self.rows_used
        ));
        for s in &self.skipped {
            r.push(format!(
                "  skipped {} row(s): {} (e.g. {})",
                s.count,
                s.reason,
                s.examples.join("; ")
            ));
        }
        r.push(format!(
            "span: {} days from {}{}",
            self.days,
            date(self.start_epoch_s),
            if self.replications > 1 {
                format!(
                    ", {} replications (volumes divided by them)",
                    self.replications
                )
            } else {
                String::new()
            }
        ));
        r.push(format!(
            "arrivals: {:.1} first visits a day (per_day); hourly profile from counts per hour",
            self.per_day
        ));
        match &self.weekday_factors {
            Some(w) => r.push(format!(
                "  weekday factors Mon..Sun: {}",
                w.iter()
                    .map(|x| format!("{x:.3}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => r.push(
                "  weekday factors not fitted (some weekday is not in the records): all 1".into(),
            ),
        }
        match self.busyness {
            Some(b) if b.significant() => r.push(format!(
                "  day busyness cv {:.3} ± {:.3} from the spread of {} daily counts beyond Poisson (busyness)",
                b.cv(),
                b.cv_se().unwrap_or(0.0),
                b.days
            )),
            Some(b) => r.push(format!(
                "  day busyness not written: {} daily counts show no spread beyond Poisson (cv² = {:.5} ± {:.5})",
                b.days, b.cv2, b.cv2_se
            )),
            None => {}
        }
        if let Some(a) = &self.absence {
            r.push(format!(
                "  absence {:.4} ± {:.4} from the roster against actuals ({} days; pools.absence)",
                a.absence, a.se, a.rows
            ));
        }
        for c in &self.categories {
            r.push(format!(
                "category {}: {} contacts, share {:.4}, complex {:.4}, VIP {:.4}",
                c.name, c.contacts, c.share, c.complex_share, c.vip_share
            ));
            match (&c.handle, &c.complex_handle) {
                (Some(h), Some(x)) => {
                    describe_fit(&mut r, "handle time (basic)", h);
                    describe_fit(&mut r, "handle time (complex)", x);
                }
                (Some(h), None) => {
                    describe_fit(&mut r, "handle time (all intents)", h);
                    r.push(format!(
                        "    (fewer than {MIN_FIT} served per intent: one fit for both)"
                    ));
                }
                _ => r.push("  handle time: too few served chats to fit".into()),
            }
            match &c.patience {
                Some(p) => {
                    r.push(format!(
                        "  patience: {} offered, {} abandoned, {:.0} s waited in all",
                        p.offered, p.abandons, p.exposure_s
                    ));
                    r.push(format!(
                        "    exponential MLE with censoring (waited time / abandons): mean {:.1} s \
                         (95% CI {:.1}–{:.1})",
                        p.mean_s, p.ci95.0, p.ci95.1
                    ));
                    r.push(format!(
                        "    Kaplan–Meier median {}; exponential median {:.1} s",
                        p.km_median_s
                            .map(|m| format!("{m:.1} s"))
                            .unwrap_or_else(|| "not reached (most customers were served)".into()),
                        p.mean_s * std::f64::consts::LN_2
                    ));
                    r.push(format!(
                        "    naive mean of abandoners' waits {:.1} s: biased low, it ignores the \
                         served customers' patience",
                        p.naive_mean_s
                    ));
                }
                None => r.push(format!(
                    "  patience: nobody of {} offered abandoned; left out (never abandons)",
                    c.offered
                )),
            }
        }
        match &self.bot {
            Some(b) => {
                r.push(format!(
                    "bot: met {} first visits, coverage {:.4}",
                    b.met, b.coverage
                ));
                for (name, p) in [("basic", &b.basic), ("complex", &b.complex)] {
                    r.push(format!(
                        "  {name}: met {}, resolved {}, resolve {:.4}, response {}",
                        p.met,
                        p.resolved,
                        p.resolve,
                        p.response
                            .map(|(a, z)| format!(
                                "{a:.2}–{z:.2} s (uniform on the observed range)"
                            ))
                            .unwrap_or_else(|| "not observed".into())
                    ));
                }
                r.push(format!(
                    "  false resolutions: {} returns linked by contact_id, share {:.4}{}",
                    b.returns,
                    b.false_resolution,
                    b.return_after_mean_s
                        .map(|m| format!(", mean return delay {m:.0} s (exponential)"))
                        .unwrap_or_default()
                ));
            }
            None => r.push("bot: no bot_met in the records: no [bot]".into()),
        }
        r.push(format!(
            "staffing: not in the records; the schedule is the chats in service per hour at {:.0}% \
             occupancy (pools seen: {}); size it with `kefu plan`",
            STARTING_OCCUPANCY * 100.0,
            if self.pools_seen.is_empty() {
                "none".to_string()
            } else {
                self.pools_seen.join(", ")
            }
        ));
        if self
            .busy_by_hour
            .iter()
            .any(|&b| b / STARTING_OCCUPANCY > MAX_AGENTS)
        {
            r.push(format!(
                "  some hours would need over {MAX_AGENTS} agents (chats lasting years? check \
                 the end times): capped at {MAX_AGENTS}"
            ));
        }
        r.push(
            "not fitted: peaks, silent abandonment, concurrency, skills (one pool serves all)"
                .into(),
        );
        r
    }

    /// The report as text.
    pub fn report(&self) -> String {
        // Category and pool names come from the records: shown, never obeyed, by a terminal.
        let lines: Vec<String> = self
            .report_lines()
            .iter()
            .map(|l| crate::escape::terminal(l))
            .collect();
        let mut s = lines.join("\n");
        s.push('\n');
        s
    }

    /// The scenario file, headed by the report as comments.
    pub fn to_toml(&self) -> String {
        let mut t = String::new();
        for l in self.report_lines() {
            let _ = writeln!(t, "# {}", comment_safe(&l));
        }
        let _ = writeln!(t, "\nname = {}", q(&self.name));
        let _ = writeln!(
            t,
            "description = {}",
            q(&format!("Fitted by kefu calibrate from {}", self.source))
        );
        let _ = writeln!(
            t,
            "\n[run]\nstart = {}T00:00:00\ndays = {}\nwarmup_hours = 2.0\nreplications = 10\n\
             seed = 1\ninterval_minutes = 30",
            date(self.start_epoch_s),
            self.days
        );
        let _ = writeln!(t, "\n[arrivals]\nper_day = {:.2}", self.per_day);
        let prof: Vec<String> = self
            .hourly_profile
            .iter()
            .map(|x| format!("{x:.4}"))
            .collect();
        let _ = writeln!(
            t,
            "hourly_profile = [{},\n                  {}]",
            prof[..12].join(", "),
            prof[12..].join(", ")
        );
        if let Some(w) = &self.weekday_factors {
            let w: Vec<String> = w.iter().map(|x| format!("{x:.4}")).collect();
            let _ = writeln!(t, "weekday_factors = [{}]", w.join(", "));
        }
        if let Some(b) = self.busyness.filter(|b| b.significant()) {
            let _ = writeln!(
                t,
                "# day busyness: variance of daily counts beyond Poisson after the weekday profile \
                 (method of moments on {} days): cv² = {:.5} ± {:.5} (standard error)",
                b.days, b.cv2, b.cv2_se
            );
            let _ = writeln!(
                t,
                "busyness = {{ cv = {:.4} }}",
                b.cv().min(crate::model::busyness::MAX_CV)
            );
        }
        let sh = shares(&self.categories.iter().map(|c| c.share).collect::<Vec<_>>());
        for (c, share) in self.categories.iter().zip(sh) {
            let _ = writeln!(
                t,
                "\n[[categories]]\nname = {}\nshare = {share}",
                q(&c.name)
            );
            let _ = writeln!(
                t,
                "complex_share = {:.6}\nvip_share = {:.6}\nskill = \"general\"",
                c.complex_share, c.vip_share
            );
            match &c.handle {
                Some(h) => {
                    let _ = writeln!(t, "handle_time = {}", dist(h));
                }
                None => {
                    let _ = writeln!(
                        t,
                        "handle_time = {{ dist = \"exponential\", mean_s = 300 }}  # no data: a placeholder"
                    );
                }
            }
            if let Some(x) = &c.complex_handle {
                let _ = writeln!(t, "complex_handle_time = {}", dist(x));
            }
            if let Some(p) = &c.patience {
                let _ = writeln!(
                    t,
                    "patience = {{ dist = \"exponential\", mean_s = {} }}",
                    fixed(p.mean_s, 2)
                );
            }
        }
        if let Some(b) = &self.bot {
            let _ = writeln!(t, "\n[bot]\ncoverage = {:.6}", b.coverage);
            let fallback = b.basic.clone();
            for (name, p) in [("basic", &b.basic), ("complex", &b.complex)] {
                let p = if p.met == 0 { &fallback } else { p };
                let response = match p.response {
                    Some((a, z)) if z - a > 1e-3 => {
                        format!("{{ dist = \"uniform\", min_s = {a:.3}, max_s = {z:.3} }}")
                    }
                    Some((a, _)) => {
                        format!("{{ dist = \"constant\", value_s = {:.3} }}", a.max(0.0))
                    }
                    None => "{ dist = \"constant\", value_s = 1.0 }".into(),
                };
                let _ = writeln!(
                    t,
                    "{name} = {{ response = {response}, resolve = {:.6} }}",
                    p.resolve
                );
            }
            if let (Some(m), true) = (b.return_after_mean_s, b.returns > 0) {
                let _ = writeln!(
                    t,
                    "false_resolution = {:.6}\nreturn_after = {{ dist = \"exponential\", mean_s = {:.1} }}",
                    b.false_resolution,
                    m.max(1.0)
                );
            }
        }
        let _ = writeln!(
            t,
            "\n# A starting point only: chats in service per hour ÷ {STARTING_OCCUPANCY}.\n\
             [[pools]]\nname = \"agents\"\nskills = [\"general\"]\nschedule = ["
        );
        for h in 0..24 {
            let agents = starting_agents(self.busy_by_hour[h]);
            let _ = writeln!(
                t,
                "  {{ from = \"{h:02}:00\", to = \"{:02}:00\", agents = {agents} }},",
                (h + 1) % 24
            );
        }
        let _ = writeln!(t, "]");
        if let Some(a) = &self.absence {
            let _ = writeln!(
                t,
                "# absence from the roster against actuals ({} days, {:.0} scheduled agent-days): \
                 {:.4} ± {:.4} (standard error)\nabsence = {:.4}",
                a.rows,
                a.scheduled,
                a.absence,
                a.se,
                a.absence.clamp(0.0, 0.99)
            );
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Proptest (`structured_records_never_panic`, 50 000 cases): two handle times of
    /// 2496.9 s and 2497.0 s gave a gamma fit with cv 2.4e-5, written `cv = 0.0000`,
    /// which does not load.
    #[test]
    fn tiny_positive_values_are_not_rounded_to_zero() {
        assert_eq!(fixed(0.8, 4), "0.8000");
        assert_eq!(fixed(0.0, 4), "0.0000");
        assert_eq!(fixed(2.4e-5, 4), "2.4e-5");
        assert_eq!(fixed(0.0015, 2), "1.5e-3");
        assert_eq!(fixed(2497.0, 2), "2497.00");
        for text in [fixed(2.4e-5, 4), fixed(0.0015, 2)] {
            let v: toml::Value = toml::from_str(&format!("x = {text}")).unwrap();
            assert!(v["x"].as_float().unwrap() > 0.0, "{text}");
        }
    }

    /// Found by `a_long_chat_row_calibrates_promptly` (a corrupt `end` thousands of years
    /// after the start): 3.4 M agents an hour, over the scenario's limit of 10⁶.
    #[test]
    fn starting_agents_stay_within_the_scenario_limit() {
        assert_eq!(starting_agents(0.0), 1);
        assert_eq!(starting_agents(0.85), 1);
        assert_eq!(starting_agents(0.86), 2);
        assert_eq!(starting_agents(1e12), 1_000_000);
        assert_eq!(starting_agents(f64::INFINITY), 1_000_000);
    }

    #[test]
    fn comments_never_hold_control_characters() {
        assert_eq!(comment_safe("a\tb"), "a\tb");
        assert_eq!(
            comment_safe("x\nname = 1\r\u{0}\u{7f}"),
            "x\\u{000A}name = 1\\u{000D}\\u{0000}\\u{007F}"
        );
    }
}
