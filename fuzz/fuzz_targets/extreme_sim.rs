//! Valid-but-extreme scenarios simulated end to end on a small horizon: no panic, no NaN,
//! finite time (libFuzzer's -timeout catches a hang).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu::fuzzing::extreme_sim(data);
});
