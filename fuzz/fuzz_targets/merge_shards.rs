//! `kefu merge`: arbitrary sweep.json/sweep.csv shard contents (split at NUL bytes) give a
//! merged sweep or an error, never a panic (`kefu::fuzzing::merge_shards`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kefu::fuzzing::merge_shards(data);
});
