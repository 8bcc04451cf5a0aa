//! `warden validate` beyond syntax (look-back, duplicate ids, warnings), its SARIF output
//! checked against the SARIF 2.1.0 schema, and `warden fmt`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
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

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|line| serde_json::from_str(line).expect("one JSON object per line")).collect()
}

#[test]
fn sequence_maxspan_longer_than_lookback_is_an_error() {
    let (code, stdout) = warden(&fixtures(), &["validate", "validate/lookback_too_short.toml"]);
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!(stdout);
    let (_, json) =
        warden(&fixtures(), &["validate", "--format", "json", "validate/lookback_too_short.toml"]);
    let report = &json_lines(&json)[0];
    assert_eq!(report["valid"], false);
    assert_eq!(report["diagnostics"][0]["code"], "rule::lookback_too_short");
    assert_eq!(report["diagnostics"][0]["line"], 9);
    assert_eq!(report["diagnostics"][0]["column"], 8);
}

#[test]
fn duplicate_rule_id_is_an_error_on_the_later_file() {
    let (code, stdout) = warden(&fixtures(), &["validate", "validate/duplicate"]);
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!(stdout);
    let (_, json) = warden(&fixtures(), &["validate", "--format", "json", "validate/duplicate"]);
    let reports = json_lines(&json);
    assert_eq!(reports[0]["valid"], true);
    assert_eq!(reports[1]["valid"], false);
    assert_eq!(reports[1]["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(reports[1]["diagnostics"][0]["code"], "rule::duplicate_rule_id");
    assert_eq!(reports[1]["diagnostics"][0]["severity"], "error");
}

#[test]
fn warnings_leave_the_rule_valid() {
    let (code, stdout) = warden(&fixtures(), &["validate", "validate/warnings.toml"]);
    assert_eq!(code, 0, "{stdout}");
    insta::assert_snapshot!(stdout);
    let (_, json) =
        warden(&fixtures(), &["validate", "--format", "json", "validate/warnings.toml"]);
    let report = &json_lines(&json)[0];
    assert_eq!(report["valid"], true);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["severity"], "warning");
            d["code"].as_str().unwrap()
        })
        .collect();
    assert_eq!(codes, ["rule::unknown_key", "rule::risk_score_band"]);
}

#[test]
fn sarif_output_follows_the_sarif_2_1_0_schema() {
    let (code, stdout) = warden(&fixtures(), &["validate", "--format", "sarif", "validate"]);
    assert_eq!(code, 1, "{stdout}");
    let log: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema would also accept an empty log: check the content too.
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "warden");
    let results = run["results"].as_array().unwrap();
    let summary: Vec<String> = results
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            format!(
                "{} {} {}:{}",
                r["level"].as_str().unwrap(),
                r["ruleId"].as_str().unwrap(),
                location["artifactLocation"]["uri"].as_str().unwrap(),
                location["region"]["startLine"],
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "error rule::duplicate_rule_id validate/duplicate/second.toml:14",
            "error rule::lookback_too_short validate/lookback_too_short.toml:9",
            "warning rule::unknown_key validate/warnings.toml:12",
            "warning rule::risk_score_band validate/warnings.toml:14",
        ]
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|rule| rule["help"]["text"].is_string()), "{rules:#?}");
    let mut stable = log.clone();
    stable["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    insta::assert_snapshot!(serde_json::to_string_pretty(&stable).unwrap());
}

/// A scratch copy of the `fmt` fixtures.
fn fmt_scratch(case: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fmt").join(case);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["long_eql.toml", "comment.toml", "commented_eql.toml"] {
        std::fs::copy(fixtures().join("fmt").join(name), dir.join(name)).unwrap();
    }
    dir
}

#[test]
fn fmt_rewrites_only_the_query_and_is_idempotent() {
    let dir = fmt_scratch("rewrite");
    let original = std::fs::read_to_string(dir.join("long_eql.toml")).unwrap();
    let (code, stdout) = warden(&dir, &["fmt", "--check", "long_eql.toml"]);
    assert_eq!(code, 1, "--check exits 1 when a file would change: {stdout}");
    assert!(stdout.contains("would reformat: long_eql.toml"), "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.join("long_eql.toml")).unwrap(), original);

    let (code, stdout) = warden(&dir, &["fmt", "long_eql.toml"]);
    assert_eq!(code, 0, "{stdout}");
    let formatted = std::fs::read_to_string(dir.join("long_eql.toml")).unwrap();
    let (head, tail) = original.split_once("query = '''\n").unwrap();
    assert!(formatted.starts_with(head));
    let after_query = &tail[tail.find("'''\n").unwrap()..];
    assert!(formatted.ends_with(after_query), "bytes after the query are kept");
    insta::assert_snapshot!(formatted);

    let (code, stdout) = warden(&dir, &["fmt", "--check", "long_eql.toml"]);
    assert_eq!(code, 0, "formatting is idempotent: {stdout}");
}

#[test]
fn fmt_keeps_comments_between_clauses() {
    let dir = fmt_scratch("commented");
    let (code, stdout) = warden(&dir, &["fmt", "commented_eql.toml"]);
    assert_eq!(code, 0, "{stdout}");
    let formatted = std::fs::read_to_string(dir.join("commented_eql.toml")).unwrap();
    for comment in
        ["/* Shells started by anything but Explorer. */", "// Windows only", "// the shells"]
    {
        assert!(formatted.contains(comment), "{comment} is kept: {formatted}");
    }
    insta::assert_snapshot!(formatted);
    let (code, stdout) = warden(&dir, &["fmt", "--check", "commented_eql.toml"]);
    assert_eq!(code, 0, "formatting is idempotent: {stdout}");
}

#[test]
fn fmt_refuses_a_comment_inside_a_clause() {
    let dir = fmt_scratch("comment");
    let original = std::fs::read_to_string(dir.join("comment.toml")).unwrap();
    let (code, stdout) = warden(&dir, &["fmt", "comment.toml"]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.join("comment.toml")).unwrap(), original);
    insta::assert_snapshot!(stdout);
}
