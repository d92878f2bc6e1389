//! `cargo bench`: contacts simulated per second of one core for each engine case (one
//! replication each), the bare Kiefer–Wolfowitz floor on the same queues, histogram insertion
//! and scenario loading. Divan prints `items/s`: contacts (or customers, or values) per second.
//! The speed budget itself is checked by `kefu bench` (see docs/performance.md).

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use kefu::cmd::bench::harness::{self as bench, MEAN_SERVICE_S};
use kefu::engine::simulate;
use kefu::stats::Histogram;

fn main() {
    divan::main();
}

const CASES: &[&str] = &[
    "M/M/10 load 0.9",
    "M/M/200 load 0.95",
    "M/M/200+M load 1.0",
    "2 classes M/M/50+M 0.97",
    "default scenario",
];

#[divan::bench(args = CASES, sample_count = 10, sample_size = 1)]
fn engine(bencher: Bencher, case: &str) {
    let cases = bench::engine_cases();
    let c = cases.iter().find(|c| c.name == case).expect("a known case");
    let contacts = simulate(&c.model, c.model.run.seed, 0).contacts_simulated;
    bencher
        .counter(ItemsCount::new(contacts))
        .bench(|| simulate(black_box(&c.model), c.model.run.seed, 0));
}

/// The floor on M/M/10 at load 0.9 and M/M/200 at load 1.0, 1 million customers.
#[divan::bench(args = [10, 200], sample_count = 10, sample_size = 1)]
fn floor_kiefer_wolfowitz(bencher: Bencher, servers: u32) {
    let load = if servers == 10 { 0.9 } else { 1.0 };
    let lambda = load * servers as f64 / MEAN_SERVICE_S;
    let n = 1_000_000;
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| bench::kiefer_wolfowitz(black_box(lambda), MEAN_SERVICE_S, servers, n));
}

/// Recording 100 000 waits spread over 0–2000 s (a tenth of them zero).
#[divan::bench]
fn histogram_insert(bencher: Bencher) {
    let waits: Vec<f64> = (0..100_000u64)
        .map(|i| {
            let u = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64;
            if i.is_multiple_of(10) {
                0.0
            } else {
                -300.0 * (1.0 - u).ln()
            }
        })
        .collect();
    bencher
        .counter(ItemsCount::new(waits.len()))
        .with_inputs(Histogram::new)
        .bench_local_refs(|h| {
            for &w in &waits {
                h.record(w);
            }
        });
}

/// Parsing and validating the built-in default scenario.
#[divan::bench]
fn scenario_load() -> kefu::model::Model {
    bench::default_scenario()
}
