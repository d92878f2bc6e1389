//! `[[pools]]`: skills, concurrency and headcount (constant `agents`, a daily `schedule`, or a
//! per-interval `staffing_csv` as `kefu plan` writes it).

use toml::de::DeValue;

use super::arrivals::check_steps;
use super::categories::nonempty_name;
use super::csvfile::{cell, read_csv, require_columns};
use super::walk::{as_str, parse_local_datetime, parse_time_of_day, suggest, Ctx, Rule, Tbl};
use crate::escape::excerpt;
use crate::model::{Pool, RunSettings, Staffing, TakeOrder, Window};

const KEYS: &[&str] = &[
    "name",
    "skills",
    "concurrency",
    "concurrency_slowdown",
    "agents",
    "schedule",
    "staffing_csv",
    "absence",
    "handle_factor",
    "take",
];
/// Most agents in one pool at one time (TOML `agents`, schedule windows, staffing CSV rows).
pub(crate) const MAX_AGENTS: u32 = 1_000_000;

const WINDOW_KEYS: &[&str] = &["from", "to", "agents", "days"];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FULL_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A pool read from the file; its skills are still names.
pub(crate) struct RawPool {
    pub pool: Pool,
    pub skills: Vec<String>,
    /// Line of the `skills` key.
    pub skills_line: Option<usize>,
    pub path: String,
    /// `handle_factor` entries: skill name, factor, line (resolved with the skills).
    pub handle_factor: Vec<(String, f64, Option<usize>)>,
}

/// All `[[pools]]`; `None` when any is invalid.
pub(crate) fn pools(
    ctx: &mut Ctx,
    root: &Tbl<'_, '_, '_>,
    run: &RunSettings,
) -> Option<Vec<RawPool>> {
    let entries = root.tables(ctx, "pools");
    if entries.is_empty() {
        if !matches!(root.get("pools").map(|v| v.get_ref()), Some(v) if !matches!(v, DeValue::Array(a) if a.is_empty()))
        {
            ctx.err_hint(
                None,
                "pools",
                "at least one agent pool is needed",
                "add a `[[pools]]` table with name, skills and agents",
            );
        }
        return None;
    }
    let before = ctx.error_count();
    let mut out: Vec<RawPool> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, (map, line)) in entries.into_iter().enumerate() {
        let path = format!("pools[{i}]");
        let t = Tbl::new(ctx, &path, Some(map), Some(line), KEYS);
        let name = nonempty_name(ctx, &t, "name = \"general\"");
        if let Some(n) = &name {
            if names.contains(n) {
                ctx.err_hint(
                    t.line_of(ctx, "name"),
                    &t.key("name"),
                    format!("pool \"{n}\" is defined twice"),
                    "pool names must be unique",
                );
            }
            names.push(n.clone());
        }
        let skills = skills(ctx, &t);
        let concurrency = t.int(ctx, "concurrency", 1, 50).unwrap_or(1) as u32;
        let concurrency_slowdown = t.num_or(ctx, "concurrency_slowdown", Rule::NonNeg, 0.0);
        let staffing = staffing(ctx, &t, name.as_deref(), run);
        let absence = t.num_or(ctx, "absence", Rule::HalfOpen(0.0, 1.0), 0.0);
        let handle_factor = handle_factor(ctx, &t);
        let take = take_order(ctx, &t);
        if let Some(s) = &staffing {
            if s.max_headcount() == 0 {
                ctx.err_hint(
                    Some(line),
                    &path,
                    "has 0 agents at all times",
                    "give it some headcount, or remove the pool",
                );
            }
        }
        if let (Some(name), Some(skills), Some(staffing)) = (name, skills, staffing) {
            let pool = Pool {
                name,
                skills: Vec::new(),
                concurrency,
                concurrency_slowdown,
                staffing,
                absence,
                handle_factor: Vec::new(),
                take,
            };
            let skills_line = t.line_of(ctx, "skills");
            out.push(RawPool {
                pool,
                skills,
                skills_line,
                path,
                handle_factor,
            });
        }
    }
    (ctx.error_count() == before).then_some(out)
}

/// `handle_factor = { skill = factor }`: entries in file order (skills checked later).
fn handle_factor(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>) -> Vec<(String, f64, Option<usize>)> {
    let Some(v) = t.get("handle_factor") else {
        return Vec::new();
    };
    let key = t.key("handle_factor");
    let DeValue::Table(map) = v.get_ref() else {
        ctx.err_hint(
            Some(ctx.line_of(v.span())),
            &key,
            "must be a table of skill = factor",
            "e.g. handle_factor = { billing = 0.75 }",
        );
        return Vec::new();
    };
    let sub = Tbl {
        path: &key,
        map: Some(map),
        line: Some(ctx.line_of(v.span())),
    };
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut out = Vec::new();
    for (k, _) in entries {
        let skill = k.get_ref().to_string();
        if let Some(f) = sub.num(ctx, &skill, Rule::PosAtMost(100.0)) {
            out.push((skill.clone(), f, sub.line_of(ctx, &skill)));
        }
    }
    out
}

