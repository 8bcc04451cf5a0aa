//! Kibana's schedule replayed over event time: window boundaries, overlapping windows,
//! `max_signals` and threshold rules, each over hand-written events.

use event_input::NdjsonReader;
use rule_engine::{CompiledQuery, Engine, EngineOptions, EventCategory, RunOutput};
use rule_model::RuleFile;
use rule_vm::{CaseMode, FieldTable, Instr, ProgramBuilder, StrMatcher, Test};
use serde_json::json;

/// One rule matching `a: *` with the given type and extra `[rule]` lines, run over events
/// `(id, time, extra fields)`.
fn run(rule_type: &str, extra: &str, events: &[(&str, &str, serde_json::Value)]) -> RunOutput {
    run_with(EngineOptions::default(), rule_type, extra, events)
}

/// [`run`] with engine `options`.
fn run_with(
    options: EngineOptions,
    rule_type: &str,
    extra: &str,
    events: &[(&str, &str, serde_json::Value)],
) -> RunOutput {
    let text = format!(
        "[rule]\nrule_id = \"r\"\nname = \"R\"\ndescription = \"d\"\nrisk_score = 21\nseverity = \"low\"\n\
         type = \"{rule_type}\"\nlanguage = \"kuery\"\nindex = [\"logs-*\"]\nquery = \"a:*\"\n{extra}\n"
    );
    let rule = RuleFile::parse("t.toml", &text).map_err(|e| format!("{e:?}")).expect("rule").rule;
    let mut fields = FieldTable::new();
    let field = fields.intern("a");
    let mut builder = ProgramBuilder::new();
    let matcher = builder.add_matcher(StrMatcher::glob("*", false, CaseMode::Sensitive));
    builder.emit(Instr::Test { field, test: Test::Matches { matcher } }, (0, 1));
    let program = builder.finish().expect("program");
    let compiled = CompiledQuery::Event { program, category: EventCategory::Any };
    let mut engine = Engine::new(fields, vec![(rule, compiled)], options).expect("engine");
    let lines: String = events
        .iter()
        .map(|(id, time, extra)| {
            let mut source = json!({"@timestamp": time, "a": "x"});
            if let (Some(map), Some(more)) = (source.as_object_mut(), extra.as_object()) {
                map.extend(more.clone());
            }
            json!({"_index": "logs-x", "_id": id, "_source": source}).to_string() + "\n"
        })
        .collect();
    engine.run(NdjsonReader::new(lines.as_bytes()))
}

