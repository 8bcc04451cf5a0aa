//! The whole detection-rules corpus (`rules/` and `rules_building_block/`) through
//! `warden validate --format json`: no rule compiles to a query, or a sequence or sample term,
//! that never matches (`compile::never_matches`). Prints the counts.

#![allow(clippy::print_stdout, reason = "the test reports its counts")]

mod common;

use std::collections::BTreeMap;

#[test]
fn no_corpus_rule_has_a_query_or_term_that_never_matches() {
    let corpus = common::workspace().join("../shared/corpus/detection-rules");
    let (code, stdout, stderr) =
        common::warden(&corpus, &["validate", "--format", "json", "rules", "rules_building_block"]);
    assert!(code == 0 || code == 1, "validate failed to run: {stderr}");
    let mut languages: BTreeMap<String, usize> = BTreeMap::new();
    let (mut rules, mut never, mut always) = (0, Vec::new(), Vec::new());
    for line in stdout.lines() {
        let report: serde_json::Value = serde_json::from_str(line).expect("one JSON report");
        rules += 1;
        let language = report["language"].as_str().unwrap_or("none").to_owned();
        *languages.entry(language).or_default() += 1;
        for diagnostic in report["diagnostics"].as_array().into_iter().flatten() {
            let found = format!("{}: {}", report["path"], diagnostic["message"]);
            match diagnostic["code"].as_str() {
                Some("compile::never_matches") => never.push(found),
                Some("compile::always_matches") => always.push(found),
                _ => {}
            }
        }
    }
    println!(
        "{rules} rule files {languages:?}: {} never match, {} match every event of their category",
        never.len(),
        always.len()
    );
    assert!(rules > 2000, "the corpus was not found at {}", corpus.display());
    assert!(never.is_empty(), "{}", never.join("\n"));
}
