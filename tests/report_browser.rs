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

/// Runs Chromium headless on `url` with `extra` arguments; returns its stdout (through a
/// file: a DOM dump is larger than a pipe's buffer).
fn chromium_output(chromium: &Path, profile: &Path, extra: &[String], url: &str) -> String {
    let stdout_file = profile.with_extension("stdout");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(std::fs::File::create(&stdout_file).unwrap())
        .stderr(Stdio::null())
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
    std::fs::read_to_string(&stdout_file).unwrap()
}

/// Pixels of the screenshot `shot` within 40 (per channel) of `rgb`.
fn pixels_near(shot: &Path, rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::fs::File::open(shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf[..info.buffer_size()]
        .chunks(info.color_type.samples())
        .filter(|p| (0..3).all(|c| (p[c] as i32 - rgb[c] as i32).abs() <= 40))
        .count()
}

/// The verdict box's border colours (report/html.rs CSS).
const AMBER: [u8; 3] = [0xe0, 0xa0, 0x10];
const RED: [u8; 3] = [0xd2, 0x28, 0x28];
/// A 3 px border around a box about 1000 px wide: thousands of pixels; a stray pixel of text
/// antialiasing is far fewer.
const BORDER_PIXELS: usize = 3000;

#[test]
fn shipped_reports_tell_their_verdict_in_the_browser() {
    let Some(chromium) = find_chromium() else {
        println!("SKIPPED shipped_reports_tell_their_verdict_in_the_browser: chromium is not installed (run .ci/install-chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Scenario, box colour, what the rendered verdict must say.
    let cases: [(&str, [u8; 3], &[&str]); 3] = [
        (
            "singles-day",
            AMBER,
            &[
                "Target met overall, but not everywhere",
                "11-10 21:00",
                "21:30",
            ],
        ),
        (
            "default",
            AMBER,
            &["Target met overall, but not everywhere", "vip-members"],
        ),
        ("overnight-farm", RED, &["Target NOT met", "intervals miss"]),
    ];
    for (stem, colour, says) in cases {
        let out = dir.path().join(stem);
        let status = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args([
                "run",
                &format!("scenarios/{stem}.toml"),
                "--threads",
                "2",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "{stem}");
        let url = format!("file://{}", out.join("report.html").display());
        let profile = dir.path().join(format!("profile-{stem}"));
        // The DOM as the browser built it: the verdict text a reader sees first.
        let dom = chromium_output(&chromium, &profile, &["--dump-dom".into()], &url);
        let start = dom
            .find("id=\"verdict\"")
            .unwrap_or_else(|| panic!("{stem}: no verdict"));
        let end = start + dom[start..].find("</section>").unwrap();
        let verdict = &dom[start..end];
        for s in says {
            assert!(
                verdict.contains(s),
                "{stem}: verdict lacks {s:?}: {verdict}"
            );
        }
        if stem == "overnight-farm" {
            assert!(
                dom.contains("became offline tickets"),
                "{stem}: no tickets sentence"
            );
        }
        let shot = dir.path().join(format!("{stem}.png"));
        chromium_output(
            &chromium,
            &profile,
            &[
                "--window-size=1280,900".into(),
                format!("--screenshot={}", shot.display()),
            ],
            &url,
        );
        let n = pixels_near(&shot, colour);
        assert!(
            n > BORDER_PIXELS,
            "{stem}: {n} pixels of the verdict colour on page one"
        );
        if let Ok(keep) = std::env::var("KEFU_KEEP_SCREENSHOTS") {
            std::fs::copy(&shot, Path::new(&keep).join(format!("{stem}.png"))).unwrap();
        }
    }
}
