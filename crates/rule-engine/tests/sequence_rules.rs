//! `eql` sequence rules in the engine: Kibana's alert group (shell + building blocks), search
//! order over unordered input, the reorder window, state limits, `timestamp_override`,
//! `tiebreaker_field`, and indexed routing against a full scan.

use event_input::NdjsonReader;
use rule_compiler::{Compiler, EqlOptions};
use rule_engine::{
    CompiledQuery, Engine, EngineOptions, EventTime, Limits, Routing, RunOutput, SequenceOptions,
};
use rule_model::{Rule, RuleFile};
use serde_json::{Value, json};

const SEQUENCE: &str = "sequence by process.entity_id with maxspan=5m \
    [process where event.type == \\\"start\\\" and process.name == \\\"cmd.exe\\\"] \
    [file where file.extension == \\\"job\\\"]";

/// An `eql` rule with `query` (TOML-escaped) and extra TOML lines.
fn eql_rule(rule_id: &str, query: &str, extra: &str) -> Rule {
    let text = format!(
        "[rule]\nrule_id = \"{rule_id}\"\nname = \"Rule {rule_id}\"\ndescription = \"d\"\n\
         risk_score = 47\nseverity = \"medium\"\ntype = \"eql\"\nlanguage = \"eql\"\n\
         from = \"now-9m\"\nindex = [\"logs-*\"]\nquery = \"{query}\"\n{extra}\n"
    );
    match RuleFile::parse("test.toml", &text) {
        Ok(file) => file.rule,
        Err(error) => panic!("test rule does not load: {error:?}\n{text}"),
    }
}

fn engine(rules: Vec<Rule>, options: EngineOptions) -> Engine {
    let mut compiler = Compiler::new();
    let prepared: Vec<(Rule, CompiledQuery)> = rules
        .into_iter()
        .map(|rule| {
            let query = eql_syntax::parse(rule.query_text().expect("a query")).expect("parses");
            let plan = compiler.compile_eql(&query, &EqlOptions::default()).expect("compiles");
            (rule, CompiledQuery::from_eql(plan.plan, &plan.pipes).expect("runnable"))
        })
        .collect();
    Engine::new(compiler.into_fields(), prepared, options).expect("engine")
}

fn run(engine: &mut Engine, lines: &[Value]) -> RunOutput {
    let text: String = lines.iter().map(|line| line.to_string() + "\n").collect();
    engine.run(NdjsonReader::new(text.as_bytes()))
}

fn start(id: &str, entity: &str, time: &str) -> Value {
    json!({"_index": "logs-endpoint.events.process-default", "_id": id, "_source": {
        "@timestamp": time, "event": {"category": ["process"], "type": ["start"]},
        "process": {"entity_id": entity, "name": "cmd.exe"}}})
}

fn job(id: &str, entity: &str, time: &str) -> Value {
    json!({"_index": "logs-endpoint.events.file-default", "_id": id, "_source": {
        "@timestamp": time, "event": {"category": ["file"], "type": ["creation"]},
        "process": {"entity_id": entity}, "file": {"extension": "job", "name": "a.job"}}})
}

