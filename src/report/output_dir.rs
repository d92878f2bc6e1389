//! An output folder that appears all at once: written as `.<name>.tmp-<pid>` beside the
//! destination, then renamed over it (the previous folder is moved aside first and removed).

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// A folder being written.
pub struct OutputDir {
    dest: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Starts writing the folder `dest`.
    pub fn create(dest: &Path) -> Result<Self> {
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).ok();
        }
        std::fs::create_dir(&tmp)
            .with_context(|| format!("cannot create the folder {}", tmp.display()))?;
        crate::interrupt::register_temp(&tmp);
        Ok(OutputDir {
            dest: dest.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Path of a file inside the folder being written.
    pub fn path(&self, file: &str) -> PathBuf {
        self.tmp.join(file)
    }

    /// Writes a whole file.
    pub fn write(&self, file: &str, bytes: impl AsRef<[u8]>) -> Result<()> {
        let p = self.path(file);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
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

    /// Moves the finished folder into place, replacing any previous one.
    pub fn commit(mut self) -> Result<PathBuf> {
        // A signal arriving now waits until the folder is in place (see `interrupt`).
        crate::interrupt::critical(|| self.commit_inner())
    }

    fn commit_inner(&mut self) -> Result<PathBuf> {
        let old = self.dest.with_file_name(format!(
            ".{}.old-{}",
            self.dest
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.dest.exists();
        if had_old {
            std::fs::rename(&self.dest, &old)
                .with_context(|| format!("cannot replace the folder {}", self.dest.display()))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.dest) {
            if had_old {
                std::fs::rename(&old, &self.dest).ok();
            }
            return Err(e)
                .with_context(|| format!("cannot move the results into {}", self.dest.display()));
        }
        if had_old {
            std::fs::remove_dir_all(&old).ok();
        }
        self.committed = true;
        Ok(self.dest.clone())
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
