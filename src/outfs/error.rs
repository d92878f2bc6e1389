//! Why kefu refused, or failed, to write an output: one typed error for every path it writes.

use std::path::PathBuf;

/// How many foreign entries a refusal names before it says "and N more".
pub const NAMED_ENTRIES: usize = 5;

/// A refusal or failure to write an output folder or file.
#[derive(Debug, thiserror::Error)]
pub enum OutError {
    /// The output folder holds entries kefu did not write there.
    #[error(
        "refusing to replace {}: it holds {} kefu did not write ({}); nothing was moved or deleted — move them elsewhere, or choose another --out",
        .path.display(), entries_count(*.total), list(.entries, *.total)
    )]
    Foreign {
        path: PathBuf,
        /// The first few foreign entries, relative to `path` (folders end in `/`).
        entries: Vec<String>,
        total: usize,
    },
    /// A non-empty folder without kefu's marker (not an output folder, or one written by an
    /// older kefu, which wrote no marker).
    #[error(
        "refusing to replace {}: it is not empty ({}) and has no {} marker, so kefu cannot tell its own files from yours; if it is an old kefu output (older versions wrote no marker), delete it yourself, or choose another --out",
        .path.display(), list(.entries, *.total), super::MARKER
    )]
    Unmarked {
        path: PathBuf,
        entries: Vec<String>,
        total: usize,
    },
    /// The path exists and is the wrong kind of thing (a file where a folder goes, a
    /// symbolic link, a device…).
    #[error("refusing to write {}: it is {kind}, not {wanted}; nothing was changed", .path.display())]
    WrongKind {
        path: PathBuf,
        kind: &'static str,
        wanted: &'static str,
    },
    /// A path kefu never writes: a system folder, the home folder, the current folder or
    /// one of its ancestors.
    #[error("refusing to write {}: it is {why}; nothing was changed", .path.display())]
    Protected { path: PathBuf, why: String },
    /// An output would overwrite, or sit inside or around, an input of the same command.
    #[error(
        "refusing to write {}: it {how} the {what} {}, which this command reads; choose another output path",
        .output.display(), .input.display()
    )]
    Overlap {
        output: PathBuf,
        input: PathBuf,
        /// What the input is ("scenario", "records", …).
        what: String,
        /// "is", "contains" or "is inside".
        how: &'static str,
    },
    /// A single-file output that already exists, without `--force`.
    #[error("{} already exists; give --force to replace it", .path.display())]
    ExistsNeedsForce { path: PathBuf },
    /// Another kefu process holds the lock on this output.
    #[error(
        "another kefu ({holder}) is writing {} right now; wait for it to finish, or choose another output path",
        .path.display()
    )]
    Locked { path: PathBuf, holder: String },
    /// A stop was requested (Ctrl-C, SIGTERM) before the output was moved into place.
    #[error(transparent)]
    Interrupted(#[from] crate::interrupt::Interrupted),
    /// The file system failed (permissions, full disk…).
    #[error("cannot {action} {}: {error}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
}

impl OutError {
    /// Whether the refusal is about the paths given (exit status 2) rather than a failure of
    /// the machine or another process (exit status 1).
    pub fn is_input(&self) -> bool {
        !matches!(
            self,
            OutError::Locked { .. } | OutError::Io { .. } | OutError::Interrupted(_)
        )
    }

    /// An I/O failure on `path`.
    pub fn io(action: &'static str, path: &std::path::Path, error: std::io::Error) -> Self {
        OutError::Io {
            action,
            path: path.to_path_buf(),
            error,
        }
    }
}

fn entries_count(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

fn list(entries: &[String], total: usize) -> String {
    let mut s = entries.join(", ");
    if total > entries.len() {
        s.push_str(&format!(" and {} more", total - entries.len()));
    }
    s
}
