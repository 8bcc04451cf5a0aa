//! Finding an explicit JSON `null` at a field path: what Elasticsearch indexes as the
//! mapping's `null_value` (ES reference, "`null_value`": an explicit `null` or a `null`
//! inside an array gets it; a missing field or `[]` does not).
//!
//! Paths resolve as in [`EventView`](crate::EventView): nested objects and dotted keys are the
//! same field, arrays are flattened at every level.

use serde_json::Value;

use crate::field::{FieldId, FieldTable};

/// True if `field` holds a `null` somewhere in `event` (alone or as an array element).
pub(crate) fn holds_explicit_null(event: &Value, table: &FieldTable, field: FieldId) -> bool {
    let path = table.name(field);
    let ends = table.segment_ends(field);
    find_null(event, path, ends, 0, false)
}

fn find_null(value: &Value, path: &str, ends: &[u32], segment: usize, reached: bool) -> bool {
    match value {
        Value::Null => reached,
        Value::Array(items) => {
            items.iter().any(|item| find_null(item, path, ends, segment, reached))
        }
        _ if segment == ends.len() => false,
        Value::Object(map) => {
            let start = if segment == 0 { 0 } else { ends[segment - 1] as usize + 1 };
            ends.iter().enumerate().skip(segment).any(|(next, &end)| {
                path.get(start..end as usize).and_then(|key| map.get(key)).is_some_and(|child| {
                    find_null(child, path, ends, next + 1, next + 1 == ends.len())
                })
            })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn explicit(path: &str, event: &Value) -> bool {
        let mut table = FieldTable::new();
        let id = table.intern(path);
        holds_explicit_null(event, &table, id)
    }

    #[test]
    fn only_explicit_nulls_count() {
        assert!(explicit("a.b", &json!({"a": {"b": null}})));
        assert!(explicit("a.b", &json!({"a.b": [null]})));
        assert!(explicit("a.b", &json!({"a": [{"b": "x"}, {"b": ["y", null]}]})));
        assert!(!explicit("a.b", &json!({"a": {"b": []}})));
        assert!(!explicit("a.b", &json!({"a": null})));
        assert!(!explicit("a.b", &json!({"a": {"c": null}})));
        assert!(!explicit("a.b", &json!({"a": {"b": "x"}})));
    }
}
