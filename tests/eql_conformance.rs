//! Elasticsearch's EQL QA specs (`shared/conformance/eql-es`) run end to end: parse, compile
//! (rule-compiler), search (rule-sequence) over the spec's data, and compare event ids and
//! join keys the way ES's Java harness does (see that folder's README).
//!
//! Each spec runs twice, with `result_position` `head` and `tail` (ES picks one at random,
//! so the expected results must not depend on it); it passes only if both agree with the
//! expectation. Specs known to fail are listed with a reason in
//! `eql_conformance_known_failures.toml`; the test fails when a spec outside that list fails
//! or a listed spec passes, so the list stays true.

#![allow(clippy::print_stdout, reason = "the runner reports `N passed, M failed`")]

#[path = "support/bare_nulls.rs"]
mod bare_nulls;

use bare_nulls::quote_bare_nulls;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use field_schema::Schema;
use rule_compiler::{Compiler, EqlOptions, SchemaOptions};
use rule_engine::EventTime;
use rule_engine::fields::field_values;
use rule_sequence::{ResultPosition, SearchEvent, SearchHits, SearchOptions, Tiebreaker, search};
use serde_json::Value;

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/eql-es")
}

/// One index of test data: its documents as stored, and its mapping (aliases, types,
/// `null_value`s and date formats come from the mapping at compile time, as in ES).
struct Index {
    name: &'static str,
    schema: Schema,
    documents: Vec<Value>,
}

/// A spec file run against a data set (README "Which spec runs against which data").
struct Suite {
    label: &'static str,
    files: &'static [&'static str],
    indices: &'static [(&'static str, &'static str, &'static str)],
    id_field: &'static str,
    tiebreaker: bool,
}

const SUITES: &[Suite] = &[
    Suite {
        label: "endgame-140",
        files: &["test_queries.toml", "additional_test_queries.toml", "test_queries_date.toml"],
        indices: &[("endgame-140", "endgame-140.mapping", "endgame-140.data.json")],
        id_field: "serial_event_id",
        tiebreaker: true,
    },
    Suite {
        label: "endgame-140-nanos",
        files: &["test_queries_date_nanos.toml", "test_queries.toml"],
        indices: &[(
            "endgame-140-nanos",
            "endgame-140-nanos.mapping",
            "endgame-140-nanos.data.json",
        )],
        id_field: "serial_event_id",
        tiebreaker: true,
    },
    Suite {
        label: "extra",
        files: &["test_extra.toml"],
        indices: &[("extra", "extra.mapping", "extra.data")],
        id_field: "sequence",
        tiebreaker: true,
    },
    Suite {
        label: "missing-events",
        files: &["test_missing_events.toml"],
        indices: &[("missing-events", "missing-events.mapping", "missing-events.data")],
        id_field: "sequence",
        tiebreaker: true,
    },
    Suite {
        label: "sample",
        files: &["test_sample.toml"],
        indices: &[
            ("sample1", "sample1.mapping", "sample1.data"),
            ("sample2", "sample2.mapping", "sample2.data"),
            ("sample3", "sample3.mapping", "sample3.data"),
        ],
        id_field: "id",
        tiebreaker: false,
    },
    Suite {
        label: "sample-multi",
        files: &["test_sample_multi.toml"],
        indices: &[("sample-multi", "sample-multi.mapping", "sample-multi.data")],
        id_field: "id",
        tiebreaker: false,
    },
];

/// Reads a data file the way ES's `DataLoader` does: lines starting with `//` (comments the
/// ES JSON parser accepts) are dropped.
fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let kept: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| line.to_owned() + "\n")
        .collect();
    serde_json::from_str(&kept).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads one index: the mapping with field-schema's QA loader (comment lines dropped, the
/// random string type read as `keyword`), the documents as they are.
fn load_index(name: &'static str, mapping_file: &str, data_file: &str) -> Index {
    let data = spec_dir().join("data");
    let mapping_path = data.join(mapping_file);
    let mapping_text = std::fs::read_to_string(&mapping_path)
        .unwrap_or_else(|e| panic!("{}: {e}", mapping_path.display()));
    let schema = Schema::from_es_qa_mapping(mapping_file, &mapping_text)
        .unwrap_or_else(|e| panic!("{mapping_file}: {e}"));
    let Value::Array(documents) = read_json(&data.join(data_file)) else {
        panic!("{data_file}: expected a JSON array of documents");
    };
    Index { name, schema, documents }
}

