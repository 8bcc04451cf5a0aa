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

use event_input::{InputEvent, MalformedLine};
use rule_sequence::{Limits, Tiebreaker};
use rule_vm::{EventView, FieldTable, Program, Vm};
use serde_json::{Map, Value, json};

use crate::engine::{event_id, event_index};
use crate::fields::{field_values, first_value, scalar_text};
use crate::rule::EventCategory;
use crate::sequence_rule::OrderKey;
use crate::timestamp::EventTime;

pub use rule_sequence::ResultPosition;

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
    /// Samples per join-key combination (sample queries; default 1).
    pub max_samples_per_key: usize,
    /// Caps on sequence and sample state.
    pub limits: Limits,
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
            max_samples_per_key: 1,
            limits: Limits::default(),
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

/// Runs the event query `program` (with its EQL `category`, compiled against `fields`) over
/// `input`.
pub fn search<I>(
    fields: &FieldTable,
    program: &Program,
    category: &EventCategory,
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
        if !category_matches(category, &options.event_category_field, &event.source) {
            continue;
        }
        let mut view = EventView::new(fields, &event.source);
        if !vm.matches(program, &mut view) {
            continue;
        }
        output.matched += 1;
        let Some(key) = search_order(options, &event.source, candidates.len()) else {
            output.without_timestamp += 1;
            continue;
        };
        let hit = Hit {
            index: event_index(&event, options.default_index.as_deref()).unwrap_or_default(),
            id: event_id(&event),
            source: event.source,
        };
        candidates.push((key, hit));
    }
    candidates.sort_by(|(left, _), (right, _)| left.cmp(right));
    let size = options.size.min(candidates.len());
    let chosen = match options.result_position {
        ResultPosition::Head => candidates.drain(..size).collect::<Vec<_>>(),
        ResultPosition::Tail => candidates.split_off(candidates.len() - size),
    };
    output.hits = chosen.into_iter().map(|(_, hit)| hit).collect();
    output
}

/// The event's place in the search order (timestamp field, tiebreaker field, `arrival`);
/// `None` without a usable timestamp.
pub(crate) fn search_order(
    options: &QueryOptions,
    document: &Value,
    arrival: usize,
) -> Option<OrderKey> {
    let time = first_value(document, &options.timestamp_field)
        .and_then(|value| EventTime::from_json(value).ok().flatten())?;
    let tiebreaker = options
        .tiebreaker_field
        .as_deref()
        .and_then(|field| first_value(document, field))
        .and_then(Tiebreaker::from_json);
    Some(OrderKey::new(time, tiebreaker, arrival))
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
