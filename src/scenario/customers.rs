//! `[queue]` and `[retrials]` → [`Customers`] (keys, defaults and ranges: docs/customers.md).
//! Every key is optional; an absent section leaves its rules off.

use super::dist::dist_opt;
use super::walk::{as_num, Ctx, Rule, Tbl};
use crate::model::customers::{Balk, Customers, Divert, OnClose, QueueRules, Retrials};

const QUEUE_KEYS: &[&str] = &[
    "max_waiting",
    "when_full",
    "max_wait_s",
    "balk",
    "balk_by_waiting",
    "max_in_system",
    "on_close",
];
const RETRIAL_KEYS: &[&str] = &["probability", "after_message", "after", "max_attempts"];

/// The most attempts per customer a scenario may ask for (the engine keeps the count in a byte).
pub(crate) const MAX_ATTEMPTS: i64 = 100;
/// Default attempts per customer, the first included.
const DEFAULT_MAX_ATTEMPTS: u32 = 10;
/// Caps on counts of contacts: far beyond any shop, and within `u32`.
const MAX_CAP: i64 = 10_000_000;

pub(crate) fn customers(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> Customers {
    Customers {
        queue: queue(ctx, root),
        retrials: retrials(ctx, root),
    }
}

/// A string key with a fixed set of choices; `None` when absent or invalid (an issue then).
fn choice<T: Copy>(
    ctx: &mut Ctx,
    t: &Tbl<'_, '_, '_>,
    k: &str,
    choices: &[(&str, T)],
) -> Option<T> {
    let s = t.string(ctx, k)?;
    let found = choices.iter().find(|(name, _)| *name == s).map(|c| c.1);
    if found.is_none() {
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        ctx.err_hint(
            t.line_of(ctx, k),
            &t.key(k),
            format!("unknown choice \"{}\"", crate::escape::terminal(s)),
            format!("one of {}", names.join(", ")),
        );
    }
    found
}

fn queue(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> QueueRules {
    let t = root.table(ctx, "queue", "queue", QUEUE_KEYS);
    let mut q = QueueRules::default();
    if !t.is_present() {
        return q;
    }
    q.max_waiting = t.int(ctx, "max_waiting", 0, MAX_CAP).map(|n| n as u32);
    q.when_full = choice(
        ctx,
        &t,
        "when_full",
        &[("ticket", Divert::Ticket), ("lost", Divert::Lost)],
    )
    .unwrap_or(Divert::Ticket);
    q.max_wait_s = t.num(ctx, "max_wait_s", Rule::Pos);
    q.max_in_system = t.int(ctx, "max_in_system", 1, MAX_CAP).map(|n| n as u32);
    q.on_close = choice(
        ctx,
        &t,
        "on_close",
        &[
            ("keep", OnClose::Keep),
            ("ticket", OnClose::Ticket),
            ("lost", OnClose::Lost),
        ],
    )
    .unwrap_or(OnClose::Keep);
    if t.has("balk") && t.has("balk_by_waiting") {
        ctx.err_hint(
            t.line_of(ctx, "balk_by_waiting"),
            "queue.balk_by_waiting",
            "give either `balk` or `balk_by_waiting`, not both",
            "`balk` is one share whatever the queue; `balk_by_waiting` a share per number waiting",
        );
    } else if let Some(p) = t.num(ctx, "balk", Rule::Unit) {
        q.balk = Balk::Share(p);
    } else if let Some(items) = t.array(ctx, "balk_by_waiting") {
        let key = t.key("balk_by_waiting");
        if items.is_empty() {
            ctx.err_hint(
                t.line_of(ctx, "balk_by_waiting"),
                &key,
                "is empty",
                "e.g. balk_by_waiting = [0.0, 0.1, 0.3] (shares when 0, 1, 2 or more wait)",
            );
        } else {
            let shares: Option<Vec<f64>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| as_num(ctx, &format!("{key}[{i}]"), v, Rule::Unit))
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            if let Some(shares) = shares {
                q.balk = Balk::ByWaiting(shares);
            }
        }
    }
    if let (Some(w), Some(s)) = (q.max_waiting, q.max_in_system) {
        if s <= w {
            ctx.warn(
                t.line_of(ctx, "max_waiting"),
                "queue.max_waiting",
                format!("max_in_system = {s} is reached first: max_waiting = {w} never acts"),
                None,
            );
        }
    }
    q
}

fn retrials(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> Option<Retrials> {
    let t = root.table(ctx, "retrials", "retrials", RETRIAL_KEYS);
    if !t.is_present() {
        return None;
    }
    let probability = t.num_or(ctx, "probability", Rule::Unit, 0.0);
    let after_message = t.num_or(ctx, "after_message", Rule::Unit, 0.0);
    let after = dist_opt(ctx, &t, "after");
    let max_attempts = t
        .int(ctx, "max_attempts", 2, MAX_ATTEMPTS)
        .map_or(DEFAULT_MAX_ATTEMPTS, |n| n as u32);
    if (probability > 0.0 || after_message > 0.0) && !t.has("after") {
        t.missing(
            ctx,
            "after",
            "after = { dist = \"exponential\", mean_s = 1200 }",
        );
    }
    // Probabilities of 0 are the neutral default: the section then changes nothing.
    if probability == 0.0 && after_message == 0.0 {
        return None;
    }
    Some(Retrials {
        probability,
        after_message,
        after: after?,
        max_attempts,
    })
}
