//! Date formats against the table in `tests/data/date_cases.tsv`, plus format
//! compilation errors and JSON-value inputs.

use field_schema::{DateFormat, DateFormatError, parse_date};
use miette::Diagnostic;
use serde_json::json;

/// An expected-instant column: a number, or `-` for "not readable".
fn expected(column: &str) -> Option<i64> {
    match column {
        "-" => None,
        number => Some(number.parse().expect("expected column is a number")),
    }
}

#[test]
fn date_case_table() {
    let table = include_str!("data/date_cases.tsv");
    let mut failures = Vec::new();
    let mut rows = 0;
    for (index, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        rows += 1;
        let columns: Vec<&str> = line.split('\t').collect();
        let (source, input) = (columns[0], columns[1]);
        let format = DateFormat::parse(source)
            .unwrap_or_else(|e| panic!("line {}: format `{source}`: {e}", index + 1));
        let millis = format.parse_millis(input);
        if millis != expected(columns[2]) {
            failures.push(format!("line {}: {source} `{input}` -> millis {millis:?}", index + 1));
        }
        if let Some(want) = columns.get(3).map(|column| expected(column)) {
            let nanos = format.parse_nanos(input);
            if nanos != want {
                failures.push(format!("line {}: {source} `{input}` -> nanos {nanos:?}", index + 1));
            }
        }
    }
    assert!(rows > 50, "the table was read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_numbers_are_read_through_their_text() {
    let default = DateFormat::default_date();
    assert_eq!(parse_date(&json!(1_516_116_808_349_i64), default), Some(1_516_116_808_349));
    assert_eq!(parse_date(&json!("1"), default), Some(1));
    assert_eq!(parse_date(&json!(true), default), None);
    assert_eq!(parse_date(&json!(null), default), None);
    let nanos = DateFormat::default_date_nanos();
    assert_eq!(
        nanos.nanos_of_value(&json!("2022-01-12T10:20:30.000000001Z")),
        Some(1_641_982_830_000_000_001)
    );
}

#[test]
fn unusable_formats_are_rejected_with_codes() {
    let cases = [
        ("", "schema::date_format::empty"),
        ("yyyy-MM-dd||", "schema::date_format::empty"),
        ("strict_date_optional_tim", "schema::date_format::unknown_name"),
        ("EEE, dd MMM yyyy", "schema::date_format::unsupported_letter"),
        ("hh:mm a", "schema::date_format::unsupported_letter"),
        ("yyyy-MM-dd'T", "schema::date_format::quote"),
        ("yyyy-MM-dd[ HH:mm", "schema::date_format::bracket"),
        ("yyyy-MM-dd]", "schema::date_format::bracket"),
    ];
    for (source, code) in cases {
        let error: DateFormatError = DateFormat::parse(source).expect_err(source);
        let actual = error.code().map(|c| c.to_string());
        assert_eq!(actual.as_deref(), Some(code), "{source}: {error}");
    }
}
