//! `[arrivals]`: daily volume, hourly profile, weekday factors, promotion peaks and the
//! optional per-interval forecast CSV (`forecast_csv`).

use super::csvfile::{cell, read_csv, require_columns};
use super::walk::{as_num, format_epoch, parse_local_datetime, suggest, Ctx, Rule, Tbl};
use crate::model::time::DAY_S;
use crate::model::{Arrivals, Forecast, Peak, RunSettings};

const KEYS: &[&str] = &[
    "per_day",
    "hourly_profile",
    "weekday_factors",
    "peaks",
    "forecast_csv",
];
const PEAK_KEYS: &[&str] = &["name", "from", "to", "multiplier", "bot_mode"];

/// What the arrivals need to know about the bot: whether it has a `promotion` profile
/// (`None` when there is no `[bot]` at all).
pub(crate) fn arrivals(
    ctx: &mut Ctx,
    root: &Tbl<'_, '_, '_>,
    run: &RunSettings,
    bot_promotion: Option<bool>,
) -> Arrivals {
    let t = root.table(ctx, "arrivals", "arrivals", KEYS);
    let forecast = t.get("forecast_csv").and_then(|_| {
        let rel = t.string(ctx, "forecast_csv")?;
        forecast_csv(ctx, t.line_of(ctx, "forecast_csv"), rel, run)
    });
    let per_day = if t.has("forecast_csv") {
        t.num_or(ctx, "per_day", Rule::NonNeg, 0.0)
    } else {
        t.num_req(ctx, "per_day", Rule::NonNeg, "per_day = 12000")
            .unwrap_or(0.0)
    };
    let mut hourly_profile = [1.0; 24];
    if let Some(w) = weights(ctx, &t, "hourly_profile", 24, "weights", "hours 0..23") {
        let sum: f64 = w.iter().sum();
        if sum <= 0.0 {
            ctx.err_hint(
                t.line_of(ctx, "hourly_profile"),
                "arrivals.hourly_profile",
                "all 24 weights are 0",
                "at least one hour needs contacts; leave the key out for a flat profile",
            );
        } else {
            for (h, x) in hourly_profile.iter_mut().zip(&w) {
                *h = x * 24.0 / sum;
            }
        }
    }
    let mut weekday_factors = [1.0; 7];
    if let Some(w) = weights(ctx, &t, "weekday_factors", 7, "factors", "Monday..Sunday") {
        weekday_factors.copy_from_slice(&w);
    }
    let peaks = peaks(ctx, &t, run, bot_promotion);
    Arrivals {
        per_day,
        hourly_profile,
        weekday_factors,
        peaks,
        forecast,
        replay: None,
    }
}

/// An array of exactly `n` non-negative numbers.
fn weights(
    ctx: &mut Ctx,
    t: &Tbl<'_, '_, '_>,
    k: &str,
    n: usize,
    what: &str,
    span: &str,
) -> Option<Vec<f64>> {
    let items = t.array(ctx, k)?;
    let key = t.key(k);
    if items.len() != n {
        ctx.err(
            t.line_of(ctx, k),
            &key,
            format!("has {} {what}, needs {n} ({span})", items.len()),
        );
        return None;
    }
    let w: Vec<Option<f64>> = items
        .iter()
        .enumerate()
        .map(|(i, v)| as_num(ctx, &format!("{key}[{i}]"), v, Rule::NonNeg))
        .collect();
    w.into_iter().collect()
}

