//! `[planning]`: the settings of `kefu plan` (`docs/planning.md`), with `[planning.shrinkage]`
//! per pool and `[[planning.shifts]]`. Every key is optional; an absent section is `None` and
//! the planner uses [`Planning::default`].

use toml::de::DeValue;

use super::walk::{as_num, as_str, parse_time_of_day, suggest, Ctx, Rule, Tbl, Val};
use crate::model::planning::VERIFY_SEED_OFFSET;
use crate::model::time::{DAY_S, HOUR_S};
use crate::model::{Planning, RunSettings, ShiftType};

const KEYS: &[&str] = &[
    "tuning_replications",
    "verify_replications",
    "verify_seed",
    "max_iterations",
    "confidence_z",
    "confidence",
    "margin",
    "small_interval_contacts",
    "small_interval_tolerance",
    "min_agents",
    "max_occupancy",
    "fixed_pools",
    "keep_surge",
    "shrinkage",
    "shifts",
];
const SHIFT_KEYS: &[&str] = &[
    "name",
    "hours",
    "earliest_start",
    "latest_start",
    "start_every_minutes",
    "break_minutes",
    "break_after_hours",
    "cost_factor",
];

/// `[planning]` (absent → `None`); `pools` are the pool names (`None` when the pools could not
/// be read: names are then not checked).
pub(crate) fn planning(
    ctx: &mut Ctx,
    root: &Tbl<'_, '_, '_>,
    run: &RunSettings,
    pools: Option<&[String]>,
) -> Option<Planning> {
    let t = root.table(ctx, "planning", "planning", KEYS);
    if !t.is_present() {
        return None;
    }
    let d = Planning::default();
    let int_or = |ctx: &mut Ctx, k: &str, lo: i64, hi: i64, default: u32| {
        t.int(ctx, k, lo, hi).map_or(default, |x| x as u32)
    };
    let tuning_replications = int_or(ctx, "tuning_replications", 2, 10_000, d.tuning_replications);
    let verify_replications = t
        .int(ctx, "verify_replications", 2, 10_000)
        .map(|x| x as u32);
    let verify_seed = t.int(ctx, "verify_seed", 0, i64::MAX).map(|x| x as u64);
    if verify_seed == Some(run.seed) {
        ctx.err_hint(
            t.line_of(ctx, "verify_seed"),
            "planning.verify_seed",
            format!(
                "equals [run] seed ({}): the verification must use fresh random numbers, not the ones the plan was tuned on",
                run.seed
            ),
            format!(
                "pick another seed, or leave it out for [run] seed + {VERIFY_SEED_OFFSET} = {}",
                run.seed.wrapping_add(VERIFY_SEED_OFFSET)
            ),
        );
    }
    let max_iterations = int_or(ctx, "max_iterations", 1, 1_000, d.max_iterations);
    let confidence_z = t.num_or(ctx, "confidence_z", Rule::Between(0.0, 5.0), d.confidence_z);
    let confidence = t.num(ctx, "confidence", Rule::Between(0.5, 0.999));
    let margin = t.num_or(ctx, "margin", Rule::HalfOpen(0.0, 0.5), d.margin);
    let small_interval_contacts = t.num_or(
        ctx,
        "small_interval_contacts",
        Rule::NonNeg,
        d.small_interval_contacts,
    );
    let small_interval_tolerance = t.num_or(
        ctx,
        "small_interval_tolerance",
        Rule::HalfOpen(0.0, 1.0),
        d.small_interval_tolerance,
    );
    let min_agents = int_or(ctx, "min_agents", 0, 1_000_000, d.min_agents);
    let max_occupancy = t.num(ctx, "max_occupancy", Rule::UnitPos);
    let keep_surge = t.boolean(ctx, "keep_surge").unwrap_or(d.keep_surge);
    let fixed_pools = fixed_pools(ctx, &t, pools);
    let shrinkage = shrinkage(ctx, &t, pools, &fixed_pools);
    let shifts = match t.get("shifts") {
        None => d.shifts,
        Some(_) => shifts(ctx, &t, run),
    };
    Some(Planning {
        tuning_replications,
        verify_replications,
        verify_seed,
        max_iterations,
        margin,
        confidence_z,
        confidence,
        small_interval_contacts,
        small_interval_tolerance,
        min_agents,
        max_occupancy,
        shrinkage,
        fixed_pools,
        shifts,
        keep_surge,
    })
}

