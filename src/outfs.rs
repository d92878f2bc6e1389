//! Every path kefu writes, written safely: no user file is ever deleted or overwritten, an
//! input is never an output, and an interruption or crash leaves nothing behind.
//!
//! - [`OutputDir`]: an output folder, replaced only when it holds nothing but what kefu
//!   wrote there (its marker, [`marker::MARKER`], lists every entry); written beside the
//!   destination and swapped in at once; one kefu at a time ([`lock`]).
//! - [`AtomicFile`]: a single-file output (a trace, a calibrated scenario), refused when it
//!   exists unless the caller allows replacing it (`--force`); written beside and renamed.
//! - [`Inputs`]: what a command read; every output is checked against it ([`overlap`]).
//! - [`stale`]: a dead kefu's temporary folder or file is removed by the next kefu writing
//!   the same output (the notes say so).
//!
//! Refusals are [`OutError`]s; [`OutError::is_input`] tells exit status 2 from 1.

pub mod atomic_file;
pub mod error;
pub mod lock;
pub mod marker;
pub mod output_dir;
pub mod overlap;
pub mod stale;

/// The marker's file name, inside the output folder.
pub const MARKER: &str = ".kefu-output.json";

pub use atomic_file::{write_file, AtomicFile, Existing};
pub use error::OutError;
pub use output_dir::OutputDir;
pub use overlap::Inputs;

/// Flushes a folder's entries (a rename, a new file) to the disk; best effort.
pub(crate) fn sync_dir(dir: &std::path::Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
}
