//! Fuzz harness bodies, shared by the libFuzzer targets in `fuzz/` and the proptest pass in
//! `tests/main/fuzz_props.rs`: each takes arbitrary bytes and must return without panicking,
//! hanging or producing a non-finite number. Not part of the planner-facing API.
//!
//! [`records_csv`] drives `kefu calibrate` (records reader, fits, written scenario) the same
//! way on arbitrary records files.

use crate::calibrate::{self, Calibration};
use crate::model::Model;
use crate::scenario::{self, Loaded};
use crate::summary::Aggregate;

/// A small valid scenario the CSV targets plug their file into.
pub const BASE: &str = r#"name = "fuzz"
[run]
start = 2026-01-05T00:00:00
days = 1
[arrivals]
per_day = 2400
[[categories]]
name = "a"
share = 1
handle_time = { dist = "exponential", mean_s = 100 }
[[pools]]
name = "p"
skills = ["general"]
agents = 3
"#;

/// Scenario text: any bytes load or give an error; a loaded model answers its queries.
pub fn scenario_text(data: &[u8]) -> Option<Loaded> {
    let text = std::str::from_utf8(data).ok()?;
    let l = scenario::load_str_with_files(text, "fuzz.toml", Vec::new()).ok()?;
    check_model(&l.model);
    Some(l)
}

/// A pool's `staffing_csv` holding `data`.
pub fn staffing_csv(data: &[u8]) -> Option<Loaded> {
    let text = BASE.replace("agents = 3", "staffing_csv = \"plan.csv\"");
    let l =
        scenario::load_str_with_files(&text, "fuzz.toml", vec![("plan.csv".into(), data.to_vec())])
            .ok()?;
    check_model(&l.model);
    Some(l)
}

/// `arrivals.forecast_csv` holding `data`.
pub fn forecast_csv(data: &[u8]) -> Option<Loaded> {
    let text = BASE.replace("per_day = 2400", "forecast_csv = \"f.csv\"");
    let l =
        scenario::load_str_with_files(&text, "fuzz.toml", vec![("f.csv".into(), data.to_vec())])
            .ok()?;
    check_model(&l.model);
    Some(l)
}

/// A records file for `kefu calibrate`: any bytes give a calibration or a clear error
/// (never a panic or a hang); a calibration's numbers are finite and the scenario it writes
/// loads with [`scenario::load_str`] (as `kefu calibrate` checks before it reports success).
///
/// Unusable rows are tolerated up to 100% here (`max_bad_share = 1`) so that the fits and
/// the writer see every input that has at least one usable first visit; the refusal above
/// `--max-bad-share` is a comparison made before any of them.
pub fn records_csv(data: &[u8]) -> Option<Calibration> {
    let opts = calibrate::Options {
        name: None,
        max_bad_share: 1.0,
    };
    let cal = match calibrate::calibrate_reader(data, "fuzz.csv", "fuzz", "fuzz.csv", &opts) {
        Ok(c) => c,
        Err(e) => {
            // A refusal names the file and says why.
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz.csv: ") && msg.len() > 10, "{msg}");
            return None;
        }
    };
    check_calibration(&cal);
    let text = cal.to_toml();
    let l = scenario::load_str(&text, "calibrated.toml", std::path::Path::new("."))
        .unwrap_or_else(|e| panic!("the calibrated scenario does not load: {e}\n{text}"));
    check_model(&l.model);
    Some(cal)
}

