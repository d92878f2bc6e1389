//! Typed metric identities: every metric of `summary.json` as a [`Metric`] value, so that a
//! lookup is checked by the compiler instead of matched as a string at run time.
//!
//! The dotted names (`human.service_level`, `by_category.<name>.offered`, ...) exist only in
//! the name tables here ([`TotalMetric::name`], [`HumanMetric::name`], [`Priority::name`],
//! [`HumanClass`]'s prefixes); they are used at the file edges only (`summary.json`,
//! `sweep.csv`, `compare.json`). [`Metric::all`] is the order `summary.json` lists them in.

use crate::model::{CategoryId, Model};

/// A metric of `summary.json`: a scenario-wide total, or a human-stage metric of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Total(TotalMetric),
    Human(HumanClass, HumanMetric),
}

/// Whose human-stage metrics: every contact offered to agents, one category, one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HumanClass {
    /// `human.*`
    All,
    /// `by_category.<name>.*`
    Category(CategoryId),
    /// `by_priority.<vip|normal>.*`
    Priority(Priority),
}

/// Generates an enum of leaf metrics with its ALL list (declaration order) and name table.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// How many variants there are.
            pub const COUNT: usize = Self::ALL.len();

            /// The name table: the contract's name of each variant.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The variant named `name`.
            pub fn parse(name: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }

            /// The position in [`Self::ALL`] (for arrays indexed by variant).
            pub const fn index(self) -> usize {
                self as usize
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
pub(crate) use named_enum;

named_enum! {
    /// A customer priority: the keys under `by_priority`, the priority classes of
    /// `intervals_by_class.csv`, and (by [`index`](Priority::index)) the positions in
    /// [`RepStats::by_priority`](crate::stats::RepStats).
    Priority {
        Vip => "vip",
        Normal => "normal",
    }
}

named_enum! {
    /// The human-stage metrics of one class, in `summary.json` order.
    HumanMetric {
        Offered => "offered",
        Answered => "answered",
        Abandoned => "abandoned",
        AnsweredWithinTarget => "answered_within_target",
        ServiceLevel => "service_level",
        ServiceLevelAnswered => "service_level_answered",
        ServiceLevelExclShort => "service_level_excl_short",
        AbandonRate => "abandon_rate",
        WaitedFraction => "waited_fraction",
        MeanWaitS => "mean_wait_s",
        WaitP50S => "wait_p50_s",
        WaitP90S => "wait_p90_s",
        WaitP99S => "wait_p99_s",
        Occupancy => "occupancy",
        ShortAbandoned => "short_abandoned",
        SilentAbandoned => "silent_abandoned",
        Returns => "returns",
        ReturnShare => "return_share",
    }
}

named_enum! {
    /// The scenario-wide metrics (not per class), in `summary.json` order; the human-class
    /// blocks come between [`TotalMetric::BotContainment`] and [`TotalMetric::TicketCount`].
    TotalMetric {
        Contacts => "contacts",
        BotMet => "bot.met",
        BotResolved => "bot.resolved",
        BotTransferred => "bot.transferred",
        BotFalseResolved => "bot.false_resolved",
        BotStraightToAgents => "bot.straight_to_agents",
        BotSessionWaited => "bot.session_waited",
        BotSessionMeanWaitS => "bot.session_mean_wait_s",
        BotFullToAgents => "bot.full_to_agents",
        BotContainment => "bot.containment",
        TicketCount => "tickets.count",
        TicketMeanResponseS => "tickets.mean_response_s",
        Unserved => "unserved",
        QueueFull => "queue.full",
        QueueRefused => "queue.refused",
        QueueBalked => "queue.balked",
        QueueTimedOut => "queue.timed_out",
        QueueClosed => "queue.closed",
        RetrialsScheduled => "retrials.scheduled",
        RetrialsOffered => "retrials.offered",
        RetrialsFirstAttemptServiceLevel => "retrials.first_attempt_service_level",
        RetrialsAnyAttemptServiceLevel => "retrials.any_attempt_service_level",
        AlertEpisodes => "alerts.episodes",
        AlertTotalS => "alerts.total_s",
        AlertLongestS => "alerts.longest_s",
        AgentHours => "agents.agent_hours",
        SurgeCallIns => "surge.call_ins",
        SurgeAgentHours => "surge.agent_hours",
        CostTotal => "cost.total",
        CostPerContact => "cost.per_contact",
        Censored => "censored",
        DaysMeetShare => "days.meet_share",
        DaysWorstServiceLevel => "days.worst_service_level",
        DaysWorstAbandonRate => "days.worst_abandon_rate",
        AbsentAgentHours => "agents.absent_hours",
    }
}

impl TotalMetric {
    /// Whether `summary.json` lists it before the human-class blocks.
    fn before_classes(self) -> bool {
        self.index() <= TotalMetric::BotContainment.index()
    }

    /// Whether scenario `m` has the metric (surge and cost metrics only where it has them).
    pub fn present_in(self, m: &Model) -> bool {
        let q = &m.customers.queue;
        match self {
            TotalMetric::QueueFull => q.max_waiting.is_some(),
            TotalMetric::QueueRefused => q.max_in_system.is_some(),
            TotalMetric::QueueBalked => !q.balk.is_never(),
            TotalMetric::QueueTimedOut => q.max_wait_s.is_some(),
            TotalMetric::QueueClosed => q.on_close != crate::model::customers::OnClose::Keep,
            TotalMetric::RetrialsScheduled
            | TotalMetric::RetrialsOffered
            | TotalMetric::RetrialsFirstAttemptServiceLevel
            | TotalMetric::RetrialsAnyAttemptServiceLevel => m.customers.retrials.is_some(),
            TotalMetric::SurgeCallIns | TotalMetric::SurgeAgentHours => !m.surges.is_empty(),
            TotalMetric::CostTotal | TotalMetric::CostPerContact => m.costs.is_some(),
            TotalMetric::DaysMeetShare
            | TotalMetric::DaysWorstServiceLevel
            | TotalMetric::DaysWorstAbandonRate => m.reports_days(),
            TotalMetric::AbsentAgentHours => m.has_absence(),
            // Only a bot with limited sessions has them (else summary.json stays as it was).
            TotalMetric::BotSessionWaited
            | TotalMetric::BotSessionMeanWaitS
            | TotalMetric::BotFullToAgents => m.bot.is_some() && m.bot_controls.sessions.is_some(),
            _ => true,
        }
    }
}

/// `human.<metric>`: a human metric without a class means all contacts offered to agents.
impl From<HumanMetric> for Metric {
    fn from(k: HumanMetric) -> Metric {
        Metric::human(k)
    }
}

impl From<TotalMetric> for Metric {
    fn from(t: TotalMetric) -> Metric {
        Metric::Total(t)
    }
}

/// The prefixes of the class blocks in `summary.json`.
const HUMAN_PREFIX: &str = "human";
const CATEGORY_PREFIX: &str = "by_category";
const PRIORITY_PREFIX: &str = "by_priority";

impl Metric {
    /// `human.<metric>`.
    pub const fn human(k: HumanMetric) -> Metric {
        Metric::Human(HumanClass::All, k)
    }

    /// Every metric of scenario `m`, in the order `summary.json` lists them.
    pub fn all(m: &Model) -> Vec<Metric> {
        let totals = |before: bool| {
            TotalMetric::ALL
                .iter()
                .copied()
                .filter(move |t| t.before_classes() == before && t.present_in(m))
                .map(Metric::Total)
        };
        let classes = std::iter::once(HumanClass::All)
            .chain((0..m.categories.len()).map(HumanClass::Category))
            .chain(Priority::ALL.iter().copied().map(HumanClass::Priority));
        totals(true)
            .chain(classes.flat_map(|c| HumanMetric::ALL.iter().map(move |k| Metric::Human(c, *k))))
            .chain(totals(false))
            .collect()
    }

    /// The path in `summary.json` (`["by_category", "<name>", "offered"]`); `categories` are
    /// the category names in scenario order (`None` for a category index beyond them).
    pub fn path(self, categories: &[String]) -> Option<Vec<&str>> {
        Some(match self {
            Metric::Total(t) => t.name().split('.').collect(),
            Metric::Human(HumanClass::All, k) => vec![HUMAN_PREFIX, k.name()],
            Metric::Human(HumanClass::Category(c), k) => {
                vec![CATEGORY_PREFIX, categories.get(c)?.as_str(), k.name()]
            }
            Metric::Human(HumanClass::Priority(p), k) => vec![PRIORITY_PREFIX, p.name(), k.name()],
        })
    }

    /// The dotted name (`human.service_level`), as in `sweep.csv` and `compare.json`.
    pub fn name(self, categories: &[String]) -> Option<String> {
        self.path(categories).map(|p| p.join("."))
    }

    /// The metric of a dotted name (categories named as in `categories`).
    pub fn parse(name: &str, categories: &[String]) -> Option<Metric> {
        if let Some(t) = TotalMetric::parse(name) {
            return Some(Metric::Total(t));
        }
        // Human metric names hold no dot; a category name may.
        let (class, metric) = name.rsplit_once('.')?;
        let k = HumanMetric::parse(metric)?;
        let class = if class == HUMAN_PREFIX {
            HumanClass::All
        } else if let Some(c) = class
            .strip_prefix(CATEGORY_PREFIX)
            .and_then(|c| c.strip_prefix('.'))
        {
            HumanClass::Category(categories.iter().position(|n| n == c)?)
        } else {
            let p = class.strip_prefix(PRIORITY_PREFIX)?.strip_prefix('.')?;
            HumanClass::Priority(Priority::parse(p)?)
        };
        Some(Metric::Human(class, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn names(m: &Model) -> Vec<String> {
        let cats: Vec<String> = m.categories.iter().map(|c| c.name.clone()).collect();
        Metric::all(m)
            .into_iter()
            .map(|k| k.name(&cats).unwrap())
            .collect()
    }

    #[test]
    fn leaf_tables_round_trip_and_are_unique() {
        for (i, k) in HumanMetric::ALL.iter().enumerate() {
            assert_eq!(HumanMetric::parse(k.name()), Some(*k));
            assert_eq!(k.index(), i);
            assert!(!k.name().contains('.'), "{}", k.name());
        }
        for (i, t) in TotalMetric::ALL.iter().enumerate() {
            assert_eq!(TotalMetric::parse(t.name()), Some(*t));
            assert_eq!(t.index(), i);
        }
        for (i, p) in Priority::ALL.iter().enumerate() {
            assert_eq!(Priority::parse(p.name()), Some(*p));
            assert_eq!(p.index(), i);
        }
        let human: HashSet<_> = HumanMetric::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(human.len(), HumanMetric::COUNT);
        let total: HashSet<_> = TotalMetric::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(total.len(), TotalMetric::COUNT);
        assert_eq!(HumanMetric::parse("service-level"), None);
    }

    #[test]
    fn every_metric_of_a_scenario_round_trips_through_its_name() {
        // Category names with a dot and one that looks like a prefix must not confuse parsing.
        let mut m = crate::scenario::load_str(
            crate::scenario::DEFAULT_SCENARIO,
            "d",
            std::path::Path::new("."),
        )
        .unwrap()
        .model;
        m.categories[0].name = "human".into();
        if m.categories.len() > 1 {
            m.categories[1].name = "a.b.offered".into();
        }
        let cats: Vec<String> = m.categories.iter().map(|c| c.name.clone()).collect();
        let all = Metric::all(&m);
        let unique: HashSet<String> = names(&m).into_iter().collect();
        assert_eq!(unique.len(), all.len(), "names are unique");
        for k in &all {
            let name = k.name(&cats).unwrap();
            assert_eq!(Metric::parse(&name, &cats), Some(*k), "{name}");
        }
        assert_eq!(Metric::parse("human.no_such_metric", &cats), None);
        assert_eq!(Metric::parse("by_category.nope.offered", &cats), None);
        assert_eq!(Metric::parse("by_priority.gold.offered", &cats), None);
        assert_eq!(
            Metric::Human(HumanClass::Category(99), HumanMetric::Offered).name(&cats),
            None
        );
    }

    #[test]
    fn optional_blocks_follow_the_scenario() {
        let m = crate::scenario::load_str(
            crate::scenario::DEFAULT_SCENARIO,
            "d",
            std::path::Path::new("."),
        )
        .unwrap()
        .model;
        let expected = HumanMetric::COUNT * (m.categories.len() + 3)
            + TotalMetric::ALL.iter().filter(|t| t.present_in(&m)).count();
        assert_eq!(Metric::all(&m).len(), expected);
        let has = |t| Metric::all(&m).contains(&Metric::Total(t));
        assert_eq!(has(TotalMetric::CostTotal), m.costs.is_some());
        assert_eq!(has(TotalMetric::SurgeCallIns), !m.surges.is_empty());
        assert!(has(TotalMetric::Censored));
    }
}
