//! `warden test`: runs rule unit tests (`<rule>.test.toml`, see [`crate::test_file`]) through
//! the same path as `warden run` (load, parse, compile, engine), compares the alerted event
//! ids of each case with the expected ones, prints one line per case and
//! `N passed, M failed`, and fails (exit code 1) when any case does.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rule_compiler::Compiler;
use rule_engine::{CompiledQuery, Engine, EngineOptions, EventTime, RunOutput};
use rule_model::Rule;

use crate::args::TestArgs;
use crate::report::Style;
use crate::rule_paths::is_rule_test;
use crate::run::{Rejection, prepare};
use crate::schema::Schemas;
use crate::test_file::{TestCase, TestFile};
use crate::{ExitStatus, UsageError};

/// Passed and failed cases so far.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

/// Runs `test`: one line per case and the tally to `out`.
pub(crate) fn test(
    args: &TestArgs,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<ExitStatus, UsageError> {
    let files = test_paths(&args.paths)?;
    let mut schemas = Schemas::load(&args.schema)?;
    let mut tally = Tally::default();
    if files.is_empty() {
        writeln!(out, "no rule test files (`*.test.toml`) found").map_err(UsageError::Output)?;
        return Ok(ExitStatus::Failure);
    }
    for path in &files {
        run_file(path, &mut schemas, &mut tally, out).map_err(UsageError::Output)?;
    }
    writeln!(out, "{} passed, {} failed", tally.passed, tally.failed)
        .map_err(UsageError::Output)?;
    Ok(if tally.failed == 0 { ExitStatus::Success } else { ExitStatus::Failure })
}

/// Test files as given, folders searched recursively for `*.test.toml` (sorted).
fn test_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else if path.is_dir() {
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|error| UsageError::Path {
                    path: path.clone(),
                    message: error.to_string(),
                })?;
                if entry.file_type().is_file() && is_rule_test(entry.path()) {
                    files.push(entry.into_path());
                }
            }
        } else {
            return Err(UsageError::Path {
                path: path.clone(),
                message: "no such file or folder".into(),
            });
        }
    }
    Ok(files)
}

/// Runs every case of one test file.
fn run_file(
    path: &Path,
    schemas: &mut Schemas,
    tally: &mut Tally,
    out: &mut dyn Write,
) -> io::Result<()> {
    let style = Style::for_stdout();
    let file = match TestFile::load(path) {
        Ok(file) => file,
        Err(error) => {
            tally.failed += 1;
            writeln!(out, "FAIL {}: cannot load the test file", path.display())?;
            return write!(out, "{}", indent(&style.render(error.as_ref())));
        }
    };
    if file.cases.is_empty() {
        tally.failed += 1;
        return writeln!(out, "FAIL {}: no [[case]]", path.display());
    }
    let rule_path = file.rule_path(path);
    let mut compiler = Compiler::new();
    let prepared = prepare(&rule_path, &mut compiler, schemas, &EngineOptions::default(), style);
    for case in &file.cases {
        let label = format!("{}: {}", path.display(), case.name);
        let verdict = match &prepared {
            Ok((rule, query)) => {
                let index = case.index.as_ref().or(file.index.as_ref());
                run_case(path, case, index, &compiler, (rule, query))
            }
            Err(rejection) => Verdict::Broken(rule_problem(&rule_path, rejection)),
        };
        verdict.write(&label, tally, out)?;
    }
    Ok(())
}

/// Why the rule of a test file cannot run.
fn rule_problem(rule_path: &Path, rejection: &Rejection) -> String {
    let report = rejection.report().trim_end();
    match rejection {
        Rejection::Invalid(_) => format!("the rule {} is invalid:\n{report}", rule_path.display()),
        Rejection::Skipped(_) => format!("the rule cannot run here: {report}"),
    }
}

/// The outcome of one case.
enum Verdict {
    /// The alerts were as expected.
    Passed { alerts: usize },
    /// The alerts differ: expected and got event ids, each sorted.
    Differs { expected: Vec<String>, got: Vec<String> },
    /// The case could not run as written.
    Broken(String),
}

impl Verdict {
    fn write(&self, label: &str, tally: &mut Tally, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Self::Passed { alerts } => {
                tally.passed += 1;
                writeln!(out, "ok   {label} ({alerts} alert(s))")
            }
            Self::Differs { expected, got } => {
                tally.failed += 1;
                writeln!(out, "FAIL {label}")?;
                write!(out, "{}", id_diff(expected, got))
            }
            Self::Broken(problem) => {
                tally.failed += 1;
                writeln!(out, "FAIL {label}")?;
                write!(out, "{}", indent(problem))
            }
        }
    }
}

