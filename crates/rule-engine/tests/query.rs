//! `search`: EQL search API ordering, `size`, `result_position`, `| head` / `| tail`,
//! tiebreakers and ids.

use event_input::NdjsonReader;
use rule_compiler::{CompiledEql, Compiler, EqlOptions};
use rule_engine::{Hit, QueryOptions, QueryOutput, QueryResults, ResultPosition, search};
use rule_vm::FieldTable;
use serde_json::json;

fn compile(query: &str, category_field: &str) -> (FieldTable, CompiledEql) {
    let parsed = eql_syntax::parse(query).expect("the query parses");
    let mut compiler = Compiler::new();
    let options = EqlOptions { category_field: category_field.to_owned() };
    let eql = compiler.compile_eql(&parsed, &options).expect("the query compiles");
    (compiler.into_fields(), eql)
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

fn run(query: &str, options: &QueryOptions) -> QueryOutput {
    let (fields, compiled) = compile(query, "event.category");
    let text = events();
    search(&fields, &compiled.plan, &compiled.pipes, options, NdjsonReader::new(text.as_bytes()))
        .expect("searches")
}

fn hits(output: &QueryOutput) -> &[Hit] {
    match &output.results {
        QueryResults::Hits(hits) => hits,
        QueryResults::Joined(_) => panic!("an event query answers with hits"),
    }
}

fn names(output: &QueryOutput) -> Vec<&str> {
    hits(output)
        .iter()
        .map(|hit| hit.source["process"]["name"].as_str().unwrap_or_default())
        .collect()
}

const EXE: &str = r#"process where process.name : "*.exe""#;

#[test]
fn ordered_by_timestamp_then_tiebreaker_then_input() {
    let options = QueryOptions {
        tiebreaker_field: Some("event.sequence".to_owned()),
        ..QueryOptions::default()
    };
    let output = run(EXE, &options);
    assert_eq!(names(&output), vec!["a.exe", "b.exe", "c.exe", "d.exe"]);
    assert_eq!((output.events_read, output.matched, output.without_timestamp), (7, 5, 1));
    assert_eq!(output.malformed_lines.len(), 1);
    let first = &hits(&output)[0];
    assert_eq!(first.to_json(), json!({"_index": "logs-x", "_id": "h1", "_source": first.source}));
    let second = &hits(&output)[1];
    assert_eq!((second.index.as_str(), second.id.as_str()), ("", "3"));
}

#[test]
fn size_with_head_and_tail() {
    let tail = QueryOptions { size: 2, ..QueryOptions::default() };
    // Without a tiebreaker, equal timestamps keep input order: c, b, d.
    assert_eq!(names(&run(EXE, &tail)), vec!["b.exe", "d.exe"]);
    let head =
        QueryOptions { size: 2, result_position: ResultPosition::Head, ..QueryOptions::default() };
    assert_eq!(names(&run(EXE, &head)), vec!["a.exe", "c.exe"]);
    let all = QueryOptions { size: 100, ..QueryOptions::default() };
    assert_eq!(hits(&run(EXE, &all)).len(), 4);
}

/// Pipes take their events from the ordered matches, then `size` and `result_position`
/// apply to what the pipes kept (eql.md §1.10).
#[test]
fn head_and_tail_pipes_answer_with_hits() {
    let options = QueryOptions::default();
    assert_eq!(names(&run(&format!("{EXE} | head 1"), &options)), vec!["a.exe"]);
    assert_eq!(names(&run(&format!("{EXE} | tail 2"), &options)), vec!["b.exe", "d.exe"]);
    assert_eq!(names(&run(&format!("{EXE} | head 3 | tail 2"), &options)), vec!["c.exe", "b.exe"]);
    let small = QueryOptions { size: 1, result_position: ResultPosition::Head, ..options };
    assert_eq!(names(&run(&format!("{EXE} | tail 2"), &small)), vec!["b.exe"]);
}

#[test]
fn sequences_answer_with_joined_results() {
    let query = r#"sequence [process where process.name == "a.exe"] [process where true]"#;
    let output = run(query, &QueryOptions::default());
    let QueryResults::Joined(results) = &output.results else { panic!("sequences are joined") };
    assert_eq!(results.len(), 1);
    let ids: Vec<&str> = results[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["h1", "1"]);
}

#[test]
fn category_field_and_timestamp_field_are_configurable() {
    let line =
        json!({"ts": "2025-01-01T00:00:00Z", "kind": "process", "process": {"name": "z.exe"}});
    let text = format!("{line}\n");
    let options = QueryOptions { timestamp_field: "ts".to_owned(), ..QueryOptions::default() };
    let (fields, compiled) = compile(EXE, "kind");
    let output = search(
        &fields,
        &compiled.plan,
        &compiled.pipes,
        &options,
        NdjsonReader::new(text.as_bytes()),
    )
    .unwrap();
    assert_eq!(names(&output), vec!["z.exe"]);
    let (fields, compiled) = compile(EXE, "event.category");
    let output = search(
        &fields,
        &compiled.plan,
        &compiled.pipes,
        &options,
        NdjsonReader::new(text.as_bytes()),
    )
    .unwrap();
    assert!(hits(&output).is_empty());
    let (fields, compiled) = compile(EXE, "kind");
    let defaults = QueryOptions::default();
    let output = search(
        &fields,
        &compiled.plan,
        &compiled.pipes,
        &defaults,
        NdjsonReader::new(text.as_bytes()),
    )
    .unwrap();
    assert_eq!((output.matched, output.without_timestamp), (1, 1));
}
