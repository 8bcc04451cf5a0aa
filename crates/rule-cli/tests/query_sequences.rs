//! `warden query` with EQL sequences and samples over `tests/events/sequence-events.ndjson`:
//! one `{"join_keys": [...], "events": [hits]}` line per result, as the EQL search API
//! returns them (eql.md §1.7-1.10).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const EVENTS: &str = "tests/events/sequence-events.ndjson";

/// Runs `warden query args... EVENTS` from the workspace root; (exit code, stdout, stderr).
fn query(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("query")
        .args(args)
        .arg(EVENTS)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("NO_COLOR", "1")
        .output()
        .expect("the warden binary runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (output.status.code().expect("an exit code"), text(output.stdout), text(output.stderr))
}

/// Each result line as `[keys] index/id, index/id` (a missing event shows as `missing`),
/// then the standard error.
fn compact(stdout: &str, stderr: &str) -> String {
    let mut lines = Vec::new();
    for line in stdout.lines() {
        let result: Value = serde_json::from_str(line).expect("one JSON object per line");
        let events: Vec<String> = result["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|hit| match hit.get("missing") {
                Some(Value::Bool(true)) => "missing".to_owned(),
                _ => format!(
                    "{}/{}",
                    hit["_index"].as_str().unwrap_or("?"),
                    hit["_id"].as_str().unwrap_or("?")
                ),
            })
            .collect();
        lines.push(format!("{} {}", result["join_keys"], events.join(", ")));
    }
    format!("{}\n---\n{stderr}", lines.join("\n"))
}

const SEQUENCE: &str = r#"sequence by process.entity_id with maxspan=1m
  [process where process.name == "cmd.exe"]
  [file where file.extension == "job"]"#;

#[test]
fn sequence_query_lists_sequences_oldest_first() {
    let (code, stdout, stderr) = query(&[SEQUENCE]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(compact(&stdout, &stderr));
    // A hit inside a sequence is the whole search hit.
    let first: Value = serde_json::from_str(stdout.lines().next().expect("a result")).unwrap();
    assert_eq!(first["events"][0]["_source"]["process"]["entity_id"], "p1");
}

#[test]
fn sequence_size_result_position_and_pipes() {
    let (_, head, _) = query(&["--size", "1", "--result-position", "head", SEQUENCE]);
    let (_, tail, _) = query(&["--size", "1", SEQUENCE]);
    let with_pipes = format!("{SEQUENCE} | tail 2 | head 1");
    let (_, pipes, _) = query(&[&with_pipes]);
    let keys = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap()["join_keys"].to_string())
            .collect()
    };
    assert_eq!(keys(&head), [r#"["p1"]"#]);
    assert_eq!(keys(&tail), [r#"["p3"]"#]);
    assert_eq!(keys(&pipes), [r#"["p1"]"#]);
}

#[test]
fn missing_event_term_gives_a_placeholder() {
    let missing = "sequence by host.name with maxspan=1m [process where true] ![file where true]";
    let (code, stdout, stderr) = query(&[missing]);
    assert_eq!(code, 0, "{stderr}");
    let result: Value = serde_json::from_str(stdout.trim()).expect("one result");
    assert_eq!(
        result["events"][1],
        serde_json::json!({"_index": "", "_id": "", "_source": {}, "missing": true})
    );
    assert_eq!(result["join_keys"], serde_json::json!(["ws2"]));
}

#[test]
fn sample_query_with_max_samples_per_key() {
    let sample = "sample by host.name [process where true] [file where true]";
    let (code, one, stderr) = query(&[sample]);
    assert_eq!(code, 0, "{stderr}");
    let (_, two, two_stderr) = query(&["--max-samples-per-key", "2", sample]);
    insta::assert_snapshot!(format!(
        "{}\n=== max 2 ===\n{}",
        compact(&one, &stderr),
        compact(&two, &two_stderr)
    ));
}

#[test]
fn tiebreaker_orders_events_with_the_same_time() {
    // f1 (line 1, event.sequence 4) and s2 (line 3, event.sequence 3) share 10:00:20. Input
    // order puts f1 first; the tiebreaker puts s2 first.
    let pair = r#"sequence [process where process.entity_id == "p2"] [file where process.entity_id == "p1"]"#;
    let (_, plain, _) = query(&[pair]);
    let (_, ordered, stderr) = query(&["--tiebreaker-field", "event.sequence", pair]);
    assert_eq!(plain, "");
    insta::assert_snapshot!(compact(&ordered, &stderr));
}

#[test]
fn invalid_max_samples_per_key_is_an_error() {
    let (code, _, stderr) = query(&[
        "--max-samples-per-key",
        "0",
        "sample by host.name [process where true] [file where true]",
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("max_samples_per_key"), "{stderr}");
}
