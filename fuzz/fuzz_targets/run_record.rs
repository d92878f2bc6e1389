//! `kefu run --from run.json`: arbitrary run.json bytes give a scenario to re-run or an input
//! error, never a panic (`kefu::fuzzing::run_record`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu::fuzzing::run_record(data);
});
