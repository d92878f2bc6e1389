//! `run.json`: the provenance of a run, written by `kefu run` and read back by
//! `kefu run --from` through the same type, so what is written is what can be re-run.

use crate::scenario::Loaded;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What `run.json` says to do with it.
pub const RERUN_HINT: &str = "kefu run --from <this run.json> reproduces summary.json";

/// The whole of `run.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub scenario: String,
    #[serde(default)]
    pub scenario_file: Option<String>,
    /// SHA-256 of `scenario_text`: a record whose text was edited is refused.
    pub scenario_sha256: String,
    pub seed: u64,
    pub replications: u32,
    #[serde(default)]
    pub threads: usize,
    #[serde(default)]
    pub kefu_version: String,
    #[serde(default)]
    pub git_revision: Option<String>,
    #[serde(default)]
    pub command: Vec<String>,
    /// Peak resident memory in MiB, one decimal.
    #[serde(default)]
    pub peak_memory_mb: Option<f64>,
    #[serde(default)]
    pub wall_time_s: f64,
    #[serde(default)]
    pub charts_s: Option<f64>,
    #[serde(default)]
    pub contacts_simulated: u64,
    #[serde(default)]
    pub events: u64,
    #[serde(default)]
    pub contacts_per_second: f64,
    #[serde(default)]
    pub trace: Option<TraceRecord>,
    /// Peak resident memory in MiB, unrounded.
    #[serde(default)]
    pub peak_rss_mb: Option<f64>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub scenario_text: String,
    /// Every CSV the scenario read, by the name the scenario gives it.
    #[serde(default)]
    pub files: BTreeMap<String, RecordedFile>,
    #[serde(default)]
    pub rerun: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications_auto: Option<AutoRecord>,
}

/// A per-contact trace written beside the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceRecord {
    pub file: String,
    pub rows: u64,
    pub replications: u32,
}

/// A CSV file the scenario read, kept whole.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedFile {
    pub sha256: String,
    pub text: String,
}

/// How `--replications auto` ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AutoRecord {
    pub precision: f64,
    pub max_replications: u32,
    pub replications: u32,
    pub service_level_ci95: Option<f64>,
    pub converged: bool,
}

/// The recorded CSV files of a loaded scenario.
pub fn recorded_files(loaded: &Loaded) -> BTreeMap<String, RecordedFile> {
    loaded
        .files
        .iter()
        .map(|(name, bytes)| {
            // A CSV that loaded is UTF-8 (its comment lines aside, which are not read).
            let text = String::from_utf8_lossy(bytes).into_owned();
            let sha256 = crate::provenance::sha256_hex(text.as_bytes());
            (name.clone(), RecordedFile { sha256, text })
        })
        .collect()
}

/// Why a record cannot be re-run.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not a run.json kefu can re-run: {0}")]
    Json(#[from] serde_json::Error),
    #[error("`scenario_text` does not match `scenario_sha256`: the record was edited")]
    ScenarioEdited,
    #[error("files.{0} does not match its sha256: the record was edited")]
    FileEdited(String),
    #[error("`replications` is {0}: a run has at least 1 replication")]
    NoReplications(u32),
}

/// Largest `run.json` read back, in bytes (it holds the scenario and its CSV files).
pub const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

impl RunRecord {
    /// Parses and checks a record: every hash matches, the replication count is sane.
    pub fn parse(text: &str) -> Result<Self, RecordError> {
        let r: RunRecord = serde_json::from_str(text)?;
        if r.scenario_sha256 != crate::provenance::sha256_hex(r.scenario_text.as_bytes()) {
            return Err(RecordError::ScenarioEdited);
        }
        for (name, f) in &r.files {
            if f.sha256 != crate::provenance::sha256_hex(f.text.as_bytes()) {
                return Err(RecordError::FileEdited(name.clone()));
            }
        }
        if r.replications == 0 {
            return Err(RecordError::NoReplications(0));
        }
        Ok(r)
    }

    /// The recorded scenario, loaded with the recorded CSV files (no file is read).
    pub fn load_scenario(&self, origin: &str) -> Result<Loaded, crate::scenario::ScenarioError> {
        let files = self
            .files
            .iter()
            .map(|(name, f)| (name.clone(), f.text.as_bytes().to_vec()))
            .collect();
        crate::scenario::load_str_with_files(&self.scenario_text, origin, files)
    }

    /// The JSON text written to `run.json`.
    pub fn to_text(&self) -> String {
        crate::report::json::to_text(&serde_json::to_value(self).expect("a record serialises"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> RunRecord {
        let text = "name = \"x\"\n".to_string();
        RunRecord::parse(
            &serde_json::json!({
                "scenario": "x", "scenario_sha256": crate::provenance::sha256_hex(text.as_bytes()),
                "seed": 7, "replications": 3, "scenario_text": text,
            })
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn a_record_round_trips_through_its_text() {
        let r = record();
        let back = RunRecord::parse(&r.to_text()).unwrap();
        assert_eq!((back.seed, back.replications), (7, 3));
        assert_eq!(back.to_text(), r.to_text());
    }

    #[test]
    fn edited_or_broken_records_are_refused() {
        let good = serde_json::to_value(record()).unwrap();
        let with = |k: &str, v: serde_json::Value| {
            let mut x = good.clone();
            x[k] = v;
            RunRecord::parse(&x.to_string())
        };
        assert!(matches!(
            with("scenario_text", "name = \"y\"".into()),
            Err(RecordError::ScenarioEdited)
        ));
        assert!(matches!(
            with("replications", 0.into()),
            Err(RecordError::NoReplications(0))
        ));
        assert!(matches!(
            with("seed", "7".into()),
            Err(RecordError::Json(_))
        ));
        let mut no_hash = good.clone();
        no_hash.as_object_mut().unwrap().remove("scenario_sha256");
        assert!(RunRecord::parse(&no_hash.to_string()).is_err());
    }
}
