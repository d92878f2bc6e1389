//! Scenario TOML text → `scenario::load_str_with_files`: any bytes give a model or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu::fuzzing::scenario_text(data);
});