/// `take = "longest_waiting" | "skill_order"`.
fn take_order(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>) -> TakeOrder {
    match t.string(ctx, "take") {
        None | Some("longest_waiting") => TakeOrder::LongestWaiting,
        Some("skill_order") => TakeOrder::SkillOrder,
        Some(other) => {
            ctx.err_hint(
                t.line_of(ctx, "take"),
                &t.key("take"),
                format!("unknown order \"{}\"", excerpt(other)),
                "use \"longest_waiting\" (default) or \"skill_order\"",
            );
            TakeOrder::LongestWaiting
        }
    }
}

fn skills(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>) -> Option<Vec<String>> {
    if !t.has("skills") {
        t.missing(ctx, "skills", "skills = [\"general\"]");
        return None;
    }
    let items = t.array(ctx, "skills")?;
    if items.is_empty() {
        ctx.err_hint(
            t.line_of(ctx, "skills"),
            &t.key("skills"),
            "is empty",
            "a pool must serve at least one skill, e.g. skills = [\"general\"]",
        );
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut ok = true;
    for (i, v) in items.iter().enumerate() {
        let key = format!("{}[{i}]", t.key("skills"));
        match as_str(ctx, &key, v).map(str::trim) {
            Some("") => {
                ctx.err(Some(ctx.line_of(v.span())), &key, "must not be empty");
                ok = false;
            }
            Some(s) if out.iter().any(|o| o == s) => {
                ctx.err(
                    Some(ctx.line_of(v.span())),
                    &key,
                    format!("skill \"{s}\" is listed twice"),
                );
                ok = false;
            }
            Some(s) => out.push(s.to_string()),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn staffing(
    ctx: &mut Ctx,
    t: &Tbl<'_, '_, '_>,
    name: Option<&str>,
    run: &RunSettings,
) -> Option<Staffing> {
    let given: Vec<&str> = ["agents", "schedule", "staffing_csv"]
        .into_iter()
        .filter(|k| t.has(k))
        .collect();
    match given.as_slice() {
        [] => {
            ctx.err_hint(t.line, t.path, "has no headcount", "give exactly one of `agents = 10`, `schedule = [...]` or `staffing_csv = \"plan.csv\"`");
            None
        }
        ["agents"] => t
            .int(ctx, "agents", 0, MAX_AGENTS.into())
            .map(|n| Staffing::Constant(n as u32)),
        ["schedule"] => schedule(ctx, t),
        ["staffing_csv"] => {
            let rel = t.string(ctx, "staffing_csv")?;
            staffing_csv(ctx, t, rel, name?, run)
        }
        several => {
            ctx.err_hint(
                t.line_of(ctx, several[1]),
                &t.key(several[1]),
                format!("headcount is given twice ({})", several.join(" and ")),
                "give exactly one of `agents`, `schedule` or `staffing_csv`",
            );
            None
        }
    }
}

fn schedule(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>) -> Option<Staffing> {
    let key = t.key("schedule");
    let line = t.line_of(ctx, "schedule");
    let items = t.array(ctx, "schedule")?;
    if items.is_empty() {
        ctx.err_hint(
            line,
            &key,
            "is empty",
            "add windows like { from = \"08:00\", to = \"22:00\", agents = 20 }",
        );
        return None;
    }
    let before = ctx.error_count();
    let mut windows = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let path = format!("{key}[{i}]");
        let DeValue::Table(map) = v.get_ref() else {
            super::walk::type_err(
                ctx,
                &path,
                v,
                "a window like { from = \"08:00\", to = \"22:00\", agents = 20 }",
            );
            continue;
        };
        let w = Tbl::new(
            ctx,
            &path,
            Some(map),
            Some(ctx.line_of(v.span())),
            WINDOW_KEYS,
        );
        let hhmm = |ctx: &mut Ctx, k: &str| -> Option<f64> {
            if !w.has(k) {
                w.missing(ctx, k, &format!("{k} = \"08:00\""));
                return None;
            }
            let s = w.string(ctx, k)?;
            let parsed = parse_time_of_day(s);
            if parsed.is_none() {
                let hint = if s == "24:00" {
                    "use \"00:00\" for midnight: a window to \"00:00\" ends at midnight"
                } else {
                    "use \"HH:MM\", 00:00–23:59"
                };
                ctx.err_hint(
                    w.line_of(ctx, k),
                    &w.key(k),
                    format!("\"{s}\" is not a time of day"),
                    hint,
                );
            }
            parsed
        };
        let from_s = hhmm(ctx, "from");
        let to_s = hhmm(ctx, "to");
        let agents = w.int_req(ctx, "agents", 0, MAX_AGENTS.into(), "agents = 10");
        let days = match w.get("days") {
            None => Some([true; 7]),
            Some(_) => days(ctx, &w),
        };
        if let (Some(from_s), Some(to_s), Some(agents), Some(days)) = (from_s, to_s, agents, days) {
            windows.push(Window {
                from_s,
                to_s,
                agents: agents as u32,
                days,
            });
        }
    }
    (ctx.error_count() == before).then_some(Staffing::Schedule(windows))
}

fn days(ctx: &mut Ctx, w: &Tbl<'_, '_, '_>) -> Option<[bool; 7]> {
    let items = w.array(ctx, "days")?;
    let key = w.key("days");
    if items.is_empty() {
        ctx.err_hint(
            w.line_of(ctx, "days"),
            &key,
            "is empty, so the window never applies",
            "list weekdays like [\"sat\", \"sun\"], or leave `days` out for every day",
        );
        return None;
    }
    let mut out = [false; 7];
    let mut ok = true;
    for (i, v) in items.iter().enumerate() {
        let k = format!("{key}[{i}]");
        let Some(s) = as_str(ctx, &k, v) else {
            ok = false;
            continue;
        };
        let low = s.trim().to_lowercase();
        match DAYS
            .iter()
            .position(|d| *d == low)
            .or_else(|| FULL_DAYS.iter().position(|d| *d == low))
        {
            Some(d) => out[d] = true,
            None => {
                let hint = match suggest(&low, &DAYS).or_else(|| suggest(&low, &FULL_DAYS)) {
                    Some(d) => format!("did you mean \"{d}\"?"),
                    None => format!("use {}", DAYS.join(", ")),
                };
                ctx.err_hint(
                    Some(ctx.line_of(v.span())),
                    &k,
                    format!("\"{s}\" is not a weekday"),
                    hint,
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// Reads this pool's rows of a `start,pool,agents` plan.
fn staffing_csv(
    ctx: &mut Ctx,
    t: &Tbl<'_, '_, '_>,
    rel: &str,
    name: &str,
    run: &RunSettings,
) -> Option<Staffing> {
    let key = t.key("staffing_csv");
    let csv = read_csv(ctx, &key, t.line_of(ctx, "staffing_csv"), rel)?;
    let cols = require_columns(ctx, &csv, &key, &["start", "pool", "agents"])?;
    let before = ctx.error_count();
    let mut rows: Vec<(usize, i64, u32)> = Vec::new();
    let mut others: Vec<&str> = Vec::new();
    for (at, rec) in &csv.rows {
        let pool = cell(rec, cols[1]);
        if pool != name {
            if !others.contains(&pool) {
                others.push(pool);
            }
            continue;
        }
        let s = cell(rec, cols[0]);
        let start = parse_local_datetime(s);
        if start.is_none() {
            ctx.err_in(
                &csv.file,
                Some(*at),
                &key,
                format!("start \"{}\" is not a date-time", excerpt(s)),
                Some("use YYYY-MM-DDTHH:MM".into()),
            );
        }
        let a = cell(rec, cols[2]);
        let agents = a.parse::<u32>().ok();
        match agents {
            None => ctx.err_in(
                &csv.file,
                Some(*at),
                &key,
                format!("agents \"{}\" is not a whole number ≥ 0", excerpt(a)),
                None,
            ),
            Some(n) if n > MAX_AGENTS => ctx.err_in(
                &csv.file,
                Some(*at),
                &key,
                format!("agents {n} is more than {MAX_AGENTS}, the most a pool may have"),
                None,
            ),
            Some(_) => {}
        }
        let agents = agents.filter(|&n| n <= MAX_AGENTS);
        if let (Some(s), Some(a)) = (start, agents) {
            rows.push((*at, s, a));
        }
    }
    if ctx.error_count() > before {
        return None;
    }
    if rows.is_empty() {
        let found = if others.is_empty() {
            "none".to_string()
        } else {
            let shown: Vec<String> = others.iter().take(8).map(|o| excerpt(o)).collect();
            let more = others.len().saturating_sub(shown.len());
            if more > 0 {
                format!("{}, … {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        ctx.err_in(
            &csv.file,
            None,
            &key,
            format!("has no rows for pool \"{name}\" (pools in the file: {found})"),
            Some("the `pool` column must hold this pool's name".into()),
        );
        return None;
    }
    let step = check_steps(
        ctx,
        &csv.file,
        &key,
        rows.iter().map(|r| (r.0, r.1)),
        run.interval_s as i64,
    )?;
    let origin = run.calendar.origin_epoch_s;
    let (first, last) = (rows[0].1 - origin, rows[rows.len() - 1].1 - origin + step);
    if last <= 0 || first as f64 >= run.counted_to {
        let msg = format!(
            "no row of pool \"{name}\" falls in the simulated span ({} to {}); the nearest row's headcount is used throughout",
            super::walk::format_epoch(origin),
            super::walk::format_epoch(origin + run.counted_to as i64)
        );
        ctx.warn_in(
            &csv.file,
            None,
            &key,
            msg,
            Some("check the plan's dates against [run] start".into()),
        );
    }
    let rows = rows
        .into_iter()
        .map(|(_, s, a)| ((s - origin) as f64, a))
        .collect();
    Some(Staffing::Table {
        rows,
        step_s: step as f64,
    })
}
