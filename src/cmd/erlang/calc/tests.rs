//! Against pyworkforce's published examples (README and docs of rodrigo-arenas/pyworkforce:
//! 100 transactions per 30 minutes, AHT 3 min, ASA target 20 s, shrinkage 30%).

use super::*;
use crate::erlang::ErlangA;

/// pyworkforce prints full doubles for Erlang C: agree to rounding.
const EXACT: f64 = 1e-9;
/// Its Erlang A and MultiErlangC figures are printed to 3-4 decimals ("0.858...", "0.9415"):
/// agree to the last printed digit.
const PRINTED_3: f64 = 5e-4;
const PRINTED_4: f64 = 5e-5;

fn example(patience_s: Option<f64>) -> Interval {
    Interval {
        rate_per_s: 100.0 / 1800.0,
        handle_s: 180.0,
        patience_s,
        concurrency: 1,
        slowdown: 0.0,
    }
}

fn goal(service_level: f64, max_occupancy: f64) -> Goal {
    Goal {
        answer_within_s: 20.0,
        service_level,
        shrinkage: 0.3,
        max_occupancy: Some(max_occupancy),
    }
}

#[test]
fn erlang_c_matches_pyworkforce_readme() {
    // {'raw_positions': 14, 'positions': 20, 'service_level': 0.8883500191794669,
    //  'occupancy': 0.7142857142857143, 'waiting_probability': 0.1741319335950498}
    let o = example(None).required(&goal(0.8, 0.85)).unwrap();
    assert_eq!((o.agents, o.paid), (14, 20));
    assert!(
        (o.service_level - 0.888_350_019_179_466_9).abs() < EXACT,
        "{o:?}"
    );
    assert!(
        (o.occupancy - 0.714_285_714_285_714_3).abs() < EXACT,
        "{o:?}"
    );
    assert!(
        (o.prob_wait - 0.174_131_933_595_049_8).abs() < EXACT,
        "{o:?}"
    );
}

#[test]
fn erlang_c_matches_pyworkforce_multi_erlang_table() {
    // service_level 0.80 → 20 positions, 0.8884, 0.7143; 0.90 → 22, 0.9415, 0.6667
    // (max_occupancy 0.8).
    let o = example(None).required(&goal(0.8, 0.8)).unwrap();
    assert_eq!(o.paid, 20);
    assert!((o.service_level - 0.8884).abs() < PRINTED_4);
    assert!((o.occupancy - 0.7143).abs() < PRINTED_4);
    let o = example(None).required(&goal(0.9, 0.8)).unwrap();
    assert_eq!((o.agents, o.paid), (15, 22));
    assert!((o.service_level - 0.9415).abs() < PRINTED_4, "{o:?}");
    assert!((o.occupancy - 0.6667).abs() < PRINTED_4);
}

#[test]
fn erlang_a_matches_pyworkforce_readme() {
    // patience 5 min: {'raw_positions': 13, 'positions': 19, 'service_level': 0.858...,
    //  'occupancy': 0.750..., 'abandonment_probability': 0.025...,
    //  'waiting_probability': 0.226..., 'average_speed_of_answer': 0.125...} (minutes)
    let o = example(Some(300.0)).required(&goal(0.8, 0.85)).unwrap();
    assert_eq!((o.agents, o.paid), (13, 19), "{o:?}");
    assert!((o.occupancy - 0.750).abs() < PRINTED_3, "{o:?}");
    assert!((o.abandon - 0.025).abs() < PRINTED_3 * 2.0, "{o:?}");
    assert!((o.prob_wait - 0.226).abs() < PRINTED_3 * 2.0, "{o:?}");
    assert!((o.service_level - 0.858).abs() < PRINTED_3 * 2.0, "{o:?}");
    // pyworkforce's average speed of answer is over all arrivals, abandoners' time to leave
    // included: kefu's `ErlangA::mean_wait_s` (minutes there, seconds here).
    let asa_min = ErlangA::new(100.0 / 1800.0, 180.0, 300.0, 13).mean_wait_s() / 60.0;
    assert!((asa_min - 0.125).abs() < PRINTED_3 * 2.0, "{asa_min}");
}

#[test]
fn an_overload_is_called_unstable_in_words() {
    let i = Interval {
        rate_per_s: 41.3 / 180.0,
        handle_s: 180.0,
        patience_s: None,
        concurrency: 1,
        slowdown: 0.0,
    };
    let e = i.evaluate(&goal(0.8, 1.0), 15).unwrap_err();
    assert_eq!(
        e.to_string(),
        "41.3 Erlangs offered to 15 agent(s): the queue grows without bound (at least 42 agents are needed just to keep up)"
    );
    // With 3 chats at once the same agents hold 45 slots: stable.
    let chats = Interval {
        concurrency: 3,
        ..i
    };
    assert!(chats.evaluate(&goal(0.8, 1.0), 15).is_ok());
}

#[test]
fn concurrency_divides_the_slots_and_slowdown_stretches_the_handle_time() {
    let one = example(None).required(&goal(0.8, 1.0)).unwrap();
    let three = Interval {
        concurrency: 3,
        ..example(None)
    };
    let o = three.required(&goal(0.8, 1.0)).unwrap();
    assert_eq!(o.slots, o.agents * 3);
    assert!(o.agents * 3 >= one.agents && o.agents <= one.agents.div_ceil(3) + 1);
    let slow = Interval {
        slowdown: 0.25,
        ..three
    };
    assert_eq!(slow.slot_handle_s(), 180.0 * 1.5);
    assert!(slow.required(&goal(0.8, 1.0)).unwrap().agents > o.agents);
    assert_eq!(paid_agents(14, 0.3), 20);
    assert_eq!(paid_agents(15, 0.3), 22);
    assert_eq!(paid_agents(0, 0.3), 0);
}
