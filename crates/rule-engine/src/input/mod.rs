//! Reading events: NDJSON lines, each a raw ECS event or an Elasticsearch hit.
//!
//! A hit is an object with a `_source` object and an `_index` and/or `_id` string (the shape
//! of `hits.hits[]` in a search response). Anything else that is a JSON object is a raw event.
//! A line that is not valid JSON, not an object, too long, or a hit with a wrong-typed member
//! is reported with its line number; reading goes on. Nesting depth is bounded by
//! `serde_json`'s recursion limit (128).

use std::io::{self, BufRead, Read};

use serde_json::{Map, Value};

/// The longest line read (64 MiB); longer lines are skipped and reported.
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
    /// Where the event came from: 1-based line number in its input.
    pub line: u64,
}

/// A line that could not be read as an event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct MalformedLine {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong with it.
    pub problem: String,
}

impl InputEvent {
    /// Reads one line. `Ok(None)` for a blank line.
    pub fn from_line(line: u64, text: &[u8]) -> Result<Option<Self>, MalformedLine> {
        let malformed = |problem: String| MalformedLine { line, problem };
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let value: Value = serde_json::from_slice(text)
            .map_err(|error| malformed(format!("invalid JSON: {error}")))?;
        match value {
            Value::Object(map) => Self::from_object(line, map).map(Some).map_err(malformed),
            other => Err(malformed(format!(
                "expected a JSON object (an event or a hit), found {}",
                json_type(&other)
            ))),
        }
    }

    /// An event from an already parsed JSON object (hit or raw event).
    pub fn from_object(line: u64, mut map: Map<String, Value>) -> Result<Self, String> {
        let is_hit = matches!(map.get("_source"), Some(Value::Object(_)))
            && (map.contains_key("_index") || map.contains_key("_id"));
        if !is_hit {
            return Ok(Self { source: Value::Object(map), index: None, id: None, line });
        }
        let index = take_string(&mut map, "_index")?;
        let id = take_string(&mut map, "_id")?;
        let source = map.remove("_source").unwrap_or(Value::Null);
        Ok(Self { source, index, id, line })
    }
}

/// Removes `key` from a hit; it must be a string when present.
fn take_string(map: &mut Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => {
            Err(format!("the hit's `{key}` must be a string, found {}", json_type(&other)))
        }
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

/// Streams events from NDJSON, line by line, with a bound on line length.
pub struct NdjsonReader<R> {
    reader: R,
    line: u64,
    max_line_bytes: usize,
    buffer: Vec<u8>,
}

impl<R: BufRead> NdjsonReader<R> {
    /// Reads `reader` with [`DEFAULT_MAX_LINE_BYTES`].
    pub fn new(reader: R) -> Self {
        Self::with_max_line_bytes(reader, DEFAULT_MAX_LINE_BYTES)
    }

    /// Reads `reader`, skipping (and reporting) lines longer than `max_line_bytes`.
    pub fn with_max_line_bytes(reader: R, max_line_bytes: usize) -> Self {
        Self { reader, line: 0, max_line_bytes, buffer: Vec::new() }
    }

    /// Reads the next line into the buffer: `None` at end of input, `Some(true)` when the
    /// line was longer than the bound (its rest is skipped), `Some(false)` otherwise.
    fn read_line(&mut self) -> io::Result<Option<bool>> {
        self.buffer.clear();
        let limit = u64::try_from(self.max_line_bytes).unwrap_or(u64::MAX).saturating_add(1);
        let mut bounded = <&mut R as Read>::take(&mut self.reader, limit);
        let read = bounded.read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(None);
        }
        if self.buffer.last() == Some(&b'\n') || self.buffer.len() <= self.max_line_bytes {
            return Ok(Some(false));
        }
        // Too long: skip to the end of the line.
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            if let Some(position) = newline_position(available) {
                self.reader.consume(position + 1);
                break;
            }
            let length = available.len();
            self.reader.consume(length);
        }
        Ok(Some(true))
    }
}

