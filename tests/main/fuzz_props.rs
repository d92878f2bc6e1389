//! The proptest pass over the same harnesses the libFuzzer targets in `fuzz/` run: scenario
//! text, staffing CSV, forecast CSV, extreme-but-valid scenarios simulated end to end, and
//! `kefu calibrate`'s records CSV, `kefu merge`'s shard files and `kefu run --from`'s run.json.
//! CI runs a short pass on every change; `KEFU_FUZZ_CASES=200000` runs a long one.
//! Every crash found by fuzzing is pinned in `regressions` below or in `tests/bad/`.

use kefu::fuzzing;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn cases(default: u32) -> u32 {
    std::env::var("KEFU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seeds(dir: &str, ext: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    out.sort();
    out
}

/// A seed file with a few bytes or lines replaced, duplicated or cut.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let n = seeds.len();
    (
        0..n,
        proptest::collection::vec((any::<u16>(), any::<u8>(), 0u8..6), 1..8),
    )
        .prop_map(move |(k, edits)| {
            let mut b = seeds[k].clone();
            for (at, byte, kind) in edits {
                if b.is_empty() {
                    b.push(byte);
                    continue;
                }
                let i = at as usize % b.len();
                let tokens: &[&[u8]] = &[b"0", b"-1", b"1e308", b"nan", b"\"", b"[", b"\n", b","];
                match kind {
                    0 => b[i] = byte,
                    1 => b.insert(i, byte),
                    2 => {
                        b.remove(i);
                    }
                    3 => {
                        let t = tokens[byte as usize % tokens.len()];
                        b.splice(i..i, t.iter().copied());
                    }
                    4 => {
                        let end = (i + byte as usize % 40).min(b.len());
                        let chunk = b[i..end].to_vec();
                        b.splice(i..i, chunk);
                    }
                    _ => b.truncate(i),
                }
            }
            b
        })
}

