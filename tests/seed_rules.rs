//! End-to-end tests of the two seed rules: rule TOML -> parser -> compiler -> engine -> alerts.
//!
//! * `seed_cases/*.toml`: table-driven cases, one per `[[case]]` (format in
//!   `seed_cases/scheduled_job_creation.toml`); every case must give exactly its alerts.
//! * `events/sample-events.ndjson`: the hand-written sample set and its expected alerts.
//! * `shared/corpus/events/*.ndjson`: real ECS documents that must give no alert, each test
//!   saying why (and showing that the rule does fire once that reason is removed).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use event_input::NdjsonReader;
use field_schema::Schema;
use rule_compiler::{Compiler, EqlOptions, SchemaOptions};
use rule_engine::{CompiledQuery, Engine, EngineOptions, EventTime, RunOutput};
use rule_model::{Language, Rule, RuleFile};
use serde_json::{Value, json};

const JOB_RULE: &str = "rules/windows/persistence_local_scheduled_job_creation.toml";
const TASK_RULE: &str = "rules/windows/persistence_scheduled_task_updated.toml";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Loads rules from the workspace and builds an engine over them.
fn engine(rule_paths: &[&str], options: EngineOptions) -> Engine {
    let mut compiler = Compiler::new();
    let mut rules = Vec::new();
    for path in rule_paths {
        let text = read(&workspace().join(path));
        let rule = match RuleFile::parse(*path, &text) {
            Ok(file) => file.rule,
            Err(error) => panic!("{path}: {error:?}"),
        };
        let query = compile(&mut compiler, &rule);
        rules.push((rule, query));
    }
    Engine::new(compiler.into_fields(), rules, options).unwrap_or_else(|error| panic!("{error}"))
}

/// Compiles the rule's query as `warden run` does: typed by the built-in schema of its index
/// patterns (rule-cli's `compile` module).
fn compile(compiler: &mut Compiler, rule: &Rule) -> CompiledQuery {
    let query = rule.query_text().unwrap_or_else(|| panic!("{}: no query", rule.rule_id));
    let patterns: Vec<&str> = rule.index.iter().map(String::as_str).collect();
    let schema = Schema::for_index_patterns(&patterns);
    let types = SchemaOptions { schema: Some(&schema), ..SchemaOptions::default() };
    match rule.language {
        Some(Language::Eql) => {
            let ast = eql_syntax::parse(query).unwrap_or_else(|error| panic!("{error:?}"));
            let options = EqlOptions {
                category_field: rule
                    .event_category_override
                    .clone()
                    .unwrap_or_else(|| EqlOptions::default().category_field),
            };
            let plan = compiler
                .compile_eql_typed(&ast, &options, &types)
                .unwrap_or_else(|error| panic!("{error:?}"));
            assert!(plan.warnings.is_empty(), "{}: {:?}", rule.rule_id, plan.warnings);
            CompiledQuery::from_eql(plan.plan, &plan.pipes)
                .unwrap_or_else(|error| panic!("{error}"))
        }
        Some(Language::Kuery) => {
            let ast = kql_syntax::parse(query).unwrap_or_else(|error| panic!("{error:?}"));
            let kql = compiler
                .compile_kql_typed(&ast, &types)
                .unwrap_or_else(|error| panic!("{error:?}"));
            assert!(kql.warnings.is_empty(), "{}: {:?}", rule.rule_id, kql.warnings);
            CompiledQuery::from_kql(kql.program)
        }
        other => panic!("unexpected language {other:?}"),
    }
}

fn run_lines(engine: &mut Engine, lines: &[Value]) -> RunOutput {
    let text: String = lines.iter().map(|line| line.to_string() + "\n").collect();
    engine.run(NdjsonReader::new(text.as_bytes()))
}

/// The id of the event each alert came from, in alert order.
fn alert_ids(output: &RunOutput) -> Vec<String> {
    output
        .alerts
        .iter()
        .map(|alert| text(&alert.document["kibana.alert.ancestors"][0]["id"]))
        .collect()
}

