//! Join keys: reading a stage's `by` values out of an event and expanding multi-valued fields
//! into every key combination, the way Elasticsearch builds sequence and sample keys.
//!
//! Rules (eql.md §1.6 and §1.7, QA `test_extra.toml` `sequenceWithMultivalue_*` and
//! `sequenceOptionalField*`):
//! * an array key expands to each of its values; several array keys form the cartesian
//!   product; duplicate values are dropped and `null` elements ignored;
//! * a field with no value (missing, `null`, `[]`, only nulls) gives no key, so the event
//!   takes no part, unless the key is optional (`?field`): then `null` is the key value;
//! * values are listed in doc-values order (sorted, unique), as Elasticsearch reads keys from
//!   doc values; this only decides the order of results that end on the same event.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use rule_vm::EventView;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plan::JoinKey;

/// One join-key value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KeyValue {
    /// No value (only for optional keys). Sorts first, like a composite aggregation's
    /// `missing_bucket` in ascending order.
    Null,
    /// A boolean (`false` before `true`).
    Bool(bool),
    /// A whole number.
    Integer(i128),
    /// A number with a fraction.
    Float(FloatKey),
    /// A string.
    Text(String),
}

/// A float that can be hashed and ordered (total order, `-0.0 < 0.0`); saved as its bits, so
/// that every value (`NaN` and `-0.0` too) comes back unchanged.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(from = "u64", into = "u64")]
pub struct FloatKey(pub f64);

impl From<u64> for FloatKey {
    fn from(bits: u64) -> Self {
        FloatKey(f64::from_bits(bits))
    }
}

impl From<FloatKey> for u64 {
    fn from(key: FloatKey) -> Self {
        key.0.to_bits()
    }
}

impl PartialEq for FloatKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for FloatKey {}

impl Hash for FloatKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

impl PartialOrd for FloatKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FloatKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl KeyValue {
    /// The key value of one JSON leaf; objects and arrays are not key values.
    pub fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(KeyValue::Null),
            Value::Bool(flag) => Some(KeyValue::Bool(*flag)),
            Value::Number(number) => Some(number_key(number)),
            Value::String(text) => Some(KeyValue::Text(text.clone())),
            Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// The value as JSON, as the EQL search API lists it in `join_keys`.
    pub fn to_json(&self) -> Value {
        match self {
            KeyValue::Null => Value::Null,
            KeyValue::Bool(flag) => Value::Bool(*flag),
            KeyValue::Integer(n) => i64::try_from(*n)
                .map(Value::from)
                .or_else(|_| u64::try_from(*n).map(Value::from))
                .unwrap_or_else(|_| Value::String(n.to_string())),
            KeyValue::Float(FloatKey(f)) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            KeyValue::Text(text) => Value::String(text.clone()),
        }
    }
}

/// Java's `toString()` of the key, which the ES QA harness compares: `null`, `true`, `123`,
/// `10.0`, text as it is.
impl fmt::Display for KeyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyValue::Null => f.write_str("null"),
            KeyValue::Bool(flag) => write!(f, "{flag}"),
            KeyValue::Integer(n) => write!(f, "{n}"),
            KeyValue::Float(FloatKey(x)) if x.fract() == 0.0 && x.abs() < 1e16 => {
                write!(f, "{x:.1}")
            }
            KeyValue::Float(FloatKey(x)) => write!(f, "{x}"),
            KeyValue::Text(text) => f.write_str(text),
        }
    }
}

fn number_key(number: &serde_json::Number) -> KeyValue {
    if let Some(n) = number.as_i64() {
        KeyValue::Integer(i128::from(n))
    } else if let Some(n) = number.as_u64() {
        KeyValue::Integer(i128::from(n))
    } else {
        KeyValue::Float(FloatKey(number.as_f64().unwrap_or(f64::NAN)))
    }
}

/// The key values of one event for one stage.
pub type KeyTuple = Vec<KeyValue>;

/// How the value of a date-typed join key ([`JoinKey::date`]) is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateKeys<'a> {
    /// As the event holds it. Sequence keys: Elasticsearch reads them through the fields API,
    /// which returns dates formatted (QA `test_extra.toml` expects `date_tags` keys as the
    /// ISO-8601 text).
    AsWritten,
    /// As the instant in epoch milliseconds, read with the date format of the event's index.
    /// Sample keys: Elasticsearch groups samples with a composite aggregation, whose date keys
    /// are epoch milliseconds, so the same instant written in two formats (two indices) is one
    /// key (QA `test_sample.toml` `customDateFormat*`, keys like `"1671235200000"`).
    EpochMillis {
        /// The index the event comes from.
        index: &'a str,
    },
}

