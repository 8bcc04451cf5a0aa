//! Shared helpers: compile an EQL query, build small event streams, read results as ids.

#![allow(dead_code, reason = "each test binary uses a different subset of the helpers")]

use rule_compiler::{Compiler, EqlOptions};
use rule_sequence::{SearchEvent, SearchHits, SearchOptions, SearchResponse, search};
use serde_json::{Value, json};

/// An event of `category` at `ms` with `id` and extra fields.
pub(crate) fn event(id: i64, ms: i64, category: &str, fields: &Value) -> SearchEvent {
    let mut source = json!({"event": {"category": category}, "id": id});
    if let (Some(target), Some(extra)) = (source.as_object_mut(), fields.as_object()) {
        for (name, value) in extra {
            target.insert(name.clone(), value.clone());
        }
    }
    SearchEvent {
        index: "test".to_owned(),
        id: id.to_string(),
        source,
        timestamp_nanos: Some(ms * 1_000_000),
        tiebreaker: None,
    }
}

/// Runs `query` over `events` with `options`.
pub(crate) fn run_with(
    query: &str,
    events: &[SearchEvent],
    options: &SearchOptions,
) -> SearchResponse {
    let parsed = eql_syntax::parse(query).expect("test query parses");
    let mut eql = Compiler::new();
    let compiled = eql.compile_eql(&parsed, &EqlOptions::default()).expect("test query compiles");
    search(eql.fields(), &compiled.plan, &compiled.pipes, options, events).expect("plan runs")
}

/// The results as lists of ids (-1 for a missing-event placeholder) and rendered keys.
pub(crate) fn ids_and_keys(
    response: &SearchResponse,
    events: &[SearchEvent],
) -> Vec<(Vec<i64>, Vec<String>)> {
    let id =
        |index: Option<usize>| index.and_then(|i| events[i].source["id"].as_i64()).unwrap_or(-1);
    match &response.hits {
        SearchHits::Events(list) => list.iter().map(|&i| (vec![id(Some(i))], Vec::new())).collect(),
        SearchHits::Sequences(hits) | SearchHits::Samples(hits) => hits
            .iter()
            .map(|hit| {
                (
                    hit.events.iter().map(|&e| id(e)).collect(),
                    hit.join_keys.iter().map(ToString::to_string).collect(),
                )
            })
            .collect(),
    }
}

/// Runs with default options but `size = 50`, and returns only the id lists.
pub(crate) fn ids(query: &str, events: &[SearchEvent]) -> Vec<Vec<i64>> {
    let options = SearchOptions { size: 50, ..SearchOptions::default() };
    let response = run_with(query, events, &options);
    ids_and_keys(&response, events).into_iter().map(|(ids, _)| ids).collect()
}

/// Runs with `size = 50` and returns ids and keys.
pub(crate) fn ids_keys(query: &str, events: &[SearchEvent]) -> Vec<(Vec<i64>, Vec<String>)> {
    let options = SearchOptions { size: 50, ..SearchOptions::default() };
    ids_and_keys(&run_with(query, events, &options), events)
}
