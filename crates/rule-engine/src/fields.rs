//! Field values off the hot path (timestamps, `new_terms` values, reasons, index names), all
//! read through `rule_vm::values_at`: there is one definition of "the values of a field"
//! (nested and dotted keys alike, arrays flattened, nulls dropped), the same one the query
//! predicates see through `EventView`.

use rule_vm::json_text;
use serde_json::Value;

/// Every non-null leaf value of `path` in `document`, arrays flattened.
pub use rule_vm::values_at as field_values;

/// The first non-null leaf value of `path`, if any.
pub fn first_value<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    field_values(document, path).into_iter().next()
}

/// Text of a scalar leaf as Elasticsearch would return it for a keyword field: strings as
/// they are, numbers and booleans in their JSON spelling. Objects have no text.
pub fn scalar_text(value: &Value) -> Option<String> {
    let mut buffer = String::new();
    json_text(value, &mut buffer).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn first_value_reads_nested_and_dotted_keys() {
        let doc = json!({"host": {"os.type": ["windows", "x"]}, "b": null});
        assert_eq!(first_value(&doc, "host.os.type"), Some(&json!("windows")));
        assert!(first_value(&doc, "b").is_none());
        assert!(first_value(&doc, "zz").is_none());
    }

    #[test]
    fn scalar_text_spells_numbers_and_booleans() {
        assert_eq!(scalar_text(&json!(4702)).as_deref(), Some("4702"));
        assert_eq!(scalar_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(scalar_text(&json!("x")).as_deref(), Some("x"));
        assert_eq!(scalar_text(&json!({"a": 1})), None);
    }
}
