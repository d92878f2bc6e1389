//! Inputs are never outputs: every path kefu writes is compared, as a canonical path, with
//! every path the command read, and with the folders kefu must never write (system folders,
//! the home folder, the current folder and its ancestors).

use super::OutError;
use std::path::{Component, Path, PathBuf};

/// The files and folders a command read, to be kept apart from what it writes.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// (what it is, the path as given, its canonical forms: where the path itself sits and,
    /// for a symbolic link, what it points to).
    items: Vec<(String, PathBuf, Vec<PathBuf>)>,
}

impl Inputs {
    /// Adds an input file or folder; `what` names it in messages ("scenario", "records"…).
    pub fn add(&mut self, what: &str, path: &Path) {
        let mut forms = vec![canonical(path)];
        if let Ok(real) = path.canonicalize() {
            if !forms.contains(&real) {
                forms.push(real);
            }
        }
        self.items
            .push((what.to_string(), path.to_path_buf(), forms));
    }

    /// Adds a scenario file and the CSV files it read (`csv_files`: the paths as written in
    /// the scenario, relative to its folder — `Loaded::files`).
    pub fn add_scenario<'a>(
        &mut self,
        scenario: &Path,
        csv_files: impl IntoIterator<Item = &'a str>,
    ) {
        self.add("scenario", scenario);
        let base = scenario.parent().unwrap_or(Path::new(""));
        for rel in csv_files {
            self.add("CSV file", &base.join(rel));
        }
    }

    /// The inputs as given.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.items.iter().map(|(_, p, _)| p.as_path())
    }

    /// Refuses `output` when it is an input, contains one, or lies inside one.
    pub fn check(&self, output: &Path) -> Result<(), OutError> {
        let out = canonical(output);
        for (what, given, forms) in &self.items {
            for input in forms {
                let how = if *input == out {
                    "is"
                } else if input.starts_with(&out) {
                    "contains"
                } else if out.starts_with(input) {
                    "is inside"
                } else {
                    continue;
                };
                return Err(OutError::Overlap {
                    output: output.to_path_buf(),
                    input: given.clone(),
                    what: what.clone(),
                    how,
                });
            }
        }
        Ok(())
    }
}

/// The absolute path of `p` with every existing ancestor resolved (symbolic links, `.`,
/// `..`); the final component itself is not followed, so a link is judged as the link. A
/// path that does not exist yet keeps its missing tail, normalised lexically.
pub fn canonical(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(p)
    };
    let parts: Vec<Component> = abs.components().collect();
    // The last component is resolved only when it is `.` or `..` (never a link).
    let keep_last = matches!(parts.last(), Some(Component::Normal(_)));
    let head_len = if keep_last {
        parts.len() - 1
    } else {
        parts.len()
    };
    // The longest prefix that exists, resolved; the rest appended lexically.
    for split in (0..=head_len).rev() {
        let head: PathBuf = parts[..split].iter().collect();
        if let Ok(real) = head.canonicalize() {
            let mut out = real;
            for c in &parts[split..] {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
    }
    abs
}

/// Folders kefu never writes into, replaces or creates an output inside.
const SYSTEM_TREES: &[&str] = &[
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin",
    "/sys", "/usr",
];
/// Folders kefu never replaces (outputs inside them are fine).
const SYSTEM_FOLDERS: &[&str] = &[
    "/", "/home", "/media", "/mnt", "/opt", "/root", "/run", "/srv", "/tmp", "/var", "/snap",
];

/// Why kefu must not write `path` (canonical), if it must not.
pub fn protected(path: &Path, as_folder: bool) -> Option<String> {
    let in_local = path.starts_with("/usr/local") && path != Path::new("/usr/local");
    if !in_local {
        if let Some(t) = SYSTEM_TREES.iter().find(|t| path.starts_with(t)) {
            return Some(format!("a system path (under {t})"));
        }
    }
    if SYSTEM_FOLDERS.iter().any(|f| path == Path::new(f)) {
        return Some("a system folder".into());
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if canonical(Path::new(&home)) == path {
            return Some("your home folder".into());
        }
    }
    if as_folder {
        if let Ok(cwd) = std::env::current_dir() {
            let cwd = cwd.canonicalize().unwrap_or(cwd);
            if cwd == path {
                return Some("the current folder".into());
            }
            if cwd.starts_with(path) {
                return Some("a folder holding the current folder".into());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_resolves_existing_parents_and_keeps_missing_tails() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("a")).unwrap();
        assert_eq!(canonical(&real.join("a/../a/x/./y")), real.join("a/x/y"));
        assert_eq!(canonical(&real.join("a/..")), real);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join("a"), real.join("link")).unwrap();
            // A link inside the path is followed, the final one is not.
            assert_eq!(canonical(&real.join("link/f")), real.join("a/f"));
            assert_eq!(canonical(&real.join("link")), real.join("link"));
        }
    }

    #[test]
    fn an_output_overlapping_an_input_is_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("s")).unwrap();
        std::fs::write(d.join("s/base.toml"), "x").unwrap();
        let mut inputs = Inputs::default();
        inputs.add_scenario(&d.join("s/base.toml"), ["staff.csv"]);
        let refused = |p: &Path| match inputs.check(p) {
            Err(OutError::Overlap { how, input, .. }) => Some((how, input)),
            _ => None,
        };
        assert_eq!(refused(&d.join("s/base.toml")).unwrap().0, "is");
        assert_eq!(refused(&d.join("s")).unwrap().0, "contains");
        assert_eq!(refused(d).unwrap().0, "contains");
        // A CSV that does not exist yet still counts, by where it would be.
        assert_eq!(
            refused(&d.join("s/staff.csv")).unwrap().1,
            d.join("s/staff.csv")
        );
        assert!(refused(&d.join("out")).is_none());
        assert!(refused(&d.join("s2")).is_none());
        let message = inputs.check(&d.join("s")).unwrap_err().to_string();
        assert!(message.contains("base.toml"), "{message}");
    }

    #[test]
    fn system_folders_and_the_current_folder_are_protected() {
        assert!(protected(Path::new("/"), true).is_some());
        assert!(protected(Path::new("/etc/passwd"), false).is_some());
        assert!(protected(Path::new("/usr/lib"), true).is_some());
        assert!(protected(Path::new("/usr/local/out"), true).is_none());
        assert!(protected(Path::new("/tmp"), true).is_some());
        assert!(protected(Path::new("/tmp/kefu-out"), true).is_none());
        let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
        assert!(protected(&cwd, true).is_some());
        assert!(protected(cwd.parent().unwrap(), true).is_some());
        assert!(protected(&cwd.join("output"), true).is_none());
    }
}
