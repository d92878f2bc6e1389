//! The typed walker over the parsed TOML tree: getters that convert values while collecting
//! every problem (wrong type, missing key, unknown key with a suggestion, out-of-range value)
//! with its key path and line, so one pass reports everything.

use std::ops::Range;
use std::path::PathBuf;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub(crate) use super::clock::{civil_epoch, format_epoch, parse_local_datetime, parse_time_of_day};
use super::error::Issue;

/// A parsed TOML value with its byte span.
pub(crate) type Val<'i> = Spanned<DeValue<'i>>;

/// Collects issues while a scenario is converted; knows how to turn spans into lines.
pub(crate) struct Ctx {
    pub file: String,
    pub base_dir: PathBuf,
    line_starts: Vec<usize>,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    /// Files given in memory (path as written in the scenario → bytes), read instead of the
    /// disk: `kefu run --from run.json` and the fuzz targets use them.
    pub memfiles: Option<Vec<(String, Vec<u8>)>>,
    /// The CSV files read (path as written in the scenario → bytes), for `run.json`.
    pub files_read: Vec<(String, Vec<u8>)>,
}

impl Ctx {
    pub fn new(file: &str, text: &str, base_dir: PathBuf) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Ctx {
            file: file.to_string(),
            base_dir,
            line_starts,
            errors: Vec::new(),
            warnings: Vec::new(),
            memfiles: None,
            files_read: Vec::new(),
        }
    }

    /// 1-based line of a byte offset.
    pub fn line_at(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    pub fn line_of(&self, span: Range<usize>) -> usize {
        self.line_at(span.start)
    }

    fn issue(
        &self,
        line: Option<usize>,
        key: &str,
        message: String,
        hint: Option<String>,
    ) -> Issue {
        issue_in(&self.file, line, key, message, hint)
    }

    /// Records an error without a hint.
    pub fn err(&mut self, line: Option<usize>, key: &str, message: impl Into<String>) {
        let i = self.issue(line, key, message.into(), None);
        self.errors.push(i);
    }

    /// Records an error with a hint.
    pub fn err_hint(
        &mut self,
        line: Option<usize>,
        key: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let i = self.issue(line, key, message.into(), Some(hint.into()));
        self.errors.push(i);
    }

    /// Records a warning (the scenario stays valid).
    pub fn warn(
        &mut self,
        line: Option<usize>,
        key: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let i = self.issue(line, key, message.into(), hint);
        self.warnings.push(i);
    }

    /// Records an error located in another file (a CSV the scenario refers to).
    pub fn err_in(
        &mut self,
        file: &str,
        line: Option<usize>,
        key: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.errors
            .push(issue_in(file, line, key, message.into(), hint));
    }

    /// Records a warning located in another file.
    pub fn warn_in(
        &mut self,
        file: &str,
        line: Option<usize>,
        key: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.warnings
            .push(issue_in(file, line, key, message.into(), hint));
    }

    /// Number of errors so far; compare before and after a step to see whether it failed.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }
}

/// A range check on a number, with the message a planner reads when it fails.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rule {
    /// ≥ 0.
    NonNeg,
    /// > 0.
    Pos,
    /// In [0, 1]: a probability or share.
    Unit,
    /// In (0, 1].
    UnitPos,
    /// In [lo, hi].
    Between(f64, f64),
    /// In (0, hi].
    PosAtMost(f64),
    /// In [lo, hi): e.g. a shrinkage, which must leave some time productive.
    HalfOpen(f64, f64),
}

impl Rule {
    fn check(self, v: f64) -> Result<(), (String, Option<String>)> {
        // Numbers in messages are compact: 1e308, not 309 digits.
        let v_shown = crate::escape::num(v);
        let share_hint = || {
            (2.0..=100.0)
                .contains(&v)
                .then(|| format!("write shares as fractions: {v}% is {}", v / 100.0))
        };
        let ok = match self {
            Rule::NonNeg => v >= 0.0,
            Rule::Pos => v > 0.0,
            Rule::Unit => (0.0..=1.0).contains(&v),
            Rule::UnitPos => v > 0.0 && v <= 1.0,
            Rule::Between(lo, hi) => v >= lo && v <= hi,
            Rule::PosAtMost(hi) => v > 0.0 && v <= hi,
            Rule::HalfOpen(lo, hi) => v >= lo && v < hi,
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Rule::NonNeg => (format!("must be ≥ 0, got {v_shown}"), None),
            Rule::Pos => (format!("must be > 0, got {v_shown}"), None),
            Rule::Unit => (
                format!("must be between 0 and 1, got {v_shown}"),
                share_hint(),
            ),
            Rule::UnitPos => (format!("must be > 0 and ≤ 1, got {v_shown}"), share_hint()),
            Rule::Between(lo, hi) => (
                format!("must be between {lo} and {hi}, got {v_shown}"),
                None,
            ),
            Rule::PosAtMost(hi) => (format!("must be > 0 and ≤ {hi}, got {v_shown}"), None),
            Rule::HalfOpen(lo, hi) => (
                format!("must be ≥ {lo} and < {hi}, got {v_shown}"),
                if hi == 1.0 { share_hint() } else { None },
            ),
        })
    }
}

