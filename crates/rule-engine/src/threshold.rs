//! The `threshold` rule type: one alert per group of matching events that reaches a count.
//!
//! Kibana's semantics (`security_solution/server/lib/detection_engine/rule_types/threshold/`:
//! `build_threshold_aggregation.ts`, `find_threshold_signals.ts`,
//! `bulk_create_threshold_signals.ts`, `get_threshold_signal_history.ts`,
//! `get_threshold_bucket_filters.ts`; "Create a threshold rule" docs):
//!
//! * each execution groups the events its window matched by the values of `threshold.field`
//!   (0 to 3 fields; none: every event is in one group). A terms aggregation has no
//!   `missing` bucket, so an event missing a grouping field is in no group; an array value
//!   puts the event in the group of each value (every combination, with several fields);
//! * a group alerts when it holds at least `value` events and, for each `cardinality`
//!   condition, at least `value` distinct values of its field;
//! * the alert carries `kibana.alert.threshold_result` = `{terms: [{field, value}],
//!   cardinality: [{field, value}], count, from}`, where `from` is the group's earliest event
//!   time; the document it is built from has the group's latest event time as `@timestamp` (the
//!   alert's `original_time`; the alert's own `@timestamp` is its execution's), and the
//!   grouping values are set as fields of the alert;
//! * signal history: after a group alerts, its events up to that latest time are not counted
//!   for that group again (Kibana filters them out of later searches), so the same events
//!   never raise a second alert.
//!
//! Across runs (the same engine's next `finish`, or the next `warden run --state`), the rule
//! keeps its signal history, the last execution it ran and the matching events of that
//! execution's window (the *tail*): Kibana's next executions search the index, which still
//! holds those events, so a window that straddles two runs counts the events of both. An
//! execution earlier than the last one is not run again; the last one is (with the events the
//! new run adds to its window; the signal history keeps already-alerted events out).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::fields::{field_values, scalar_text};
use crate::new_terms::{Term, terms_of};
use crate::timestamp::EventTime;

/// The most grouping fields Kibana accepts in `threshold.field`.
pub const MAX_THRESHOLD_FIELDS: usize = 3;

/// A threshold configuration that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdConfigError {
    /// `threshold.field` names more than 3 fields.
    #[error("threshold.field names {0} fields; at most {MAX_THRESHOLD_FIELDS} are allowed")]
    FieldCount(usize),
    /// `threshold.value` must be at least 1.
    #[error("threshold.value must be at least 1")]
    ZeroValue,
}

/// One threshold rule's settings and signal history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdState {
    fields: Vec<String>,
    value: u64,
    cardinality: Vec<(String, u64)>,
    /// Per group (values of `fields`): the latest event time already counted in an alert.
    pub history: HashMap<Term, EventTime>,
    /// The last execution run (`at`), carried to the next run.
    last_execution: Option<EventTime>,
    /// Matching events a later execution may still search (see the module doc).
    tail: Vec<TailEvent>,
}

/// A saved threshold state: times in nanoseconds since the epoch, the history sorted by
/// group and the tail by time, so the same state always saves the same bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedThreshold {
    /// The rule's `threshold.field`, so a state is never read for other fields.
    pub fields: Vec<String>,
    /// `(group, latest event time counted in an alert)`.
    pub history: Vec<(Term, i64)>,
    /// The last execution run.
    pub last_execution: Option<i64>,
    /// The matching events of the last execution's window and later, by time.
    pub tail: Vec<SavedTailEvent>,
}

/// A matching event carried to the next run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TailEvent {
    /// The rule's time of the event.
    pub time: EventTime,
    /// `_index` and `_id` of a hit: Elasticsearch keeps one document per id, so an event read
    /// again replaces the carried one instead of counting twice.
    pub key: Option<(Option<String>, String)>,
    /// The event.
    pub document: Value,
}

/// A saved [`TailEvent`], its time in nanoseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedTailEvent {
    /// Nanoseconds since the epoch.
    pub time: i64,
    /// `(_index, _id)`.
    pub key: Option<(Option<String>, String)>,
    /// The event.
    pub document: Value,
}

/// A group that reached the threshold in one execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// The grouping values, in field order.
    pub terms: Term,
    /// Events in the group.
    pub count: u64,
    /// Per cardinality condition: the field and its distinct values in the group.
    pub cardinality: Vec<(String, u64)>,
    /// Earliest event time in the group.
    pub from: EventTime,
    /// Latest event time in the group.
    pub to: EventTime,
}

impl ThresholdState {
    /// A threshold from the rule's `[rule.threshold]`.
    pub fn new(threshold: &rule_model::Threshold) -> Result<Self, ThresholdConfigError> {
        if threshold.fields.len() > MAX_THRESHOLD_FIELDS {
            return Err(ThresholdConfigError::FieldCount(threshold.fields.len()));
        }
        if threshold.value == 0 {
            return Err(ThresholdConfigError::ZeroValue);
        }
        Ok(Self {
            fields: threshold.fields.clone(),
            value: threshold.value,
            cardinality: threshold.cardinality.iter().map(|c| (c.field.clone(), c.value)).collect(),
            history: HashMap::new(),
            last_execution: None,
            tail: Vec::new(),
        })
    }

    /// The state to save.
    pub fn save(&self) -> SavedThreshold {
        let mut history: Vec<(Term, i64)> =
            self.history.iter().map(|(term, time)| (term.clone(), time.as_nanos())).collect();
        history.sort_unstable();
        SavedThreshold {
            fields: self.fields.clone(),
            history,
            last_execution: self.last_execution.map(EventTime::as_nanos),
            tail: self
                .tail
                .iter()
                .map(|event| SavedTailEvent {
                    time: event.time.as_nanos(),
                    key: event.key.clone(),
                    document: event.document.clone(),
                })
                .collect(),
        }
    }