/// The index of pool `name`, or an error with a did-you-mean (`None` also when `pools` is).
fn pool_id(
    ctx: &mut Ctx,
    key: &str,
    line: Option<usize>,
    name: &str,
    pools: Option<&[String]>,
) -> Option<usize> {
    let names = pools?;
    let found = names.iter().position(|p| p == name);
    if found.is_none() {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let hint = match suggest(name, &refs) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("pools: {}", refs.join(", ")),
        };
        ctx.err_hint(line, key, format!("no pool is named \"{name}\""), hint);
    }
    found
}

/// `fixed_pools = ["vip"]` → pool indices.
fn fixed_pools(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>, pools: Option<&[String]>) -> Vec<usize> {
    let Some(items) = t.array(ctx, "fixed_pools") else {
        return Vec::new();
    };
    let key = t.key("fixed_pools");
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let k = format!("{key}[{i}]");
        let line = Some(ctx.line_of(v.span()));
        let Some(name) = as_str(ctx, &k, v) else {
            continue;
        };
        let Some(id) = pool_id(ctx, &k, line, name, pools) else {
            continue;
        };
        if out.contains(&id) {
            ctx.err(line, &k, format!("pool \"{name}\" is listed twice"));
        } else {
            out.push(id);
        }
    }
    if let Some(names) = pools {
        if !names.is_empty() && out.len() == names.len() {
            ctx.err_hint(
                t.line_of(ctx, "fixed_pools"),
                &key,
                "lists every pool, so there is nothing left to plan",
                "list only the pools whose staffing is given; `kefu run` simulates a fully fixed scenario",
            );
        }
    }
    out
}

/// `[planning.shrinkage]`: per pool name, a number in [0, 1) or 24 hourly numbers. The result
/// has one entry per pool (0 where not given).
fn shrinkage(
    ctx: &mut Ctx,
    t: &Tbl<'_, '_, '_>,
    pools: Option<&[String]>,
    fixed: &[usize],
) -> Vec<[f64; 24]> {
    let mut out = vec![[0.0; 24]; pools.map_or(0, <[String]>::len)];
    let Some(v) = t.get("shrinkage") else {
        return out;
    };
    let key = t.key("shrinkage");
    let DeValue::Table(map) = v.get_ref() else {
        type_err_hint(
            ctx,
            &key,
            v,
            "a table",
            "write `[planning.shrinkage]` with one line per pool, e.g. general = 0.25",
        );
        return out;
    };
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in entries {
        let name = k.get_ref().as_ref();
        let path = format!("{key}.{name}");
        let line = Some(ctx.line_of(k.span()));
        let id = pool_id(ctx, &path, line, name, pools);
        let hours = shrinkage_value(ctx, &path, v);
        if let (Some(id), Some(hours)) = (id, hours) {
            if fixed.contains(&id) {
                ctx.warn(
                    line,
                    &path,
                    format!("pool \"{name}\" is in fixed_pools, so its shrinkage is not used"),
                    None,
                );
            }
            out[id] = hours;
        }
    }
    out
}

/// One pool's shrinkage: a number, or an array of 24 numbers (hours 0..23), each in [0, 1).
fn shrinkage_value(ctx: &mut Ctx, key: &str, v: &Val<'_>) -> Option<[f64; 24]> {
    let rule = Rule::HalfOpen(0.0, 1.0);
    match v.get_ref() {
        DeValue::Array(items) => {
            if items.len() != 24 {
                ctx.err_hint(
                    Some(ctx.line_of(v.span())),
                    key,
                    format!("has {} numbers, needs 24 (hours 0..23)", items.len()),
                    "give one number for every hour, or a single number for the whole day",
                );
                return None;
            }
            let vals: Vec<Option<f64>> = items
                .iter()
                .enumerate()
                .map(|(i, x)| as_num(ctx, &format!("{key}[{i}]"), x, rule))
                .collect();
            let vals: Option<Vec<f64>> = vals.into_iter().collect();
            vals.map(|v| {
                let mut h = [0.0; 24];
                h.copy_from_slice(&v);
                h
            })
        }
        DeValue::Integer(_) | DeValue::Float(_) => as_num(ctx, key, v, rule).map(|x| [x; 24]),
        _ => {
            type_err_hint(
                ctx,
                key,
                v,
                "a number or 24 hourly numbers",
                "e.g. general = 0.25 (a quarter of paid time is not available for chats)",
            );
            None
        }
    }
}