/// How a value is named in "expected X, found Y" messages.
pub(crate) fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => {
            format!("the string \"{}\"", crate::escape::excerpt(s))
        }
        DeValue::Integer(i) => format!("the integer {}", crate::escape::excerpt(&i.to_string())),
        DeValue::Float(f) => format!("the number {}", crate::escape::excerpt(&f.to_string())),
        DeValue::Boolean(b) => format!("`{b}`"),
        DeValue::Datetime(d) => format!("the date-time {d}"),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// The best "did you mean" candidate for a misspelt word, if one is close enough.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let w = word.to_lowercase();
    candidates
        .iter()
        .filter_map(|c| {
            let d = strsim::levenshtein(&w, c);
            let close = d <= (c.len() / 3).max(1)
                || (w.len() >= 4 && (c.starts_with(&w) || w.starts_with(c)));
            close.then_some((d, *c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Reports a type mismatch; a quoted number or date gets a "remove the quotes" hint.
pub(crate) fn type_err(ctx: &mut Ctx, key: &str, v: &Val<'_>, expected: &str) {
    let line = Some(ctx.line_of(v.span()));
    let msg = format!("expected {expected}, found {}", describe(v.get_ref()));
    match v.get_ref() {
        DeValue::String(s) if s.trim().parse::<f64>().is_ok() && expected.contains("number") => {
            ctx.err_hint(line, key, msg, "remove the quotes")
        }
        DeValue::String(s) if parse_local_datetime(s).is_some() && expected.contains("date") => ctx
            .err_hint(
                line,
                key,
                msg,
                "remove the quotes: TOML date-times are written bare, like 2026-11-10T20:00:00",
            ),
        _ => ctx.err(line, key, msg),
    }
}

/// A number (integer or float), finite and within `rule`.
pub(crate) fn as_num(ctx: &mut Ctx, key: &str, v: &Val<'_>, rule: Rule) -> Option<f64> {
    let line = Some(ctx.line_of(v.span()));
    let x = match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|x| x as f64),
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        _ => {
            type_err(ctx, key, v, "a number");
            return None;
        }
    };
    let Some(x) = x.filter(|x| x.is_finite()) else {
        ctx.err(line, key, "must be a finite number");
        return None;
    };
    match rule.check(x) {
        Ok(()) => Some(x),
        Err((msg, hint)) => {
            match hint {
                Some(h) => ctx.err_hint(line, key, msg, h),
                None => ctx.err(line, key, msg),
            }
            None
        }
    }
}

/// A whole number in `[lo, hi]`; a float with no fractional part is accepted.
pub(crate) fn as_int(ctx: &mut Ctx, key: &str, v: &Val<'_>, lo: i64, hi: i64) -> Option<i64> {
    let line = Some(ctx.line_of(v.span()));
    let x = match v.get_ref() {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(x) => x,
            Err(_) => {
                ctx.err(
                    line,
                    key,
                    format!("{} is too large", crate::escape::excerpt(&i.to_string())),
                );
                return None;
            }
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9e15 => x as i64,
            _ => {
                ctx.err(
                    line,
                    key,
                    format!(
                        "must be a whole number, got {}",
                        crate::escape::excerpt(&f.to_string())
                    ),
                );
                return None;
            }
        },
        _ => {
            type_err(ctx, key, v, "a whole number");
            return None;
        }
    };
    if x < lo || x > hi {
        let msg = if hi == i64::MAX {
            format!("must be a whole number ≥ {lo}, got {x}")
        } else {
            format!("must be a whole number between {lo} and {hi}, got {x}")
        };
        ctx.err(line, key, msg);
        return None;
    }
    Some(x)
}

/// A string. Control characters (ESC, BEL, NUL…) and bidirectional overrides are refused:
/// names end up on terminals and in HTML, Markdown and CSV files. Only a `description`
/// may hold line breaks and tabs.
pub(crate) fn as_str<'v>(ctx: &mut Ctx, key: &str, v: &'v Val<'_>) -> Option<&'v str> {
    match v.get_ref() {
        DeValue::String(s) => {
            let multiline = key == "description" || key.ends_with(".description");
            let bad = s.chars().enumerate().find(|&(_, c)| {
                crate::escape::is_unsafe_char(c) && !(multiline && matches!(c, '\n' | '\t'))
            });
            if let Some((at, c)) = bad {
                ctx.err_hint(
                    Some(ctx.line_of(v.span())),
                    key,
                    format!(
                        "contains the control character U+{:04X} at character {}",
                        c as u32,
                        at + 1
                    ),
                    "names are shown on terminals and written to HTML, Markdown and CSV files: remove it",
                );
                return None;
            }
            Some(s)
        }
        _ => {
            type_err(ctx, key, v, "a string");
            None
        }
    }
}

/// A calendar instant as epoch seconds: a TOML local date-time, or a local date (midnight).
pub(crate) fn as_datetime(ctx: &mut Ctx, key: &str, v: &Val<'_>) -> Option<i64> {
    let line = Some(ctx.line_of(v.span()));
    let DeValue::Datetime(dt) = v.get_ref() else {
        type_err(ctx, key, v, "a local date-time like 2026-11-10T20:00:00");
        return None;
    };
    if dt.offset.is_some() {
        ctx.err_hint(
            line,
            key,
            format!("{dt} has a time-zone offset"),
            "scenarios have no time zones: drop the offset, e.g. 2026-11-10T20:00:00",
        );
        return None;
    }
    let Some(date) = dt.date else {
        ctx.err_hint(
            line,
            key,
            format!("{dt} is a time of day without a date"),
            "write a date-time like 2026-11-10T20:00:00",
        );
        return None;
    };
    let (h, m, s) = dt
        .time
        .map(|t| (t.hour, t.minute, t.second.unwrap_or(0)))
        .unwrap_or((0, 0, 0));
    civil_epoch(
        date.year as i64,
        date.month as u32,
        date.day as u32,
        h as i64,
        m as i64,
        s.min(59) as i64,
    )
    .or_else(|| {
        ctx.err(line, key, format!("{dt} is not a valid date"));
        None
    })
}

/// A TOML table being walked: its key path, its entries (`None` when absent) and its line.
#[derive(Clone, Copy)]
pub(crate) struct Tbl<'p, 't, 'i> {
    pub path: &'p str,
    pub map: Option<&'t DeTable<'i>>,
    pub line: Option<usize>,
}

