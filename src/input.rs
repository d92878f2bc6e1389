//! Reading a file the user named (scenario, CSV, font, records, shard, run record) without
//! trusting it: it must be a regular file after following symlinks, opening it never blocks
//! (a FIFO is refused, not waited on), and the read itself is bounded, since `/dev/zero` or a
//! `/proc` file reports a size of 0 whatever it holds.
//!
//! Messages name the file and the limit, never the file's content.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// 1 MiB, for limits stated in bytes.
pub const MIB: u64 = 1024 * 1024;

/// Largest scenario file, staffing or forecast CSV (also a calibrate records file, a shard's
/// `sweep.json`/`sweep.csv`, a font).
pub const MAX_TEXT_BYTES: u64 = 10 * MIB;

/// Largest records CSV `kefu calibrate` reads.
pub const MAX_RECORDS_BYTES: u64 = 512 * MIB;

/// Largest `--font-file`.
pub const MAX_FONT_BYTES: u64 = 32 * MIB;

/// Why an input file could not be read. The `Display` text starts with the file's name.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Missing, no permission, or another error from the operating system.
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// A folder where a file was expected.
    #[error("{file} is a folder, not {what}")]
    Folder { file: String, what: String },
    /// A FIFO, device, socket…: reading it could block forever or never end.
    #[error("{file} is not a regular file (it is a {kind}); {what} must be a regular file")]
    NotRegular {
        file: String,
        what: String,
        kind: &'static str,
    },
    /// More bytes than the limit (counted while reading, not taken from the metadata).
    #[error("{file} is larger than {}, the limit for {what}", human_bytes(*limit))]
    TooLarge {
        file: String,
        what: String,
        limit: u64,
    },
}

impl InputError {
    /// The file the error is about, as shown.
    pub fn file(&self) -> &str {
        match self {
            InputError::Io { file, .. }
            | InputError::Folder { file, .. }
            | InputError::NotRegular { file, .. }
            | InputError::TooLarge { file, .. } => file,
        }
    }

    /// The message without the leading file name (for messages that name the file already).
    pub fn reason(&self) -> String {
        let text = self.to_string();
        let file = self.file();
        match text.strip_prefix("cannot read ") {
            Some(rest) => rest
                .strip_prefix(file)
                .map(|r| r.trim_start_matches(": ").to_string())
                .unwrap_or(text.clone()),
            None => text
                .strip_prefix(file)
                .map(|r| format!("it{r}"))
                .unwrap_or(text.clone()),
        }
    }
}

/// A byte count as `10 MiB` when whole mebibytes, else in bytes.
pub fn human_bytes(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// What kind of non-regular file `ft` is, for messages.
fn kind_of(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "character device";
        }
        if ft.is_block_device() {
            return "block device";
        }
        if ft.is_socket() {
            return "socket";
        }
    }
    let _ = ft;
    "special file"
}

/// Refuses anything but a regular file.
fn check_type(meta: &std::fs::Metadata, file: &str, what: &str) -> Result<(), InputError> {
    if meta.is_dir() {
        return Err(InputError::Folder {
            file: file.to_string(),
            what: what.to_string(),
        });
    }
    if !meta.is_file() {
        return Err(InputError::NotRegular {
            file: file.to_string(),
            what: what.to_string(),
            kind: kind_of(meta.file_type()),
        });
    }
    Ok(())
}

