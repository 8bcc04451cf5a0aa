//! Rule unit test files (`<rule>.test.toml` beside `<rule>.toml`): their TOML shape, and the
//! events of each case.
//!
//! ```toml
//! rule = "other_name.toml"          # optional; default: this file's name without `.test`
//! index = "logs-endpoint.events.file-default"  # optional: index of events without one
//!
//! [[case]]
//! name = "sample events"
//! events_file = "../../tests/events/sample-events.ndjson"  # or a list; relative to this file
//! alerts = ["2", "3", "winlogbeat-1"]                      # alerted event ids
//!
//! [[case]]
//! name = "excluded: CCleaner's own crash reporting job"
//! index = "logs-endpoint.events.file-default"              # overrides the file's `index`
//! alerts = []
//! [[case.events]]                                          # inline events
//! _id = "ccleaner"
//! "@timestamp" = "2025-07-10T09:00:00Z"
//! file.path = 'C:\Windows\Tasks\CCleanerCrashReporting.job'
//! ```
//!
//! A case's events are read in this order: `events_file` (any format `warden run` reads:
//! NDJSON or JSON arrays, plain, gzip or zstd), `events_json` (NDJSON or a JSON array as
//! text), then the inline `[[case.events]]` tables. An event's id is its `_id` (a hit's, or a
//! raw event's own `_id` member), else its line number (element number in a JSON array, position
//! among the inline tables). `alerts` lists the id of the event behind each expected alert,
//! once per alert. With `now` (a date-time), the case replays Kibana's schedule with its last
//! execution at `now` (events after it, or without a time, are not searched); without it,
//! every matching event alerts.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use event_input::{BytesRead, InputEvent, MalformedLine, open_events, read_events};
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::rule_paths::RULE_TEST_SUFFIX;

/// A rule unit test file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TestFile {
    /// The rule, relative to the test file; default: the test file's name without `.test`.
    pub rule: Option<String>,
    /// The index of events that carry none, for cases that do not set their own.
    pub index: Option<String>,
    /// The cases, in order.
    #[serde(rename = "case", default)]
    pub cases: Vec<TestCase>,
}

/// One case: events in, the alerted event ids expected out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TestCase {
    /// What the case checks.
    pub name: String,
    /// Event files, relative to the test file.
    #[serde(default, deserialize_with = "one_or_many")]
    pub events_file: Vec<String>,
    /// Events as JSON text (NDJSON or an array).
    pub events_json: Option<String>,
    /// Inline events.
    #[serde(default)]
    pub events: Vec<toml::Table>,
    /// The index of events that carry none (`warden run --index`).
    pub index: Option<String>,
    /// The ids of the events expected to alert, once per alert.
    pub alerts: Vec<String>,
    /// The rule's last execution time: the case replays Kibana's schedule up to it.
    pub now: Option<toml::Value>,
}

/// A test file that cannot be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum TestFileError {
    /// Not readable.
    #[error("{path}: cannot read: {message}")]
    #[diagnostic(code(test::unreadable))]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// Not TOML, or not the shape of a test file.
    #[error("{path}: {message}")]
    #[diagnostic(
        code(test::bad_shape),
        help(
            "a test file has an optional `rule = \"...\"` and `[[case]]` tables with `name`, `alerts` and events (`events_file`, `events_json` or `[[case.events]]`)"
        )
    )]
    Shape {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
        /// The file's text.
        #[source_code]
        source_code: NamedSource<String>,
        /// Where.
        #[label("here")]
        span: Option<SourceSpan>,
    },
}

impl TestFile {
    /// Reads and checks the test file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, Box<TestFileError>> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| {
            Box::new(TestFileError::Unreadable { path: name.clone(), message: error.to_string() })
        })?;
        toml::from_str(&text).map_err(|error| {
            Box::new(TestFileError::Shape {
                path: name.clone(),
                message: error.message().to_owned(),
                span: error.span().map(SourceSpan::from),
                source_code: NamedSource::new(name, text),
            })
        })
    }

    /// The rule file the tests are about.
    pub(crate) fn rule_path(&self, test_path: &Path) -> PathBuf {
        if let Some(rule) = &self.rule {
            return base_dir(test_path).join(rule);
        }
        let name = test_path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
        let stem = name.strip_suffix(RULE_TEST_SUFFIX).unwrap_or(name);
        test_path.with_file_name(format!("{stem}.toml"))
    }
}

/// The folder paths in a test file are relative to.
fn base_dir(test_path: &Path) -> &Path {
    test_path.parent().unwrap_or(Path::new(""))
}

