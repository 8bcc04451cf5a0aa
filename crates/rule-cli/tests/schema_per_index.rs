//! `--schema INDEX_PATTERN=FILE`: one mapping per index, on every command that takes
//! `--schema` (`query`, `validate`, `run`, `explain`, `test`), and its usage errors.

mod common;

use std::path::PathBuf;

use common::{warden, workspace};
use serde_json::{Value, json};

/// A scratch folder for `case` holding `files` (name, text).
fn scratch(case: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("schema_per_index").join(case);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

fn mapping(field: &str, spec: &Value) -> String {
    json!({"mappings": {"properties": {field: spec}}}).to_string()
}

/// The same day written in each index's own date format: a sample joins the two events only
/// when each is read with its index's format (Elasticsearch groups sample keys as epoch
/// millis, QA `test_sample.toml` `customDateFormat*`).
#[test]
fn query_reads_date_join_keys_with_each_index_mapping() {
    let events = [
        json!({"_index": "eu-1", "_id": "a", "_source": {"@timestamp": 1, "event": {"category": "process"}, "day": "17-12-2022"}}),
        json!({"_index": "iso-1", "_id": "b", "_source": {"@timestamp": 2, "event": {"category": "network"}, "day": "2022-12-17"}}),
    ];
    let lines: String = events.iter().map(|event| event.to_string() + "\n").collect();
    let dir = scratch(
        "query",
        &[
            ("events.ndjson", lines),
            ("eu.json", mapping("day", &json!({"type": "date", "format": "dd-MM-yyyy"}))),
            ("iso.json", mapping("day", &json!({"type": "date", "format": "yyyy-MM-dd"}))),
        ],
    );
    let query = "sample by day [process where true] [network where true]";
    let per_index =
        ["query", "--schema", "eu-*=eu.json", "--schema", "iso-*=iso.json", query, "events.ndjson"];
    let (code, stdout, stderr) = warden(&dir, &per_index);
    assert_eq!(code, 0, "{stderr}");
    let sample: Value = serde_json::from_str(stdout.trim()).expect("one sample");
    assert_eq!(sample["join_keys"], json!([1_671_235_200_000_i64]));
    let ids: Vec<&str> = sample["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    // One format for every index reads one of the two days as written: no common key.
    let merged = ["query", "--schema", "eu.json", "--schema", "iso.json", query, "events.ndjson"];
    let (code, stdout, stderr) = warden(&dir, &merged);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
}

/// A rule compiles against the mappings of the indices it may search, not the others.
#[test]
fn validate_and_run_type_a_rule_with_the_mappings_of_its_indices() {
    let rule = std::fs::read_to_string(
        workspace().join("rules/windows/persistence_local_scheduled_job_creation.toml"),
    )
    .unwrap();
    let find = r#"file.extension : "job""#;
    assert_eq!(rule.matches(find).count(), 1);
    let dir = scratch(
        "validate",
        &[
            ("rule.toml", rule.replacen(find, r#"custom.job : "job""#, 1)),
            ("endpoint.json", mapping("custom.job", &json!({"type": "keyword"}))),
            ("other.json", mapping("custom.other", &json!({"type": "keyword"}))),
        ],
    );
    let codes = |schemas: &[&str]| {
        let mut args = vec!["validate", "--format", "json"];
        args.extend(schemas.iter().flat_map(|schema| ["--schema", schema]));
        args.push("rule.toml");
        let (code, stdout, stderr) = warden(&dir, &args);
        assert_eq!(code, 0, "{stdout}{stderr}");
        let report: Value = serde_json::from_str(stdout.trim()).unwrap();
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].to_string())
            .collect::<Vec<_>>()
    };
    let unknown = vec![r#""compile::unknown_field""#.to_owned()];
    assert_eq!(codes(&[]), unknown);
    assert_eq!(codes(&["logs-endpoint.events.*=endpoint.json"]), Vec::<String>::new());
    assert_eq!(codes(&["auditbeat-*=endpoint.json", "logs-*=other.json"]), unknown);
    assert_eq!(codes(&["endpoint.json"]), Vec::<String>::new(), "a plain FILE types every rule");
    let run = ["run", "--schema", "logs-*=endpoint.json", "--rules", "rule.toml", "--events"];
    let (code, _, stderr) = warden(&dir, &[&run[..], &["/dev/null"]].concat());
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn explain_and_test_take_index_mappings() {
    let dir = scratch("explain", &[("ip.json", mapping("custom.addr", &json!({"type": "ip"})))]);
    let explain =
        ["explain", "--language", "kuery", "--schema", "logs-*=ip.json", "custom.addr:10.0.0.0/8"];
    let (code, stdout, stderr) = warden(&dir, &explain);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("cidr 10.0.0.0/8"), "{stdout}");
    assert!(stdout.contains("custom.addr  ip"), "{stdout}");
    let rules = workspace().join("rules").display().to_string();
    let ip = dir.join("ip.json").display().to_string();
    let (code, stdout, stderr) =
        warden(&dir, &["test", &rules, "--schema", &format!("logs-*={ip}")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with(" passed, 0 failed\n"), "{stdout}");
}

#[test]
fn malformed_schema_arguments_are_usage_errors() {
    let dir = scratch("usage", &[("m.json", mapping("x", &json!({"type": "keyword"})))]);
    for (schema, message) in [
        ("=m.json", "empty index expression"),
        ("logs-*=", "no mapping file after `logs-*=`"),
        ("logs-*,,x=m.json", "empty index expression"),
        ("logs-*=missing.json", "missing.json"),
    ] {
        let (code, _, stderr) =
            warden(&dir, &["query", "--schema", schema, "any where true", "m.json"]);
        assert_eq!(code, 2, "{schema}: {stderr}");
        assert!(stderr.contains(message), "{schema}: {stderr}");
    }
    // A path separator before `=` makes the whole argument a file name.
    std::fs::write(dir.join("a=b.json"), mapping("x", &json!({"type": "keyword"}))).unwrap();
    let (code, _, stderr) =
        warden(&dir, &["query", "--schema", "./a=b.json", "any where true", "m.json"]);
    assert_eq!(code, 0, "{stderr}");
}
