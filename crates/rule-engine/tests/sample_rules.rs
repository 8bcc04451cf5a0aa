//! `eql` sample rules in the engine, one test per shape of sample the detection-rules corpus
//! uses (three join keys; five filters of one category, three filters with a category twice,
//! two filters of two categories), then Kibana's schedule around them: each execution's
//! window, `max_signals` as the search's `size`, one alert per sample across overlapping
//! windows, and the state carried across runs.

use event_input::NdjsonReader;
use rule_compiler::{Compiler, EqlOptions};
use rule_engine::{CompiledQuery, Engine, EngineOptions, RunOutput, StateStore};
use rule_model::{Rule, RuleFile};
use serde_json::{Value, json};

/// An `eql` rule with `query` (TOML literal string) and extra TOML lines.
fn eql_rule(query: &str, extra: &str) -> Rule {
    let text = format!(
        "[rule]\nrule_id = \"sample-rule\"\nname = \"Sample rule\"\ndescription = \"d\"\n\
         risk_score = 47\nseverity = \"medium\"\ntype = \"eql\"\nlanguage = \"eql\"\n\
         from = \"now-9m\"\nindex = [\"logs-*\"]\n{extra}\nquery = '''\n{query}\n'''\n"
    );
    match RuleFile::parse("test.toml", &text) {
        Ok(file) => file.rule,
        Err(error) => panic!("test rule does not load: {error:?}\n{text}"),
    }
}

fn engine(rule: Rule) -> Engine {
    engine_with(rule, EngineOptions::default())
}

fn engine_with(rule: Rule, options: EngineOptions) -> Engine {
    let mut compiler = Compiler::new();
    let query = eql_syntax::parse(rule.query_text().expect("a query")).expect("parses");
    let plan = compiler.compile_eql(&query, &EqlOptions::default()).expect("compiles");
    let runnable =
        CompiledQuery::from_eql(plan.plan, &plan.pipes).expect("a sample is a rule shape");
    Engine::new(compiler.into_fields(), vec![(rule, runnable)], options).expect("engine")
}

fn lines(events: &[Value]) -> String {
    events.iter().map(|line| line.to_string() + "\n").collect()
}

fn run(engine: &mut Engine, events: &[Value]) -> RunOutput {
    engine.run(NdjsonReader::new(lines(events).as_bytes()))
}

/// A hit in `logs-auditd` with `_id` `id` at `time` (seconds after 10:00:00) and `fields`.
fn event(id: &str, second: u32, fields: &Value) -> Value {
    let mut source = json!({
        "@timestamp": format!("2024-05-01T10:{:02}:{:02}Z", second / 60, second % 60),
        "host": {"id": "h1"},
    });
    if let (Some(map), Some(more)) = (source.as_object_mut(), fields.as_object()) {
        map.extend(more.clone());
    }
    json!({"_index": "logs-auditd", "_id": id, "_source": source})
}

/// Per alert group: the event ids of the building blocks, in filter order.
fn groups(output: &RunOutput) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    for alert in &output.alerts {
        let document = &alert.document;
        match document.get("kibana.alert.group.index") {
            None => groups.push(Vec::new()),
            Some(index) => {
                let group = groups.last_mut().expect("a shell before its building blocks");
                assert_eq!(index.as_u64(), Some(group.len() as u64));
                assert_eq!(document["kibana.alert.building_block_type"], json!("default"));
                group.push(document["kibana.alert.ancestors"][0]["id"].as_str().unwrap().into());
            }
        }
    }
    groups
}

fn file_open(id: &str, second: u32, pid: u32, path: &str) -> Value {
    event(
        id,
        second,
        &json!({"event": {"category": ["file"]}, "process": {"pid": pid}, "user": {"id": "0"},
               "file": {"path": path}}),
    )
}

