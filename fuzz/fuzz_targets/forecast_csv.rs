//! `arrivals.forecast_csv`: any bytes give a forecast or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu::fuzzing::forecast_csv(data);
});
