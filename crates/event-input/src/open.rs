//! Opening an event input: a file or standard input, decompressed when its first bytes are
//! gzip's or zstd's magic numbers (whatever the file is called), then read as a JSON array
//! when its first byte that is not white space is `[`, as whole documents when its first line
//! is an incomplete JSON value (pretty-printed) or a search response, else as NDJSON.
//!
//! Nothing is read until the first event is asked for, so opening many inputs costs only
//! their file handles; a read error found then (a corrupt compressed stream) is reported as a
//! malformed line of that input, and the other inputs are still read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

use serde_json::Value;

use super::documents::{DocumentReader, is_search_response};
use super::{DEFAULT_MAX_LINE_BYTES, InputEvent, JsonArrayReader, MalformedLine, NdjsonReader};

/// The buffer between the (decompressed) input and the readers.
const BUFFER_BYTES: usize = 256 * 1024;

/// gzip's magic number (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// zstd's frame magic number (RFC 8878), little-endian 0xFD2FB528.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// UTF-8's byte order mark, skipped at the start of an input.
const UTF8_BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// The name standard input goes by in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// An input that cannot be opened.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InputError {
    /// The file does not exist, or is not readable.
    #[error("{path}: cannot open: {source}")]
    #[diagnostic(code(input::open), help("give an event file, or `-` for standard input"))]
    Open {
        /// The path as given.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// A running count of the bytes read from inputs, before decompression (so it can be set
/// against the files' sizes). Clones share the count.
#[derive(Clone, Debug, Default)]
pub struct BytesRead(Arc<AtomicU64>);

impl BytesRead {
    /// The bytes read so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, bytes: usize) {
        self.0.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// Counts the bytes that pass through a reader.
struct CountingReader<R> {
    inner: R,
    counter: BytesRead,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.counter.add(read);
        Ok(read)
    }
}

/// The events of one input, in whichever format it turned out to be.
pub struct EventReader {
    origin: Arc<str>,
    state: ReaderState,
}

/// What an [`EventReader`] is doing.
enum ReaderState {
    /// Not read yet.
    Pending(Box<dyn Read>),
    /// NDJSON lines.
    Ndjson(NdjsonReader<Box<dyn BufRead>>),
    /// A JSON array.
    Array(JsonArrayReader<Box<dyn BufRead>>),
    /// Whole JSON documents (search responses).
    Documents(DocumentReader<Box<dyn BufRead>>),
    /// Ended early by a read error.
    Failed,
}

/// Opens `path` (`-` is standard input), counting the bytes read into `counter`.
pub fn open_events(path: &Path, counter: &BytesRead) -> Result<EventReader, InputError> {
    if path == Path::new("-") {
        return Ok(read_events(STDIN_NAME, io::stdin().lock(), counter));
    }
    let name = path.display().to_string();
    let file =
        File::open(path).map_err(|source| InputError::Open { path: name.clone(), source })?;
    Ok(read_events(&name, file, counter))
}

/// Reads events from `reader`, named `name` in messages, counting its bytes into `counter`.
pub fn read_events(name: &str, reader: impl Read + 'static, counter: &BytesRead) -> EventReader {
    let counting = CountingReader { inner: reader, counter: counter.clone() };
    EventReader { origin: Arc::from(name), state: ReaderState::Pending(Box::new(counting)) }
}

impl EventReader {
    /// The input's name, as used in messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Decompresses if needed and picks the format.
    fn start(&self, raw: Box<dyn Read>) -> io::Result<ReaderState> {
        let (magic, raw) = read_prefix(raw, ZSTD_MAGIC.len())?;
        let raw = prepend(magic.clone(), raw);
        let decoded: Box<dyn Read> = if magic.starts_with(&GZIP_MAGIC) {
            Box::new(MultiGzDecoder::new(raw))
        } else if magic.starts_with(&ZSTD_MAGIC) {
            Box::new(zstd::stream::read::Decoder::new(raw)?)
        } else {
            raw
        };
        let (mut start, decoded) = read_prefix(decoded, UTF8_BOM.len())?;
        if start == UTF8_BOM {
            start.clear();
        }
        let mut text: Box<dyn BufRead> =
            Box::new(BufReader::with_capacity(BUFFER_BYTES, prepend(start, decoded)));
        let (blank_lines, first) = skip_whitespace(&mut text)?;
        let origin = Arc::clone(&self.origin);
        if first == Some(b'[') {
            let reader = JsonArrayReader::new(text).with_origin(origin).after_lines(blank_lines);
            return Ok(ReaderState::Array(reader));
        }
        let (whole_documents, text) = sniff_documents(text)?;
        Ok(if whole_documents {
            ReaderState::Documents(DocumentReader::new(text).with_origin(origin))
        } else {
            ReaderState::Ndjson(
                NdjsonReader::new(text).with_origin(origin).after_lines(blank_lines),
            )
        })
    }
}

/// Reads up to `length` bytes (fewer only at the end of input; a pipe may deliver them a
/// few at a time); returns them and the rest of the reader.
fn read_prefix(mut reader: Box<dyn Read>, length: usize) -> io::Result<(Vec<u8>, Box<dyn Read>)> {
    let mut prefix = Vec::with_capacity(length);
    (&mut reader).take(length as u64).read_to_end(&mut prefix)?;
    Ok((prefix, reader))
}

/// `bytes` followed by `reader`.
fn prepend(bytes: Vec<u8>, reader: Box<dyn Read>) -> Box<dyn Read> {
    if bytes.is_empty() { reader } else { Box::new(Cursor::new(bytes).chain(reader)) }
}

/// Reads the first line to tell NDJSON from whole documents: the input is read as whole
/// documents when its first line is an incomplete JSON value (a pretty-printed document) or
/// a search response. Returns the verdict and the input, first line included.
fn sniff_documents(mut text: Box<dyn BufRead>) -> io::Result<(bool, Box<dyn BufRead>)> {
    let mut first_line = Vec::new();
    let limit = u64::try_from(DEFAULT_MAX_LINE_BYTES).unwrap_or(u64::MAX);
    (&mut text).take(limit).read_until(b'\n', &mut first_line)?;
    let documents = match serde_json::from_slice::<Value>(&first_line) {
        Ok(Value::Object(object)) => is_search_response(&object),
        Ok(_) => false,
        Err(error) => error.is_eof(),
    };
    Ok((documents, Box::new(Cursor::new(first_line).chain(text))))
}

/// Skips leading white space; returns the newlines skipped and the first other byte.
fn skip_whitespace<R: BufRead + ?Sized>(reader: &mut R) -> io::Result<(u64, Option<u8>)> {
    let mut newlines = 0;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok((newlines, None));
        }
        let blank = available.iter().take_while(|byte| byte.is_ascii_whitespace()).count();
        newlines += memchr::memchr_iter(b'\n', &available[..blank]).count() as u64;
        let first = available.get(blank).copied();
        reader.consume(blank);
        if first.is_some() {
            return Ok((newlines, first));
        }
    }
}

