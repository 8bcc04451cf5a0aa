//! EQL parser over real queries: every EQL rule query of the detection-rules corpus must
//! parse and round-trip (parse, print, parse again gives the same tree), and every query of
//! the Elasticsearch EQL QA specs (`shared/conformance/eql-es`) must parse.

#![allow(clippy::print_stdout, reason = "the runners report `N passed, M failed`")]

#[path = "support/bare_nulls.rs"]
mod bare_nulls;
mod support;

use std::fmt::Write as _;
use std::path::PathBuf;

use bare_nulls::quote_bare_nulls;
use support::{corpus_queries, shared_dir};

/// Parses, prints and re-parses `query`; describes the first thing that went wrong.
fn round_trip(query: &str) -> Result<(), String> {
    let parsed = eql_syntax::parse(query).map_err(|e| describe(&e))?;
    let printed = parsed.to_string();
    let reparsed = eql_syntax::parse(&printed)
        .map_err(|e| format!("printed form rejected: {}\n   {printed}", describe(&e)))?;
    if parsed.eq_ignoring_spans(&reparsed) {
        Ok(())
    } else {
        Err(format!("round trip changed the tree:\n   {printed}"))
    }
}

fn describe(errors: &eql_syntax::ParseErrors) -> String {
    errors.errors.iter().map(|e| format!("{e} at {:?}", e.span())).collect::<Vec<_>>().join("; ")
}

#[test]
fn corpus_eql_rules_parse_and_round_trip() {
    let queries = corpus_queries("eql");
    let (mut passed, mut failures) = (0usize, Vec::new());
    for (path, query) in &queries {
        match round_trip(query) {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("{}: {why}", path.display())),
        }
    }
    println!("corpus EQL rules: {passed} passed, {} failed", failures.len());
    for failure in &failures {
        println!("  {failure}");
    }
    assert_eq!(queries.len(), 1024, "every EQL rule of the corpus is found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn elasticsearch_qa_queries_parse() {
    let dir = shared_dir().join("conformance/eql-es");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("conformance directory is readable")
        .map(|entry| entry.expect("entry is readable").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let (mut passed, mut failures) = (0usize, String::new());
    for file in &files {
        let text = std::fs::read_to_string(file).expect("spec file is readable");
        let specs: toml::Table =
            quote_bare_nulls(&text).parse().unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let queries = specs
            .get("queries")
            .and_then(toml::Value::as_array)
            .expect("spec file has [[queries]]");
        for spec in queries {
            let name = spec.get("name").and_then(toml::Value::as_str).unwrap_or("?");
            let query =
                spec.get("query").and_then(toml::Value::as_str).expect("each spec has a query");
            match eql_syntax::parse(query) {
                Ok(_) => passed += 1,
                Err(errors) => {
                    let file_name = file.file_name().unwrap_or_default().to_string_lossy();
                    let _ = writeln!(
                        failures,
                        "  {file_name} {name}: {}\n    {query}",
                        describe(&errors)
                    );
                }
            }
        }
    }
    let failed = failures.lines().filter(|l| !l.starts_with("    ")).count();
    println!("Elasticsearch EQL QA queries: {passed} passed, {failed} failed\n{failures}");
    assert_eq!(passed + failed, 301, "every uncommented spec is checked");
    assert_eq!(failed, 0, "{failures}");
}

#[test]
fn bare_nulls_are_quoted_outside_queries() {
    let text = "join_keys = [null, \"null\"]\nquery = '''\n  x where a == null\n'''\n";
    let quoted = quote_bare_nulls(text);
    assert!(quoted.contains("join_keys = [\"null\", \"null\"]"), "{quoted}");
    assert!(quoted.contains("x where a == null"), "{quoted}");
}