fn peaks(
    ctx: &mut Ctx,
    t: &Tbl<'_, '_, '_>,
    run: &RunSettings,
    bot_promotion: Option<bool>,
) -> Vec<Peak> {
    let origin = run.calendar.origin_epoch_s;
    let mut out = Vec::new();
    for (i, (map, line)) in t.tables(ctx, "peaks").into_iter().enumerate() {
        let path = format!("arrivals.peaks[{i}]");
        let p = Tbl::new(ctx, &path, Some(map), Some(line), PEAK_KEYS);
        let name = match p.string(ctx, "name").map(str::trim) {
            Some(n) if !n.is_empty() => Some(n.to_string()),
            Some(_) => {
                ctx.err_hint(
                    p.line_of(ctx, "name"),
                    &p.key("name"),
                    "must not be empty",
                    "name the peak, e.g. name = \"launch night\"",
                );
                None
            }
            None => {
                if !p.has("name") {
                    p.missing(ctx, "name", "name = \"launch night\"");
                }
                None
            }
        };
        for k in ["from", "to"] {
            if !p.has(k) {
                p.missing(ctx, k, &format!("{k} = 2026-11-10T20:00:00"));
            }
        }
        let from = p.datetime(ctx, "from");
        let to = p.datetime(ctx, "to");
        if let (Some(f), Some(t2)) = (from, to) {
            if t2 <= f {
                ctx.err_hint(
                    p.line_of(ctx, "to"),
                    &p.key("to"),
                    "must be after `from`",
                    "a peak covers [from, to); to cross midnight, put the next day's date on `to`",
                );
            }
        }
        let multiplier = p.num_req(ctx, "multiplier", Rule::Pos, "multiplier = 6.0");
        let mut promotion_bot = false;
        if let Some(mode) = p.string(ctx, "bot_mode") {
            match mode {
                "promotion" => {
                    promotion_bot = true;
                    if bot_promotion != Some(true) {
                        let msg = if bot_promotion.is_none() {
                            "needs a `[bot]` with a `promotion` profile, but there is no `[bot]`"
                        } else {
                            "needs a `promotion` profile under `[bot]`"
                        };
                        let hint = concat!(
                            "add `promotion = { response = { dist = \"uniform\", min_s = 3.0, max_s = 5.0 }, ",
                            "resolve = 0.88 }` under `[bot]`, or remove bot_mode"
                        );
                        ctx.err_hint(p.line_of(ctx, "bot_mode"), &p.key("bot_mode"), msg, hint);
                    }
                }
                "normal" => {}
                other => {
                    let hint = match suggest(other, &["promotion", "normal"]) {
                        Some(s) => format!("did you mean \"{s}\"?"),
                        None => "use \"promotion\" (or leave it out)".into(),
                    };
                    ctx.err_hint(
                        p.line_of(ctx, "bot_mode"),
                        &p.key("bot_mode"),
                        format!("unknown bot mode \"{other}\""),
                        hint,
                    );
                }
            }
        }
        if let (Some(name), Some(f), Some(t2), Some(multiplier)) = (name, from, to, multiplier) {
            let (from, to) = ((f - origin) as f64, (t2 - origin) as f64);
            if to > from && (to <= 0.0 || from >= run.counted_to) {
                ctx.warn(
                    Some(line),
                    &path,
                    format!("peak \"{name}\" lies outside the simulated span and has no effect"),
                    Some("check the dates against [run] start, days and warmup_hours".into()),
                );
            }
            out.push(Peak {
                name,
                from,
                to,
                multiplier,
                promotion_bot,
            });
        }
    }
    out
}

