//! `warden run --state DIR`: the sample events in two halves with one state directory print
//! the alerts of one run over all of them; a rerun prints nothing again; a damaged state file
//! is a clear error.

mod common;

use common::workspace;

use std::path::{Path, PathBuf};

/// Runs `warden run` over the seed rules and `events`, with `extra` arguments.
fn run(events: &Path, extra: &[&str]) -> (i32, String, String) {
    let events = events.to_str().expect("a UTF-8 path");
    let args: Vec<&str> = ["run", "--rules", "rules", "--events", events]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    common::warden(&workspace(), &args)
}

/// A fresh scratch folder for `case`.
fn scratch(case: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("state").join(case);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sample events as hits with stable `_id`s (an event without one is known by its line
/// number, which changes when the file is split), written whole and in two halves.
fn sample_files(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let text =
        std::fs::read_to_string(workspace().join("tests/events/sample-events.ndjson")).unwrap();
    let hits: Vec<String> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            let mut event: serde_json::Value = serde_json::from_str(line).unwrap();
            if event.get("_source").is_none() {
                event = serde_json::json!({"_id": format!("sample-{n}"), "_source": event});
            }
            event.to_string()
        })
        .collect();
    let half = hits.len() / 2;
    let write = |name: &str, lines: &[String]| {
        let path = dir.join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    (
        write("all.ndjson", &hits),
        write("first.ndjson", &hits[..half]),
        write("second.ndjson", &hits[half..]),
    )
}

fn uuids(stdout: &str) -> Vec<String> {
    let mut uuids: Vec<String> = stdout
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).unwrap();
            alert["kibana.alert.uuid"].as_str().unwrap().to_owned()
        })
        .collect();
    uuids.sort();
    uuids
}

#[test]
fn two_halves_with_one_state_print_the_alerts_of_one_run() {
    let dir = scratch("halves");
    let (all, first, second) = sample_files(&dir);
    let state = dir.join("state");
    let state = state.to_str().unwrap();
    let (code, whole, stderr) = run(&all, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(uuids(&whole).len() > 4, "{stderr}");
    let (code, one, stderr) = run(&first, &["--state", state]);
    assert_eq!(code, 0, "{stderr}");
    let (code, two, stderr) = run(&second, &["--state", state]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!uuids(&one).is_empty() && !uuids(&two).is_empty());
    let mut split = uuids(&one);
    split.extend(uuids(&two));
    split.sort();
    assert_eq!(split, uuids(&whole), "{stderr}");

    let (code, again, stderr) = run(&all, &["--state", state]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(again, "", "a rerun prints no alert twice");
    assert!(stderr.contains("already reported"), "{stderr}");
}

#[test]
fn a_damaged_state_file_is_a_clear_error() {
    let dir = scratch("damaged");
    let (all, _, _) = sample_files(&dir);
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join(rule_state_file()), "not a database\n".repeat(300)).unwrap();
    let (code, stdout, stderr) = run(&all, &["--state", state.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("state::corrupt"), "{stderr}");
    assert!(stderr.contains("corrupt or not a warden state file"), "{stderr}");
}

/// The database file's name inside a state directory.
fn rule_state_file() -> &'static str {
    "warden-state.redb"
}
