//! `--set KEY=VALUE` and `--set KEY=FROM..TO[:STEPS]`: values for dotted paths into a scenario
//! document, applied to the TOML text, which is then validated like any scenario file.
//!
//! A KEY is a dotted path with `[i]` indices: `bot.complex.resolve`,
//! `arrivals.peaks[0].multiplier`, `pools[0].agents`, `pools[0].schedule[3].agents`.
//! Every table and array element on the way must exist; the last key may be new (the scenario
//! check rejects unknown keys). Setting `agents` on a pool that has a `schedule` or a
//! `staffing_csv` replaces that headcount with the constant: the other two keys are removed
//! (and a note says so). To change one window of a schedule, set
//! `pools[0].schedule[3].agents` instead.

use std::fmt;
use toml::{Table, Value};

/// One swept key and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct SetSpec {
    pub key: String,
    pub values: Vec<f64>,
}

/// A bad `--set` or a path that does not fit the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct EditError(pub String);

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EditError {}

fn err<T>(msg: impl Into<String>) -> Result<T, EditError> {
    Err(EditError(msg.into()))
}

/// Rounds away floating-point noise of a grid step (0.6000000000000001 → 0.6).
fn tidy(x: f64) -> f64 {
    let r = (x * 1e9).round() / 1e9;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn number(s: &str, what: &str) -> Result<f64, EditError> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => err(format!("{what}: `{s}` is not a number")),
    }
}

/// Parses `KEY=V`, `KEY=A,B,C` or `KEY=FROM..TO[:STEPS]`. Without STEPS, a range of whole
/// numbers takes every whole number (at most 101), any other range 5 steps.
pub fn parse_set(arg: &str) -> Result<SetSpec, EditError> {
    let Some((key, rhs)) = arg.split_once('=') else {
        return err(format!(
            "--set {arg}: expected KEY=FROM..TO[:STEPS], KEY=A,B,C or KEY=VALUE"
        ));
    };
    let key = key.trim().to_string();
    check_key(&key)?;
    let what = format!("--set {arg}");
    let values = if let Some((from, rest)) = rhs.split_once("..") {
        let (to, steps) = match rest.split_once(':') {
            Some((t, s)) => (t, Some(s)),
            None => (rest, None),
        };
        let (a, b) = (number(from, &what)?, number(to, &what)?);
        let steps = match steps {
            Some(s) => match s.trim().parse::<usize>() {
                Ok(n) if (1..=10_000).contains(&n) => n,
                _ => return err(format!("{what}: STEPS must be a whole number 1..10000")),
            },
            None if a.fract() == 0.0 && b.fract() == 0.0 && (b - a).abs() <= 100.0 => {
                (b - a).abs() as usize + 1
            }
            None => 5,
        };
        if steps == 1 {
            if a != b {
                return err(format!("{what}: one step cannot span {a}..{b}"));
            }
            vec![a]
        } else {
            (0..steps)
                .map(|i| tidy(a + (b - a) * i as f64 / (steps - 1) as f64))
                .collect()
        }
    } else {
        rhs.split(',')
            .map(|v| number(v, &what))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(SetSpec { key, values })
}

/// The `[run]` keys a sweep sets itself, with the option to use instead: a sweep runs every
/// point on the same seed and replications (common random numbers), so setting them per
/// point would break the comparison between points.
const SWEEP_OWNED: &[(&str, &str)] = &[
    ("run.seed", "--seed"),
    ("run.replications", "--replications"),
];

/// Checks a `--set` key: a key path, and not one the sweep owns.
pub fn check_key(key: &str) -> Result<(), EditError> {
    parse_path(key)?;
    if let Some((_, option)) = SWEEP_OWNED.iter().find(|(k, _)| *k == key) {
        return err(format!(
            "--set {key}: the sweep sets {key} itself (the same for every point, so that points are compared on the same random draws); use {option} instead"
        ));
    }
    Ok(())
}

/// One step of a path: a key, then zero or more indices.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    key: String,
    indices: Vec<usize>,
}

fn parse_path(path: &str) -> Result<Vec<Step>, EditError> {
    let bad = || EditError(format!("`{path}` is not a key path like pools[0].agents"));
    if path.is_empty() {
        return Err(bad());
    }
    path.split('.')
        .map(|seg| {
            let (name, mut rest) = match seg.find('[') {
                Some(p) => (&seg[..p], &seg[p..]),
                None => (seg, ""),
            };
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(bad());
            }
            let mut indices = Vec::new();
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(bad)?;
                if !rest.starts_with('[') {
                    return Err(bad());
                }
                indices.push(rest[1..close].parse::<usize>().map_err(|_| bad())?);
                rest = &rest[close + 1..];
            }
            Ok(Step {
                key: name.to_string(),
                indices,
            })
        })
        .collect()
}

/// The TOML value for a number: an integer when it is whole and the key held an integer
/// (or nothing), a float otherwise.
fn toml_number(x: f64, old: Option<&Value>) -> Value {
    let whole = x.fract() == 0.0 && x.abs() < 9e15;
    match old {
        Some(Value::Float(_)) => Value::Float(x),
        _ if whole => Value::Integer(x as i64),
        _ => Value::Float(x),
    }
}

