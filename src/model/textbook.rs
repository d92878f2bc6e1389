//! Textbook models built in code: M/M/c (Erlang C) and M/M/c+M (Erlang A). Used by the theory
//! tests, the benchmarks and `kefu bench`, so they need no scenario file.

use super::*;
use time::days_from_civil;

/// Parameters of a single-skill Markovian queue.
#[derive(Debug, Clone, Copy)]
pub struct Textbook {
    /// Arrival rate `[1/s]`.
    pub lambda: f64,
    /// Mean handle time `[s]`.
    pub mean_service_s: f64,
    pub servers: u32,
    /// Mean patience `[s]`; `None` never abandons.
    pub mean_patience_s: Option<f64>,
    /// Counted horizon `[days]`.
    pub days: f64,
    /// Warm-up `[s]`.
    pub warmup_s: f64,
    /// Share of VIP contacts (priority class), 0 for a single class.
    pub vip_share: f64,
    pub replications: u32,
    pub seed: u64,
}

impl Textbook {
    pub fn new(lambda: f64, mean_service_s: f64, servers: u32) -> Self {
        Textbook {
            lambda,
            mean_service_s,
            servers,
            mean_patience_s: None,
            days: 1.0,
            warmup_s: 3600.0,
            vip_share: 0.0,
            replications: 10,
            seed: 1,
        }
    }

    /// The model: flat arrivals, no bot, one category, one pool of constant size.
    pub fn model(&self) -> Model {
        let start = days_from_civil(2026, 1, 5) * 86_400;
        Model {
            name: format!(
                "M/M/{}{} λ={} 1/μ={}",
                self.servers,
                if self.mean_patience_s.is_some() {
                    "+M"
                } else {
                    ""
                },
                self.lambda,
                self.mean_service_s
            ),
            description: None,
            run: RunSettings {
                calendar: Calendar {
                    origin_epoch_s: start - self.warmup_s.round() as i64,
                },
                counted_from: self.warmup_s.round(),
                counted_to: self.warmup_s.round() + self.days * DAY_S,
                replications: self.replications,
                seed: self.seed,
                interval_s: 1800.0,
            },
            target: Target {
                answer_within_s: 120.0,
                service_level: 0.9,
                queue_alert_waiting: 5,
                short_abandon_s: 5.0,
            },
            arrivals: Arrivals {
                per_day: self.lambda * DAY_S,
                hourly_profile: [1.0; 24],
                weekday_factors: [1.0; 7],
                peaks: Vec::new(),
                forecast: None,
                replay: None,
                busyness: None,
            },
            categories: vec![Category {
                name: "all".into(),
                share: 1.0,
                complex_share: 0.0,
                vip_share: self.vip_share,
                skill: 0,
                handle_time: Dist::exponential(self.mean_service_s).expect("positive mean"),
                complex_handle_time: Dist::exponential(self.mean_service_s).expect("positive mean"),
                patience: self
                    .mean_patience_s
                    .map(|p| Dist::exponential(p).expect("positive mean")),
                silent_abandon: 0.0,
            }],
            skills: vec!["general".into()],
            bot: None,
            bot_controls: BotControls::default(),
            pools: vec![Pool {
                name: "agents".into(),
                skills: vec![0],
                concurrency: 1,
                concurrency_slowdown: 0.0,
                staffing: Staffing::Constant(self.servers),
                absence: 0.0,
                handle_factor: Vec::new(),
                take: Default::default(),
            }],
            routing: Routing {
                vip_first: true,
                silent_close_s: 60.0,
                policy: Default::default(),
                across_pools: false,
                category_pools: Vec::new(),
            },
            surges: Vec::new(),
            costs: None,
            offline: Offline { tickets: true },
            customers: Default::default(),
            planning: None,
        }
    }
}
