//! The small sections: `[run]`, `[target]`, `[[surge]]`, `[costs]`, `[offline]` (`[routing]`
//! is in `routing.rs`).

use super::walk::{as_str, suggest, Ctx, Rule, Tbl};
use crate::model::time::{days_from_civil, Calendar, DAY_S};
use crate::model::{Costs, Offline, RunSettings, Surge, Target};

const RUN_KEYS: &[&str] = &[
    "start",
    "days",
    "warmup_hours",
    "replications",
    "seed",
    "interval_minutes",
];
const TARGET_KEYS: &[&str] = &[
    "answer_within_s",
    "service_level",
    "queue_alert_waiting",
    "short_abandon_s",
];
const SURGE_KEYS: &[&str] = &[
    "pool",
    "agents",
    "after_s",
    "join_delay_s",
    "release_after_s",
];
const COSTS_KEYS: &[&str] = &["agent_hour", "bot_contact", "currency"];
const OFFLINE_KEYS: &[&str] = &["tickets"];

/// `[run]` → settings; `start_epoch` is also returned (epoch seconds of `start`).
pub(crate) fn run(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> (RunSettings, i64) {
    let t = root.table(ctx, "run", "run", RUN_KEYS);
    let start = t
        .datetime(ctx, "start")
        .unwrap_or(days_from_civil(2026, 1, 5) * 86_400);
    let days = t
        .num_req(ctx, "days", Rule::PosAtMost(3660.0), "days = 1")
        .unwrap_or(1.0);
    let warmup_h = t
        .num(ctx, "warmup_hours", Rule::Between(0.0, 8784.0))
        .unwrap_or(0.0);
    let replications = t.int(ctx, "replications", 1, 10_000).unwrap_or(10) as u32;
    let seed = t.int(ctx, "seed", 0, i64::MAX).unwrap_or(1) as u64;
    let mut interval_min = 30.0;
    if let Some(m) = t.num(ctx, "interval_minutes", Rule::Pos) {
        let n = 1440.0 / m;
        if (n - n.round()).abs() > 1e-9 {
            ctx.err_hint(
                t.line_of(ctx, "interval_minutes"),
                "run.interval_minutes",
                format!("{m} minutes does not divide a day"),
                "use a divisor of 1440, e.g. 15, 30 or 60",
            );
        } else {
            interval_min = m;
        }
    }
    let warmup_s = (warmup_h * 3600.0).round();
    let calendar = Calendar {
        origin_epoch_s: start - warmup_s as i64,
    };
    let settings = RunSettings {
        calendar,
        counted_from: warmup_s,
        counted_to: warmup_s + days * DAY_S,
        replications,
        seed,
        interval_s: interval_min * 60.0,
    };
    (settings, start)
}

/// `[target]`.
pub(crate) fn target(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> Target {
    let t = root.table(ctx, "target", "target", TARGET_KEYS);
    Target {
        answer_within_s: t.num_or(ctx, "answer_within_s", Rule::Pos, 120.0),
        service_level: t.num_or(ctx, "service_level", Rule::UnitPos, 0.90),
        queue_alert_waiting: t
            .int(ctx, "queue_alert_waiting", 0, u32::MAX as i64)
            .unwrap_or(5) as u32,
        short_abandon_s: t.num_or(ctx, "short_abandon_s", Rule::NonNeg, 5.0),
    }
}

/// `[[surge]]`; `pools` are the pool names (`None` when the pools could not be read).
pub(crate) fn surges(
    ctx: &mut Ctx,
    root: &Tbl<'_, '_, '_>,
    pools: Option<&[String]>,
) -> Vec<Surge> {
    let mut out = Vec::new();
    for (i, (map, line)) in root.tables(ctx, "surge").into_iter().enumerate() {
        let path = format!("surge[{i}]");
        let t = Tbl::new(ctx, &path, Some(map), Some(line), SURGE_KEYS);
        let pool = match t.get("pool") {
            None => {
                t.missing(ctx, "pool", "pool = \"general\"");
                None
            }
            Some(v) => as_str(ctx, &t.key("pool"), v).and_then(|name| {
                let names = pools?;
                let found = names.iter().position(|p| p == name);
                if found.is_none() {
                    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                    let hint = match suggest(name, &refs) {
                        Some(s) => format!("did you mean \"{s}\"?"),
                        None => format!("pools: {}", refs.join(", ")),
                    };
                    ctx.err_hint(
                        t.line_of(ctx, "pool"),
                        &t.key("pool"),
                        format!("no pool is named \"{name}\""),
                        hint,
                    );
                }
                found
            }),
        };
        let agents = t.int_req(ctx, "agents", 1, 100_000, "agents = 5");
        let after_s = t.num_req(ctx, "after_s", Rule::NonNeg, "after_s = 120");
        let join_delay_s = t.num_req(ctx, "join_delay_s", Rule::NonNeg, "join_delay_s = 600");
        let release_after_s = t.num_req(
            ctx,
            "release_after_s",
            Rule::NonNeg,
            "release_after_s = 1800",
        );
        if let (
            Some(pool),
            Some(agents),
            Some(after_s),
            Some(join_delay_s),
            Some(release_after_s),
        ) = (pool, agents, after_s, join_delay_s, release_after_s)
        {
            out.push(Surge {
                pool,
                agents: agents as u32,
                after_s,
                join_delay_s,
                release_after_s,
            });
        }
    }
    out
}

/// `[costs]` (absent → `None`).
pub(crate) fn costs(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> Option<Costs> {
    let t = root.table(ctx, "costs", "costs", COSTS_KEYS);
    if !t.is_present() {
        return None;
    }
    let currency = t
        .string(ctx, "currency")
        .unwrap_or("CNY")
        .trim()
        .to_string();
    if currency.is_empty() {
        ctx.err_hint(
            t.line_of(ctx, "currency"),
            "costs.currency",
            "must not be empty",
            "e.g. currency = \"CNY\"",
        );
    }
    Some(Costs {
        agent_hour: t.num_or(ctx, "agent_hour", Rule::NonNeg, 0.0),
        bot_contact: t.num_or(ctx, "bot_contact", Rule::NonNeg, 0.0),
        currency,
    })
}

/// `[offline]`.
pub(crate) fn offline(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> Offline {
    let t = root.table(ctx, "offline", "offline", OFFLINE_KEYS);
    Offline {
        tickets: t.boolean(ctx, "tickets").unwrap_or(true),
    }
}
