//! Ctrl-C (SIGINT) and SIGTERM: stop promptly, leave no temporary folder or file and never a
//! half replaced output.
//!
//! [`install`] runs once for every command. The first signal sets a flag that the long loops
//! poll ([`check`]: the runners between batches of replications, the plan iterations, the
//! trace writer); the command then fails with [`Interrupted`], the
//! [`OutputDir`](crate::outfs::OutputDir) or [`AtomicFile`](crate::outfs::AtomicFile) being
//! written is dropped (removing its temporary) and the process exits with 130. If a long
//! replication keeps the loops from noticing within [`GRACE`], or on a second signal, the
//! signal thread removes the registered temporaries itself and exits with 130. Moving a
//! finished output into place runs under [`critical`], so an exit never happens halfway.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Exit status of an interrupted run (128 + SIGINT, as shells report it).
pub const EXIT_STATUS: i32 = 130;
/// How long the command may take to stop by itself after the first signal (then the signal
/// thread cleans up and exits: either way within a second).
pub const GRACE: Duration = Duration::from_millis(750);

static STOP: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Temporary folders and files being written; the lock also guards [`critical`] sections.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The error a run stopped by a signal fails with.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: stopped before the end; no results written (the previous output folder, if any, is unchanged)")]
pub struct Interrupted;

/// Whether a stop was requested.
pub fn requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Fails with [`Interrupted`] when a stop was requested.
pub fn check() -> Result<(), Interrupted> {
    if requested() {
        Err(Interrupted)
    } else {
        Ok(())
    }
}

/// Starts listening for SIGINT and SIGTERM (once per process; later calls do nothing).
pub fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    if cfg!(panic = "abort") {
        // A build that aborts on panic (the `dist` profile) drops nothing on the way out:
        // remove the temporary folders here (a bug is reported all the same).
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            report(info);
            if let Ok(temps) = TEMPS.try_lock() {
                remove_all(&temps);
            }
        }));
    }
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        std::thread::spawn(move || {
            for _ in signals.forever() {
                if STOP.swap(true, Ordering::SeqCst) {
                    // Second signal: do not wait any longer.
                    clean_up_and_exit();
                }
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    b"\nkefu: interrupted, stopping (press Ctrl-C again to stop at once)\n",
                );
                std::thread::spawn(|| {
                    std::thread::sleep(GRACE);
                    clean_up_and_exit();
                });
            }
        });
    }
}

/// Removes the registered temporary folders and exits with [`EXIT_STATUS`]; waits for a
/// [`critical`] section in progress to finish first.
fn clean_up_and_exit() -> ! {
    let temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    remove_all(&temps);
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        b"kefu: interrupted; no results written\n",
    );
    std::process::exit(EXIT_STATUS);
}

/// Removes registered temporaries, newest first (a file inside a folder goes before it).
fn remove_all(temps: &[PathBuf]) {
    for t in temps.iter().rev() {
        match std::fs::symlink_metadata(t) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(t).ok(),
            Ok(_) => std::fs::remove_file(t).ok(),
            Err(_) => None,
        };
    }
}

/// Creates a temporary with `create` and registers it, with no signal exit in between (so
/// it is never left behind unregistered).
pub fn track<T>(path: &Path, create: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let mut temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    let made = create()?;
    temps.push(path.to_path_buf());
    Ok(made)
}

/// Registers a temporary folder or file to remove if the process is stopped by a signal.
pub fn register_temp(path: &Path) {
    TEMPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
}

/// Forgets a temporary (removed or moved into place).
pub fn unregister_temp(path: &Path) {
    TEMPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|p| p != path);
}

/// Runs `f` where a signal cannot end the process (the signal thread waits for it).
pub fn critical<T>(f: impl FnOnce() -> T) -> T {
    let _guard = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    f()
}
