//! Elasticsearch's EQL QA specs (`shared/conformance/eql-es`) through the `warden query`
//! binary, as a user runs them: each index's documents written as search hits
//! (`_index`, `_id`, `_source`), its mapping passed with `--schema` (`INDEX=FILE` where a
//! suite searches several indices), the spec's `size` and `max_samples_per_key`, and the
//! suite's tiebreaker. Event ids and join keys are compared the way ES's Java harness does
//! (see that folder's README).
//!
//! Each spec runs twice, with `--result-position head` and `tail` (ES picks one at random,
//! so the expected results must not depend on it); it passes only if both agree with the
//! expectation. Specs known to fail are listed with a reason in
//! `eql_conformance_known_failures.toml`; the test fails when a spec outside that list fails
//! or a listed spec passes, so the list stays true.

#![allow(clippy::print_stdout, reason = "the runner reports `N passed, M failed`")]

mod common;

#[path = "../../../tests/support/bare_nulls.rs"]
mod bare_nulls;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use bare_nulls::quote_bare_nulls;
use common::{warden, workspace};
use serde_json::Value;

fn spec_dir() -> PathBuf {
    workspace().join("../shared/conformance/eql-es")
}

/// A spec file run against a data set (README "Which spec runs against which data").
struct Suite {
    label: &'static str,
    files: &'static [&'static str],
    /// Index name, mapping file, data file.
    indices: &'static [(&'static str, &'static str, &'static str)],
    id_field: &'static str,
    tiebreaker: bool,
}

const SUITES: &[Suite] = &[
    Suite {
        label: "endgame-140",
        files: &["test_queries.toml", "additional_test_queries.toml", "test_queries_date.toml"],
        indices: &[("endgame-140", "endgame-140.mapping", "endgame-140.data.json")],
        id_field: "serial_event_id",
        tiebreaker: true,
    },
    Suite {
        label: "endgame-140-nanos",
        files: &["test_queries_date_nanos.toml", "test_queries.toml"],
        indices: &[(
            "endgame-140-nanos",
            "endgame-140-nanos.mapping",
            "endgame-140-nanos.data.json",
        )],
        id_field: "serial_event_id",
        tiebreaker: true,
    },
    Suite {
        label: "extra",
        files: &["test_extra.toml"],
        indices: &[("extra", "extra.mapping", "extra.data")],
        id_field: "sequence",
        tiebreaker: true,
    },
    Suite {
        label: "missing-events",
        files: &["test_missing_events.toml"],
        indices: &[("missing-events", "missing-events.mapping", "missing-events.data")],
        id_field: "sequence",
        tiebreaker: true,
    },
    Suite {
        label: "sample",
        files: &["test_sample.toml"],
        indices: &[
            ("sample1", "sample1.mapping", "sample1.data"),
            ("sample2", "sample2.mapping", "sample2.data"),
            ("sample3", "sample3.mapping", "sample3.data"),
        ],
        id_field: "id",
        tiebreaker: false,
    },
    Suite {
        label: "sample-multi",
        files: &["test_sample_multi.toml"],
        indices: &[("sample-multi", "sample-multi.mapping", "sample-multi.data")],
        id_field: "id",
        tiebreaker: false,
    },
];

/// The `warden query` arguments that select a suite's data.
struct SuiteArgs {
    /// `--schema` (and the tiebreaker field).
    options: Vec<String>,
    /// The event files.
    files: Vec<String>,
}

/// Writes a suite's mappings and events into `dir` the way ES's `DataLoader` loads them, and
/// returns the arguments that select them.
fn write_suite(suite: &Suite, dir: &Path) -> SuiteArgs {
    let data = spec_dir().join("data");
    let (mut schemas, mut files) = (Vec::new(), Vec::new());
    for &(index, mapping, documents) in suite.indices {
        let mapping_text = std::fs::read_to_string(data.join(mapping)).expect("mapping readable");
        let mapping_path = dir.join(format!("{index}.mapping.json"));
        // `#` lines dropped, the random string type read as `keyword`.
        std::fs::write(&mapping_path, field_schema::es_qa_mapping_text(&mapping_text, "keyword"))
            .expect("mapping written");
        let mapping_path = mapping_path.display().to_string();
        schemas.push(if suite.indices.len() == 1 {
            mapping_path
        } else {
            format!("{index}={mapping_path}")
        });
        let hits: String = documents_of(&data.join(documents))
            .into_iter()
            .enumerate()
            .map(|(id, source)| {
                serde_json::json!({"_index": index, "_id": id.to_string(), "_source": source})
                    .to_string()
                    + "\n"
            })
            .collect();
        let events_path = dir.join(format!("{index}.ndjson"));
        std::fs::write(&events_path, hits).expect("events written");
        files.push(events_path.display().to_string());
    }
    let mut options = Vec::new();
    for schema in schemas {
        options.extend(["--schema".to_owned(), schema]);
    }
    if suite.tiebreaker {
        options.extend(["--tiebreaker-field".to_owned(), suite.id_field.to_owned()]);
    }
    SuiteArgs { options, files }
}

