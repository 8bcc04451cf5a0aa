//! Reading events: NDJSON lines or JSON array elements, each a raw ECS event or an
//! Elasticsearch hit, from files (plain, gzip or zstd) or standard input.
//!
//! A hit is an object with a `_source` object and an `_index` and/or `_id` string (the shape
//! of `hits.hits[]` in a search response). Anything else that is a JSON object is a raw event
//! (whose `_index` and `_id` members, if any, are its index and id).
//! A line or element that is not valid JSON, not an object, too long, or a hit with a
//! wrong-typed member is reported as a [`MalformedLine`] with its position (and the input's
//! name when it has one); reading goes on. Nesting depth is bounded by `serde_json`'s
//! recursion limit (128).
//!
//! [`open_events`] opens a path (`-` for standard input), undoes gzip or zstd compression
//! found by magic bytes, and picks the format by the first byte that is not white space:
//! `[` starts a JSON array (read element by element, never as one value); a first line that
//! is an incomplete JSON value (pretty-printed) or an Elasticsearch search response starts
//! whole documents (whose hits are the events); anything else is NDJSON.
//!
//! The rule engine takes the decoded [`InputEvent`]s (and the [`MalformedLine`]s, which it
//! reports); nothing here knows about rules.

mod documents;
mod json_array;
mod ndjson;
mod open;

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

pub use documents::DocumentReader;
pub use json_array::JsonArrayReader;
pub use ndjson::NdjsonReader;
pub use open::{BytesRead, EventReader, InputError, STDIN_NAME, open_events, read_events};

/// The longest line or array element read (64 MiB); longer ones are skipped and reported.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// One input event.
#[derive(Clone, Debug, PartialEq)]
pub struct InputEvent {
    /// The event document (the hit's `_source`, or the whole line).
    pub source: Value,
    /// The hit's `_index`, when the line is a hit that has one.
    pub index: Option<String>,
    /// The hit's `_id`, when the line is a hit that has one.
    pub id: Option<String>,
    /// Where the event came from: the 1-based line number in NDJSON, the 1-based element
    /// number in a JSON array (unique within one input either way).
    pub line: u64,
}

/// A line or array element that could not be read as an event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{}{}", Location(self), .problem)]
#[diagnostic(
    code(input::malformed_event),
    help("each line (or array element) must be one JSON object: an event or a search hit")
)]
pub struct MalformedLine {
    /// 1-based line number (for a JSON array element: the line the element starts on; 0 when
    /// unknown, as for a hit inside a search response).
    pub line: u64,
    /// For a JSON array element or a search response's hit: its 1-based number.
    pub element: Option<u64>,
    /// The input's name (a file path, or `<stdin>`), when known.
    pub origin: Option<Arc<str>>,
    /// What is wrong with it.
    pub problem: String,
}

impl MalformedLine {
    /// A problem on NDJSON line `line` of an unnamed input.
    pub fn at_line(line: u64, problem: impl Into<String>) -> Self {
        Self { line, element: None, origin: None, problem: problem.into() }
    }
}

/// Displays where a malformed line is: `file: line 3: ` or `file: element 2 (line 7): `.
struct Location<'a>(&'a MalformedLine);

impl fmt::Display for Location<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let malformed = self.0;
        if let Some(origin) = &malformed.origin {
            write!(formatter, "{origin}: ")?;
        }
        match (malformed.element, malformed.line) {
            (Some(element), 0) => write!(formatter, "element {element}: "),
            (Some(element), line) => write!(formatter, "element {element} (line {line}): "),
            (None, line) => write!(formatter, "line {line}: "),
        }
    }
}

impl InputEvent {
    /// Reads one line. `Ok(None)` for a blank line.
    pub fn from_line(line: u64, text: &[u8]) -> Result<Option<Self>, MalformedLine> {
        Self::from_json_text(line, text).map_err(|problem| MalformedLine::at_line(line, problem))
    }

    /// Reads one JSON text as the event at `position`; `Ok(None)` when it is blank.
    pub(crate) fn from_json_text(position: u64, text: &[u8]) -> Result<Option<Self>, String> {
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let value: Value =
            serde_json::from_slice(text).map_err(|error| format!("invalid JSON: {error}"))?;
        match value {
            Value::Object(map) => Self::from_object(position, map).map(Some),
            other => Err(format!(
                "expected a JSON object (an event or a hit), found {}",
                json_type(&other)
            )),
        }
    }

    /// An event from an already parsed JSON object (hit or raw event). A raw event's own
    /// `_index` and `_id` members are taken as its index and id, as for a hit: they are
    /// Elasticsearch metadata fields, which a document's source cannot hold.
    pub fn from_object(line: u64, mut map: Map<String, Value>) -> Result<Self, String> {
        let is_hit = matches!(map.get("_source"), Some(Value::Object(_)))
            && (map.contains_key("_index") || map.contains_key("_id"));
        let index = take_string(&mut map, "_index")?;
        let id = take_string(&mut map, "_id")?;
        let source =
            if is_hit { map.remove("_source").unwrap_or(Value::Null) } else { Value::Object(map) };
        Ok(Self { source, index, id, line })
    }
}

/// Removes the metadata member `key` (`_index`, `_id`); it must be a string when present.
fn take_string(map: &mut Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(format!("`{key}` must be a string, found {}", json_type(&other))),
    }
}

/// The JSON type name of a value, for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hits_and_raw_events() {
        let hit = InputEvent::from_line(4, br#"{"_index":"a","_id":"x","_source":{"b":1}}"#);
        let hit = hit.unwrap().unwrap();
        assert_eq!((hit.index.as_deref(), hit.id.as_deref(), hit.line), (Some("a"), Some("x"), 4));
        assert_eq!(hit.source, json!({"b": 1}));
        assert_eq!(InputEvent::from_line(1, b"  \t").unwrap(), None);
    }

    #[test]
    fn a_raw_event_s_metadata_members_are_its_index_and_id() {
        let raw = InputEvent::from_line(2, br#"{"_id":"x","_index":"i","a":1}"#).unwrap().unwrap();
        assert_eq!((raw.index.as_deref(), raw.id.as_deref()), (Some("i"), Some("x")));
        assert_eq!(raw.source, json!({"a": 1}));
        let wrong = InputEvent::from_line(3, br#"{"_id":5,"a":1}"#).unwrap_err();
        assert_eq!(wrong.to_string(), "line 3: `_id` must be a string, found a number");
    }

    #[test]
    fn messages_name_the_input_and_the_position() {
        let mut malformed = MalformedLine::at_line(3, "invalid JSON: x");
        assert_eq!(malformed.to_string(), "line 3: invalid JSON: x");
        malformed.origin = Some("events.json".into());
        assert_eq!(malformed.to_string(), "events.json: line 3: invalid JSON: x");
        malformed.element = Some(2);
        assert_eq!(malformed.to_string(), "events.json: element 2 (line 3): invalid JSON: x");
    }
}
