//! Comments: the `//` and `/* */` text the syntax tree leaves out, kept apart with their
//! spans (see [`crate::parse_with_comments`]) so that a formatter can put them back.

use std::ops::Range;

use rule_span::Span;

/// One comment of a query, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The whole comment, delimiters included: `// text` (without the line break) or
    /// `/* text */` (block comments nest, so it may hold other `/* */`).
    pub text: String,
    /// Where it is in the query.
    pub span: Span,
}

impl Comment {
    /// True for a `//` comment, which runs to the end of its line.
    pub fn is_line(&self) -> bool {
        self.text.starts_with("//")
    }
}

/// Appends the comments in `text[gap]` to `comments`. `gap` is text the grammar reads as
/// whitespace and comments only (what lies between two tokens), so the lexical rules are
/// those of `COMMENT` in `grammar/common.pest`: a line comment ends before `\r` or `\n`, a
/// block comment nests.
pub(crate) fn comments_in_gap(text: &str, gap: Range<usize>, comments: &mut Vec<Comment>) {
    let bytes = &text.as_bytes()[..gap.end];
    let mut at = gap.start;
    while at < gap.end {
        let end = if bytes[at..].starts_with(b"//") {
            bytes[at..].iter().position(|b| matches!(b, b'\r' | b'\n')).map_or(gap.end, |e| at + e)
        } else if bytes[at..].starts_with(b"/*") {
            block_comment_end(bytes, at)
        } else {
            at += 1;
            continue;
        };
        comments.push(Comment { text: text[at..end].to_owned(), span: Span::from_range(at..end) });
        at = end;
    }
}

/// The end of the block comment opening at `start` (the grammar has checked it is closed;
/// an unclosed one runs to the end of `bytes`).
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0_usize;
    let mut at = start;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"/*") {
            depth += 1;
            at += 2;
        } else if bytes[at..].starts_with(b"*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use crate::{parse, parse_with_comments};

    fn texts(query: &str) -> Vec<String> {
        let (tree, comments) = parse_with_comments(query).unwrap();
        assert_eq!(tree, parse(query).unwrap(), "{query:?}: the tree must not change");
        for comment in &comments {
            assert_eq!(comment.text, &query[comment.span.range()]);
        }
        comments.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn strings_and_quoted_names_hold_no_comments() {
        let query = r#"process where a : "//x\"/*" and `//y`.z == """/* */""" and b : "c""#;
        assert!(texts(query).is_empty());
    }

    #[test]
    fn comments_everywhere_in_source_order() {
        let query = "// head\nsequence /*1*/ by a // by\n  [process where /* x /* nested */ */ b \
                     == 1 // trail\n]\r\n  [file where c : (\"d\", /*in*/ \"e\")] | head 1 /*end*/";
        assert_eq!(
            texts(query),
            ["// head", "/*1*/", "// by", "/* x /* nested */ */", "// trail", "/*in*/", "/*end*/"]
        );
    }

    #[test]
    fn line_comments_stop_at_a_carriage_return() {
        let (_, comments) = parse_with_comments("a where b // c\r\n").unwrap();
        assert_eq!(comments[0].text, "// c");
        assert!(comments[0].is_line());
        assert_eq!(comments[0].span.range(), 10..14);
    }

    #[test]
    fn no_comments_no_entries() {
        assert!(texts("a where b / 2 == c * 3").is_empty());
    }
}
