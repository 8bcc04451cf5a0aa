//! `warden validate`'s schema-based checks, one broken seed rule per check (cases in
//! `schema_checks.toml`): the codes and severities found, whether the rule stays valid, and
//! the rendered report (labelled in the rule file) as a snapshot per case.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    rule: String,
    find: String,
    replace: String,
    /// A flat `{"field": "type"}` schema passed with `--schema`.
    schema: Option<String>,
    /// `"severity code"` of every finding, in report order.
    codes: Vec<String>,
    valid: bool,
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `warden args...` in `dir` without colour; returns (exit code, stdout).
fn warden(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the warden binary runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    (output.status.code().expect("an exit code"), stdout)
}

/// Writes the broken rule (and its schema) into a scratch folder; returns the `validate`
/// arguments after the format.
fn prepare(case: &Case) -> (PathBuf, Vec<String>) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("schema_checks").join(&case.name);
    std::fs::create_dir_all(&dir).unwrap();
    let rule_file = format!("{}.toml", case.rule);
    let original =
        std::fs::read_to_string(crate_dir().join("../../rules/windows").join(&rule_file)).unwrap();
    assert_eq!(original.matches(&case.find).count(), 1, "{}: `find` must occur once", case.name);
    std::fs::write(dir.join(&rule_file), original.replacen(&case.find, &case.replace, 1)).unwrap();
    let mut args = Vec::new();
    if let Some(schema) = &case.schema {
        std::fs::write(dir.join("schema.json"), schema).unwrap();
        args.extend(["--schema".to_owned(), "schema.json".to_owned()]);
    }
    args.push(rule_file);
    (dir, args)
}

#[test]
fn each_schema_check_reports_its_code_in_the_rule_file() {
    let text = std::fs::read_to_string(crate_dir().join("tests/schema_checks.toml")).unwrap();
    let cases: Cases = toml::from_str(&text).unwrap();
    assert!(cases.case.len() >= 30, "{} cases", cases.case.len());
    for case in &cases.case {
        let (dir, args) = prepare(case);
        let with_format = |format: &str| {
            let mut all = vec!["validate", "--format", format];
            all.extend(args.iter().map(String::as_str));
            warden(&dir, &all)
        };
        let (code, json) = with_format("json");
        let report: serde_json::Value = serde_json::from_str(json.trim()).expect("one JSON line");
        let found: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {}", d["severity"].as_str().unwrap(), d["code"].as_str().unwrap()))
            .collect();
        assert_eq!(found, case.codes, "{}: {json}", case.name);
        assert_eq!(report["valid"], case.valid, "{}", case.name);
        assert_eq!(code, i32::from(!case.valid), "exit code, {}", case.name);
        // Every finding is placed on its line of the rule file.
        for diagnostic in report["diagnostics"].as_array().unwrap() {
            assert!(diagnostic["line"].as_u64().is_some_and(|line| line > 1), "{}", case.name);
        }
        let (_, text) = with_format("text");
        insta::assert_snapshot!(case.name.as_str(), text);
    }
}
