//! Models built in code that exercise every chart: a promotion peak, two categories with VIPs,
//! a bot that may resolve falsely, a daily schedule with a night gap (tickets), surge agents
//! and costs.
#![allow(dead_code)]

use kefu::model::textbook::Textbook;
use kefu::model::time::{days_from_civil, HOUR_S};
use kefu::model::*;

/// A Double-11 style shop over `days` days from 2026-11-11 (peak on 11-11 20:00–22:00).
pub fn shop(days: f64, replications: u32) -> Model {
    let mut tb = Textbook::new(0.07, 300.0, 10);
    tb.days = days;
    tb.replications = replications;
    tb.mean_patience_s = Some(600.0);
    let mut m = tb.model();
    m.name = "Double 11 shop".into();
    let warmup = m.run.counted_from;
    m.run.calendar.origin_epoch_s = days_from_civil(2026, 11, 11) * 86_400 - warmup as i64;
    let profile = [
        0.5, 0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.4, 0.8, 1.1, 1.3, 1.3, 1.2, 1.2, 1.3, 1.3, 1.2, 1.2,
        1.3, 1.5, 1.8, 1.9, 1.5, 0.9,
    ];
    let mean: f64 = profile.iter().sum::<f64>() / 24.0;
    m.arrivals.hourly_profile = profile.map(|w| w / mean);
    m.arrivals.per_day = 9000.0;
    let day11 = warmup; // 2026-11-11 00:00
    m.arrivals.peaks.push(Peak {
        name: "Double 11 launch".into(),
        from: day11 + 20.0 * HOUR_S,
        to: day11 + 22.0 * HOUR_S,
        multiplier: 1.8,
        promotion_bot: true,
    });
    let mut after = m.categories[0].clone();
    m.categories[0].name = "pre-sales".into();
    m.categories[0].share = 0.6;
    m.categories[0].vip_share = 0.1;
    m.categories[0].handle_time = Dist::gamma(240.0, 0.8).unwrap();
    m.categories[0].complex_share = 0.3;
    after.name = "after-sales".into();
    after.share = 0.4;
    after.vip_share = 0.15;
    after.handle_time = Dist::gamma(420.0, 0.8).unwrap();
    after.complex_handle_time = Dist::gamma(700.0, 0.8).unwrap();
    after.complex_share = 0.4;
    after.patience = Some(Dist::exponential(900.0).unwrap());
    m.categories.push(after);
    let profile = |mean: f64, resolve: f64| BotProfile {
        response: Dist::gamma(mean, 0.5).unwrap(),
        resolve,
    };
    m.bot = Some(Bot {
        coverage: 0.85,
        basic: profile(20.0, 0.55),
        complex: profile(40.0, 0.2),
        promotion: Some(profile(15.0, 0.35)),
        false_resolution: 0.05,
        return_after: Some(Dist::exponential(1800.0).unwrap()),
    });
    let window = |from_h: f64, to_h: f64, agents: u32| Window {
        from_s: from_h * HOUR_S,
        to_s: to_h * HOUR_S,
        agents,
        days: [true; 7],
    };
    m.pools[0].concurrency = 3;
    m.pools[0].concurrency_slowdown = 0.1;
    m.pools[0].staffing = Staffing::Schedule(vec![
        window(8.0, 0.0, 18),
        window(19.0, 23.0, 10),
        window(0.0, 2.0, 6),
        window(6.0, 8.0, 3),
    ]);
    m.target.queue_alert_waiting = 10;
    m.surges.push(Surge {
        pool: 0,
        agents: 5,
        after_s: 300.0,
        join_delay_s: 600.0,
        release_after_s: 1800.0,
    });
    m.costs = Some(Costs {
        agent_hour: 45.0,
        bot_contact: 0.2,
        currency: "CNY".into(),
    });
    m
}

/// A plain M/M/c model: one category, no bot, no VIPs, no peaks.
pub fn plain(replications: u32) -> Model {
    let mut tb = Textbook::new(0.05, 120.0, 7);
    tb.replications = replications;
    tb.model()
}