fn runner(n: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn scenario_text_never_panics() {
    let mut s = seeds("scenarios", "toml");
    s.extend(seeds("tests/bad", "toml"));
    runner(cases(400))
        .run(&mutated(s), |b| {
            fuzzing::scenario_text(&b);
            Ok(())
        })
        .unwrap();
    runner(cases(200))
        .run(&proptest::collection::vec(any::<u8>(), 0..400), |b| {
            fuzzing::scenario_text(&b);
            Ok(())
        })
        .unwrap();
}

#[test]
fn staffing_and_forecast_csvs_never_panic() {
    let mut s = seeds("tests/bad", "csv");
    s.push(b"start,pool,agents\n2026-01-05T00:00,p,2\n2026-01-05T00:30,p,4\n".to_vec());
    s.push(b"start,contacts\n2026-01-05T00:00,360\n2026-01-05T01:00,720\n".to_vec());
    runner(cases(400))
        .run(&mutated(s), |b| {
            fuzzing::staffing_csv(&b);
            fuzzing::forecast_csv(&b);
            Ok(())
        })
        .unwrap();
}

#[test]
fn extreme_scenarios_simulate_without_panic_or_nan() {
    let valid = std::cell::Cell::new(0);
    runner(cases(40))
        .run(&proptest::collection::vec(any::<u8>(), 64), |b| {
            if fuzzing::extreme_sim(&b).is_some() {
                valid.set(valid.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    assert!(valid.get() > 0, "no generated scenario was valid");
}

#[test]
fn merged_shards_never_panic() {
    let mut s = seeds("fuzz/seeds/merge_shards", "bin");
    s.push(fuzzing::merge_seed());
    // The seed itself merges: the harness reaches merge's end, not only its refusals.
    assert!(fuzzing::merge_shards(&fuzzing::merge_seed()).is_some());
    runner(cases(400))
        .run(&mutated(s), |b| {
            fuzzing::merge_shards(&b);
            Ok(())
        })
        .unwrap();
}

#[test]
fn run_records_never_panic() {
    let s = seeds("fuzz/seeds/run_record", "json");
    assert!(fuzzing::run_record(&s[0]).is_some(), "the seed re-runs");
    runner(cases(150))
        .run(&mutated(s), |b| {
            fuzzing::run_record(&b);
            Ok(())
        })
        .unwrap();
}

#[test]
fn records_csvs_never_panic() {
    // Mutated seeds: traces written by `kefu run --trace` and broken variants.
    runner(cases(300))
        .run(&mutated(seeds("fuzz/seeds/records_csv", "csv")), |b| {
            fuzzing::records_csv(&b);
            Ok(())
        })
        .unwrap();
}

/// The records header, as `kefu run --trace` writes it.
const RECORDS_HEADER: &str = "replication,contact_id,visit,arrival,category,intent,vip,bot_met,\
    bot_resolved,transferred,queued_at,service_start,end,outcome,abandoned,ticket,pool";

/// A time `s` seconds after 2026-01-05T00:00, as the trace writes it.
fn stamp(s: f64) -> String {
    let ms = (s * 1000.0).round() as i64;
    let (d, r) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (h, m, sec, frac) = (r / 3_600_000, r / 60_000 % 60, r / 1000 % 60, r % 1000);
    format!("2026-01-{:02}T{h:02}:{m:02}:{sec:02}.{frac:03}", 5 + d)
}

/// One plausible visit row from random choices (times in seconds from the first midnight).
fn record_row() -> impl Strategy<Value = Vec<String>> {
    (
        (0u8..3, 0u16..40, 0u8..2, 0.0f64..3.0 * 86_400.0),
        (0u8..3, any::<bool>(), any::<bool>(), 0u8..4),
        (0.0f64..600.0, 0.0f64..900.0, 0.0f64..3000.0),
    )
        .prop_map(
            |((rep, id, visit, at), (cat, complex, vip, kind), (wait, bot, handle))| {
                let bot_met = visit == 0 && kind != 3;
                let t = |x: f64| stamp(at + x);
                let (resolved, queued, start, end, outcome, abandoned, ticket) = match kind {
                    0 if bot_met => (
                        1,
                        String::new(),
                        String::new(),
                        t(bot),
                        "bot_resolved",
                        0,
                        0,
                    ),
                    1 => (0, t(bot), String::new(), t(bot + wait), "abandoned", 1, 0),
                    2 => (
                        0,
                        t(bot),
                        t(bot + wait),
                        t(bot + wait + handle),
                        "ticket",
                        0,
                        1,
                    ),
                    _ => (
                        0,
                        t(bot),
                        t(bot + wait),
                        t(bot + wait + handle),
                        "answered",
                        0,
                        0,
                    ),
                };
                let pool = if start.is_empty() { "" } else { "p" };
                vec![
                    rep.to_string(),
                    id.to_string(),
                    visit.to_string(),
                    t(0.0),
                    ["orders", "refunds", "物流"][cat as usize].to_string(),
                    if complex { "complex" } else { "basic" }.into(),
                    (vip as u8).to_string(),
                    (bot_met as u8).to_string(),
                    resolved.to_string(),
                    ((bot_met && resolved == 0) as u8).to_string(),
                    queued,
                    start,
                    end,
                    outcome.into(),
                    abandoned.to_string(),
                    ticket.to_string(),
                    pool.into(),
                ]
            },
        )
}

/// Replaces one field with something a real export might hold instead.
fn corrupt(row: &mut [String], field: usize, how: u8) {
    let bad = [
        "",
        "-1",
        "nan",
        "2026-02-30T10:00",
        "2026-01-05 24:00",
        "9999-12-31T23:59:59.999",
        "0000-01-01T00:00",
        "yes",
        "maybe",
        "\"quoted, with comma\"",
        "1e308",
        "2026-01-05T10:00:00.",
        " 2026-01-04T23:59 ",
        "complex",
    ];
    row[field % row.len()] = bad[how as usize % bad.len()].to_string();
}

#[test]
fn structured_records_never_panic() {
    let used = std::cell::Cell::new(0);
    let strategy = (
        proptest::collection::vec(record_row(), 1..60),
        proptest::collection::vec((any::<u16>(), 0u8..17, any::<u8>()), 0..6),
        any::<bool>(),
    );
    runner(cases(150))
        .run(&strategy, |(mut rows, edits, crlf)| {
            for (r, field, how) in edits {
                let n = rows.len();
                corrupt(&mut rows[r as usize % n], field as usize, how);
            }
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = RECORDS_HEADER.replace(' ', "") + nl;
            for r in &rows {
                text.push_str(&r.join(","));
                text.push_str(nl);
            }
            if let Some(c) = fuzzing::records_csv(text.as_bytes()) {
                used.set(used.get() + 1);
                assert!(c.rows_read <= rows.len() as u64);
            }
            Ok(())
        })
        .unwrap();
    assert!(used.get() > 0, "no generated records file was usable");
}

/// Inputs that once crashed (found by fuzzing), kept so they never come back.
mod regressions {
    use std::time::{Duration, Instant};

    /// extreme_sim, first campaign: libFuzzer "timeout" (23 s under ASan + coverage). Not a
    /// hang: 91 k contacts (1e6/day, half-hour warm-up, concentrated profile), bot
    /// responses of a day on average, a 500-agent surge called at once, all in a valid
    /// scenario. It must finish, drain, and stay stable in time natively.
    #[test]
    fn extreme_sim_timeout_87a56eb0_finishes_promptly() {
        let bytes: [u8; 64] = [
            0x78, 0xed, 0xdc, 0xeb, 0xcb, 0x55, 0xe8, 0x5e, 0x41, 0x6f, 0x54, 0xbe, 0x77, 0x63,
            0xa0, 0x34, 0xca, 0xeb, 0xeb, 0x12, 0x08, 0x62, 0x67, 0x28, 0xc0, 0xa4, 0x71, 0x83,
            0x13, 0x38, 0x74, 0x74, 0x67, 0xe8, 0x18, 0x90, 0xdf, 0x29, 0x2e, 0x51, 0x76, 0x74,
            0xd2, 0x04, 0x49, 0x81, 0x59, 0x80, 0xc7, 0x2a, 0x3d, 0x15, 0x61, 0x8f, 0x16, 0x8f,
            0x59, 0x42, 0x3e, 0x1c, 0x01, 0xa9, 0x71, 0x78,
        ];
        let text = kefu::fuzzing::extreme_scenario(&bytes);
        let l = kefu::scenario::load_str(&text, "t.toml", std::path::Path::new(".")).unwrap();
        let started = Instant::now();
        let s = kefu::engine::simulate(&l.model, l.model.run.seed, 0);
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(s.contacts_simulated > 50_000, "{}", s.contacts_simulated);
        assert_eq!(s.censored, 0);
        // The harness now skips scenarios this large (fuzzing time budget).
        assert!(kefu::fuzzing::extreme_sim(&bytes).is_none());
    }

    /// records_csv, first campaign: a broken trace whose skipped-row examples quote a cell
    /// holding a control character; the report copied it into the `#` comments heading the
    /// written scenario, which then failed to load ("invalid comment character").
    /// Fixed in `calibrate::write` (comments escape control characters).
    #[test]
    fn records_csv_crash_1df966bb_writes_a_loadable_scenario() {
        let bytes = std::fs::read("fuzz/seeds/records_csv/crash-1df966bb.csv").unwrap();
        assert!(kefu::fuzzing::records_csv(&bytes).is_some());
    }

    /// records_csv, first campaign (after ~33 000 executions; the proptest pass found the
    /// same): several return rows linked to one bot resolution gave
    /// `false_resolution = 1.5`, which does not load. Fixed in `calibrate` (a resolution
    /// links to one return at most).
    #[test]
    fn records_csv_crash_1b315691_false_resolution_stays_a_share() {
        let bytes = std::fs::read("fuzz/seeds/records_csv/crash-1b315691.csv").unwrap();
        let c = kefu::fuzzing::records_csv(&bytes).unwrap();
        let b = c.bot.unwrap();
        assert!(b.false_resolution <= 1.0, "{}", b.false_resolution);
    }
}
