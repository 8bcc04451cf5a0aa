//! [`search`]: a compiled EQL query (event query, sequence or sample) over a set of events,
//! answered like Elasticsearch's EQL search API.
//!
//! EQL search API semantics (eql.md §1.7-1.10): events are ordered by the timestamp, then by
//! the tiebreaker (events without one after those with one), then input order (ES's implicit
//! shard-doc tiebreaker); documents without a timestamp are not searched by event queries or
//! sequences (EQL "Required fields"), while samples need none. `size` (default 10) caps the
//! results, taken from the `result_position` end (default `tail`) after the pipes; results
//! are listed ascending. Sequences come back as `{"join_keys": [...], "events": [hits]}`,
//! samples in the same shape, and a missing-event placeholder is
//! `{"_index": "", "_id": "", "_source": {}, "missing": true}`.

use std::cmp::Ordering;
use std::sync::Arc;

use rule_vm::{EventView, FieldTable, Vm};
use serde_json::{Map, Value, json};

use crate::error::SequenceError;
use crate::key::{KeyTuple, KeyValue};
use crate::limits::{Limits, MatchSummary};
use crate::plan::{EqlPlan, Pipe};
use crate::sample::SampleMatcher;
use crate::sequence::{EventRef, SequenceMatcher};
use crate::window::{ResultPosition, ResultWindow};

/// The request parameters of an EQL search that change its results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchOptions {
    /// Most events, sequences or samples returned (default 10).
    pub size: usize,
    /// Which end of the ordered results `size` keeps (default `tail`).
    pub result_position: ResultPosition,
    /// Samples per join-key combination (default 1).
    pub max_samples_per_key: usize,
    /// Caps on the matcher state.
    pub limits: Limits,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            size: 10,
            result_position: ResultPosition::Tail,
            max_samples_per_key: 1,
            limits: Limits::default(),
        }
    }
}

/// A timestamp-tie breaker value: numbers sort before strings, as numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Tiebreaker {
    /// A numeric tiebreaker (`event.sequence` is a long in ECS).
    Number(f64),
    /// A textual tiebreaker.
    Text(String),
}

impl Tiebreaker {
    /// The tiebreaker of a JSON leaf (`None` for null, objects and arrays).
    pub fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::Number(number) => number.as_f64().map(Tiebreaker::Number),
            Value::String(text) => Some(Tiebreaker::Text(text.clone())),
            Value::Bool(flag) => Some(Tiebreaker::Text(flag.to_string())),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// The search order of two tiebreakers: numbers as numbers, before any text.
    pub fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Tiebreaker::Number(a), Tiebreaker::Number(b)) => a.total_cmp(b),
            (Tiebreaker::Number(_), Tiebreaker::Text(_)) => Ordering::Less,
            (Tiebreaker::Text(_), Tiebreaker::Number(_)) => Ordering::Greater,
            (Tiebreaker::Text(a), Tiebreaker::Text(b)) => a.cmp(b),
        }
    }
}

/// One searched document with what ordering needs (read by the caller, who knows the
/// timestamp format and field types).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchEvent {
    /// The document's index (`_index`).
    pub index: String,
    /// The document's id (`_id`).
    pub id: String,
    /// The document.
    pub source: Value,
    /// The timestamp field's value in nanoseconds since the epoch, if usable.
    pub timestamp_nanos: Option<i64>,
    /// The tiebreaker field's value, if any.
    pub tiebreaker: Option<Tiebreaker>,
}

/// A sequence or sample in a response: indices into the searched events (`None` is a
/// missing-event placeholder).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinedHit {
    /// The join-key values.
    pub join_keys: KeyTuple,
    /// The events, by index into the searched slice.
    pub events: Vec<Option<usize>>,
}

/// What a search returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchHits {
    /// An event query: indices of the matching events, ascending.
    Events(Vec<usize>),
    /// A sequence query's sequences, ascending.
    Sequences(Vec<JoinedHit>),
    /// A sample query's samples, in key order.
    Samples(Vec<JoinedHit>),
}

/// A search result with the counts of what happened on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchResponse {
    /// The results.
    pub hits: SearchHits,
    /// Matcher counts (events fed, completed, expired, evicted...).
    pub summary: MatchSummary,
    /// Documents left out of an event query or sequence for lack of a timestamp.
    pub without_timestamp: u64,
}

