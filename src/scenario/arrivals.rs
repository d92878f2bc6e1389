//! `[arrivals]`: daily volume, hourly profile, weekday factors, promotion peaks and the
//! optional per-interval forecast CSV (`forecast_csv`).

use super::csvfile::{cell, read_csv, require_columns};
use super::walk::{as_num, format_epoch, parse_local_datetime, suggest, Ctx, Rule, Tbl};
use crate::escape::excerpt;
use crate::model::busyness;
use crate::model::time::DAY_S;
use crate::model::{Arrivals, Busyness, Forecast, Peak, RunSettings, Spread, SpreadShape};
use toml::de::DeValue;

/// Most contacts in one forecast CSV row (one interval): more is a unit mistake.
const MAX_FORECAST_CONTACTS: f64 = 1e9;

const KEYS: &[&str] = &[
    "per_day",
    "hourly_profile",
    "weekday_factors",
    "peaks",
    "forecast_csv",
    "busyness",
];
const BUSYNESS_KEYS: &[&str] = &["cv", "dist", "interval_cv", "interval_dist"];
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
        let names = category_names(root);
        forecast_csv(
            ctx,
            t.line_of(ctx, "forecast_csv"),
            rel,
            run,
            names.as_deref(),
        )
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
    let busyness = busyness(ctx, &t);
    Arrivals {
        per_day,
        hourly_profile,
        weekday_factors,
        peaks,
        forecast,
        replay: None,
        busyness,
    }
}

/// `busyness = { cv = 0.15 }`: the day's factor (and `interval_cv`: each interval's); a cv
/// of 0 (or no key) leaves the forecast rate as it is.
fn busyness(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>) -> Option<Busyness> {
    if !t.has("busyness") {
        return None;
    }
    let b = t.table(ctx, "arrivals.busyness", "busyness", BUSYNESS_KEYS);
    if !b.is_present() {
        return None;
    }
    let rule = Rule::Between(0.0, busyness::MAX_CV);
    let shape_of = |ctx: &mut Ctx, k: &str| match b.string(ctx, k) {
        None => SpreadShape::Gamma,
        Some(name) => SpreadShape::parse(name).unwrap_or_else(|| {
            let hint = match suggest(name, SpreadShape::NAMES) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "use \"gamma\" (the default) or \"lognormal\"".into(),
            };
            ctx.err_hint(
                b.line_of(ctx, k),
                &b.key(k),
                format!("unknown distribution \"{}\"", excerpt(name)),
                hint,
            );
            SpreadShape::Gamma
        }),
    };
    if !b.has("cv") && !b.has("interval_cv") {
        b.missing(ctx, "cv", "cv = 0.15");
        return None;
    }
    let day_cv = b.num_or(ctx, "cv", rule, 0.0);
    let day_shape = shape_of(ctx, "dist");
    let interval_cv = b.num_or(ctx, "interval_cv", rule, 0.0);
    let interval_shape = shape_of(ctx, "interval_dist");
    let spread = |shape, cv: f64| (cv > 0.0).then_some(Spread { shape, cv });
    let out = Busyness {
        day: spread(day_shape, day_cv),
        interval: spread(interval_shape, interval_cv),
    };
    // A spread of 0 is today's model exactly (no draws are made).
    (out.day.is_some() || out.interval.is_some()).then_some(out)
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

