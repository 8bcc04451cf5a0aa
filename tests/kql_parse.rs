//! KQL parser conformance: Kibana's parse trees for `shared/conformance/kql/parse_cases.jsonl`
//! (accepted queries must also print back to the same tree),
//! and a parse + print + re-parse round trip of every KQL rule query in the corpus.

#![allow(clippy::print_stdout, reason = "the runners report `N passed, M failed`")]

mod support;

use std::fmt::Write as _;

use support::{corpus_queries, shared_dir};

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
            (Ok(query_ast), true) => {
                let tree = query_ast.to_sexpr();
                let printed = query_ast.to_string();
                let round_trips = kql_syntax::parse(&printed)
                    .is_ok_and(|again| again.eq_ignoring_spans(&query_ast));
                if !round_trips {
                    Err(format!("printed as {printed:?}, which does not parse back the same"))
                } else if tree == case["tree"].as_str().unwrap_or_default() {
                    Ok(())
                } else {
                    Err(format!("tree {tree}\n   want {}", case["tree"]))
                }
            }
            (Ok(query_ast), false) => {
                Err(format!("accepted as {}, Kibana says {}", query_ast.to_sexpr(), case["error"]))
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

#[test]
fn corpus_kql_rules_parse_and_round_trip() {
    let queries = corpus_queries("kuery");
    let (mut passed, mut problems) = (0usize, Vec::new());
    for (path, query) in &queries {
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        let first = match kql_syntax::parse(query) {
            Ok(ast) => ast,
            Err(error) => {
                problems.push(format!("{file}: {:?}", error.errors));
                continue;
            }
        };
        let printed = first.to_string();
        match kql_syntax::parse(&printed) {
            Ok(second) if second.eq_ignoring_spans(&first) => passed += 1,
            Ok(_) => problems.push(format!("{file}: printed query parses differently: {printed}")),
            Err(error) => {
                problems.push(format!("{file}: printed query {printed:?}: {:?}", error.errors));
            }
        }
    }
    println!("kql corpus rules: {passed} passed, {} failed", problems.len());
    for failure in &problems {
        println!("  {failure}");
    }
    assert_eq!(passed + problems.len(), 729, "every KQL rule of the corpus should be checked");
    assert!(problems.is_empty(), "{problems:#?}");
}
