//! [`EventView`]: one JSON event, with the values of each interned field resolved lazily and
//! memoised.
//!
//! Resolution follows how Elasticsearch indexes a JSON document: nested objects and dotted keys
//! name the same field (`{"file":{"path":..}}`, `{"file.path":..}` and, for `file.a.b`,
//! `{"file":{"a.b":..}}` all feed `file.a.b`), arrays at any level are flattened (an array of
//! objects contributes each object's value), and `null` or `[]` contribute no value (ES
//! "Arrays" and `null_value` mapping docs: an empty array or null is not indexed).
//!
//! The buffers are reused from event to event ([`EventView::recycle`]), so once warmed up the
//! resolution does not allocate.

use crate::field::{FieldId, FieldTable, segment_ends_of};
use serde_json::Value;

/// Where a field's values sit in the shared value buffer, stamped with the event generation
/// that resolved them.
#[derive(Clone, Copy, Default)]
struct Slot {
    generation: u32,
    start: u32,
    end: u32,
}

/// The buffers of an [`EventView`] without its event, kept between views whose events live
/// in different places (so that making a view does not allocate once they are warm).
#[derive(Default)]
pub struct ViewBuffers {
    values: Vec<&'static Value>,
    slots: Vec<Slot>,
    generation: u32,
}

/// An empty vector of references re-typed to another lifetime, keeping its allocation
/// (in-place collection of an empty iterator).
fn retype<'b>(mut values: Vec<&Value>) -> Vec<&'b Value> {
    values.clear();
    values.into_iter().map(|_| &Value::Null).collect()
}

/// One event and the memoised values of the fields asked for so far.
pub struct EventView<'a> {
    table: &'a FieldTable,
    event: &'a Value,
    values: Vec<&'a Value>,
    slots: Vec<Slot>,
    generation: u32,
}

impl<'a> EventView<'a> {
    /// A view of `event`, resolving field ids from `table`.
    pub fn new(table: &'a FieldTable, event: &'a Value) -> Self {
        Self { table, event, values: Vec::new(), slots: Vec::new(), generation: 1 }
    }

    /// A view of another event that reuses this view's buffers (no reallocation once warm).
    pub fn recycle<'b>(self, table: &'b FieldTable, event: &'b Value) -> EventView<'b> {
        EventView::with_buffers(table, event, self.into_buffers())
    }

    /// A view of `event` using buffers kept from an earlier view ([`EventView::into_buffers`]).
    pub fn with_buffers(table: &'a FieldTable, event: &'a Value, buffers: ViewBuffers) -> Self {
        let (generation, mut slots) = match buffers.generation.checked_add(1) {
            Some(next) => (next, buffers.slots),
            None => (1, Vec::new()),
        };
        if generation == 1 {
            slots.clear();
        }
        EventView { table, event, values: retype(buffers.values), slots, generation }
    }

    /// The view's buffers, to keep for a later view of another event.
    pub fn into_buffers(self) -> ViewBuffers {
        ViewBuffers { values: retype(self.values), slots: self.slots, generation: self.generation }
    }

    /// The whole event.
    pub fn event(&self) -> &'a Value {
        self.event
    }

    /// The field table ids are resolved against.
    pub fn table(&self) -> &'a FieldTable {
        self.table
    }

    /// Every value of `field` in this event (empty when the field is missing or only null).
    /// Objects are included, so a value list that is not empty means the field exists.
    pub fn values(&mut self, field: FieldId) -> &[&'a Value] {
        let index = field.index();
        if index >= self.slots.len() {
            self.slots.resize(index + 1, Slot::default());
        }
        let slot = self.slots[index];
        let (start, end) = if slot.generation == self.generation {
            (slot.start as usize, slot.end as usize)
        } else {
            let start = self.values.len();
            let path = self.table.name(field);
            let ends = self.table.segment_ends(field);
            collect(self.event, path, ends, 0, &mut self.values);
            let end = self.values.len();
            self.slots[index] =
                Slot { generation: self.generation, start: to_u32(start), end: to_u32(end) };
            (start, end)
        };
        &self.values[start..end]
    }

    /// True if `field` has at least one non-null value.
    pub fn exists(&mut self, field: FieldId) -> bool {
        !self.values(field).is_empty()
    }
}