/// The `[[categories]]` names in order, read without reporting anything (`categories`
/// reports the problems); `None` when any entry lacks a non-empty string name.
fn category_names(root: &Tbl<'_, '_, '_>) -> Option<Vec<String>> {
    let DeValue::Array(items) = root.get("categories")?.get_ref() else {
        return None;
    };
    items
        .iter()
        .map(|it| match it.get_ref() {
            DeValue::Table(t) => match t.get("name").map(|v| v.get_ref()) {
                Some(DeValue::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Reads a `start,contacts` forecast, optionally split by a `category` column, into rate rows
/// (simulation time). `categories`: the scenario's category names (`None` when they are
/// broken, which `[[categories]]` reports; a per-category forecast is then skipped).
fn forecast_csv(
    ctx: &mut Ctx,
    line: Option<usize>,
    rel: &str,
    run: &RunSettings,
    categories: Option<&[String]>,
) -> Option<Forecast> {
    let key = "arrivals.forecast_csv";
    let csv = read_csv(ctx, key, line, rel)?;
    let cols = require_columns(ctx, &csv, key, &["start", "contacts"])?;
    let by_cat = match csv.column("category") {
        None => None,
        Some(c) => Some((c, categories?)),
    };
    let before = ctx.error_count();
    // (line, start, category index, contacts)
    let mut rows: Vec<(usize, i64, usize, f64)> = Vec::new();
    for (at, rec) in &csv.rows {
        let (s, c) = (cell(rec, cols[0]), cell(rec, cols[1]));
        let start = parse_local_datetime(s);
        if start.is_none() {
            ctx.err_in(
                &csv.file,
                Some(*at),
                key,
                format!("start \"{}\" is not a date-time", excerpt(s)),
                Some("use YYYY-MM-DDTHH:MM".into()),
            );
        }
        let cat = match by_cat {
            None => Some(0),
            Some((col, names)) => category_index(ctx, &csv.file, *at, key, cell(rec, col), names),
        };
        let contacts = c.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
        match contacts {
            None => ctx.err_in(
                &csv.file,
                Some(*at),
                key,
                format!("contacts \"{}\" is not a number ≥ 0", excerpt(c)),
                None,
            ),
            Some(x) if x > MAX_FORECAST_CONTACTS => ctx.err_in(
                &csv.file,
                Some(*at),
                key,
                format!(
                    "contacts {} is more than {} in one row",
                    crate::escape::num(x),
                    crate::escape::num(MAX_FORECAST_CONTACTS)
                ),
                Some("the column holds contacts per interval, not per second or per year".into()),
            ),
            Some(_) => {}
        }
        let contacts = contacts.filter(|&x| x <= MAX_FORECAST_CONTACTS);
        if let (Some(s), Some(k), Some(c)) = (start, cat, contacts) {
            rows.push((*at, s, k, c));
        }
    }
    if ctx.error_count() > before {
        return None;
    }
    if rows.is_empty() {
        let hint = if by_cat.is_some() {
            "add one `start,category,contacts` row per interval and category"
        } else {
            "add one `start,contacts` row per interval"
        };
        ctx.err_in(&csv.file, None, key, "has no rows", Some(hint.into()));
        return None;
    }
    // Consecutive rows with the same start make one interval; a category missing from an
    // interval counts as 0 contacts.
    let ncat = by_cat.map_or(1, |(_, names)| names.len());
    let mut groups: Vec<Interval> = Vec::new();
    for (at, s, k, c) in rows {
        let g = match groups.last_mut() {
            Some(g) if g.1 == s && by_cat.is_some() => g,
            _ => {
                groups.push((at, s, vec![0.0; ncat], vec![None; ncat]));
                groups.last_mut().expect("just pushed")
            }
        };
        if let (Some(first), Some((_, names))) = (g.3[k], by_cat) {
            ctx.err_in(
                &csv.file,
                Some(at),
                key,
                format!(
                    "second row for category \"{}\" at {} (the first is on line {first})",
                    names[k],
                    format_epoch(s)
                ),
                Some("give one row per interval and category".into()),
            );
            continue;
        }
        g.2[k] = c;
        g.3[k] = Some(at);
    }
    if ctx.error_count() > before {
        return None;
    }
    let step = check_steps(
        ctx,
        &csv.file,
        key,
        groups.iter().map(|g| (g.0, g.1)),
        run.interval_s as i64,
    )?;
    if let Some((_, names)) = by_cat {
        for (k, name) in names.iter().enumerate() {
            if groups.iter().all(|g| g.3[k].is_none()) {
                ctx.warn_in(
                    &csv.file,
                    None,
                    key,
                    format!("category \"{name}\" has no rows: it gets no contacts where the forecast covers"),
                    Some("add its rows, or ignore this if that is intended".into()),
                );
            }
        }
    }
    let origin = run.calendar.origin_epoch_s;
    let mut out = Vec::new();
    let mut mix = Vec::new();
    let mut outside = 0;
    for (_, s, counts, _) in groups {
        let from = (s - origin) as f64;
        let to = from + step as f64;
        if to <= 0.0 || from >= run.counted_to {
            outside += 1;
            continue;
        }
        // Sum the contacts before dividing, so a split forecast has exactly the rate of
        // the same totals given without categories.
        let total: f64 = counts.iter().sum();
        out.push((from, to, total / step as f64));
        if by_cat.is_some() {
            mix.push(cumulative_shares(&counts, total));
        }
    }
    if outside > 0 {
        let msg = if by_cat.is_some() {
            format!("{outside} interval(s) lie outside the simulated span and are ignored")
        } else {
            format!("{outside} row(s) lie outside the simulated span and are ignored")
        };
        ctx.warn_in(&csv.file, None, key, msg, None);
    }
    Some(Forecast { rows: out, mix })
}

/// One forecast interval: (first line, start, contacts per category, line of each
/// category's row).
type Interval = (usize, i64, Vec<f64>, Vec<Option<usize>>);

/// Index of a forecast row's category among the scenario's, or an error naming the line.
fn category_index(
    ctx: &mut Ctx,
    file: &str,
    at: usize,
    key: &str,
    name: &str,
    names: &[String],
) -> Option<usize> {
    if let Some(k) = names.iter().position(|n| n == name) {
        return Some(k);
    }
    let list: Vec<&str> = names.iter().map(String::as_str).collect();
    let msg = if name.is_empty() {
        "empty category".to_string()
    } else {
        format!("unknown category \"{}\"", excerpt(name))
    };
    // A suggestion only for short names (edit distance over a file's worth of text is slow).
    let guess = (name.len() <= 100).then(|| suggest(name, &list)).flatten();
    let hint = match guess {
        Some(s) if !name.is_empty() => format!("did you mean \"{s}\"?"),
        _ => format!("the [[categories]] are: {}", list.join(", ")),
    };
    ctx.err_in(file, Some(at), key, msg, Some(hint));
    None
}

/// Cumulative shares of `counts` (last exactly 1); empty when `total` is 0 (no arrivals).
fn cumulative_shares(counts: &[f64], total: f64) -> Vec<f64> {
    if total <= 0.0 {
        return Vec::new();
    }
    let mut acc = 0.0;
    let mut cum: Vec<f64> = counts
        .iter()
        .map(|c| {
            acc += c;
            acc / total
        })
        .collect();
    // The last category with contacts takes everything above the previous ones.
    if let Some(last) = counts.iter().rposition(|c| *c > 0.0) {
        for x in &mut cum[last..] {
            *x = 1.0;
        }
    }
    cum
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

#[cfg(test)]
mod tests {
    use crate::scenario::{load_str_with_files, Loaded};

    const TWO: &str = r#"
name = "m"
[run]
start = 2026-01-05T00:00:00
days = 1
[arrivals]
forecast_csv = "f.csv"
[[categories]]
name = "beauty"
share = 0.6
handle_time = { dist = "exponential", mean_s = 100 }
[[categories]]
name = "shoes"
share = 0.4
handle_time = { dist = "exponential", mean_s = 100 }
[[pools]]
name = "p"
skills = ["general"]
agents = 3
"#;

    fn load(csv: &str) -> Result<Loaded, String> {
        load_str_with_files(
            TWO,
            "m.toml",
            vec![("f.csv".into(), csv.as_bytes().to_vec())],
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn per_category_rows_give_the_total_rate_and_the_mix() {
        let l = load(
            "start,category,contacts\n\
             2026-01-05T00:00,beauty,90\n2026-01-05T00:00,shoes,270\n\
             2026-01-05T01:00,shoes,720\n2026-01-05T01:00,beauty,0\n",
        )
        .unwrap();
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
        let a = &l.model.arrivals;
        let cal = l.model.run.calendar;
        assert!((a.rate(&cal, 10.0) - 0.1).abs() < 1e-12);
        assert!((a.rate(&cal, 3700.0) - 0.2).abs() < 1e-12);
        assert_eq!(a.category_mix_at(10.0), Some(&[0.25, 1.0][..]));
        // Order within an interval does not matter; a zero category never gets drawn.
        assert_eq!(a.category_mix_at(3700.0), Some(&[0.0, 1.0][..]));
        // Outside the forecast the shares apply.
        assert_eq!(a.category_mix_at(7300.0), None);
        assert_eq!(a.rate(&cal, 7300.0), 0.0);
    }

    #[test]
    fn a_missing_category_row_counts_as_zero() {
        let l = load(
            "start,category,contacts\n\
             2026-01-05T00:00,beauty,90\n2026-01-05T00:00,shoes,270\n\
             2026-01-05T01:00,shoes,720\n",
        )
        .unwrap();
        let a = &l.model.arrivals;
        assert_eq!(a.category_mix_at(3700.0), Some(&[0.0, 1.0][..]));
        // A category with no row anywhere is warned about.
        let l = load("start,category,contacts\n2026-01-05T00:00,shoes,10\n").unwrap();
        assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
        assert!(l.warnings[0].message.contains("\"beauty\" has no rows"));
        // An interval whose total is 0 has no mix (no arrivals to split).
        let l =
            load("start,category,contacts\n2026-01-05T00:00,shoes,0\n2026-01-05T00:00,beauty,0\n")
                .unwrap();
        assert_eq!(l.model.arrivals.category_mix_at(10.0), None);
    }

    #[test]
    fn unknown_categories_name_their_line_and_a_suggestion() {
        let e = load(
            "start,category,contacts\n\
             2026-01-05T00:00,beauty,90\n# a comment\n2026-01-05T00:00,shoess,270\n\
             2026-01-05T00:30,toys,1\n2026-01-05T00:30,,1\n",
        )
        .unwrap_err();
        assert!(
            e.contains("f.csv:4: arrivals.forecast_csv: unknown category \"shoess\" (did you mean \"shoes\"?)"),
            "{e}"
        );
        assert!(
            e.contains("f.csv:5: arrivals.forecast_csv: unknown category \"toys\" (the [[categories]] are: beauty, shoes)"),
            "{e}"
        );
        assert!(
            e.contains("f.csv:6: arrivals.forecast_csv: empty category"),
            "{e}"
        );
    }

    #[test]
    fn duplicates_gaps_and_order_name_their_lines() {
        let e = load(
            "start,category,contacts\n\
             2026-01-05T00:00,beauty,90\n2026-01-05T00:00,beauty,1\n",
        )
        .unwrap_err();
        assert!(
            e.contains("f.csv:3: arrivals.forecast_csv: second row for category \"beauty\" at 2026-01-05T00:00 (the first is on line 2)"),
            "{e}"
        );
        let e = load(
            "start,category,contacts\n\
             2026-01-05T00:00,beauty,1\n2026-01-05T00:30,beauty,1\n2026-01-05T00:00,shoes,1\n",
        )
        .unwrap_err();
        assert!(
            e.contains("f.csv:4: arrivals.forecast_csv: this row starts"),
            "{e}"
        );
        let e = load(
            "start,category,contacts\n\
             2026-01-05T00:00,beauty,1\n2026-01-05T00:30,shoes,1\n2026-01-05T01:30,beauty,1\n",
        )
        .unwrap_err();
        assert!(
            e.contains("f.csv:4: arrivals.forecast_csv: gap before this row"),
            "{e}"
        );
    }

    #[test]
    fn comment_lines_count_in_line_numbers() {
        let e = load("start,contacts\n# c\n\n2026-01-05T00:00,x\n").unwrap_err();
        assert!(e.contains("f.csv:4:"), "{e}");
    }

    #[test]
    fn a_forecast_without_categories_keeps_the_shares() {
        let l = load("start,contacts\n2026-01-05T00:00,10\n").unwrap();
        assert_eq!(l.model.arrivals.category_mix_at(10.0), None);
    }
}
