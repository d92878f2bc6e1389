//! A single-file output (a calibrated scenario, a trace) that appears whole or not at all:
//! written to `.<name>.tmp-<pid>.kefu` beside it, flushed to the disk, then renamed over the
//! destination. A failed write (a full disk) leaves the previous file as it was and no
//! temporary behind.

use super::{overlap, stale, Inputs, OutError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// What to do when the destination already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse ([`OutError::ExistsNeedsForce`]): the default.
    Refuse,
    /// Replace it (`--force`, or a file inside kefu's own new output folder).
    Replace,
}

impl Existing {
    /// `Replace` when `force` is given.
    pub fn from_force(force: bool) -> Self {
        if force {
            Existing::Replace
        } else {
            Existing::Refuse
        }
    }
}

/// A file being written.
#[derive(Debug)]
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
    existing: Existing,
    notes: Vec<String>,
}

impl AtomicFile {
    /// Starts writing `dest`, after checking it against `inputs`, system paths and what is
    /// there now. The parent folder must exist.
    pub fn create(dest: &Path, existing: Existing, inputs: &Inputs) -> Result<Self, OutError> {
        inputs.check(dest)?;
        let target = overlap::canonical(dest);
        if let Some(why) = overlap::protected(&target, false) {
            return Err(OutError::Protected {
                path: dest.to_path_buf(),
                why,
            });
        }
        check_existing(dest, &target, existing)?;
        let (parent, name) = match (target.parent(), target.file_name()) {
            (Some(p), Some(n)) => (p.to_path_buf(), n.to_string_lossy().into_owned()),
            _ => {
                return Err(OutError::WrongKind {
                    path: dest.to_path_buf(),
                    kind: "a folder",
                    wanted: "a file",
                })
            }
        };
        let notes = stale::clean(&parent, &name);
        let tmp = parent.join(stale::tmp_file_name(&name, std::process::id()));
        // A leftover of this very process (an earlier file of the same name) is its own.
        std::fs::remove_file(&tmp).ok();
        let file = crate::interrupt::track(&tmp, || {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
        })
        .map_err(|e| OutError::io("write", dest, e))?;
        Ok(AtomicFile {
            dest: target,
            tmp,
            out: Some(BufWriter::with_capacity(1 << 16, file)),
            existing,
            notes,
        })
    }

    /// Where the file will appear (absolute).
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// What the stale-leftover clean-up did (for the caller to print as `note: …`).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The buffered writer of the temporary file.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("writer present until commit")
    }

    /// Flushes the file to the disk and moves it into place.
    pub fn commit(mut self) -> Result<(), OutError> {
        let io = |e| OutError::io("write", &self.dest, e);
        let out = self.out.take().expect("writer present until commit");
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        drop(file);
        // The destination may have appeared meanwhile.
        check_existing(&self.dest, &self.dest, self.existing)?;
        // Ctrl-C means "do not write": checked where no signal can end the process.
        crate::interrupt::critical(|| {
            crate::interrupt::check()?;
            std::fs::rename(&self.tmp, &self.dest).map_err(io)
        })?;
        crate::interrupt::unregister_temp(&self.tmp);
        self.tmp = PathBuf::new();
        if let Some(parent) = self.dest.parent() {
            super::sync_dir(parent);
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.out = None;
            std::fs::remove_file(&self.tmp).ok();
            crate::interrupt::unregister_temp(&self.tmp);
        }
    }
}

/// Refuses what must not be replaced: anything but a regular file, and a regular file
/// unless `existing` allows it.
fn check_existing(shown: &Path, target: &Path, existing: Existing) -> Result<(), OutError> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(OutError::io("inspect", shown, e)),
    };
    let kind = meta.file_type();
    let wrong = |kind| {
        Err(OutError::WrongKind {
            path: shown.to_path_buf(),
            kind,
            wanted: "a file",
        })
    };
    if kind.is_dir() {
        wrong("a folder")
    } else if kind.is_symlink() {
        wrong("a symbolic link")
    } else if !kind.is_file() {
        wrong("a special file (device, socket or pipe)")
    } else if existing == Existing::Refuse {
        Err(OutError::ExistsNeedsForce {
            path: shown.to_path_buf(),
        })
    } else {
        Ok(())
    }
}

/// Writes `bytes` to `dest` atomically (see [`AtomicFile`]); returns the clean-up notes.
pub fn write_file(
    dest: &Path,
    bytes: impl AsRef<[u8]>,
    existing: Existing,
    inputs: &Inputs,
) -> Result<Vec<String>, OutError> {
    let mut f = AtomicFile::create(dest, existing, inputs)?;
    f.writer()
        .write_all(bytes.as_ref())
        .map_err(|e| OutError::io("write", dest, e))?;
    let notes = f.notes.clone();
    f.commit()?;
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_replaced_only_when_allowed_and_nothing_is_left_beside() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("shop.toml");
        let none = Inputs::default();
        write_file(&p, "first", Existing::Refuse, &none).unwrap();
        let refused = write_file(&p, "second", Existing::Refuse, &none).unwrap_err();
        assert!(matches!(refused, OutError::ExistsNeedsForce { .. }));
        assert!(refused.is_input());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "first");
        write_file(&p, "second", Existing::Replace, &none).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        // A folder or an input is never a file output, --force or not.
        let d = tmp.path().join("folder");
        std::fs::create_dir(&d).unwrap();
        assert!(matches!(
            write_file(&d, "x", Existing::Replace, &none),
            Err(OutError::WrongKind { .. })
        ));
        let mut inputs = Inputs::default();
        inputs.add("records", &p);
        assert!(matches!(
            write_file(&p, "x", Existing::Replace, &inputs),
            Err(OutError::Overlap { .. })
        ));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
    }

    #[test]
    fn a_dropped_file_leaves_the_previous_one_and_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("trace.csv");
        std::fs::write(&p, "previous").unwrap();
        let mut f = AtomicFile::create(&p, Existing::Replace, &Inputs::default()).unwrap();
        f.writer().write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "previous");
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