/// Every value of the dotted field `path` in `event`, resolved exactly as
/// [`EventView::values`] resolves an interned field (nested and dotted keys, arrays flattened,
/// nulls dropped). For callers off the hot path that have a path but no [`FieldTable`].
pub fn values_at<'a>(event: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut found = Vec::new();
    // Segment ends on the stack for the usual short paths (no allocation when nothing is found).
    let mut ends = [0_u32; 16];
    let mut count = 0;
    for (at, _) in path.match_indices('.').chain(std::iter::once((path.len(), ""))) {
        if count == ends.len() {
            collect(event, path, &segment_ends_of(path), 0, &mut found);
            return found;
        }
        ends[count] = to_u32(at);
        count += 1;
    }
    collect(event, path, &ends[..count], 0, &mut found);
    found
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Pushes every value found at `path` (starting with the segment whose index is `segment`)
/// below `value` into `out`.
fn collect<'a>(
    value: &'a Value,
    path: &str,
    ends: &[u32],
    segment: usize,
    out: &mut Vec<&'a Value>,
) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                collect(item, path, ends, segment, out);
            }
        }
        _ if segment == ends.len() => out.push(value),
        Value::Object(map) => {
            let start = if segment == 0 { 0 } else { ends[segment - 1] as usize + 1 };
            for (next, &end) in ends.iter().enumerate().skip(segment) {
                let Some(key) = path.get(start..end as usize) else { continue };
                if let Some(child) = child_of(map, key) {
                    collect(child, path, ends, next + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// Objects up to this many keys are searched by comparing keys, not by hashing (faster for
/// the small objects of ECS events; the result is the same, keys being unique).
const LINEAR_SEARCH_KEYS: usize = 8;

/// The value of `key` in `map`.
fn child_of<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= LINEAR_SEARCH_KEYS {
        map.iter().find_map(|(name, child)| (name == key).then_some(child))
    } else {
        map.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolve(path: &str, event: &Value) -> Vec<Value> {
        let mut table = FieldTable::new();
        let id = table.intern(path);
        let mut view = EventView::new(&table, event);
        view.values(id).iter().map(|v| (*v).clone()).collect()
    }

    #[test]
    fn nested_dotted_and_mixed_keys_are_one_field() {
        assert_eq!(resolve("file.a.b", &json!({"file": {"a": {"b": 1}}})), vec![json!(1)]);
        assert_eq!(resolve("file.a.b", &json!({"file.a.b": 2})), vec![json!(2)]);
        assert_eq!(resolve("file.a.b", &json!({"file": {"a.b": 3}})), vec![json!(3)]);
        assert_eq!(resolve("file.a.b", &json!({"file.a": {"b": 4}})), vec![json!(4)]);
    }

    #[test]
    fn arrays_flatten_at_every_level_and_nulls_vanish() {
        let event = json!({"a": [{"b": [1, null, [2]]}, {"b": 3}, null, {"c": 9}]});
        assert_eq!(resolve("a.b", &event), vec![json!(1), json!(2), json!(3)]);
        assert!(resolve("a.b", &json!({"a": {"b": []}})).is_empty());
        assert!(resolve("a.b", &json!({"a": {"b": null}})).is_empty());
        assert!(resolve("a.x", &json!({"a": {"b": 1}})).is_empty());
        assert_eq!(resolve("a", &json!({"a": {"b": 1}})), vec![json!({"b": 1})]);
    }

    #[test]
    fn values_at_agrees_with_the_view() {
        let event = json!({"a": [{"b.c": 1}, {"b": {"c": [2, null]}}], "a.b": {"c": 3}});
        let by_path: Vec<Value> = values_at(&event, "a.b.c").into_iter().cloned().collect();
        assert_eq!(by_path, resolve("a.b.c", &event));
        assert_eq!(by_path.len(), 3);
        assert!(values_at(&event, "a.x").is_empty());
    }

    #[test]
    fn values_at_reads_paths_longer_than_its_stack_buffer() {
        let path = (0..20).map(|n| format!("k{n}")).collect::<Vec<_>>().join(".");
        let event = json!({ path.clone(): 1, "k0": {"k1": 2} });
        assert_eq!(values_at(&event, &path), vec![&json!(1)]);
        assert_eq!(values_at(&event, "k0.k1"), vec![&json!(2)]);
    }

    #[test]
    fn kept_buffers_serve_a_view_of_another_event() {
        let mut table = FieldTable::new();
        let id = table.intern("x");
        let first = json!({"x": "one"});
        let mut view = EventView::new(&table, &first);
        assert_eq!(view.values(id).len(), 1);
        let buffers = view.into_buffers();
        let second = json!({"x": ["a", "b"]});
        let mut view = EventView::with_buffers(&table, &second, buffers);
        assert_eq!(view.values(id), &[&json!("a"), &json!("b")]);
    }

    #[test]
    fn recycled_view_forgets_the_previous_event() {
        let mut table = FieldTable::new();
        let id = table.intern("x");
        let first = json!({"x": "one"});
        let second = json!({"y": "two"});
        let mut view = EventView::new(&table, &first);
        assert_eq!(view.values(id).len(), 1);
        let mut view = view.recycle(&table, &second);
        assert!(view.values(id).is_empty());
        assert!(!view.exists(id));
    }
}
