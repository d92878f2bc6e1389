//! Data in and out: per-contact traces, `kefu calibrate` round trips, forecast CSVs.

use kefu::calibrate::{calibrate_file, Options};
use kefu::engine::trace::{Outcome, TraceRow};
use kefu::model::textbook::Textbook;
use kefu::model::{Bot, BotProfile, Dist, Model};
use kefu::runner::{run, Hooks, Job, Progress, Reps};
use kefu::scenario;
use kefu::summary::{HumanClass, HumanMetric, Metric, TotalMetric};
use kefu::trace::CsvTrace;
use std::path::Path;
use std::process::Command;

fn opts(m: &Model, threads: usize) -> Job<'_> {
    Job {
        groups: vec![vec![m]],
        seed: m.run.seed,
        reps: Reps::Fixed(m.run.replications),
        threads: Some(threads),
        progress: Progress::Hidden,
        intervals: Default::default(),
    }
}

/// Runs `m` with the per-contact trace of its first `traced` replications going to `sink`.
fn run_traced(
    m: &Model,
    job: &Job,
    traced: u32,
    sink: &mut dyn kefu::engine::trace::TraceSink,
) -> Result<kefu::runner::Outcome, kefu::runner::RunError> {
    debug_assert!(std::ptr::eq(job.groups[0][0], m));
    run(
        job,
        Hooks {
            trace: Some((traced, sink)),
            each: None,
        },
    )
}

/// 1 category, a bot, 11 agents, lognormal handle times (300 s basic, 480 s complex),
/// exponential patience 240 s, 6 000 contacts a day for `days` days.
fn known(days: f64) -> Model {
    let mut tb = Textbook::new(6000.0 / 86_400.0, 300.0, 11);
    tb.mean_patience_s = Some(240.0);
    tb.days = days;
    tb.replications = 1;
    tb.seed = 3;
    let mut m = tb.model();
    let c = &mut m.categories[0];
    c.complex_share = 0.3;
    c.vip_share = 0.1;
    c.handle_time = Dist::lognormal(300.0, 0.8).unwrap();
    c.complex_handle_time = Dist::lognormal(480.0, 0.8).unwrap();
    m.bot = Some(Bot {
        coverage: 0.8,
        basic: BotProfile {
            response: Dist::uniform(0.2, 1.0).unwrap(),
            resolve: 0.7,
        },
        complex: BotProfile {
            response: Dist::uniform(8.0, 15.0).unwrap(),
            resolve: 0.4,
        },
        promotion: None,
        false_resolution: 0.05,
        return_after: Some(Dist::exponential(1800.0).unwrap()),
    });
    m
}

fn rel(got: f64, want: f64) -> f64 {
    (got / want - 1.0).abs()
}

