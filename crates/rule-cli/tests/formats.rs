//! Input and output formats of `warden run` and `warden query`, end to end: NDJSON, JSON
//! arrays, gzip and zstd (found by magic bytes), standard input; `--format ndjson|json|table`;
//! no progress bar or escape codes when piped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample_events() -> String {
    std::fs::read_to_string(workspace().join("tests/events/sample-events.ndjson")).unwrap()
}

/// Runs `warden args...` in the workspace with `stdin` as standard input; returns (exit code,
/// stdout, stderr).
fn warden_with_input(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the warden binary runs");
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&bytes));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (output.status.code().expect("an exit code"), text(output.stdout), text(output.stderr))
}

fn warden(args: &[&str]) -> (i32, String, String) {
    warden_with_input(args, b"")
}

/// A scratch file holding `bytes`.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("formats");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run_rules(events: &Path) -> (i32, String, String) {
    warden(&["run", "--rules", "rules", "--events", events.to_str().unwrap()])
}

/// The sample events as one pretty-printed JSON array.
fn as_json_array(ndjson: &str) -> String {
    let events: Vec<Value> =
        ndjson.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    serde_json::to_string_pretty(&events).unwrap()
}

#[test]
fn every_input_format_gives_the_same_alerts() {
    let ndjson = sample_events();
    let (code, expected, stderr) =
        run_rules(&workspace().join("tests/events/sample-events.ndjson"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(expected.lines().count(), 8);

    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(ndjson.as_bytes()).unwrap();
    // Named without a compression extension: the magic bytes decide.
    let inputs = [
        ("gzip", scratch("events.gzip-data", &gzip.finish().unwrap())),
        ("zstd", scratch("events.zstd-data", &zstd::encode_all(ndjson.as_bytes(), 3).unwrap())),
        ("json array", scratch("events.json", as_json_array(&ndjson).as_bytes())),
        (
            "zstd json array",
            scratch(
                "events.json.zst",
                &zstd::encode_all(as_json_array(&ndjson).as_bytes(), 3).unwrap(),
            ),
        ),
    ];
    for (format, path) in &inputs {
        let (code, stdout, stderr) = run_rules(path);
        assert_eq!(code, 0, "{format}: {stderr}");
        assert_eq!(stdout, expected, "{format}");
        assert!(stderr.ends_with("25 event(s) read, 8 alert(s)\n"), "{format}: {stderr}");
    }
    let (code, stdout, _) =
        warden_with_input(&["run", "--rules", "rules", "--events", "-"], ndjson.as_bytes());
    assert_eq!((code, stdout), (0, expected));
}

#[test]
fn a_malformed_array_element_is_reported_with_file_and_number_and_the_run_goes_on() {
    let text = "[\n{\"a\": 1},\n{\"b\": nope},\n{\"c\": 3}\n]\n";
    let path = scratch("malformed.json", text.as_bytes());
    let (code, stdout, stderr) = run_rules(&path);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let name = path.display().to_string();
    assert!(
        stderr.contains(&format!(
            "warning: {name}: element 2 (line 3): invalid JSON: expected ident"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("2 event(s) read, 0 alert(s)"), "{stderr}");
}

#[test]
fn json_format_is_one_array_of_the_ndjson_documents() {
    let events = workspace().join("tests/events/sample-events.ndjson");
    let events = events.to_str().unwrap();
    let (_, lines, _) = warden(&["run", "--rules", "rules", "--events", events]);
    let (code, array, _) =
        warden(&["run", "--rules", "rules", "--events", events, "--format", "json"]);
    assert_eq!(code, 0);
    let lines: Vec<Value> = lines.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(serde_json::from_str::<Value>(&array).unwrap(), Value::Array(lines));
}

#[test]
fn table_format_when_piped_has_no_escape_codes() {
    let events = workspace().join("tests/events/sample-events.ndjson");
    let args =
        ["run", "--rules", "rules", "--events", events.to_str().unwrap(), "--format", "table"];
    let (code, table, stderr) = warden(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(!table.contains('\u{1b}'));
    insta::assert_snapshot!("run_table", table);
}

#[test]
fn query_formats() {
    let events = workspace().join("tests/events/sample-events.ndjson");
    let events = events.to_str().unwrap();
    let query = r#"file where file.extension == "job""#;
    let (code, table, _) = warden(&["query", query, events, "--format", "table"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("query_table", table);
    let (_, lines, _) = warden(&["query", query, events]);
    let (_, array, _) = warden(&["query", query, events, "--format", "json"]);
    let lines: Vec<Value> = lines.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(serde_json::from_str::<Value>(&array).unwrap(), Value::Array(lines));
}

#[test]
fn a_long_piped_run_prints_no_progress() {
    let many = sample_events().repeat(2000);
    let (code, stdout, stderr) = warden_with_input(
        &["run", "--rules", "rules", "--events", "-", "--format", "json"],
        many.as_bytes(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\r'), "{stderr}");
    assert!(stderr.contains("\n50000 event(s) read, "), "{stderr}");
    assert!(!stdout.contains('\u{1b}'));
}
