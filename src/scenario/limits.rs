//! The model's own size limits, checked while validating so that `kefu check` and `kefu run`
//! agree: counts of categories, pools, skills, peaks, surges and shift types (checked on the
//! raw tables, before the conversion does work per entry), reporting intervals and expected
//! contacts per replication (checked on the built model). Limits that depend on the
//! replications asked for stay in `crate::guard`.

use super::walk::{Ctx, Tbl};
use crate::escape::num;
use crate::model::Model;
use toml::de::DeValue;

/// Most `[[categories]]`: each one adds per-interval statistics to every replication.
pub const MAX_CATEGORIES: usize = 1000;
/// Most `[[pools]]`.
pub const MAX_POOLS: usize = 1000;
/// Most distinct skills (over categories and pools).
pub const MAX_SKILLS: usize = 1000;
/// Most `[[arrivals.peaks]]`.
pub const MAX_PEAKS: usize = 1000;
/// Most `[[surge]]` rules.
pub const MAX_SURGES: usize = 1000;
/// Most `[[planning.shifts]]` types.
pub const MAX_SHIFT_TYPES: usize = 100;
/// Most reporting intervals kept (days × 1440 / interval_minutes).
pub const MAX_INTERVALS: usize = 500_000;
/// Most expected contacts in one replication (an overloaded replication keeps its backlog
/// in memory, ~100 bytes per waiting contact).
pub const MAX_CONTACTS_PER_REPLICATION: f64 = 1.0e9;

/// The length of the array at `path` (e.g. `["arrivals", "peaks"]`) with its line.
fn array_len(ctx: &Ctx, root: &Tbl<'_, '_, '_>, path: &[&str]) -> Option<(usize, usize)> {
    let mut v = root.get(path[0])?;
    for k in &path[1..] {
        let DeValue::Table(t) = v.get_ref() else {
            return None;
        };
        v = t.get(*k)?;
    }
    match v.get_ref() {
        DeValue::Array(a) => Some((a.len(), ctx.line_of(v.span()))),
        _ => None,
    }
}

/// Refuses more entries than the limits; false when any count is over (the conversion is
/// then skipped: it does work per entry and pair of entries).
pub(crate) fn check_counts(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> bool {
    let limits: [(&[&str], usize, &str); 5] = [
        (&["categories"], MAX_CATEGORIES, "categories"),
        (&["pools"], MAX_POOLS, "pools"),
        (&["arrivals", "peaks"], MAX_PEAKS, "peaks"),
        (&["surge"], MAX_SURGES, "surge rules"),
        (&["planning", "shifts"], MAX_SHIFT_TYPES, "shift types"),
    ];
    let mut ok = true;
    for (path, limit, what) in limits {
        if let Some((n, line)) = array_len(ctx, root, path) {
            if n > limit {
                ok = false;
                ctx.err_hint(
                    Some(line),
                    &path.join("."),
                    format!("has {n} entries; at most {limit} {what} are allowed"),
                    "merge similar entries; docs/reliability.md lists the limits",
                );
            }
        }
    }
    ok
}

/// Refuses a built model over the interval, skill or contact limits.
pub(crate) fn check_model(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>, m: &Model) {
    if m.skills.len() > MAX_SKILLS {
        ctx.err(
            root.line_of(ctx, "pools"),
            "pools",
            format!(
                "the scenario has {} distinct skills; at most {MAX_SKILLS} are allowed",
                m.skills.len()
            ),
        );
    }
    let intervals = m.run.interval_count();
    if intervals > MAX_INTERVALS {
        ctx.err_hint(
            root.line_of(ctx, "run"),
            "run",
            format!(
                "the run has {intervals} reporting intervals ({} days of {} minutes); at most {MAX_INTERVALS} are kept",
                num(m.run.days()),
                num(m.run.interval_s / 60.0)
            ),
            "use a longer [run] interval_minutes or fewer days",
        );
    }
    let returns = m.bot.as_ref().map_or(0.0, |b| b.false_resolution);
    let per_rep = m.expected_arrivals() * (1.0 + returns);
    if per_rep.is_nan() || per_rep > MAX_CONTACTS_PER_REPLICATION {
        ctx.err_hint(
            root.line_of(ctx, "arrivals"),
            "arrivals",
            format!(
                "one replication would simulate {}; at most {} are allowed",
                if per_rep.is_finite() {
                    format!("about {} contacts", num(per_rep.round()))
                } else {
                    "more contacts than a number can hold (the expected count overflows)"
                        .to_string()
                },
                num(MAX_CONTACTS_PER_REPLICATION)
            ),
            "check [arrivals] per_day, the peaks' multipliers, the forecast and [run] days",
        );
    }
}