#[test]
fn round_trip_recovers_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let m = known(7.0);
    let path = dir.path().join("trace.csv");
    let mut sink = CsvTrace::create(&path, &m).unwrap();
    let out = run_traced(&m, &opts(&m, 1), 1, &mut sink).unwrap();
    sink.finish().unwrap();
    let cal = calibrate_file(&path, &Options::default()).unwrap();
    eprintln!("{}", cal.report());
    let abandons = out.aggregates[0][0].values(HumanMetric::Abandoned).unwrap()[0].unwrap();
    assert!(
        abandons > 500.0,
        "too few abandons to test patience: {abandons}"
    );

    assert_eq!(cal.rows_used, cal.rows_read);
    assert_eq!(cal.days, 7.0);
    // Rates within 2%.
    assert!(rel(cal.per_day, 6000.0) < 0.02, "per_day {}", cal.per_day);
    let bot = cal.bot.as_ref().unwrap();
    assert!(rel(bot.coverage, 0.8) < 0.02, "coverage {}", bot.coverage);
    assert!(rel(bot.basic.resolve, 0.7) < 0.02, "{:?}", bot.basic);
    assert!(rel(bot.complex.resolve, 0.4) < 0.02, "{:?}", bot.complex);
    let (lo, hi) = bot.complex.response.unwrap();
    assert!((8.0 - 1e-3..8.1).contains(&lo) && (14.9..=15.0 + 1e-3).contains(&hi));
    assert!(
        (bot.false_resolution - 0.05).abs() < 0.01,
        "{}",
        bot.false_resolution
    );
    assert!(rel(bot.return_after_mean_s.unwrap(), 1800.0) < 0.1);
    // Shares within 1 point.
    let c = &cal.categories[0];
    assert_eq!(c.share, 1.0);
    assert!((c.complex_share - 0.3).abs() < 0.01, "{}", c.complex_share);
    assert!((c.vip_share - 0.1).abs() < 0.01, "{}", c.vip_share);
    // Handle time: lognormal chosen, mean within 3%.
    for (fit, mean) in [(&c.handle, 300.0), (&c.complex_handle, 480.0)] {
        let f = fit.as_ref().unwrap();
        assert_eq!(f.best().family.name(), "lognormal", "{:?}", f.candidates);
        assert!(rel(f.best().mean_s, mean) < 0.03, "{:?}", f.best());
        assert!((f.best().cv - 0.8).abs() < 0.08, "{:?}", f.best());
    }
    // Patience within 10% despite censoring; the naive estimate is far off.
    let p = c.patience.as_ref().unwrap();
    assert!(rel(p.mean_s, 240.0) < 0.10, "patience {p:?}");
    assert!(p.naive_mean_s < 0.6 * 240.0, "naive {}", p.naive_mean_s);
    eprintln!(
        "round trip: per_day {:.1} (6000), coverage {:.4} (0.8), resolve {:.4}/{:.4} (0.7/0.4), \
         complex {:.4} (0.3), vip {:.4} (0.1), handle {:.1}/{:.1} (300/480), patience {:.1} (240), \
         naive {:.1}",
        cal.per_day,
        bot.coverage,
        bot.basic.resolve,
        bot.complex.resolve,
        c.complex_share,
        c.vip_share,
        c.handle.as_ref().unwrap().best().mean_s,
        c.complex_handle.as_ref().unwrap().best().mean_s,
        p.mean_s,
        p.naive_mean_s
    );

    // The written scenario loads and says what was fitted.
    let toml = dir.path().join("calibrated.toml");
    std::fs::write(&toml, cal.to_toml()).unwrap();
    let loaded = scenario::load(&toml).unwrap_or_else(|e| panic!("{e}"));
    let lm = &loaded.model;
    assert!(rel(lm.arrivals.per_day, cal.per_day) < 1e-4);
    assert!(rel(lm.categories[0].handle_time.mean(), 300.0) < 0.03);
    assert!(rel(lm.categories[0].patience.as_ref().unwrap().mean(), 240.0) < 0.10);
    assert!(rel(lm.bot.as_ref().unwrap().basic.resolve, 0.7) < 0.02);
    assert_eq!(lm.run.days(), 7.0);
    // … and simulating it, then calibrating again, gives the same scenario back.
    let mut lm = lm.clone();
    lm.run.replications = 1;
    let path2 = dir.path().join("trace2.csv");
    let mut sink = CsvTrace::create(&path2, &lm).unwrap();
    run_traced(&lm, &opts(&lm, 1), 1, &mut sink).unwrap();
    sink.finish().unwrap();
    let cal2 = calibrate_file(&path2, &Options::default()).unwrap();
    assert!(rel(cal2.per_day, cal.per_day) < 0.03);
    let h2 = cal2.categories[0].handle.as_ref().unwrap().best().mean_s;
    assert!(rel(h2, 300.0) < 0.05, "{h2}");
}

/// Counts of a trace, in the summary's terms.
#[derive(Default, Debug, PartialEq)]
struct Counts {
    contacts: u64,
    bot_met: u64,
    bot_resolved: u64,
    transferred: u64,
    offered: u64,
    answered: u64,
    abandoned: u64,
    tickets: u64,
    unserved: u64,
}

