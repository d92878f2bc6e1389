//! Numbers and text for people and files: compact counts, durations and sizes for messages,
//! numbers for CSV (fields are quoted by [`crate::escape::csv_field`]).

/// `1234567` → `"1.2 M"`.
pub fn human_count(x: f64) -> String {
    match x {
        x if !x.is_finite() => "an unbounded number of".into(),
        x if x >= 1e12 => format!("{x:.1e}"),
        x if x >= 1e9 => format!("{:.1} G", x / 1e9),
        x if x >= 1e6 => format!("{:.1} M", x / 1e6),
        x if x >= 1e4 => format!("{:.0} k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

/// `4000.0` → `"1 h 6 min"`.
pub fn human_duration(s: f64) -> String {
    if !s.is_finite() || s > 1e12 {
        return "forever".into();
    }
    let s = s.round() as u64;
    match s {
        0..=119 => format!("{s} s"),
        120..=3599 => format!("{} min", s / 60),
        3600..=172_799 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} days", s / 86_400),
    }
}

/// Bytes as MiB or GiB: `"340 MiB"`, `"9.8 GiB"`.
pub fn human_bytes(b: f64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    match b {
        b if !b.is_finite() => "unbounded memory".into(),
        b if b >= 1024.0 * MIB => format!("{:.1} GiB", b / (1024.0 * MIB)),
        b => format!("{:.0} MiB", (b / MIB).max(1.0)),
    }
}

/// A number with at most 4 decimals and no trailing zeros; empty when undefined.
pub fn fmt_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.to_string()
            }
        }
        _ => String::new(),
    }
}

/// Puts a JSON value under `path` (`["human", "service_level"]`), making the parent objects.
pub fn insert(
    root: &mut serde_json::Map<String, serde_json::Value>,
    path: &[&str],
    v: serde_json::Value,
) {
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut node = root;
    for p in parents {
        node = node
            .entry(p.to_string())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()))
            .as_object_mut()
            .expect("metric paths do not clash");
    }
    node.insert(last.to_string(), v);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_counts_and_sizes_read_well() {
        assert_eq!(human_duration(59.4), "59 s");
        assert_eq!(human_duration(4000.0), "1 h 6 min");
        assert_eq!(human_duration(f64::INFINITY), "forever");
        assert_eq!(human_count(1_234_567.0), "1.2 M");
        assert_eq!(human_count(999.0), "999");
        assert_eq!(human_count(1e308), "1.0e308");
        assert_eq!(human_bytes(9.8 * 1024f64.powi(3)), "9.8 GiB");
        assert_eq!(human_bytes(10.0), "1 MiB");
    }
}
