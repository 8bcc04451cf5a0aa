//! Reading a dotted field path out of a JSON event the way Elasticsearch's `fields` API does.
//!
//! `a.b.c` finds `{"a":{"b":{"c":1}}}`, `{"a.b":{"c":1}}` and `{"a.b.c":1}` alike; arrays at any
//! level are walked, so the result is the flat list of every leaf value (nulls left out, as
//! Elasticsearch does not index them). The engine uses this off the hot path: for timestamps,
//! `new_terms` values, categories and the alert reason, never for query predicates (that is
//! `rule_vm`'s `EventView`).

use serde_json::Value;

/// Every non-null leaf value of `path` in `document`, arrays flattened, in document order.
pub fn field_values<'a>(document: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut found = Vec::new();
    collect(document, path, &mut found);
    found
}

/// The first non-null leaf value of `path`, if any.
pub fn first_value<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    field_values(document, path).into_iter().next()
}

/// Walks `value` for the remaining `path` (empty path: `value` itself is the leaf).
fn collect<'a>(value: &'a Value, path: &str, found: &mut Vec<&'a Value>) {
    if path.is_empty() {
        push_leaf(value, found);
        return;
    }
    match value {
        Value::Object(map) => {
            // Whole remaining path as one dotted key, then every split at a dot.
            if let Some(child) = map.get(path) {
                push_leaf(child, found);
            }
            for (dot, _) in path.match_indices('.') {
                if let Some(child) = map.get(&path[..dot]) {
                    collect(child, &path[dot + 1..], found);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, path, found);
            }
        }
        _ => {}
    }
}

/// Adds a leaf: arrays are flattened, nulls dropped.
fn push_leaf<'a>(value: &'a Value, found: &mut Vec<&'a Value>) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                push_leaf(item, found);
            }
        }
        other => found.push(other),
    }
}

/// Text of a scalar leaf as Elasticsearch would return it for a keyword field: strings as
/// they are, numbers and booleans in their JSON spelling. Objects have no text.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_dotted_and_mixed_paths_are_the_same_field() {
        let nested = json!({"host": {"os": {"type": "windows"}}});
        let dotted = json!({"host.os.type": "windows"});
        let mixed = json!({"host": {"os.type": "windows"}});
        for doc in [&nested, &dotted, &mixed] {
            assert_eq!(field_values(doc, "host.os.type"), vec![&json!("windows")]);
        }
    }

    #[test]
    fn arrays_at_any_level_are_flattened_and_nulls_dropped() {
        let doc = json!({"a": [{"b": ["x", null, ["y"]]}, {"b": "z"}, null]});
        let values: Vec<_> = field_values(&doc, "a.b").into_iter().cloned().collect();
        assert_eq!(values, vec![json!("x"), json!("y"), json!("z")]);
    }

    #[test]
    fn missing_field_gives_nothing() {
        let doc = json!({"a": {"c": 1}, "b": 2});
        assert!(field_values(&doc, "a.b").is_empty());
        assert!(field_values(&doc, "b.c").is_empty());
        assert!(first_value(&doc, "zz").is_none());
    }

    #[test]
    fn scalar_text_spells_numbers_and_booleans() {
        assert_eq!(scalar_text(&json!(4702)).as_deref(), Some("4702"));
        assert_eq!(scalar_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(scalar_text(&json!({"a": 1})), None);
    }
}