impl SearchResponse {
    /// The EQL search API body: `{"hits": {"total": .., "events" | "sequences": [..]}}`.
    pub fn to_json(&self, events: &[SearchEvent]) -> Value {
        let hit = |index: usize| {
            events.get(index).map_or(
                Value::Null,
                |event| json!({"_index": event.index, "_id": event.id, "_source": event.source}),
            )
        };
        let joined = |hits: &[JoinedHit]| -> Vec<Value> {
            hits.iter()
                .map(|joined| {
                    let list: Vec<Value> = joined
                        .events
                        .iter()
                        .map(|event| match event {
                            Some(index) => hit(*index),
                            None => {
                                json!({"_index": "", "_id": "", "_source": {}, "missing": true})
                            }
                        })
                        .collect();
                    let keys: Vec<Value> = joined.join_keys.iter().map(KeyValue::to_json).collect();
                    json!({"join_keys": keys, "events": list})
                })
                .collect()
        };
        let (name, list) = match &self.hits {
            SearchHits::Events(indices) => ("events", indices.iter().map(|&i| hit(i)).collect()),
            SearchHits::Sequences(hits) | SearchHits::Samples(hits) => ("sequences", joined(hits)),
        };
        let mut body = Map::new();
        body.insert("total".to_owned(), json!({"value": list.len(), "relation": "eq"}));
        body.insert(name.to_owned(), Value::Array(list));
        json!({"is_partial": false, "is_running": false, "timed_out": false, "hits": body})
    }
}

/// Runs the query `plan` with its result `pipes` (compiled against `fields`) over `events`.
pub fn search(
    fields: &FieldTable,
    plan: &EqlPlan,
    pipes: &[Pipe],
    options: &SearchOptions,
    events: &[SearchEvent],
) -> Result<SearchResponse, SequenceError> {
    let mut vm = Vm::new();
    match plan {
        EqlPlan::Event(stage) => {
            let (order, without_timestamp) = ordered(events);
            let mut window = ResultWindow::new(pipes, options.size, options.result_position);
            let mut summary = MatchSummary::default();
            for index in order {
                summary.events += 1;
                let mut view = EventView::new(fields, &events[index].source);
                if vm.matches(&stage.program, &mut view) {
                    summary.matched_events += 1;
                    summary.completed += 1;
                    window.push(index);
                    if window.is_full() {
                        break;
                    }
                }
            }
            Ok(SearchResponse {
                hits: SearchHits::Events(window.finish()),
                summary,
                without_timestamp,
            })
        }
        EqlPlan::Sequence(plan) => {
            let window = ResultWindow::new(pipes, options.size, options.result_position);
            let mut matcher = SequenceMatcher::new(Arc::new(plan.clone()), options.limits, window)?;
            let (order, without_timestamp) = ordered(events);
            for index in order {
                if matcher.is_done() {
                    break;
                }
                let event = &events[index];
                let mut view = EventView::new(fields, &event.source);
                let nanos = event.timestamp_nanos.unwrap_or_default();
                matcher.push(EventRef(index), nanos, &mut view, &mut vm);
            }
            let (found, summary) = matcher.finish();
            let hits = found
                .into_iter()
                .map(|m| JoinedHit {
                    join_keys: m.join_keys,
                    events: m.events.into_iter().map(|e| e.map(|EventRef(i)| i)).collect(),
                })
                .collect();
            Ok(SearchResponse { hits: SearchHits::Sequences(hits), summary, without_timestamp })
        }
        EqlPlan::Sample(plan) => {
            let mut matcher =
                SampleMatcher::new(plan, options.limits, options.max_samples_per_key)?;
            for (index, event) in events.iter().enumerate() {
                let mut view = EventView::new(fields, &event.source);
                matcher.push(EventRef(index), &event.index, &mut view, &mut vm);
            }
            // ES stops sampling once `size` samples are found (SampleIterator), so samples are
            // always taken from the start, whatever `result_position` says.
            let window = ResultWindow::new(pipes, options.size, ResultPosition::Head);
            let (found, summary) = matcher.finish(window);
            let hits = found
                .into_iter()
                .map(|m| JoinedHit {
                    join_keys: m.join_keys,
                    events: m.events.into_iter().map(|EventRef(i)| Some(i)).collect(),
                })
                .collect();
            Ok(SearchResponse { hits: SearchHits::Samples(hits), summary, without_timestamp: 0 })
        }
    }
}

/// Indices of the events with a timestamp in search order, and how many had none.
fn ordered(events: &[SearchEvent]) -> (Vec<usize>, u64) {
    let mut order: Vec<usize> =
        (0..events.len()).filter(|&i| events[i].timestamp_nanos.is_some()).collect();
    let without = (events.len() - order.len()) as u64;
    order.sort_by(|&a, &b| {
        let (left, right) = (&events[a], &events[b]);
        left.timestamp_nanos
            .cmp(&right.timestamp_nanos)
            .then_with(|| match (&left.tiebreaker, &right.tiebreaker) {
                (Some(x), Some(y)) => x.compare(y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| a.cmp(&b))
    });
    (order, without)
}
