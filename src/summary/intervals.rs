//! Per-interval moments over replications: the `intervals.csv` / `intervals_by_class.csv`
//! numbers and the series of the charts.
//!
//! Two stores with the same numbers (the same additions in the same order):
//! - **memory** ([`IntervalMoments::in_memory`]): a table of moments, filled from each
//!   replication's in-memory table ([`RepStats::intervals`]). For short horizons and callers
//!   that want the replications' tables themselves (the planner, what-if, tests).
//! - **files** ([`IntervalMoments::in_files`]): memory flat in the horizon. Each replication
//!   streams its final rows to a file of fixed-size records ([`RowWriter`]); after each batch
//!   of replications, the batch's files are merged, in replication order, with the moments so
//!   far into a new moments file, interval by interval. The files live in a temporary folder
//!   ([`ScratchDir`]) removed when the store is dropped, and on Ctrl-C (see `interrupt`).
//!
//! Readers go through [`IntervalMoments::for_each`], one interval at a time in order.

use super::fields::{
    class_values, interval_values, ClassField, ClassRow, IntervalField, IntervalRow,
};
use super::Moments;
use crate::model::Model;
use crate::stats::{ClassInterval, IntervalSink, IntervalStats, RepStats};
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Moments of the [`IntervalField`]s of one interval.
pub type FieldMoments = IntervalRow<Moments>;
/// Moments of the [`ClassField`]s of one class in one interval.
pub type ClassMoments = ClassRow<Moments>;

/// Adds one replication's row `i` to the moments of interval `i`.
fn add_row(
    m: &Model,
    i: usize,
    iv: &IntervalStats,
    classes: &[ClassInterval],
    fields: &mut FieldMoments,
    class_moments: &mut [ClassMoments],
) {
    for (mo, v) in fields.iter_mut().zip(interval_values(m, i, iv)) {
        mo.add(v);
    }
    for (slot, ci) in class_moments.iter_mut().zip(classes) {
        for (mo, v) in slot.iter_mut().zip(class_values(ci)) {
            mo.add(v);
        }
    }
}

/// Per-interval moments over the replications folded so far.
pub struct IntervalMoments {
    intervals: usize,
    classes: usize,
    store: Store,
}

enum Store {
    Memory {
        fields: Vec<FieldMoments>,
        /// `classes[i * class_count + k]`.
        classes: Vec<ClassMoments>,
    },
    Files {
        dir: ScratchDir,
        /// The moments file; `None` before the first replication (all moments empty).
        merged: Option<PathBuf>,
        merges: u64,
    },
    Closed,
}

impl IntervalMoments {
    /// The table in memory.
    pub fn in_memory(m: &Model) -> Self {
        let intervals = m.run.interval_count();
        let classes = m.categories.len() + 2;
        IntervalMoments {
            intervals,
            classes,
            store: Store::Memory {
                fields: vec![Default::default(); intervals],
                classes: vec![Default::default(); intervals * classes],
            },
        }
    }

    /// The moments in files, in a new temporary folder inside `parent`.
    pub fn in_files(m: &Model, parent: &Path) -> Result<Self> {
        Ok(IntervalMoments {
            intervals: m.run.interval_count(),
            classes: m.categories.len() + 2,
            store: Store::Files {
                dir: ScratchDir::create(parent)?,
                merged: None,
                merges: 0,
            },
        })
    }

    /// Number of reporting intervals.
    pub fn len(&self) -> usize {
        self.intervals
    }

    pub fn is_empty(&self) -> bool {
        self.intervals == 0
    }

    /// Classes per interval: categories in scenario order, then VIP, normal.
    pub fn class_count(&self) -> usize {
        self.classes
    }

    /// Whether replications go through [`RowWriter`]s and [`merge`](Self::merge) (else
    /// through [`add`](Self::add)).
    pub fn in_files_mode(&self) -> bool {
        matches!(self.store, Store::Files { .. })
    }

