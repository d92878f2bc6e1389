//! An output folder that appears all at once and never replaces anything but kefu's own
//! output: written as `.<name>.tmp-<pid>` beside the destination (with kefu's marker), then
//! swapped with the destination in one atomic exchange; the previous folder is removed
//! entry by entry as its marker lists them.
//!
//! An existing destination is replaced only when it is empty or holds nothing but what its
//! marker lists; anything else is refused before any work and again at commit time. One
//! kefu at a time writes a destination ([`DestLock`]).

use super::lock::{lock_path, DestLock};
use super::marker::{self, Verdict};
use super::{overlap, stale, Inputs, OutError};
use anyhow::{Context, Result};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A folder being written.
#[derive(Debug)]
pub struct OutputDir {
    /// The destination as given (for messages and the returned path).
    shown: PathBuf,
    /// The destination, absolute, parent resolved.
    dest: PathBuf,
    tmp: PathBuf,
    committed: bool,
    notes: Vec<String>,
    _lock: DestLock,
}

impl OutputDir {
    /// Starts writing the folder `dest` (no inputs to keep apart: see [`OutputDir::create_for`]).
    pub fn create(dest: &Path) -> Result<Self, OutError> {
        Self::create_for(dest, &Inputs::default())
    }

    /// Starts writing the folder `dest`, refusing it when it overlaps one of `inputs`, is a
    /// protected path, or exists and holds anything kefu did not write.
    pub fn create_for(dest: &Path, inputs: &Inputs) -> Result<Self, OutError> {
        inputs.check(dest)?;
        let target = overlap::canonical(dest);
        if let Some(why) = overlap::protected(&target, true) {
            return Err(OutError::Protected {
                path: dest.to_path_buf(),
                why,
            });
        }
        let (parent, name) = match (target.parent(), target.file_name()) {
            (Some(p), Some(n)) => (p.to_path_buf(), n.to_string_lossy().into_owned()),
            _ => {
                return Err(OutError::Protected {
                    path: dest.to_path_buf(),
                    why: "the root folder".into(),
                })
            }
        };
        marker::refusal(dest, marker::inspect(&target)?)?;
        std::fs::create_dir_all(&parent).map_err(|e| {
            let shown = dest.parent().filter(|p| !p.as_os_str().is_empty());
            OutError::io("create the folder", shown.unwrap_or(&parent), e)
        })?;
        let lock = DestLock::acquire(&lock_path(&parent, &name), dest)?;
        // Looked at again under the lock: another kefu may have just finished with it.
        marker::refusal(dest, marker::inspect(&target)?)?;
        let notes = stale::clean(&parent, &name);
        let tmp = parent.join(stale::tmp_folder_name(&name, std::process::id()));
        if tmp.exists() {
            // An earlier output of this very process that was not cleaned up.
            std::fs::remove_dir_all(&tmp).ok();
        }
        crate::interrupt::track(&tmp, || std::fs::create_dir(&tmp))
            .map_err(|e| OutError::io("create the folder", &tmp, e))?;
        let out = OutputDir {
            shown: dest.to_path_buf(),
            dest: target,
            tmp,
            committed: false,
            notes,
            _lock: lock,
        };
        std::fs::write(out.tmp.join(marker::MARKER), marker::text(&[], false))
            .map_err(|e| OutError::io("write", &out.tmp.join(marker::MARKER), e))?;
        Ok(out)
    }

    /// What the stale-leftover clean-up did (for the caller to print as `note: …`).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Path of a file inside the folder being written.
    pub fn path(&self, file: &str) -> PathBuf {
        self.tmp.join(file)
    }

    /// Maps a path the user gave (e.g. `--trace`) into the folder being written when it lies
    /// inside the destination, so that it survives the replacement: `Some(temporary path)`
    /// (its folders created), `None` when it lies elsewhere.
    pub fn place(&self, path: &Path) -> Result<Option<PathBuf>, OutError> {
        let target = overlap::canonical(path);
        if target == self.dest || self.dest.starts_with(&target) {
            return Err(OutError::Protected {
                path: path.to_path_buf(),
                why: format!("the output folder {} (or holds it)", self.shown.display()),
            });
        }
        let Ok(rel) = target.strip_prefix(&self.dest) else {
            return Ok(None);
        };
        let inside = self.tmp.join(rel);
        if let Some(parent) = inside.parent() {
            self.make_folders(parent)
                .map_err(|e| OutError::io("create the folder", parent, e))?;
        }
        Ok(Some(inside))
    }

