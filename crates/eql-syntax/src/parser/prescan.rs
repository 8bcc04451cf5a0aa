//! A cheap byte scan run before pest: enforces the size and nesting limits (so the
//! recursive-descent parser can never overflow the stack) and reports lexical mistakes that
//! Elasticsearch rejects with its own messages: single-quoted strings, Endgame `?"..."` raw
//! strings, unterminated strings and comments. It reports every such mistake, not just the
//! first.

use rule_span::Span;

use crate::error::EqlError;

/// The deepest nesting of brackets, prefix operators (`not`, `-`, `+`) and block comments
/// a query may have.
pub const MAX_DEPTH: usize = 128;

/// The longest query accepted, in bytes (the longest rule in the corpus is about 20 KiB).
pub const MAX_QUERY_BYTES: usize = 1 << 20;

/// Scans `text` and returns every problem found; empty means pest may run.
pub(crate) fn prescan(text: &str) -> Vec<EqlError> {
    if text.len() > MAX_QUERY_BYTES {
        return vec![EqlError::TooLong {
            length: text.len(),
            limit: MAX_QUERY_BYTES,
            span: Span::from_range(MAX_QUERY_BYTES..text.len()),
        }];
    }
    let mut scanner =
        Scanner { bytes: text.as_bytes(), pos: 0, errors: Vec::new(), nesting: Nesting::default() };
    if scanner.run() {
        scanner.unclosed_delimiters();
    }
    scanner.errors
}

/// Tracks how deep the parser will recurse at the current point.
#[derive(Default)]
struct Nesting {
    /// For each open bracket: its byte offset, the bracket, and the prefix-operator run
    /// pending when it was seen.
    stack: Vec<(usize, u8, usize)>,
    /// Sum of `stack`.
    stacked_prefixes: usize,
    /// Prefix operators seen since the last operand.
    run: usize,
}

impl Nesting {
    fn depth(&self) -> usize {
        self.stack.len() + self.stacked_prefixes + self.run
    }

    fn open(&mut self, at: usize, bracket: u8) {
        self.stack.push((at, bracket, self.run));
        self.stacked_prefixes += self.run;
        self.run = 0;
    }

