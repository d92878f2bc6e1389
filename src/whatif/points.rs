//! The scenarios of a sweep's points: the base text with each point's values set, validated.

use super::edit::{self, fmt_value, SetSpec};
use crate::scenario;
use std::path::Path;

/// A scenario with the point's values set, validated.
pub fn point_model(
    text: &str,
    origin: &str,
    base_dir: &Path,
    keys: &[SetSpec],
    values: &[f64],
) -> Result<(scenario::Loaded, Vec<String>), String> {
    let sets: Vec<(String, f64)> = keys
        .iter()
        .zip(values)
        .map(|(k, v)| (k.key.clone(), *v))
        .collect();
    let label = sets
        .iter()
        .map(|(k, v)| format!("{k}={}", fmt_value(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let (edited, notes) = edit::apply(text, &sets).map_err(|e| e.to_string())?;
    let loaded = scenario::load_str(&edited, &format!("{origin} [{label}]"), base_dir)
        .map_err(|e| e.to_string())?;
    Ok((loaded, notes))
}