    /// Creates a folder inside the one being written (never the temporary folder itself: if
    /// a signal removed it, writing fails instead of recreating it).
    pub fn create_subdir(&self, rel: &str) -> Result<PathBuf> {
        let p = self.path(rel);
        self.make_folders(&p)
            .with_context(|| format!("cannot create the folder {}", p.display()))?;
        Ok(p)
    }

    fn make_folders(&self, dir: &Path) -> std::io::Result<()> {
        let Ok(rel) = dir.strip_prefix(&self.tmp) else {
            return Ok(());
        };
        let mut at = self.tmp.clone();
        for c in rel.components() {
            at.push(c);
            match std::fs::create_dir(&at) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Writes a whole file.
    pub fn write(&self, file: &str, bytes: impl AsRef<[u8]>) -> Result<()> {
        let p = self.path(file);
        if let Some(parent) = p.parent() {
            self.make_folders(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&p, bytes).with_context(|| format!("cannot write {}", p.display()))
    }

    /// Writes a file through a buffered writer handed to `fill`.
    pub fn write_with(
        &self,
        file: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<()> {
        let p = self.path(file);
        let f =
            std::fs::File::create(&p).with_context(|| format!("cannot write {}", p.display()))?;
        let mut w = std::io::BufWriter::new(f);
        fill(&mut w).with_context(|| format!("cannot write {}", p.display()))?;
        w.into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", p.display()))?;
        Ok(())
    }

    /// The temporary folder (for tests and for cleaning up on a signal).
    pub fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    /// Moves the finished folder into place, replacing the previous one if it still holds
    /// nothing but kefu's own entries (refused otherwise, and nothing is deleted).
    pub fn commit(mut self) -> Result<PathBuf, OutError> {
        let entries = marker::walk(&self.tmp)?;
        sync_files(&self.tmp, &entries);
        let marker_path = self.tmp.join(marker::MARKER);
        std::fs::write(&marker_path, marker::text(&entries, true))
            .map_err(|e| OutError::io("write", &marker_path, e))?;
        super::sync_dir(&self.tmp);
        // A signal arriving now waits until the folder is in place (see `interrupt`).
        crate::interrupt::critical(|| self.commit_inner())?;
        Ok(self.shown.clone())
    }

    fn commit_inner(&mut self) -> Result<(), OutError> {
        // Ctrl-C means "do not write": checked where no signal can end the process.
        crate::interrupt::check()?;
        let verdict = marker::inspect(&self.dest)?;
        let replacing = verdict == Verdict::Owned;
        marker::refusal(&self.shown, verdict)?;
        let moved = |e| OutError::io("move the results into", &self.shown, e);
        if !replacing {
            // Nothing there, or an empty folder (which rename replaces atomically).
            std::fs::rename(&self.tmp, &self.dest).map_err(moved)?;
        } else if exchange(&self.tmp, &self.dest).is_ok() {
            // The previous folder is now at the temporary path.
            self.remove_previous(&self.tmp.clone());
        } else {
            // No atomic exchange here: move the previous folder aside first.
            let name = self.dest.file_name().unwrap_or_default().to_string_lossy();
            let old = self
                .dest
                .with_file_name(stale::old_folder_name(&name, std::process::id()));
            std::fs::rename(&self.dest, &old).map_err(moved)?;
            if let Err(e) = std::fs::rename(&self.tmp, &self.dest) {
                std::fs::rename(&old, &self.dest).ok();
                return Err(moved(e));
            }
            self.remove_previous(&old);
        }
        if let Some(parent) = self.dest.parent() {
            super::sync_dir(parent);
        }
        self.committed = true;
        Ok(())
    }

    /// Removes the replaced folder by its marker; whatever appeared in it meanwhile is kept
    /// under a visible name.
    fn remove_previous(&self, old: &Path) {
        if marker::remove_listed(old) {
            return;
        }
        let name = self.dest.file_name().unwrap_or_default().to_string_lossy();
        let kept = self
            .dest
            .with_file_name(format!("{name}.kept-{}", std::process::id()));
        if std::fs::rename(old, &kept).is_ok() {
            // Rare enough (a file dropped in during the last milliseconds) to say it at once.
            let _ = writeln!(
                std::io::stderr(),
                "note: files that appeared in the previous {} while kefu was writing are kept in {}",
                self.shown.display(),
                kept.display()
            );
        }
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.tmp).ok();
        }
        crate::interrupt::unregister_temp(&self.tmp);
    }
}

/// Swaps two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths for the duration of the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Flushes every file written to the disk, so that a power loss after the rename never
/// leaves a folder of empty files (failures are left to the rename to report).
fn sync_files(dir: &Path, entries: &[String]) {
    for e in entries
        .iter()
        .filter(|e| !e.ends_with('/') && !e.ends_with('@'))
    {
        if let Ok(f) = std::fs::File::open(dir.join(e)) {
            f.sync_all().ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn kefu_replaces_its_own_folder_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("out");
        let out = OutputDir::create(&dest).unwrap();
        out.write("charts/a.svg", "1").unwrap();
        out.write("summary.json", "1").unwrap();
        out.commit().unwrap();
        assert_eq!(names(tmp.path()), ["out"]);
        assert_eq!(names(&dest), [marker::MARKER, "charts", "summary.json"]);
        // Its own folder is replaced, leaving nothing beside it.
        let out = OutputDir::create(&dest).unwrap();
        out.write("summary.json", "2").unwrap();
        out.commit().unwrap();
        assert_eq!(names(tmp.path()), ["out"]);
        assert_eq!(names(&dest), [marker::MARKER, "summary.json"]);
        // A user's file is refused before any work, and again at commit time.
        std::fs::write(dest.join("budget.xlsx"), "user").unwrap();
        let refused = OutputDir::create(&dest).unwrap_err();
        assert!(matches!(refused, OutError::Foreign { .. }), "{refused}");
        assert!(refused.to_string().contains("budget.xlsx"), "{refused}");
        std::fs::remove_file(dest.join("budget.xlsx")).unwrap();
        let out = OutputDir::create(&dest).unwrap();
        std::fs::write(dest.join("late.txt"), "user").unwrap();
        assert!(matches!(out.commit(), Err(OutError::Foreign { .. })));
        assert_eq!(std::fs::read(dest.join("late.txt")).unwrap(), b"user");
        assert_eq!(std::fs::read(dest.join("summary.json")).unwrap(), b"2");
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn a_file_or_an_unmarked_folder_is_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("notes.txt");
        std::fs::write(&file, "mine").unwrap();
        assert!(matches!(
            OutputDir::create(&file),
            Err(OutError::WrongKind { .. })
        ));
        let old = tmp.path().join("old");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("summary.json"), "older kefu").unwrap();
        let e = OutputDir::create(&old).unwrap_err();
        assert!(matches!(e, OutError::Unmarked { .. }), "{e}");
        assert!(e.to_string().contains("older"), "{e}");
        assert_eq!(names(tmp.path()), ["notes.txt", "old"]);
        assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    }

    #[test]
    fn a_path_inside_the_destination_is_written_into_the_new_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("out");
        let out = OutputDir::create(&dest).unwrap();
        let inside = out.place(&dest.join("traces/t.csv")).unwrap().unwrap();
        std::fs::write(&inside, "rows").unwrap();
        assert_eq!(out.place(&tmp.path().join("t.csv")).unwrap(), None);
        assert!(out.place(&dest).is_err());
        out.commit().unwrap();
        assert_eq!(std::fs::read(dest.join("traces/t.csv")).unwrap(), b"rows");
        // Placed files are kefu's: the next run replaces the folder.
        OutputDir::create(&dest).unwrap().commit().unwrap();
        assert!(!dest.join("traces").exists());
    }
}
