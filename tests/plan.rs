//! The capacity planner on models built in code (deterministic: fixed seeds).

use kefu::erlang::ErlangA;
use kefu::model::textbook::Textbook;
use kefu::model::{Model, Peak, Planning};
use kefu::plan::{self, PlanMethod, PlanOptions};

fn opts() -> PlanOptions {
    PlanOptions {
        verify_replications: Some(16),
        ..Default::default()
    }
}

/// Constant load with exponential patience (the Erlang A model exactly):
/// a = 0.2/s × 240 s = 48 Erlangs, mean patience 300 s.
fn constant_model() -> Model {
    let mut tb = Textbook::new(0.2, 240.0, 60);
    tb.days = 0.5;
    tb.seed = 7;
    tb.mean_patience_s = Some(300.0);
    let mut m = tb.model();
    // Three-hour intervals: a per-interval service level is a noisy statistic (±1–2% with
    // 40 replications of an hour at 48 Erlangs), and one agent moves it by about 2%.
    m.run.interval_s = 3.0 * 3600.0;
    // The bare requirement (no safety buffer for fresh seeds), as the formula defines it.
    m.planning = Some(Planning {
        tuning_replications: 40,
        confidence_z: 0.0,
        ..Planning::default()
    });
    m
}

#[test]
fn constant_load_simulated_requirement_matches_erlang_a() {
    let m = constant_model();
    let r = plan::plan(&m, &opts()).unwrap();
    eprintln!("{}", plan::output::terminal(&r, &m));
    let erlang = ErlangA::servers_for_service_level(0.2, 240.0, 300.0, 120.0, 0.9).unwrap();
    let p = &r.pools[0];
    eprintln!("{:?}\n{:?}", p.simulated, r.iteration.log);
    assert!(p.sipp_erlang_a.iter().all(|&c| c == erlang));
    for i in r.grid.counted_offset..r.grid.len {
        let d = p.simulated[i] as i64 - erlang as i64;
        assert!(
            d.abs() <= 1,
            "interval {i}: simulated {} vs Erlang A {erlang}",
            p.simulated[i]
        );
    }
}

/// A flash sale: 8× the traffic for 15 minutes at the start of a half-hour interval, with a
/// bot in promotion mode; patient customers (Erlang A with mean patience 600 s).
fn flash_sale_model() -> Model {
    let mut tb = Textbook::new(0.05, 300.0, 20);
    tb.days = 0.5;
    tb.seed = 3;
    tb.mean_patience_s = Some(600.0);
    let mut m = tb.model();
    let h = m.run.counted_from;
    m.arrivals.peaks.push(Peak {
        name: "flash sale".into(),
        from: h + 6.0 * 3600.0,
        to: h + 6.25 * 3600.0,
        multiplier: 8.0,
        promotion_bot: false,
    });
    m
}

#[test]
fn flash_sale_plan_meets_target_where_sipp_misses() {
    let m = flash_sale_model();
    let r = plan::plan(&m, &opts()).unwrap();
    eprintln!("{}", plan::output::terminal(&r, &m));
    let check = |method: PlanMethod| r.check(method).unwrap();
    assert!(
        r.verification.met,
        "plan missed {:?}",
        check(PlanMethod::Plan).missed
    );
    assert!(check(PlanMethod::Plan).missed.is_empty());
    assert!(
        !check(PlanMethod::SippErlangC).missed.is_empty(),
        "SIPP Erlang C met every interval"
    );
    assert_ne!(r.verification.seed, r.tuning_seed);
    // Shift cover: every interval's planned headcount ≥ its requirement, within the gap.
    let p = &r.pools[0];
    assert!(p.planned.iter().zip(&p.simulated).all(|(a, b)| a >= b));
    assert!(p.roster.objective + 1e-6 >= p.roster.lp_bound);
    assert!(p.roster.objective <= p.roster.lp_bound * (1.0 + p.roster.gap) + 1e-6);
}

