//! One kefu at a time per output: an exclusive `flock` on `.<name>.kefu-lock` beside the
//! destination. The kernel releases it on any death (even SIGKILL), so a lock is never
//! stale; the file is unlinked by its holder when done, and a process that locked a file
//! just unlinked (the inode no longer at the path) tries again.

use super::OutError;
use std::fs::File;
use std::path::{Path, PathBuf};

/// How often acquiring retries after finding the locked file unlinked under it.
const ATTEMPTS: usize = 8;

/// The lock on one output path; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct DestLock {
    path: PathBuf,
    file: Option<File>,
}

/// The lock file's path for the output `dest` (absolute, parent resolved).
pub fn lock_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.kefu-lock"))
}

impl DestLock {
    /// Takes the lock on the output `shown` (named so in messages), whose lock file is `path`.
    pub fn acquire(path: &Path, shown: &Path) -> Result<Self, OutError> {
        for _ in 0..ATTEMPTS {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|e| OutError::io("create the lock file", path, e))?;
            if !try_lock(&file) {
                let holder = std::fs::read_to_string(path)
                    .ok()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "another process".into());
                return Err(OutError::Locked {
                    path: shown.to_path_buf(),
                    holder,
                });
            }
            if same_file(&file, path) {
                // Registered only once held: a signal must never remove another's lock file.
                crate::interrupt::register_temp(path);
                let mut lock = DestLock {
                    path: path.to_path_buf(),
                    file: Some(file),
                };
                lock.note_holder();
                return Ok(lock);
            }
            // Locked a file its holder had just unlinked: the next open finds the new one.
        }
        Err(OutError::Locked {
            path: shown.to_path_buf(),
            holder: "a kefu that keeps replacing the lock file".into(),
        })
    }

    /// Writes `pid N` into the lock file, for the message another kefu shows.
    fn note_holder(&mut self) {
        use std::io::{Seek, Write};
        if let Some(f) = self.file.as_mut() {
            let _ = f.set_len(0);
            let _ = f.rewind();
            let _ = write!(f, "pid {}", std::process::id());
        }
    }
}

impl Drop for DestLock {
    fn drop(&mut self) {
        // Unlink while still holding the lock, then release it by closing.
        if let Some(f) = &self.file {
            if same_file(f, &self.path) {
                std::fs::remove_file(&self.path).ok();
            }
        }
        crate::interrupt::unregister_temp(&self.path);
        self.file = None;
    }
}

#[cfg(unix)]
fn try_lock(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor owned by `file` for the duration of the call.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

#[cfg(not(unix))]
fn try_lock(_file: &File) -> bool {
    true
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let tmp = tempfile::tempdir().unwrap();
        let path = lock_path(tmp.path(), "out");
        let first = DestLock::acquire(&path, Path::new("out")).unwrap();
        // flock locks belong to the open file: a second open in this process conflicts too.
        match DestLock::acquire(&path, Path::new("out")) {
            Err(OutError::Locked { holder, .. }) => {
                assert_eq!(holder, format!("pid {}", std::process::id()))
            }
            other => panic!("not refused: {other:?}"),
        }
        drop(first);
        assert!(!path.exists(), "the lock file is removed by its holder");
        let again = DestLock::acquire(&path, Path::new("out")).unwrap();
        drop(again);
        assert!(!path.exists());
    }
}
