//! `warden explain --event`: the seed rules traced over one matching and one excluded event
//! each (taken from `tests/events/sample-events.ndjson`), and the option's edge cases.

mod common;

use common::workspace;

use std::path::{Path, PathBuf};

/// Runs `warden args...` in the workspace; returns (exit code, stdout, stderr).
fn warden(args: &[&str]) -> (i32, String, String) {
    common::warden(&workspace(), args)
}

const EVENTS: &str = "crates/rule-cli/tests/fixtures/explain";

/// The trace section of `explain` output (everything else is snapshotted by `cli.rs`).
fn traces(stdout: &str) -> &str {
    let start = stdout.find("== Traces over").expect("a trace section");
    &stdout[start..]
}

fn verdicts(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|line| line.starts_with("verdict: ")).collect()
}

#[test]
fn eql_seed_rule_traces_a_match_and_an_exclusion() {
    let events = Path::new(EVENTS).join("job_events.ndjson");
    let (code, stdout, stderr) = warden(&[
        "explain",
        "rules/windows/persistence_local_scheduled_job_creation.toml",
        "--event",
        events.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // Event 1: Updater.job written by svchelper.exe; event 2: DCAgentUpdater.job written by
    // the ManageEngine agent, which the rule's second exclusion removes.
    let verdicts = verdicts(&stdout);
    assert_eq!(verdicts.len(), 2, "{stdout}");
    assert!(verdicts[0].starts_with("verdict: match"), "{stdout}");
    assert!(verdicts[1].starts_with("verdict: no match"), "{stdout}");
    insta::assert_snapshot!(traces(&stdout));
}

#[test]
fn kql_seed_rule_traces_a_match_and_an_exclusion() {
    let events = Path::new(EVENTS).join("task_events.ndjson");
    let (code, stdout, stderr) = warden(&[
        "explain",
        "rules/windows/persistence_scheduled_task_updated.toml",
        "--event",
        events.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // Event 1: a 4702 by alice; event 2: a 4702 by S-1-5-18 (SYSTEM), excluded by the query.
    let verdicts = verdicts(&stdout);
    assert_eq!(verdicts.len(), 2, "{stdout}");
    assert!(verdicts[0].starts_with("verdict: match"), "{stdout}");
    assert!(verdicts[1].starts_with("verdict: no match"), "{stdout}");
    insta::assert_snapshot!(traces(&stdout));
}

#[test]
fn query_text_traces_every_sequence_term_and_stops_at_the_limit() {
    let (code, stdout, stderr) = warden(&[
        "explain",
        "--language",
        "eql",
        r#"sequence by host.name [file where file.extension == "job"] [iam where event.code == "4702"]"#,
        "--event",
        "tests/events/sample-events.ndjson",
        "--limit",
        "3",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let traces = traces(&stdout);
    assert!(traces.contains("(first 3 event(s);"), "{traces}");
    assert_eq!(traces.matches("\n-- event ").count(), 3, "{traces}");
    assert_eq!(traces.matches("sequence term 1:").count(), 3, "{traces}");
    assert_eq!(traces.matches("sequence term 2:").count(), 3, "{traces}");
    // Event 2 is the Updater.job file event: term 1 matches, term 2 does not.
    let event_2 = &traces[traces.find("-- event 2").unwrap()..traces.find("-- event 3").unwrap()];
    assert_eq!(
        verdicts(event_2),
        [
            "verdict: match (decided by instruction 2)",
            "verdict: no match (decided by instruction 0)"
        ]
    );
}

#[test]
fn a_missing_event_file_is_a_usage_error() {
    let (code, stdout, stderr) = warden(&[
        "explain",
        "--language",
        "kuery",
        "event.code: 4702",
        "--event",
        "no/such/events.ndjson",
    ]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("no/such/events.ndjson"), "{stderr}");
    assert!(stdout.is_empty(), "nothing is explained before the events are read: {stdout}");
}

#[test]
fn a_line_that_is_not_an_event_is_reported_in_place() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("explain_trace");
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("mixed.ndjson");
    std::fs::write(&events, "{\"event\": {\"code\": \"4702\"}}\n[1, 2]\n").unwrap();
    let (code, stdout, stderr) = warden(&[
        "explain",
        "--language",
        "kuery",
        "event.code: 4702",
        "--event",
        events.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(verdicts(&stdout), ["verdict: match (decided by instruction 0)"], "{stdout}");
    assert!(stdout.contains("-- item 2: not an event:"), "{stdout}");
}
