//! The compact summary printed after a run.

use crate::escape::terminal;
use crate::model::Model;
use crate::stats::Estimate;
use crate::summary::Aggregate;
use std::fmt::Write;

fn pct(e: Option<Estimate>) -> String {
    match e.and_then(|e| e.mean.map(|m| (m, e.ci95))) {
        Some((m, Some(ci))) => format!("{:.1}% ± {:.1}", m * 100.0, ci * 100.0),
        Some((m, None)) => format!("{:.1}%", m * 100.0),
        None => "n/a".into(),
    }
}

fn secs(e: Option<Estimate>) -> String {
    match e.and_then(|e| e.mean) {
        Some(m) if m >= 120.0 => format!("{:.1} min", m / 60.0),
        Some(m) => format!("{m:.1} s"),
        None => "n/a".into(),
    }
}

fn count(e: Option<Estimate>) -> String {
    match e.and_then(|e| e.mean) {
        Some(m) if m >= 100.0 => format!("{m:.0}"),
        Some(m) => format!("{m:.1}"),
        None => "n/a".into(),
    }
}

/// The terminal summary text.
pub fn summary(m: &Model, agg: &Aggregate, replications: u32) -> String {
    let g = |p: &[&str]| agg.get(p);
    let mut s = String::new();
    let sl = g(&["human", "service_level"]);
    let met = sl
        .and_then(|e| e.mean)
        .is_some_and(|v| v >= m.target.service_level);
    let _ = writeln!(
        s,
        "{} — {} replication(s), {:.1} day(s)",
        terminal(&m.name),
        replications,
        m.run.days()
    );
    let _ = writeln!(
        s,
        "  service level   {}  answered within {:.0} s (target {:.0}%: {})",
        pct(sl),
        m.target.answer_within_s,
        m.target.service_level * 100.0,
        if met { "met" } else { "NOT met" }
    );
    let _ = writeln!(
        s,
        "  wait            mean {}, p90 {}  (answered contacts)",
        secs(g(&["human", "mean_wait_s"])),
        secs(g(&["human", "wait_p90_s"]))
    );
    let _ = writeln!(
        s,
        "  contacts        {} arrived, {} to agents, {} abandoned ({})",
        count(g(&["contacts"])),
        count(g(&["human", "offered"])),
        count(g(&["human", "abandoned"])),
        pct(g(&["human", "abandon_rate"]))
    );
    if m.bot.is_some() {
        let _ = writeln!(
            s,
            "  bot             met {}, resolved {} (containment {})",
            count(g(&["bot", "met"])),
            count(g(&["bot", "resolved"])),
            pct(g(&["bot", "containment"]))
        );
    }
    let _ = writeln!(
        s,
        "  tickets         {} (mean response {}), unserved {}",
        count(g(&["tickets", "count"])),
        secs(g(&["tickets", "mean_response_s"])),
        count(g(&["unserved"]))
    );
    let _ = writeln!(
        s,
        "  queue alerts    {} episode(s), {:.0} min in alert, longest {}",
        count(g(&["alerts", "episodes"])),
        g(&["alerts", "total_s"])
            .and_then(|e| e.mean)
            .unwrap_or(0.0)
            / 60.0,
        secs(g(&["alerts", "longest_s"]))
    );
    let _ = writeln!(
        s,
        "  agents          occupancy {}, {} agent-hours",
        pct(g(&["human", "occupancy"])),
        count(g(&["agents", "agent_hours"]))
    );
    if !m.surges.is_empty() {
        let _ = writeln!(
            s,
            "  surge           {} call-in(s), {} agent-hours",
            count(g(&["surge", "call_ins"])),
            count(g(&["surge", "agent_hours"]))
        );
    }
    if let Some(c) = &m.costs {
        let total = g(&["cost", "total"]).and_then(|e| e.mean).unwrap_or(0.0);
        let per = g(&["cost", "per_contact"])
            .and_then(|e| e.mean)
            .unwrap_or(0.0);
        let _ = writeln!(
            s,
            "  cost            {total:.0} {} ({per:.2} per contact)",
            terminal(&c.currency)
        );
    }
    if let Some(r) = g(&["human", "return_share"])
        .and_then(|e| e.mean)
        .filter(|r| *r > 0.0)
    {
        let _ = writeln!(
            s,
            "  returns         {:.1}% of human contacts came back after a false bot resolution",
            r * 100.0
        );
    }
    let censored = g(&["censored"]).and_then(|e| e.mean).unwrap_or(0.0);
    if censored > 0.0 {
        let _ = writeln!(s, "  warning: {censored:.1} contact(s) per replication still unfinished 30 days after the horizon");
    }
    s
}
