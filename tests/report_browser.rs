//! End to end: report.html opened in headless Chromium renders without console errors and
//! without fetching anything, and the screenshot is not blank. Skips (saying why) only where
//! Chromium is not installed (`.ci/install-chromium` installs it from the distribution).

mod shop;

use kefu::report::{charts, html, json, OutputDir};
use kefu::runner::{run, Hooks, IntervalStore, Job, Progress, Reps};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn write_report(dir: &Path) -> PathBuf {
    let m = shop::shop(1.0, 3);
    let opts = Job {
        groups: vec![vec![&m]],
        seed: 3,
        reps: Reps::Fixed(3),
        threads: Some(2),
        progress: Progress::Hidden,
        intervals: IntervalStore::Files,
    };
    let agg = run(&opts, Hooks::default()).unwrap().into_single().0;
    let dest = dir.join("out");
    let out = OutputDir::create(&dest).unwrap();
    let files = charts::write_charts(&out, &m, &agg).unwrap();
    let verdict = kefu::verdict::Verdict::of_run(&m, &agg).unwrap();
    let mut summary = json::summary(&m, &agg, 3, 3);
    json::add_verdict(&mut summary, &verdict);
    let run_info = serde_json::json!({"scenario": m.name, "seed": 3, "replications": 3,
        "kefu_version": env!("CARGO_PKG_VERSION")});
    out.write(
        "report.html",
        html::report_html(&m, &agg, &summary, &run_info, &files, &verdict).unwrap(),
    )
    .unwrap();
    out.commit().unwrap();
    dest.join("report.html")
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(chromium) = find_chromium() else {
        println!("SKIPPED report_renders_in_headless_chromium: chromium is not installed (run .ci/install-chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = write_report(dir.path());
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let mut child = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1366,900",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(180) {
            child.kill().ok();
            panic!("chromium did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    for bad in [
        "CONSOLE",
        "Uncaught",
        "Failed to load resource",
        "net::ERR_",
    ] {
        let lines: Vec<&str> = log.lines().filter(|l| l.contains(bad)).collect();
        assert!(lines.is_empty(), "chromium reported {bad}: {lines:#?}");
    }
    assert!(shot.exists(), "no screenshot; chromium said:\n{log}");

    let decoder = png::Decoder::new(std::fs::File::open(&shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1366, 900));
    let channels = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let ink = px
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 230))
        .count();
    let share = ink as f64 / (info.width * info.height) as f64;
    assert!(
        share > 0.02,
        "the screenshot is nearly blank ({share:.3} of pixels drawn)"
    );
    // The verdict banner is coloured: some pixels are clearly red or green.
    let coloured = px
        .chunks(channels)
        .filter(|p| {
            (p[0] as i32 - p[1] as i32).abs() > 60 || (p[1] as i32 - p[2] as i32).abs() > 60
        })
        .count();
    assert!(
        coloured > 500,
        "no coloured verdict banner in the screenshot"
    );
    if let Ok(keep) = std::env::var("KEFU_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
