//! JSON array input: `[event, event, ...]`, streamed one element at a time.
//!
//! The array is never parsed as one value: a lexical scan (strings, escapes, bracket depth)
//! finds where each top-level element ends, and only that element's bytes are parsed. So a
//! multi-gigabyte array costs one element of memory, a malformed element is reported with its
//! element number and line and the next one is read, and an element longer than the bound is
//! skipped like an over-long NDJSON line. Several arrays one after the other
//! (`[...] [...]`) are read as one; trailing commas are accepted.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{DEFAULT_MAX_LINE_BYTES, InputEvent, MalformedLine};

/// Where the scan stands between elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Inside an array, before an element (or its closing `]`).
    InArray,
    /// After a closing `]`: only white space or another array may follow.
    AfterArray,
    /// Finished (end of input, a read error, or content that is not an array).
    Done,
}

/// How an element's scan ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Terminator {
    /// A `,` at the array's level: more elements follow.
    Comma,
    /// The array's closing `]`.
    Close,
    /// The input ended inside the element.
    EndOfInput,
}

/// Streams the elements of JSON arrays as events.
pub struct JsonArrayReader<R> {
    reader: R,
    /// The line the reader stands on (1-based).
    line: u64,
    /// Elements started so far.
    element: u64,
    max_element_bytes: usize,
    buffer: Vec<u8>,
    origin: Option<Arc<str>>,
    state: State,
    /// Whether an opening `[` was read.
    opened: bool,
}

impl<R: BufRead> JsonArrayReader<R> {
    /// Reads `reader`, which must start (after white space) with `[`, bounding each element
    /// at [`DEFAULT_MAX_LINE_BYTES`].
    pub fn new(reader: R) -> Self {
        Self::with_max_element_bytes(reader, DEFAULT_MAX_LINE_BYTES)
    }

    /// Reads `reader`, skipping (and reporting) elements longer than `max_element_bytes`.
    pub fn with_max_element_bytes(reader: R, max_element_bytes: usize) -> Self {
        Self {
            reader,
            line: 1,
            element: 0,
            max_element_bytes,
            buffer: Vec::new(),
            origin: None,
            state: State::AfterArray,
            opened: false,
        }
    }

    /// Names the input (a file path) in the reports of malformed elements.
    #[must_use]
    pub fn with_origin(mut self, origin: Arc<str>) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Counts `lines` already consumed before `reader` (leading blank lines).
    #[must_use]
    pub(crate) fn after_lines(mut self, lines: u64) -> Self {
        self.line = lines + 1;
        self
    }

    fn malformed(&self, line: u64, element: Option<u64>, problem: String) -> MalformedLine {
        MalformedLine { line, element, origin: self.origin.clone(), problem }
    }

    /// Skips white space; returns the next byte without consuming it (`None` at the end).
    fn peek_past_whitespace(&mut self) -> io::Result<Option<u8>> {
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(None);
            }
            let mut skipped = 0;
            for &byte in available {
                if !byte.is_ascii_whitespace() {
                    break;
                }
                if byte == b'\n' {
                    self.line += 1;
                }
                skipped += 1;
            }
            let found = available.get(skipped).copied();
            self.reader.consume(skipped);
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    /// Scans one element into the buffer (up to the bound) and consumes its terminator.
    /// Returns how it ended and whether it was longer than the bound.
    fn scan_element(&mut self) -> io::Result<(Terminator, bool)> {
        self.buffer.clear();
        let mut depth = 0u64;
        let mut in_string = false;
        let mut escaped = false;
        let mut oversized = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok((Terminator::EndOfInput, oversized));
            }
            let mut end = None;
            for (offset, &byte) in available.iter().enumerate() {
                if byte == b'\n' {
                    self.line += 1;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b']' if depth == 0 => {
                        end = Some((offset, Terminator::Close));
                        break;
                    }
                    b',' if depth == 0 => {
                        end = Some((offset, Terminator::Comma));
                        break;
                    }
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            let taken = end.map_or(available.len(), |(offset, _)| offset);
            if !oversized && self.buffer.len() + taken > self.max_element_bytes {
                oversized = true;
                self.buffer.clear();
            }
            if !oversized {
                self.buffer.extend_from_slice(&available[..taken]);
            }
            if let Some((offset, terminator)) = end {
                self.reader.consume(offset + 1);
                return Ok((terminator, oversized));
            }
            let length = available.len();
            self.reader.consume(length);
        }
    }

    /// Reads after a closing `]`: the end, or the start of another array.
    fn after_array(&mut self) -> io::Result<Option<MalformedLine>> {
        match self.peek_past_whitespace()? {
            None => self.state = State::Done,
            Some(b'[') => {
                self.reader.consume(1);
                self.state = State::InArray;
                self.opened = true;
            }
            Some(_) => {
                self.state = State::Done;
                let problem = if self.opened {
                    "unexpected content after the JSON array's closing `]`; the rest is not read"
                } else {
                    "expected a JSON array (`[`)"
                };
                return Ok(Some(self.malformed(self.line, None, problem.to_owned())));
            }
        }
        Ok(None)
    }