fn text(value: &Value) -> String {
    // Strings as they are, anything else in JSON.
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

// --- the case tables -------------------------------------------------------------------------

/// Splits a dotted path and walks/creates nested objects to set `value`.
fn set_path(document: &mut Value, path: &str, value: Value) {
    let mut current = document;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !current.is_object() {
            *current = json!({});
        }
        let Value::Object(map) = current else { unreachable!("made an object above") };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        current = map.entry(part.to_owned()).or_insert_with(|| json!({}));
    }
}

fn remove_path(document: &mut Value, path: &str) {
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => {
            (parent.split('.').try_fold(&mut *document, |node, part| node.get_mut(part)), last)
        }
        None => (Some(document), path),
    };
    if let Some(Value::Object(map)) = parent {
        map.shift_remove(last);
    }
}

fn toml_to_json(value: &toml::Value) -> Value {
    serde_json::to_value(value).unwrap_or_else(|error| panic!("{error}"))
}

/// One event of a case: the default source with the entry's edits, as an input line.
fn build_event(
    defaults: &toml::Table,
    case: &toml::Table,
    entry: &toml::Table,
    position: usize,
) -> Value {
    let mut source = defaults.get("source").map_or_else(|| json!({}), toml_to_json);
    if let Some(toml::Value::Array(paths)) = entry.get("remove") {
        for path in paths {
            remove_path(&mut source, path.as_str().unwrap_or_default());
        }
    }
    if let Some(toml::Value::Table(sets)) = entry.get("set") {
        for (path, value) in sets {
            set_path(&mut source, path, toml_to_json(value));
        }
    }
    if let Some(toml::Value::Table(literals)) = entry.get("literal")
        && let Value::Object(map) = &mut source
    {
        for (key, value) in literals {
            map.insert(key.clone(), toml_to_json(value));
        }
    }
    let raw = entry
        .get("raw")
        .or_else(|| case.get("raw"))
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    if raw {
        return source;
    }
    let index = entry
        .get("index")
        .or_else(|| case.get("index"))
        .or_else(|| defaults.get("index"))
        .and_then(toml::Value::as_str)
        .unwrap_or_default();
    let id = entry
        .get("id")
        .and_then(toml::Value::as_str)
        .map_or_else(|| format!("e{position}"), str::to_owned);
    json!({"_index": index, "_id": id, "_source": source})
}