fn count(c: &mut Counts, r: &TraceRow) {
    assert_eq!(r.replication, 0);
    if r.visit == 0 {
        c.contacts += 1;
        c.bot_met += r.bot_met as u64;
        c.transferred += r.transferred as u64;
    }
    match r.outcome {
        Outcome::BotResolved => c.bot_resolved += 1,
        Outcome::Answered => {
            c.offered += 1;
            c.answered += 1
        }
        Outcome::Abandoned => {
            c.offered += 1;
            c.abandoned += 1
        }
        Outcome::Ticket => c.tickets += 1,
        Outcome::Unserved => c.unserved += 1,
        Outcome::Balked | Outcome::Refused => unreachable!("the default scenario has no [queue]"),
    }
}

#[test]
fn trace_counts_equal_the_summary_and_change_nothing() {
    let loaded = scenario::load_str(scenario::DEFAULT_SCENARIO, "default", Path::new(".")).unwrap();
    let mut m = loaded.model;
    m.run.replications = 3;
    let mut counts = Counts::default();
    let mut sink = |r: &TraceRow| count(&mut counts, r);
    let traced = run_traced(&m, &opts(&m, 2), 1, &mut sink)
        .unwrap()
        .into_single()
        .0;
    let plain = run(&opts(&m, 2), Hooks::default()).unwrap().into_single().0;
    let v = |k: Metric| traced.values(k).unwrap()[0].unwrap() as u64;
    let want = Counts {
        contacts: v(Metric::Total(TotalMetric::Contacts)),
        bot_met: v(Metric::Total(TotalMetric::BotMet)),
        bot_resolved: v(Metric::Total(TotalMetric::BotResolved)),
        transferred: v(Metric::Total(TotalMetric::BotTransferred)),
        offered: v(Metric::human(HumanMetric::Offered)),
        answered: v(Metric::human(HumanMetric::Answered)),
        abandoned: v(Metric::human(HumanMetric::Abandoned)),
        tickets: v(Metric::Total(TotalMetric::TicketCount)),
        unserved: v(Metric::Total(TotalMetric::Unserved)),
    };
    assert!(want.tickets > 0 && want.abandoned > 0);
    assert_eq!(counts, want);
    let metrics = [
        Metric::Total(TotalMetric::Contacts),
        Metric::human(HumanMetric::ServiceLevel),
        Metric::human(HumanMetric::MeanWaitS),
        Metric::human(HumanMetric::Occupancy),
    ];
    for p in metrics {
        assert_eq!(traced.values(p), plain.values(p), "{p:?}");
    }
}

fn kefu(args: &[&str], dir: &Path) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kefu {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const FLAT: &str = r#"
name = "flat"
[run]
start = 2026-01-05T00:00:00
days = DAYS
replications = 1
[arrivals]
per_day = 4000
[[categories]]
name = "all"
share = 1.0
handle_time = { dist = "exponential", mean_s = 200 }
patience = { dist = "exponential", mean_s = 240 }
[[pools]]
name = "general"
skills = ["general"]
agents = 10
"#;

fn peak_rss(dir: &Path, out: &str) -> f64 {
    let text = std::fs::read_to_string(dir.join(out).join("run.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["peak_rss_mb"].as_f64().unwrap()
}

#[test]
fn trace_memory_is_flat_on_a_long_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for days in ["2", "40"] {
        std::fs::write(d.join(format!("s{days}.toml")), FLAT.replace("DAYS", days)).unwrap();
        let (s, o, t) = (
            format!("s{days}.toml"),
            format!("o{days}"),
            format!("t{days}.csv"),
        );
        kefu(&["run", &s, "--out", &o, "--trace", &t, "-q"], d);
    }
    let (short, long) = (peak_rss(d, "o2"), peak_rss(d, "o40"));
    let rows = |f: &str| std::fs::read_to_string(d.join(f)).unwrap().lines().count();
    let (r2, r40) = (rows("t2.csv"), rows("t40.csv"));
    eprintln!("peak RSS {short:.1} MiB for {r2} rows, {long:.1} MiB for {r40} rows");
    assert!(r40 > 15 * r2);
    let trace_mb = std::fs::metadata(d.join("t40.csv")).unwrap().len() as f64 / 1e6;
    assert!(
        long < short + 0.25 * trace_mb + 4.0,
        "memory grew with the trace: {short:.1} → {long:.1} MiB for a {trace_mb:.1} MB trace"
    );
}

#[test]
fn three_commands_records_to_scenario_to_results() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.toml"), FLAT.replace("DAYS", "3")).unwrap();
    kefu(
        &[
            "run",
            "s.toml",
            "--out",
            "o",
            "--trace",
            "records.csv",
            "-q",
        ],
        d,
    );
    let out = kefu(&["calibrate", "records.csv", "--out", "cal.toml"], d);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("exponential MLE with censoring"),
        "{report}"
    );
    kefu(&["run", "cal.toml", "--out", "o2", "-q"], d);
    assert!(d.join("o2/summary.json").exists());
    // The third command: a staffing plan for the calibrated scenario, loadable back.
    kefu(
        &[
            "plan",
            "cal.toml",
            "--out",
            "p",
            "-q",
            "--replications",
            "4",
        ],
        d,
    );
    let plan = std::fs::read_to_string(d.join("p/plan.csv")).unwrap();
    assert!(plan.starts_with("start,pool,agents\n"), "{plan}");
    assert!(plan.lines().count() > 48, "a row per interval: {plan}");
}

