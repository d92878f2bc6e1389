//! The offline ticket backlog of a run: tickets made (contacts arriving when no agent with
//! their skill is on duty) less tickets worked, interval by interval, as means over
//! replications (means are linear, so the running sum of mean differences is the mean
//! backlog). The report's tickets card and sentence read it; the load chart draws it.

use crate::model::Model;
use crate::summary::{Aggregate, IntervalField};

/// The backlog's key figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backlog {
    /// The most tickets open at an interval end, and that instant.
    pub peak: f64,
    pub peak_at: f64,
    /// Tickets still open at the end of the counted horizon.
    pub at_end: f64,
    /// Tickets made over the horizon.
    pub made: f64,
}

/// The backlog of the run, `None` when it made no ticket.
pub fn backlog(m: &Model, agg: &Aggregate) -> anyhow::Result<Option<Backlog>> {
    let (mut open, mut made) = (0.0, 0.0);
    let mut peak = (0.0, m.run.counted_from);
    agg.intervals.for_each(|i, iv, _| {
        let new = iv[IntervalField::Tickets].mean().unwrap_or(0.0);
        made += new;
        open += new - iv[IntervalField::TicketsWorked].mean().unwrap_or(0.0);
        if open > peak.0 {
            peak = (open, m.run.interval_start(i + 1).min(m.run.counted_to));
        }
    })?;
    Ok((made > 0.0).then_some(Backlog {
        peak: peak.0,
        peak_at: peak.1,
        at_end: open.max(0.0),
        made,
    }))
}
