//! Draws the charts and the report of a model built in code, and times them:
//! `cargo run --release --example charts_demo -- OUT_DIR [DAYS] [REPLICATIONS]`.

#[path = "../tests/shop/mod.rs"]
mod shop;

use kefu::report::{charts, html, json, OutputDir};
use kefu::runner::{run, Hooks, IntervalStore, Job, Progress, Reps};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dest = PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("output/charts_demo"),
    );
    let days: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let reps: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let m = shop::shop(days, reps);
    let opts = Job {
        groups: vec![vec![&m]],
        seed: 1,
        reps: Reps::Fixed(reps),
        threads: None,
        progress: Progress::Hidden,
        intervals: IntervalStore::Files,
    };
    let outcome = run(&opts, Hooks::default())?;
    let out = OutputDir::create(&dest)?;
    let started = Instant::now();
    let files = charts::write_charts(&out, &m, &outcome.aggregates[0][0])?;
    let charts_s = started.elapsed().as_secs_f64();
    let verdict = kefu::verdict::Verdict::of_run(&m, &outcome.aggregates[0][0])?;
    let mut summary = json::summary(&m, &outcome.aggregates[0][0], reps, 1);
    json::add_verdict(&mut summary, &verdict);
    let run_info = serde_json::json!({
        "scenario": m.name, "scenario_sha256": "demo", "seed": 1, "replications": reps,
        "kefu_version": env!("CARGO_PKG_VERSION"), "wall_time_s": outcome.wall_s, "charts_s": charts_s,
    });
    out.write("summary.json", json::to_text(&summary))?;
    out.write(
        "report.html",
        html::report_html(
            &m,
            &outcome.aggregates[0][0],
            &summary,
            &run_info,
            &files,
            &verdict,
        )?,
    )?;
    out.commit()?;
    for f in &files {
        println!("{:<16} {:.3} s", f.stem, f.render_s);
    }
    println!(
        "{days} day(s), {reps} replications: simulation {:.3} s, charts {:.3} s ({:.0}% of the two)",
        outcome.wall_s,
        charts_s,
        100.0 * charts_s / (charts_s + outcome.wall_s)
    );
    Ok(())
}
