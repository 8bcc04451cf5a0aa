//! KQL parser conformance: Kibana's parse trees for `shared/conformance/kql/parse_cases.jsonl`
//! (accepted queries must also print back to the same tree),
//! and a parse + print + re-parse round trip of every KQL rule query in the corpus.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

#[test]
fn kibana_parse_cases() {
    let path = shared_dir().join("conformance/kql/parse_cases.jsonl");
    let text = std::fs::read_to_string(&path).expect("parse_cases.jsonl is readable");
    let (mut passed, mut failures) = (0usize, String::new());
    let mut same_message = 0usize;
    for (line_number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        let query = case["query"].as_str().expect("query is a string");
        let ok = case["ok"].as_bool().expect("ok is a bool");
        let outcome = match (kql_syntax::parse(query), ok) {
            (Ok(parsed), true) => {
                let tree = parsed.to_sexpr();
                let printed = parsed.to_string();
                let round_trips =
                    kql_syntax::parse(&printed).is_ok_and(|again| again.eq_ignoring_spans(&parsed));
                if !round_trips {
                    Err(format!("printed as {printed:?}, which does not parse back the same"))
                } else if tree == case["tree"].as_str().unwrap_or_default() {
                    Ok(())
                } else {
                    Err(format!("tree {tree}\n   want {}", case["tree"]))
                }
            }
            (Ok(parsed), false) => {
                Err(format!("accepted as {}, Kibana says {}", parsed.to_sexpr(), case["error"]))
            }
            (Err(error), true) => Err(format!("rejected: {:?}", error.errors)),
            (Err(error), false) => {
                if error.kibana_message.as_deref() == case["error"].as_str() {
                    same_message += 1;
                }
                Ok(())
            }
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(why) => {
                let _ = writeln!(failures, "line {}: {query:?}\n   {why}", line_number + 1);
            }
        }
    }
    let failed = failures.lines().filter(|l| l.starts_with("line ")).count();
    println!("kql parse cases: {passed} passed, {failed} failed\n{failures}");
    // Informational: our approximation of Kibana's `Expected … but … found.` message.
    println!("kql error messages identical to Kibana's: {same_message} of 46");
    assert_eq!(passed, 223, "every case should be checked");
    assert_eq!(failed, 0, "{failures}");
}

/// The `[rule] query` of every `language = "kuery"` rule under the corpus.
fn corpus_kql_queries() -> Vec<(PathBuf, String)> {
    let root = shared_dir().join("corpus/detection-rules");
    let mut queries = Vec::new();
    for entry in WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("corpus is readable");
        if entry.path().extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("rule file is readable");
        let Ok(rule) = text.parse::<toml::Table>() else { continue };
        let Some(rule) = rule.get("rule").and_then(toml::Value::as_table) else { continue };
        if rule.get("language").and_then(toml::Value::as_str) != Some("kuery") {
            continue;
        }
        if let Some(query) = rule.get("query").and_then(toml::Value::as_str) {
            queries.push((entry.path().to_owned(), query.to_owned()));
        }
    }
    queries
}

#[test]
fn corpus_kql_rules_parse_and_round_trip() {
    let queries = corpus_kql_queries();
    let (mut passed, mut failures) = (0usize, Vec::new());
    for (path, query) in &queries {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let first = match kql_syntax::parse(query) {
            Ok(parsed) => parsed,
            Err(error) => {
                failures.push(format!("{name}: {:?}", error.errors));
                continue;
            }
        };
        let printed = first.to_string();
        match kql_syntax::parse(&printed) {
            Ok(second) if second.eq_ignoring_spans(&first) => passed += 1,
            Ok(_) => failures.push(format!("{name}: printed query parses differently: {printed}")),
            Err(error) => {
                failures.push(format!("{name}: printed query {printed:?}: {:?}", error.errors))
            }
        }
    }
    println!("kql corpus rules: {passed} passed, {} failed", failures.len());
    for failure in &failures {
        println!("  {failure}");
    }
    assert_eq!(passed + failures.len(), 729, "every KQL rule of the corpus should be checked");
    assert!(failures.is_empty(), "{failures:#?}");
}
