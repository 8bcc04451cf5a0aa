//! Byte spans, the one piece of vocabulary every Warden layer shares.
//!
//! A [`Span`] is a half-open byte range `start..end` into one source text (a query, or a
//! rule file). Spans are two `u32`s so that every AST node can carry one cheaply. A span
//! converts into [`miette::SourceSpan`] so diagnostics can label it, and [`Span::shift`]
//! moves a span found in a query into the coordinates of the rule file that embeds it.
//!
//! ```
//! use rule_span::Span;
//! let s = Span::new(4, 9);
//! assert_eq!(s.len(), 5);
//! assert_eq!(s.shift(100), Span::new(104, 109));
//! assert_eq!(&"the query"[s.range()], "query");
//! ```

use std::fmt;
use std::ops::Range;

/// A half-open byte range `start..end` into a source text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets). Panics in debug builds if `end < start`.
    pub const fn new(start: u32, end: u32) -> Self {
        debug_assert!(start <= end);
        Self { start, end }
    }

    /// A span from `usize` offsets, as pest and logos report them. Offsets past `u32::MAX`
    /// saturate; the parsers refuse such inputs before they get here.
    pub fn from_range(range: Range<usize>) -> Self {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Self { start: clamp(range.start), end: clamp(range.end) }
    }

    /// An empty span at `offset`.
    pub const fn empty(offset: u32) -> Self {
        Self { start: offset, end: offset }
    }

    /// Length in bytes.
    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    /// True if the span covers no bytes.
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both `self` and `other`.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The same range moved `offset` bytes to the right, e.g. from a query into the rule
    /// file that holds it.
    #[must_use]
    pub const fn shift(self, offset: u32) -> Span {
        Span { start: self.start + offset, end: self.end + offset }
    }

    /// The span as a `usize` range, for slicing the source text.
    pub const fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start as usize, span.len() as usize).into()
    }
}

/// A value together with the span of the text it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it came from.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node` with `span`.
    pub const fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

/// Line and column (both 1-based, column counted in characters) of a byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_and_shift() {
        let a = Span::new(2, 5);
        let b = Span::new(7, 9);
        assert_eq!(a.cover(b), Span::new(2, 9));
        assert_eq!(b.cover(a), Span::new(2, 9));
        assert_eq!(a.shift(10), Span::new(12, 15));
    }

    #[test]
    fn line_and_column() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 7), (2, 4));
        assert_eq!(line_column(text, 8), (3, 1));
        assert_eq!(line_column(text, 99), (3, 2));
    }

    #[test]
    fn converts_to_miette() {
        let s: miette::SourceSpan = Span::new(3, 8).into();
        assert_eq!(s.offset(), 3);
        assert_eq!(s.len(), 5);
    }
}
