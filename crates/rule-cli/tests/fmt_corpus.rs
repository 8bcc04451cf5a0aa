//! `warden fmt` over every rule of `elastic/detection-rules`: the layout keeps each query's
//! syntax tree, and formatting a formatted file changes nothing.

use std::path::PathBuf;

use rule_cli::fmt::{Formatted, format_rule_file};
use rule_cli::{ParsedQuery, QueryOutcome, parse_query};
use rule_model::RuleFile;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/detection-rules")
}

fn parsed(file: &RuleFile) -> ParsedQuery {
    let rule = &file.rule;
    match parse_query(rule.language.unwrap(), rule.query_text().unwrap()) {
        QueryOutcome::Parsed(query) => *query,
        other => panic!("{}: {other:?}", file.name()),
    }
}

fn same_tree(a: &ParsedQuery, b: &ParsedQuery) -> bool {
    match (a, b) {
        (ParsedQuery::Eql(a), ParsedQuery::Eql(b)) => a.eq_ignoring_spans(b),
        (ParsedQuery::Kql(a), ParsedQuery::Kql(b)) => a.eq_ignoring_spans(b),
        _ => false,
    }
}

#[test]
fn fmt_keeps_every_corpus_query_and_is_idempotent() {
    let (mut passed, mut failures, mut refused, mut skipped) = (0, Vec::new(), Vec::new(), 0);
    for entry in walkdir::WalkDir::new(corpus_dir()).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        let name = entry.path().display().to_string();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        match format_rule_file(&name, &text) {
            Ok(Formatted::Skipped(_)) => skipped += 1,
            Ok(Formatted::Unchanged) => passed += 1,
            Ok(Formatted::Changed(new_text)) => {
                let before = parsed(&RuleFile::parse(&name, text.as_str()).unwrap());
                let after = parsed(&RuleFile::parse(&name, new_text.as_str()).unwrap());
                let again = format_rule_file(&name, &new_text);
                if !same_tree(&before, &after) {
                    failures.push(format!("{name}: the syntax tree changed"));
                } else if !matches!(again, Ok(Formatted::Unchanged)) {
                    failures.push(format!("{name}: a second format changes it again"));
                } else {
                    passed += 1;
                }
            }
            Err(diagnostic) => {
                refused.push(diagnostic.code().map(|c| c.to_string()).unwrap_or_default());
            }
        }
    }
    refused.sort();
    let mut refused_by_code: Vec<(String, usize)> = Vec::new();
    for code in refused {
        match refused_by_code.last_mut() {
            Some((last, count)) if *last == code => *count += 1,
            _ => refused_by_code.push((code, 1)),
        }
    }
    #[allow(clippy::print_stdout)]
    {
        println!("fmt corpus: {passed} passed, {} failed", failures.len());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_debug_snapshot!((passed, skipped, refused_by_code));
}
