//! How a command ends and what it prints: the exit statuses of the contract (0 success,
//! 2 invalid input, 1 any other failure, 130 interrupted) and the two terminal streams.
//!
//! Only the command wing (`cmd`) builds a [`Failure`]; the library's stages return their own
//! typed errors, which the commands map here.

use std::io::Write;

/// A failed command and the exit status it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Invalid input (scenario, flags, records, an output path kefu may not use): exit 2.
    Input(String),
    /// Stopped by Ctrl-C or SIGTERM: exit 130.
    Interrupted,
    /// Anything else (a failed write, a declined confirmation, a lock held by another kefu): exit 1.
    Other(anyhow::Error),
}

/// Exit status of an interrupted command (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

impl Failure {
    /// The process exit status.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) => 2,
            Failure::Interrupted => EXIT_INTERRUPTED,
            Failure::Other(_) => 1,
        }
    }

    /// An invalid-input failure from any displayable error.
    pub fn input(e: impl std::fmt::Display) -> Self {
        Failure::Input(e.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        if e.downcast_ref::<crate::interrupt::Interrupted>().is_some() {
            Failure::Interrupted
        } else {
            Failure::Other(e)
        }
    }
}

impl From<crate::outfs::OutError> for Failure {
    /// Refusals about the paths given are invalid input (2); a lock held or I/O is 1.
    fn from(e: crate::outfs::OutError) -> Self {
        if e.is_input() {
            Failure::Input(e.to_string())
        } else {
            Failure::Other(e.into())
        }
    }
}

impl From<crate::interrupt::Interrupted> for Failure {
    fn from(_: crate::interrupt::Interrupted) -> Self {
        Failure::Interrupted
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(s) => write!(f, "{s}"),
            Failure::Interrupted => write!(f, "{}", crate::interrupt::Interrupted),
            Failure::Other(e) => write!(f, "{e:#}"),
        }
    }
}

/// Prints to stdout, treating a closed pipe (`kefu … | head`) as success.
pub fn say(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Other(e.into())),
        _ => Ok(()),
    }
}

/// Prints what the output clean-up did (a dead kefu's leftovers removed), one `note:` each.
pub fn notes(notes: &[String]) {
    for n in notes {
        warn(&crate::escape::terminal_lines(&format!("note: {n}")));
    }
}

/// Prints a line to stderr, ignoring failures (there is nowhere left to report them).
pub fn warn(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