impl<'p, 't, 'i> Tbl<'p, 't, 'i> {
    /// Wraps a table and reports keys outside `allowed` (with a suggestion when one is close).
    pub fn new(
        ctx: &mut Ctx,
        path: &'p str,
        map: Option<&'t DeTable<'i>>,
        line: Option<usize>,
        allowed: &[&str],
    ) -> Self {
        if let Some(map) = map {
            let mut unknown: Vec<_> = map
                .iter()
                .filter(|(k, _)| !allowed.contains(&k.get_ref().as_ref()))
                .collect();
            unknown.sort_by_key(|(k, _)| k.span().start);
            for (k, _) in unknown {
                let name = k.get_ref().as_ref();
                let key = join(path, name);
                let line = Some(ctx.line_of(k.span()));
                let guess = (name.len() <= 100)
                    .then(|| suggest(name, allowed))
                    .flatten();
                let hint = match guess {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known keys here: {}", allowed.join(", ")),
                };
                let shown = crate::escape::excerpt(name);
                ctx.err_hint(line, &key, format!("unknown key `{shown}`"), hint);
            }
        }
        Tbl { path, map, line }
    }

    pub fn key(&self, k: &str) -> String {
        join(self.path, k)
    }

    pub fn get(&self, k: &str) -> Option<&'t Val<'i>> {
        self.map.and_then(|m| m.get(k))
    }

    pub fn has(&self, k: &str) -> bool {
        self.get(k).is_some()
    }

    pub fn is_present(&self) -> bool {
        self.map.is_some()
    }

    /// Line of a key's value, or of the table when the key is absent.
    pub fn line_of(&self, ctx: &Ctx, k: &str) -> Option<usize> {
        self.get(k).map(|v| ctx.line_of(v.span())).or(self.line)
    }

    /// Reports a missing required key, with an example of how to write it.
    pub fn missing(&self, ctx: &mut Ctx, k: &str, example: &str) {
        let hint = if self.path.is_empty() {
            format!("add `{example}` at the top of the file")
        } else if self.path.ends_with(']') {
            format!("add `{example}` to this entry")
        } else {
            format!("add `{example}` under `[{}]`", self.path)
        };
        ctx.err_hint(self.line, &self.key(k), "missing required key", hint);
    }

    pub fn num(&self, ctx: &mut Ctx, k: &str, rule: Rule) -> Option<f64> {
        self.get(k).and_then(|v| as_num(ctx, &self.key(k), v, rule))
    }

