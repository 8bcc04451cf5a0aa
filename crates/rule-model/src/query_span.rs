//! Where a rule's query sits in its TOML file, and diagnostics moved there.
//!
//! Every corpus query is a `'''` literal string whose content starts after a newline that
//! TOML trims, so the query's byte 0 is the value's start + 3 (delimiter) + 1 (newline).
//! Other string forms map exactly when the file spells the query byte for byte; otherwise
//! (escapes in a basic string) there is no exact mapping and diagnostics are reported
//! against the query text itself.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use rule_span::Span;

/// The offset in `file` of the first byte of `query`, whose TOML value starts at
/// `value_start`; `None` when the file does not spell the query byte for byte.
pub(crate) fn query_offset(file: &str, value_start: usize, query: &str) -> Option<u32> {
    let value = file.get(value_start..)?;
    let opening = ["'''\r\n", "'''\n", "'''", "\"\"\"\r\n", "\"\"\"\n", "\"\"\"", "'", "\""]
        .into_iter()
        .find(|delimiter| value.starts_with(delimiter))?;
    let start = value_start + opening.len();
    let spelled = file.get(start..start + query.len())?;
    if spelled == query { u32::try_from(start).ok() } else { None }
}

/// A query diagnostic (from a parser or the compiler) moved into the rule file: its labels
/// are shifted by the query offset and its source is the rule file. Without an exact
/// offset the labels stay put and the source is the query text, named after the file.
pub struct QueryDiagnostic<'a> {
    inner: &'a dyn Diagnostic,
    source: NamedSource<String>,
    offset: Option<u32>,
    related: Vec<QueryDiagnostic<'a>>,
}

impl<'a> QueryDiagnostic<'a> {
    /// Wraps `inner`, whose spans are relative to the query; `source` is the rule file when
    /// `offset` is `Some`, the query text otherwise.
    pub fn new(
        inner: &'a dyn Diagnostic,
        source: NamedSource<String>,
        offset: Option<u32>,
    ) -> Self {
        let related = inner
            .related()
            .map(|related| related.map(|r| Self::new(r, source.clone(), offset)).collect())
            .unwrap_or_default();
        Self { inner, source, offset, related }
    }

    /// The labels' spans in the coordinates of [`Self::source_code`] (the rule file when the
    /// offset is known).
    pub fn spans(&self) -> Vec<Span> {
        self.labels()
            .into_iter()
            .flatten()
            .map(|label| Span::from_range(label.offset()..label.offset() + label.len()))
            .collect()
    }

    /// The offset of the query in the rule file, if known.
    pub fn offset(&self) -> Option<u32> {
        self.offset
    }
}

impl fmt::Debug for QueryDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryDiagnostic")
            .field("message", &self.inner.to_string())
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for QueryDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for QueryDiagnostic<'_> {}

impl Diagnostic for QueryDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let shift = self.offset.unwrap_or(0) as usize;
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(move |label| {
            let span = (label.offset() + shift, label.len());
            LabeledSpan::new_with_span(label.label().map(str::to_owned), span)
        })))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: &str, needle: &str) -> (usize, u32) {
        let index = file.find(needle).unwrap();
        (index, u32::try_from(index).unwrap())
    }

    #[test]
    fn literal_string_after_newline_starts_four_bytes_in() {
        let file = "[rule]\nquery = '''\nprocess where true\n'''\n";
        let (value_start, start) = at(file, "'''");
        assert_eq!(query_offset(file, value_start, "process where true\n"), Some(start + 3 + 1));
    }

    #[test]
    fn other_string_forms() {
        let file = "query = 'a : b'\nq2 = \"x : 1\"\nq3 = '''y'''\n";
        assert_eq!(query_offset(file, 8, "a : b"), Some(9));
        let (q2, q2_start) = at(file, "\"");
        assert_eq!(query_offset(file, q2, "x : 1"), Some(q2_start + 1));
        let (q3, q3_start) = at(file, "'''");
        assert_eq!(query_offset(file, q3, "y"), Some(q3_start + 3));
    }

    #[test]
    fn escapes_give_no_offset() {
        let file = r#"query = "a : \"b\"""#;
        assert_eq!(query_offset(file, 8, r#"a : "b""#), None);
        assert_eq!(query_offset(file, 800, "a"), None);
    }
}
