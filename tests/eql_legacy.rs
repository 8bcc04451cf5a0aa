//! The legacy (Endgame) EQL folding suites (`shared/conformance/eql-legacy/test_folding.toml`
//! and `test_string_functions.toml`) run through `rule_compiler::fold_expression`.
//!
//! An expression whose syntax is not Elasticsearch EQL (single quotes, `=`, method syntax,
//! functions ES does not have) is skipped and listed with the reason: only when the ES parser
//! (`eql_syntax::parse`) rejects it or the compiler reports the function unknown. Every other
//! expression must fold to the legacy `expected` value (ints and floats kept apart, a missing
//! `expected` meaning null), unless it is listed in `eql_legacy_differences.toml` with the
//! value Elasticsearch's documented semantics give and why they differ from legacy EQL
//! (eql.md). The test fails when an unlisted expression differs, when a listed one does not
//! fold to its ES value, or when a listed one agrees with legacy (no real difference).
//! `verifier.failures` expressions must be rejected, or be listed with the reason ES accepts
//! them.

#![allow(clippy::print_stdout, reason = "the runner reports `N passed, M failed`")]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rule_compiler::{CompileError, FoldError, fold_expression};
use rule_vm::ScriptValue;
use toml::Value;

const FILES: [&str; 2] = ["test_folding.toml", "test_string_functions.toml"];

/// The literal a loop template's `$value` becomes for each parameter type (upstream picks a
/// random one; any literal of the type exercises the same rule).
const LOOP_LITERALS: [(&str, &str); 5] =
    [("null", "null"), ("bool", "true"), ("int", "42"), ("string", "\"value\""), ("float", "2.5")];

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/eql-legacy")
}

/// One expression to fold or to reject.
struct Case {
    topic: String,
    expression: String,
    /// The legacy expectation (fold tests only; `None` in the TOML means null).
    expected: Option<Value>,
    /// `verifier.failures`: the expression must be rejected.
    must_fail: bool,
}

/// A documented difference between legacy EQL and Elasticsearch.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Difference {
    file: String,
    /// The table the expression is in (the same text can be in a case-sensitive and a
    /// case-insensitive table).
    topic: String,
    expression: String,
    /// The value Elasticsearch gives, as an EQL literal (`null`, `""`, `4`, `true`); absent
    /// for a verifier failure that Elasticsearch accepts.
    es: Option<String>,
    /// Why, citing eql.md.
    reason: String,
}

#[derive(serde::Deserialize)]
struct DifferenceFile {
    #[serde(default)]
    difference: Vec<Difference>,
}

/// Every case of one suite file, in file order.
fn cases(table: &toml::Table) -> Vec<Case> {
    let mut out = Vec::new();
    for (topic, body) in table {
        let Some(body) = body.as_table() else { continue };
        let fold_tests = |value: Option<&Value>| -> Vec<(String, Option<Value>)> {
            value
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|test| {
                    let expression = test.get("expression")?.as_str()?.to_owned();
                    Some((expression, test.get("expected").cloned()))
                })
                .collect()
        };
        let mut push = |expression: String, expected: Option<Value>, must_fail: bool| {
            out.push(Case { topic: topic.clone(), expression, expected, must_fail });
        };
        for (expression, expected) in fold_tests(body.get("fold").and_then(|f| f.get("tests"))) {
            push(expression, expected, false);
        }
        // `startswith_case_sensitive` keeps its entries under `tests` (README).
        for (expression, expected) in fold_tests(body.get("tests")) {
            push(expression, expected, false);
        }
        let failures = body.get("verifier").and_then(|v| v.get("failures"));
        for (expression, _) in fold_tests(failures) {
            push(expression, None, true);
        }
        for template in body.get("loop").and_then(Value::as_array).into_iter().flatten() {
            let param = template.get("param");
            let name = param.and_then(|p| p.get("name")).and_then(Value::as_str).unwrap_or("");
            let types = param.and_then(|p| p.get("type")).and_then(Value::as_array);
            let tests = fold_tests(template.get("fold").and_then(|f| f.get("tests")));
            for ty in types.into_iter().flatten().filter_map(Value::as_str) {
                let literal = LOOP_LITERALS.iter().find(|(t, _)| *t == ty).map(|(_, l)| *l);
                let literal = literal.unwrap_or_else(|| panic!("{topic}: unknown loop type {ty}"));
                for (expression, expected) in &tests {
                    push(expression.replace(&format!("${name}"), literal), expected.clone(), false);
                }
            }
        }
    }
    out
}

/// The legacy expectation as a script value (`None` is null).
fn expected_value(expected: Option<&Value>) -> ScriptValue<'static> {
    match expected {
        None => ScriptValue::Null,
        Some(Value::Boolean(b)) => ScriptValue::Bool(*b),
        Some(Value::Integer(i)) => ScriptValue::Int(*i),
        Some(Value::Float(f)) => ScriptValue::Float(*f),
        Some(Value::String(s)) => ScriptValue::Str(s.clone().into()),
        Some(other) => panic!("unexpected expected value {other}"),
    }
}

/// Why an expression is not Elasticsearch EQL, if it is not: the ES parser rejects it, or it
/// calls a function ES does not have.
fn not_es_syntax(error: &FoldError) -> Option<String> {
    match error {
        FoldError::Parse(_) => Some(first_message(error)),
        FoldError::Compile(errors) => errors.errors.iter().find_map(|e| match e {
            CompileError::UnknownFunction { name, .. } => {
                Some(format!("`{name}` is not an Elasticsearch EQL function"))
            }
            _ => None,
        }),
        FoldError::NotConstant { .. } => None,
    }
}