/// Every key combination of the event for `keys` (empty when the event takes no part).
/// A stage without keys gives exactly one empty combination.
pub fn key_combinations(
    view: &mut EventView<'_>,
    keys: &[JoinKey],
    dates: DateKeys<'_>,
) -> Vec<KeyTuple> {
    let mut per_key: Vec<Vec<KeyValue>> = Vec::with_capacity(keys.len());
    for key in keys {
        let date_format = match (&key.date, dates) {
            (Some(date), DateKeys::EpochMillis { index }) => Some(date.format_for(index)),
            _ => None,
        };
        let mut values: Vec<KeyValue> = view
            .values(key.field)
            .iter()
            .filter_map(|value| {
                // A value the format cannot read stays as written (Elasticsearch would have
                // refused the document at index time).
                date_format
                    .and_then(|format| format.millis_of_value(value))
                    .map(|millis| KeyValue::Integer(i128::from(millis)))
                    .or_else(|| KeyValue::from_json(value))
            })
            .filter(|value| *value != KeyValue::Null)
            .collect();
        values.sort();
        values.dedup();
        if values.is_empty() {
            if !key.optional {
                return Vec::new();
            }
            values.push(KeyValue::Null);
        }
        per_key.push(values);
    }
    cartesian_product(&per_key)
}

/// All tuples taking one value from each list, in list order (first list varies slowest).
fn cartesian_product(lists: &[Vec<KeyValue>]) -> Vec<KeyTuple> {
    let mut tuples: Vec<KeyTuple> = vec![Vec::with_capacity(lists.len())];
    for values in lists {
        let mut next = Vec::with_capacity(tuples.len() * values.len());
        for tuple in &tuples {
            for value in values {
                let mut extended = tuple.clone();
                extended.push(value.clone());
                next.push(extended);
            }
        }
        tuples = next;
    }
    tuples
}

#[cfg(test)]
mod tests {
    use super::*;
    use rule_vm::FieldTable;
    use serde_json::json;

    fn keys(table: &mut FieldTable, spec: &[(&str, bool)]) -> Vec<JoinKey> {
        spec.iter()
            .map(|(name, optional)| JoinKey {
                field: table.intern(name),
                name: (*name).to_owned(),
                optional: *optional,
                date: None,
            })
            .collect()
    }

    fn combos(event: &Value, spec: &[(&str, bool)]) -> Vec<Vec<String>> {
        let mut table = FieldTable::new();
        let keys = keys(&mut table, spec);
        let mut view = EventView::new(&table, event);
        key_combinations(&mut view, &keys, DateKeys::AsWritten)
            .into_iter()
            .map(|tuple| tuple.iter().map(ToString::to_string).collect())
            .collect()
    }

    #[test]
    fn arrays_expand_to_a_sorted_deduplicated_cartesian_product() {
        let event = json!({"tags": ["t2", "t1", "t2", null], "items": ["b", "a"]});
        assert_eq!(
            combos(&event, &[("tags", false), ("items", false)]),
            [["t1", "a"], ["t1", "b"], ["t2", "a"], ["t2", "b"]]
        );
    }

    #[test]
    fn missing_null_and_empty_keys_drop_the_event_unless_optional() {
        for event in [json!({}), json!({"k": null}), json!({"k": []}), json!({"k": [null]})] {
            assert!(combos(&event, &[("k", false)]).is_empty(), "{event}");
            assert_eq!(combos(&event, &[("k", true)]), [["null"]], "{event}");
        }
    }

    #[test]
    fn no_keys_is_one_empty_combination() {
        assert_eq!(combos(&json!({}), &[]), [Vec::<String>::new()]);
    }

    #[test]
    fn keys_render_like_java_to_string() {
        let values = [json!(1234), json!(10.0), json!(2.5), json!(true), json!("x")];
        let rendered: Vec<String> =
            values.iter().filter_map(KeyValue::from_json).map(|value| value.to_string()).collect();
        assert_eq!(rendered, ["1234", "10.0", "2.5", "true", "x"]);
    }
}
