//! `warden test`, end to end: the seed rules' test files pass, and broken expectations,
//! unsupported `now`, bad events and bad test files fail with exit code 1 and say why.

mod common;

use common::{warden, workspace};

use std::path::PathBuf;

/// A scratch folder with a copy of the EQL seed rule and `test` as its test file.
fn scratch(case: &str, test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test_cmd").join(case);
    std::fs::create_dir_all(&dir).unwrap();
    let rule = "persistence_local_scheduled_job_creation.toml";
    std::fs::copy(workspace().join("rules/windows").join(rule), dir.join(rule)).unwrap();
    std::fs::write(dir.join("persistence_local_scheduled_job_creation.test.toml"), test).unwrap();
    dir
}

const JOB_EVENT: &str = r#"
index = "logs-endpoint.events.file-default"
[[case.events]]
_id = "job"
event = { category = ["file"], type = ["creation"] }
host = { os = { type = "windows" } }
file = { path = 'C:\Windows\Tasks\evil.job', extension = "job" }
"#;

#[test]
fn the_seed_rules_tests_pass() {
    let (code, stdout, stderr) = warden(&workspace(), &["test", "rules/"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.lines().all(|line| line.starts_with("ok ") || line.ends_with(", 0 failed")));
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 10, "{last}");
}

#[test]
fn a_wrong_expectation_fails_with_a_diff() {
    let test =
        format!("[[case]]\nname = \"expects the wrong event\"\nalerts = [\"other\"]\n{JOB_EVENT}");
    let dir = scratch("wrong_expectation", &test);
    let (code, stdout, _) = warden(&dir, &["test", "."]);
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!(stdout, @r"
    FAIL ./persistence_local_scheduled_job_creation.test.toml: expects the wrong event
        expected: other
        got:      job
        missing:    other
        unexpected: job
    0 passed, 1 failed
    ");
}

#[test]
fn passing_and_failing_cases_are_counted_apart() {
    let test = format!(
        "[[case]]\nname = \"right\"\nalerts = [\"job\"]\n{JOB_EVENT}\n\
         [[case]]\nname = \"with now, an event without a time is never searched\"\nnow = 2025-07-10T10:00:00Z\nalerts = [\"job\"]\n{JOB_EVENT}\n\
         [[case]]\nname = \"bad events\"\nalerts = []\nevents_json = '{{\"a\":1}}\\nnot json'\n\
         events_file = \"missing.ndjson\"\n"
    );
    let dir = scratch("counted_apart", &test);
    let (code, stdout, _) =
        warden(&dir, &["test", "persistence_local_scheduled_job_creation.test.toml"]);
    assert_eq!(code, 1, "{stdout}");
    let stdout = stdout.replace("No such file or directory (os error 2)", "<not found>");
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_malformed_test_file_is_reported_with_its_location() {
    let dir = scratch("malformed", "[[case]]\nname = \"n\"\nalert = []\n");
    let (code, stdout, _) = warden(&dir, &["test", "."]);
    assert_eq!(code, 1, "{stdout}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn no_test_files_is_a_failure() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test_cmd").join("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let (code, stdout, _) = warden(&dir, &["test", "."]);
    assert_eq!((code, stdout.trim()), (1, "no rule test files (`*.test.toml`) found"));
}

#[test]
fn test_files_are_not_rules() {
    let (code, stdout, stderr) = warden(&workspace(), &["validate", "--format", "json", "rules"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains(".test.toml"), "{stdout}");
}