/// Runs one case; returns what is wrong with it, if anything.
fn check_case(rule_path: &str, defaults: &toml::Table, case: &toml::Table) -> Option<String> {
    let default_index = case.get("default_index").and_then(toml::Value::as_str).map(str::to_owned);
    let mut engine =
        engine(&[rule_path], EngineOptions { default_index, ..EngineOptions::default() });
    let lines: Vec<Value> = if let Some(toml::Value::Array(entries)) = case.get("events") {
        entries
            .iter()
            .enumerate()
            .map(|(position, entry)| {
                build_event(defaults, case, entry.as_table().expect("event table"), position)
            })
            .collect()
    } else {
        let mut single = case.clone();
        single.insert("id".to_owned(), toml::Value::String("e".to_owned()));
        vec![build_event(defaults, case, &single, 0)]
    };
    let output = run_lines(&mut engine, &lines);
    let mut problems = String::new();
    let expected: Vec<String> = case
        .get("alerts")
        .and_then(toml::Value::as_array)
        .map(|ids| ids.iter().map(|id| id.as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default();
    let found = alert_ids(&output);
    if found != expected {
        let _ = write!(problems, "alerts {found:?}, expected {expected:?}; ");
    }
    if let Some(terms) = case.get("new_terms") {
        let found: Vec<Value> =
            output.alerts.iter().map(|a| a.document["kibana.alert.new_terms"].clone()).collect();
        if Value::Array(found.clone()) != toml_to_json(terms) {
            let _ = write!(problems, "new terms {found:?}, expected {terms}; ");
        }
    }
    if let Some(reason) = case.get("reason").and_then(toml::Value::as_str) {
        let found = output.alerts.first().map(|a| text(&a.document["kibana.alert.reason"]));
        if found.as_deref() != Some(reason) {
            let _ = write!(problems, "reason {found:?}, expected {reason:?}; ");
        }
    }
    if let Some(time) = case.get("time").and_then(toml::Value::as_str) {
        // The rule's event time (`timestamp_override`, else `@timestamp`); the document's
        // `@timestamp` is the execution's.
        let found = output.alerts.first().and_then(|a| a.time.map(EventTime::to_iso_millis));
        if found.as_deref() != Some(time) {
            let _ = write!(problems, "alert time {found:?}, expected {time:?}; ");
        }
    }
    let counters = [
        ("unknown_index", output.summary.events_with_unknown_index),
        ("skipped_without_time", output.summary.rules[0].skipped_without_time),
    ];
    for (key, found) in counters {
        let expected = case.get(key).and_then(toml::Value::as_integer).unwrap_or(0);
        if i64::try_from(found).ok() != Some(expected) {
            let _ = write!(problems, "{key} {found}, expected {expected}; ");
        }
    }
    if !output.summary.malformed_lines.is_empty() {
        let _ = write!(problems, "malformed lines {:?}; ", output.summary.malformed_lines);
    }
    (!problems.is_empty()).then_some(problems)
}

fn run_case_file(file: &str) {
    let path = workspace().join("tests/seed_cases").join(file);
    let table: toml::Table =
        toml::from_str(&read(&path)).unwrap_or_else(|error| panic!("{file}: {error}"));
    let rule_path = table.get("rule").and_then(toml::Value::as_str).expect("`rule` path");
    let defaults =
        table.get("defaults").and_then(toml::Value::as_table).cloned().unwrap_or_default();
    let cases = table.get("case").and_then(toml::Value::as_array).expect("[[case]] rows");
    let mut failures = Vec::new();
    for case in cases {
        let case = case.as_table().expect("case table");
        let name = case.get("name").and_then(toml::Value::as_str).expect("case name");
        if let Some(problem) = check_case(rule_path, &defaults, case) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    // The conformance-style closing line the CI reads.
    #[allow(clippy::print_stdout)]
    let () = println!("{file}: {} passed, {} failed", cases.len() - failures.len(), failures.len());
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
}

#[test]
fn scheduled_job_creation_cases() {
    run_case_file("scheduled_job_creation.toml");
}

#[test]
fn scheduled_task_update_cases() {
    run_case_file("scheduled_task_update.toml");
}

// --- the sample event set --------------------------------------------------------------------

/// `tests/events/sample-events.ndjson` with both rules: 3 EQL alerts and 5 `new_terms` alerts
/// (the table in `tests/events/README.md`).
#[test]
fn sample_events_give_the_documented_alerts() {
    let mut engine = engine(&[JOB_RULE, TASK_RULE], EngineOptions::default());
    let input = read(&workspace().join("tests/events/sample-events.ndjson"));
    let output = engine.run(NdjsonReader::new(input.as_bytes()));
    assert!(output.summary.malformed_lines.is_empty());
    let per_rule: Vec<(&str, u64)> =
        output.summary.rules.iter().map(|rule| (rule.name.as_str(), rule.alerts)).collect();
    assert_eq!(
        per_rule,
        vec![("Persistence via Scheduled Job Creation", 3), ("Unusual Scheduled Task Update", 5)]
    );
    let jobs: Vec<String> = output
        .alerts
        .iter()
        .filter(|a| a.rule == 0)
        .map(|a| text(&a.document["file"]["path"]))
        .collect();
    assert_eq!(
        jobs,
        vec![
            r"C:\Windows\Tasks\Updater.job",
            r"c:\windows\tasks\backup.job",
            r"C:\Windows\Tasks\CCleanerSkipUAC.job"
        ]
    );
    let terms: Vec<Value> = output
        .alerts
        .iter()
        .filter(|a| a.rule == 1)
        .map(|a| a.document["kibana.alert.new_terms"].clone())
        .collect();
    assert_eq!(terms.len(), 5);
    assert_eq!(terms[0][1], terms[4][1], "Reboot_Custom on ws01 alerts again after 18 days");
    for alert in &output.alerts {
        let times: Vec<EventTime> = output.alerts.iter().filter_map(|a| a.time).collect();
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "alerts in time order");
        assert!(alert.document["kibana.alert.rule.threat"][0]["tactic"]["id"] == json!("TA0003"));
    }
}

// --- real events: no alert, and why ----------------------------------------------------------

fn corpus_events(file: &str) -> Vec<Value> {
    let path = workspace().join("../shared/corpus/events").join(file);
    read(&path)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect()
}

fn matched(output: &RunOutput) -> Vec<u64> {
    output.summary.rules.iter().map(|rule| rule.matched).collect()
}

/// Security 4702 by the machine itself: `SubjectUserSid` S-1-5-18 and user `KINGSLANDING$`
/// are both excluded by the `new_terms` query, so it matches nothing. Changing exactly those
/// (and giving the event the host id and time a real agent adds) makes it alert.
fn check_4702(file: &str) {
    let events = corpus_events(file);
    let mut both = engine(&[JOB_RULE, TASK_RULE], EngineOptions::default());
    let output = run_lines(&mut both, &events);
    assert!(output.alerts.is_empty());
    assert_eq!(matched(&output), vec![0, 0], "neither query matches the real event");
    assert_eq!(output.summary.events_with_unknown_index, 1, "pipeline output has no data_stream");

    let mut edited = events[0].clone();
    set_path(&mut edited, "winlog.event_data.SubjectUserSid", json!("S-1-5-21-1-2-3-1104"));
    set_path(&mut edited, "user.name", json!("alice"));
    set_path(&mut edited, "host.id", json!("host-1"));
    set_path(&mut edited, "event.ingested", json!("2025-07-10T10:00:00Z"));
    let mut task_rule = engine(&[TASK_RULE], EngineOptions::default());
    let output = run_lines(&mut task_rule, &[edited]);
    assert_eq!(output.alerts.len(), 1, "without the exclusions the rule fires");
    assert_eq!(
        output.alerts[0].document["kibana.alert.new_terms"],
        json!(["host-1", r"\Microsoft\Windows\Windows Error Reporting\QueueReporting"])
    );
}

#[test]
fn real_system_security_4702_is_excluded_as_a_system_account() {
    check_4702("system.security-4702-scheduled-task-updated.ndjson");
}

#[test]
fn real_windows_forwarded_4702_is_excluded_as_a_system_account() {
    check_4702("windows.forwarded-4702-scheduled-task-updated.ndjson");
}

/// Sysmon 23 (file delete archived): `event.type` is `deletion`, no `host.os.type`, and the
/// paths are not `.job` files under `C:\Windows\Tasks`. The EQL rule matches none; the
/// same document as a `.job` creation on a Windows host does alert.
#[test]
fn real_sysmon_file_deletes_are_not_job_creations() {
    let events = corpus_events("winlogbeat-sysmon-23-file-delete.ndjson");
    assert_eq!(events.len(), 3);
    let mut both = engine(&[JOB_RULE, TASK_RULE], EngineOptions::default());
    let output = run_lines(&mut both, &events);
    assert!(output.alerts.is_empty());
    assert_eq!(matched(&output), vec![0, 0]);

    let mut edited = events[0].clone();
    set_path(&mut edited, "event.type", json!(["creation"]));
    set_path(&mut edited, "host.os.type", json!("windows"));
    set_path(&mut edited, "file.path", json!(r"C:\Windows\Tasks\x.job"));
    set_path(&mut edited, "file.extension", json!("job"));
    let mut job_rule = engine(&[JOB_RULE], EngineOptions::default());
    assert_eq!(run_lines(&mut job_rule, &[edited]).alerts.len(), 1);
}