    /// Goes on from a saved state; refuses one saved for other fields, or with groups of
    /// another length.
    pub fn restore(&mut self, saved: SavedThreshold) -> Result<(), String> {
        if saved.fields != self.fields {
            return Err(format!(
                "the saved threshold state is for the fields {:?}, the rule has {:?}",
                saved.fields, self.fields
            ));
        }
        if let Some((group, _)) = saved.history.iter().find(|(g, _)| g.len() != self.fields.len()) {
            return Err(format!("the saved group {group:?} does not have one value per field"));
        }
        self.history = saved
            .history
            .into_iter()
            .map(|(group, nanos)| (group, EventTime::from_nanos(nanos)))
            .collect();
        self.last_execution = saved.last_execution.map(EventTime::from_nanos);
        self.tail = saved
            .tail
            .into_iter()
            .map(|event| TailEvent {
                time: EventTime::from_nanos(event.time),
                key: event.key,
                document: event.document,
            })
            .collect();
        Ok(())
    }

    /// The events carried from the last run, leaving none behind.
    pub fn take_tail(&mut self) -> Vec<TailEvent> {
        std::mem::take(&mut self.tail)
    }

    /// Whether `execution_at` was already run as an earlier execution than the last one
    /// (the last one itself is run again, its window may have grown).
    pub fn ran_before(&self, execution_at: EventTime) -> bool {
        self.last_execution.is_some_and(|last| execution_at < last)
    }

    /// The last execution run.
    pub fn last_execution(&self) -> Option<EventTime> {
        self.last_execution
    }

    /// Ends a run: `last` is the last execution run, `tail` the matching events a later
    /// execution may still search.
    pub fn carry(&mut self, last: Option<EventTime>, tail: Vec<TailEvent>) {
        self.last_execution = last;
        self.tail = tail;
    }

    /// The grouping fields.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The groups of `events` (the matching events of one execution's window) that reach the
    /// threshold, ordered by their values; events already counted by an alert of their group
    /// ([`record`](Self::record)ed) are left out.
    pub fn evaluate<'a, I>(&self, events: I) -> Vec<Bucket>
    where
        I: IntoIterator<Item = (EventTime, &'a Value)>,
    {
        let mut groups: BTreeMap<Term, Vec<(EventTime, &Value)>> = BTreeMap::new();
        for (time, document) in events {
            let (terms, _) = terms_of(document, &self.fields);
            for term in terms {
                if self.history.get(&term).is_some_and(|&last| time <= last) {
                    continue;
                }
                groups.entry(term).or_default().push((time, document));
            }
        }
        let mut buckets = Vec::new();
        for (terms, members) in groups {
            let count = members.len() as u64;
            if count < self.value {
                continue;
            }
            let cardinality: Vec<(String, u64)> = self
                .cardinality
                .iter()
                .map(|(field, _)| (field.clone(), distinct_values(&members, field)))
                .collect();
            let reached =
                cardinality.iter().zip(&self.cardinality).all(|((_, got), (_, need))| got >= need);
            if !reached {
                continue;
            }
            let from =
                members.iter().map(|&(time, _)| time).min().unwrap_or(EventTime::from_nanos(0));
            let to = members.iter().map(|&(time, _)| time).max().unwrap_or(from);
            buckets.push(Bucket { terms, count, cardinality, from, to });
        }
        buckets
    }

    /// Records that `bucket` alerted: its events are not counted for its group again.
    pub fn record(&mut self, bucket: &Bucket) {
        self.history.insert(bucket.terms.clone(), bucket.to);
    }

    /// The document a bucket's alert is built from: `@timestamp` (the latest event time),
    /// the grouping values as fields, and `kibana.alert.threshold_result`.
    pub fn bucket_document(&self, bucket: &Bucket) -> Value {
        let mut document = Map::new();
        document.insert("@timestamp".to_owned(), json!(bucket.to.to_iso_millis()));
        for (field, value) in self.fields.iter().zip(&bucket.terms) {
            set_path(&mut document, field, json!(value));
        }
        let terms: Vec<Value> = self
            .fields
            .iter()
            .zip(&bucket.terms)
            .map(|(field, value)| json!({"field": field, "value": value}))
            .collect();
        let cardinality: Vec<Value> = bucket
            .cardinality
            .iter()
            .map(|(field, value)| json!({"field": field, "value": value}))
            .collect();
        document.insert(
            "kibana.alert.threshold_result".to_owned(),
            json!({
                "terms": terms,
                "cardinality": cardinality,
                "count": bucket.count,
                "from": bucket.from.to_iso_millis(),
            }),
        );
        Value::Object(document)
    }
}

/// Distinct values of `field` among the members.
fn distinct_values(members: &[(EventTime, &Value)], field: &str) -> u64 {
    let mut seen: HashSet<String> = HashSet::new();
    for (_, document) in members {
        for value in field_values(document, field) {
            if let Some(text) = scalar_text(value) {
                seen.insert(text);
            }
        }
    }
    seen.len() as u64
}

/// Sets `dotted` as nested objects (`host.name` → `{"host": {"name": ..}}`).
fn set_path(document: &mut Map<String, Value>, dotted: &str, value: Value) {
    let mut parts = dotted.split('.').peekable();
    let mut current = document;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            current.insert(part.to_owned(), value);
            return;
        }
        let slot = current.entry(part.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        current = next;
    }
}
