//! The marker kefu writes into every output folder it creates (`.kefu-output.json`: kefu
//! version, command, and every entry it wrote), and the test of whether an existing folder
//! holds nothing but kefu's own files.

use super::OutError;
use serde_json::{json, Value};
use std::path::Path;

pub use super::MARKER;
/// The marker's `written_by` value.
const WRITER: &str = "kefu";
/// A folder with more entries than this is not walked further (and not replaced).
const MAX_ENTRIES: usize = 100_000;

/// What an existing output path holds.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Nothing there.
    Missing,
    /// An empty folder.
    Empty,
    /// A folder holding only entries its marker lists.
    Owned,
    /// A folder with a marker and entries it does not list (the first few, and how many).
    Foreign(Vec<String>, usize),
    /// A non-empty folder without a valid marker.
    Unmarked(Vec<String>, usize),
    /// Not a folder: a file, a symbolic link, a device…
    NotAFolder(&'static str),
}

/// The marker of a folder being written (`entries` empty) or finished.
pub fn text(entries: &[String], complete: bool) -> String {
    let doc = json!({
        "written_by": WRITER,
        "kefu_version": env!("CARGO_PKG_VERSION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "pid": std::process::id(),
        "complete": complete,
        "note": "kefu replaces this folder only while it holds nothing but these entries",
        "entries": entries,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The entries a folder's marker lists, if it has a valid kefu marker.
pub fn read(dir: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    if v.get("written_by")?.as_str()? != WRITER {
        return None;
    }
    v.get("entries")?
        .as_array()?
        .iter()
        .map(|e| e.as_str().map(str::to_string))
        .collect()
}

/// Every entry below `dir`, relative, `/`-separated, folders ending in `/`, the marker left
/// out, sorted; symbolic links and special files are listed with a trailing `@`.
pub fn walk(dir: &Path) -> Result<Vec<String>, OutError> {
    let mut out = Vec::new();
    walk_into(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

fn walk_into(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), OutError> {
    let read = std::fs::read_dir(dir).map_err(|e| OutError::io("read the folder", dir, e))?;
    for entry in read {
        let entry = entry.map_err(|e| OutError::io("read the folder", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefix.is_empty() && name == MARKER {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| OutError::io("read the folder", dir, e))?;
        let rel = format!("{prefix}{name}");
        if out.len() >= MAX_ENTRIES {
            out.push(format!("{rel}…"));
            return Ok(());
        }
        if kind.is_dir() {
            out.push(format!("{rel}/"));
            walk_into(&entry.path(), &format!("{rel}/"), out)?;
        } else if kind.is_file() {
            out.push(rel);
        } else {
            out.push(format!("{rel}@"));
        }
    }
    Ok(())
}

/// Judges what `path` holds (not following a final symbolic link).
pub fn inspect(path: &Path) -> Result<Verdict, OutError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Verdict::Missing),
        // A parent that is a file: nothing can be there (creating the parent fails later).
        Err(e) if e.raw_os_error() == Some(20) => return Ok(Verdict::Missing),
        Err(e) => return Err(OutError::io("inspect", path, e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Ok(Verdict::NotAFolder("a symbolic link"));
    }
    if kind.is_file() {
        return Ok(Verdict::NotAFolder("an existing file"));
    }
    if !kind.is_dir() {
        return Ok(Verdict::NotAFolder(
            "a special file (device, socket or pipe)",
        ));
    }
    let found = walk(path)?;
    let marked = read(path);
    if found.is_empty() && (marked.is_some() || !path.join(MARKER).exists()) {
        return Ok(Verdict::Empty);
    }
    let first_few = |v: Vec<&String>| -> (Vec<String>, usize) {
        let total = v.len();
        let named = v
            .into_iter()
            .take(super::error::NAMED_ENTRIES)
            .cloned()
            .collect();
        (named, total)
    };
    match marked {
        None => {
            if found.is_empty() {
                // Only an unreadable marker: not kefu's all the same.
                return Ok(Verdict::Unmarked(vec![MARKER.to_string()], 1));
            }
            let (named, total) = first_few(found.iter().collect());
            Ok(Verdict::Unmarked(named, total))
        }
        Some(listed) => {
            let foreign: Vec<&String> = found.iter().filter(|e| !listed.contains(e)).collect();
            if foreign.is_empty() {
                Ok(Verdict::Owned)
            } else {
                let (named, total) = first_few(foreign);
                Ok(Verdict::Foreign(named, total))
            }
        }
    }
}

/// The refusal for a verdict kefu must not replace, if any.
pub fn refusal(path: &Path, verdict: Verdict) -> Result<(), OutError> {
    match verdict {
        Verdict::Missing | Verdict::Empty | Verdict::Owned => Ok(()),
        Verdict::Foreign(entries, total) => Err(OutError::Foreign {
            path: path.to_path_buf(),
            entries,
            total,
        }),
        Verdict::Unmarked(entries, total) => Err(OutError::Unmarked {
            path: path.to_path_buf(),
            entries,
            total,
        }),
        Verdict::NotAFolder(kind) => Err(OutError::WrongKind {
            path: path.to_path_buf(),
            kind,
            wanted: "a folder",
        }),
    }
}

/// Removes a folder kefu wrote, entry by entry as its marker lists them; anything else is
/// kept (the folder too, then). Returns whether the folder is gone.
pub fn remove_listed(dir: &Path) -> bool {
    let Some(mut listed) = read(dir) else {
        return false;
    };
    // Reverse order puts every entry before the folder holding it (`a/` sorts before `a/x`).
    listed.sort_by(|a, b| b.cmp(a));
    for e in &listed {
        let p = dir.join(e.trim_end_matches('/'));
        if e.ends_with('/') {
            std::fs::remove_dir(&p).ok();
        } else if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&p).ok();
        }
    }
    std::fs::remove_file(dir.join(MARKER)).ok();
    std::fs::remove_dir(dir).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(dir: &Path, files: &[&str]) {
        for f in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "kefu").unwrap();
        }
        std::fs::write(dir.join(MARKER), text(&walk(dir).unwrap(), true)).unwrap();
    }

    #[test]
    fn a_folder_is_owned_only_while_it_holds_its_listed_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("out");
        assert_eq!(inspect(&d).unwrap(), Verdict::Missing);
        std::fs::create_dir(&d).unwrap();
        assert_eq!(inspect(&d).unwrap(), Verdict::Empty);
        owned(&d, &["summary.json", "charts/a.png"]);
        assert_eq!(inspect(&d).unwrap(), Verdict::Owned);
        // A user's file, even deep inside, makes the folder foreign.
        std::fs::write(d.join("charts/budget.xlsx"), "user").unwrap();
        assert_eq!(
            inspect(&d).unwrap(),
            Verdict::Foreign(vec!["charts/budget.xlsx".into()], 1)
        );
        std::fs::remove_file(d.join("charts/budget.xlsx")).unwrap();
        std::fs::remove_file(d.join(MARKER)).unwrap();
        assert!(matches!(inspect(&d).unwrap(), Verdict::Unmarked(_, 3)));
        std::fs::write(tmp.path().join("file"), "x").unwrap();
        assert!(matches!(
            inspect(&tmp.path().join("file")).unwrap(),
            Verdict::NotAFolder(_)
        ));
    }

    #[test]
    fn removing_by_the_marker_keeps_what_it_does_not_list() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("out");
        owned(&d, &["a.json", "charts/b.png", "charts/deep/c.svg"]);
        std::fs::write(d.join("charts/mine.txt"), "user").unwrap();
        assert!(!remove_listed(&d));
        assert_eq!(std::fs::read(d.join("charts/mine.txt")).unwrap(), b"user");
        assert!(!d.join("a.json").exists() && !d.join("charts/deep").exists());
        let e = tmp.path().join("e");
        owned(&e, &["a.json", "charts/b.png"]);
        assert!(remove_listed(&e));
        assert!(!e.exists());
    }
}