    /// Folds in one replication's in-memory table (memory store; call in replication order).
    pub fn add(&mut self, m: &Model, s: &RepStats) {
        let Store::Memory { fields, classes } = &mut self.store else {
            panic!("IntervalMoments::add needs the memory store (files take merge)");
        };
        let k = self.classes;
        for (i, iv) in s.intervals.iter().enumerate() {
            let cls = s.class_intervals.get(i * k..(i + 1) * k).unwrap_or(&[]);
            add_row(
                m,
                i,
                iv,
                cls,
                &mut fields[i],
                &mut classes[i * k..(i + 1) * k],
            );
        }
    }

    /// A writer for the rows of replication `replication` (files store).
    pub fn row_writer(&self, replication: u32) -> Result<RowWriter> {
        let Store::Files { dir, .. } = &self.store else {
            bail!("the interval moments are not kept in files");
        };
        RowWriter::create(
            dir.path().join(format!("rep-{replication}.bin")),
            self.intervals,
            self.classes,
        )
    }

    /// Folds in the rows of finished replications, in the order given (replication order),
    /// then removes their files.
    pub fn merge(&mut self, m: &Model, files: Vec<RowFile>) -> Result<()> {
        if files.is_empty() {
            return Ok(());
        }
        let (n, k) = (self.intervals, self.classes);
        let Store::Files {
            dir,
            merged,
            merges,
        } = &mut self.store
        else {
            bail!("the interval moments are not kept in files");
        };
        *merges += 1;
        let out_path = dir.path().join(format!("moments-{merges}.bin"));
        let result = (|| -> io::Result<()> {
            let mut out = BufWriter::with_capacity(1 << 16, File::create(&out_path)?);
            let mut prev = match merged {
                Some(p) => Some(Records::open(p)?),
                None => None,
            };
            let mut reps = files
                .iter()
                .map(|f| Records::open(&f.path))
                .collect::<io::Result<Vec<_>>>()?;
            let mut fields = FieldMoments::default();
            let mut classes = vec![ClassMoments::default(); k];
            let mut iv = IntervalStats::default();
            let mut cls = vec![ClassInterval::default(); k];
            let mut buf = Vec::with_capacity(moments_record_len(k));
            for i in 0..n {
                match &mut prev {
                    Some(p) => p.read_moments(&mut fields, &mut classes)?,
                    None => {
                        fields = FieldMoments::default();
                        classes.fill(ClassMoments::default());
                    }
                }
                for r in &mut reps {
                    r.read_row(&mut iv, &mut cls)?;
                    add_row(m, i, &iv, &cls, &mut fields, &mut classes);
                }
                buf.clear();
                encode_moments(&mut buf, &fields, &classes);
                out.write_all(&buf)?;
            }
            out.into_inner().map_err(|e| e.into_error())?;
            Ok(())
        })();
        for f in &files {
            std::fs::remove_file(&f.path).ok();
        }
        result
            .with_context(|| format!("cannot write the interval moments {}", out_path.display()))?;
        if let Some(old) = merged.replace(out_path) {
            std::fs::remove_file(old).ok();
        }
        Ok(())
    }

