//! The text the layout writes, and the query's comments it puts back while writing.
//!
//! The layout writes the tree in source order and, before each clause, asks [`Out::place`]
//! for the comments that come before that clause in the query; so every comment lands
//! between the same two clauses as in the query, and the comments keep their order. A
//! comment is written as it was, in one of two ways:
//! - *trailing*: it followed code on its line in the query, and is written at the end of the
//!   current line (a `//` comment then ends the line);
//! - *own line*: it started its line in the query, and gets a line of its own, at the indent
//!   of the clause it leads.
//!
//! A clause written whole by the AST's printer has no room for a comment inside it: the
//! layout breaks a clause that holds a comment wherever it can, and [`Out::inline`] reports
//! a comment still inside as [`Unplaced`].

use eql_syntax::Comment;
use rule_span::Span;

/// A comment inside a clause the layout writes whole (a comparison, a call, join keys...).
#[derive(Debug)]
pub(crate) struct Unplaced(pub(crate) Span);

/// A growing text that knows its current column and the comments still to write.
pub(crate) struct Out<'a> {
    text: String,
    /// The query being laid out (to tell trailing comments from own-line ones).
    source: &'a str,
    /// The query's comments, in source order.
    comments: &'a [Comment],
    /// The first comment not yet written.
    next: usize,
    /// The text's length after the last comment written: a line break trims the spaces the
    /// layout wrote, never a comment's own text.
    kept: usize,
}

impl<'a> Out<'a> {
    /// An empty text for laying out `source`, which has `comments`.
    pub(crate) fn new(source: &'a str, comments: &'a [Comment]) -> Self {
        Self { text: String::new(), source, comments, next: 0, kept: 0 }
    }

    /// The text, with the comments left after the last clause.
    pub(crate) fn finish(mut self) -> String {
        if self.next < self.comments.len() {
            self.place(usize::MAX, 0);
            // Only the line breaks and spaces written after the last comment.
            let end = self.text.trim_end().len().max(self.kept);
            self.text.truncate(end);
        }
        self.text
    }

    /// True once the text has more than one line.
    pub(crate) fn multi_line(&self) -> bool {
        self.text.contains('\n')
    }

    pub(crate) fn column(&self) -> usize {
        self.text[self.line_start()..].chars().count()
    }

    pub(crate) fn fits(&self, extra: &str) -> bool {
        self.column() + extra.chars().count() <= super::WIDTH
    }

    pub(crate) fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Ends the line (dropping the spaces the layout left at its end) and indents the next.
    pub(crate) fn newline(&mut self, indent: usize) {
        let end = self.text.trim_end_matches(' ').len().max(self.kept);
        self.text.truncate(end);
        self.text.push('\n');
        self.text.extend(std::iter::repeat_n(' ', indent));
    }

    /// True if a comment not yet written starts before `end` (a byte offset in the query).
    pub(crate) fn comment_before(&self, end: u32) -> bool {
        self.comments.get(self.next).is_some_and(|c| c.span.start < end)
    }

    /// Writes `text`, a clause that ends at `end` in the query, whole; fails if a comment
    /// not yet written is inside it.
    pub(crate) fn inline(&mut self, text: &str, end: u32) -> Result<(), Unplaced> {
        if let Some(comment) = self.comments.get(self.next).filter(|c| c.span.start < end) {
            return Err(Unplaced(comment.span));
        }
        self.push(text);
        Ok(())
    }

    /// Writes the comments before `before`: trailing ones at the end of the current line,
    /// the others on lines of their own at `indent`. Leaves the text ready for the clause.
    pub(crate) fn place(&mut self, before: usize, indent: usize) {
        while let Some(comment) = self.pending(before) {
            if self.trails(comment) && !self.line_blank() {
                self.write_comment(comment);
                if comment.is_line() {
                    self.newline(indent);
                } else {
                    self.push(" ");
                }
            } else {
                if !self.line_blank() {
                    self.newline(indent);
                }
                self.write_comment(comment);
                self.newline(indent);
            }
        }
    }

    /// Ends the line before the clause at `before` at `indent`, keeping the comments that
    /// trail the current line on it, and placing the rest on lines of their own.
    pub(crate) fn break_to(&mut self, before: usize, indent: usize) {
        while let Some(comment) =
            self.pending(before).filter(|c| self.trails(c) && !self.line_blank())
        {
            self.write_comment(comment);
            if comment.is_line() {
                break;
            }
        }
        self.newline(indent);
        self.place(before, indent);
    }

    /// Places the comments before the closing bracket at `before` (inside the brackets, at
    /// `indent`); if that leaves an empty line, the bracket goes there, at `close_indent`.
    pub(crate) fn place_before_close(&mut self, before: usize, indent: usize, close_indent: usize) {
        if self.pending(before).is_none() {
            return;
        }
        self.place(before, indent);
        if self.line_blank() {
            let start = self.line_start().max(self.kept);
            self.text.truncate(start);
            self.text.extend(std::iter::repeat_n(' ', close_indent));
        }
    }

    /// Where the next token after `from` starts in the query (past whitespace and comments).
    pub(crate) fn token_after(&self, from: u32) -> usize {
        let bytes = self.source.as_bytes();
        let mut at = from as usize;
        while at < bytes.len() {
            if bytes[at].is_ascii_whitespace() {
                at += 1;
            } else if let Ok(index) =
                self.comments.binary_search_by_key(&at, |c| c.span.range().start)
            {
                at = self.comments[index].span.range().end;
            } else {
                break;
            }
        }
        at
    }

    /// Where the token before `to` is in the query (looking past whitespace and comments), if
    /// it is a `(`.
    pub(crate) fn open_paren_before(&self, to: u32) -> Option<usize> {
        let bytes = self.source.as_bytes();
        let mut at = to as usize;
        while at > 0 {
            if bytes[at - 1].is_ascii_whitespace() {
                at -= 1;
            } else if let Ok(index) =
                self.comments.binary_search_by_key(&at, |c| c.span.range().end)
            {
                at = self.comments[index].span.range().start;
            } else {
                break;
            }
        }
        (at > 0 && bytes[at - 1] == b'(').then(|| at - 1)
    }

    /// The next comment to write, if it starts before `before`.
    fn pending(&self, before: usize) -> Option<&'a Comment> {
        self.comments.get(self.next).filter(|c| c.span.range().start < before)
    }

    /// Writes `comment` (the next one) where the text is, after a space unless at the start
    /// of a line.
    fn write_comment(&mut self, comment: &Comment) {
        if !self.text.is_empty() && !self.text.ends_with([' ', '\n']) {
            self.push(" ");
        }
        self.push(&comment.text);
        self.kept = self.text.len();
        self.next += 1;
    }

    /// True if `comment` follows code on its line in the query.
    fn trails(&self, comment: &Comment) -> bool {
        let before = &self.source[..comment.span.range().start];
        let line = before.rsplit('\n').next().unwrap_or(before);
        !line.trim().is_empty()
    }

    fn line_start(&self) -> usize {
        self.text.rfind('\n').map_or(0, |at| at + 1)
    }

    /// True if the current line holds only spaces.
    fn line_blank(&self) -> bool {
        self.text[self.line_start()..].bytes().all(|b| b == b' ')
    }
}