/// Per alert: (kind, group index, the ids of its event ancestors).
fn shape(output: &RunOutput) -> Vec<(String, Option<u64>, Vec<String>)> {
    output
        .alerts
        .iter()
        .map(|alert| {
            let document = &alert.document;
            let kind = match document.get("kibana.alert.building_block_type") {
                Some(_) => "block",
                None => "shell",
            };
            let events = document["kibana.alert.ancestors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|ancestor| ancestor["type"] == "event")
                .map(|ancestor| ancestor["id"].as_str().unwrap_or_default().to_owned())
                .collect();
            (kind.to_owned(), document["kibana.alert.group.index"].as_u64(), events)
        })
        .collect()
}

fn group(ids: &[&str]) -> Vec<(String, Option<u64>, Vec<String>)> {
    let all: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    let mut expected = vec![("shell".to_owned(), None, all)];
    for (position, id) in ids.iter().enumerate() {
        expected.push(("block".to_owned(), Some(position as u64), vec![(*id).to_owned()]));
    }
    expected
}

#[test]
fn a_sequence_gives_a_shell_and_one_building_block_per_event() {
    let mut engine = engine(vec![eql_rule("seq", SEQUENCE, "")], EngineOptions::default());
    // Input out of time order; other entity, too late (maxspan) and non-matching events around.
    let lines = [
        job("j1", "p1", "2025-01-01T00:01:00Z"),
        start("s1", "p1", "2025-01-01T00:00:00Z"),
        start("s2", "p2", "2025-01-01T00:00:00Z"),
        job("j2", "p2", "2025-01-01T00:06:00.001Z"),
        json!({"_index": "logs-n", "_source": {"@timestamp": "2025-01-01T00:00:30Z", "event": {"category": "network"}}}),
    ];
    let output = run(&mut engine, &lines);
    assert_eq!(shape(&output), group(&["s1", "j1"]));
    let group_id = &output.alerts[0].uuid;
    assert!(output.alerts[1..].iter().all(|a| a.document["kibana.alert.group.id"] == **group_id));
    let rule = &output.summary.rules[0];
    assert_eq!((rule.matched, rule.alerts), (4, 3));
    let counts = rule.sequences.expect("sequence counts");
    assert_eq!((counts.matcher.completed, counts.matcher.expired_by_maxspan), (1, 1));
    assert_eq!(counts.late_events, 0);
    assert!(output.summary.peak_held_events >= 4);
    assert!(output.summary.warnings.is_empty(), "{:?}", output.summary.warnings);
}

#[test]
fn events_beyond_the_reorder_window_are_late_and_reported() {
    let options = EngineOptions {
        sequences: SequenceOptions { reorder_window: 0, ..SequenceOptions::default() },
        ..EngineOptions::default()
    };
    let mut engine = engine(vec![eql_rule("seq", SEQUENCE, "")], options);
    // The engine matches events in batches of 16: the file event is fed before the start
    // event's batch is read.
    let mut lines = vec![job("j1", "p1", "2025-01-01T00:01:00Z")];
    let filler = json!({"_index": "logs-n", "_source": {"@timestamp": "2025-01-01T00:00:30Z"}});
    lines.extend(std::iter::repeat_n(filler, 16));
    lines.push(start("s1", "p1", "2025-01-01T00:00:00Z"));
    let output = run(&mut engine, &lines);
    assert!(output.alerts.is_empty());
    assert_eq!(output.summary.rules[0].sequences.map(|c| c.late_events), Some(1));
    assert!(output.summary.warnings.iter().any(|w| w.contains("reorder window")));
}

#[test]
fn state_limits_evict_the_oldest_pending_sequence_and_say_so() {
    let limits = Limits { max_pending_sequences: 1, max_keys: 10 };
    let options = EngineOptions {
        sequences: SequenceOptions { limits, ..SequenceOptions::default() },
        ..EngineOptions::default()
    };
    let mut engine = engine(vec![eql_rule("seq", SEQUENCE, "")], options);
    let lines = [
        start("s1", "p1", "2025-01-01T00:00:00Z"),
        start("s2", "p2", "2025-01-01T00:00:01Z"),
        job("j1", "p1", "2025-01-01T00:00:02Z"),
        job("j2", "p2", "2025-01-01T00:00:03Z"),
    ];
    let output = run(&mut engine, &lines);
    assert_eq!(shape(&output), group(&["s2", "j2"]));
    assert_eq!(output.summary.rules[0].sequences.map(|c| c.matcher.evicted), Some(1));
    assert!(output.summary.warnings.iter().any(|w| w.contains("state limits")));
}

#[test]
fn tiebreaker_orders_equal_times_and_override_stamps_the_alerts() {
    let extra = "timestamp_override = \"event.ingested\"\ntiebreaker_field = \"event.sequence\"";
    let mut engine = engine(vec![eql_rule("seq", SEQUENCE, extra)], EngineOptions::default());
    let mut first = job("j1", "p1", "2025-01-01T00:00:00Z");
    first["_source"]["event"]["sequence"] = json!(2);
    first["_source"]["event"]["ingested"] = json!("2025-01-01T00:00:09Z");
    let mut second = start("s1", "p1", "2025-01-01T00:00:00Z");
    second["_source"]["event"]["sequence"] = json!(1);
    let output = run(&mut engine, &[first, second]);
    assert_eq!(shape(&output), group(&["s1", "j1"]));
    // The shell carries the last event's rule time (`event.ingested`); the start event has
    // none and falls back to `@timestamp`.
    let time = |text: &str| EventTime::parse(text).ok();
    assert_eq!(output.alerts[0].time, time("2025-01-01T00:00:09Z"));
    assert_eq!(output.alerts[1].time, time("2025-01-01T00:00:00Z"));
    // Every alert of the group is stamped with the execution that found it: the first one
    // at or after the latest event (every 5 minutes).
    for alert in &output.alerts {
        assert_eq!(alert.document["@timestamp"], json!("2025-01-01T00:05:00.000Z"));
    }
    // Without the tiebreaker, input order puts the file event first: no sequence.
    let mut engine = engine_without_tiebreaker();
    let mut first = job("j1", "p1", "2025-01-01T00:00:00Z");
    first["_source"]["event"]["sequence"] = json!(2);
    let output = run(&mut engine, &[first, start("s1", "p1", "2025-01-01T00:00:00Z")]);
    assert!(output.alerts.is_empty());
}

fn engine_without_tiebreaker() -> Engine {
    engine(vec![eql_rule("seq", SEQUENCE, "")], EngineOptions::default())
}

#[test]
fn an_event_used_by_an_event_rule_and_a_sequence_rule_serves_both() {
    let event_rule = eql_rule("job", "file where file.extension == \\\"job\\\"", "");
    let mut engine =
        engine(vec![event_rule, eql_rule("seq", SEQUENCE, "")], EngineOptions::default());
    let lines =
        [start("s1", "p1", "2025-01-01T00:00:00Z"), job("j1", "p1", "2025-01-01T00:00:01Z")];
    let output = run(&mut engine, &lines);
    let rules: Vec<usize> = output.alerts.iter().map(|alert| alert.rule).collect();
    // Same time and arrival for the event alert and the group: rule order, then the group.
    assert_eq!(rules, [0, 1, 1, 1]);
}

#[test]
fn indexed_routing_equals_full_scan_with_sequences() {
    let rules = || {
        vec![
            eql_rule("seq", SEQUENCE, ""),
            eql_rule(
                "any",
                "sequence by host.id [any where host.os == \\\"linux\\\"] [file where true]",
                "",
            ),
            eql_rule("proc", "process where process.name : \\\"cmd*\\\"", ""),
        ]
    };
    let mut lines = Vec::new();
    for n in 0..60_u32 {
        let time = format!("2025-01-01T00:{:02}:{:02}Z", n / 60, n % 60);
        let entity = format!("p{}", n % 5);
        let mut event = if n % 3 == 0 {
            job(&n.to_string(), &entity, &time)
        } else {
            start(&n.to_string(), &entity, &time)
        };
        event["_source"]["host"] = json!({"id": format!("h{}", n % 4), "os": if n % 2 == 0 { "linux" } else { "windows" }});
        lines.push(event);
    }
    lines.reverse();
    let indexed = run(&mut engine(rules(), EngineOptions::default()), &lines);
    let options = EngineOptions { routing: Routing::FullScan, ..EngineOptions::default() };
    let full_scan = run(&mut engine(rules(), options), &lines);
    assert_eq!(indexed.alerts, full_scan.alerts);
    assert_eq!(indexed.summary, full_scan.summary);
    let per_rule: Vec<u64> = indexed.summary.rules.iter().map(|rule| rule.alerts).collect();
    assert!(per_rule.iter().all(|&alerts| alerts > 0), "{per_rule:?}");
}

#[test]
fn a_sequence_alerts_only_when_one_execution_window_holds_it() {
    // Every 5m over [now-9m, now] (Kibana runs the EQL search per execution window).
    let wide = "sequence by process.entity_id with maxspan=1h \
        [process where event.type == \\\"start\\\"] [file where file.extension == \\\"job\\\"]";
    let mut scheduled = engine(vec![eql_rule("seq", wide, "")], EngineOptions::default());
    let lines = [
        // Inside the 10:05 window [9:56, 10:05] and the 10:10 one [10:01, 10:10]: once.
        start("s1", "p1", "2025-01-01T10:01:00Z"),
        job("j1", "p1", "2025-01-01T10:04:00Z"),
        // 12 minutes apart: no window of 9 minutes holds both.
        start("s2", "p2", "2025-01-01T10:00:00Z"),
        job("j2", "p2", "2025-01-01T10:12:00Z"),
        // Exactly the look-back: the 10:30 window [10:21, 10:30] holds both (inclusive).
        start("s3", "p3", "2025-01-01T10:21:00Z"),
        job("j3", "p3", "2025-01-01T10:30:00Z"),
        // One second wider: the 10:50 window starts at 10:41.
        start("s4", "p4", "2025-01-01T10:40:59Z"),
        job("j4", "p4", "2025-01-01T10:50:00Z"),
    ];
    let output = run(&mut scheduled, &lines);
    let mut expected = group(&["s1", "j1"]);
    expected.extend(group(&["s3", "j3"]));
    assert_eq!(shape(&output), expected);
    let counts = output.summary.rules[0].sequences.expect("a sequence rule");
    assert_eq!(counts.outside_windows, 2);
    assert!(
        output.summary.warnings.iter().any(|w| w.contains("2 sequence(s) were not alerted")),
        "{:?}",
        output.summary.warnings
    );

    // Without the schedule every sequence alerts.
    let unscheduled = EngineOptions { unscheduled: true, ..EngineOptions::default() };
    let mut all = engine(vec![eql_rule("seq", wide, "")], unscheduled);
    assert_eq!(run(&mut all, &lines).summary.rules[0].alerts, 12);
}
