//! `[bot]` controls beside its profiles: the hours it works, its session capacity and what a
//! contact does when it is full, and priority for contacts it failed.

use toml::de::DeValue;

use super::walk::{parse_time_of_day, Ctx, Tbl};
use crate::escape::excerpt;
use crate::model::{BotControls, BotFull};

const HOURS_KEYS: &[&str] = &["from", "to"];

/// The controls of `[bot]` (its keys were checked with the bot's own).
pub(crate) fn bot_controls(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> BotControls {
    let Some(v) = root.get("bot") else {
        return BotControls::default();
    };
    let DeValue::Table(map) = v.get_ref() else {
        return BotControls::default();
    };
    let t = &Tbl {
        path: "bot",
        map: Some(map),
        line: Some(ctx.line_of(v.span())),
    };
    let hours = if t.has("hours") {
        let h = t.table(ctx, "bot.hours", "hours", HOURS_KEYS);
        let mut at = |k: &str| -> Option<f64> {
            if !h.has(k) {
                h.missing(ctx, k, &format!("{k} = \"20:00\""));
                return None;
            }
            let text = h.string(ctx, k)?;
            let parsed = parse_time_of_day(text);
            if parsed.is_none() {
                ctx.err_hint(
                    h.line_of(ctx, k),
                    &h.key(k),
                    format!("\"{}\" is not a time of day", excerpt(text)),
                    "write HH:MM, e.g. \"20:00\"",
                );
            }
            parsed
        };
        let (from, to) = (at("from"), at("to"));
        match (from, to) {
            (Some(f), Some(t2)) if f % 86_400.0 == t2 % 86_400.0 => {
                ctx.err_hint(
                    h.line_of(ctx, "to"),
                    "bot.hours",
                    "from and to are the same time",
                    "leave `hours` out for a bot that works all day",
                );
                None
            }
            (Some(f), Some(t2)) => Some((f % 86_400.0, t2 % 86_400.0)),
            _ => None,
        }
    } else {
        None
    };
    let sessions = t.int(ctx, "sessions", 1, u32::MAX as i64).map(|n| n as u32);
    let when_full = match t.string(ctx, "when_full") {
        None | Some("wait") => BotFull::Wait,
        Some("human") => BotFull::Human,
        Some(other) => {
            ctx.err_hint(
                t.line_of(ctx, "when_full"),
                "bot.when_full",
                format!("unknown choice \"{}\"", excerpt(other)),
                "use \"wait\" (default: wait for a free session) or \"human\" (straight to agents)",
            );
            BotFull::Wait
        }
    };
    if t.has("when_full") && sessions.is_none() && !t.has("sessions") {
        ctx.warn(
            t.line_of(ctx, "when_full"),
            "bot.when_full",
            "has no effect without `sessions`",
            None,
        );
    }
    BotControls {
        hours,
        sessions,
        when_full,
        failed_priority: t.boolean(ctx, "failed_priority").unwrap_or(false),
    }
}
