//! The batch manifest: a CSV file, one row per shop. Columns: `id` (required: letters,
//! digits, `.`, `_`, `-`; it names the shop's folder and seeds its replications), `scenario`
//! (a scenario file relative to the manifest; empty or absent: the `--template`), the labels
//! `category` and `platform` (for the roll-up), and any number of overrides, each a scenario
//! key path (`arrivals.per_day`, `pools[0].agents`, `categories[1].share`) or a short name
//! ([`ALIASES`]); an empty cell leaves the key as the scenario has it.
//!
//! Every problem is reported at once with the manifest's line and column.

use crate::escape::excerpt;
use std::collections::HashSet;
use std::fmt;

/// Short column names and the scenario keys they stand for.
pub const ALIASES: &[(&str, &str)] = &[
    ("per_day", "arrivals.per_day"),
    ("agents", "pools[0].agents"),
    ("days", "run.days"),
    ("replications", "run.replications"),
];

/// Most shops in one manifest.
pub const MAX_SHOPS: usize = 1_000_000;
/// Longest shop id.
pub const MAX_ID_CHARS: usize = 64;

/// One problem in the manifest, at a line (1-based, the header is line 1) and column
/// (1-based; 0 when it concerns the whole row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column == 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(
                f,
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        }
    }
}

/// Every problem of a manifest, named by the manifest's file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {} problem(s), nothing was run:\n{}", errors.len(), list(errors))]
pub struct ManifestError {
    pub file: String,
    pub errors: Vec<RowError>,
}

fn list(errors: &[RowError]) -> String {
    // Enough to fix a bad column; the count says how many there are in all.
    const SHOWN: usize = 50;
    let mut s: Vec<String> = errors
        .iter()
        .take(SHOWN)
        .map(|e| format!("  {e}"))
        .collect();
    if errors.len() > SHOWN {
        s.push(format!("  … and {} more", errors.len() - SHOWN));
    }
    s.join("\n")
}

/// An override column: its header, the scenario key it sets and its 1-based column.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub key: String,
    pub column: usize,
}

/// One shop's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Shop {
    pub id: String,
    /// The manifest line of the row.
    pub line: u64,
    /// The scenario file as written (None: the template).
    pub scenario: Option<String>,
    pub category: Option<String>,
    pub platform: Option<String>,
    /// `(override index, value)` for every non-empty override cell.
    pub values: Vec<(usize, f64)>,
    /// An override cell could not be read (listed in [`Manifest::problems`]): the row's
    /// scenario is not built. A bad id alone does not stop it, so its problems show too.
    pub bad: bool,
}

/// A parsed manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub overrides: Vec<Override>,
    /// The column of `scenario`, if any (1-based).
    pub scenario_column: Option<usize>,
    pub shops: Vec<Shop>,
    /// Problems of rows (the header is fine): the caller adds the scenarios' problems and
    /// reports them all at once.
    pub problems: Vec<RowError>,
}

/// Whether an id is safe as a folder name and a CSV field.
fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("the shop id is empty".into());
    }
    if id.chars().count() > MAX_ID_CHARS {
        return Some(format!(
            "the shop id is longer than {MAX_ID_CHARS} characters"
        ));
    }
    if id.starts_with('.') {
        return Some(format!("the shop id `{}` starts with `.`", excerpt(id)));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Some(format!(
            "the shop id `{}` may hold only letters, digits, `.`, `_` and `-` (it names the shop's folder)",
            excerpt(id)
        ));
    }
    None
}