/// The first diagnostic's message of a fold error.
fn first_message(error: &FoldError) -> String {
    match error {
        FoldError::Parse(errors) => errors.errors.first().map(ToString::to_string),
        FoldError::Compile(errors) => errors.errors.first().map(ToString::to_string),
        FoldError::NotConstant { .. } => None,
    }
    .unwrap_or_else(|| error.to_string())
}

/// Counts and notes of one file.
#[derive(Default)]
struct Report {
    passed: usize,
    failed: usize,
    differences: usize,
    skipped: usize,
    notes: String,
    failures: Vec<String>,
}

/// Differences keyed by (file, topic, expression).
type Listed<'d> = BTreeMap<(String, String, String), &'d Difference>;

fn run_file(file: &str, differences: &Listed<'_>) -> Report {
    let text = std::fs::read_to_string(suite_dir().join(file)).expect("suite file is readable");
    let table: toml::Table = toml::from_str(&text).expect("suite file is TOML");
    let mut report = Report::default();
    let cases = cases(&table);
    assert!(cases.len() >= 100, "{file}: only {} cases read", cases.len());
    let fail = |report: &mut Report, message: String| {
        report.failed += 1;
        report.failures.push(format!("{file}: {message}"));
    };
    for case in &cases {
        let key = (file.to_owned(), case.topic.clone(), case.expression.clone());
        let listed = differences.get(&key);
        let label = format!("[{}] {}", case.topic, case.expression);
        let folded = fold_expression(&case.expression);
        if let Err(error) = &folded
            && let Some(reason) = not_es_syntax(error)
        {
            report.skipped += 1;
            let _ = writeln!(report.notes, "  skipped (not ES syntax) {label}: {reason}");
            if listed.is_some() {
                fail(&mut report, format!("{label} is listed but is not ES syntax"));
            }
            continue;
        }
        if case.must_fail {
            match (&folded, listed) {
                (Err(error), None) => {
                    report.passed += 1;
                    let _ = writeln!(report.notes, "  rejected {label}: {}", first_message(error));
                }
                (Err(_), Some(_)) => fail(&mut report, format!("{label} is listed but rejected")),
                (Ok(_), Some(difference)) => {
                    report.differences += 1;
                    let _ = writeln!(
                        report.notes,
                        "  ES accepts {label}: {}",
                        difference.reason.trim()
                    );
                }
                (Ok(value), None) => {
                    fail(&mut report, format!("{label} must be rejected, folded to {value}"));
                }
            }
            continue;
        }
        let legacy = expected_value(case.expected.as_ref());
        let value = match folded {
            Ok(value) => value,
            Err(error) => {
                fail(&mut report, format!("{label} does not fold: {}", first_message(&error)));
                continue;
            }
        };
        match listed {
            None if same(&value, &legacy) => report.passed += 1,
            None => fail(&mut report, format!("{label} = {value}, legacy expects {legacy}")),
            Some(difference) => {
                let es = difference.es.as_deref().map(fold_expression);
                let Some(Ok(es)) = es else {
                    fail(&mut report, format!("{label}: listed ES value is not a literal"));
                    continue;
                };
                if same(&es, &legacy) {
                    fail(&mut report, format!("{label}: listed, but ES and legacy agree ({es})"));
                } else if !same(&value, &es) {
                    fail(&mut report, format!("{label} = {value}, ES gives {es}"));
                } else {
                    report.differences += 1;
                    let _ = writeln!(
                        report.notes,
                        "  ES differs {label}: {es} (legacy {legacy}): {}",
                        difference.reason.trim()
                    );
                }
            }
        }
    }
    let counted = report.passed + report.failed + report.differences + report.skipped;
    assert_eq!(counted, cases.len(), "{file}: every case is counted once");
    report
}

/// Equal values of the same type (floats to the last bits of a decimal literal).
fn same(a: &ScriptValue<'_>, b: &ScriptValue<'_>) -> bool {
    match (a, b) {
        (ScriptValue::Float(x), ScriptValue::Float(y)) => {
            (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs())
        }
        _ => a == b,
    }
}

#[test]
fn legacy_folding_suites() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("eql_legacy_differences.toml");
    let text = std::fs::read_to_string(&path).expect("eql_legacy_differences.toml");
    let listed: DifferenceFile = toml::from_str(&text).expect("differences file parses");
    let mut differences: Listed<'_> = BTreeMap::new();
    for difference in &listed.difference {
        assert!(FILES.contains(&difference.file.as_str()), "unknown file {}", difference.file);
        assert!(!difference.reason.trim().is_empty(), "{}: give a reason", difference.expression);
        let key =
            (difference.file.clone(), difference.topic.clone(), difference.expression.clone());
        assert!(
            differences.insert(key, difference).is_none(),
            "{} listed twice",
            difference.expression
        );
    }
    let mut failures = Vec::new();
    for file in FILES {
        let report = run_file(file, &differences);
        println!("{file}:\n{}", report.notes);
        println!(
            "{file}: {} passed, {} failed ({} documented ES differences, {} skipped as not ES syntax)",
            report.passed, report.failed, report.differences, report.skipped
        );
        failures.extend(report.failures);
    }
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
}
