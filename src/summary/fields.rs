//! The per-interval quantities as typed fields: [`IntervalField`] (the `intervals.csv`
//! columns) and [`ClassField`] (the `intervals_by_class.csv` columns), each with one name
//! table and one definition of its value ([`interval_values`], [`class_values`]), and rows
//! of values indexed by field ([`IntervalRow`], [`ClassRow`]) instead of by position in a
//! bare array.

use super::metric::named_enum;
use super::ratio;
use crate::model::Model;
use crate::stats::{ClassInterval, IntervalStats};

named_enum! {
    /// The per-interval columns, each averaged over replications, in `intervals.csv` order
    /// (the contract's columns first, up to [`IntervalField::AgentsOnDuty`]).
    IntervalField {
        Arrivals => "arrivals",
        BotResolved => "bot_resolved",
        Offered => "offered",
        Answered => "answered",
        AnsweredWithinTarget => "answered_within_target",
        Abandoned => "abandoned",
        Tickets => "tickets",
        ServiceLevel => "service_level",
        MeanWaitS => "mean_wait_s",
        MaxWaiting => "max_waiting",
        AgentsOnDuty => "agents_on_duty",
        Returns => "returns",
        MeanWaiting => "mean_waiting",
        Occupancy => "occupancy",
        SurgeAgents => "surge_agents",
        AlertMinutes => "alert_minutes",
        AbandonRate => "abandon_rate",
        ServiceLevelAnswered => "service_level_answered",
        TicketsWorked => "tickets_worked",
    }
}

impl IntervalField {
    /// Whether `intervals.csv` has the column: `tickets_worked` feeds the report's ticket
    /// backlog only, so that the file stays as it was.
    pub fn in_csv(self) -> bool {
        self != IntervalField::TicketsWorked
    }

    /// Whether the column is one of the contract's (kefu's extras follow them).
    pub fn in_contract(self) -> bool {
        self.index() <= IntervalField::AgentsOnDuty.index()
    }
}

named_enum! {
    /// The columns of each class per interval, in `intervals_by_class.csv` order.
    ClassField {
        Offered => "offered",
        Answered => "answered",
        AnsweredWithinTarget => "answered_within_target",
        Abandoned => "abandoned",
        ServiceLevel => "service_level",
        MeanWaitS => "mean_wait_s",
    }
}

/// Defines a row type: one value per variant of a field enum, indexed by the variant.
macro_rules! field_row {
    ($(#[$doc:meta])* $row:ident, $field:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        pub struct $row<T>([T; $field::COUNT]);

        impl<T> $row<T> {
            /// The row whose value for field `f` is `value(f)`.
            pub fn from_fn(mut value: impl FnMut($field) -> T) -> Self {
                $row(std::array::from_fn(|i| value($field::ALL[i])))
            }

            /// The values in field order.
            pub fn iter(&self) -> std::slice::Iter<'_, T> {
                self.0.iter()
            }

            pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
                self.0.iter_mut()
            }

            /// `(field, value)` in field order.
            pub fn entries(&self) -> impl Iterator<Item = ($field, &T)> {
                $field::ALL.iter().copied().zip(self.0.iter())
            }
        }

        impl<T> std::ops::Index<$field> for $row<T> {
            type Output = T;
            fn index(&self, f: $field) -> &T {
                &self.0[f.index()]
            }
        }

        impl<T> std::ops::IndexMut<$field> for $row<T> {
            fn index_mut(&mut self, f: $field) -> &mut T {
                &mut self.0[f.index()]
            }
        }

        impl<'a, T> IntoIterator for &'a $row<T> {
            type Item = &'a T;
            type IntoIter = std::slice::Iter<'a, T>;
            fn into_iter(self) -> Self::IntoIter {
                self.0.iter()
            }
        }

        impl<'a, T> IntoIterator for &'a mut $row<T> {
            type Item = &'a mut T;
            type IntoIter = std::slice::IterMut<'a, T>;
            fn into_iter(self) -> Self::IntoIter {
                self.0.iter_mut()
            }
        }

        impl<T> IntoIterator for $row<T> {
            type Item = T;
            type IntoIter = std::array::IntoIter<T, { $field::COUNT }>;
            fn into_iter(self) -> Self::IntoIter {
                self.0.into_iter()
            }
        }
    };
}

field_row! {
    /// One value per [`IntervalField`].
    IntervalRow, IntervalField
}

field_row! {
    /// One value per [`ClassField`].
    ClassRow, ClassField
}

