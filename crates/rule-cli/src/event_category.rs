//! The event categories of an EQL query checked against ECS: a category outside the allowed
//! values of the rule's category field (`event.category`, or `event.type` through
//! `event_category_override`) never matches ECS data.

use eql_syntax::ast::{CategoryKind, EventQuery, Query, QueryBody};
use miette::Diagnostic;
use rule_span::Span;
use thiserror::Error;

/// ECS 9.5.0 `event.category` allowed values (`allowed_values` of `event.category` in
/// `shared/corpus/schemas/ecs_flat.json`, detection-rules' copy of ECS; checked by a test).
const ECS_EVENT_CATEGORIES: &[&str] = &[
    "api",
    "authentication",
    "configuration",
    "database",
    "driver",
    "email",
    "file",
    "host",
    "iam",
    "intrusion_detection",
    "library",
    "malware",
    "network",
    "package",
    "process",
    "registry",
    "session",
    "threat",
    "vulnerability",
    "web",
];

/// ECS 9.5.0 `event.type` allowed values (same source), for rules whose
/// `event_category_override` is `event.type`.
const ECS_EVENT_TYPES: &[&str] = &[
    "access",
    "admin",
    "allowed",
    "change",
    "connection",
    "creation",
    "deletion",
    "denied",
    "device",
    "end",
    "error",
    "group",
    "indicator",
    "info",
    "installation",
    "protocol",
    "start",
    "user",
];

/// An EQL event category that ECS does not allow for the category field:
/// `proces where true` (a typo of `process`).
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
#[error("unknown event category [{name}]: ECS allows no such {field} value")]
#[diagnostic(
    code(compile::unknown_event_category),
    severity(Warning),
    help("ECS {field} values: {allowed}; events of ECS sources never carry [{name}]")
)]
pub(crate) struct UnknownEventCategory {
    /// The category as written (quotes removed).
    name: String,
    /// The field it is matched against.
    field: String,
    /// The allowed values, comma-separated.
    allowed: String,
    /// The category token in the query.
    #[label("not an ECS {field} value")]
    span: Span,
}

/// The categories of `query`'s event queries (every sequence and sample term, `until`
/// included) that ECS does not allow for `category_field`. Fields without an ECS list of
/// allowed values are not checked.
pub(crate) fn unknown_categories(query: &Query, category_field: &str) -> Vec<UnknownEventCategory> {
    let Some(allowed) = allowed_values(category_field) else { return Vec::new() };
    event_queries(query)
        .into_iter()
        .filter_map(|event| match &event.category.kind {
            CategoryKind::Named(name) if !allowed.contains(&name.as_str()) => {
                Some(UnknownEventCategory {
                    name: name.clone(),
                    field: category_field.to_owned(),
                    allowed: allowed.join(", "),
                    span: event.category.span,
                })
            }
            _ => None,
        })
        .collect()
}

fn allowed_values(field: &str) -> Option<&'static [&'static str]> {
    match field {
        "event.category" => Some(ECS_EVENT_CATEGORIES),
        "event.type" => Some(ECS_EVENT_TYPES),
        _ => None,
    }
}

/// Every event query of `query`: the query itself, or each term of a sequence (`until`
/// included) or sample.
pub(crate) fn event_queries(query: &Query) -> Vec<&EventQuery> {
    match &query.body {
        QueryBody::Event(event) => vec![event],
        QueryBody::Sequence(sequence) => {
            sequence.terms.iter().chain(&sequence.until).map(|term| &term.query).collect()
        }
        QueryBody::Sample(sample) => sample.terms.iter().map(|term| &term.query).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(query: &str, field: &str) -> Vec<String> {
        let query = eql_syntax::parse(query).expect("parses");
        unknown_categories(&query, field).into_iter().map(|u| u.name).collect()
    }

    #[test]
    fn categories_outside_ecs_are_reported_in_every_term() {
        assert!(unknown("process where true", "event.category").is_empty());
        assert!(unknown("any where true", "event.category").is_empty());
        assert_eq!(
            unknown(
                "sequence [proces where true] [file where true] until [\"my-cat\" where true]",
                "event.category"
            ),
            ["proces", "my-cat"]
        );
        assert_eq!(
            unknown("sample [info where true] [iam where true]", "event.category"),
            ["info"]
        );
    }

    #[test]
    fn the_category_field_decides_the_allowed_values() {
        assert!(unknown("info where true", "event.type").is_empty());
        assert_eq!(unknown("process where true", "event.type"), ["process"]);
        assert!(unknown("anything where true", "event.dataset").is_empty());
    }

    /// The lists are ECS's own: compare them with the `allowed_values` in the vendored
    /// `ecs_flat.json`.
    #[test]
    fn lists_match_the_vendored_ecs_schema() {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/schemas/ecs_flat.json");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let ecs: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        for (field, list) in
            [("event.category", ECS_EVENT_CATEGORIES), ("event.type", ECS_EVENT_TYPES)]
        {
            let names: Vec<&str> = ecs[field]["allowed_values"]
                .as_array()
                .expect("allowed_values")
                .iter()
                .filter_map(|value| value["name"].as_str())
                .collect();
            assert_eq!(names, list, "{field}");
        }
    }
}