/// Runs one case through a fresh engine (no `new_terms` history carries over).
fn run_case(
    test_path: &Path,
    case: &TestCase,
    index: Option<&String>,
    compiler: &Compiler,
    (rule, query): (&Rule, &CompiledQuery),
) -> Verdict {
    // With `now`, the case replays Kibana's schedule with its last execution at `now`;
    // without it, every match alerts (cases are often events without a time).
    let now = match case.now.as_ref().map(now_time).transpose() {
        Ok(now) => now,
        Err(problem) => return Verdict::Broken(problem),
    };
    let read = case.read_events(test_path);
    if !read.problems.is_empty() {
        return Verdict::Broken(format!("bad events:\n{}", read.problems.join("\n")));
    }
    let duplicates = duplicate_ids(read.events.iter().map(rule_engine::event_id));
    if !duplicates.is_empty() {
        return Verdict::Broken(format!(
            "several events have the id(s) {}: give them distinct `_id`s",
            duplicates.join(", ")
        ));
    }
    let options = EngineOptions {
        default_index: index.cloned(),
        unscheduled: now.is_none(),
        now,
        ..EngineOptions::default()
    };
    let mut engine = match Engine::new(
        compiler.fields().clone(),
        vec![(rule.clone(), query.clone())],
        options,
    ) {
        Ok(engine) => engine,
        Err(error) => return Verdict::Broken(error.to_string()),
    };
    let output = engine.run(read.events.into_iter().map(Ok));
    let mut got = alerted_ids(&output);
    got.sort();
    let mut expected = case.alerts.clone();
    expected.sort();
    if got == expected {
        Verdict::Passed { alerts: got.len() }
    } else {
        Verdict::Differs { expected, got }
    }
}

/// A case's `now` (a TOML date-time or a string) as an event time.
fn now_time(value: &toml::Value) -> Result<EventTime, String> {
    let text = match value {
        toml::Value::String(text) => text.clone(),
        toml::Value::Datetime(datetime) => datetime.to_string(),
        other => return Err(format!("`now = {other}` is not a date")),
    };
    EventTime::parse(&text).map_err(|error| format!("`now`: {error}"))
}

/// The id of the event behind each alert (`kibana.alert.ancestors[0].id`).
fn alerted_ids(output: &RunOutput) -> Vec<String> {
    output
        .alerts
        .iter()
        .map(|alert| {
            let id = &alert.document["kibana.alert.ancestors"][0]["id"];
            id.as_str().map_or_else(|| id.to_string(), str::to_owned)
        })
        .collect()
}

/// Ids that occur more than once.
fn duplicate_ids(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts = BTreeMap::new();
    for id in ids {
        *counts.entry(id).or_insert(0usize) += 1;
    }
    counts.into_iter().filter(|&(_, count)| count > 1).map(|(id, _)| id).collect()
}

/// Expected and got ids, then what is missing and what is unexpected (counting repeats).
fn id_diff(expected: &[String], got: &[String]) -> String {
    let mut missing: Vec<&str> = expected.iter().map(String::as_str).collect();
    let mut unexpected = Vec::new();
    for id in got {
        match missing.iter().position(|wanted| wanted == id) {
            Some(position) => {
                missing.remove(position);
            }
            None => unexpected.push(id.as_str()),
        }
    }
    let list = |ids: &[&str]| if ids.is_empty() { "(none)".to_owned() } else { ids.join(", ") };
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let got: Vec<&str> = got.iter().map(String::as_str).collect();
    let mut lines =
        vec![format!("expected: {}", list(&expected)), format!("got:      {}", list(&got))];
    if !missing.is_empty() {
        lines.push(format!("missing:    {}", list(&missing)));
    }
    if !unexpected.is_empty() {
        lines.push(format!("unexpected: {}", list(&unexpected)));
    }
    indent(&lines.join("\n"))
}

/// Indents every line by four spaces.
fn indent(text: &str) -> String {
    let mut indented = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        indented.push_str("    ");
        indented.push_str(line);
        indented.push('\n');
    }
    indented
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|&id| id.to_owned()).collect()
    }

    #[test]
    fn the_diff_names_missing_and_unexpected_ids() {
        insta::assert_snapshot!(id_diff(&ids(&["2", "3", "9"]), &ids(&["2", "9", "9", "x"])), @r"
            expected: 2, 3, 9
            got:      2, 9, 9, x
            missing:    3
            unexpected: 9, x
        ");
        insta::assert_snapshot!(id_diff(&ids(&["a"]), &[]), @r"
            expected: a
            got:      (none)
            missing:    a
        ");
    }

    #[test]
    fn duplicates_are_found() {
        assert_eq!(duplicate_ids(ids(&["1", "2", "1", "3", "2"]).into_iter()), ["1", "2"]);
        assert!(duplicate_ids(ids(&["1", "2"]).into_iter()).is_empty());
    }
}