/// Every number a calibration reports is finite and in range.
fn check_calibration(c: &Calibration) {
    let finite = |what: &str, v: f64| assert!(v.is_finite(), "{what} = {v}");
    let unit = |what: &str, v: f64| assert!((0.0..=1.0).contains(&v), "{what} = {v}");
    assert!(c.rows_used > 0 && c.rows_used <= c.rows_read);
    assert!(c.days >= 1.0 && c.replications >= 1, "{} days", c.days);
    finite("per_day", c.per_day);
    assert!(c.per_day > 0.0);
    for v in c.hourly_profile.iter().chain(&c.busy_by_hour) {
        finite("hourly value", *v);
        assert!(*v >= 0.0);
    }
    for v in c.weekday_factors.iter().flatten() {
        finite("weekday factor", *v);
    }
    assert!(!c.categories.is_empty());
    for cat in &c.categories {
        unit("share", cat.share);
        unit("complex_share", cat.complex_share);
        unit("vip_share", cat.vip_share);
        for f in [&cat.handle, &cat.complex_handle].into_iter().flatten() {
            finite("sample mean", f.sample_mean_s);
            finite("ks", f.ks);
            for k in &f.candidates {
                finite("candidate mean", k.mean_s);
                finite("candidate cv", k.cv);
            }
        }
        if let Some(p) = &cat.patience {
            finite("patience mean", p.mean_s);
            finite("patience ci low", p.ci95.0);
            finite("patience ci high", p.ci95.1);
        }
    }
    if let Some(b) = &c.bot {
        unit("bot coverage", b.coverage);
        unit("resolve basic", b.basic.resolve);
        unit("resolve complex", b.complex.resolve);
        finite("false resolution", b.false_resolution);
    }
}

/// What every loaded model must satisfy: finite expected arrivals, headcounts defined over
/// the whole simulated span.
fn check_model(m: &Model) {
    let expected = m.expected_arrivals();
    assert!(
        expected.is_finite() && expected >= 0.0,
        "expected arrivals {expected}"
    );
    let cal = &m.run.calendar;
    let end = m.run.counted_to;
    for k in 0..=16 {
        let t = end * k as f64 / 16.0;
        let r = m.arrivals.rate(cal, t);
        assert!(r.is_finite() && r >= 0.0, "rate {r} at {t}");
        for p in &m.pools {
            let _ = p.staffing.headcount(cal, t);
        }
    }
}

/// Reads bytes one at a time, zeros after the end.
struct Bytes<'a>(&'a [u8], usize);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        let b = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        b
    }
    fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.next() as usize % options.len()]
    }
}