#[test]
fn bad_records_are_reported_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "arrival,category,queued_at,service_start,end,abandoned,phone\n";
    let good = "2026-01-05T10:00:00,shoes,2026-01-05T10:00:00,2026-01-05T10:01:00,2026-01-05T10:05:00,0,13800000000\n";
    let mut text = String::from(header);
    for _ in 0..30 {
        text.push_str(good);
    }
    text.push_str("2026-01-05T10:00:00,shoes,,,2026-01-05T09:00:00,0,x\n"); // line 32: end before start
    text.push_str("yesterday,shoes,,,2026-01-05T09:00:00,0,x\n"); // line 33: unparseable
    std::fs::write(d.join("r.csv"), &text).unwrap();
    let refused = calibrate_file(&d.join("r.csv"), &Options::default()).unwrap_err();
    let msg = refused.to_string();
    assert!(
        msg.contains("2 of 32 rows") && msg.contains("line 32") && msg.contains("line 33"),
        "{msg}"
    );
    let lenient = Options {
        max_bad_share: 0.1,
        ..Options::default()
    };
    let cal = calibrate_file(&d.join("r.csv"), &lenient).unwrap();
    assert_eq!((cal.rows_read, cal.rows_used), (32, 30));
    let toml = cal.to_toml();
    assert!(toml.contains("end before start") && toml.contains("unparseable time"));
    assert!(
        !toml.contains("13800000000"),
        "extra columns must never be copied"
    );
    std::fs::write(d.join("c.toml"), toml).unwrap();
    scenario::load(&d.join("c.toml")).unwrap_or_else(|e| panic!("{e}"));

    std::fs::write(d.join("m.csv"), "arrival,category,end\n").unwrap();
    let msg = calibrate_file(&d.join("m.csv"), &Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("line 1") && msg.contains("queued_at, service_start"),
        "{msg}"
    );
}

