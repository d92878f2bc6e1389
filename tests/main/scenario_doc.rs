//! docs/scenario.md held against the loader (issue 16): every key the loader accepts in a
//! table is documented there, and every documented key is accepted. The loader's accepted
//! keys are read from the loader itself: an unknown key in a table makes `kefu check` list
//! the keys known there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const PROBE: &str = "zz_unknown_probe";

/// Documented key paths by table: `run.days` → (`run`, `days`); `pools[].name` →
/// (`pools[]`, `name`); a top-level key → (``, key).
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario.md"))
            .unwrap();
    let mut by_table: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut in_dists = false;
    for line in doc.lines() {
        if line.starts_with("## ") {
            in_dists = line.contains("Distributions");
        }
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some(end) = rest.find('`') else { continue };
        if in_dists {
            continue;
        }
        let path = &rest[..end];
        let (table, key) = path.rsplit_once('.').unwrap_or(("", path));
        by_table
            .entry(table.to_string())
            .or_default()
            .insert(key.to_string());
    }
    by_table
}

/// The keys `kefu check` knows in each table of `scenario` (a shipped file), found by
/// putting an unknown key into it.
fn accepted(scenario: &str, dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The top level, then after every table header.
    let mut at: Vec<usize> = vec![0];
    at.extend(
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with('['))
            .map(|(i, _)| i + 1),
    );
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in at {
        let mut probed: Vec<&str> = lines.clone();
        let probe = format!("{PROBE} = 1");
        probed.insert(i, &probe);
        let file = dir.join("probe.toml");
        std::fs::write(&file, probed.join("\n")).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg("check")
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        let Some(line) = err
            .lines()
            .find(|l| l.contains(&format!("unknown key `{PROBE}`")))
        else {
            continue; // a table of free keys (e.g. [planning.shrinkage]: pool names)
        };
        let (path, known) = line.split_once(": unknown key").unwrap();
        let path = path
            .rsplit(": ")
            .next()
            .unwrap()
            .trim_end_matches(PROBE)
            .trim_end_matches('.');
        // `pools[2]` → `pools[]`.
        let table: String = {
            let mut t = String::new();
            let mut skip = false;
            for ch in path.chars() {
                match ch {
                    '[' => {
                        t.push_str("[]");
                        skip = true;
                    }
                    ']' => skip = false,
                    _ if skip => {}
                    c => t.push(c),
                }
            }
            t
        };
        let list = known
            .split("known keys here: ")
            .nth(1)
            .unwrap()
            .trim_end_matches(')');
        out.entry(table)
            .or_default()
            .extend(list.split(", ").map(str::to_string));
    }
    out
}

#[test]
fn the_scenario_reference_matches_the_loader() {
    let dir = tempfile::tempdir().unwrap();
    let mut loader: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in [
        "scenarios/singles-day.toml",
        "scenarios/default.toml",
        "scenarios/overnight-farm.toml",
        "scenarios/busy-shop.toml",
        "scenarios/routing-policies.toml",
    ] {
        for (table, keys) in accepted(s, dir.path()) {
            loader.entry(table).or_default().extend(keys);
        }
    }
    let doc = documented();
    // Every table with a header in the shipped scenarios was probed.
    for t in [
        "",
        "run",
        "target",
        "arrivals",
        "arrivals.peaks[]",
        "categories[]",
        "bot",
        "pools[]",
        "routing",
        "surge[]",
        "costs",
        "offline",
        "planning",
        "planning.shifts[]",
    ] {
        assert!(
            loader.contains_key(t),
            "table {t:?} was not probed: {:?}",
            loader.keys()
        );
    }
    for (table, keys) in &loader {
        let documented = doc.get(table).cloned().unwrap_or_default();
        let missing: Vec<&String> = keys.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "docs/scenario.md lacks {table:?} keys {missing:?}"
        );
        let extra: Vec<&String> = documented.difference(keys).collect();
        assert!(
            extra.is_empty(),
            "docs/scenario.md documents {table:?} keys the loader refuses: {extra:?}"
        );
    }
    for table in doc.keys() {
        assert!(
            loader.contains_key(table),
            "docs/scenario.md documents table {table:?} the loader has not"
        );
    }
}

#[test]
fn the_distribution_table_matches_the_loader() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario.md"))
            .unwrap();
    let dists = doc.split("## Distributions").nth(1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc-textbook.toml"),
    )
    .unwrap();
    let mut seen = 0;
    for row in dists.lines().filter(|l| l.starts_with("| `")) {
        // The example cell is a valid handle time.
        let example = row.rsplit('|').nth(1).unwrap().trim().trim_matches('`');
        let text: String = base
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("handle_time") {
                    format!("handle_time = {example}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let file = dir.path().join("d.toml");
        std::fs::write(&file, text).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg("check")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{example}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        seen += 1;
    }
    assert_eq!(seen, 7, "one row per dist kind");
}