/// The values of the [`IntervalField`]s of interval `i` of one replication.
pub fn interval_values(m: &Model, i: usize, iv: &IntervalStats) -> IntervalRow<Option<f64>> {
    let len =
        (m.run.interval_start(i + 1).min(m.run.counted_to) - m.run.interval_start(i)).max(1e-9);
    IntervalRow::from_fn(|f| match f {
        IntervalField::Arrivals => Some(iv.arrivals as f64),
        IntervalField::BotResolved => Some(iv.bot_resolved as f64),
        IntervalField::Offered => Some(iv.offered as f64),
        IntervalField::Answered => Some(iv.answered as f64),
        IntervalField::AnsweredWithinTarget => Some(iv.answered_within_target as f64),
        IntervalField::Abandoned => Some(iv.abandoned as f64),
        IntervalField::Tickets => Some(iv.tickets as f64),
        IntervalField::ServiceLevel => ratio(iv.answered_within_target as f64, iv.offered as f64),
        IntervalField::MeanWaitS => ratio(iv.wait_sum_s, iv.answered as f64),
        IntervalField::MaxWaiting => Some(iv.max_waiting as f64),
        IntervalField::AgentsOnDuty => Some(iv.headcount_area / len),
        IntervalField::Returns => Some(iv.returns as f64),
        IntervalField::MeanWaiting => Some(iv.waiting_area / len),
        IntervalField::Occupancy => ratio(iv.busy_area, iv.slot_area),
        IntervalField::SurgeAgents => Some(iv.surge_area / len),
        IntervalField::AlertMinutes => Some(iv.alert_s / 60.0),
        IntervalField::AbandonRate => ratio(iv.abandoned as f64, iv.offered as f64),
        IntervalField::ServiceLevelAnswered => {
            ratio(iv.answered_within_target as f64, iv.answered as f64)
        }
        IntervalField::TicketsWorked => Some(iv.tickets_worked as f64),
    })
}

/// The values of the [`ClassField`]s of one class in one interval of one replication.
pub fn class_values(ci: &ClassInterval) -> ClassRow<Option<f64>> {
    ClassRow::from_fn(|f| match f {
        ClassField::Offered => Some(ci.offered as f64),
        ClassField::Answered => Some(ci.answered as f64),
        ClassField::AnsweredWithinTarget => Some(ci.answered_within_target as f64),
        ClassField::Abandoned => Some(ci.abandoned as f64),
        ClassField::ServiceLevel => ratio(ci.answered_within_target as f64, ci.offered as f64),
        ClassField::MeanWaitS => ratio(ci.wait_sum_s, ci.answered as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn field_names_round_trip_and_are_unique() {
        for (i, f) in IntervalField::ALL.iter().enumerate() {
            assert_eq!(IntervalField::parse(f.name()), Some(*f));
            assert_eq!(f.index(), i);
        }
        for (i, f) in ClassField::ALL.iter().enumerate() {
            assert_eq!(ClassField::parse(f.name()), Some(*f));
            assert_eq!(f.index(), i);
        }
        let names: HashSet<_> = IntervalField::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), IntervalField::COUNT);
        let names: HashSet<_> = ClassField::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), ClassField::COUNT);
        assert_eq!(IntervalField::parse("service_level_ci95"), None);
    }

    #[test]
    fn rows_are_indexed_by_field() {
        let row = IntervalRow::from_fn(|f| f.name().len());
        for (f, v) in row.entries() {
            assert_eq!(row[f], f.name().len());
            assert_eq!(*v, f.name().len());
        }
        let mut row = ClassRow::<u32>::default();
        row[ClassField::ServiceLevel] = 7;
        assert_eq!(
            row.iter().position(|v| *v == 7),
            Some(ClassField::ServiceLevel.index())
        );
    }

    #[test]
    fn contract_columns_come_first_as_the_contract_lists_them() {
        // scenario-format.md, `intervals.csv`: these columns, in this order, after `start`.
        const CONTRACT: [&str; 11] = [
            "arrivals",
            "bot_resolved",
            "offered",
            "answered",
            "answered_within_target",
            "abandoned",
            "tickets",
            "service_level",
            "mean_wait_s",
            "max_waiting",
            "agents_on_duty",
        ];
        let contract: Vec<&str> = IntervalField::ALL
            .iter()
            .filter(|f| f.in_contract())
            .map(|f| f.name())
            .collect();
        assert_eq!(contract, CONTRACT);
        let first_extra = IntervalField::ALL.iter().position(|f| !f.in_contract());
        assert_eq!(
            first_extra,
            Some(CONTRACT.len()),
            "no contract column after an extra"
        );
    }
}