/// Sets `path` to `x` in a parsed document; returns a note when other keys had to go.
pub fn set_in(doc: &mut Table, path: &str, x: f64) -> Result<Option<String>, EditError> {
    let steps = parse_path(path)?;
    let (last, parents) = steps.split_last().expect("non-empty path");
    let mut table: &mut Table = doc;
    let mut walked = String::new();
    for st in parents {
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(&st.key);
        let mut v = match table.get_mut(&st.key) {
            Some(v) => v,
            None => return err(format!("{path}: the scenario has no `{walked}`")),
        };
        for &i in &st.indices {
            let len = match v.as_array() {
                Some(a) => a.len(),
                None => return err(format!("{path}: `{walked}` is not an array")),
            };
            if i >= len {
                return err(format!(
                    "{path}: `{walked}` has {len} element(s), index {i} is out of range"
                ));
            }
            walked.push_str(&format!("[{i}]"));
            v = &mut v.as_array_mut().expect("checked")[i];
        }
        table = match v.as_table_mut() {
            Some(t) => t,
            None => return err(format!("{path}: `{walked}` is not a table")),
        };
    }
    let mut note = None;
    if last.indices.is_empty() {
        if last.key == "agents" {
            let removed: Vec<&str> = ["schedule", "staffing_csv"]
                .into_iter()
                .filter(|k| table.contains_key(*k))
                .collect();
            if !removed.is_empty() {
                note = Some(format!(
                    "{path}: a constant headcount replaces the pool's `{}`",
                    removed.join("` and `")
                ));
            }
            table.remove("schedule");
            table.remove("staffing_csv");
        }
        let v = toml_number(x, table.get(&last.key));
        table.insert(last.key.clone(), v);
    } else {
        let mut v = match table.get_mut(&last.key) {
            Some(v) => v,
            None => return err(format!("{path}: the scenario has no `{}`", last.key)),
        };
        for &i in &last.indices {
            let Some(a) = v.as_array_mut() else {
                return err(format!("{path}: `{}` is not an array", last.key));
            };
            let len = a.len();
            match a.get_mut(i) {
                Some(e) => v = e,
                None => {
                    return err(format!(
                        "{path}: the array has {len} element(s), index {i} is out of range"
                    ))
                }
            }
        }
        *v = toml_number(x, Some(v));
    }
    Ok(note)
}

/// Applies assignments to scenario text; returns the new text and the notes.
pub fn apply(text: &str, sets: &[(String, f64)]) -> Result<(String, Vec<String>), EditError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut doc: Table = body
        .parse()
        .map_err(|e: toml::de::Error| EditError(format!("TOML syntax error: {}", e.message())))?;
    let mut notes = Vec::new();
    for (k, x) in sets {
        notes.extend(set_in(&mut doc, k, *x)?);
    }
    let out = toml::to_string(&doc).map_err(|e| EditError(e.to_string()))?;
    Ok((out, notes))
}

/// A value as written in file names, CSV cells and labels: shortest exact decimal.
pub fn fmt_value(x: f64) -> String {
    format!("{x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_lists() {
        let s = parse_set("bot.complex.resolve=0.5..0.9:9").unwrap();
        assert_eq!(s.values.len(), 9);
        assert_eq!(s.values[2], 0.6);
        assert_eq!(s.values[8], 0.9);
        assert_eq!(
            parse_set("pools[0].agents=8..11").unwrap().values,
            vec![8.0, 9.0, 10.0, 11.0]
        );
        assert_eq!(parse_set("a.b=1,2.5").unwrap().values, vec![1.0, 2.5]);
        assert!(parse_set("a.b").is_err());
        assert!(parse_set("a[x].b=1").is_err());
        assert!(parse_set("a.b=1..2:0").is_err());
    }

    #[test]
    fn sets_paths_and_replaces_schedules() {
        let text = "name = \"x\"\n[bot]\ncomplex = { resolve = 0.65 }\n[[pools]]\nname = \"p\"\nschedule = [{ from = \"08:00\", to = \"20:00\", agents = 3 }]\n[[arrivals.peaks]]\nmultiplier = 6.0\n";
        let (out, notes) = apply(
            text,
            &[
                ("bot.complex.resolve".into(), 0.7),
                ("arrivals.peaks[0].multiplier".into(), 10.0),
                ("pools[0].schedule[0].agents".into(), 5.0),
            ],
        )
        .unwrap();
        assert!(notes.is_empty());
        let doc: Table = out.parse().unwrap();
        assert_eq!(doc["bot"]["complex"]["resolve"].as_float(), Some(0.7));
        assert_eq!(
            doc["arrivals"]["peaks"][0]["multiplier"].as_float(),
            Some(10.0)
        );
        assert_eq!(
            doc["pools"][0]["schedule"][0]["agents"].as_integer(),
            Some(5)
        );
        let (out, notes) = apply(text, &[("pools[0].agents".into(), 12.0)]).unwrap();
        assert_eq!(notes.len(), 1);
        let doc: Table = out.parse().unwrap();
        assert_eq!(doc["pools"][0]["agents"].as_integer(), Some(12));
        assert!(doc["pools"][0].get("schedule").is_none());
        assert!(apply(text, &[("pools[3].agents".into(), 1.0)]).is_err());
        assert!(apply(text, &[("nothing.here".into(), 1.0)]).is_err());
    }
}
