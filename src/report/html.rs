//! `report.html`: stub.
use crate::model::Model;
use crate::report::charts::ChartFile;
use crate::summary::Aggregate;
use serde_json::Value;

pub fn report_html(_m: &Model, _agg: &Aggregate, _summary: &Value, _run_info: &Value, charts: &[ChartFile]) -> String {
    charts.iter().map(|c| c.svg_text.clone()).collect()
}