/// `scenarios/singles-day.toml` built in code (the loader lands separately): 3 days from
/// 2026-11-10 with 4 h warm-up, a 7× launch-night peak with the promotion bot script, a 2×
/// shopping day, three categories, a bot, one pool of 3-chat agents, on-call surge, costs.
fn singles_day_model() -> Model {
    use kefu::model::time::days_from_civil;
    use kefu::model::*;
    let mut m = Textbook::new(0.1, 300.0, 50).model();
    let warmup = 4.0 * 3600.0;
    let start = days_from_civil(2026, 11, 10) * 86_400;
    m.name = "Singles' Day, launch night (built in code)".into();
    m.run.calendar = Calendar {
        origin_epoch_s: start - warmup as i64,
    };
    m.run.counted_from = warmup;
    m.run.counted_to = warmup + 3.0 * 86_400.0;
    m.run.replications = 20;
    m.run.seed = 11;
    m.run.interval_s = 1800.0;
    m.target.queue_alert_waiting = 10;
    let profile = [
        0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.3, 1.3, 1.2, 1.2, 1.3, 1.3, 1.2, 1.1,
        1.2, 1.5, 1.9, 2.0, 1.6, 0.9,
    ];
    let mean: f64 = profile.iter().sum::<f64>() / 24.0;
    m.arrivals.per_day = 15_000.0;
    m.arrivals.hourly_profile = profile.map(|w| w / mean);
    let at = |day: u32, hour: f64| {
        (days_from_civil(2026, 11, day) * 86_400 - start) as f64 + warmup + hour * 3600.0
    };
    m.arrivals.peaks = vec![
        Peak {
            name: "launch night".into(),
            from: at(10, 20.0),
            to: at(11, 2.0),
            multiplier: 7.0,
            promotion_bot: true,
        },
        Peak {
            name: "shopping".into(),
            from: at(11, 9.0),
            to: at(12, 0.0),
            multiplier: 2.0,
            promotion_bot: false,
        },
    ];
    let ln = |mean, cv| Dist::lognormal(mean, cv).unwrap();
    let cat = |name: &str, share, complex, vip, h, ch, patience: Dist| Category {
        name: name.into(),
        share,
        complex_share: complex,
        vip_share: vip,
        skill: 0,
        handle_time: ln(h, 0.8),
        complex_handle_time: ln(ch, 0.8),
        patience: Some(patience),
        silent_abandon: 0.3,
    };
    m.categories = vec![
        cat("beauty", 0.6, 0.3, 0.1, 300.0, 480.0, ln(240.0, 1.0)),
        cat("digital", 0.25, 0.35, 0.1, 330.0, 540.0, ln(240.0, 1.0)),
        cat(
            "farm-produce",
            0.15,
            0.25,
            0.05,
            270.0,
            420.0,
            Dist::exponential(240.0).unwrap(),
        ),
    ];
    let uni = |a, b| Dist::uniform(a, b).unwrap();
    m.bot = Some(Bot {
        coverage: 0.85,
        basic: BotProfile {
            response: uni(0.2, 1.0),
            resolve: 0.92,
        },
        complex: BotProfile {
            response: uni(8.0, 15.0),
            resolve: 0.65,
        },
        promotion: Some(BotProfile {
            response: uni(3.0, 5.0),
            resolve: 0.88,
        }),
        false_resolution: 0.05,
        return_after: Some(Dist::exponential(1800.0).unwrap()),
    });
    m.pools[0].name = "general".into();
    m.pools[0].concurrency = 3;
    m.pools[0].concurrency_slowdown = 0.15;
    m.surges = vec![Surge {
        pool: 0,
        agents: 15,
        after_s: 120.0,
        join_delay_s: 600.0,
        release_after_s: 1800.0,
    }];
    m.costs = Some(Costs {
        agent_hour: 45.0,
        bot_contact: 0.2,
        currency: "CNY".into(),
    });
    m
}

