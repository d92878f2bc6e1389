//! The compact summary printed after a run.

use crate::escape::terminal;
use crate::model::Model;
use crate::stats::Estimate;
use crate::summary::{Aggregate, HumanMetric, TotalMetric};
use crate::verdict::Verdict;
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
pub fn summary(m: &Model, agg: &Aggregate, replications: u32, verdict: &Verdict) -> String {
    let mut s = String::new();
    let sl = agg.get(HumanMetric::ServiceLevel);
    let _ = writeln!(
        s,
        "{} — {} replication(s), {:.1} day(s)",
        terminal(&m.name),
        replications,
        m.run.days()
    );
    let _ = writeln!(
        s,
        "  service level   {}  answered within {:.0} s (target {:.0}%)",
        pct(sl),
        m.target.answer_within_s,
        m.target.service_level * 100.0,
    );
    let _ = writeln!(s, "  verdict         {}", verdict.line());
    if let Some(days) = agg
        .get(TotalMetric::DaysMeetShare)
        .filter(|_| m.reports_days())
    {
        let _ = writeln!(
            s,
            "  days meeting it {}  of simulated days (each day's own service level)",
            pct(Some(days))
        );
    }
    let _ = writeln!(
        s,
        "  wait            mean {}, p90 {}  (answered contacts)",
        secs(agg.get(HumanMetric::MeanWaitS)),
        secs(agg.get(HumanMetric::WaitP90S))
    );
    let _ = writeln!(
        s,
        "  contacts        {} arrived, {} to agents, {} abandoned ({})",
        count(agg.get(TotalMetric::Contacts)),
        count(agg.get(HumanMetric::Offered)),
        count(agg.get(HumanMetric::Abandoned)),
        pct(agg.get(HumanMetric::AbandonRate))
    );
    if m.bot.is_some() {
        let _ = writeln!(
            s,
            "  bot             met {}, resolved {} (containment {})",
            count(agg.get(TotalMetric::BotMet)),
            count(agg.get(TotalMetric::BotResolved)),
            pct(agg.get(TotalMetric::BotContainment))
        );
    }
    let _ = writeln!(
        s,
        "  tickets         {} (mean response {}), unserved {}",
        count(agg.get(TotalMetric::TicketCount)),
        secs(agg.get(TotalMetric::TicketMeanResponseS)),
        count(agg.get(TotalMetric::Unserved))
    );
    let _ = writeln!(
        s,
        "  queue alerts    {} episode(s), {:.0} min in alert, longest {}",
        count(agg.get(TotalMetric::AlertEpisodes)),
        agg.get(TotalMetric::AlertTotalS)
            .and_then(|e| e.mean)
            .unwrap_or(0.0)
            / 60.0,
        secs(agg.get(TotalMetric::AlertLongestS))
    );
    let _ = writeln!(
        s,
        "  agents          occupancy {}, {} agent-hours",
        pct(agg.get(HumanMetric::Occupancy)),
        count(agg.get(TotalMetric::AgentHours))
    );
    if !m.surges.is_empty() {
        let _ = writeln!(
            s,
            "  surge           {} call-in(s), {} agent-hours",
            count(agg.get(TotalMetric::SurgeCallIns)),
            count(agg.get(TotalMetric::SurgeAgentHours))
        );
    }
    if let Some(c) = &m.costs {
        let total = agg
            .get(TotalMetric::CostTotal)
            .and_then(|e| e.mean)
            .unwrap_or(0.0);
        let per = agg
            .get(TotalMetric::CostPerContact)
            .and_then(|e| e.mean)
            .unwrap_or(0.0);
        let _ = writeln!(
            s,
            "  cost            {total:.0} {} ({per:.2} per contact)",
            terminal(&c.currency)
        );
    }
    if let Some(r) = agg
        .get(HumanMetric::ReturnShare)
        .and_then(|e| e.mean)
        .filter(|r| *r > 0.0)
    {
        let _ = writeln!(
            s,
            "  returns         {:.1}% of human contacts came back after a false bot resolution",
            r * 100.0
        );
    }
    let censored = agg
        .get(TotalMetric::Censored)
        .and_then(|e| e.mean)
        .unwrap_or(0.0);
    if censored > 0.0 {
        let _ = writeln!(s, "  warning: {censored:.1} contact(s) per replication still unfinished 30 days after the horizon");
    }
    s
}