/// A type mismatch with a hint (a quoted number gets "remove the quotes" instead).
fn type_err_hint(ctx: &mut Ctx, key: &str, v: &Val<'_>, expected: &str, hint: &str) {
    if matches!(v.get_ref(), DeValue::String(s) if s.trim().parse::<f64>().is_ok()) {
        super::walk::type_err(ctx, key, v, &format!("{expected} (a number)"));
        return;
    }
    let msg = format!(
        "expected {expected}, found {}",
        super::walk::describe(v.get_ref())
    );
    ctx.err_hint(Some(ctx.line_of(v.span())), key, msg, hint);
}

/// `[[planning.shifts]]` (an empty array: no shift types, the roster is the paid requirement).
fn shifts(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>, run: &RunSettings) -> Vec<ShiftType> {
    let mut out: Vec<ShiftType> = Vec::new();
    for (i, (map, line)) in t.tables(ctx, "shifts").into_iter().enumerate() {
        let path = format!("planning.shifts[{i}]");
        let s = Tbl::new(ctx, &path, Some(map), Some(line), SHIFT_KEYS);
        if let Some(st) = shift(ctx, &s, run) {
            if out.iter().any(|o| o.name == st.name) {
                ctx.err_hint(
                    s.line_of(ctx, "name"),
                    &s.key("name"),
                    format!("shift \"{}\" is defined twice", st.name),
                    "shift names must be unique",
                );
            }
            out.push(st);
        }
    }
    out
}

/// One shift type; `None` when any of its keys is invalid.
fn shift(ctx: &mut Ctx, s: &Tbl<'_, '_, '_>, run: &RunSettings) -> Option<ShiftType> {
    let before = ctx.error_count();
    let name = super::categories::nonempty_name(ctx, s, "name = \"day 8h\"");
    let hours = s.num_req(ctx, "hours", Rule::PosAtMost(24.0), "hours = 8.0");
    let interval_min = run.interval_s / 60.0;
    if let Some(h) = hours {
        if h * HOUR_S + 1e-6 < run.interval_s {
            ctx.err_hint(
                s.line_of(ctx, "hours"),
                &s.key("hours"),
                format!("{h} h is shorter than one planning interval ({interval_min} min)"),
                "a shift must cover at least one whole [run] interval",
            );
        }
    }
    let step_min = match s.num(ctx, "start_every_minutes", Rule::Pos) {
        Some(m) if (1440.0 / m - (1440.0 / m).round()).abs() > 1e-9 => {
            ctx.err_hint(
                s.line_of(ctx, "start_every_minutes"),
                &s.key("start_every_minutes"),
                format!("{m} minutes does not divide a day"),
                "use a divisor of 1440, e.g. 15, 30 or 60",
            );
            None
        }
        Some(m) => Some(m),
        None if s.has("start_every_minutes") => None,
        None => Some(30.0),
    };
    if let Some(m) = step_min {
        let k = m / interval_min;
        if (k - k.round()).abs() > 1e-9 {
            ctx.warn(
                s.line_of(ctx, "start_every_minutes"),
                &s.key("start_every_minutes"),
                format!("{m} minutes is not a multiple of the {interval_min}-minute interval"),
                Some(
                    "shifts only start on interval boundaries, so some starts are never used"
                        .into(),
                ),
            );
        }
    }
    let time = |ctx: &mut Ctx, k: &str| -> Option<f64> {
        let v = s.string(ctx, k)?;
        let parsed = parse_time_of_day(v);
        if parsed.is_none() {
            ctx.err_hint(
                s.line_of(ctx, k),
                &s.key(k),
                format!("\"{v}\" is not a time of day"),
                "use \"HH:MM\", 00:00–23:59",
            );
        }
        parsed
    };
    let earliest = match s.get("earliest_start") {
        None => Some(0.0),
        Some(_) => time(ctx, "earliest_start"),
    };
    if let Some(e) = earliest {
        let k = e / run.interval_s;
        if (k - k.round()).abs() > 1e-9 {
            ctx.warn(
                s.line_of(ctx, "earliest_start"),
                &s.key("earliest_start"),
                format!("is not on the {interval_min}-minute interval grid"),
                Some(
                    "shifts only start on interval boundaries; starts off the grid are never used"
                        .into(),
                ),
            );
        }
    }
    let latest = match s.get("latest_start") {
        None => step_min.map(|m| DAY_S - m * 60.0),
        Some(_) => time(ctx, "latest_start"),
    };
    let break_min = s.num_or(ctx, "break_minutes", Rule::NonNeg, 0.0);
    if let Some(h) = hours {
        if break_min >= h * 60.0 {
            ctx.err_hint(
                s.line_of(ctx, "break_minutes"),
                &s.key("break_minutes"),
                format!("a {break_min}-minute break does not fit a {h} h shift"),
                "the break must be shorter than the shift",
            );
        }
    }
    let window = break_window(ctx, s, hours, break_min, run.interval_s);
    let cost_factor = s.num_or(ctx, "cost_factor", Rule::Pos, 1.0);
    if ctx.error_count() > before {
        return None;
    }
    let (bw_a, bw_b) = window.unwrap_or((0.0, 0.0));
    Some(ShiftType {
        name: name?,
        length_s: hours? * HOUR_S,
        earliest_start_s: earliest?,
        latest_start_s: latest?,
        start_step_s: step_min? * 60.0,
        break_s: break_min * 60.0,
        break_earliest_s: bw_a * HOUR_S,
        break_latest_s: bw_b * HOUR_S,
        cost_factor,
    })
}

