//! Queries and terms whose condition folds to a constant: `warden validate` warns
//! (`compile::never_matches`, `compile::always_matches`, labelled on the part that folds) and
//! `warden explain` says so in its plain-English section.

mod common;

use std::path::PathBuf;

fn fixtures() -> PathBuf {
    common::workspace().join("crates/rule-cli/tests/fixtures")
}

/// The `(severity, code, line)` of every diagnostic `validate --format json` reports for `rule`.
fn codes(rule: &str) -> Vec<(String, String, u64)> {
    let (_, json, _) = common::warden(&fixtures(), &["validate", "--format", "json", rule]);
    let report: serde_json::Value = serde_json::from_str(json.trim()).expect("one JSON report");
    assert_eq!(report["valid"], true, "warnings leave the rule valid");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
            (text("severity"), text("code"), d["line"].as_u64().unwrap_or_default())
        })
        .collect()
}

#[test]
fn validate_warns_about_constant_terms() {
    let (code, stdout, _) =
        common::warden(&fixtures(), &["validate", "constant/never_matching_term.toml"]);
    assert_eq!(code, 0, "{stdout}");
    insta::assert_snapshot!(stdout);
    let warning = |code: &str, line| ("warning".to_owned(), code.to_owned(), line);
    assert_eq!(
        codes("constant/never_matching_term.toml"),
        [warning("compile::always_matches", 21), warning("compile::never_matches", 23)]
    );
}

#[test]
fn validate_warns_about_a_kql_query_that_never_matches() {
    let (code, stdout, _) =
        common::warden(&fixtures(), &["validate", "constant/never_matching_query.toml"]);
    assert_eq!(code, 0, "{stdout}");
    insta::assert_snapshot!(stdout);
    assert_eq!(
        codes("constant/never_matching_query.toml"),
        [("warning".to_owned(), "compile::never_matches".to_owned(), 20)]
    );
}

#[test]
fn explain_says_which_terms_are_constant() {
    let (code, stdout, _) =
        common::warden(&fixtures(), &["explain", "constant/never_matching_term.toml"]);
    assert_eq!(code, 0, "{stdout}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn explain_of_an_event_query_that_never_matches() {
    let query = r#"process where process.pid > 4 and not (process.name == null or true)"#;
    let (code, stdout, _) = common::warden(&fixtures(), &["explain", "--language", "eql", query]);
    assert_eq!(code, 0, "{stdout}");
    let english = stdout.split("== Syntax tree").next().unwrap_or_default();
    insta::assert_snapshot!(english);
}

#[test]
fn a_query_that_can_match_gets_no_such_warning() {
    let query = r#"process where process.pid > 4 and not ?process.Ext.token.integrity_level_name : "System""#;
    let (code, stdout, _) = common::warden(&fixtures(), &["explain", "--language", "eql", query]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("never_matches") && !stdout.contains("Note:"), "{stdout}");
}
