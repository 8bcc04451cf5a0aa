//! Corpus rules that must alert: each case of `corpus_positives.toml` runs one rule file of
//! `../shared/corpus/detection-rules` with `warden run --now` over the case's events and
//! counts the alert documents.

#![allow(clippy::print_stdout, reason = "the runner reports `N passed, M failed`")]

mod common;

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The rule file, relative to the corpus.
    rule: String,
    /// `--now`.
    now: String,
    /// One JSON document each.
    events: Vec<String>,
    /// Alert documents expected (shell and building blocks count).
    alerts: usize,
}

fn run(case: &Case, dir: &std::path::Path) -> Result<(), String> {
    let corpus = common::workspace().join("../shared/corpus/detection-rules");
    let rule = corpus.join(&case.rule);
    let mut ndjson = String::new();
    for event in &case.events {
        let value: Value = serde_json::from_str(event).map_err(|e| format!("event: {e}"))?;
        ndjson.push_str(&value.to_string());
        ndjson.push('\n');
    }
    let events =
        dir.join(format!("{}.ndjson", case.name.replace(|c: char| !c.is_alphanumeric(), "_")));
    std::fs::write(&events, ndjson).map_err(|e| e.to_string())?;
    let (rule, events) = (rule.to_string_lossy(), events.to_string_lossy());
    let args = ["run", "--rules", rule.as_ref(), "--events", events.as_ref(), "--now", &case.now];
    let (code, stdout, stderr) = common::warden(&common::workspace(), &args);
    if code != 0 {
        return Err(format!("exit {code}: {stderr}"));
    }
    let alerts = stdout.lines().count();
    if alerts == case.alerts {
        Ok(())
    } else {
        Err(format!("{alerts} alert document(s), expected {}\n{stderr}", case.alerts))
    }
}

#[test]
fn corpus_rules_alert_on_events_built_for_them() {
    let table = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus_positives.toml");
    let cases: Cases = toml::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus_positives");
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