/// Builds a valid-but-extreme scenario from `data` (tiny and huge rates and durations, hours
/// with no agents, zero durations, huge concurrency, surge that fires at once…).
pub fn extreme_scenario(data: &[u8]) -> String {
    let mut b = Bytes(data, 0);
    let days: f64 = b.pick(&[0.01, 0.1, 0.25, 0.5]);
    let mut per_day: f64 = b.pick(&[0.0, 1e-6, 1.0, 50.0, 2_000.0, 20_000.0, 1e6]);
    // Keep one execution fast: at most ~20 000 contacts.
    per_day = per_day.min(20_000.0 / days);
    let warmup: f64 = b.pick(&[0.0, 0.5, 24.0]);
    let interval: f64 = b.pick(&[1.0, 30.0, 1440.0]);
    let weights = [0.0, 0.001, 1.0, 50.0];
    let profile: Vec<String> = (0..24).map(|_| b.pick(&weights).to_string()).collect();
    let profile = if profile.iter().all(|w| w == "0") {
        String::new()
    } else {
        format!("hourly_profile = [{}]\n", profile.join(", "))
    };
    let dist = |b: &mut Bytes| -> String {
        let mean: f64 = b.pick(&[1e-6, 0.5, 60.0, 300.0, 86_400.0, 1e7]);
        match b.next() % 5 {
            0 => format!(
                "{{ dist = \"constant\", value_s = {} }}",
                b.pick(&[0.0, mean])
            ),
            1 => format!("{{ dist = \"exponential\", mean_s = {mean} }}"),
            2 => format!(
                "{{ dist = \"lognormal\", mean_s = {mean}, cv = {} }}",
                b.pick(&[0.01, 1.0, 20.0])
            ),
            3 => format!(
                "{{ dist = \"weibull\", mean_s = {mean}, shape = {} }}",
                b.pick(&[0.2, 1.0, 8.0])
            ),
            _ => format!(
                "{{ dist = \"uniform\", min_s = 0, max_s = {} }}",
                b.pick(&[0.0, mean])
            ),
        }
    };
    let handle = dist(&mut b);
    let complex_handle = dist(&mut b);
    let patience = match b.next() % 3 {
        0 => String::new(),
        _ => format!("patience = {}\n", dist(&mut b)),
    };
    let unit = [0.0, 0.5, 1.0];
    let (complex, vip, silent) = (b.pick(&unit), b.pick(&unit), b.pick(&unit));
    let bot = if b.next() % 2 == 0 {
        String::new()
    } else {
        let (r1, r2, r3) = (dist(&mut b), dist(&mut b), dist(&mut b));
        format!(
            "[bot]\ncoverage = {}\nbasic = {{ response = {r1}, resolve = {} }}\ncomplex = {{ response = {r2}, resolve = {} }}\nfalse_resolution = {}\nreturn_after = {r3}\n",
            b.pick(&unit),
            b.pick(&unit),
            b.pick(&unit),
            b.pick(&unit),
        )
    };
    let concurrency: u32 = b.pick(&[1, 2, 50, 1000]);
    let slowdown: f64 = b.pick(&[0.0, 0.15, 10.0]);
    let mut windows = Vec::new();
    for _ in 0..(1 + b.next() % 3) {
        let from = b.next() % 24;
        let to = b.next() % 24;
        let agents: u32 = b.pick(&[0, 1, 3, 40, 2000]);
        windows.push(format!(
            "{{ from = \"{from:02}:00\", to = \"{to:02}:00\", agents = {agents} }}"
        ));
    }
    let surge = if b.next() % 2 == 0 {
        String::new()
    } else {
        format!(
            "[[surge]]\npool = \"p\"\nagents = {}\nafter_s = {}\njoin_delay_s = {}\nrelease_after_s = {}\n",
            b.pick(&[1, 5, 500]),
            b.pick(&[0.0, 1.0, 600.0]),
            b.pick(&[0.0, 1.0, 600.0]),
            b.pick(&[0.0, 1.0, 3600.0]),
        )
    };
    let alert: u32 = b.pick(&[0, 5, 1000]);
    let tickets = b.next() % 2 == 0;
    let vip_first = b.next() % 2 == 0;
    let silent_close: f64 = b.pick(&[0.0, 60.0, 1e6]);
    format!(
        "name = \"extreme\"\n[run]\ndays = {days}\nwarmup_hours = {warmup}\nreplications = 2\ninterval_minutes = {interval}\n\
         [target]\nqueue_alert_waiting = {alert}\n\
         [arrivals]\nper_day = {per_day}\n{profile}\
         [[categories]]\nname = \"a\"\nshare = 1\ncomplex_share = {complex}\nvip_share = {vip}\nsilent_abandon = {silent}\n\
         handle_time = {handle}\ncomplex_handle_time = {complex_handle}\n{patience}\
         {bot}\
         [[pools]]\nname = \"p\"\nskills = [\"general\"]\nconcurrency = {concurrency}\nconcurrency_slowdown = {slowdown}\n\
         schedule = [{}]\n\
         {surge}\
         [routing]\nvip_first = {vip_first}\nsilent_close_s = {silent_close}\n\
         [offline]\ntickets = {tickets}\n",
        windows.join(", ")
    )
}