    pub fn num_or(&self, ctx: &mut Ctx, k: &str, rule: Rule, default: f64) -> f64 {
        self.num(ctx, k, rule).unwrap_or(default)
    }

    pub fn num_req(&self, ctx: &mut Ctx, k: &str, rule: Rule, example: &str) -> Option<f64> {
        if !self.has(k) {
            self.missing(ctx, k, example);
        }
        self.num(ctx, k, rule)
    }

    pub fn int(&self, ctx: &mut Ctx, k: &str, lo: i64, hi: i64) -> Option<i64> {
        self.get(k)
            .and_then(|v| as_int(ctx, &self.key(k), v, lo, hi))
    }

    pub fn int_req(&self, ctx: &mut Ctx, k: &str, lo: i64, hi: i64, example: &str) -> Option<i64> {
        if !self.has(k) {
            self.missing(ctx, k, example);
        }
        self.int(ctx, k, lo, hi)
    }

    pub fn string(&self, ctx: &mut Ctx, k: &str) -> Option<&'t str> {
        self.get(k).and_then(|v| as_str(ctx, &self.key(k), v))
    }

    pub fn boolean(&self, ctx: &mut Ctx, k: &str) -> Option<bool> {
        let v = self.get(k)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                type_err(ctx, &self.key(k), v, "`true` or `false`");
                None
            }
        }
    }

    pub fn datetime(&self, ctx: &mut Ctx, k: &str) -> Option<i64> {
        self.get(k).and_then(|v| as_datetime(ctx, &self.key(k), v))
    }

    pub fn array(&self, ctx: &mut Ctx, k: &str) -> Option<&'t [Val<'i>]> {
        let v = self.get(k)?;
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                type_err(ctx, &self.key(k), v, "an array");
                None
            }
        }
    }

    /// A sub-table (absent → an empty table located at this table's line).
    pub fn table<'q>(
        &self,
        ctx: &mut Ctx,
        path: &'q str,
        k: &str,
        allowed: &[&str],
    ) -> Tbl<'q, 't, 'i> {
        match self.get(k) {
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => {
                    let line = Some(ctx.line_of(v.span()));
                    Tbl::new(ctx, path, Some(t), line, allowed)
                }
                _ => {
                    type_err(ctx, path, v, "a table");
                    Tbl {
                        path,
                        map: None,
                        line: Some(ctx.line_of(v.span())),
                    }
                }
            },
            None => Tbl {
                path,
                map: None,
                line: self.line,
            },
        }
    }

    /// An array of tables (`[[k]]` or an array of inline tables), as `(element, line)` pairs.
    pub fn tables(&self, ctx: &mut Ctx, k: &str) -> Vec<(&'t DeTable<'i>, usize)> {
        let Some(v) = self.get(k) else {
            return Vec::new();
        };
        let key = self.key(k);
        let DeValue::Array(items) = v.get_ref() else {
            let line = Some(ctx.line_of(v.span()));
            let msg = format!(
                "expected an array of tables, found {}",
                describe(v.get_ref())
            );
            ctx.err_hint(line, &key, msg, format!("write each entry as `[[{key}]]`"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, ctx.line_of(item.span()))),
                _ => type_err(ctx, &format!("{key}[{i}]"), item, "a table"),
            }
        }
        out
    }
}

/// `a.b` from a path and a key (just `b` at the root).
pub(crate) fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        k.to_string()
    } else {
        format!("{path}.{k}")
    }
}

/// An issue at `line` of `file`.
fn issue_in(
    file: &str,
    line: Option<usize>,
    key: &str,
    message: String,
    hint: Option<String>,
) -> Issue {
    // A safety net under the excerpts at each call: nothing a user typed or a file held
    // reaches the terminal with a control character in it.
    use crate::escape::terminal;
    Issue {
        file: terminal(file),
        line,
        key: terminal(key),
        message: terminal(&message),
        hint: hint.map(|h| terminal(&h)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typical_slips() {
        let keys = ["name", "run", "arrivals", "categories", "pools", "surge"];
        assert_eq!(suggest("pool", &keys), Some("pools"));
        assert_eq!(suggest("category", &keys), Some("categories"));
        assert_eq!(suggest("Name", &keys), Some("name"));
        assert_eq!(suggest("zzz", &keys), None);
        assert_eq!(suggest("mean", &["mean_s", "cv"]), Some("mean_s"));
    }

    #[test]
    fn lines_from_offsets() {
        let ctx = Ctx::new("f", "a\nbb\n\nc", PathBuf::new());
        assert_eq!(ctx.line_at(0), 1);
        assert_eq!(ctx.line_at(2), 2);
        assert_eq!(ctx.line_at(5), 3);
        assert_eq!(ctx.line_at(6), 4);
    }
}
