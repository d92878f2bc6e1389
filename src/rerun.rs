//! `kefu run --from output/X/run.json`: re-runs a recorded run from what `run.json` holds
//! (scenario text, the CSV files it read, seed, replications), so the numbers come out the
//! same, with no need for the original files.

use crate::app::{sha256_hex, Failure};
use crate::cli::RunArgs;
use crate::scenario::{self, Loaded};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The `run.json` fields that let a run be reproduced.
pub fn record(loaded: &Loaded) -> Value {
    let files: serde_json::Map<String, Value> = loaded
        .files
        .iter()
        .map(|(name, bytes)| {
            // A CSV that loaded is UTF-8 (its comment lines aside, which are not read).
            let text = String::from_utf8_lossy(bytes);
            (
                name.clone(),
                serde_json::json!({"sha256": sha256_bytes(text.as_bytes()), "text": text}),
            )
        })
        .collect();
    Value::Object(files)
}

fn sha256_bytes(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The git revision kefu was built from, when known.
pub fn git_revision() -> Option<&'static str> {
    option_env!("KEFU_GIT_REVISION")
}

/// Reads `run.json` and returns the scenario it recorded and the run arguments to use:
/// seed and replications from the record unless given on the command line; the output
/// folder `output/<stem>-rerun/` unless `--out` is given.
pub fn prepare(from: &Path, mut args: RunArgs) -> Result<(Loaded, RunArgs), Failure> {
    let bad = |why: String| Failure::Input(format!("cannot re-run from {}: {why}", from.display()));
    let text = std::fs::read_to_string(from).map_err(|e| bad(e.to_string()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let get_str = |k: &str| v.get(k).and_then(Value::as_str);
    let scenario_text = get_str("scenario_text")
        .ok_or_else(|| bad("it has no `scenario_text` (written by an older kefu?)".into()))?;
    if let Some(h) = get_str("scenario_sha256") {
        if h != sha256_hex(scenario_text) {
            return Err(bad(
                "`scenario_text` does not match `scenario_sha256`: the record was edited".into(),
            ));
        }
    }
    let mut files = Vec::new();
    if let Some(obj) = v.get("files").and_then(Value::as_object) {
        for (name, f) in obj {
            let body = f
                .get("text")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("files.{name} has no text")))?;
            if f.get("sha256").and_then(Value::as_str) != Some(&sha256_bytes(body.as_bytes())) {
                return Err(bad(format!(
                    "files.{name} does not match its sha256: the record was edited"
                )));
            }
            files.push((name.clone(), body.as_bytes().to_vec()));
        }
    }
    let origin = get_str("scenario_file")
        .map(|f| format!("{f} (recorded in {})", from.display()))
        .unwrap_or_else(|| format!("scenario recorded in {}", from.display()));
    let loaded = scenario::load_str_with_files(scenario_text, &origin, files)
        .map_err(|e| Failure::Input(e.to_string()))?;
    if args.seed.is_none() {
        args.seed = v.get("seed").and_then(Value::as_u64);
    }
    if args.replications.is_none() {
        args.replications = v
            .get("replications")
            .and_then(Value::as_u64)
            .and_then(|r| u32::try_from(r).ok())
            .map(crate::cli::Replications::Count);
    }
    if args.out.is_none() {
        let stem = get_str("scenario_file")
            .and_then(|f| Path::new(f).file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "default".into());
        args.out = Some(PathBuf::from("output").join(format!("{stem}-rerun")));
    }
    if let Some(rev) = get_str("git_revision") {
        if Some(rev) != git_revision() {
            crate::app::warn(&format!(
                "warning: the run was recorded by kefu at revision {rev}, this is {}; numbers may differ if the engine changed",
                git_revision().unwrap_or("an unknown revision")
            ));
        }
    }
    Ok((loaded, args))
}
