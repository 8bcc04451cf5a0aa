//! `warden query` for EQL sequences and samples: the events any term can use are read into
//! `rule_sequence::SearchEvent`s and answered by `rule_sequence::search`, one result per line
//! as the EQL search API returns it: `{"join_keys": [...], "events": [hits]}`, a missing-event
//! placeholder being `{"_index": "", "_id": "", "_source": {}, "missing": true}`.
//!
//! Only events that match some term (or `until`) are kept: the others cannot be part of a
//! result nor change the state machine. Timestamps are whole milliseconds (`date` fields),
//! as in the search order of event queries.

use event_input::{InputEvent, MalformedLine};
use rule_sequence::{
    EqlPlan, MatchSummary, Pipe, SearchEvent, SearchOptions, SequenceError, Stage,
};
use rule_vm::{EventView, FieldTable, Vm};
use serde_json::Value;

use crate::engine::{event_id, event_index};
use crate::query::{QueryOptions, search_order};
use crate::sequence_rule::OrderKey;

/// The sequences or samples found and what happened on the way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JoinedOutput {
    /// One `{"join_keys": [...], "events": [...]}` object per sequence or sample, in the
    /// order Elasticsearch lists them.
    pub results: Vec<Value>,
    /// Events read.
    pub events_read: u64,
    /// Events some term (or `until`) matched.
    pub matched: u64,
    /// Matched events left out of a sequence for lack of a usable timestamp.
    pub without_timestamp: u64,
    /// The state machine's counts (completed, expired, evicted...).
    pub summary: MatchSummary,
    /// Lines that were not events.
    pub malformed_lines: Vec<MalformedLine>,
}

/// Runs the sequence or sample query `plan` with its result `pipes` (compiled against `fields`)
/// over `input`.
pub fn search_joined<I>(
    fields: &FieldTable,
    plan: &EqlPlan,
    pipes: &[Pipe],
    options: &QueryOptions,
    input: I,
) -> Result<JoinedOutput, SequenceError>
where
    I: IntoIterator<Item = Result<InputEvent, MalformedLine>>,
{
    let stages: Vec<&Stage> = match plan {
        EqlPlan::Sequence(plan) => plan.stages.iter().chain(&plan.until).collect(),
        EqlPlan::Sample(plan) => plan.stages.iter().collect(),
        EqlPlan::Event(stage) => vec![stage],
    };
    let mut output = JoinedOutput::default();
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
    output.summary = response.summary;
    let mut body = response.to_json(&events);
    if let Some(Value::Array(results)) = body.pointer_mut("/hits/sequences").map(Value::take) {
        output.results = results;
    }
    Ok(output)
}