/// The events of one case, and the problems met reading them.
#[derive(Debug, Default)]
pub(crate) struct CaseEvents {
    /// Every event read, in order.
    pub events: Vec<InputEvent>,
    /// Files that could not be opened, malformed lines and inline tables.
    pub problems: Vec<String>,
}

impl TestCase {
    /// Reads the case's events from its files, JSON text and inline tables.
    pub(crate) fn read_events(&self, test_path: &Path) -> CaseEvents {
        let mut read = CaseEvents::default();
        let take = |results: &mut dyn Iterator<Item = Result<InputEvent, MalformedLine>>,
                    read: &mut CaseEvents| {
            for result in results {
                match result {
                    Ok(event) => read.events.push(event),
                    Err(malformed) => read.problems.push(malformed.to_string()),
                }
            }
        };
        for file in &self.events_file {
            match open_events(&base_dir(test_path).join(file), &BytesRead::default()) {
                Ok(mut events) => take(&mut events, &mut read),
                Err(error) => read.problems.push(error.to_string()),
            }
        }
        if let Some(text) = &self.events_json {
            let mut events = read_events(
                "events_json",
                Cursor::new(text.clone().into_bytes()),
                &BytesRead::default(),
            );
            take(&mut events, &mut read);
        }
        for (position, table) in self.events.iter().enumerate() {
            match inline_event(position as u64 + 1, table) {
                Ok(event) => read.events.push(event),
                Err(problem) => read.problems.push(format!("events[{position}]: {problem}")),
            }
        }
        read
    }
}

/// An inline event table, read like a line of JSON input: a hit when it has `_source`, else
/// a raw event whose `_id` and `_index` keys (when present) are its id and index.
fn inline_event(position: u64, table: &toml::Table) -> Result<InputEvent, String> {
    let Value::Object(map) = toml_to_json(&toml::Value::Table(table.clone())) else {
        unreachable!("a table converts to an object")
    };
    InputEvent::from_object(position, map)
}

/// A TOML value as JSON (dates and times become their RFC 3339 text).
fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text.clone()),
        toml::Value::Integer(number) => Value::from(*number),
        toml::Value::Float(number) => Value::from(*number),
        toml::Value::Boolean(flag) => Value::Bool(*flag),
        toml::Value::Datetime(datetime) => Value::String(datetime.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(key, value)| (key.clone(), toml_to_json(value)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// `"a"` or `["a", "b"]` as a list.
fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(text: &str) -> TestCase {
        let file: TestFile = toml::from_str(text).unwrap();
        file.cases.into_iter().next().unwrap()
    }

    #[test]
    fn inline_events_take_id_and_index_out_of_the_source() {
        let case = case(
            "[[case]]\nname = \"n\"\nalerts = [\"a\"]\n[[case.events]]\n_id = \"a\"\n_index = \"logs-x\"\n\
             \"@timestamp\" = 2025-07-10T09:00:00Z\nfile.path = 'C:\\x'\n[[case.events]]\nn = 1\n",
        );
        let read = case.read_events(Path::new("rules/r.test.toml"));
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let first = &read.events[0];
        assert_eq!((first.id.as_deref(), first.index.as_deref()), (Some("a"), Some("logs-x")));
        assert_eq!(
            first.source,
            json!({"@timestamp": "2025-07-10T09:00:00Z", "file": {"path": "C:\\x"}})
        );
        assert_eq!((read.events[1].id.as_deref(), read.events[1].line), (None, 2));
    }

    #[test]
    fn json_text_and_inline_hits() {
        let case = case(
            "[[case]]\nname = \"n\"\nalerts = []\nevents_json = '[{\"a\":1}, 7]'\n\
             [[case.events]]\n_id = \"h\"\n_source = { b = 2 }\n[[case.events]]\n_id = 3\n",
        );
        let read = case.read_events(Path::new("r.test.toml"));
        assert_eq!(read.events.len(), 2);
        assert_eq!(read.events[1].source, json!({"b": 2}));
        assert_eq!(
            read.problems,
            [
                "events_json: element 2 (line 1): expected a JSON object (an event or a hit), found a number",
                "events[1]: `_id` must be a string, found a number",
            ]
        );
    }

    #[test]
    fn the_rule_defaults_to_the_sibling_file() {
        let file: TestFile = toml::from_str("").unwrap();
        let path = Path::new("rules/windows/job.test.toml");
        assert_eq!(file.rule_path(path), Path::new("rules/windows/job.toml"));
        let named: TestFile = toml::from_str("rule = \"other.toml\"").unwrap();
        assert_eq!(named.rule_path(path), Path::new("rules/windows/other.toml"));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let error = toml::from_str::<TestFile>("[[case]]\nname = \"n\"\nalert = []\n").unwrap_err();
        assert!(error.message().contains("unknown field `alert`"), "{}", error.message());
    }
}