/// One `[[queries]]` entry.
struct Spec {
    name: String,
    query: String,
    /// Acceptable id lists (one unless the spec lists alternatives).
    expected: Vec<Vec<i64>>,
    join_keys: Vec<String>,
    size: Option<usize>,
    max_samples_per_key: Option<usize>,
}

fn load_specs(file: &str) -> Vec<Spec> {
    let path = spec_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let table: toml::Table =
        quote_bare_nulls(&text).parse().unwrap_or_else(|e| panic!("{file}: {e}"));
    let queries = table.get("queries").and_then(toml::Value::as_array).expect("[[queries]]");
    queries
        .iter()
        .map(|spec| {
            let text = |key: &str| spec.get(key).and_then(toml::Value::as_str).map(str::to_owned);
            let number = |key: &str| {
                spec.get(key)
                    .and_then(toml::Value::as_integer)
                    .map(|n| usize::try_from(n).expect("a non-negative count"))
            };
            let ids = spec.get("expected_event_ids").and_then(toml::Value::as_array);
            let ids = ids.map(Vec::as_slice).unwrap_or_default();
            let expected = if ids.first().is_some_and(toml::Value::is_array) {
                ids.iter()
                    .map(|alt| id_list(alt.as_array().map(Vec::as_slice).unwrap_or_default()))
                    .collect()
            } else {
                vec![id_list(ids)]
            };
            let join_keys = spec
                .get("join_keys")
                .and_then(toml::Value::as_array)
                .map(|keys| {
                    keys.iter()
                        .map(|key| key.as_str().map_or_else(|| key.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            Spec {
                name: text("name").expect("every spec has a name"),
                query: text("query").expect("every spec has a query").trim().to_owned(),
                expected,
                join_keys,
                size: number("size"),
                max_samples_per_key: number("max_samples_per_key"),
            }
        })
        .collect()
}

fn id_list(values: &[toml::Value]) -> Vec<i64> {
    values.iter().map(|v| v.as_integer().expect("event ids are integers")).collect()
}

/// The searched events of a suite, in load order, with timestamps and tiebreakers.
fn search_events(suite: &Suite, indices: &[Index]) -> Vec<SearchEvent> {
    let mut events = Vec::new();
    for index in indices {
        for (position, document) in index.documents.iter().enumerate() {
            let timestamp_nanos = field_values(document, "@timestamp")
                .first()
                .and_then(|value| EventTime::from_json(value).ok().flatten())
                .map(EventTime::as_nanos);
            let tiebreaker = if suite.tiebreaker {
                field_values(document, suite.id_field)
                    .first()
                    .and_then(|v| Tiebreaker::from_json(v))
            } else {
                None
            };
            events.push(SearchEvent {
                index: index.name.to_owned(),
                id: position.to_string(),
                source: document.clone(),
                timestamp_nanos,
                tiebreaker,
            });
        }
    }
    events
}

/// Runs one spec with one result position: `Ok(())` or what differed.
fn run_spec(
    spec: &Spec,
    suite: &Suite,
    indices: &[Index],
    events: &[SearchEvent],
    position: ResultPosition,
) -> Result<(), String> {
    let parsed = eql_syntax::parse(&spec.query).map_err(|e| format!("parse: {e}"))?;
    let mut eql = Compiler::new();
    // The searched indices' mappings merged (ES merges field caps across indices), plus each
    // index's own mapping for the date formats of join keys.
    let mut merged = Schema::new();
    for index in indices {
        merged.overlay(&index.schema);
    }
    let per_index: Vec<(&str, &Schema)> = indices.iter().map(|i| (i.name, &i.schema)).collect();
    let types = SchemaOptions { schema: Some(&merged), now: None, index_schemas: &per_index };
    let compiled = eql
        .compile_eql_typed(&parsed, &EqlOptions::default(), &types)
        .map_err(|e| format!("compile: {e}"))?;
    let options = SearchOptions {
        size: spec.size.unwrap_or(50),
        result_position: position,
        max_samples_per_key: spec.max_samples_per_key.unwrap_or(1),
        ..SearchOptions::default()
    };
    let response = search(eql.fields(), &compiled.plan, &compiled.pipes, &options, events)
        .map_err(|e| format!("search: {e}"))?;
    let id_of = |index: Option<usize>| -> i64 {
        index
            .and_then(|i| {
                field_values(&events[i].source, suite.id_field).first().and_then(|v| v.as_i64())
            })
            .unwrap_or(-1)
    };
    let (ids, keys): (Vec<i64>, Vec<String>) = match &response.hits {
        SearchHits::Events(list) => (list.iter().map(|&i| id_of(Some(i))).collect(), Vec::new()),
        SearchHits::Sequences(hits) | SearchHits::Samples(hits) => (
            hits.iter().flat_map(|h| h.events.iter().map(|&e| id_of(e))).collect(),
            hits.iter().flat_map(|h| h.join_keys.iter().map(ToString::to_string)).collect(),
        ),
    };
    if !spec.expected.contains(&ids) {
        return Err(format!("ids {ids:?}, expected {:?}", spec.expected));
    }
    if !spec.join_keys.is_empty() && keys != spec.join_keys {
        return Err(format!("join keys {keys:?}, expected {:?}", spec.join_keys));
    }
    Ok(())
}

/// `suite/name` -> reason, from the known-failures file.
fn known_failures() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("eql_conformance_known_failures.toml");
    let text = std::fs::read_to_string(&path).expect("known-failures file is readable");
    let table: toml::Table = text.parse().expect("known-failures file is TOML");
    let mut known = BTreeMap::new();
    for entry in table.get("failure").and_then(toml::Value::as_array).into_iter().flatten() {
        let field = |key: &str| entry.get(key).and_then(toml::Value::as_str).unwrap_or_default();
        let reason = field("reason");
        assert!(!reason.is_empty(), "every known failure has a reason: {entry}");
        let id = format!("{}/{}", field("suite"), field("name"));
        assert!(known.insert(id.clone(), reason.to_owned()).is_none(), "listed twice: {id}");
    }
    known
}

#[test]
fn elasticsearch_eql_qa_specs() {
    let known = known_failures();
    let mut seen = BTreeSet::new();
    let (mut total_passed, mut total_failed) = (0usize, 0usize);
    let mut unexpected = String::new();
    for suite in SUITES {
        let indices: Vec<Index> = suite
            .indices
            .iter()
            .map(|&(name, mapping, data)| load_index(name, mapping, data))
            .collect();
        let events = search_events(suite, &indices);
        for file in suite.files {
            let (mut passed, mut failed) = (0usize, 0usize);
            for spec in load_specs(file) {
                let id = format!("{}/{}", suite.label, spec.name);
                seen.insert(id.clone());
                let outcome = run_spec(&spec, suite, &indices, &events, ResultPosition::Head)
                    .and_then(|()| run_spec(&spec, suite, &indices, &events, ResultPosition::Tail));
                match (outcome, known.get(&id)) {
                    (Ok(()), None) => passed += 1,
                    (Ok(()), Some(_)) => {
                        passed += 1;
                        let _ = writeln!(
                            unexpected,
                            "{id} ({file}): passes but is listed as a known failure"
                        );
                    }
                    (Err(_), Some(_)) => failed += 1,
                    (Err(why), None) => {
                        failed += 1;
                        let _ = writeln!(
                            unexpected,
                            "{id} ({file}): {why}\n    {}",
                            spec.query.replace('\n', "\n    ")
                        );
                    }
                }
            }
            println!("{}/{file}: {passed} passed, {failed} failed", suite.label);
            total_passed += passed;
            total_failed += failed;
        }
    }
    println!("EQL QA specs overall: {total_passed} passed, {total_failed} failed");
    for id in known.keys().filter(|id| !seen.contains(*id)) {
        let _ = writeln!(unexpected, "{id}: listed as a known failure but no such spec ran");
    }
    assert!(unexpected.is_empty(), "unexpected results:\n{unexpected}");
}

#[test]
fn bare_nulls_are_quoted_outside_queries() {
    let text = "join_keys = [null, \"null\"]\nquery = '''\n  x where a == null\n'''\n";
    let quoted = quote_bare_nulls(text);
    assert!(quoted.contains("join_keys = [\"null\", \"null\"]"), "{quoted}");
    assert!(quoted.contains("x where a == null"), "{quoted}");
}

#[test]
fn mappings_load_with_aliases_and_null_values() {
    let index = load_index("extra", "extra.mapping", "extra.data");
    assert_eq!(index.schema.alias_target("event.category"), Some("event_type"));
    assert_eq!(index.schema.alias_target("event.sequence"), Some("sequence"));
    let spec = index.schema.get("optional_field_default_null").expect("mapped");
    assert_eq!(spec.null_value, Some(Value::from("NULL")));
    assert!(index.documents[0].get("event.category").is_none(), "documents stay as stored");
}