#[test]
fn a_forecast_csv_reproduces_the_profile_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let profile: Vec<f64> = (0..24).map(|h| [0.5, 1.0, 1.5, 1.0][h % 4]).collect();
    let base = |arrivals: &str| {
        format!(
            "name = \"f\"\n[run]\nstart = 2026-01-05T00:00:00\ndays = 2\nreplications = 3\n\
             [arrivals]\n{arrivals}\n[[categories]]\nname = \"all\"\nshare = 1.0\n\
             handle_time = {{ dist = \"exponential\", mean_s = 200 }}\n\
             patience = {{ dist = \"exponential\", mean_s = 240 }}\n\
             [[pools]]\nname = \"general\"\nskills = [\"general\"]\nagents = 10\n"
        )
    };
    let list: Vec<String> = profile.iter().map(|x| x.to_string()).collect();
    std::fs::write(
        d.join("p.toml"),
        base(&format!(
            "per_day = 4800\nhourly_profile = [{}]",
            list.join(",")
        )),
    )
    .unwrap();
    let mut csv = String::from("start,contacts\n");
    for day in 5..7 {
        for (h, w) in profile.iter().enumerate() {
            csv.push_str(&format!(
                "2026-01-{day:02}T{h:02}:00,{}\n",
                4800.0 / 24.0 * w
            ));
        }
    }
    // Rows before the warm-up and after the horizon are ignored with a warning.
    csv.push_str("2026-01-07T00:00,999\n");
    std::fs::write(d.join("f.csv"), csv).unwrap();
    std::fs::write(d.join("f.toml"), base("forecast_csv = \"f.csv\"")).unwrap();
    let p = scenario::load(&d.join("p.toml")).unwrap().model;
    let f = scenario::load(&d.join("f.toml")).unwrap();
    assert!(
        f.warnings.iter().any(|w| w.to_string().contains("outside")),
        "{:?}",
        f.warnings
    );
    let (ap, af) = (
        run(&opts(&p, 2), Hooks::default()).unwrap().into_single().0,
        run(&opts(&f.model, 2), Hooks::default())
            .unwrap()
            .into_single()
            .0,
    );
    for path in [
        Metric::Total(TotalMetric::Contacts),
        Metric::human(HumanMetric::Offered),
        Metric::human(HumanMetric::Answered),
        Metric::human(HumanMetric::Abandoned),
        Metric::human(HumanMetric::ServiceLevel),
    ] {
        assert_eq!(ap.values(path), af.values(path), "{path:?}");
    }
}

#[test]
fn forecast_gaps_and_overlaps_name_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let toml = "name = \"f\"\n[run]\nstart = 2026-01-05T00:00:00\ndays = 1\n[arrivals]\n\
                forecast_csv = \"f.csv\"\n[[categories]]\nname = \"all\"\nshare = 1.0\n\
                handle_time = { dist = \"exponential\", mean_s = 200 }\n\
                [[pools]]\nname = \"general\"\nskills = [\"general\"]\nagents = 10\n";
    std::fs::write(d.join("f.toml"), toml).unwrap();
    for (rows, want) in [
        (
            "00:00,1\n00:30,1\n01:30,1\n",
            "f.csv:4: arrivals.forecast_csv: gap before this row",
        ),
        (
            "00:00,1\n00:30,1\n00:45,1\n",
            "f.csv:4: arrivals.forecast_csv: this row starts 15 minutes",
        ),
        ("00:00,1\n00:35,1\n", "does not divide a day"),
        (
            "00:00,1\n00:30,x\n",
            "f.csv:3: arrivals.forecast_csv: contacts \"x\"",
        ),
    ] {
        let body: String = rows.lines().map(|l| format!("2026-01-05T{l}\n")).collect();
        std::fs::write(d.join("f.csv"), format!("start,contacts\n{body}")).unwrap();
        let e = scenario::load(&d.join("f.toml")).unwrap_err().to_string();
        assert!(e.contains(want), "{want}: {e}");
    }
}

/// Two categories `a` (share 0.6) and `b` (0.4), a forecast from `f.csv`, hour-long rows.
fn two_categories(days: u32) -> String {
    format!(
        "name = \"fc\"\n[run]\nstart = 2026-01-05T00:00:00\ndays = {days}\nreplications = 3\n\
         [arrivals]\nforecast_csv = \"f.csv\"\n\
         [[categories]]\nname = \"a\"\nshare = 0.6\n\
         handle_time = {{ dist = \"exponential\", mean_s = 200 }}\n\
         patience = {{ dist = \"exponential\", mean_s = 240 }}\n\
         [[categories]]\nname = \"b\"\nshare = 0.4\ncomplex_share = 0.5\n\
         handle_time = {{ dist = \"exponential\", mean_s = 400 }}\n\
         complex_handle_time = {{ dist = \"exponential\", mean_s = 600 }}\n\
         patience = {{ dist = \"exponential\", mean_s = 300 }}\n\
         [[pools]]\nname = \"general\"\nskills = [\"general\"]\nagents = 12\n"
    )
}

