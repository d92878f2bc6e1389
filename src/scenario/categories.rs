//! `[[categories]]` (what contacts are like) and `[bot]` (the first line that resolves some).

use super::dist::{dist_opt, dist_req};
use super::walk::{Ctx, Rule, Tbl};
use crate::model::{Bot, BotProfile, Category};

const KEYS: &[&str] = &[
    "name",
    "share",
    "complex_share",
    "vip_share",
    "skill",
    "handle_time",
    "complex_handle_time",
    "patience",
    "silent_abandon",
];
const BOT_KEYS: &[&str] = &[
    "coverage",
    "basic",
    "complex",
    "promotion",
    "false_resolution",
    "return_after",
    "hours",
    "sessions",
    "when_full",
    "failed_priority",
];
const PROFILE_KEYS: &[&str] = &["response", "resolve"];

/// A category read from the file; its skill is still a name (resolved against pools later).
pub(crate) struct RawCategory {
    pub category: Category,
    pub skill: String,
    /// Line of the `skill` key (of the category when it is left at its default).
    pub skill_line: Option<usize>,
    pub path: String,
}

/// All `[[categories]]`; `None` when any of them is invalid.
pub(crate) fn categories(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> Option<Vec<RawCategory>> {
    let entries = root.tables(ctx, "categories");
    if entries.is_empty() {
        if !root.has("categories")
            || matches!(root.get("categories").map(|v| v.get_ref()), Some(toml::de::DeValue::Array(a)) if a.is_empty())
        {
            ctx.err_hint(
                None,
                "categories",
                "at least one category is needed",
                "add a `[[categories]]` table with name, share and handle_time",
            );
        }
        return None;
    }
    let before = ctx.error_count();
    let mut out: Vec<RawCategory> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    // Shares are summed even when other keys of a category are broken: a planner fixing
    // one mistake should not only then learn about the next.
    let mut shares: Vec<(String, Option<f64>)> = Vec::new();
    let first_line = entries.first().map(|e| e.1);
    for (i, (map, line)) in entries.into_iter().enumerate() {
        let path = format!("categories[{i}]");
        let t = Tbl::new(ctx, &path, Some(map), Some(line), KEYS);
        let name = nonempty_name(ctx, &t, "name = \"beauty\"");
        if let Some(n) = &name {
            if names.contains(n) {
                ctx.err_hint(
                    t.line_of(ctx, "name"),
                    &t.key("name"),
                    format!("category \"{n}\" is defined twice"),
                    "category names must be unique",
                );
            }
            names.push(n.clone());
        }
        let share = t.num_req(ctx, "share", Rule::Unit, "share = 0.5");
        shares.push((name.clone().unwrap_or_else(|| format!("#{}", i + 1)), share));
        let complex_share = t.num_or(ctx, "complex_share", Rule::Unit, 0.0);
        let vip_share = t.num_or(ctx, "vip_share", Rule::Unit, 0.0);
        let silent_abandon = t.num_or(ctx, "silent_abandon", Rule::Unit, 0.0);
        let skill = match t.string(ctx, "skill").map(str::trim) {
            Some("") => {
                ctx.err_hint(
                    t.line_of(ctx, "skill"),
                    &t.key("skill"),
                    "must not be empty",
                    "leave it out for \"general\"",
                );
                None
            }
            Some(s) => Some(s.to_string()),
            None if t.has("skill") => None,
            None => Some("general".to_string()),
        };
        let handle = dist_req(
            ctx,
            &t,
            "handle_time",
            "handle_time = { dist = \"lognormal\", mean_s = 300, cv = 0.8 }",
        );
        let complex = dist_opt(ctx, &t, "complex_handle_time");
        let patience = dist_opt(ctx, &t, "patience");
        if let (Some(name), Some(share), Some(skill), Some(handle_time)) =
            (name, share, skill, handle)
        {
            let category = Category {
                name,
                share,
                complex_share,
                vip_share,
                skill: 0,
                complex_handle_time: complex.unwrap_or_else(|| handle_time.clone()),
                handle_time,
                patience,
                silent_abandon,
            };
            let skill_line = t.line_of(ctx, "skill");
            out.push(RawCategory {
                category,
                skill,
                skill_line,
                path,
            });
        }
    }
    let all_shares: Option<Vec<(String, f64)>> =
        shares.into_iter().map(|(n, s)| s.map(|s| (n, s))).collect();
    let mut shares_ok = true;
    if let Some(all) = all_shares {
        let sum: f64 = all.iter().map(|c| c.1).sum();
        if (sum - 1.0).abs() > 1e-6 {
            let list: Vec<String> = all.iter().map(|(n, s)| format!("{n} {s}")).collect();
            ctx.err_hint(
                first_line,
                "categories",
                format!(
                    "shares add up to {}, not 1 ({})",
                    round6(sum),
                    list.join(" + ")
                ),
                "shares are fractions of all contacts and must sum to 1",
            );
            shares_ok = false;
        }
    }
    if ctx.error_count() > before || !shares_ok {
        return None;
    }
    Some(out)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A required, non-empty `name`.
pub(crate) fn nonempty_name(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>, example: &str) -> Option<String> {
    if !t.has("name") {
        t.missing(ctx, "name", example);
        return None;
    }
    match t.string(ctx, "name").map(str::trim) {
        Some("") => {
            ctx.err_hint(
                t.line_of(ctx, "name"),
                &t.key("name"),
                "must not be empty",
                format!("e.g. {example}"),
            );
            None
        }
        other => other.map(str::to_string),
    }
}

/// `[bot]` (absent → `Ok(None)`); `Err(())` when present but invalid.
pub(crate) fn bot(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> Result<Option<Bot>, ()> {
    let t = root.table(ctx, "bot", "bot", BOT_KEYS);
    if !t.is_present() {
        return Ok(None);
    }
    let before = ctx.error_count();
    let coverage = t.num_req(ctx, "coverage", Rule::Unit, "coverage = 0.85");
    let basic = profile(ctx, &t, "basic", true);
    let complex = profile(ctx, &t, "complex", true);
    let promotion = profile(ctx, &t, "promotion", false);
    let false_resolution = t.num_or(ctx, "false_resolution", Rule::Unit, 0.0);
    let return_after = dist_opt(ctx, &t, "return_after");
    if false_resolution > 0.0 && !t.has("return_after") {
        ctx.err_hint(
            t.line_of(ctx, "false_resolution"),
            "bot.return_after",
            "is required when false_resolution > 0",
            "add `return_after = { dist = \"exponential\", mean_s = 1800 }` under `[bot]`",
        );
    }
    if false_resolution == 0.0 && t.has("return_after") && ctx.error_count() == before {
        ctx.warn(
            t.line_of(ctx, "return_after"),
            "bot.return_after",
            "has no effect while false_resolution is 0",
            None,
        );
    }
    match (coverage, basic, complex) {
        (Some(coverage), Some(basic), Some(complex)) if ctx.error_count() == before => {
            Ok(Some(Bot {
                coverage,
                basic,
                complex,
                promotion,
                false_resolution,
                return_after,
            }))
        }
        _ => Err(()),
    }
}

fn profile(ctx: &mut Ctx, bot: &Tbl<'_, '_, '_>, k: &str, required: bool) -> Option<BotProfile> {
    if !bot.has(k) {
        if required {
            bot.missing(ctx, k, &format!("{k} = {{ response = {{ dist = \"uniform\", min_s = 0.2, max_s = 1.0 }}, resolve = 0.9 }}"));
        }
        return None;
    }
    let path = format!("bot.{k}");
    let t = bot.table(ctx, &path, k, PROFILE_KEYS);
    if !t.is_present() {
        return None;
    }
    let response = dist_req(
        ctx,
        &t,
        "response",
        "response = { dist = \"uniform\", min_s = 0.2, max_s = 1.0 }",
    );
    let resolve = t.num_req(ctx, "resolve", Rule::Unit, "resolve = 0.9");
    Some(BotProfile {
        response: response?,
        resolve: resolve?,
    })
}
