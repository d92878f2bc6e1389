use super::*;

const TARGET: f64 = 0.9;

fn rule() -> Rule {
    Rule {
        target: TARGET,
        small_interval_contacts: 20.0,
        small_interval_tolerance: 0.10,
    }
}

fn interval(index: usize, label: &str, sl: f64, ci: f64, offered: f64) -> Miss {
    let r = rule();
    Miss {
        scope: Scope::Interval {
            index,
            label: label.into(),
            start: format!("2026-{}", label.replace(' ', "T")),
        },
        service_level: sl,
        ci95: Some(ci),
        goal: r.goal(offered),
        offered,
        shortfall: r.judge(offered, sl, Some(ci)).expect("a miss"),
    }
}

fn est(mean: f64, ci: f64) -> Estimate {
    Estimate {
        mean: Some(mean),
        ci95: Some(ci),
    }
}

#[test]
fn judging_tells_a_miss_beyond_the_noise_from_one_within_it() {
    let r = rule();
    assert_eq!(r.judge(100.0, 0.90, Some(0.05)), None, "at the target");
    assert_eq!(r.judge(100.0, 0.95, None), None);
    assert_eq!(
        r.judge(100.0, 0.86, Some(0.02)),
        Some(Shortfall::BeyondNoise)
    );
    assert_eq!(
        r.judge(100.0, 0.89, Some(0.02)),
        Some(Shortfall::WithinNoise)
    );
    // One replication: no half-width, so nothing can be blamed on noise.
    assert_eq!(r.judge(100.0, 0.89, None), Some(Shortfall::BeyondNoise));
    // A small interval is judged at target − tolerance.
    assert_eq!(r.goal(19.9), TARGET - 0.10);
    assert_eq!(r.goal(20.0), TARGET);
    assert_eq!(r.judge(5.0, 0.85, Some(0.0)), None);
    assert_eq!(r.judge(5.0, 0.75, Some(0.01)), Some(Shortfall::BeyondNoise));
}

#[test]
fn status_follows_horizon_intervals_and_classes() {
    let met = Verdict::from_parts(rule(), est(0.95, 0.01), 10, vec![], vec![]);
    assert_eq!(met.status, Status::Met);
    assert_eq!(met.css_class(), "met");
    assert!(met.line().starts_with("met: 95.0% ± 1.0"), "{}", met.line());

    let one = vec![interval(3, "11-10 21:00", 0.86, 0.02, 100.0)];
    let amber = Verdict::from_parts(rule(), est(0.975, 0.003), 10, one.clone(), vec![]);
    assert_eq!(amber.status, Status::MetOverallWithMisses);
    assert_eq!(amber.css_class(), "close");

    let red = Verdict::from_parts(rule(), est(0.85, 0.01), 10, one, vec![]);
    assert_eq!(red.status, Status::NotMet);
    assert_eq!(red.css_class(), "missed");
    assert!(
        red.line().starts_with("NOT met: 85.0% ± 1.0"),
        "{}",
        red.line()
    );

    let close = Verdict::from_parts(rule(), est(0.89, 0.02), 10, vec![], vec![]);
    assert_eq!(close.status, Status::NotMet);
    assert_eq!(close.headline(), "Target NOT met, but close");

    let none = Verdict::from_parts(
        rule(),
        Estimate {
            mean: None,
            ci95: None,
        },
        0,
        vec![],
        vec![],
    );
    assert_eq!(none.status, Status::NoVerdict);
}

#[test]
fn the_line_names_the_worst_intervals_in_time_order_and_the_classes() {
    let misses = vec![
        interval(5, "11-10 21:30", 0.83, 0.03, 100.0),
        interval(4, "11-10 21:00", 0.86, 0.02, 100.0),
        interval(9, "11-11 01:00", 0.895, 0.02, 100.0),
    ];
    let vip = Miss {
        scope: Scope::Category("vip-members".into()),
        service_level: 0.846,
        ci95: Some(0.02),
        goal: TARGET,
        offered: 900.0,
        shortfall: Shortfall::BeyondNoise,
    };
    let v = Verdict::from_parts(rule(), est(0.975, 0.003), 144, misses, vec![vip]);
    let line = v.line();
    assert!(
        line.starts_with(
            "met overall (97.5% ± 0.3), but 3 of 144 intervals miss: 11-10 21:00 86.0% ± 2.0, \
             21:30 83.0% ± 3.0, 11-11 01:00 89.5% ± 2.0 (within noise); \
             1 class misses: vip-members 84.6% ± 2.0"
        ),
        "{line}"
    );
    assert!(
        line.ends_with("3 of 4 beyond the noise of the replications"),
        "{line}"
    );
    // Worst first in the data.
    assert_eq!(v.interval_misses[0].scope.name(), "11-10 21:30");
    let j = v.to_json();
    assert_eq!(j["status"], "met_overall_with_misses");
    assert_eq!(j["intervals_missed"], 3);
    assert_eq!(j["intervals_missed_beyond_noise"], 2);
    assert_eq!(j["misses"][0]["start"], "2026-11-10T21:30");
    assert_eq!(j["misses"][3]["kind"], "category");
    assert_eq!(j["misses"][3]["beyond_noise"], true);
}

#[test]
fn many_interval_misses_name_the_worst_and_count_the_rest() {
    let misses: Vec<Miss> = (0..10)
        .map(|i| {
            interval(
                i,
                &format!("01-0{} 10:00", i % 9 + 1),
                0.80 + i as f64 * 0.005,
                0.01,
                50.0,
            )
        })
        .collect();
    let v = Verdict::from_parts(rule(), est(0.7, 0.01), 48, misses, vec![]);
    let line = v.line();
    assert!(line.contains("10 of 48 intervals miss: worst "), "{line}");
    assert!(line.contains(" and 6 more"), "{line}");
    assert!(line.contains("01-01 10:00 80.0%"), "{line}");
    assert!(!line.contains("01-06 10:00"), "{line}");
}

#[test]
fn a_small_class_names_its_lower_goal() {
    let small = interval(0, "01-01 03:00", 0.70, 0.05, 4.0);
    let v = Verdict::from_parts(rule(), est(0.95, 0.01), 48, vec![small], vec![]);
    assert!(
        v.line().contains("70.0% ± 5.0 (few contacts: goal 80.0%)"),
        "{}",
        v.line()
    );
}
