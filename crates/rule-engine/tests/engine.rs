//! Engine behaviour with hand-built programs: index routing, category gates, `new_terms`
//! history and time order, malformed input, and the indexed-versus-full-scan differential.
//! Most events here have no time: the engine runs without Kibana's schedule
//! ([`unscheduled`]); `tests/schedule.rs` covers the schedule.

use event_input::NdjsonReader;
use rule_engine::{
    CompiledQuery, Engine, EngineOptions, EventCategory, EventTime, Routing, RunOutput,
};
use rule_model::{Rule, RuleFile};
use rule_vm::{CaseMode, FieldTable, Instr, Program, ProgramBuilder, StrMatcher, Test};
use serde_json::{Value, json};

/// A rule TOML with the given type, language, index list and extra lines.
fn rule(rule_id: &str, rule_type: &str, language: &str, index: &[&str], extra: &str) -> Rule {
    let index: Vec<String> = index.iter().map(|i| format!("\"{i}\"")).collect();
    let text = format!(
        "[rule]\nrule_id = \"{rule_id}\"\nname = \"Rule {rule_id}\"\ndescription = \"d\"\nrisk_score = 21\n\
         severity = \"low\"\ntype = \"{rule_type}\"\nlanguage = \"{language}\"\nfrom = \"now-9m\"\n\
         index = [{}]\nquery = \"x\"\n{extra}\n",
        index.join(", ")
    );
    match RuleFile::parse("test.toml", &text) {
        Ok(file) => file.rule,
        Err(error) => panic!("test rule does not load: {error:?}\n{text}"),
    }
}

const NEW_TERMS: &str = "timestamp_override = \"event.ingested\"\n[rule.new_terms]\nfield = \"new_terms_fields\"\n\
    value = [\"host.id\", \"task\"]\n[[rule.new_terms.history_window_start]]\n\
    field = \"history_window_start\"\nvalue = \"now-14d\"\n";

/// A program true when `field` matches the glob `pattern` (case-insensitive).
fn glob_program(fields: &mut FieldTable, field: &str, pattern: &str) -> Program {
    let field = fields.intern(field);
    let mut builder = ProgramBuilder::new();
    let matcher = builder.add_matcher(StrMatcher::glob(pattern, false, CaseMode::Insensitive));
    builder.emit(Instr::Test { field, test: Test::Matches { matcher } }, (0, 1));
    builder.finish().expect("valid program")
}

fn compiled(program: Program, category: Option<&str>) -> CompiledQuery {
    let category =
        category.map_or(EventCategory::Any, |name| EventCategory::Named(name.to_owned()));
    CompiledQuery::Event { program, category }
}

fn run(engine: &mut Engine, lines: &[Value]) -> RunOutput {
    let text: String = lines.iter().map(|line| line.to_string() + "\n").collect();
    engine.run(NdjsonReader::new(text.as_bytes()))
}

