//! Lucene regular expressions through `warden query`: each case of `regex_classes.toml` runs
//! `process.command_line regex "<pattern>"` (or `regex~`) over one event per value and checks
//! which values are hits, or that the query fails with the case's error code.

#![allow(clippy::print_stdout, reason = "the runner reports `N passed, M failed`")]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// `regex` (the default) or `regex~`.
    op: Option<String>,
    pattern: String,
    #[serde(default)]
    matches: Vec<String>,
    #[serde(default)]
    misses: Vec<String>,
    /// The diagnostic code the query must fail with.
    error: Option<String>,
}

/// The pattern as an EQL string literal.
fn eql_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Runs the case; `Err` says how it went wrong.
fn run(case: &Case, dir: &std::path::Path) -> Result<(), String> {
    let values: Vec<&String> = case.matches.iter().chain(&case.misses).collect();
    let mut events = String::new();
    for (n, value) in values.iter().enumerate() {
        let event = json!({
            "@timestamp": "2024-01-01T00:00:00Z",
            "event": {"category": "process"},
            "process": {"command_line": value},
            "n": n,
        });
        events.push_str(&event.to_string());
        events.push('\n');
    }
    let file =
        dir.join(format!("{}.ndjson", case.name.replace(|c: char| !c.is_alphanumeric(), "_")));
    std::fs::write(&file, events).map_err(|e| e.to_string())?;
    let op = case.op.as_deref().unwrap_or("regex");
    let query = format!("process where process.command_line {op} {}", eql_string(&case.pattern));
    let file = file.to_string_lossy();
    let (code, stdout, stderr) =
        common::warden(&common::workspace(), &["query", "--size", "1000", &query, file.as_ref()]);
    if let Some(error) = &case.error {
        let output = format!("{stdout}{stderr}");
        return if code == 1 && output.contains(error.as_str()) {
            Ok(())
        } else {
            Err(format!("expected {error}, got exit {code}:\n{output}"))
        };
    }
    if code != 0 {
        return Err(format!("exit {code}: {stderr}"));
    }
    let hits: BTreeSet<usize> = stdout
        .lines()
        .map(|line| {
            let hit: Value = serde_json::from_str(line).expect("one JSON hit per line");
            usize::try_from(hit["_source"]["n"].as_u64().expect("n")).expect("small")
        })
        .collect();
    let wrong: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(n, _)| hits.contains(n) != (*n < case.matches.len()))
        .map(|(n, value)| {
            let expected = if n < case.matches.len() { "a hit" } else { "no hit" };
            format!("{value:?} should be {expected}")
        })
        .collect();
    if wrong.is_empty() { Ok(()) } else { Err(wrong.join(", ")) }
}

#[test]
fn lucene_regex_cases_through_warden_query() {
    let table = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regex_classes.toml");
    let cases: Cases = toml::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("regex_classes");
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for case in &cases.case {
        if let Err(why) = run(case, &dir) {
            failures.push(format!("{}: {why}", case.name));
        }
    }
    println!("{} passed, {} failed", cases.case.len() - failures.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