#[test]
fn singles_day_plan_is_fast_covered_and_verified() {
    let m = singles_day_model();
    let t0 = std::time::Instant::now();
    let r = plan::plan(&m, &PlanOptions::default()).unwrap();
    let wall = t0.elapsed().as_secs_f64();
    eprintln!("{}", plan::output::terminal(&r, &m));
    assert!(wall < 45.0, "planner took {wall:.1} s");
    let p = &r.pools[0];
    assert_eq!(p.planned.len(), r.grid.len);
    assert!(p.planned.iter().zip(&p.simulated).all(|(a, b)| a >= b));
    assert!(
        r.verification.met_within_noise,
        "plan missed beyond the noise"
    );
    // plan.csv covers every simulated interval, warm-up included, and loads back as a table.
    let csv = plan::output::plan_csv(&r, &m.run.calendar);
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), r.grid.len);
    assert!(rows[0].starts_with("2026-11-09T20:00,general,"));
    let back: Vec<u32> = rows
        .iter()
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(back, p.planned);
}

#[test]
fn shrinkage_and_occupancy_show_in_paid_headcount() {
    let mut m = flash_sale_model();
    m.planning = Some(Planning {
        shrinkage: vec![[0.25; 24]],
        max_occupancy: Some(0.8),
        ..Planning::default()
    });
    let r = plan::plan(
        &m,
        &PlanOptions {
            verify_replications: Some(4),
            ..Default::default()
        },
    )
    .unwrap();
    let p = &r.pools[0];
    for i in 0..r.grid.len {
        let l = &p.load.intervals[i];
        assert!(
            p.simulated[i] as f64 >= l.erlangs() / 0.8 - 1e-9,
            "occupancy cap at {i}"
        );
        assert!(p.paid_required[i] as f64 * 0.75 >= p.simulated[i] as f64 - 1e-9);
        assert!(p.roster.on_duty[i] >= p.paid_required[i]);
        assert!(p.planned[i] >= p.simulated[i]);
    }
    assert!(
        r.verification.paid_hours
            > r.checks
                .iter()
                .find(|c| c.method == PlanMethod::Plan)
                .unwrap()
                .agent_hours
    );
    let csv = plan::output::intervals_csv(&r, &m.run.calendar);
    eprintln!("{}", csv.lines().take(16).collect::<Vec<_>>().join("\n"));
    assert_eq!(csv.lines().count(), r.grid.len + 1);
    let json = plan::output::plan_json(&r, &m);
    assert_eq!(json["methods"].as_array().unwrap().len(), 4);
}

/// The `plan.csv` contract, end to end through the binary: plan a one-day cut of
/// `scenarios/singles-day.toml` (launch night included), load `plan.csv` back as the pool's
/// `staffing_csv` in a copy without the on-call surge (the plan is made without it), run it
/// with a seed used by neither tuning nor verification, and check the target is met.
#[test]
fn plan_csv_run_back_meets_the_target() {
    use std::process::Command;
    let kefu = env!("CARGO_BIN_EXE_kefu");
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{root}/scenarios/singles-day.toml")).unwrap();
    assert!(text.contains("days = 3.0") && text.contains("[planning]"));
    let text = text.replace("days = 3.0", "days = 1.0");
    std::fs::write(dir.path().join("sd.toml"), &text).unwrap();
    let t0 = std::time::Instant::now();
    let out = Command::new(kefu)
        .args([
            "plan",
            "sd.toml",
            "--out",
            "plan",
            "-q",
            "--replications",
            "10",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan_s = t0.elapsed().as_secs_f64();

    // The run-back scenario: staffing from plan.csv instead of the schedule, no surge.
    let sched = text.find("schedule = [").unwrap();
    let sched_end = sched + text[sched..].find("\n]\n").unwrap() + 3;
    let surge = text.find("[[surge]]").unwrap();
    let surge_end = surge + text[surge..].find("\n\n").unwrap() + 2;
    assert!(sched_end < surge);
    let run_text = format!(
        "{}staffing_csv = \"plan.csv\"\n{}{}",
        &text[..sched],
        &text[sched_end..surge],
        &text[surge_end..]
    );
    assert!(!run_text.contains("[[surge]]") && !run_text.contains("schedule = ["));
    std::fs::write(dir.path().join("run.toml"), &run_text).unwrap();
    let plan_csv = std::fs::read_to_string(dir.path().join("plan/plan.csv")).unwrap();
    std::fs::write(dir.path().join("plan.csv"), &plan_csv).unwrap();
    let out = Command::new(kefu)
        .args(["run", "run.toml", "--out", "run", "-q"])
        .args(["--seed", "4242", "--replications", "40"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Overall: the promise holds on the scheduled agents alone.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("run/summary.json")).unwrap(),
    )
    .unwrap();
    let sl = summary["human"]["service_level"]["mean"].as_f64().unwrap();
    eprintln!("plan {plan_s:.1} s; run back: service level {sl:.4}");
    assert!(sl >= 0.9, "service level {sl}");

    // Per interval: the headcount simulated is plan.csv's (same grid, warm-up rows held
    // correctly), and no interval misses its goal beyond the noise of 40 replications
    // (small intervals, < 20 offered contacts, have the planner's 10-point tolerance).
    let planned: std::collections::HashMap<&str, &str> = plan_csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0], f[2])
        })
        .collect();
    let intervals = std::fs::read_to_string(dir.path().join("run/intervals.csv")).unwrap();
    let mut lines = intervals.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (c_start, c_sl, c_ci, c_off, c_agents) = (
        col("start"),
        col("service_level"),
        col("service_level_ci95"),
        col("offered"),
        col("agents_on_duty"),
    );
    let mut n = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let agents: f64 = f[c_agents].parse().unwrap();
        let want: f64 = planned[f[c_start]].parse().unwrap();
        assert_eq!(agents, want, "agents on duty at {}", f[c_start]);
        let (Ok(v), Ok(off)) = (f[c_sl].parse::<f64>(), f[c_off].parse::<f64>()) else {
            continue;
        };
        let ci: f64 = f[c_ci].parse().unwrap_or(0.0);
        let goal = if off < 20.0 { 0.8 } else { 0.9 };
        assert!(
            v + ci >= goal,
            "{}: service level {v} ± {ci} below {goal}",
            f[c_start]
        );
        n += 1;
    }
    assert_eq!(n, 48, "one day of 30-minute intervals");
}