fn ids(output: &RunOutput) -> Vec<String> {
    output
        .alerts
        .iter()
        .map(|a| a.document["kibana.alert.ancestors"][0]["id"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn an_event_on_a_window_boundary_alerts_once_across_overlapping_windows() {
    // interval 5m, from now-6m: 10:05 is the end of the 10:05 window and inside 10:10's.
    let events =
        [("edge", "2024-01-01T10:05:00Z", json!({})), ("inner", "2024-01-01T10:07:00Z", json!({}))];
    let output = run("query", "", &events);
    assert_eq!(ids(&output), ["edge", "inner"]);
    let counts = output.summary.rules[0].schedule.expect("scheduled");
    assert_eq!((counts.executions, counts.missed, counts.cut_by_max_signals), (2, 0, 0));
}

#[test]
fn max_signals_overflow_is_cut_and_counted_then_picked_up_by_the_overlap() {
    // max_signals 2: the 10:05 execution takes e4, e1; e3 (10:04:30) is still in the
    // 10:10 window [10:04, 10:10] and alerts there; e2 (10:02) is only in the first window.
    let events = [
        ("e4", "2024-01-01T10:00:30Z", json!({})),
        ("e1", "2024-01-01T10:01:00Z", json!({})),
        ("e2", "2024-01-01T10:02:00Z", json!({})),
        ("e3", "2024-01-01T10:04:30Z", json!({})),
    ];
    let output = run("query", "max_signals = 2", &events);
    assert_eq!(ids(&output), ["e4", "e1", "e3"]);
    let counts = output.summary.rules[0].schedule.expect("scheduled");
    assert_eq!(counts.cut_by_max_signals, 2);
    assert_eq!(counts.missed, 1, "e2 left every window");
    assert!(output.summary.warnings.iter().any(|w| w.contains("reached max_signals")));
}

#[test]
fn a_gap_between_windows_misses_events() {
    // interval 10m, from now-2m: 10:05 is in no window ([9:58,10:00], [10:08,10:10]).
    let events =
        [("gap", "2024-01-01T10:05:00Z", json!({})), ("seen", "2024-01-01T10:09:00Z", json!({}))];
    let output = run("query", "interval = \"10m\"\nfrom = \"now-2m\"", &events);
    assert_eq!(ids(&output), ["seen"]);
    assert_eq!(output.summary.rules[0].schedule.expect("scheduled").missed, 1);
}

#[test]
fn threshold_groups_count_and_signal_history() {
    let threshold = "[rule.threshold]\nfield = [\"host\"]\nvalue = 2\n";
    let events = [
        ("1", "2024-01-01T10:01:00Z", json!({"host": "h1"})),
        ("2", "2024-01-01T10:02:00Z", json!({"host": "h1"})),
        ("3", "2024-01-01T10:03:00Z", json!({"host": "h2"})),
        ("4", "2024-01-01T10:03:30Z", json!({})),
        // Next execution: h1's first two events are in its history, one more is not enough.
        ("5", "2024-01-01T10:06:00Z", json!({"host": "h1"})),
    ];
    let output = run("threshold", threshold, &events);
    assert_eq!(output.alerts.len(), 1, "{:#?}", output.alerts);
    let result = &output.alerts[0].document["kibana.alert.threshold_result"];
    assert_eq!(
        result,
        &json!({"terms": [{"field": "host", "value": "h1"}], "cardinality": [], "count": 2,
                "from": "2024-01-01T10:01:00.000Z"})
    );
}

#[test]
fn per_execution_suppression_folds_a_group_into_one_alert() {
    let suppression = "[rule.alert_suppression]\ngroup_by = [\"host\"]\n";
    let events = [
        ("1", "2024-01-01T10:01:00Z", json!({"host": "h1"})),
        ("2", "2024-01-01T10:02:00Z", json!({"host": "h1"})),
        ("3", "2024-01-01T10:03:00Z", json!({"host": "h2"})),
    ];
    let output = run("query", suppression, &events);
    assert_eq!(ids(&output), ["1", "3"]);
    let kept = &output.alerts[0].document;
    assert_eq!(kept["kibana.alert.suppression.docs_count"], json!(1));
    assert_eq!(kept["kibana.alert.suppression.end"], json!("2024-01-01T10:02:00.000Z"));
}

#[test]
fn an_unscheduled_threshold_rule_counts_every_event_in_one_execution() {
    // Hours apart: no window of the schedule holds both, one unscheduled execution does.
    let threshold = "[rule.threshold]\nfield = [\"host\"]\nvalue = 2\n";
    let events = [
        ("1", "2024-01-01T10:00:00Z", json!({"host": "h1"})),
        ("2", "2024-01-01T13:00:00Z", json!({"host": "h1"})),
    ];
    assert!(run("threshold", threshold, &events).alerts.is_empty());
    let unscheduled = EngineOptions { unscheduled: true, ..EngineOptions::default() };
    let output = run_with(unscheduled, "threshold", threshold, &events);
    assert_eq!(output.alerts.len(), 1);
    assert_eq!(output.alerts[0].document["kibana.alert.threshold_result"]["count"], json!(2));
    assert_eq!(output.alerts[0].document["@timestamp"], json!("2024-01-01T13:00:00.000Z"));
}
