//! Ctrl-C (SIGINT) and SIGTERM: stop promptly, leave no temporary folder and never a half
//! replaced output folder.
//!
//! The first signal sets a flag that the runner checks between batches of replications; the
//! run then fails with [`Interrupted`], the [`OutputDir`](crate::report::OutputDir) being
//! written is dropped (removing its temporary folder) and the process exits with 130. If a
//! long replication keeps the runner from noticing within [`GRACE`], or on a second signal,
//! the signal thread removes the registered temporary folders itself and exits with 130.
//! Moving a finished folder into place runs under [`critical`], so an exit never happens
//! between the two renames.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Exit status of an interrupted run (128 + SIGINT, as shells report it).
pub const EXIT_STATUS: i32 = 130;
/// How long the run may take to stop by itself after the first signal.
pub const GRACE: Duration = Duration::from_secs(2);

static STOP: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Temporary folders being written; the lock also guards [`critical`] sections.
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
                for t in temps.iter() {
                    std::fs::remove_dir_all(t).ok();
                }
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
    for t in temps.iter() {
        std::fs::remove_dir_all(t).ok();
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        b"kefu: interrupted; no results written\n",
    );
    std::process::exit(EXIT_STATUS);
}

/// Registers a temporary folder to remove if the process is stopped by a signal.
pub fn register_temp(path: &Path) {
    TEMPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
}

/// Forgets a temporary folder (removed or moved into place).
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
