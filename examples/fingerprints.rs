//! Fingerprints of the full per-replication results of nine models, to check that an engine
//! change leaves every number bit-for-bit unchanged (compare the output before and after),
//! and `time [days]`: one replication of M/M/200+M at load 1.0 for instruction counts
//! (`valgrind --tool=callgrind`) or CPU time. Run from the repository root:
//! `cargo run --release --example fingerprints [time [days [repetitions]]]`.
use kefu::engine::simulate;
use kefu::model::textbook::Textbook;
use kefu::scenario;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Instant;

fn fp(name: &str, m: &kefu::model::Model, reps: u64) {
    let mut h = Sha256::new();
    for r in 0..reps {
        let mut s = simulate(m, m.run.seed, r);
        // Results only: the event count is a speed figure (stale timers count or not), and
        // the memory diagnostics field (added later) is left out, so the fingerprints
        // compare with those of earlier versions.
        s.events = 0;
        let text = format!("{s:?}");
        let text = match text.find("interval_rows_peak: ") {
            Some(a) => {
                let b = a + text[a..].find(", ").expect("a field follows") + 2;
                format!("{}{}", &text[..a], &text[b..])
            }
            None => text,
        };
        h.update(text.as_bytes());
    }
    let d: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("{name:<24} {d}");
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let mm = |c: u32, load: f64, pat: Option<f64>, vip: f64, days: f64| {
        let mut tb = Textbook::new(load * c as f64 / 300.0, 300.0, c);
        tb.mean_patience_s = pat;
        tb.vip_share = vip;
        tb.days = days;
        tb.model()
    };
    if mode == "time" {
        let days: f64 = std::env::args().nth(2).map_or(5.0, |d| d.parse().unwrap());
        let reps: usize = std::env::args().nth(3).map_or(1, |d| d.parse().unwrap());
        let m = mm(200, 1.0, Some(240.0), 0.0, days);
        for _ in 0..reps {
            let c0 = kefu::cmd::bench::harness::thread_cpu_s();
            let t = Instant::now();
            let s = simulate(&m, m.run.seed, 0);
            let dt = t.elapsed().as_secs_f64();
            let cpu = c0.and_then(|c0| kefu::cmd::bench::harness::thread_cpu_s().map(|c1| c1 - c0));
            let cpu = cpu.unwrap_or(dt);
            println!(
                "{} contacts {} events {:.3} s wall {:.3} s CPU {:.2} M/s (CPU)",
                s.contacts_simulated,
                s.events,
                dt,
                cpu,
                s.contacts_simulated as f64 / cpu / 1e6
            );
        }
        return;
    }
    fp("mm10", &mm(10, 0.9, None, 0.0, 3.0), 2);
    fp("mm200", &mm(200, 0.95, None, 0.0, 1.0), 2);
    fp("mm200m", &mm(200, 1.0, Some(240.0), 0.0, 1.0), 2);
    fp("mm200m_over", &mm(200, 1.2, Some(240.0), 0.0, 1.0), 2);
    fp("prio", &mm(50, 0.97, Some(600.0), 0.3, 2.0), 2);
    for f in ["default", "mmc-textbook", "overnight-farm", "singles-day"] {
        let l = scenario::load(Path::new(&format!("scenarios/{f}.toml"))).unwrap();
        fp(f, &l.model, 2);
    }
}