    fn close(&mut self) {
        if let Some((_, _, run)) = self.stack.pop() {
            self.stacked_prefixes -= run;
        }
        self.run = 0;
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    errors: Vec<EqlError>,
    nesting: Nesting,
}

impl Scanner<'_> {
    /// Scans the whole text; returns false if it stopped early at a fatal error.
    fn run(&mut self) -> bool {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            match self.bytes[start] {
                b'"' => {
                    self.string();
                    self.nesting.run = 0;
                }
                b'\'' => self.single_quoted(start),
                b'?' if matches!(self.peek(1), Some(b'"' | b'\'')) => {
                    self.question_mark_string(start);
                }
                b'`' => {
                    self.backtick();
                    self.nesting.run = 0;
                }
                b'/' if self.peek(1) == Some(b'/') => self.skip_line(),
                b'/' if self.peek(1) == Some(b'*') => {
                    if !self.block_comment() {
                        return false;
                    }
                }
                b'(' | b'[' => {
                    self.nesting.open(start, self.bytes[start]);
                    self.pos += 1;
                    if !self.check_depth(start, start + 1) {
                        return false;
                    }
                }
                b')' | b']' => {
                    self.nesting.close();
                    self.pos += 1;
                }
                b'-' | b'+' => {
                    self.nesting.run += 1;
                    self.pos += 1;
                    if !self.check_depth(start, start + 1) {
                        return false;
                    }
                }
                b if b.is_ascii_alphanumeric() || b == b'_' || b == b'@' => {
                    let end = self.word_end(start);
                    self.pos = end;
                    if &self.bytes[start..end] == b"not" {
                        self.nesting.run += 1;
                        if !self.check_depth(start, end) {
                            return false;
                        }
                    } else {
                        self.nesting.run = 0;
                    }
                }
                _ => self.pos += 1,
            }
        }
        true
    }

    /// Reports brackets still open at the end of the text.
    fn unclosed_delimiters(&mut self) {
        for &(at, bracket, _) in &self.nesting.stack {
            let closing = if bracket == b'(' { ')' } else { ']' };
            let span = Span::from_range(at..at + 1);
            self.errors.push(EqlError::UnclosedDelimiter {
                delimiter: char::from(bracket),
                closing,
                span,
            });
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn word_end(&self, start: usize) -> usize {
        let rest = &self.bytes[start..];
        start
            + rest
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'@'))
                .unwrap_or(rest.len())
    }

    fn line_end(&self, from: usize) -> usize {
        let rest = &self.bytes[from..];
        from + rest.iter().position(|b| matches!(b, b'\n' | b'\r')).unwrap_or(rest.len())
    }

    /// Records a depth error and returns false once the limit is crossed.
    fn check_depth(&mut self, start: usize, end: usize) -> bool {
        if self.nesting.depth() > MAX_DEPTH {
            self.errors
                .push(EqlError::TooDeep { limit: MAX_DEPTH, span: Span::from_range(start..end) });
            return false;
        }
        true
    }

    fn skip_line(&mut self) {
        self.pos = self.line_end(self.pos);
    }

    /// A `"..."` or `"""..."""` string starting at `self.pos`.
    fn string(&mut self) {
        let start = self.pos;
        let line_end = self.line_end(start);
        if self.bytes[start..].starts_with(b"\"\"\"")
            && let Some(close) = find(&self.bytes[start + 3..line_end], b"\"\"\"")
        {
            let mut end = start + 3 + close + 3;
            // Up to two more quotes belong to the raw string (ES `STRING` lexer rule).
            for _ in 0..2 {
                if self.bytes.get(end) == Some(&b'"') {
                    end += 1;
                }
            }
            self.pos = end;
            return;
        }
        if let Some(offset) = closing_quote(&self.bytes[start + 1..line_end], b'"') {
            self.pos = start + 1 + offset + 1;
        } else {
            self.errors
                .push(EqlError::UnterminatedString { span: Span::from_range(start..line_end) });
            self.pos = line_end;
        }
    }

    fn single_quoted(&mut self, start: usize) {
        let line_end = self.line_end(start);
        let end = closing_quote(&self.bytes[start + 1..line_end], b'\'')
            .map_or(line_end, |offset| start + 1 + offset + 1);
        self.errors.push(EqlError::SingleQuotedString { span: Span::from_range(start..end) });
        self.pos = end;
        self.nesting.run = 0;
    }

    fn question_mark_string(&mut self, start: usize) {
        let quote = self.bytes[start + 1];
        let line_end = self.line_end(start);
        let end = closing_quote(&self.bytes[start + 2..line_end], quote)
            .map_or(line_end, |offset| start + 2 + offset + 1);
        self.errors.push(EqlError::QuestionMarkString { span: Span::from_range(start..end) });
        self.pos = end;
        self.nesting.run = 0;
    }

    /// A backtick-quoted name; an unterminated one is left for pest to report.
    fn backtick(&mut self) {
        let mut pos = self.pos + 1;
        while pos < self.bytes.len() {
            if self.bytes[pos] == b'`' {
                if self.bytes.get(pos + 1) == Some(&b'`') {
                    pos += 2;
                    continue;
                }
                self.pos = pos + 1;
                return;
            }
            pos += 1;
        }
        self.pos = self.bytes.len();
    }

    /// A nestable block comment; returns false if scanning must stop.
    fn block_comment(&mut self) -> bool {
        let start = self.pos;
        let mut depth = 0usize;
        let mut pos = start;
        while pos < self.bytes.len() {
            if self.bytes[pos..].starts_with(b"/*") {
                depth += 1;
                if depth > MAX_DEPTH {
                    self.errors.push(EqlError::TooDeep {
                        limit: MAX_DEPTH,
                        span: Span::from_range(pos..pos + 2),
                    });
                    return false;
                }
                pos += 2;
            } else if self.bytes[pos..].starts_with(b"*/") {
                depth -= 1;
                pos += 2;
                if depth == 0 {
                    self.pos = pos;
                    return true;
                }
            } else {
                pos += 1;
            }
        }
        self.errors
            .push(EqlError::UnterminatedComment { span: Span::from_range(start..start + 2) });
        false
    }
}

/// Offset of the first unescaped `quote` in `body` (a backslash escapes the next byte).
fn closing_quote(body: &[u8], quote: u8) -> Option<usize> {
    let mut index = 0;
    while index < body.len() {
        match body[index] {
            b'\\' => index += 2,
            b if b == quote => return Some(index),
            _ => index += 1,
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<String> {
        use miette::Diagnostic;
        prescan(text).iter().map(|e| e.code().map(|c| c.to_string()).unwrap_or_default()).collect()
    }

    #[test]
    fn clean_queries_pass() {
        assert!(
            codes(r#"process where a == "x\"y" and b : """raw"with"quotes""" /* c /* d */ */"#)
                .is_empty()
        );
        assert!(codes("process where `we'ird` == 1 // it's fine\n").is_empty());
    }

    #[test]
    fn reports_every_single_quoted_string() {
        assert_eq!(
            codes("a where b == 'x' or c == 'y'"),
            ["eql::single_quoted_string", "eql::single_quoted_string"]
        );
    }

    #[test]
    fn reports_lexical_errors() {
        assert_eq!(codes(r#"a where b == ?"x""#), ["eql::question_mark_string"]);
        assert_eq!(codes("a where b == \"x\nor c"), ["eql::unterminated_string"]);
        assert_eq!(codes("a where b /* /* */"), ["eql::unterminated_comment"]);
    }

    #[test]
    fn bounds_nesting() {
        let ok = format!("a where {}b{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(codes(&ok).is_empty());
        let deep = format!("a where {}b{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert_eq!(codes(&deep), ["eql::too_deep"]);
        let nots = format!("a where {}b", "not (a and ".repeat(MAX_DEPTH / 2 + 1));
        assert_eq!(codes(&nots), ["eql::too_deep"]);
        let comments = format!("a where b {}", "/*".repeat(MAX_DEPTH + 1));
        assert_eq!(codes(&comments), ["eql::too_deep"]);
    }

    #[test]
    fn bounds_length() {
        assert_eq!(codes(&" ".repeat(MAX_QUERY_BYTES + 1)), ["eql::too_long"]);
    }
}
