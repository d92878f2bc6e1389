//! Leftovers of a kefu that died without cleaning up (SIGKILL, power loss, an abort): the
//! next kefu writing the same output removes the dead process's temporary folder or file,
//! and says so. Only what is unmistakably kefu's goes: a folder named `.<name>.tmp-<pid>` or
//! `.<name>.old-<pid>` holding kefu's marker, or a file named `.<name>.tmp-<pid>.kefu`, and
//! only when no process `<pid>` is alive.

use super::marker;
use std::path::Path;

/// Suffix of kefu's temporary single files (`.<name>.tmp-<pid>.kefu`).
pub const FILE_SUFFIX: &str = ".kefu";

/// Temporary folder of `name` written by process `pid`.
pub fn tmp_folder_name(name: &str, pid: u32) -> String {
    format!(".{name}.tmp-{pid}")
}

/// Previous folder of `name` moved aside by process `pid` (where an atomic exchange is not
/// available).
pub fn old_folder_name(name: &str, pid: u32) -> String {
    format!(".{name}.old-{pid}")
}

/// Temporary file of `name` written by process `pid`.
pub fn tmp_file_name(name: &str, pid: u32) -> String {
    format!(".{name}.tmp-{pid}{FILE_SUFFIX}")
}

/// Removes the dead processes' leftovers of output `name` in `parent`; one note per
/// leftover removed or (when not recognisably kefu's) left alone.
pub fn clean(parent: &Path, name: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let Ok(read) = std::fs::read_dir(parent) else {
        return notes;
    };
    let own = std::process::id();
    for entry in read.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some((pid, is_file_pattern)) = leftover_pid(&file, name) else {
            continue;
        };
        if pid == own || alive(pid) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let shown = path.display();
        if is_file_pattern && meta.is_file() {
            if std::fs::remove_file(&path).is_ok() {
                notes.push(format!(
                    "removed {shown}, a temporary file left by a kefu that was stopped (pid {pid})"
                ));
            }
        } else if !is_file_pattern && meta.is_dir() {
            if marker::read(&path).is_some() {
                if std::fs::remove_dir_all(&path).is_ok() {
                    notes.push(format!(
                        "removed {shown}, a temporary folder left by a kefu that was stopped (pid {pid})"
                    ));
                }
            } else {
                notes.push(format!(
                    "left {shown} alone: it looks like a folder an older kefu left behind, but it has no {} marker; delete it yourself if it is",
                    marker::MARKER
                ));
            }
        }
    }
    notes.sort();
    notes
}

/// The process id in a leftover's name, and whether it is the file pattern.
fn leftover_pid(file: &str, name: &str) -> Option<(u32, bool)> {
    let rest = file.strip_prefix('.')?.strip_prefix(name)?;
    let rest = rest.strip_prefix(".tmp-").or_else(|| {
        rest.strip_prefix(".old-")
            .filter(|r| !r.ends_with(FILE_SUFFIX))
    })?;
    let (digits, is_file) = match rest.strip_suffix(FILE_SUFFIX) {
        Some(d) => (d, true),
        None => (rest, false),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, is_file))
}

/// Whether a process `pid` exists (one of another user counts as alive).
#[cfg(unix)]
pub fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Without a way to ask, every process counts as alive (nothing is removed).
#[cfg(not(unix))]
pub fn alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pid no process has: above the largest pid Linux hands out (2^22).
    const DEAD_PID: u32 = 4_194_305;

    #[test]
    fn only_kefu_leftovers_of_dead_processes_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        assert!(!alive(DEAD_PID) && alive(std::process::id()));
        let dead_dir = d.join(tmp_folder_name("out", DEAD_PID));
        std::fs::create_dir(&dead_dir).unwrap();
        std::fs::write(dead_dir.join(marker::MARKER), marker::text(&[], false)).unwrap();
        let unmarked = d.join(old_folder_name("out", DEAD_PID));
        std::fs::create_dir(&unmarked).unwrap();
        let dead_file = d.join(tmp_file_name("out", DEAD_PID));
        std::fs::write(&dead_file, "partial").unwrap();
        let live = d.join(tmp_folder_name("out", std::process::id()));
        std::fs::create_dir(&live).unwrap();
        let other = d.join(format!(".out.tmp-{DEAD_PID}x"));
        std::fs::write(&other, "user").unwrap();
        let notes = clean(d, "out");
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(!dead_dir.exists() && !dead_file.exists());
        assert!(unmarked.exists() && live.exists() && other.exists());
        assert!(notes.iter().any(|n| n.starts_with("left")), "{notes:?}");
    }

    #[test]
    fn leftover_names_are_parsed_strictly() {
        assert_eq!(
            leftover_pid(".a.csv.tmp-12.kefu", "a.csv"),
            Some((12, true))
        );
        assert_eq!(leftover_pid(".out.tmp-12", "out"), Some((12, false)));
        assert_eq!(leftover_pid(".out.old-7", "out"), Some((7, false)));
        assert_eq!(leftover_pid(".out.tmp-", "out"), None);
        assert_eq!(leftover_pid(".outx.tmp-1", "out"), None);
        assert_eq!(leftover_pid(".out.tmp-1a", "out"), None);
    }
}
