//! `search`: EQL search API ordering, `size`, `result_position`, tiebreakers and ids.

use event_input::NdjsonReader;
use rule_engine::{EventCategory, QueryOptions, ResultPosition, search};
use rule_vm::{CaseMode, FieldTable, Instr, Program, ProgramBuilder, StrMatcher, Test};
use serde_json::json;

fn process_query(fields: &mut FieldTable) -> (Program, EventCategory) {
    let field = fields.intern("process.name");
    let mut builder = ProgramBuilder::new();
    let matcher = builder.add_matcher(StrMatcher::glob("*.exe", false, CaseMode::Insensitive));
    builder.emit(Instr::Test { field, test: Test::Matches { matcher } }, (0, 1));
    (builder.finish().expect("valid program"), EventCategory::Named("process".to_owned()))
}

fn events() -> String {
    let lines = [
        json!({"@timestamp": "2025-01-01T00:00:03Z", "event": {"category": "process", "sequence": 2}, "process": {"name": "c.exe"}}),
        json!({"_index": "logs-x", "_id": "h1", "_source": {"@timestamp": 1_735_689_601_000_i64, "event": {"category": "process"}, "process": {"name": "a.exe"}}}),
        json!({"@timestamp": "2025-01-01T00:00:03Z", "event": {"category": "process", "sequence": 1}, "process": {"name": "b.exe"}}),
        json!({"@timestamp": "2025-01-01T00:00:03Z", "event": {"category": "process"}, "process": {"name": "d.exe"}}),
        json!({"event": {"category": "process"}, "process": {"name": "no-time.exe"}}),
        json!({"@timestamp": "2025-01-01T00:00:09Z", "event": {"category": "file"}, "process": {"name": "file.exe"}}),
        json!({"@timestamp": "2025-01-01T00:00:10Z", "event": {"category": "process"}, "process": {"name": "x.dll"}}),
    ];
    lines.iter().map(|line| line.to_string() + "\n").collect::<String>() + "garbage\n"
}

fn names(hits: &[rule_engine::Hit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.source["process"]["name"].as_str().unwrap_or_default()).collect()
}

#[test]
fn ordered_by_timestamp_then_tiebreaker_then_input() {
    let mut fields = FieldTable::new();
    let (program, category) = process_query(&mut fields);
    let options = QueryOptions {
        tiebreaker_field: Some("event.sequence".to_owned()),
        ..QueryOptions::default()
    };
    let text = events();
    let output = search(&fields, &program, &category, &options, NdjsonReader::new(text.as_bytes()));
    assert_eq!(names(&output.hits), vec!["a.exe", "b.exe", "c.exe", "d.exe"]);
    assert_eq!((output.events_read, output.matched, output.without_timestamp), (7, 5, 1));
    assert_eq!(output.malformed_lines.len(), 1);
    assert_eq!(
        output.hits[0].to_json(),
        json!({"_index": "logs-x", "_id": "h1", "_source": output.hits[0].source})
    );
    assert_eq!((output.hits[1].index.as_str(), output.hits[1].id.as_str()), ("", "3"));
}

#[test]
fn size_with_head_and_tail() {
    let mut fields = FieldTable::new();
    let (program, category) = process_query(&mut fields);
    let text = events();
    let tail = QueryOptions { size: 2, ..QueryOptions::default() };
    let output = search(&fields, &program, &category, &tail, NdjsonReader::new(text.as_bytes()));
    // Without a tiebreaker, equal timestamps keep input order: c, b, d.
    assert_eq!(names(&output.hits), vec!["b.exe", "d.exe"]);
    let head =
        QueryOptions { size: 2, result_position: ResultPosition::Head, ..QueryOptions::default() };
    let output = search(&fields, &program, &category, &head, NdjsonReader::new(text.as_bytes()));
    assert_eq!(names(&output.hits), vec!["a.exe", "c.exe"]);
    let all = QueryOptions { size: 100, ..QueryOptions::default() };
    assert_eq!(
        search(&fields, &program, &category, &all, NdjsonReader::new(text.as_bytes())).hits.len(),
        4
    );
}

#[test]
fn category_field_and_timestamp_field_are_configurable() {
    let mut fields = FieldTable::new();
    let (program, category) = process_query(&mut fields);
    let line =
        json!({"ts": "2025-01-01T00:00:00Z", "kind": "process", "process": {"name": "z.exe"}});
    let text = format!("{line}\n");
    let options = QueryOptions {
        timestamp_field: "ts".to_owned(),
        event_category_field: "kind".to_owned(),
        ..QueryOptions::default()
    };
    let output = search(&fields, &program, &category, &options, NdjsonReader::new(text.as_bytes()));
    assert_eq!(names(&output.hits), vec!["z.exe"]);
    let defaults = search(
        &fields,
        &program,
        &category,
        &QueryOptions::default(),
        NdjsonReader::new(text.as_bytes()),
    );
    assert!(defaults.hits.is_empty());
}
