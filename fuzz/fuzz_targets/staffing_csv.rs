//! A pool's `staffing_csv` file: any bytes give a staffing table or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu::fuzzing::staffing_csv(data);
});