    /// Reads one element: `Ok(None)` for the end of an array.
    fn next_element(&mut self) -> io::Result<Option<Result<InputEvent, MalformedLine>>> {
        if self.peek_past_whitespace()? == Some(b']') {
            self.reader.consume(1);
            self.state = State::AfterArray;
            return Ok(None);
        }
        let start_line = self.line;
        self.element += 1;
        let element = self.element;
        let (terminator, oversized) = self.scan_element()?;
        let fail = |reader: &Self, problem: String| {
            Some(Err(reader.malformed(start_line, Some(element), problem)))
        };
        match terminator {
            Terminator::Comma => {}
            Terminator::Close => self.state = State::AfterArray,
            Terminator::EndOfInput => {
                self.state = State::Done;
                let problem = "the input ends inside this element (the JSON array is not closed)";
                return Ok(fail(self, problem.to_owned()));
            }
        }
        if oversized {
            let problem = format!("element longer than {} bytes, skipped", self.max_element_bytes);
            return Ok(fail(self, problem));
        }
        Ok(match InputEvent::from_json_text(element, &self.buffer) {
            Ok(Some(event)) => Some(Ok(event)),
            Ok(None) => fail(self, "empty element (two commas in a row?)".to_owned()),
            Err(problem) => fail(self, problem),
        })
    }
}

impl<R: BufRead> Iterator for JsonArrayReader<R> {
    type Item = Result<InputEvent, MalformedLine>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let outcome = match self.state {
                State::Done => return None,
                State::AfterArray => self.after_array().map(|found| found.map(Err)),
                State::InArray => self.next_element(),
            };
            match outcome {
                Ok(Some(item)) => return Some(item),
                Ok(None) => {}
                Err(error) => {
                    self.state = State::Done;
                    let problem = format!("read error: {error}");
                    return Some(Err(self.malformed(self.line, None, problem)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each result as `ok <position> <source>` or the error message.
    fn read_with(text: &str, max: usize) -> Vec<String> {
        JsonArrayReader::with_max_element_bytes(text.as_bytes(), max)
            .with_origin("events.json".into())
            .map(|result| match result {
                Ok(event) => format!("ok {} {}", event.line, event.source),
                Err(error) => error.to_string(),
            })
            .collect()
    }

    fn read(text: &str) -> Vec<String> {
        read_with(text, DEFAULT_MAX_LINE_BYTES)
    }

    #[test]
    fn elements_are_events_numbered_from_one() {
        let text = "[{\"a\":1},\n {\"_id\":\"h\",\"_source\":{\"b\":\"x,]}\\\"\"}} ,{\"c\":[1,{\"d\":2}]}]";
        assert_eq!(
            read(text),
            ["ok 1 {\"a\":1}", "ok 2 {\"b\":\"x,]}\\\"\"}", "ok 3 {\"c\":[1,{\"d\":2}]}"]
        );
        let hit = JsonArrayReader::new(text.as_bytes()).nth(1).unwrap().unwrap();
        assert_eq!((hit.id.as_deref(), hit.source), (Some("h"), json!({"b": "x,]}\""})));
    }

    #[test]
    fn empty_arrays_trailing_commas_and_concatenated_arrays() {
        assert!(read("[]").is_empty());
        assert!(read("  [ ]  \n").is_empty());
        assert_eq!(read("[{\"a\":1},]"), ["ok 1 {\"a\":1}"]);
        assert_eq!(read("[{\"a\":1}]\n[{\"b\":2}]"), ["ok 1 {\"a\":1}", "ok 2 {\"b\":2}"]);
    }

    #[test]
    fn malformed_elements_are_reported_with_number_and_line_and_reading_goes_on() {
        let text =
            "[\n{\"a\":1},\n{not json},\n5,\n,\n{\"_index\":1,\"_source\":{}},\n{\"b\":2}\n]";
        let results = read(text);
        assert_eq!(results[0], "ok 1 {\"a\":1}");
        assert!(
            results[1].starts_with("events.json: element 2 (line 3): invalid JSON"),
            "{}",
            results[1]
        );
        assert_eq!(
            results[2..],
            [
                "events.json: element 3 (line 4): expected a JSON object (an event or a hit), found a number",
                "events.json: element 4 (line 5): empty element (two commas in a row?)",
                "events.json: element 5 (line 6): `_index` must be a string, found a number",
                "ok 6 {\"b\":2}",
            ]
        );
    }

    #[test]
    fn an_unclosed_array_or_trailing_content_is_reported_once() {
        assert_eq!(
            read("[{\"a\":1},{\"b\":"),
            [
                "ok 1 {\"a\":1}",
                "events.json: element 2 (line 1): the input ends inside this element (the JSON array is not closed)"
            ]
        );
        assert_eq!(
            read("[{\"a\":1}] {\"b\":2}\n{\"c\":3}"),
            [
                "ok 1 {\"a\":1}",
                "events.json: line 1: unexpected content after the JSON array's closing `]`; the rest is not read"
            ]
        );
        assert_eq!(read("{\"a\":1}"), ["events.json: line 1: expected a JSON array (`[`)"]);
    }

    #[test]
    fn over_long_elements_are_skipped() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let results = read_with(&format!("[{long},{{\"b\":1}},{long}]"), 50);
        assert_eq!(
            results,
            [
                "events.json: element 1 (line 1): element longer than 50 bytes, skipped",
                "ok 2 {\"b\":1}",
                "events.json: element 3 (line 1): element longer than 50 bytes, skipped",
            ]
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let results = read(&format!("[{{\"a\":{deep}}}, {{\"ok\":1}}]"));
        assert!(results[0].contains("recursion limit"), "{}", results[0]);
        assert_eq!(results[1], "ok 2 {\"ok\":1}");
    }

    #[test]
    fn reads_across_small_buffers() {
        let text = "[{\"a\":\"x\\\"]\"},\n{\"b\":[1,2]}]";
        let reader = io::BufReader::with_capacity(1, text.as_bytes());
        let events: Vec<_> = JsonArrayReader::new(reader).map(Result::unwrap).collect();
        assert_eq!(events[0].source, json!({"a": "x\"]"}));
        assert_eq!(events[1].source, json!({"b": [1, 2]}));
    }
}