/// `break_after_hours = [a, b]`: required with a break; 0 ≤ a ≤ b, b + break ≤ hours, and the
/// window must hold an interval boundary (breaks start on the grid).
fn break_window(
    ctx: &mut Ctx,
    s: &Tbl<'_, '_, '_>,
    hours: Option<f64>,
    break_min: f64,
    interval_s: f64,
) -> Option<(f64, f64)> {
    let key = s.key("break_after_hours");
    if !s.has("break_after_hours") {
        if break_min > 0.0 {
            s.missing(ctx, "break_after_hours", "break_after_hours = [3.0, 5.0]");
        }
        return None;
    }
    let line = s.line_of(ctx, "break_after_hours");
    let items = s.array(ctx, "break_after_hours")?;
    if items.len() != 2 {
        ctx.err_hint(
            line,
            &key,
            format!("has {} numbers, needs 2", items.len()),
            "give the earliest and latest break start in hours after the shift start, e.g. [3.0, 5.0]",
        );
        return None;
    }
    let a = as_num(ctx, &format!("{key}[0]"), &items[0], Rule::NonNeg);
    let b = as_num(ctx, &format!("{key}[1]"), &items[1], Rule::NonNeg);
    let (a, b) = (a?, b?);
    if break_min == 0.0 {
        ctx.warn(
            line,
            &key,
            "has no effect without break_minutes",
            Some("add e.g. break_minutes = 30, or remove break_after_hours".into()),
        );
        return Some((a, b));
    }
    if a > b {
        ctx.err_hint(
            line,
            &key,
            format!("the window [{a}, {b}] ends before it starts"),
            "write [earliest, latest], e.g. [3.0, 5.0]",
        );
        return None;
    }
    let h = hours?;
    if b + break_min / 60.0 > h + 1e-9 {
        ctx.err_hint(
            line,
            &key,
            format!(
                "a break starting {b} h in ends {} h in, after the {h} h shift",
                b + break_min / 60.0
            ),
            format!(
                "the latest break start must be ≤ {} h",
                h - break_min / 60.0
            ),
        );
        return None;
    }
    // The planner places breaks on interval boundaries, as whole intervals off duty.
    let step_h = interval_s / HOUR_S;
    let slots = (h / step_h + 1e-9).floor();
    let brk_slots = (break_min / 60.0 / step_h - 1e-9).ceil();
    let first = (a / step_h - 1e-9).ceil();
    let last = (b / step_h + 1e-9).floor().min(slots - brk_slots);
    if first > last {
        ctx.err_hint(
            line,
            &key,
            format!(
                "no break start fits: breaks start on the {}-minute interval grid and take {} whole interval(s)",
                interval_s / 60.0,
                brk_slots
            ),
            "widen the window so it holds an interval boundary, e.g. [3.0, 5.0]",
        );
        return None;
    }
    Some((a, b))
}
