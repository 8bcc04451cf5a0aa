//! Whole JSON documents (pretty-printed or not, one after the other), chiefly saved
//! Elasticsearch search responses: the hits of `hits.hits` (`_search`), `hits.events` and
//! `hits.sequences[].events` (EQL search) are the events. A document that is not a search
//! response is one event.
//!
//! Each document is parsed whole, so it is bounded ([`DEFAULT_MAX_LINE_BYTES`] by default);
//! after a malformed or over-long document the input cannot be resynchronised, so the error is
//! reported and reading stops.

use std::cell::Cell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{DEFAULT_MAX_LINE_BYTES, InputEvent, MalformedLine, json_type};

/// Whether `value` is a search response (`_search` or EQL search): an object with `took` or
/// `timed_out` and a `hits` object holding a `hits`, `events` or `sequences` array.
pub(crate) fn is_search_response(value: &Map<String, Value>) -> bool {
    let Some(Value::Object(hits)) = value.get("hits") else { return false };
    (value.contains_key("took") || value.contains_key("timed_out"))
        && ["hits", "events", "sequences"]
            .iter()
            .any(|key| matches!(hits.get(*key), Some(Value::Array(_))))
}

/// A reader that fails once more than `limit` bytes were read since the last reset.
struct BoundedReader<R> {
    inner: R,
    used: Rc<Cell<usize>>,
    limit: usize,
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.used.get() >= self.limit {
            return Err(io::Error::other(format!("document longer than {} bytes", self.limit)));
        }
        let room = (self.limit - self.used.get()).min(buffer.len());
        let read = self.inner.read(&mut buffer[..room])?;
        self.used.set(self.used.get() + read);
        Ok(read)
    }
}

/// Streams the events of whole JSON documents.
pub struct DocumentReader<R: Read> {
    values:
        serde_json::StreamDeserializer<'static, serde_json::de::IoRead<BoundedReader<R>>, Value>,
    used: Rc<Cell<usize>>,
    pending: VecDeque<Result<InputEvent, MalformedLine>>,
    origin: Option<Arc<str>>,
    /// Events (and failed hits) so far: the position of the next one is this plus one.
    count: u64,
    done: bool,
}

impl<R: Read> DocumentReader<R> {
    /// Reads `reader`, bounding each document at [`DEFAULT_MAX_LINE_BYTES`].
    pub fn new(reader: R) -> Self {
        Self::with_max_document_bytes(reader, DEFAULT_MAX_LINE_BYTES)
    }

    /// Reads `reader`, stopping with an error at a document longer than `max_document_bytes`.
    pub fn with_max_document_bytes(reader: R, max_document_bytes: usize) -> Self {
        let used = Rc::new(Cell::new(0));
        let bounded =
            BoundedReader { inner: reader, used: Rc::clone(&used), limit: max_document_bytes };
        Self {
            values: serde_json::Deserializer::from_reader(bounded).into_iter(),
            used,
            pending: VecDeque::new(),
            origin: None,
            count: 0,
            done: false,
        }
    }

    /// Names the input (a file path) in the reports of malformed documents.
    #[must_use]
    pub fn with_origin(mut self, origin: Arc<str>) -> Self {
        self.origin = Some(origin);
        self
    }

    fn malformed(&self, line: u64, problem: String) -> MalformedLine {
        MalformedLine { line, element: Some(self.count), origin: self.origin.clone(), problem }
    }

    /// Queues the events of one document.
    fn take_document(&mut self, value: Value) {
        let Value::Object(mut document) = value else {
            self.count += 1;
            let problem = format!(
                "expected a JSON object (an event or a search response), found {}",
                json_type(&value)
            );
            self.pending.push_back(Err(self.malformed(0, problem)));
            return;
        };
        if !is_search_response(&document) {
            self.count += 1;
            let event = InputEvent::from_object(self.count, document)
                .map_err(|problem| self.malformed(0, problem));
            self.pending.push_back(event);
            return;
        }
        let Some(Value::Object(mut hits)) = document.remove("hits") else { return };
        let mut found = Vec::new();
        for key in ["hits", "events"] {
            if let Some(Value::Array(list)) = hits.remove(key) {
                found.extend(list);
            }
        }
        if let Some(Value::Array(sequences)) = hits.remove("sequences") {
            for sequence in sequences {
                if let Value::Object(mut sequence) = sequence
                    && let Some(Value::Array(events)) = sequence.remove("events")
                {
                    found.extend(events);
                }
            }
        }
        for hit in found {
            self.count += 1;
            let event = match hit {
                Value::Object(hit) => InputEvent::from_object(self.count, hit),
                other => Err(format!("expected a hit object, found {}", json_type(&other))),
            };
            let event = event.map_err(|problem| self.malformed(0, problem));
            self.pending.push_back(event);
        }
    }
}

impl<R: Read> Iterator for DocumentReader<R> {
    type Item = Result<InputEvent, MalformedLine>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            self.used.set(0);
            match self.values.next() {
                None => self.done = true,
                Some(Ok(value)) => self.take_document(value),
                Some(Err(error)) => {
                    self.done = true;
                    self.count += 1;
                    let line = u64::try_from(error.line()).unwrap_or(u64::MAX);
                    let problem = format!("invalid JSON: {error}; the rest is not read");
                    return Some(Err(self.malformed(line, problem)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_over_long_document_ends_the_input_with_an_error() {
        let text = format!("{{\"a\": \"{}\"}}\n{{\"b\": 1}}", "x".repeat(100));
        let results: Vec<_> =
            DocumentReader::with_max_document_bytes(text.as_bytes(), 50).collect();
        assert_eq!(results.len(), 1);
        let error = results[0].as_ref().unwrap_err().to_string();
        assert!(error.contains("document longer than 50 bytes"), "{error}");
    }

    #[test]
    fn the_bound_is_per_document() {
        let text = "{\"a\": 1}\n".repeat(20);
        let results: Vec<_> =
            DocumentReader::with_max_document_bytes(text.as_bytes(), 30).collect();
        assert_eq!(results.len(), 20);
        assert!(results.iter().all(Result::is_ok));
    }

    #[test]
    fn a_search_response_needs_took_or_timed_out_and_a_hit_list() {
        let object = |text: &str| match serde_json::from_str(text).unwrap() {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        assert!(is_search_response(&object(r#"{"took": 1, "hits": {"hits": []}}"#)));
        assert!(is_search_response(&object(r#"{"timed_out": false, "hits": {"events": []}}"#)));
        assert!(!is_search_response(&object(r#"{"hits": {"hits": []}}"#)));
        assert!(!is_search_response(&object(r#"{"took": 1, "hits": 3}"#)));
    }
}
