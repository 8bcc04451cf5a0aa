//! State across runs (`Engine::with_state`): a stream run in two halves with one state
//! directory raises the alerts of one run over the whole stream; a rerun raises nothing
//! twice; alerts committed but not delivered come back; a changed rule starts fresh.

use event_input::NdjsonReader;
use rule_compiler::{Compiler, EqlOptions};
use rule_engine::{CompiledQuery, Engine, EngineOptions, PersistentEngine, RunOutput, StateStore};
use rule_model::{Language, Rule, RuleFile};
use serde_json::{Value, json};

const SEQUENCE: &str = "sequence by process.entity_id with maxspan=1h \
    [process where process.name == \\\"cmd.exe\\\"] [file where file.extension == \\\"job\\\"]";
const JOB_FILE: &str = "file where file.extension == \\\"job\\\"";
const NEW_TERMS: &str = "[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"host.name\"]\n\
    [[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"now-14d\"\n";

fn rule(rule_id: &str, rule_type: &str, language: &str, query: &str, extra: &str) -> Rule {
    let text = format!(
        "[rule]\nrule_id = \"{rule_id}\"\nname = \"Rule {rule_id}\"\ndescription = \"d\"\n\
         risk_score = 47\nseverity = \"medium\"\ntype = \"{rule_type}\"\nlanguage = \"{language}\"\n\
         from = \"now-9m\"\nindex = [\"logs-*\"]\nquery = \"{query}\"\n{extra}\n"
    );
    match RuleFile::parse("test.toml", &text) {
        Ok(file) => file.rule,
        Err(error) => panic!("test rule does not load: {error:?}\n{text}"),
    }
}

const THRESHOLD: &str = "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 2\n";
const SUPPRESSION: &str =
    "[rule.alert_suppression]\ngroup_by = [\"host.name\"]\nduration = {value = 1, unit = \"h\"}\n";

fn rules(new_terms_query: &str) -> Vec<Rule> {
    vec![
        rule("sequence", "eql", "eql", SEQUENCE, ""),
        rule("job-file", "eql", "eql", JOB_FILE, ""),
        rule("new-host", "new_terms", "kuery", new_terms_query, NEW_TERMS),
        rule("busy-host", "threshold", "kuery", "event.category:process", THRESHOLD),
        rule("job-by-host", "query", "kuery", "event.category:file", SUPPRESSION),
    ]
}

fn engine(rules: Vec<Rule>) -> Engine {
    let mut compiler = Compiler::new();
    let prepared: Vec<(Rule, CompiledQuery)> = rules
        .into_iter()
        .map(|rule| {
            let text = rule.query_text().expect("a query").to_owned();
            let query_plan = if rule.language == Some(Language::Eql) {
                let query = eql_syntax::parse(&text).expect("parses");
                let plan = compiler.compile_eql(&query, &EqlOptions::default()).expect("compiles");
                CompiledQuery::from_eql(plan.plan, &plan.pipes).expect("runnable")
            } else {
                let query = kql_syntax::parse(&text).expect("parses");
                CompiledQuery::from_kql(compiler.compile_kql(&query).expect("compiles"))
            };
            (rule, query_plan)
        })
        .collect();
    Engine::new(compiler.into_fields(), prepared, EngineOptions::default()).expect("engine")
}

fn persistent(dir: &std::path::Path, new_terms_query: &str) -> PersistentEngine {
    let store = StateStore::open(dir).expect("state opens");
    engine(rules(new_terms_query)).with_state(store).expect("state loads")
}

fn ndjson(lines: &[Value]) -> String {
    lines.iter().map(|line| line.to_string() + "\n").collect()
}

fn process(id: &str, entity: &str, host: &str, minute: u32) -> Value {
    json!({"_index": "logs-endpoint.events.process-default", "_id": id, "_source": {
        "@timestamp": format!("2024-05-01T10:{minute:02}:00Z"), "event": {"category": ["process"]},
        "host": {"name": host}, "process": {"entity_id": entity, "name": "cmd.exe"}}})
}

fn job(id: &str, entity: &str, host: &str, minute: u32) -> Value {
    json!({"_index": "logs-endpoint.events.file-default", "_id": id, "_source": {
        "@timestamp": format!("2024-05-01T10:{minute:02}:00Z"), "event": {"category": ["file"]},
        "host": {"name": host}, "process": {"entity_id": entity}, "file": {"extension": "job"}}})
}

/// Sequences spanning the split (p1 → j1 and p2 → j2), one inside each half, `new_terms`
/// repeats across the split (h1, h2) and event matches on both sides. Executions (every 5m,
/// from now-9m) at 10:05 and 10:10: the threshold (2 processes per host) is reached by h1 at
/// 10:05 and by h2 at 10:10 only with e2 of the first half; the job files of h1 (e4, e5) are
/// suppressed into one alert across the split.
fn stream() -> Vec<Value> {
    vec![
        process("e1", "p1", "h1", 1),
        process("e2", "p2", "h2", 2),
        process("e3", "p3", "h1", 3),
        job("e4", "p3", "h1", 4),
        // split here
        job("e5", "p1", "h1", 5),
        process("e6", "p4", "h2", 6),
        process("e7", "p5", "h3", 7),
        job("e8", "p2", "h2", 8),
        job("e9", "p5", "h3", 9),
    ]
}