#[test]
fn five_filters_of_one_category() {
    let query = "sample by host.id, process.pid, user.id
  [file where file.path == \"/etc/machine-id\"]
  [file where file.path == \"/etc/passwd\"]
  [file where file.path == \"/proc/net/route\"]
  [file where file.path == \"/proc/net/ipv6_route\"]
  [file where file.path == \"/proc/net/if_inet6\"]";
    let paths = [
        "/etc/machine-id",
        "/etc/passwd",
        "/proc/net/route",
        "/proc/net/ipv6_route",
        "/proc/net/if_inet6",
    ];
    let mut events = Vec::new();
    // pid 100 opens all five files, in another order; pid 200 only four of them.
    for (n, path) in (0u32..5).zip(paths).rev() {
        events.push(file_open(&format!("a{n}"), 60 + n, 100, path));
    }
    for (n, path) in (0u32..).zip(paths).skip(1) {
        events.push(file_open(&format!("b{n}"), 70 + n, 200, path));
    }
    let output = run(&mut engine(eql_rule(query, "")), &events);
    assert_eq!(groups(&output), [["a0", "a1", "a2", "a3", "a4"]]);
    let shell = &output.alerts[0].document;
    assert_eq!(shell["kibana.alert.depth"], json!(2));
    assert_eq!(shell["kibana.alert.ancestors"].as_array().map(Vec::len), Some(10));
    assert_eq!(shell["process"]["pid"], json!(100), "the shell keeps the shared fields");
    assert_eq!(output.summary.rules[0].alerts, 6);
}

#[test]
fn three_filters_with_a_category_twice_need_distinct_events() {
    let query = "sample by host.id, process.pid, process.parent.pid
  [process where event.action == \"executed\"]
  [process where auditd.data.syscall == \"socket\"]
  [network where event.action == \"connected-to\"]";
    let process = |id: &str, second: u32, pid: u32, fields: Value| {
        let mut fields = fields;
        fields["event"]["category"] = json!(["process"]);
        fields["process"] = json!({"pid": pid, "parent": {"pid": 1}});
        event(id, second, &fields)
    };
    let both = json!({"event": {"action": "executed"}, "auditd": {"data": {"syscall": "socket"}}});
    let network = |id: &str, second: u32, pid: u32| {
        event(
            id,
            second,
            &json!({"event": {"category": ["network"], "action": "connected-to"},
                   "process": {"pid": pid, "parent": {"pid": 1}}}),
        )
    };
    let events = [
        // pid 10: one event fits the first two filters; a sample needs one event per filter.
        process("x-both", 60, 10, both.clone()),
        network("x-net", 61, 10),
        // pid 20: the same, plus a second socket event: a sample.
        process("y-both", 62, 20, both),
        process("y-socket", 63, 20, json!({"auditd": {"data": {"syscall": "socket"}}})),
        network("y-net", 64, 20),
    ];
    let output = run(&mut engine(eql_rule(query, "")), &events);
    assert_eq!(groups(&output), [["y-both", "y-socket", "y-net"]]);
}

fn mprotect(id: &str, second: u32, pid: u32) -> Value {
    event(
        id,
        second,
        &json!({"event": {"category": ["process"]}, "process": {"pid": pid, "name": "x"},
               "auditd": {"data": {"syscall": "mprotect", "a2": "7"}}}),
    )
}

fn connection(id: &str, second: u32, pid: u32) -> Value {
    event(
        id,
        second,
        &json!({"event": {"category": ["network"], "action": "connection_attempted"},
               "process": {"pid": pid, "name": "x"}}),
    )
}

const TWO_FILTERS: &str = "sample by host.id, process.pid, process.name
  [process where auditd.data.syscall == \"mprotect\" and auditd.data.a2 == \"7\"]
  [network where event.action == \"connection_attempted\"]";

#[test]
fn two_filters_of_two_categories_in_any_order() {
    // A sample is unordered: the connection may come first. Keys join on all three fields.
    let events = [
        connection("c1", 60, 1),
        mprotect("m1", 90, 1),
        mprotect("m2", 91, 2),
        connection("c3", 92, 3),
    ];
    let output = run(&mut engine(eql_rule(TWO_FILTERS, "")), &events);
    assert_eq!(groups(&output), [["m1", "c1"]]);
}

#[test]
fn each_execution_searches_its_window_and_a_sample_alerts_once() {
    // Every 5 minutes over the last 9: 10:01:00 and 10:03:00 are in the 10:05 and the 10:10
    // windows (one alert, stamped 10:05); 10:20 and 10:30 are never in one window.
    let events = [
        mprotect("m1", 60, 1),
        connection("c1", 180, 1),
        mprotect("m2", 20 * 60, 2),
        connection("c2", 30 * 60, 2),
    ];
    let output = run(&mut engine(eql_rule(TWO_FILTERS, "")), &events);
    assert_eq!(groups(&output), [["m1", "c1"]]);
    for alert in &output.alerts {
        assert_eq!(alert.document["@timestamp"], json!("2024-05-01T10:05:00.000Z"));
    }
    assert_eq!(
        output.alerts[0].document["kibana.alert.rule.category"],
        json!("Event Correlation Rule")
    );
    let counts = output.summary.rules[0].schedule.expect("scheduled");
    assert_eq!(counts.executions, 6, "10:05, 10:10, 10:20, 10:25, 10:30, 10:35");
}

#[test]
fn max_signals_is_the_size_of_each_execution_search() {
    // Kibana asks for `max_signals` samples; Elasticsearch returns the first ones in key
    // order, so pid 2's sample is cut in both executions that see it and never alerts.
    let events = [
        mprotect("m2", 60, 2),
        connection("c2", 61, 2),
        mprotect("m1", 62, 1),
        connection("c1", 63, 1),
    ];
    let output = run(&mut engine(eql_rule(TWO_FILTERS, "max_signals = 1")), &events);
    assert_eq!(groups(&output), [["m1", "c1"]]);
    let counts = output.summary.rules[0].schedule.expect("scheduled");
    assert_eq!((counts.executions_at_max_signals, counts.cut_by_max_signals), (2, 2));
    assert!(output.summary.warnings.iter().any(|w| w.contains("reached max_signals")));
}

#[test]
fn a_sample_across_two_runs_alerts_as_in_one_run() {
    let events = [mprotect("m1", 60, 1), connection("c1", 120, 1), mprotect("m9", 600, 9)];
    let whole = run(&mut engine(eql_rule(TWO_FILTERS, "")), &events);
    assert_eq!(groups(&whole), [["m1", "c1"]]);
    let uuids = |output: &RunOutput| -> Vec<String> {
        output.alerts.iter().map(|alert| alert.uuid.clone()).collect()
    };

    // The same engine's next run: the 10:05 execution runs again with what it gained.
    let mut split = engine(eql_rule(TWO_FILTERS, ""));
    let first = run(&mut split, &events[..1]);
    assert!(first.alerts.is_empty());
    let second = run(&mut split, &events[1..]);
    assert_eq!(uuids(&second), uuids(&whole));
    assert!(run(&mut split, &events[1..]).alerts.is_empty(), "read again: no new sample");

    // With a state directory, through two engines.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut alerts = Vec::new();
    for half in [&events[..1], &events[1..]] {
        let store = StateStore::open(dir.path()).expect("a state store");
        let mut persistent = engine(eql_rule(TWO_FILTERS, "")).with_state(store).expect("state");
        let output = persistent.run(NdjsonReader::new(lines(half).as_bytes())).expect("commits");
        persistent.mark_delivered().expect("delivered");
        alerts.extend(uuids(&output));
    }
    assert_eq!(alerts, uuids(&whole));
}

#[test]
fn without_a_schedule_one_execution_searches_every_event() {
    // Half an hour apart: no window of the schedule holds both (`warden test` without `now`
    // runs unscheduled).
    let events = [mprotect("m1", 0, 1), connection("c1", 30 * 60, 1)];
    assert!(run(&mut engine(eql_rule(TWO_FILTERS, "")), &events).alerts.is_empty());
    let unscheduled = EngineOptions { unscheduled: true, ..EngineOptions::default() };
    let output = run(&mut engine_with(eql_rule(TWO_FILTERS, ""), unscheduled), &events);
    assert_eq!(groups(&output), [["m1", "c1"]]);
    assert_eq!(output.alerts[0].document["@timestamp"], json!("2024-05-01T10:30:00.000Z"));
}
