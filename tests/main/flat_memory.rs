//! Memory flat in the horizon: a replication holds only the interval rows that can still
//! change, the per-interval moments stream through files, and none of it changes a number.

use kefu::engine;
use kefu::model::Model;
use kefu::report::csv_out;
use kefu::runner::{run, Hooks, IntervalStore, Job, Progress, Reps};
use kefu::scenario;
use kefu::stats::{ClassInterval, IntervalSink, IntervalStats};
use std::path::{Path, PathBuf};

/// A shipped scenario with its horizon changed.
fn scenario_days(file: &str, days: f64) -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("days = "))
        .expect("a days line")
        .to_string();
    let text = text.replace(&line, &format!("days = {days:.1}"));
    scenario::load_str(&text, file, path.parent().unwrap())
        .unwrap()
        .model
}

/// Checks that rows arrive in order and keeps them.
#[derive(Default)]
struct Rows(Vec<(IntervalStats, Vec<ClassInterval>)>);

impl IntervalSink for Rows {
    fn row(&mut self, index: usize, iv: &IntervalStats, classes: &[ClassInterval]) {
        assert_eq!(index, self.0.len(), "rows in order, each once");
        self.0.push((iv.clone(), classes.to_vec()));
    }
}

fn bits(iv: &IntervalStats) -> Vec<u64> {
    vec![
        iv.arrivals as u64,
        iv.bot_resolved as u64,
        iv.offered as u64,
        iv.answered as u64,
        iv.answered_within_target as u64,
        iv.abandoned as u64,
        iv.tickets as u64,
        iv.returns as u64,
        iv.max_waiting as u64,
        iv.wait_sum_s.to_bits(),
        iv.waiting_area.to_bits(),
        iv.headcount_area.to_bits(),
        iv.surge_area.to_bits(),
        iv.busy_area.to_bits(),
        iv.slot_area.to_bits(),
        iv.alert_s.to_bits(),
    ]
}

/// Three weeks of the default scenario (bot, VIPs, four categories) and of the overnight
/// farm (tickets worked hours later): the replication never holds more than a handful of
/// rows, and the streamed rows are the in-memory table's, bit for bit.
#[test]
fn a_long_horizon_holds_a_few_rows_and_streams_the_same_table() {
    for (file, days, most) in [("default.toml", 21.0, 4), ("overnight-farm.toml", 21.0, 4)] {
        let m = scenario_days(file, days);
        let n = m.run.interval_count();
        let mut rows = Rows::default();
        let streamed = engine::simulate_streamed(&m, m.run.seed, 3, None, &mut rows);
        assert_eq!(rows.0.len(), n, "{file}");
        assert!(streamed.intervals.is_empty());
        assert!(
            streamed.interval_rows_peak <= most,
            "{file}: {} rows held at once of {n}",
            streamed.interval_rows_peak
        );
        let table = engine::simulate(&m, m.run.seed, 3);
        assert_eq!(table.intervals.len(), n);
        let k = table.classes();
        for (i, (iv, classes)) in rows.0.iter().enumerate() {
            assert_eq!(bits(iv), bits(&table.intervals[i]), "{file} row {i}");
            for (c, ci) in classes.iter().enumerate() {
                let t = &table.class_intervals[i * k + c];
                assert_eq!(
                    (
                        ci.offered,
                        ci.answered,
                        ci.abandoned,
                        ci.wait_sum_s.to_bits()
                    ),
                    (t.offered, t.answered, t.abandoned, t.wait_sum_s.to_bits()),
                    "{file} row {i} class {c}"
                );
            }
        }
        assert_eq!(streamed.events, table.events);
    }
}

fn outputs(m: &Model, threads: usize, store: IntervalStore) -> (String, String, String) {
    let opts = Job {
        groups: vec![vec![&m]],
        seed: 11,
        reps: Reps::Fixed(5),
        threads: Some(threads),
        progress: Progress::Hidden,
        intervals: store,
    };
    let agg = run(&opts, Hooks::default()).unwrap().into_single().0;
    (
        kefu::report::json::to_text(&kefu::report::json::summary(m, &agg, 5, 11)),
        csv_out::intervals(m, &agg).unwrap(),
        csv_out::intervals_by_class(m, &agg).unwrap(),
    )
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The moments merged through files batch by batch equal those kept in memory, on any
/// number of threads (5 replications: uneven batches), and the files go with the aggregate.
#[test]
fn moments_in_files_equal_moments_in_memory_on_any_thread_count() {
    let m = scenario_days("singles-day.toml", 2.0);
    let memory = outputs(&m, 1, IntervalStore::Memory);
    assert_eq!(outputs(&m, 1, IntervalStore::Files), memory);
    let tmp = tempfile::tempdir().unwrap();
    let in_dir = IntervalStore::FilesIn(tmp.path().to_path_buf());
    assert_eq!(outputs(&m, 2, in_dir.clone()), memory);
    assert_eq!(outputs(&m, 3, in_dir.clone()), memory);
    assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
    // While the aggregate lives, its files are in one folder inside the one given.
    let opts = Job {
        groups: vec![vec![&m]],
        seed: 1,
        reps: Reps::Fixed(2),
        threads: Some(2),
        progress: Progress::Hidden,
        intervals: in_dir,
    };
    let mut agg = run(&opts, Hooks::default()).unwrap().into_single().0;
    let held = entries(tmp.path());
    assert_eq!(held.len(), 1, "{held:?}");
    assert!(held[0].starts_with(".kefu-intervals-"), "{held:?}");
    agg.intervals.close();
    assert!(entries(tmp.path()).is_empty());
    assert!(
        csv_out::intervals(&m, &agg).is_err(),
        "closed moments cannot be read"
    );
}

/// `kefu run` end to end: the contract files are byte-identical on 1 and 2 threads, and no
/// temporary file is left in or beside the output folder.
#[test]
fn kefu_run_writes_the_same_files_on_one_and_two_threads_and_leaves_no_temporary_files() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/overnight-farm.toml");
    for t in ["1", "2"] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args(["run", scen.to_str().unwrap(), "--replications", "5"])
            .args([
                "--no-charts",
                "-q",
                "--threads",
                t,
                "--out",
                &format!("t{t}"),
            ])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    for f in ["summary.json", "intervals.csv", "intervals_by_class.csv"] {
        let a = std::fs::read(tmp.path().join("t1").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("t2").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    let mut left = entries(tmp.path());
    left.sort();
    assert_eq!(left, ["t1", "t2"]);
    for t in ["t1", "t2"] {
        assert!(
            !entries(&tmp.path().join(t))
                .iter()
                // kefu's own marker is the one hidden entry an output folder holds.
                .any(|e| e.starts_with('.') && e != kefu::outfs::marker::MARKER),
            "{:?}",
            entries(&tmp.path().join(t))
        );
    }
}