#[test]
fn a_per_category_forecast_in_the_shares_mix_reproduces_the_share_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut total, mut split) = (
        String::from("start,contacts\n"),
        String::from("Start,Category,Contacts\n"),
    );
    for day in 5..7 {
        for h in 0..24 {
            let w = [1, 2, 3, 2][h % 4];
            total.push_str(&format!("2026-01-{day:02}T{h:02}:00,{}\n", 100 * w));
            // Category order within an interval does not matter.
            split.push_str(&format!("2026-01-{day:02}T{h:02}:00,b,{}\n", 40 * w));
            split.push_str(&format!("2026-01-{day:02}T{h:02}:00,a,{}\n", 60 * w));
        }
    }
    std::fs::create_dir(d.join("t")).unwrap();
    std::fs::create_dir(d.join("s")).unwrap();
    std::fs::write(d.join("t/f.csv"), total).unwrap();
    std::fs::write(d.join("s/f.csv"), split).unwrap();
    for sub in ["t", "s"] {
        std::fs::write(d.join(sub).join("f.toml"), two_categories(2)).unwrap();
    }
    let t = scenario::load(&d.join("t/f.toml")).unwrap().model;
    let s = scenario::load(&d.join("s/f.toml")).unwrap();
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let s = s.model;
    assert!(s.arrivals.category_mix_at(3600.0).is_some());
    let (at, as_) = (
        run(&opts(&t, 2), Hooks::default()).unwrap().into_single().0,
        run(&opts(&s, 2), Hooks::default()).unwrap().into_single().0,
    );
    // By name: the categories `a` and `b` of each model, wherever each model lists them.
    for path in [
        "contacts",
        "human.offered",
        "human.answered",
        "human.abandoned",
        "by_category.a.offered",
        "by_category.a.answered",
        "by_category.a.abandoned",
        "by_category.b.offered",
        "by_category.b.answered",
        "by_category.b.abandoned",
        "by_category.b.service_level",
    ] {
        let v = at.metric_named(path).and_then(|k| at.values(k));
        assert!(v.is_some(), "{path}");
        assert_eq!(
            v,
            as_.metric_named(path).and_then(|k| as_.values(k)),
            "{path}"
        );
    }
}

#[test]
fn a_per_category_forecast_changes_the_mix_over_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `a` only in the morning (00:00–12:00), `b` only in the afternoon and evening; `b`'s
    // rows before noon are left out (missing counts as 0), `a`'s after noon are explicit 0s.
    let mut csv = String::from("start,category,contacts\n");
    for h in 0..24 {
        if h < 12 {
            csv.push_str(&format!("2026-01-05T{h:02}:00,a,200\n"));
        } else {
            csv.push_str(&format!("2026-01-05T{h:02}:00,a,0\n"));
            csv.push_str(&format!("2026-01-05T{h:02}:00,b,200\n"));
        }
    }
    std::fs::write(d.join("f.csv"), csv).unwrap();
    std::fs::write(d.join("f.toml"), two_categories(1)).unwrap();
    let m = scenario::load(&d.join("f.toml")).unwrap().model;
    let agg = run(&opts(&m, 2), Hooks::default()).unwrap().into_single().0;
    let offered = |c: &str| {
        let k = m.categories.iter().position(|x| x.name == c).unwrap();
        let metric = Metric::Human(HumanClass::Category(k), HumanMetric::Offered);
        agg.values(metric).unwrap()
    };
    for r in 0..3 {
        // 2 400 expected each; the static shares would give a 60/40 split.
        for c in ["a", "b"] {
            let n = offered(c)[r].unwrap();
            assert!((2200.0..2600.0).contains(&n), "{c}: {n}");
        }
    }
    let csv = kefu::report::csv_out::intervals_by_class(&m, &agg).unwrap();
    let mut seen = [0.0; 2];
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] != "category" {
            continue;
        }
        let hour: u32 = f[0][11..13].parse().unwrap();
        let offered: f64 = f[3].parse().unwrap();
        match (f[2], hour < 12) {
            ("a", true) => seen[0] += offered,
            ("b", false) => seen[1] += offered,
            (c, _) => assert_eq!(offered, 0.0, "{line}: {c} outside its hours"),
        }
    }
    assert!(seen.iter().all(|&x| x > 2000.0), "{seen:?}\n{csv}");
}