/// Simulates the scenario [`extreme_scenario`] builds (two replications) and checks that the
/// results hold no non-finite number. Returns the scenario text when it was valid.
pub fn extreme_sim(data: &[u8]) -> Option<String> {
    let text = extreme_scenario(data);
    let l = scenario::load_str_with_files(&text, "extreme.toml", Vec::new()).ok()?;
    let m = &l.model;
    check_model(m);
    // Keep one execution within the fuzzer's time budget: warm-up and a concentrated hourly
    // profile can put far more contacts in the span than `per_day × days` (the first
    // campaign's only "timeout" was a valid 90 000-contact scenario, 1.3 s natively).
    if m.expected_arrivals() > 20_000.0 {
        return None;
    }
    let mut agg = Aggregate::new(m);
    for r in 0..2 {
        let s = crate::engine::simulate(m, m.run.seed, r);
        agg.add(m, &s);
    }
    for (metric, e) in agg.estimates() {
        for v in [e.mean, e.ci95].into_iter().flatten() {
            assert!(v.is_finite(), "{metric:?}: {v} in\n{text}");
        }
    }
    let csv = crate::report::csv_out::intervals(m, &agg).expect("in-memory intervals");
    assert!(
        !csv.contains("NaN") && !csv.contains("inf"),
        "non-finite number in intervals.csv of\n{text}"
    );
    Some(text)
}

/// `kefu merge` on shard folders' contents: `data` is split at NUL bytes into
/// `sweep.json`, `sweep.csv`, `sweep.json`, `sweep.csv`… of the shards. Any bytes give a
/// merged sweep or an error (never a panic, an allocation sized by a number in the file, or
/// a NaN let through); a merged sweep holds every point once, finite numbers, and its
/// `sweep.csv` and `sweep.json` read back to the same table and manifest.
pub fn merge_shards(data: &[u8]) -> Option<crate::whatif::sweep::SweepTable> {
    use crate::whatif::sweep;
    let text = std::str::from_utf8(data).ok()?;
    let parts: Vec<&str> = text.split('\0').collect();
    let mut shards = Vec::new();
    for pair in parts.chunks_exact(2) {
        match sweep::shard_from_texts(pair[0], pair[1], "sweep.json", "sweep.csv") {
            Ok(s) => shards.push(s),
            Err(e) => {
                assert!(e.to_string().starts_with("sweep."), "{e:#}");
                return None;
            }
        }
    }
    let (manifest, table) = sweep::merge(shards).ok()?;
    let points = manifest["points"].as_u64().expect("points") as usize;
    assert_eq!(table.rows.len(), points);
    for (i, r) in table.rows.iter().enumerate() {
        assert_eq!(r.point, i);
        assert!(r.cells.iter().flatten().all(|c| c.is_finite()));
    }
    let info = sweep::info_from_manifest(&manifest).expect("a merged manifest reads back");
    let _ = crate::report::sweep_page::markdown(&info, &table, 0);
    let back = sweep::parse_csv(&sweep::csv_text(&table), &table.keys).expect("csv reads back");
    assert_eq!(back, table);
    Some(table)
}

/// `kefu run --from run.json` on arbitrary `run.json` bytes: the record is parsed and
/// checked ([`crate::report::run_record::RunRecord::parse`]) and its scenario loaded from the
/// recorded text and files. Gives a scenario to re-run or a clear refusal; never a panic.
pub fn run_record(data: &[u8]) -> Option<Loaded> {
    let text = std::str::from_utf8(data).ok()?;
    let record = crate::report::run_record::RunRecord::parse(text).ok()?;
    let loaded = record.load_scenario("fuzzed run.json").ok()?;
    check_model(&loaded.model);
    Some(loaded)
}

/// A valid two-shard input for [`merge_shards`] (the seed the fuzzers mutate).
pub fn merge_seed() -> Vec<u8> {
    let manifest = |k: usize| {
        format!(
            r#"{{"scenario":"fuzz","scenario_sha256":"00","seed":1,"replications":2,"precision":null,"max_replications":null,"keys":[{{"key":"pools[0].agents","values":[1.0,2.0,3.0]}}],"points":3,"target":{{"answer_within_s":120.0,"service_level":0.9}},"shard":{{"index":{k},"count":2}}}}"#
        )
    };
    let header =
        "point,pools[0].agents,replications,human.service_level_mean,human.service_level_ci95\n";
    format!(
        "{}\0{header}0,1,2,0.5,0.1\n2,3,2,0.9,\n\0{}\0{header}1,2,2,0.75,0.05\n",
        manifest(0),
        manifest(1)
    )
    .into_bytes()
}