/// Opens without blocking on a FIFO (`O_NONBLOCK`); the flag does nothing for regular files.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads the whole of `path`, at most `limit` bytes; `what` names the kind of file in
/// messages, with its article ("a scenario file", "a staffing CSV"). The type is checked before opening
/// (so a FIFO is never opened) and again on the open file (so a swap in between is caught).
pub fn read_input(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, InputError> {
    let file = path.display().to_string();
    let io = |source| InputError::Io {
        file: file.clone(),
        source,
    };
    check_type(&std::fs::metadata(path).map_err(io)?, &file, what)?;
    let handle = open_nonblocking(path).map_err(io)?;
    let meta = handle.metadata().map_err(io)?;
    check_type(&meta, &file, what)?;
    let too_large = || InputError::TooLarge {
        file: file.clone(),
        what: what.to_string(),
        limit,
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    // The metadata of /proc files says 0 bytes: the bound is on the read itself.
    handle
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Opens `path` for streaming (a records file too large to hold whole): the same checks as
/// [`read_input`], and reading more than `limit` bytes fails with an error naming the limit.
pub fn open_input(path: &Path, limit: u64, what: &str) -> Result<BoundedReader, InputError> {
    let file = path.display().to_string();
    let io = |source| InputError::Io {
        file: file.clone(),
        source,
    };
    check_type(&std::fs::metadata(path).map_err(io)?, &file, what)?;
    let handle = open_nonblocking(path).map_err(io)?;
    let meta = handle.metadata().map_err(io)?;
    check_type(&meta, &file, what)?;
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            file,
            what: what.to_string(),
            limit,
        });
    }
    Ok(BoundedReader {
        inner: handle,
        left: limit,
        message: format!(
            "{file} is larger than {}, the limit for {what}",
            human_bytes(limit)
        ),
    })
}

/// A file that fails a read past its limit instead of going on (see [`open_input`]).
pub struct BoundedReader {
    inner: File,
    left: u64,
    message: String,
}

impl Read for BoundedReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Read one byte more than allowed, to tell "exactly at the limit" from "over it".
        let want = (buf.len() as u64).min(self.left.saturating_add(1)) as usize;
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                self.message.clone(),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// [`read_input`] for text: the bytes must be UTF-8 (a leading BOM is kept).
pub fn read_input_text(path: &Path, limit: u64, what: &str) -> Result<String, TextInputError> {
    let bytes = read_input(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| TextInputError::NotUtf8 {
        file: path.display().to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Why a text input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TextInputError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{file} is not UTF-8 text (invalid byte at offset {offset}); save it as UTF-8")]
    NotUtf8 { file: String, offset: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"x,y\n1,2\n").unwrap();
        assert_eq!(read_input(&p, 100, "a CSV file").unwrap(), b"x,y\n1,2\n");
    }

    #[test]
    fn the_limit_is_enforced_on_the_bytes_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, vec![b'a'; 101]).unwrap();
        let e = read_input(&p, 100, "a CSV file").unwrap_err();
        assert!(matches!(e, InputError::TooLarge { limit: 100, .. }), "{e}");
        std::fs::write(&p, vec![b'a'; 100]).unwrap();
        assert_eq!(read_input(&p, 100, "a CSV file").unwrap().len(), 100);
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_folders_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero.csv");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_input(&zero, 100, "a CSV file").unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        let fifo = dir.path().join("fifo.csv");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_input(&fifo, 100, "a CSV file").unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        let e = read_input(dir.path(), 100, "a CSV file").unwrap_err();
        assert!(matches!(e, InputError::Folder { .. }), "{e}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_proc_file_reporting_size_0_is_read_within_the_limit() {
        let e = read_input(Path::new("/proc/self/environ"), 0, "a CSV file");
        // Either empty (no environment) or over the 0-byte limit; never unbounded.
        match e {
            Ok(b) => assert!(b.is_empty()),
            Err(e) => assert!(matches!(e, InputError::TooLarge { .. }), "{e}"),
        }
    }

    #[test]
    fn a_bounded_reader_fails_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(&p, vec![b'a'; 50]).unwrap();
        let mut out = Vec::new();
        let mut r = open_input(&p, 50, "a records file").unwrap();
        assert_eq!(r.read_to_end(&mut out).unwrap(), 50);
        std::fs::write(&p, vec![b'a'; 51]).unwrap();
        // The metadata check refuses it at once; a file growing after the open is caught
        // by the read.
        assert!(open_input(&p, 50, "a records file").is_err());
        let mut r = open_input(&p, 60, "a records file").unwrap();
        r.left = 50;
        let e = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::FileTooLarge);
    }

    #[test]
    fn reason_drops_the_file_name() {
        let e = InputError::NotRegular {
            file: "x.csv".into(),
            what: "a CSV file".into(),
            kind: "FIFO (named pipe)",
        };
        assert_eq!(
            e.reason(),
            "it is not a regular file (it is a FIFO (named pipe)); a CSV file must be a regular file"
        );
    }
}