fn uuids(output: &RunOutput) -> Vec<String> {
    let mut uuids: Vec<String> = output.alerts.iter().map(|alert| alert.uuid.clone()).collect();
    uuids.sort();
    uuids
}

fn count_by_rule(output: &RunOutput) -> Vec<u64> {
    output.summary.rules.iter().map(|rule| rule.alerts).collect()
}

#[test]
fn two_halves_with_one_state_raise_the_alerts_of_one_run() {
    let events = stream();
    let whole =
        engine(rules("event.category:process")).run(NdjsonReader::new(ndjson(&events).as_bytes()));
    // 4 sequences (shell + 2 building blocks each), 4 job files, 3 new hosts, 2 busy hosts,
    // 3 job files by host (e5 suppressed into e4).
    assert_eq!(count_by_rule(&whole), [12, 4, 3, 2, 3]);

    let dir = tempfile::tempdir().unwrap();
    let mut first = persistent(dir.path(), "event.category:process");
    let half_one = first.run(NdjsonReader::new(ndjson(&events[..4]).as_bytes())).unwrap();
    first.mark_delivered().unwrap();
    drop(first);
    let mut second = persistent(dir.path(), "event.category:process");
    assert!(second.take_undelivered().is_empty());
    let half_two = second.run(NdjsonReader::new(ndjson(&events[4..]).as_bytes())).unwrap();

    assert_eq!(count_by_rule(&half_one), [3, 1, 2, 1, 1]);
    assert_eq!(count_by_rule(&half_two), [9, 3, 1, 1, 2]);
    let mut split = uuids(&half_one);
    split.extend(uuids(&half_two));
    split.sort();
    assert_eq!(split, uuids(&whole));
    // The documents too, but for the suppressed rule: e4's alert was written out before e5
    // arrived, so its `docs_count` cannot include e5 (Kibana would update it in its index).
    let documents = |output: &RunOutput| -> Vec<Value> {
        let mut all: Vec<Value> = output
            .alerts
            .iter()
            .filter(|a| a.document["kibana.alert.rule.rule_id"] != "job-by-host")
            .map(|a| a.document.clone())
            .collect();
        all.sort_by_key(|document| document["kibana.alert.uuid"].to_string());
        all
    };
    let mut split_documents = documents(&half_one);
    split_documents.extend(documents(&half_two));
    split_documents.sort_by_key(|document| document["kibana.alert.uuid"].to_string());
    assert_eq!(split_documents, documents(&whole));
}

#[test]
fn a_second_identical_run_reports_nothing_again() {
    let events = ndjson(&stream());
    let dir = tempfile::tempdir().unwrap();
    let mut engine = persistent(dir.path(), "event.category:process");
    let first = engine.run(NdjsonReader::new(events.as_bytes())).unwrap();
    engine.mark_delivered().unwrap();
    assert_eq!(first.alerts.len(), 24);
    drop(engine);
    let mut engine = persistent(dir.path(), "event.category:process");
    let again = engine.run(NdjsonReader::new(events.as_bytes())).unwrap();
    assert!(again.alerts.is_empty(), "{:?}", uuids(&again));
    assert_eq!(count_by_rule(&again), [0, 0, 0, 0, 0]);
    assert!(
        again.summary.warnings.iter().any(|w| w.contains("already reported")),
        "{:?}",
        again.summary.warnings
    );
}

#[test]
fn alerts_not_marked_delivered_come_back_once() {
    let events = ndjson(&stream()[..4]);
    let dir = tempfile::tempdir().unwrap();
    let mut engine = persistent(dir.path(), "event.category:process");
    let reported = engine.run(NdjsonReader::new(events.as_bytes())).unwrap();
    // Stopped before `mark_delivered`: the next start hands the alerts out again.
    drop(engine);
    let mut engine = persistent(dir.path(), "event.category:process");
    let undelivered = engine.take_undelivered();
    assert_eq!(
        undelivered.iter().map(|a| &a.uuid).collect::<Vec<_>>(),
        reported.alerts.iter().map(|a| &a.uuid).collect::<Vec<_>>()
    );
    assert_eq!(undelivered[0].document, reported.alerts[0].document);
    engine.mark_delivered().unwrap();
    drop(engine);
    let mut engine = persistent(dir.path(), "event.category:process");
    assert!(engine.take_undelivered().is_empty());
}

#[test]
fn a_changed_rule_starts_fresh_with_a_warning() {
    let events = ndjson(&stream()[..4]);
    let dir = tempfile::tempdir().unwrap();
    let mut engine = persistent(dir.path(), "event.category:process");
    assert_eq!(engine.run(NdjsonReader::new(events.as_bytes())).unwrap().alerts.len(), 8);
    engine.mark_delivered().unwrap();
    drop(engine);
    // The new_terms query changed: its history is dropped, so h1 is new again at 10:05.
    let mut engine = persistent(dir.path(), "event.category:(process or file)");
    let later = ndjson(&stream()[4..5]);
    let output = engine.run(NdjsonReader::new(later.as_bytes())).unwrap();
    assert!(
        output
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("Rule new-host") && w.contains("starts fresh")),
        "{:?}",
        output.summary.warnings
    );
    assert_eq!(count_by_rule(&output), [3, 1, 1, 0, 0]);
}