/// A data file's documents: lines starting with `//` (comments ES's JSON parser accepts)
/// are dropped.
fn documents_of(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let kept: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| line.to_owned() + "\n")
        .collect();
    match serde_json::from_str(&kept) {
        Ok(Value::Array(documents)) => documents,
        other => panic!("{}: expected a JSON array of documents: {other:?}", path.display()),
    }
}

/// One `[[queries]]` entry.
struct Spec {
    name: String,
    query: String,
    /// Acceptable id lists (one unless the spec lists alternatives).
    expected: Vec<Vec<i64>>,
    join_keys: Vec<String>,
    size: Option<i64>,
    max_samples_per_key: Option<i64>,
}

fn load_specs(file: &str) -> Vec<Spec> {
    let text = std::fs::read_to_string(spec_dir().join(file)).expect("spec file readable");
    let table: toml::Table =
        quote_bare_nulls(&text).parse().unwrap_or_else(|e| panic!("{file}: {e}"));
    let queries = table.get("queries").and_then(toml::Value::as_array).expect("[[queries]]");
    queries.iter().map(spec).collect()
}

fn spec(entry: &toml::Value) -> Spec {
    let text = |key: &str| entry.get(key).and_then(toml::Value::as_str).map(str::to_owned);
    let ids = entry.get("expected_event_ids").and_then(toml::Value::as_array);
    let ids = ids.map(Vec::as_slice).unwrap_or_default();
    let expected = if ids.first().is_some_and(toml::Value::is_array) {
        ids.iter()
            .map(|alt| id_list(alt.as_array().map(Vec::as_slice).unwrap_or_default()))
            .collect()
    } else {
        vec![id_list(ids)]
    };
    let join_keys =
        entry.get("join_keys").and_then(toml::Value::as_array).map_or_else(Vec::new, |keys| {
            keys.iter()
                .map(|key| key.as_str().map_or_else(|| key.to_string(), str::to_owned))
                .collect()
        });
    Spec {
        name: text("name").expect("every spec has a name"),
        query: text("query").expect("every spec has a query").trim().to_owned(),
        expected,
        join_keys,
        size: entry.get("size").and_then(toml::Value::as_integer),
        max_samples_per_key: entry.get("max_samples_per_key").and_then(toml::Value::as_integer),
    }
}

fn id_list(values: &[toml::Value]) -> Vec<i64> {
    values.iter().map(|v| v.as_integer().expect("event ids are integers")).collect()
}

/// Runs one spec through the binary with one result position: `Ok(())` or what differed.
fn run_spec(spec: &Spec, suite: &Suite, data: &SuiteArgs, position: &str) -> Result<(), String> {
    // The harness's request: `size` 50 unless the spec sets one.
    let size = spec.size.unwrap_or(50).to_string();
    let mut args = vec!["query", "--size", &size, "--result-position", position];
    let samples = spec.max_samples_per_key.map(|n| n.to_string());
    if let Some(samples) = &samples {
        args.extend(["--max-samples-per-key", samples]);
    }
    args.extend(data.options.iter().map(String::as_str));
    args.extend(["--", &spec.query]);
    args.extend(data.files.iter().map(String::as_str));
    let (code, stdout, stderr) = warden(&workspace(), &args);
    if code != 0 {
        return Err(format!("exit code {code}: {stderr}"));
    }
    let (mut ids, mut keys) = (Vec::new(), Vec::new());
    for line in stdout.lines() {
        let result: Value = serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        match result.get("events").and_then(Value::as_array) {
            // A sequence or sample: its events, then its keys as Java's `toString()`.
            Some(events) => {
                ids.extend(events.iter().map(|hit| id_of(hit, suite.id_field)));
                for key in result["join_keys"].as_array().into_iter().flatten() {
                    keys.push(key.as_str().map_or_else(|| key.to_string(), str::to_owned));
                }
            }
            None => ids.push(id_of(&result, suite.id_field)),
        }
    }
    if !spec.expected.contains(&ids) {
        return Err(format!("ids {ids:?}, expected {:?}", spec.expected));
    }
    if !spec.join_keys.is_empty() && keys != spec.join_keys {
        return Err(format!("join keys {keys:?}, expected {:?}", spec.join_keys));
    }
    Ok(())
}