impl Iterator for EventReader {
    type Item = Result<InputEvent, MalformedLine>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match &mut self.state {
                ReaderState::Ndjson(reader) => return reader.next(),
                ReaderState::Array(reader) => return reader.next(),
                ReaderState::Documents(reader) => return reader.next(),
                ReaderState::Failed => return None,
                ReaderState::Pending(_) => {
                    let ReaderState::Pending(raw) =
                        std::mem::replace(&mut self.state, ReaderState::Failed)
                    else {
                        unreachable!("matched just above")
                    };
                    match self.start(raw) {
                        Ok(state) => self.state = state,
                        Err(error) => {
                            return Some(Err(MalformedLine {
                                line: 1,
                                element: None,
                                origin: Some(Arc::clone(&self.origin)),
                                problem: format!("read error: {error}"),
                            }));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    const NDJSON: &str = "\n{\"a\":1}\n{\"b\":2}\n";
    const ARRAY: &str = " \n[{\"a\":1},\n{\"b\":2}]\n";

    /// Each event as `<position> <source>`, each problem as its message.
    fn read(bytes: Vec<u8>) -> Vec<String> {
        read_events("in", Cursor::new(bytes), &BytesRead::default())
            .map(|result| match result {
                Ok(event) => format!("{} {}", event.line, event.source),
                Err(error) => error.to_string(),
            })
            .collect()
    }

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn format_is_chosen_by_the_first_byte() {
        assert_eq!(read(NDJSON.into()), ["2 {\"a\":1}", "3 {\"b\":2}"]);
        assert_eq!(read(ARRAY.into()), ["1 {\"a\":1}", "2 {\"b\":2}"]);
        assert!(read(Vec::new()).is_empty());
        assert!(read(b"  \n ".to_vec()).is_empty());
    }

    #[test]
    fn gzip_and_zstd_are_found_by_magic_bytes() {
        assert_eq!(read(gzip(NDJSON)), ["2 {\"a\":1}", "3 {\"b\":2}"]);
        assert_eq!(read(gzip(ARRAY)), ["1 {\"a\":1}", "2 {\"b\":2}"]);
        let zstd = zstd::encode_all(ARRAY.as_bytes(), 1).unwrap();
        assert_eq!(read(zstd), ["1 {\"a\":1}", "2 {\"b\":2}"]);
        // Concatenated gzip members (as `cat a.gz b.gz` makes) are one input.
        let mut two = gzip("{\"a\":1}\n");
        two.extend(gzip("{\"b\":2}\n"));
        assert_eq!(read(two), ["1 {\"a\":1}", "2 {\"b\":2}"]);
    }

    #[test]
    fn search_responses_pretty_or_not_are_read_for_their_hits() {
        let search = r#"{"took": 3, "timed_out": false, "hits": {"total": {"value": 2}, "hits": [
            {"_index": "logs-a", "_id": "x", "_source": {"a": 1}},
            {"_index": "logs-a", "_id": "y", "_source": {"b": 2}}]}}"#;
        assert_eq!(read(search.into()), ["1 {\"a\":1}", "2 {\"b\":2}"]);
        let one_line = format!("{}\n", search.replace('\n', ""));
        assert_eq!(read(one_line.into()), ["1 {\"a\":1}", "2 {\"b\":2}"]);
        let eql = r#"{"took": 1, "is_partial": false, "hits": {"sequences": [
            {"join_keys": ["h"], "events": [{"_index": "i", "_id": "s1", "_source": {"c": 3}}]}]}}"#;
        assert_eq!(read(eql.into()), ["1 {\"c\":3}"]);
        let pretty_event = "{\n  \"a\": 1\n}\n{\n  \"b\": 2\n}\n";
        assert_eq!(read(pretty_event.into()), ["1 {\"a\":1}", "2 {\"b\":2}"]);
    }

    #[test]
    fn a_broken_document_is_reported_with_its_line_and_ends_the_input() {
        let text = "{\n  \"a\": 1\n}\n{\n  \"b\": nope\n}\n{\"c\": 3}\n";
        let results = read(text.into());
        assert_eq!(results[0], "1 {\"a\":1}");
        assert!(
            results[1].starts_with("in: element 2 (line 5): invalid JSON: expected ident"),
            "{}",
            results[1]
        );
        assert_eq!(results.len(), 2);
        let hits = r#"{"took": 1, "hits": {"hits": [5, {"_id": 7, "_source": {}}, {"_source": {"d": 4}, "_id": "z"}]}}"#;
        assert_eq!(
            read(hits.into()),
            [
                "in: element 1: expected a hit object, found a number",
                "in: element 2: `_id` must be a string, found a number",
                "3 {\"d\":4}",
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(ARRAY.as_bytes());
        assert_eq!(read(bytes), ["1 {\"a\":1}", "2 {\"b\":2}"]);
    }

    #[test]
    fn a_corrupt_stream_is_reported_once() {
        let mut truncated = gzip(&"{\"a\":1}\n".repeat(1000));
        truncated.truncate(truncated.len() / 2);
        let results = read(truncated);
        let last = results.last().unwrap();
        assert!(last.starts_with("in: line ") && last.contains("read error"), "{last}");
        assert!(results[..results.len() - 1].iter().all(|line| line.ends_with("{\"a\":1}")));
        let garbage = read(vec![0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]);
        assert_eq!(garbage.len(), 1);
        assert!(garbage[0].starts_with("in: line 1: read error"), "{}", garbage[0]);
    }

    #[test]
    fn bytes_read_counts_the_compressed_input() {
        let counter = BytesRead::default();
        let bytes = gzip(NDJSON);
        let length = bytes.len() as u64;
        let events = read_events("in", Cursor::new(bytes), &counter).count();
        assert_eq!((events, counter.get()), (2, length));
    }

    #[test]
    fn a_missing_file_is_an_open_error() {
        let error =
            open_events(Path::new("/no/such/events.ndjson"), &BytesRead::default()).err().unwrap();
        assert!(error.to_string().starts_with("/no/such/events.ndjson: cannot open:"), "{error}");
    }
}