/// Parses manifest text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Manifest, ManifestError> {
    let fail = |errors: Vec<RowError>| ManifestError {
        file: file.to_string(),
        errors,
    };
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let header: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            return Err(fail(vec![RowError {
                line: 1,
                column: 0,
                message: format!("cannot read the header: {}", excerpt(&e.to_string())),
            }]))
        }
    };
    let mut errors = Vec::new();
    let mut id_col = None;
    let (mut scenario_col, mut category_col, mut platform_col) = (None, None, None);
    let mut overrides = Vec::new();
    let mut seen_keys = HashSet::new();
    for (i, name) in header.iter().enumerate() {
        let column = i + 1;
        let at = |message: String| RowError {
            line: 1,
            column,
            message,
        };
        let slot = match name.as_str() {
            "id" => Some(&mut id_col),
            "scenario" => Some(&mut scenario_col),
            "category" => Some(&mut category_col),
            "platform" => Some(&mut platform_col),
            _ => None,
        };
        if let Some(slot) = slot {
            if slot.replace(i).is_some() {
                errors.push(at(format!("the column `{name}` is given twice")));
            }
            continue;
        }
        let key = ALIASES
            .iter()
            .find(|(a, _)| a == name)
            .map_or(name.as_str(), |(_, k)| k)
            .to_string();
        if let Err(e) = crate::whatif::edit::check_key(&key) {
            errors.push(at(format!(
                "`{}` is not a scenario key: {e}",
                excerpt(name)
            )));
            continue;
        }
        if key == "run.seed" {
            errors.push(at("`run.seed` cannot be set per shop: each shop's seed comes from the master seed (--seed) and its id".into()));
            continue;
        }
        if key == "name" {
            errors.push(at(
                "`name` cannot be set per shop (values are numbers)".into()
            ));
            continue;
        }
        if !seen_keys.insert(key.clone()) {
            errors.push(at(format!(
                "the key `{}` is set by two columns",
                excerpt(&key)
            )));
            continue;
        }
        overrides.push((i, Override { key, column }));
    }
    let Some(id_col) = id_col else {
        errors.push(RowError {
            line: 1,
            column: 0,
            message: "the header has no `id` column".into(),
        });
        return Err(fail(errors));
    };
    if !errors.is_empty() {
        return Err(fail(errors));
    }
    let mut shops = Vec::new();
    let mut ids = HashSet::new();
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    column: 0,
                    message: format!("unreadable row: {}", excerpt(&e.to_string())),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != header.len() {
            errors.push(RowError {
                line,
                column: 0,
                message: format!(
                    "the row has {} field(s), the header {}",
                    rec.len(),
                    header.len()
                ),
            });
            continue;
        }
        let cell = |c: Option<usize>| {
            c.map(|c| rec[c].trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let id = rec[id_col].trim().to_string();
        if let Some(p) = id_problem(&id) {
            errors.push(RowError {
                line,
                column: id_col + 1,
                message: p,
            });
        } else if !ids.insert(id.to_ascii_lowercase()) {
            // Case-blind: `A` and `a` would share a folder on macOS and Windows.
            errors.push(RowError {
                line,
                column: id_col + 1,
                message: format!(
                    "the shop id `{id}` is used by an earlier row (ids are compared ignoring case)"
                ),
            });
        }
        let before = errors.len();
        let mut values = Vec::new();
        for (k, (c, o)) in overrides.iter().enumerate() {
            let raw = rec[*c].trim();
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<f64>() {
                Ok(x) if x.is_finite() => values.push((k, x)),
                _ => errors.push(RowError {
                    line,
                    column: o.column,
                    message: format!("`{}`: `{}` is not a number", o.key, excerpt(raw)),
                }),
            }
        }
        shops.push(Shop {
            id,
            line,
            scenario: cell(scenario_col),
            category: cell(category_col),
            platform: cell(platform_col),
            values,
            bad: errors.len() > before,
        });
        if shops.len() > MAX_SHOPS {
            errors.push(RowError {
                line,
                column: 0,
                message: format!("a manifest may hold at most {MAX_SHOPS} shops"),
            });
            break;
        }
    }
    if shops.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 1,
            column: 0,
            message: "the manifest has no shop rows".into(),
        });
        return Err(fail(errors));
    }
    Ok(Manifest {
        overrides: overrides.into_iter().map(|(_, o)| o).collect(),
        scenario_column: scenario_col.map(|c| c + 1),
        shops,
        problems: errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_aliases_and_empty_cells() {
        let m = parse(
            "id,scenario,category,per_day,pools[0].agents\na,x.toml,beauty,1200,\nb,,food,,7\n",
            "m.csv",
        )
        .unwrap();
        assert_eq!(m.overrides[0].key, "arrivals.per_day");
        assert_eq!(m.shops[0].values, vec![(0, 1200.0)]);
        assert_eq!(m.shops[1].values, vec![(1, 7.0)]);
        assert_eq!(m.shops[1].scenario, None);
        assert_eq!(m.shops[1].line, 3);
    }

    #[test]
    fn reports_every_bad_cell_with_line_and_column() {
        let e = parse("id,per_day,run.seed\nok,1,\n", "m.csv").unwrap_err();
        assert_eq!((e.errors[0].line, e.errors[0].column), (1, 3), "{e}");
        let m = parse("id,per_day\nok,1\nbad/id,x\nok,2\n", "m.csv").unwrap();
        let at: Vec<(u64, usize)> = m.problems.iter().map(|r| (r.line, r.column)).collect();
        assert_eq!(at, vec![(3, 1), (3, 2), (4, 1)]);
        assert_eq!(
            m.shops.iter().map(|s| s.bad).collect::<Vec<_>>(),
            [false, true, false]
        );
    }
}
