//! The `warden` binary, end to end: exit codes and snapshots of what it prints.

mod common;

use common::{warden, workspace};

use std::path::PathBuf;

/// A scratch folder holding a copy of a seed rule with `find` replaced by `replace`.
fn broken_copy(case: &str, rule: &str, find: &str, replace: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli").join(case);
    std::fs::create_dir_all(&dir).unwrap();
    let original = std::fs::read_to_string(workspace().join("rules/windows").join(rule)).unwrap();
    assert_eq!(original.matches(find).count(), 1, "{case}: `find` must occur once");
    std::fs::write(dir.join(rule), original.replacen(find, replace, 1)).unwrap();
    dir
}

const EQL_RULE: &str = "persistence_local_scheduled_job_creation.toml";
const KQL_RULE: &str = "persistence_scheduled_task_updated.toml";

#[test]
fn validate_seed_rules_succeeds() {
    let (code, stdout, stderr) = warden(&workspace(), &["validate", "rules"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn validate_json_has_one_line_per_rule() {
    let (code, stdout, _) = warden(&workspace(), &["validate", "--format", "json", "rules"]);
    assert_eq!(code, 0);
    for line in stdout.lines() {
        let report: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(report["valid"], true);
    }
    insta::assert_snapshot!(stdout);
}

#[test]
fn eql_query_syntax_error_points_into_the_rule_file() {
    // `"job"` loses its closing quote on line 80 of the file (line 2 of the query).
    let dir = broken_copy(
        "eql_syntax",
        EQL_RULE,
        r#"file.extension : "job" and"#,
        r#"file.extension : "job and"#,
    );
    let (code, stdout, _) = warden(&dir, &["validate", EQL_RULE]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
    let (_, json, _) = warden(&dir, &["validate", "--format", "json", EQL_RULE]);
    let report: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["diagnostics"][0]["line"], 80);
    assert_eq!(report["diagnostics"][0]["column"], 60);
    insta::assert_snapshot!("eql_query_syntax_error_json", json);
}

#[test]
fn kql_query_syntax_error_points_into_the_rule_file() {
    let dir = broken_copy("kql_syntax", KQL_RULE, r#"("S-1-5-18" or"#, r#"("S-1-5-18" or or"#);
    let (code, stdout, _) = warden(&dir, &["validate", KQL_RULE]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
    let (_, json, _) = warden(&dir, &["validate", "--format", "json", KQL_RULE]);
    let report: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(report["diagnostics"][0]["line"], 69);
}

#[test]
fn shape_error_is_reported_with_summary_in_json() {
    let dir = broken_copy("bad_from", KQL_RULE, r#"from = "now-9m""#, r#"from = "yesterday""#);
    let (code, stdout, _) = warden(&dir, &["validate", "--format", "json", "."]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn missing_path_is_a_usage_error() {
    let (code, stdout, stderr) = warden(&workspace(), &["validate", "no/such/rules"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(stderr, "error: no/such/rules: no such file or folder\n");
    let (code, _, _) = warden(&workspace(), &["validate"]);
    assert_eq!(code, 2, "no PATH is a clap usage error");
}

#[test]
fn explain_eql_seed_rule() {
    let (code, stdout, _) =
        warden(&workspace(), &["explain", &format!("rules/windows/{EQL_RULE}")]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn explain_kql_seed_rule() {
    let (code, stdout, _) =
        warden(&workspace(), &["explain", &format!("rules/windows/{KQL_RULE}")]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn explain_query_text() {
    let (code, stdout, _) = warden(
        &workspace(),
        &[
            "explain",
            "--language",
            "eql",
            r#"sequence by host.id [process where process.name : "a*"] [file where true]"#,
        ],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn explain_invalid_query_fails() {
    let (code, stdout, _) = warden(&workspace(), &["explain", "--language", "kuery", "a: (b or c"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn run_seed_rules_over_sample_events() {
    let (code, stdout, stderr) = warden(
        &workspace(),
        &["run", "--rules", "rules", "--events", "tests/events/sample-events.ndjson"],
    );
    assert_eq!(code, 0, "{stderr}");
    let digest: Vec<String> = stdout
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).unwrap();
            let what = alert
                .pointer("/file/path")
                .or_else(|| alert.pointer("/winlog/event_data/TaskName"));
            // The event's time, then the execution's that raised the alert.
            format!(
                "{} | {} | {} | {} | {}",
                alert["kibana.alert.rule.name"].as_str().unwrap_or("?"),
                alert["kibana.alert.original_time"].as_str().unwrap_or("?"),
                alert["@timestamp"].as_str().unwrap_or("?"),
                alert.pointer("/host/name").and_then(serde_json::Value::as_str).unwrap_or("?"),
                what.and_then(serde_json::Value::as_str).unwrap_or("?"),
            )
        })
        .collect();
    // 3 job files + 5 first-seen (host.id, TaskName) pairs: tests/events/README.md.
    assert_eq!(digest.len(), 8);
    insta::assert_snapshot!(format!("{}\n---\n{stderr}", digest.join("\n")));
}

#[test]
fn query_returns_hits_oldest_first() {
    let (code, stdout, stderr) = warden(
        &workspace(),
        &[
            "query",
            "--language",
            "eql",
            "--size",
            "3",
            "--result-position",
            "head",
            r#"file where file.extension : "JOB""#,
            "tests/events/sample-events.ndjson",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let ids: Vec<String> = stdout
        .lines()
        .map(|line| {
            let hit: serde_json::Value = serde_json::from_str(line).unwrap();
            format!("{} {}", hit["_index"].as_str().unwrap(), hit["_id"].as_str().unwrap())
        })
        .collect();
    insta::assert_snapshot!(format!("{}\n---\n{stderr}", ids.join("\n")));
}

/// `| head N` / `| tail N` keep the first / last N of the ordered matches, printed as hits
/// (they printed nothing before: issue 12).
#[test]
fn query_pipes_print_hits() {
    let ids = |query: &str| {
        let args = ["query", "--size", "100", query, "tests/events/sample-events.ndjson"];
        let (code, stdout, stderr) = warden(&workspace(), &args);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.ends_with(" hit(s)\n"), "{stderr}");
        let ids: Vec<String> = stdout
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["_id"].to_string())
            .collect();
        ids
    };
    let all = ids(r#"file where file.extension : "JOB""#);
    assert!(all.len() >= 3, "{all:?}");
    assert_eq!(ids(r#"file where file.extension : "JOB" | head 2"#), all[..2]);
    assert_eq!(ids(r#"file where file.extension : "JOB" | tail 1"#), all[all.len() - 1..]);
    assert_eq!(ids(r#"file where file.extension : "JOB" | head 3 | tail 2"#), all[1..3]);
    assert_eq!(ids("process where true | head 1").len(), 1);
}

#[test]
fn run_reports_an_invalid_rule_and_runs_the_others() {
    let dir = broken_copy("run_invalid", KQL_RULE, "not user.name : *$", "not user.name : (*$");
    std::fs::copy(workspace().join("rules/windows").join(EQL_RULE), dir.join(EQL_RULE)).unwrap();
    let events = workspace().join("tests/events/sample-events.ndjson");
    let (code, stdout, stderr) =
        warden(&dir, &["run", "--rules", ".", "--events", events.to_str().unwrap()]);
    assert_eq!(code, 1, "an invalid rule fails the run");
    assert_eq!(stdout.lines().count(), 3, "the EQL rule still raised its alerts");
    assert!(stderr.contains("kql::unclosed_paren"), "{stderr}");
    assert!(stderr.contains("persistence_scheduled_task_updated.toml:70:17"), "{stderr}");
}

#[test]
fn run_now_fixes_the_last_execution() {
    let run = |now: &str| {
        let args = [
            "run",
            "--rules",
            "rules",
            "--events",
            "tests/events/sample-events.ndjson",
            "--now",
            now,
        ];
        warden(&workspace(), &args)
    };
    // Far after the events: every event is searched (the 8 alerts of the run without --now).
    let (code, stdout, stderr) = run("2030-01-01T00:00:00Z");
    assert_eq!((code, stdout.lines().count()), (0, 8), "{stderr}");
    // Before the events (RFC 3339, or the same instant in epoch milliseconds): none is.
    for before in ["2000-01-01T00:00:00Z", "946684800000"] {
        let (code, stdout, stderr) = run(before);
        assert_eq!((code, stdout.lines().count()), (0, 0), "{stderr}");
        assert!(stderr.contains("later than now"), "{stderr}");
    }
    let (code, _, stderr) = run("yesterday");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--now"), "{stderr}");
}