/// The id field of a hit's `_source`; -1 for a missing-event placeholder.
fn id_of(hit: &Value, id_field: &str) -> i64 {
    hit.get("_source").and_then(|source| source.get(id_field)).and_then(Value::as_i64).unwrap_or(-1)
}

/// `suite/name` -> reason, from the known-failures file.
fn known_failures() -> BTreeMap<String, String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eql_conformance_known_failures.toml");
    let text = std::fs::read_to_string(&path).expect("known-failures file is readable");
    let table: toml::Table = text.parse().expect("known-failures file is TOML");
    let mut known = BTreeMap::new();
    for entry in table.get("failure").and_then(toml::Value::as_array).into_iter().flatten() {
        let field = |key: &str| entry.get(key).and_then(toml::Value::as_str).unwrap_or_default();
        let reason = field("reason");
        assert!(!reason.is_empty(), "every known failure has a reason: {entry}");
        let id = format!("{}/{}", field("suite"), field("name"));
        assert!(known.insert(id.clone(), reason.to_owned()).is_none(), "listed twice: {id}");
    }
    known
}

/// One spec of one suite's file, with the arguments selecting the suite's data.
struct Job<'a> {
    suite: &'a Suite,
    file: &'static str,
    spec: Spec,
    data: &'a SuiteArgs,
}

/// Runs every job (each spec with head, then tail), a few processes at a time; the outcomes
/// in job order.
fn run_all(jobs: &[Job<'_>]) -> Vec<Result<(), String>> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    let mut outcomes: Vec<(usize, Result<(), String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let at = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(at) else { return done };
                        let outcome = run_spec(&job.spec, job.suite, job.data, "head")
                            .and_then(|()| run_spec(&job.spec, job.suite, job.data, "tail"));
                        done.push((at, outcome));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|handle| handle.join().expect("a worker")).collect()
    });
    outcomes.sort_by_key(|(at, _)| *at);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

#[test]
fn elasticsearch_eql_qa_specs_through_warden_query() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("eql-conformance");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let data: Vec<SuiteArgs> = SUITES.iter().map(|suite| write_suite(suite, &dir)).collect();
    let mut jobs = Vec::new();
    for (suite, data) in SUITES.iter().zip(&data) {
        for &file in suite.files {
            jobs.extend(load_specs(file).into_iter().map(|spec| Job { suite, file, spec, data }));
        }
    }
    let outcomes = run_all(&jobs);
    let known = known_failures();
    let mut seen = BTreeSet::new();
    let mut unexpected = String::new();
    let mut tally: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let id = format!("{}/{}", job.suite.label, job.spec.name);
        assert!(seen.insert(id.clone()), "spec names are unique within a suite: {id}");
        let counts = tally.entry((job.suite.label, job.file)).or_default();
        if outcome.is_ok() {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
        match (outcome, known.contains_key(&id)) {
            (Ok(()), true) => {
                let _ = writeln!(unexpected, "{id}: passes but is listed as a known failure");
            }
            (Err(why), false) => {
                let query = job.spec.query.replace('\n', "\n    ");
                let _ = writeln!(unexpected, "{id} ({}): {why}\n    {query}", job.file);
            }
            (Ok(()), false) | (Err(_), true) => {}
        }
    }
    for ((suite, file), (passed, failed)) in &tally {
        println!("{suite}/{file}: {passed} passed, {failed} failed");
    }
    let distinct: BTreeSet<(&str, &str)> =
        jobs.iter().map(|job| (job.file, job.spec.name.as_str())).collect();
    let (passed, failed) =
        tally.values().fold((0, 0), |(p, f), (passed, failed)| (p + passed, f + failed));
    println!(
        "EQL QA specs through `warden query` ({} specs, {} runs of a spec against a data set):",
        distinct.len(),
        jobs.len()
    );
    println!("{passed} passed, {failed} failed");
    for id in known.keys().filter(|id| !seen.contains(*id)) {
        let _ = writeln!(unexpected, "{id}: listed as a known failure but no such spec ran");
    }
    assert!(unexpected.is_empty(), "unexpected results:\n{unexpected}");
}
