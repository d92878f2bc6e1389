//! TEMPORARY stub until the scenario loader lands.
use crate::model::Model;
use std::path::Path;
pub const DEFAULT_SCENARIO: &str = "";
pub struct Loaded {
    pub model: Model,
    pub warnings: Vec<String>,
    pub source_text: String,
}
pub fn load(_p: &Path) -> Result<Loaded, String> {
    Err("stub".into())
}
pub fn load_str(_t: &str, _o: &str, _b: &Path) -> Result<Loaded, String> {
    Err("stub".into())
}
