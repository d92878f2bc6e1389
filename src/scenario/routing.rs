//! `[routing]`: VIP priority, silent closes, the routing policy, and the per-category order
//! of pools to try (resolved once categories and pools are known).

use toml::de::DeValue;

use super::walk::{as_str, suggest, Ctx, Rule, Tbl};
use crate::escape::excerpt;
use crate::model::{Category, Pool, Routing, RoutingPolicy};

const ROUTING_KEYS: &[&str] = &[
    "vip_first",
    "silent_close_s",
    "policy",
    "across_pools",
    "order",
];

/// One `order.<category> = ["pool", …]` entry, names not resolved yet.
pub(crate) struct RawOrder {
    pub category: String,
    pub pools: Vec<(String, Option<usize>)>,
    pub line: Option<usize>,
}

/// `[routing]`; the `order` table comes back unresolved.
pub(crate) fn routing(ctx: &mut Ctx, root: &Tbl<'_, '_, '_>) -> (Routing, Vec<RawOrder>) {
    let t = root.table(ctx, "routing", "routing", ROUTING_KEYS);
    let policy = match t.string(ctx, "policy") {
        None => RoutingPolicy::default(),
        Some(name) => match RoutingPolicy::ALL.iter().find(|(_, n)| *n == name) {
            Some((p, _)) => *p,
            None => {
                let names: Vec<&str> = RoutingPolicy::ALL.iter().map(|(_, n)| *n).collect();
                let hint = match suggest(name, &names) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!("policies: {}", names.join(", ")),
                };
                ctx.err_hint(
                    t.line_of(ctx, "policy"),
                    "routing.policy",
                    format!("unknown policy \"{}\"", excerpt(name)),
                    hint,
                );
                RoutingPolicy::default()
            }
        },
    };
    let routing = Routing {
        vip_first: t.boolean(ctx, "vip_first").unwrap_or(true),
        silent_close_s: t.num_or(ctx, "silent_close_s", Rule::NonNeg, 60.0),
        policy,
        across_pools: t.boolean(ctx, "across_pools").unwrap_or(false),
        category_pools: Vec::new(),
    };
    (routing, raw_order(ctx, &t))
}

fn raw_order(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>) -> Vec<RawOrder> {
    let Some(v) = t.get("order") else {
        return Vec::new();
    };
    let DeValue::Table(map) = v.get_ref() else {
        ctx.err_hint(
            Some(ctx.line_of(v.span())),
            "routing.order",
            "must be a table of category = [pools]",
            "e.g. order = { billing = [\"specialists\", \"general\"] }",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in entries {
        let category = k.get_ref().to_string();
        let key = format!("routing.order.{}", excerpt(&category));
        let line = Some(ctx.line_of(v.span()));
        let DeValue::Array(items) = v.get_ref() else {
            ctx.err_hint(
                line,
                &key,
                "must be an array of pool names",
                "e.g. [\"specialists\", \"general\"]",
            );
            continue;
        };
        let mut pools = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(name) = as_str(ctx, &format!("{key}[{i}]"), item) {
                pools.push((name.to_string(), Some(ctx.line_of(item.span()))));
            }
        }
        out.push(RawOrder {
            category,
            pools,
            line,
        });
    }
    out
}

/// Resolves `order` into `routing.category_pools`: each named category and pool must exist,
/// each pool must serve the category's skill, and none may be named twice.
pub(crate) fn resolve_order(
    ctx: &mut Ctx,
    routing: &mut Routing,
    raw: Vec<RawOrder>,
    categories: &[Category],
    pools: &[Pool],
) {
    if raw.is_empty() {
        return;
    }
    let mut orders: Vec<Vec<usize>> = vec![Vec::new(); categories.len()];
    let cat_names: Vec<&str> = categories.iter().map(|c| c.name.as_str()).collect();
    let pool_names: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
    for o in raw {
        let key = format!("routing.order.{}", excerpt(&o.category));
        let Some(cat) = cat_names.iter().position(|n| *n == o.category) else {
            let hint = match suggest(&o.category, &cat_names) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("categories: {}", cat_names.join(", ")),
            };
            ctx.err_hint(o.line, &key, "no category has this name", hint);
            continue;
        };
        let skill = categories[cat].skill;
        for (i, (name, line)) in o.pools.iter().enumerate() {
            let at = format!("{key}[{i}]");
            let Some(p) = pool_names.iter().position(|n| n == name) else {
                let hint = match suggest(name, &pool_names) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => format!("pools: {}", pool_names.join(", ")),
                };
                let msg = format!("no pool is named \"{}\"", excerpt(name));
                ctx.err_hint(*line, &at, msg, hint);
                continue;
            };
            if !pools[p].serves(skill) {
                ctx.err_hint(
                    *line,
                    &at,
                    format!(
                        "pool \"{}\" does not serve category \"{}\"'s skill",
                        excerpt(name),
                        excerpt(&o.category)
                    ),
                    "list only pools whose skills include the category's skill",
                );
            } else if orders[cat].contains(&p) {
                ctx.err(
                    *line,
                    &at,
                    format!("pool \"{}\" is listed twice", excerpt(name)),
                );
            } else {
                orders[cat].push(p);
            }
        }
    }
    routing.category_pools = orders;
}
