//! Calendar arithmetic: simulation time `[s]` since the simulation origin, mapped to civil
//! date/time without time zones (the contract has none).

/// Seconds in a day.
pub const DAY_S: f64 = 86_400.0;
/// Seconds in an hour.
pub const HOUR_S: f64 = 3_600.0;

/// Days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// Number of days in a month.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Maps simulation time to the calendar. The origin is the first simulated instant
/// (the scenario's `start` minus its warm-up), in whole seconds since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calendar {
    /// Epoch second of simulation time 0.
    pub origin_epoch_s: i64,
}

impl Calendar {
    /// Epoch seconds (fractional) of a simulation instant.
    #[inline]
    pub fn epoch_s(&self, t: f64) -> f64 {
        self.origin_epoch_s as f64 + t
    }

    /// Hour of day 0..=23 at a simulation instant.
    #[inline]
    pub fn hour_of_day(&self, t: f64) -> usize {
        let s = self.epoch_s(t).rem_euclid(DAY_S);
        ((s / HOUR_S) as usize).min(23)
    }

    /// Weekday 0 = Monday .. 6 = Sunday at a simulation instant.
    #[inline]
    pub fn weekday(&self, t: f64) -> usize {
        let day = (self.epoch_s(t) / DAY_S).floor() as i64;
        // 1970-01-01 was a Thursday (index 3).
        (day + 3).rem_euclid(7) as usize
    }

    /// Seconds since local midnight at a simulation instant.
    #[inline]
    pub fn second_of_day(&self, t: f64) -> f64 {
        self.epoch_s(t).rem_euclid(DAY_S)
    }

    /// Simulation time of the local midnight at or before `t`.
    #[inline]
    pub fn midnight_before(&self, t: f64) -> f64 {
        t - self.second_of_day(t)
    }

    /// `YYYY-MM-DDTHH:MM` of a simulation instant (rounded down to the minute).
    pub fn format_minute(&self, t: f64) -> String {
        let epoch = (self.epoch_s(t) + 1e-6).floor() as i64;
        let (y, m, d) = civil_from_days(epoch.div_euclid(86_400));
        let sod = epoch.rem_euclid(86_400);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}",
            sod / 3600,
            (sod % 3600) / 60
        )
    }

    /// `MM-DD HH:MM`, the short tick label used on charts.
    pub fn format_short(&self, t: f64) -> String {
        let full = self.format_minute(t);
        format!("{} {}", &full[5..10], &full[11..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_weekday() {
        for z in [-1000, 0, 365, 19_000, 20_768, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        // 2026-01-05 is a Monday; 2026-11-11 a Wednesday.
        let cal = Calendar {
            origin_epoch_s: days_from_civil(2026, 1, 5) * 86_400,
        };
        assert_eq!(cal.weekday(0.0), 0);
        let cal = Calendar {
            origin_epoch_s: days_from_civil(2026, 11, 11) * 86_400,
        };
        assert_eq!(cal.weekday(0.0), 2);
        assert_eq!(cal.format_minute(20.0 * 3600.0 + 59.0), "2026-11-11T20:00");
        assert_eq!(cal.format_short(3600.0 * 25.0), "11-12 01:00");
        assert_eq!(days_in_month(2028, 2), 29);
    }
}
