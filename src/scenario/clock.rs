//! Calendar text formats used in scenarios and their CSV files: `YYYY-MM-DDTHH:MM[:SS]`
//! instants and `"HH:MM"` times of day, parsed strictly (no time zones).

use std::ops::Range;

use crate::model::time::{days_from_civil, days_in_month};

/// Epoch seconds of a civil date-time, if the date exists.
pub(crate) fn civil_epoch(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(y, mo)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..60).contains(&s)
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (also with a space for `T`) as epoch seconds.
pub(crate) fn parse_local_datetime(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if !(b.len() == 16 || b.len() == 19)
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
    {
        return None;
    }
    let num = |r: Range<usize>| -> Option<i64> {
        let part = &b[r];
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |a, &c| a * 10 + (c - b'0') as i64))
    };
    let sec = if b.len() == 19 {
        if b[16] != b':' {
            return None;
        }
        num(17..19)?
    } else {
        0
    };
    civil_epoch(
        num(0..4)?,
        num(5..7)? as u32,
        num(8..10)? as u32,
        num(11..13)?,
        num(14..16)?,
        sec,
    )
}

/// `YYYY-MM-DDTHH:MM` of epoch seconds.
pub(crate) fn format_epoch(e: i64) -> String {
    let (y, m, d) = crate::model::time::civil_from_days(e.div_euclid(86_400));
    let sod = e.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}",
        sod / 3600,
        (sod % 3600) / 60
    )
}

/// `"HH:MM"` (two digits each, 00:00–23:59) as seconds after midnight.
pub(crate) fn parse_time_of_day(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
    {
        return None;
    }
    let h = ((b[0] - b'0') * 10 + (b[1] - b'0')) as u32;
    let m = ((b[3] - b'0') * 10 + (b[4] - b'0')) as u32;
    (h < 24 && m < 60).then(|| (h * 3600 + m * 60) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_strict() {
        assert_eq!(parse_time_of_day("08:30"), Some(30_600.0));
        assert_eq!(parse_time_of_day("00:00"), Some(0.0));
        for bad in ["25:00", "8:00", "8:00pm", "24:00", "12:60", "", "12-30"] {
            assert_eq!(parse_time_of_day(bad), None, "{bad}");
        }
        let base = days_from_civil(2026, 11, 11) * 86_400;
        assert_eq!(
            parse_local_datetime("2026-11-11T20:00"),
            Some(base + 72_000)
        );
        assert_eq!(
            parse_local_datetime("2026-11-11T20:00:30"),
            Some(base + 72_030)
        );
        assert_eq!(parse_local_datetime("2026-02-30T20:00"), None);
        assert_eq!(parse_local_datetime("2026-11-11"), None);
    }
}