/// `--confidence`: the plans at 50/80/95% staff for the quantile day, cost more as the
/// confidence rises, and each meets the target on at least its share of simulated days
/// when re-simulated with random busyness on fresh seeds (within the 95% CI over
/// replications).
#[test]
fn plans_with_a_confidence_hold_on_their_share_of_days() {
    use kefu::model::{Busyness, Spread, SpreadShape};
    let mut tb = Textbook::new(0.05, 240.0, 20);
    tb.days = 4.0;
    tb.seed = 9;
    let mut m = tb.model();
    // Three-hour intervals: fewer, steadier per-interval service levels to tune.
    m.run.interval_s = 3.0 * 3600.0;
    let day = Spread {
        shape: SpreadShape::Gamma,
        cv: 0.15,
    };
    m.arrivals.busyness = Some(Busyness {
        day: Some(day),
        interval: None,
    });
    m.planning = Some(Planning {
        tuning_replications: 8,
        ..Planning::default()
    });
    let o = PlanOptions {
        verify_replications: Some(30),
        confidence: Some(0.8),
        ..Default::default()
    };
    let r = plan::plan(&m, &o).unwrap();
    eprintln!("{}", plan::output::terminal(&r, &m));
    let c = r.confidence.as_ref().expect("a confidence report");
    assert_eq!(c.requested, 0.8);
    let levels: Vec<f64> = c.ladder.iter().map(|p| p.confidence).collect();
    assert_eq!(levels, plan::confidence::LADDER.to_vec());
    for w in c.ladder.windows(2) {
        assert!(w[1].busyness > w[0].busyness);
        assert!(w[1].paid_hours >= w[0].paid_hours, "{:?}", c.ladder);
    }
    assert!(c.ladder[2].paid_hours > c.ladder[0].paid_hours);
    for p in &c.ladder {
        assert!((p.busyness - day.quantile(p.confidence)).abs() < 1e-12);
        let share = p.day_meet_share.expect("days reported");
        let (mean, ci) = (share.mean.unwrap(), share.ci95.unwrap_or(0.0));
        assert!(
            mean + ci >= p.confidence,
            "the {:.0}% plan holds on {mean:.3} ± {ci:.3} of days",
            p.confidence * 100.0
        );
    }
    // The result's staffing is the 80% plan's.
    assert_eq!(r.verification.paid_hours, c.ladder[1].paid_hours);
}