/// Reads a `start,contacts` forecast into rate rows (simulation time).
fn forecast_csv(
    ctx: &mut Ctx,
    line: Option<usize>,
    rel: &str,
    run: &RunSettings,
) -> Option<Forecast> {
    let key = "arrivals.forecast_csv";
    let csv = read_csv(ctx, key, line, rel)?;
    if let Some(_c) = csv.column("category") {
        ctx.err_in(
            &csv.file,
            Some(1),
            key,
            "a `category` column is not supported yet",
            Some("give total contacts per interval; categories split them by `share`".into()),
        );
        return None;
    }
    let cols = require_columns(ctx, &csv, key, &["start", "contacts"])?;
    let before = ctx.error_count();
    let mut rows: Vec<(usize, i64, f64)> = Vec::new();
    for (at, rec) in &csv.rows {
        let (s, c) = (cell(rec, cols[0]), cell(rec, cols[1]));
        let start = parse_local_datetime(s);
        if start.is_none() {
            ctx.err_in(
                &csv.file,
                Some(*at),
                key,
                format!("start \"{s}\" is not a date-time"),
                Some("use YYYY-MM-DDTHH:MM".into()),
            );
        }
        let contacts = c.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
        if contacts.is_none() {
            ctx.err_in(
                &csv.file,
                Some(*at),
                key,
                format!("contacts \"{c}\" is not a number ≥ 0"),
                None,
            );
        }
        if let (Some(s), Some(c)) = (start, contacts) {
            rows.push((*at, s, c));
        }
    }
    if ctx.error_count() > before {
        return None;
    }
    if rows.is_empty() {
        ctx.err_in(
            &csv.file,
            None,
            key,
            "has no rows",
            Some("add one `start,contacts` row per interval".into()),
        );
        return None;
    }
    let step = check_steps(
        ctx,
        &csv.file,
        key,
        rows.iter().map(|r| (r.0, r.1)),
        run.interval_s as i64,
    )?;
    let origin = run.calendar.origin_epoch_s;
    let mut out = Vec::new();
    let mut outside = 0;
    for (_, s, c) in rows {
        let from = (s - origin) as f64;
        let to = from + step as f64;
        if to <= 0.0 || from >= run.counted_to {
            outside += 1;
        } else {
            out.push((from, to, c / step as f64));
        }
    }
    if outside > 0 {
        let msg = format!("{outside} row(s) lie outside the simulated span and are ignored");
        ctx.warn_in(&csv.file, None, key, msg, None);
    }
    Some(Forecast { rows: out })
}

/// Checks that `(line, epoch start)` rows are evenly spaced at one step that divides a day;
/// returns the step `[s]` (`default_step` when there is a single row).
pub(crate) fn check_steps(
    ctx: &mut Ctx,
    file: &str,
    key: &str,
    rows: impl Iterator<Item = (usize, i64)>,
    default_step: i64,
) -> Option<i64> {
    let rows: Vec<(usize, i64)> = rows.collect();
    let step = if rows.len() >= 2 {
        rows[1].1 - rows[0].1
    } else {
        default_step
    };
    if step <= 0 {
        let at = rows.get(1).map(|r| r.0);
        ctx.err_in(
            file,
            at,
            key,
            "rows are not in time order (this row does not start after the previous one)",
            Some("sort the rows by start".into()),
        );
        return None;
    }
    if (DAY_S as i64) % step != 0 {
        let at = rows.get(1).map(|r| r.0);
        ctx.err_in(
            file,
            at,
            key,
            format!(
                "rows are {} minutes apart, which does not divide a day",
                step as f64 / 60.0
            ),
            Some("use a step such as 15, 30 or 60 minutes".into()),
        );
        return None;
    }
    let before = ctx.error_count();
    for w in rows.windows(2).skip(1) {
        let d = w[1].1 - w[0].1;
        if d > step {
            let missing = format_epoch(w[0].1 + step);
            ctx.err_in(
                file,
                Some(w[1].0),
                key,
                format!(
                    "gap before this row: no row starts at {missing} (rows are {} minutes apart)",
                    step as f64 / 60.0
                ),
                Some("every interval needs a row".into()),
            );
        } else if d < step {
            let msg = format!(
                "this row starts {} minutes after the previous one, but rows are {} minutes apart \
                 (overlap or out of order)",
                d as f64 / 60.0,
                step as f64 / 60.0
            );
            let hint = Some("rows must be evenly spaced and sorted by start".into());
            ctx.err_in(file, Some(w[1].0), key, msg, hint);
        }
    }
    (ctx.error_count() == before).then_some(step)
}
