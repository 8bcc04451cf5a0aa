//! `warden query`: an EQL event query (or KQL) over events, answered like Elasticsearch's
//! EQL search API: hits `{"_index","_id","_source"}` in ascending order.
//!
//! Semantics from the EQL search API (eql.md §1.10): `size` (default 10) hits; events ordered
//! by the timestamp field in milliseconds, then by `tiebreaker_field` (events without a
//! tiebreaker value after those with one, eql.md §1.7), then input order (the implicit
//! shard-doc tiebreaker); `result_position: tail` (the default) returns the last `size`
//! matches, `head` the first, always listed in ascending order. EQL requires every searched
//! document to have a timestamp ("Required fields" in the EQL search docs): matches without
//! a usable one are left out and counted.

use std::cmp::Ordering;

use rule_vm::{EventView, FieldTable, Vm};
use serde_json::{Map, Value, json};

use crate::engine::{event_id, event_index};
use crate::fields::{field_values, first_value, scalar_text};
use crate::input::{InputEvent, MalformedLine};
use crate::rule::{CompiledQuery, EventCategory};
use crate::timestamp::EventTime;

/// Which end of the ordered matches is returned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResultPosition {
    /// The earliest matches.
    Head,
    /// The latest matches (Elasticsearch's default).
    #[default]
    Tail,
}

/// The search parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryOptions {
    /// Most hits returned (default 10).
    pub size: usize,
    /// Field holding the event time (default `@timestamp`).
    pub timestamp_field: String,
    /// Field breaking timestamp ties.
    pub tiebreaker_field: Option<String>,
    /// Field holding the event category (default `event.category`).
    pub event_category_field: String,
    /// Which end of the matches is returned.
    pub result_position: ResultPosition,
    /// Index of events that are not hits (`--index`).
    pub default_index: Option<String>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            size: 10,
            timestamp_field: "@timestamp".to_owned(),
            tiebreaker_field: None,
            event_category_field: "event.category".to_owned(),
            result_position: ResultPosition::Tail,
            default_index: None,
        }
    }
}

/// One search hit.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The event's index (empty when unknown).
    pub index: String,
    /// The hit's `_id`, else the event's line number.
    pub id: String,
    /// The event document.
    pub source: Value,
}

impl Hit {
    /// `{"_index": .., "_id": .., "_source": ..}`.
    pub fn to_json(&self) -> Value {
        let mut hit = Map::new();
        hit.insert("_index".to_owned(), json!(self.index));
        hit.insert("_id".to_owned(), json!(self.id));
        hit.insert("_source".to_owned(), self.source.clone());
        Value::Object(hit)
    }
}

/// The hits and what happened on the way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryOutput {
    /// Hits in ascending order.
    pub hits: Vec<Hit>,
    /// Events read.
    pub events_read: u64,
    /// Events the query matched (before `size`).
    pub matched: u64,
    /// Matching events left out for lack of a usable timestamp.
    pub without_timestamp: u64,
    /// Lines that were not events.
    pub malformed_lines: Vec<MalformedLine>,
}

/// A timestamp-tie breaker value: numbers sort before strings, as numbers.
#[derive(Clone, Debug, PartialEq)]
enum Tiebreaker {
    Number(f64),
    Text(String),
}

struct Candidate {
    millis: i64,
    tiebreaker: Option<Tiebreaker>,
    sequence: usize,
    hit: Hit,
}

/// Runs `query` (compiled against `fields`) over `input`.
pub fn search<I>(
    fields: &FieldTable,
    query: &CompiledQuery,
    options: &QueryOptions,
    input: I,
) -> QueryOutput
where
    I: IntoIterator<Item = Result<InputEvent, MalformedLine>>,
{
    let mut output = QueryOutput::default();
    let mut vm = Vm::new();
    let mut candidates = Vec::new();
    for item in input {
        let event = match item {
            Ok(event) => event,
            Err(malformed) => {
                output.malformed_lines.push(malformed);
                continue;
            }
        };
        output.events_read += 1;
        if !category_matches(&query.category, &options.event_category_field, &event.source) {
            continue;
        }
        let mut view = EventView::new(fields, &event.source);
        if !vm.matches(&query.program, &mut view) {
            continue;
        }
        output.matched += 1;
        let time = first_value(&event.source, &options.timestamp_field)
            .and_then(|value| EventTime::from_json(value).ok().flatten());
        let Some(time) = time else {
            output.without_timestamp += 1;
            continue;
        };
        let tiebreaker = options
            .tiebreaker_field
            .as_deref()
            .and_then(|field| first_value(&event.source, field))
            .and_then(tiebreaker_of);
        let hit = Hit {
            index: event_index(&event, options.default_index.as_deref()).unwrap_or_default(),
            id: event_id(&event),
            source: event.source,
        };
        candidates.push(Candidate {
            millis: time.as_millis(),
            tiebreaker,
            sequence: candidates.len(),
            hit,
        });
    }
    candidates.sort_by(compare);
    let size = options.size.min(candidates.len());
    let chosen = match options.result_position {
        ResultPosition::Head => candidates.drain(..size).collect::<Vec<_>>(),
        ResultPosition::Tail => candidates.split_off(candidates.len() - size),
    };
    output.hits = chosen.into_iter().map(|candidate| candidate.hit).collect();
    output
}

/// The EQL category gate: `any` passes everything; a named category must be one of the
/// category field's values, exactly.
fn category_matches(category: &EventCategory, field: &str, document: &Value) -> bool {
    match category {
        EventCategory::Any => true,
        EventCategory::Named(name) => field_values(document, field)
            .into_iter()
            .any(|value| scalar_text(value).as_deref() == Some(name.as_str())),
    }
}

fn tiebreaker_of(value: &Value) -> Option<Tiebreaker> {
    match value {
        Value::Number(number) => number.as_f64().map(Tiebreaker::Number),
        other => scalar_text(other).map(Tiebreaker::Text),
    }
}

/// Timestamp, then tiebreaker (missing last), then input order.
fn compare(left: &Candidate, right: &Candidate) -> Ordering {
    left.millis
        .cmp(&right.millis)
        .then_with(|| match (&left.tiebreaker, &right.tiebreaker) {
            (Some(a), Some(b)) => compare_tiebreakers(a, b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| left.sequence.cmp(&right.sequence))
}

fn compare_tiebreakers(left: &Tiebreaker, right: &Tiebreaker) -> Ordering {
    match (left, right) {
        (Tiebreaker::Number(a), Tiebreaker::Number(b)) => a.total_cmp(b),
        (Tiebreaker::Number(_), Tiebreaker::Text(_)) => Ordering::Less,
        (Tiebreaker::Text(_), Tiebreaker::Number(_)) => Ordering::Greater,
        (Tiebreaker::Text(a), Tiebreaker::Text(b)) => a.cmp(b),
    }
}
