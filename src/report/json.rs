//! `yimen report --format json`: the metrics contract
//! (`../shared/contracts/metrics.schema.json`) plus the departments' scores.

use super::Report;

pub fn render(r: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
