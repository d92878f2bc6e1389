//! `kefu calibrate`'s records CSV: any bytes give a calibration whose written scenario loads,
//! or a clear error (`kefu::fuzzing::records_csv`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu::fuzzing::records_csv(data);
});
