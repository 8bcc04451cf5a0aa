//! The search behind `warden query`: a compiled query over events, answered like
//! Elasticsearch's EQL search API by [`rule_sequence::search`], the one implementation of
//! event queries, sequences and samples (with `| head` / `| tail`, `size`,
//! `result_position`). This module reads the input into [`SearchEvent`]s (only those some
//! term or `until` matches: the others cannot be part of a result nor change the state
//! machine) and hands back hits or joined results.
//!
//! Search order (eql.md §1.7-1.10): the timestamp field in whole milliseconds, then
//! `tiebreaker_field` (events without one after those with one), then input order (the
//! implicit shard-doc tiebreaker). EQL requires every searched document to have a timestamp
//! ("Required fields" in the EQL search docs): event queries and sequences leave matches
//! without a usable one out and count them; samples need none.

use event_input::{InputEvent, MalformedLine};
use rule_sequence::{
    EqlPlan, Limits, MatchSummary, Pipe, SearchEvent, SearchHits, SearchOptions, SequenceError,
    Stage, Tiebreaker,
};
use rule_vm::{EventView, FieldTable, Vm};
use serde_json::{Map, Value, json};

use crate::engine::{event_id, event_index};
use crate::fields::first_value;
use crate::sequence_rule::OrderKey;
use crate::timestamp::EventTime;

pub use rule_sequence::ResultPosition;

/// The search parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryOptions {
    /// Most hits, sequences or samples returned (default 10).
    pub size: usize,
    /// Field holding the event time (default `@timestamp`).
    pub timestamp_field: String,
    /// Field breaking timestamp ties.
    pub tiebreaker_field: Option<String>,
    /// Which end of the results is returned.
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

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryResults {
    /// An event query's hits, in ascending order.
    Hits(Vec<Hit>),
    /// Sequences or samples, each `{"join_keys": [...], "events": [hits]}` in the order
    /// Elasticsearch lists them; a missing-event placeholder is
    /// `{"_index": "", "_id": "", "_source": {}, "missing": true}`.
    Joined(Vec<Value>),
}

impl Default for QueryResults {
    fn default() -> Self {
        QueryResults::Hits(Vec::new())
    }
}

/// The results and what happened on the way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryOutput {
    /// The hits, sequences or samples.
    pub results: QueryResults,
    /// Events read.
    pub events_read: u64,
    /// Events some term (or `until`) matched, before `size`.
    pub matched: u64,
    /// Matched events left out for lack of a usable timestamp.
    pub without_timestamp: u64,
    /// The state machine's counts (completed, expired, evicted...).
    pub summary: MatchSummary,
    /// Lines that were not events.
    pub malformed_lines: Vec<MalformedLine>,
}

/// Runs the query `plan` with its `pipes` (compiled against `fields`) over `input`.
pub fn search<I>(
    fields: &FieldTable,
    plan: &EqlPlan,
    pipes: &[Pipe],
    options: &QueryOptions,
    input: I,
) -> Result<QueryOutput, SequenceError>
where
    I: IntoIterator<Item = Result<InputEvent, MalformedLine>>,
{
    let stages: Vec<&Stage> = match plan {
        EqlPlan::Sequence(plan) => plan.stages.iter().chain(&plan.until).collect(),
        EqlPlan::Sample(plan) => plan.stages.iter().collect(),
        EqlPlan::Event(stage) => vec![stage],
    };
    let mut output = QueryOutput::default();
    let mut vm = Vm::new();
    let mut events = Vec::new();
    for item in input {
        let event = match item {
            Ok(event) => event,
            Err(malformed) => {
                output.malformed_lines.push(malformed);
                continue;
            }
        };
        output.events_read += 1;
        let mut view = EventView::new(fields, &event.source);
        if !stages.iter().any(|stage| vm.matches(&stage.program, &mut view)) {
            continue;
        }
        output.matched += 1;
        let order = search_order(options, &event.source, events.len());
        events.push(SearchEvent {
            index: event_index(&event, options.default_index.as_deref()).unwrap_or_default(),
            id: event_id(&event),
            timestamp_nanos: order.as_ref().map(OrderKey::nanos),
            tiebreaker: order.and_then(|key| key.tiebreaker().cloned()),
            source: event.source,
        });
    }
    let search_options = SearchOptions {
        size: options.size,
        result_position: options.result_position,
        max_samples_per_key: options.max_samples_per_key,
        limits: options.limits,
    };
    let response = rule_sequence::search(fields, plan, pipes, &search_options, &events)?;
    output.without_timestamp = response.without_timestamp;
    output.results = match &response.hits {
        SearchHits::Events(chosen) => QueryResults::Hits(
            chosen
                .iter()
                .map(|&at| {
                    let event = &mut events[at];
                    Hit {
                        index: std::mem::take(&mut event.index),
                        id: std::mem::take(&mut event.id),
                        source: event.source.take(),
                    }
                })
                .collect(),
        ),
        SearchHits::Sequences(_) | SearchHits::Samples(_) => {
            let mut body = response.to_json(&events);
            match body.pointer_mut("/hits/sequences").map(Value::take) {
                Some(Value::Array(results)) => QueryResults::Joined(results),
                _ => QueryResults::Joined(Vec::new()),
            }
        }
    };
    output.summary = response.summary;
    Ok(output)
}

/// The event's place in the search order (timestamp field, tiebreaker field, `arrival`);
/// `None` without a usable timestamp.
fn search_order(options: &QueryOptions, document: &Value, arrival: usize) -> Option<OrderKey> {
    let time = first_value(document, &options.timestamp_field)
        .and_then(|value| EventTime::from_json(value).ok().flatten())?;
    let tiebreaker = options
        .tiebreaker_field
        .as_deref()
        .and_then(|field| first_value(document, field))
        .and_then(Tiebreaker::from_json);
    Some(OrderKey::new(time, tiebreaker, arrival))
}
