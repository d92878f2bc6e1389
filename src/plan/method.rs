//! The staffing methods the planner compares ([`PlanMethod`]), with their one name table:
//! the `method` strings of `plan.json` and the `sl_<method>` columns of `plan_intervals.csv`.

use super::PoolPlan;
use crate::summary::metric::named_enum;

named_enum! {
    /// A way to staff a pool, in the order the planner verifies them and the files list them.
    PlanMethod {
        SippErlangC => "sipp_erlang_c",
        SippErlangA => "sipp_erlang_a",
        Simulated => "simulated",
        Plan => "plan",
    }
}

impl PlanMethod {
    /// The productive agents per interval this method asks for in one pool.
    pub fn staffing(self, p: &PoolPlan) -> &Vec<u32> {
        match self {
            PlanMethod::SippErlangC => &p.sipp_erlang_c,
            PlanMethod::SippErlangA => &p.sipp_erlang_a,
            PlanMethod::Simulated => &p.simulated,
            PlanMethod::Plan => &p.planned,
        }
    }

    /// The column of its achieved service level in `plan_intervals.csv`.
    pub fn sl_column(self) -> String {
        format!("sl_{}", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_round_trip_and_are_unique() {
        for (i, k) in PlanMethod::ALL.iter().enumerate() {
            assert_eq!(PlanMethod::parse(k.name()), Some(*k));
            assert_eq!(k.index(), i);
        }
        let names: HashSet<_> = PlanMethod::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), PlanMethod::COUNT);
        assert_eq!(PlanMethod::parse("Plan"), None);
    }

    #[test]
    fn sl_columns_are_the_contract_columns() {
        // `plan_intervals.csv` as shipped: one `sl_<method>` column per method, in this order.
        let columns: Vec<String> = PlanMethod::ALL.iter().map(|k| k.sl_column()).collect();
        assert_eq!(
            columns,
            [
                "sl_sipp_erlang_c",
                "sl_sipp_erlang_a",
                "sl_simulated",
                "sl_plan"
            ]
        );
    }
}
