//! Unknown keys in a rule file's top level, `[metadata]` and `[rule]`: a warning each, with a
//! "did you mean" suggestion when a known key is a small edit away.
//!
//! The known keys are those of detection-rules' rule data classes (`rule.py`:
//! `BaseRuleData` and its per-type subclasses, `RuleMeta`) and of Kibana's
//! `security_solution` rule schema, which includes every key the 2068 production rules of
//! `elastic/detection-rules` use.

use std::ops::Range;

use toml::de::DeTable;

use crate::error::RuleFileError;

/// Tables of a rule file.
const TOP_LEVEL: &[&str] = &["metadata", "rule", "transform"];

/// Keys of `[metadata]` (detection-rules' `RuleMeta`).
const METADATA: &[&str] = &[
    "bypass_bbr_timing",
    "comments",
    "creation_date",
    "deprecation_date",
    "integration",
    "maturity",
    "min_stack_comments",
    "min_stack_version",
    "promotion",
    "query_schema_validation",
    "updated_date",
];

/// Keys of `[rule]`: the common rule fields, then the per-type ones.
const RULE: &[&str] = &[
    // common (Kibana `BaseRuleData` / detection-rules `BaseRuleData`)
    "actions",
    "alert_suppression",
    "author",
    "building_block_type",
    "description",
    "enabled",
    "exceptions_list",
    "false_positives",
    "filters",
    "from",
    "interval",
    "investigation_fields",
    "license",
    "max_signals",
    "meta",
    "name",
    "note",
    "references",
    "related_integrations",
    "required_fields",
    "response_actions",
    "revision",
    "risk_score",
    "risk_score_mapping",
    "rule_id",
    "rule_name_override",
    "setup",
    "severity",
    "severity_mapping",
    "tags",
    "threat",
    "throttle",
    "timeline_id",
    "timeline_title",
    "timestamp_override",
    "timestamp_override_fallback_disabled",
    "to",
    "type",
    "version",
    // query-based types
    "data_view_id",
    "index",
    "language",
    "query",
    "saved_id",
    // eql
    "event_category_override",
    "tiebreaker_field",
    "timestamp_field",
    // threshold, new_terms
    "threshold",
    "new_terms",
    // threat_match
    "concurrent_searches",
    "items_per_search",
    "threat_filters",
    "threat_index",
    "threat_indicator_path",
    "threat_language",
    "threat_mapping",
    "threat_query",
    // machine_learning
    "anomaly_threshold",
    "machine_learning_job_id",
];

/// Levenshtein distance between two short keys (counted in chars).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The known key closest to `key`, if it is at most a third of `key`'s length away.
fn suggestion(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let limit = (key.chars().count() / 3).max(1);
    known
        .iter()
        .map(|candidate| (edit_distance(key, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

fn unknown_key(
    key: &str,
    span: Range<usize>,
    table: &'static str,
    known: &[&'static str],
) -> RuleFileError {
    let place = if table.is_empty() { "a rule file".to_owned() } else { format!("[{table}]") };
    let help = match suggestion(key, known) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => format!("remove it: neither detection-rules nor Kibana knows `{key}` in {place}"),
    };
    RuleFileError::UnknownKey { key: key.to_owned(), table, span: span.into(), help }
}

/// One warning per key of the document's top level, `[metadata]` and `[rule]` that is not
/// known.
pub(crate) fn unknown_keys(document: &DeTable<'_>) -> Vec<RuleFileError> {
    let mut warnings = Vec::new();
    for (key, value) in document {
        let name = key.get_ref().as_ref();
        let (table, known) = match name {
            "metadata" => ("metadata", METADATA),
            "rule" => ("rule", RULE),
            _ => {
                if !TOP_LEVEL.contains(&name) {
                    warnings.push(unknown_key(name, key.span(), "", TOP_LEVEL));
                }
                continue;
            }
        };
        let Some(entries) = value.get_ref().as_table() else { continue };
        for (entry, _) in entries {
            let entry_name = entry.get_ref().as_ref();
            if !known.contains(&entry_name) {
                warnings.push(unknown_key(entry_name, entry.span(), table, known));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("risk_scor", "risk_score"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("serverity", "severity"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggestion("risk_scor", RULE), Some("risk_score"));
        assert_eq!(suggestion("timestamp_overide", RULE), Some("timestamp_override"));
        assert_eq!(suggestion("intergration", METADATA), Some("integration"));
        assert_eq!(suggestion("banana", RULE), None);
    }
}
