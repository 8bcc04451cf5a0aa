//! NDJSON input: one event per line, with a bound on line length.

use std::io::{self, BufRead, Read};
use std::sync::Arc;

use super::{DEFAULT_MAX_LINE_BYTES, InputEvent, MalformedLine};

/// Streams events from NDJSON, line by line, with a bound on line length.
///
/// A read error (a truncated gzip stream, say) is reported once, at the line it happened
/// on, and ends the input.
pub struct NdjsonReader<R> {
    reader: R,
    line: u64,
    max_line_bytes: usize,
    buffer: Vec<u8>,
    origin: Option<Arc<str>>,
    failed: bool,
}

impl<R: BufRead> NdjsonReader<R> {
    /// Reads `reader` with [`DEFAULT_MAX_LINE_BYTES`].
    pub fn new(reader: R) -> Self {
        Self::with_max_line_bytes(reader, DEFAULT_MAX_LINE_BYTES)
    }

    /// Reads `reader`, skipping (and reporting) lines longer than `max_line_bytes`.
    pub fn with_max_line_bytes(reader: R, max_line_bytes: usize) -> Self {
        Self { reader, line: 0, max_line_bytes, buffer: Vec::new(), origin: None, failed: false }
    }

    /// Names the input (a file path) in the reports of malformed lines.
    #[must_use]
    pub fn with_origin(mut self, origin: Arc<str>) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Counts `lines` already consumed before `reader` (leading blank lines), so that line
    /// numbers stay those of the whole input.
    #[must_use]
    pub(crate) fn after_lines(mut self, lines: u64) -> Self {
        self.line = lines;
        self
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
            if let Some(position) = memchr::memchr(b'\n', available) {
                self.reader.consume(position + 1);
                break;
            }
            let length = available.len();
            self.reader.consume(length);
        }
        Ok(Some(true))
    }

    fn malformed(&self, problem: String) -> MalformedLine {
        MalformedLine { line: self.line, element: None, origin: self.origin.clone(), problem }
    }
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = Result<InputEvent, MalformedLine>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed {
            let outcome = self.read_line();
            self.line += 1;
            match outcome {
                Ok(None) => return None,
                Ok(Some(true)) => {
                    let problem =
                        format!("line longer than {} bytes, skipped", self.max_line_bytes);
                    return Some(Err(self.malformed(problem)));
                }
                Ok(Some(false)) => match InputEvent::from_json_text(self.line, &self.buffer) {
                    Ok(None) => {}
                    Ok(Some(event)) => return Some(Ok(event)),
                    Err(problem) => return Some(Err(self.malformed(problem))),
                },
                Err(error) => {
                    self.failed = true;
                    return Some(Err(self.malformed(format!("read error: {error}"))));
                }
            }
        }
        None
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
        assert_eq!(lines[3], "line 4: `_index` must be a string, found a number");
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

    /// A reader that yields one line, then fails on every read.
    struct FailingReader {
        sent: bool,
    }

    impl Read for FailingReader {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            if self.sent {
                return Err(io::Error::other("disk on fire"));
            }
            self.sent = true;
            let line = b"{\"a\":1}\n";
            buffer[..line.len()].copy_from_slice(line);
            Ok(line.len())
        }
    }

    #[test]
    fn a_read_error_is_reported_once_and_ends_the_input() {
        let reader = io::BufReader::new(FailingReader { sent: false });
        let results: Vec<_> = NdjsonReader::new(reader).with_origin("f.ndjson".into()).collect();
        assert_eq!(results.len(), 2);
        assert!(results[0].is_ok());
        let error = results[1].as_ref().unwrap_err().to_string();
        assert_eq!(error, "f.ndjson: line 2: read error: disk on fire");
    }
}