fn alert_lines(output: &RunOutput) -> Vec<(String, String)> {
    output
        .alerts
        .iter()
        .map(|alert| {
            let ancestors = &alert.document["kibana.alert.ancestors"][0];
            (
                alert.document["kibana.alert.rule.rule_id"].as_str().unwrap_or_default().to_owned(),
                ancestors["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// Options that alert on every match, without the schedule.
fn unscheduled() -> EngineOptions {
    EngineOptions { unscheduled: true, ..EngineOptions::default() }
}

fn file_rule_engine(options: EngineOptions) -> Engine {
    let mut fields = FieldTable::new();
    let program = glob_program(&mut fields, "file.name", "*.job");
    let rules = vec![(
        rule("job", "eql", "eql", &["logs-endpoint.events.file-*", "winlogbeat-*"], ""),
        compiled(program, Some("file")),
    )];
    Engine::new(fields, rules, options).expect("engine")
}

#[test]
fn index_comes_from_hit_then_option_then_data_stream() {
    let event = json!({"event": {"category": "file"}, "file": {"name": "a.job"}});
    let stream = json!({"data_stream": {"type": "logs", "dataset": "endpoint.events.file", "namespace": "default"}, "event": {"category": ["file"]}, "file": {"name": "b.job"}});
    let other_stream = json!({"data_stream": {"type": "logs", "dataset": "system.security", "namespace": "default"}, "event": {"category": "file"}, "file": {"name": "c.job"}});
    let lines = vec![
        json!({"_index": "winlogbeat-8.17.0", "_id": "hit-1", "_source": event}),
        json!({"_index": "auditbeat-8.17.0", "_id": "hit-2", "_source": event}),
        json!({"_index": ".ds-logs-endpoint.events.file-default-2025.07.10-000001", "_id": "hit-3", "_source": event}),
        stream,
        other_stream,
    ];
    let mut engine = file_rule_engine(unscheduled());
    let output = run(&mut engine, &lines);
    assert_eq!(alert_lines(&output), pairs(&[("job", "hit-1"), ("job", "hit-3"), ("job", "4")]));
    assert_eq!(output.summary.events_with_unknown_index, 0);
    assert_eq!(
        output.alerts[2].document["kibana.alert.ancestors"][0]["index"],
        json!("logs-endpoint.events.file-default")
    );

    // `--index` names the index of raw events, not of hits.
    let options = EngineOptions { default_index: Some("auditbeat-x".to_owned()), ..unscheduled() };
    let mut engine = file_rule_engine(options);
    let output = run(&mut engine, &lines);
    assert_eq!(alert_lines(&output), pairs(&[("job", "hit-1"), ("job", "hit-3")]));
}

#[test]
fn unknown_index_is_evaluated_by_every_rule_with_one_warning() {
    let event = json!({"event": {"category": "file"}, "file": {"name": "a.job"}});
    let mut engine = file_rule_engine(unscheduled());
    let output = run(&mut engine, &[event.clone(), event]);
    assert_eq!(output.alerts.len(), 2);
    assert_eq!(output.summary.events_with_unknown_index, 2);
    let warnings: Vec<&String> =
        output.summary.warnings.iter().filter(|w| w.contains("no known index")).collect();
    assert_eq!(warnings.len(), 1, "{:?}", output.summary.warnings);
}

#[test]
fn eql_category_gate_is_exact() {
    let mut engine = file_rule_engine(unscheduled());
    let lines = [
        json!({"event": {"category": "process"}, "file": {"name": "a.job"}}),
        json!({"event": {"category": "File"}, "file": {"name": "a.job"}}),
        json!({"file": {"name": "a.job"}}),
        json!({"event": {"category": ["process", "file"]}, "file": {"name": "a.job"}}),
    ];
    let output = run(&mut engine, &lines);
    assert_eq!(alert_lines(&output), pairs(&[("job", "4")]));
    assert_eq!(output.summary.rules[0].matched, 1);
}

#[test]
fn malformed_lines_are_reported_and_the_run_goes_on() {
    let mut engine = file_rule_engine(unscheduled());
    let text = "{\"event\":{\"category\":\"file\"},\"file\":{\"name\":\"a.job\"}}\nnot json\n[]\n{\"event\":{\"category\":\"file\"},\"file\":{\"name\":\"b.job\"}}\n";
    let output = engine.run(NdjsonReader::new(text.as_bytes()));
    assert_eq!(output.alerts.len(), 2);
    assert_eq!(output.summary.events_read, 2);
    let lines: Vec<u64> = output.summary.malformed_lines.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![2, 3]);
}

fn new_terms_engine() -> Engine {
    let mut fields = FieldTable::new();
    let program = glob_program(&mut fields, "event.code", "4702");
    let rules =
        vec![(rule("nt", "new_terms", "kuery", &["logs-*"], NEW_TERMS), compiled(program, None))];
    Engine::new(fields, rules, unscheduled()).expect("engine")
}

fn task_event(id: &str, ingested: Option<&str>, host: Value, task: Value) -> Value {
    let mut source = json!({"event": {"code": "4702"}});
    source["host"]["id"] = host;
    source["task"] = task;
    if let Some(time) = ingested {
        source["event"]["ingested"] = json!(time);
    }
    json!({"_index": "logs-system.security-default", "_id": id, "_source": source})
}

#[test]
fn new_terms_in_time_order_with_window_expiry() {
    let mut engine = new_terms_engine();
    let lines = [
        // Out of input order: the engine sorts by `event.ingested`.
        task_event("late-repeat", Some("2025-07-20T00:00:00Z"), json!("h1"), json!("t1")),
        task_event("first", Some("2025-07-01T00:00:00Z"), json!("h1"), json!("t1")),
        task_event("other-host", Some("2025-07-02T00:00:00Z"), json!("h2"), json!("t1")),
        task_event("arrays", Some("2025-07-03T00:00:00Z"), json!(["h1", "h3"]), json!("t1")),
        task_event("repeat", Some("2025-07-05T00:00:00Z"), json!("h1"), json!("t1")),
        task_event("no-host", Some("2025-07-06T00:00:00Z"), json!(null), json!("t1")),
        task_event("no-time", None, json!("h9"), json!("t9")),
    ];
    let output = run(&mut engine, &lines);
    // `late-repeat` (07-20) is 15 days after the last sighting on 07-05: new again.
    assert_eq!(
        alert_lines(&output),
        pairs(&[("nt", "first"), ("nt", "other-host"), ("nt", "arrays"), ("nt", "late-repeat")])
    );
    assert_eq!(output.alerts[2].document["kibana.alert.new_terms"], json!(["h3", "t1"]));
    assert_eq!(output.alerts[0].time, EventTime::parse("2025-07-01T00:00:00Z").ok());
    let summary = &output.summary.rules[0];
    assert_eq!((summary.matched, summary.alerts, summary.skipped_without_time), (7, 4, 1));
    assert!(output.summary.warnings.iter().any(|w| w.contains("without a usable time")));

    // The history carries over into the next run.
    let next = run(
        &mut engine,
        &[task_event("next", Some("2025-07-21T00:00:00Z"), json!("h1"), json!("t1"))],
    );
    assert!(next.alerts.is_empty());
}

#[test]
fn every_new_combination_of_one_event_is_its_own_alert() {
    let mut engine = new_terms_engine();
    let lines =
        [task_event("e", Some("2025-07-01T00:00:00Z"), json!(["h1", "h2"]), json!(["a", "b"]))];
    let output = run(&mut engine, &lines);
    let terms: Vec<&Value> =
        output.alerts.iter().map(|a| &a.document["kibana.alert.new_terms"]).collect();
    assert_eq!(
        terms,
        vec![&json!(["h1", "a"]), &json!(["h1", "b"]), &json!(["h2", "a"]), &json!(["h2", "b"])]
    );
    let mut uuids: Vec<&str> = output.alerts.iter().map(|a| a.uuid.as_str()).collect();
    uuids.dedup();
    assert_eq!(uuids.len(), 4);
}

#[test]
fn unsupported_rule_types_are_listed_by_name_not_run() {
    let mut fields = FieldTable::new();
    let program = glob_program(&mut fields, "a", "*");
    let rules = vec![
        (rule("es", "esql", "esql", &["logs-*"], ""), compiled(program.clone(), None)),
        (rule("q", "query", "kuery", &["logs-*"], ""), compiled(program, None)),
    ];
    let mut engine = Engine::new(fields, rules, unscheduled()).expect("engine");
    assert_eq!(engine.rules().count(), 1);
    let output = run(&mut engine, &[json!({"_index": "logs-x", "_source": {"a": "1"}})]);
    assert_eq!(output.summary.unsupported_rules, ["Rule es (esql)"]);
    assert!(
        output
            .summary
            .warnings
            .contains(&"rule Rule es (esql) not run: its type is not supported".to_owned()),
        "{:?}",
        output.summary.warnings
    );
    assert_eq!(output.alerts.len(), 1);
}

/// Many rules over many categories and indices: the category/index tables must give the
/// same alerts as checking every rule.
#[test]
fn indexed_routing_equals_full_scan() {
    let categories = ["file", "process", "network", "registry"];
    let indices = [
        &["logs-endpoint.events.*"][..],
        &["winlogbeat-*", "-winlogbeat-test*"],
        &["logs-*"],
        &["*"],
    ];
    let build = |routing: Routing| {
        let mut fields = FieldTable::new();
        let mut rules = Vec::new();
        for n in 0..24 {
            let program = glob_program(&mut fields, "name", &format!("*{}*", n % 5));
            let category = (n % 5 != 4).then(|| categories[n % 4]);
            let language = if category.is_some() { "eql" } else { "kuery" };
            let rule_type = if category.is_some() { "eql" } else { "query" };
            let rule = rule(&format!("r{n}"), rule_type, language, indices[n % 4], "");
            rules.push((rule, compiled(program, category)));
        }
        Engine::new(fields, rules, EngineOptions { routing, ..unscheduled() }).expect("engine")
    };
    let index_names =
        ["logs-endpoint.events.file-default", "winlogbeat-1", "winlogbeat-test-1", "other"];
    let mut lines = Vec::new();
    for n in 0..400_usize {
        let source = json!({
            "event": {"category": if n % 7 == 0 { json!([categories[n % 4], categories[(n + 1) % 4]]) } else { json!(categories[n % 4]) }},
            "name": format!("x{}y", n % 13),
        });
        if n % 9 == 0 {
            lines.push(source);
        } else {
            lines.push(
                json!({"_index": index_names[n % 4], "_id": n.to_string(), "_source": source}),
            );
        }
    }
    let indexed = run(&mut build(Routing::Indexed), &lines);
    let scanned = run(&mut build(Routing::FullScan), &lines);
    assert!(indexed.alerts.len() > 100, "the case must exercise the tables");
    assert_eq!(indexed.alerts, scanned.alerts);
    assert_eq!(indexed.summary, scanned.summary);
}

#[test]
fn unreadable_override_time_falls_back_to_timestamp_with_a_warning() {
    let mut engine = new_terms_engine();
    let mut line = task_event("bad-time", Some("yesterday"), json!("h1"), json!("t1"));
    line["_source"]["@timestamp"] = json!("2025-07-01T00:00:00Z");
    let output = run(&mut engine, &[line]);
    assert_eq!(alert_lines(&output), pairs(&[("nt", "bad-time")]));
    assert_eq!(output.alerts[0].time, EventTime::parse("2025-07-01T00:00:00Z").ok());
    assert!(
        output
            .summary
            .warnings
            .iter()
            .any(|w| w.starts_with("line 1: `event.ingested`: `yesterday` is not a date")),
        "{:?}",
        output.summary.warnings
    );
}
