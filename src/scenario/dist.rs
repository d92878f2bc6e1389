//! Distribution tables (`{ dist = "lognormal", mean_s = 300, cv = 0.8 }`) → [`Dist`], reporting
//! an unknown `dist`, missing or unknown parameters and refused values by key path.

use toml::de::DeValue;

use super::walk::{as_num, describe, suggest, Ctx, Rule, Tbl, Val};
use crate::model::Dist;

/// The `dist` names and their parameters, as planners write them.
const KINDS: &[(&str, &[&str])] = &[
    ("exponential", &["mean_s"]),
    ("lognormal", &["mean_s", "cv"]),
    ("gamma", &["mean_s", "cv"]),
    ("uniform", &["min_s", "max_s"]),
    ("constant", &["value_s"]),
    ("erlang", &["mean_s", "k"]),
    ("weibull", &["mean_s", "shape"]),
];

/// Converts the distribution at `key`; `None` (with issues recorded) when it is not valid.
pub(crate) fn parse_dist(ctx: &mut Ctx, key: &str, v: &Val<'_>) -> Option<Dist> {
    let line = Some(ctx.line_of(v.span()));
    let DeValue::Table(map) = v.get_ref() else {
        let msg = format!(
            "expected a distribution table, found {}",
            describe(v.get_ref())
        );
        ctx.err_hint(
            line,
            key,
            msg,
            "write e.g. { dist = \"exponential\", mean_s = 240 }",
        );
        return None;
    };
    let names: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
    let valid = || format!("valid kinds: {}", names.join(", "));
    let Some(kind_v) = map.get("dist") else {
        ctx.err_hint(
            line,
            &format!("{key}.dist"),
            "missing required key",
            format!("add `dist = \"exponential\"` or another kind ({})", valid()),
        );
        return None;
    };
    let DeValue::String(kind) = kind_v.get_ref() else {
        super::walk::type_err(ctx, &format!("{key}.dist"), kind_v, "a string");
        return None;
    };
    let Some(&(kind, params)) = KINDS.iter().find(|k| k.0 == kind.as_ref()) else {
        let kline = Some(ctx.line_of(kind_v.span()));
        let hint = match suggest(kind, &names) {
            Some(s) => format!("did you mean \"{s}\"? {}", valid()),
            None => valid(),
        };
        ctx.err_hint(
            kline,
            &format!("{key}.dist"),
            format!("unknown distribution \"{kind}\""),
            hint,
        );
        return None;
    };
    let mut allowed = vec!["dist"];
    allowed.extend_from_slice(params);
    let before = ctx.error_count();
    let t = Tbl::new(ctx, key, Some(map), line, &allowed);
    let mut vals = Vec::new();
    for p in params {
        match t.get(p) {
            None => ctx.err_hint(
                line,
                &t.key(p),
                format!("missing parameter of the {kind} distribution"),
                format!("{kind} needs {}", params.join(" and ")),
            ),
            Some(pv) if *p == "k" => {
                vals.push(super::walk::as_int(ctx, &t.key(p), pv, 1, 1000).map(|k| k as f64))
            }
            Some(pv) => {
                let rule = if matches!(*p, "min_s" | "max_s" | "value_s") {
                    Rule::NonNeg
                } else {
                    Rule::Pos
                };
                vals.push(as_num(ctx, &t.key(p), pv, rule))
            }
        }
    }
    if ctx.error_count() > before || vals.iter().any(Option::is_none) {
        return None;
    }
    let x: Vec<f64> = vals.into_iter().flatten().collect();
    let built = match kind {
        "exponential" => Dist::exponential(x[0]),
        "lognormal" => Dist::lognormal(x[0], x[1]),
        "gamma" => Dist::gamma(x[0], x[1]),
        "uniform" => Dist::uniform(x[0], x[1]),
        "constant" => Dist::constant(x[0]),
        "erlang" => Dist::erlang(x[0], x[1] as u32),
        _ => Dist::weibull(x[0], x[1]),
    };
    built.map_err(|e| ctx.err(line, key, e)).ok()
}

/// An optional distribution key of a table.
pub(crate) fn dist_opt(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>, k: &str) -> Option<Dist> {
    t.get(k).and_then(|v| parse_dist(ctx, &t.key(k), v))
}

/// A required distribution key of a table.
pub(crate) fn dist_req(ctx: &mut Ctx, t: &Tbl<'_, '_, '_>, k: &str, example: &str) -> Option<Dist> {
    if !t.has(k) {
        t.missing(ctx, k, example);
        return None;
    }
    dist_opt(ctx, t, k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn try_dist(src: &str) -> (Option<Dist>, Vec<String>) {
        let text = format!("d = {src}\n");
        let doc = toml::de::DeTable::parse(&text).unwrap();
        let mut ctx = Ctx::new("t.toml", &text, PathBuf::new());
        let d = parse_dist(&mut ctx, "d", doc.get_ref().get("d").unwrap());
        (d, ctx.errors.iter().map(|i| i.to_string()).collect())
    }

    #[test]
    fn good_and_bad_distributions() {
        assert_eq!(
            try_dist("{ dist = \"lognormal\", mean_s = 300, cv = 0.8 }")
                .0
                .unwrap()
                .mean(),
            300.0
        );
        assert_eq!(
            try_dist("{ dist = \"erlang\", mean_s = 30.0, k = 3 }")
                .0
                .unwrap()
                .mean(),
            30.0
        );
        let (d, e) = try_dist("{ dist = \"expo\", mean_s = 3 }");
        assert!(
            d.is_none() && e[0].contains("did you mean \"exponential\""),
            "{e:?}"
        );
        let (_, e) = try_dist("{ dist = \"exponential\", mean = 3 }");
        assert!(
            e.iter().any(|m| m.contains("did you mean `mean_s`")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.contains("d.mean_s: missing parameter")),
            "{e:?}"
        );
        let (_, e) = try_dist("{ dist = \"uniform\", min_s = 5, max_s = 1 }");
        assert!(e[0].contains("max_s"), "{e:?}");
        let (_, e) = try_dist("240");
        assert!(e[0].contains("expected a distribution table"), "{e:?}");
    }
}