fn newline_position(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&byte| byte == b'\n')
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = Result<InputEvent, MalformedLine>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let outcome = self.read_line();
            self.line += 1;
            let line = self.line;
            match outcome {
                Ok(None) => return None,
                Ok(Some(true)) => {
                    return Some(Err(MalformedLine {
                        line,
                        problem: format!("line longer than {} bytes, skipped", self.max_line_bytes),
                    }));
                }
                Ok(Some(false)) => match InputEvent::from_line(line, &self.buffer) {
                    Ok(None) => {}
                    Ok(Some(event)) => return Some(Ok(event)),
                    Err(error) => return Some(Err(error)),
                },
                Err(error) => {
                    return Some(Err(MalformedLine {
                        line,
                        problem: format!("read error: {error}"),
                    }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Vec<Result<InputEvent, MalformedLine>> {
        NdjsonReader::new(text.as_bytes()).collect()
    }

    #[test]
    fn raw_events_and_hits() {
        let input = concat!(
            "{\"event\":{\"category\":\"file\"}}\n",
            "\n",
            "{\"_index\":\"logs-a\",\"_id\":\"x1\",\"_source\":{\"a\":1}}\n",
            "{\"_id\":\"x2\",\"_source\":{\"b\":2}}"
        );
        let events: Vec<InputEvent> = read(input).into_iter().map(Result::unwrap).collect();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].source, json!({"event": {"category": "file"}}));
        assert_eq!((events[0].index.as_deref(), events[0].line), (None, 1));
        assert_eq!(events[1].source, json!({"a": 1}));
        assert_eq!(events[1].index.as_deref(), Some("logs-a"));
        assert_eq!(events[1].id.as_deref(), Some("x1"));
        assert_eq!(events[1].line, 3);
        assert_eq!((events[2].index.as_deref(), events[2].id.as_deref()), (None, Some("x2")));
    }

    #[test]
    fn a_source_field_without_hit_members_is_a_raw_event() {
        let events = read("{\"_source\":{\"a\":1},\"x\":2}\n");
        assert_eq!(events[0].as_ref().unwrap().source, json!({"_source": {"a": 1}, "x": 2}));
    }

    #[test]
    fn malformed_lines_are_reported_and_reading_goes_on() {
        let input = "{\"a\":1}\n{not json\n[1,2]\n{\"_index\":5,\"_source\":{}}\n{\"b\":2}\n";
        let results = read(input);
        let lines: Vec<String> = results
            .iter()
            .map(|result| match result {
                Ok(event) => format!("ok {}", event.line),
                Err(error) => error.to_string(),
            })
            .collect();
        assert_eq!(lines[0], "ok 1");
        assert!(lines[1].starts_with("line 2: invalid JSON"), "{}", lines[1]);
        assert_eq!(lines[2], "line 3: expected a JSON object (an event or a hit), found an array");
        assert_eq!(lines[3], "line 4: the hit's `_index` must be a string, found a number");
        assert_eq!(lines[4], "ok 5");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let results = read(&format!("{{\"a\":{deep}}}\n{{\"ok\":1}}\n"));
        assert!(results[0].as_ref().is_err_and(|e| e.problem.contains("recursion limit")));
        assert!(results[1].is_ok());
    }

    #[test]
    fn over_long_lines_are_skipped() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let input = format!("{long}\n{{\"b\":1}}\n{long}");
        let results: Vec<_> = NdjsonReader::with_max_line_bytes(input.as_bytes(), 50).collect();
        assert_eq!(results.len(), 3);
        assert!(results[0].as_ref().is_err_and(|e| e.line == 1 && e.problem.contains("longer")));
        assert!(results[1].as_ref().is_ok_and(|event| event.line == 2));
        assert!(results[2].as_ref().is_err_and(|e| e.line == 3));
    }

    #[test]
    fn invalid_utf8_is_reported() {
        let results: Vec<_> = NdjsonReader::new(&b"{\"a\":\"\xff\"}\n"[..]).collect();
        assert!(results[0].is_err());
    }
}
