//! What-if analysis: `kefu compare` (two scenarios on common random numbers, differences with
//! paired confidence intervals), `kefu sweep` (a grid of one or two keys), `--shard`/`kefu
//! merge` (a grid spread over machines) and `--replications auto`. See `docs/whatif.md`.

pub mod compare;
pub mod edit;
pub mod points;
pub mod sweep;