    /// Calls `f(i, fields, classes)` for every interval in order (`classes`: categories,
    /// then VIP, normal).
    pub fn for_each(&self, mut f: impl FnMut(usize, &FieldMoments, &[ClassMoments])) -> Result<()> {
        let k = self.classes;
        match &self.store {
            Store::Memory { fields, classes } => {
                for (i, row) in fields.iter().enumerate() {
                    f(i, row, &classes[i * k..(i + 1) * k]);
                }
            }
            Store::Files { merged: None, .. } => {
                let (row, cls) = (FieldMoments::default(), vec![ClassMoments::default(); k]);
                for i in 0..self.intervals {
                    f(i, &row, &cls);
                }
            }
            Store::Files {
                merged: Some(path), ..
            } => {
                let mut r = Records::open(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let mut row = FieldMoments::default();
                let mut cls = vec![ClassMoments::default(); k];
                for i in 0..self.intervals {
                    r.read_moments(&mut row, &mut cls)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    f(i, &row, &cls);
                }
            }
            Store::Closed => bail!("the interval moments were closed"),
        }
        Ok(())
    }

    /// Removes the files now (they are removed on drop anyway); the moments can no longer be
    /// read.
    pub fn close(&mut self) {
        if self.in_files_mode() {
            self.store = Store::Closed;
        }
    }
}

// ---- fixed-size binary records (native to this process; little-endian) ----------------

const ROW_FIXED: usize = 10 * 4 + 7 * 8;
const CLASS_LEN: usize = 4 * 4 + 8;
const MOMENTS_LEN: usize = 4 + 8 + 8;

fn row_record_len(classes: usize) -> usize {
    ROW_FIXED + classes * CLASS_LEN
}

fn moments_record_len(classes: usize) -> usize {
    (IntervalField::COUNT + classes * ClassField::COUNT) * MOMENTS_LEN
}

fn encode_row(buf: &mut Vec<u8>, iv: &IntervalStats, classes: &[ClassInterval]) {
    for v in [
        iv.arrivals,
        iv.bot_resolved,
        iv.offered,
        iv.answered,
        iv.answered_within_target,
        iv.abandoned,
        iv.tickets,
        iv.tickets_worked,
        iv.returns,
        iv.max_waiting,
    ] {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    for v in [
        iv.wait_sum_s,
        iv.waiting_area,
        iv.headcount_area,
        iv.surge_area,
        iv.busy_area,
        iv.slot_area,
        iv.alert_s,
    ] {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    for c in classes {
        for v in [c.offered, c.answered, c.answered_within_target, c.abandoned] {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        buf.extend_from_slice(&c.wait_sum_s.to_le_bytes());
    }
}

/// Reads little-endian numbers from a byte slice.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn u32(&mut self) -> u32 {
        let (a, b) = self.0.split_at(4);
        self.0 = b;
        u32::from_le_bytes(a.try_into().expect("4 bytes"))
    }
    fn f64(&mut self) -> f64 {
        let (a, b) = self.0.split_at(8);
        self.0 = b;
        f64::from_le_bytes(a.try_into().expect("8 bytes"))
    }
    fn moments(&mut self) -> Moments {
        Moments {
            n: self.u32(),
            sum: self.f64(),
            sum_sq: self.f64(),
        }
    }
}

fn decode_row(bytes: &[u8], iv: &mut IntervalStats, classes: &mut [ClassInterval]) {
    let mut c = Cursor(bytes);
    iv.arrivals = c.u32();
    iv.bot_resolved = c.u32();
    iv.offered = c.u32();
    iv.answered = c.u32();
    iv.answered_within_target = c.u32();
    iv.abandoned = c.u32();
    iv.tickets = c.u32();
    iv.tickets_worked = c.u32();
    iv.returns = c.u32();
    iv.max_waiting = c.u32();
    iv.wait_sum_s = c.f64();
    iv.waiting_area = c.f64();
    iv.headcount_area = c.f64();
    iv.surge_area = c.f64();
    iv.busy_area = c.f64();
    iv.slot_area = c.f64();
    iv.alert_s = c.f64();
    for ci in classes {
        ci.offered = c.u32();
        ci.answered = c.u32();
        ci.answered_within_target = c.u32();
        ci.abandoned = c.u32();
        ci.wait_sum_s = c.f64();
    }
}

fn encode_moments(buf: &mut Vec<u8>, fields: &FieldMoments, classes: &[ClassMoments]) {
    for mo in fields.iter().chain(classes.iter().flatten()) {
        buf.extend_from_slice(&mo.n.to_le_bytes());
        buf.extend_from_slice(&mo.sum.to_le_bytes());
        buf.extend_from_slice(&mo.sum_sq.to_le_bytes());
    }
}

/// A file of fixed-size records read in order.
struct Records {
    r: BufReader<File>,
    buf: Vec<u8>,
}

impl Records {
    fn open(path: &Path) -> io::Result<Self> {
        Ok(Records {
            r: BufReader::with_capacity(1 << 16, File::open(path)?),
            buf: Vec::new(),
        })
    }

    fn next(&mut self, len: usize) -> io::Result<&[u8]> {
        self.buf.resize(len, 0);
        self.r.read_exact(&mut self.buf)?;
        Ok(&self.buf)
    }

    fn read_row(
        &mut self,
        iv: &mut IntervalStats,
        classes: &mut [ClassInterval],
    ) -> io::Result<()> {
        let bytes = self.next(row_record_len(classes.len()))?;
        decode_row(bytes, iv, classes);
        Ok(())
    }

    fn read_moments(
        &mut self,
        fields: &mut FieldMoments,
        classes: &mut [ClassMoments],
    ) -> io::Result<()> {
        let bytes = self.next(moments_record_len(classes.len()))?;
        let mut c = Cursor(bytes);
        for mo in fields.iter_mut().chain(classes.iter_mut().flatten()) {
            *mo = c.moments();
        }
        Ok(())
    }
}

/// Writes the final rows of one replication to its file (an [`IntervalSink`] for
/// [`engine::simulate_streamed`](crate::engine::simulate_streamed)).
pub struct RowWriter {
    path: PathBuf,
    w: BufWriter<File>,
    buf: Vec<u8>,
    rows: usize,
    intervals: usize,
    classes: usize,
    error: Option<io::Error>,
}

/// The finished file of one replication's rows.
pub struct RowFile {
    path: PathBuf,
}

impl RowWriter {
    fn create(path: PathBuf, intervals: usize, classes: usize) -> Result<Self> {
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(RowWriter {
            path,
            w: BufWriter::with_capacity(1 << 16, file),
            buf: Vec::with_capacity(row_record_len(classes)),
            rows: 0,
            intervals,
            classes,
            error: None,
        })
    }

    /// Flushes the file; fails if a write failed or rows are missing.
    pub fn finish(self) -> Result<RowFile> {
        let RowWriter {
            path,
            w,
            rows,
            intervals,
            error,
            ..
        } = self;
        let flushed = match error {
            Some(e) => Err(e),
            None => w.into_inner().map(drop).map_err(|e| e.into_error()),
        };
        flushed.with_context(|| format!("cannot write {}", path.display()))?;
        if rows != intervals {
            bail!(
                "{}: {rows} interval rows instead of {intervals}",
                path.display()
            );
        }
        Ok(RowFile { path })
    }
}

impl IntervalSink for RowWriter {
    fn row(&mut self, index: usize, iv: &IntervalStats, classes: &[ClassInterval]) {
        debug_assert_eq!(index, self.rows, "rows arrive in order");
        debug_assert_eq!(classes.len(), self.classes);
        self.rows += 1;
        if self.error.is_some() {
            return;
        }
        self.buf.clear();
        encode_row(&mut self.buf, iv, classes);
        if let Err(e) = self.w.write_all(&self.buf) {
            self.error = Some(e);
        }
    }
}

/// A temporary folder removed when dropped, and by the signal handler on Ctrl-C.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates `parent/.kefu-intervals-<pid>-<n>`.
    pub fn create(parent: &Path) -> Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = parent.join(format!(".kefu-intervals-{}-{n}", std::process::id()));
        // Never `create_dir_all`: if a signal removed the output's temporary folder (the
        // parent), this fails instead of recreating it.
        std::fs::create_dir(&path)
            .with_context(|| format!("cannot create the temporary folder {}", path.display()))?;
        crate::interrupt::register_temp(&path);
        Ok(ScratchDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.path).ok();
        crate::interrupt::unregister_temp(&self.path);
    }
}
