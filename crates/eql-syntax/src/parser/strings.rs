//! Decoding string literals: a logos token pass over the text between the quotes turns
//! escape sequences into characters and reports bad ones.
//!
//! Escapes follow the Elasticsearch EQL lexer (`EqlBase.g4` `STRING`, unescaped by
//! `eql/util/StringUtils.unquoteString`): `\n \r \t \" \\`, also `\b \f \'` (the lexer accepts
//! them although the syntax page lists only the first five), and `\u{XX}` with 2 to 8 hex
//! digits. Raw strings `"""..."""` are taken verbatim.

use logos::Logos;
use rule_span::Span;

use crate::error::EqlError;

/// The lexer met a byte sequence no token matches (a lone trailing backslash).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StrayBackslash;

/// A piece of the body of a double-quoted string.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(error = StrayBackslash)]
enum Piece {
    /// A run of characters without backslashes, taken as is.
    #[regex(r"[^\\]+")]
    Text,
    /// A one-character escape such as `\n` or `\"`.
    #[regex(r#"\\[nrtbf"'\\]"#, priority = 5)]
    SimpleEscape,
    /// `\u{...}`, validated after lexing (the braces and digits may be wrong).
    #[regex(r"\\u\{[0-9A-Za-z]*\}?", priority = 5)]
    UnicodeEscape,
    /// Any other backslash sequence: always an error.
    #[regex(r"\\(.|\n)", priority = 1)]
    UnknownEscape,
}

/// Decodes the body (between the quotes) of a `"..."` string whose body starts at byte
/// `offset` of the query; bad escapes are pushed to `errors` and left out of the result.
pub(crate) fn decode_quoted(body: &str, offset: usize, errors: &mut Vec<EqlError>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut lexer = Piece::lexer(body);
    while let Some(piece) = lexer.next() {
        let text = lexer.slice();
        let span = Span::from_range(offset + lexer.span().start..offset + lexer.span().end);
        match piece {
            Ok(Piece::Text) => out.push_str(text),
            Ok(Piece::SimpleEscape) => out.push(simple_escape(text)),
            Ok(Piece::UnicodeEscape) => match unicode_escape(text) {
                Ok(ch) => out.push(ch),
                Err(reason) => errors.push(EqlError::InvalidUnicodeEscape {
                    sequence: text.to_owned(),
                    reason,
                    span,
                }),
            },
            Ok(Piece::UnknownEscape) | Err(StrayBackslash) => {
                errors.push(EqlError::InvalidEscape { sequence: text.to_owned(), span });
            }
        }
    }
    out
}

/// The body of a raw string `"""..."""`: no escape processing.
pub(crate) fn decode_raw(text: &str) -> String {
    text.get(3..text.len().saturating_sub(3)).unwrap_or_default().to_owned()
}

fn simple_escape(text: &str) -> char {
    match text.as_bytes().get(1) {
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'\'') => '\'',
        Some(b'"') => '"',
        _ => '\\',
    }
}

fn unicode_escape(text: &str) -> Result<char, &'static str> {
    let Some(digits) = text.strip_prefix("\\u{").and_then(|rest| rest.strip_suffix('}')) else {
        return Err("missing closing `}`");
    };
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("not a hex number");
    }
    if !(2..=8).contains(&digits.len()) {
        return Err("expected 2 to 8 hex digits");
    }
    let value = u32::from_str_radix(digits, 16).map_err(|_| "not a hex number")?;
    char::from_u32(value).ok_or("not a unicode scalar value")
}

/// Writes `value` as a double-quoted EQL string, escaping what must be escaped.
pub(crate) fn write_quoted(f: &mut std::fmt::Formatter<'_>, value: &str) -> std::fmt::Result {
    use std::fmt::Write;
    f.write_char('"')?;
    for ch in value.chars() {
        match ch {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{{{:02X}}}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(body: &str) -> (String, Vec<String>) {
        let mut errors = Vec::new();
        let out = decode_quoted(body, 0, &mut errors);
        (out, errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn decodes_escapes() {
        assert_eq!(decode(r#"a\n\r\t\"\\\'\b\f"#).0, "a\n\r\t\"\\'\u{8}\u{c}");
        assert_eq!(decode(r"\u{41}\u{0001F600}\u{e9}").0, "A\u{1F600}é");
        assert_eq!(decode(r"C:\\Windows\\*").0, r"C:\Windows\*");
    }

    #[test]
    fn reports_bad_escapes() {
        assert_eq!(decode(r"a\qb").1, ["invalid escape sequence `\\q`"]);
        assert_eq!(decode(r"\u{}").1.len(), 1);
        assert_eq!(decode(r"\u{1}").1.len(), 1);
        assert_eq!(decode(r"\u{123456789}").1.len(), 1);
        assert_eq!(decode(r"\u{D800}").1.len(), 1);
        assert_eq!(decode(r"\u{12").1.len(), 1);
        assert_eq!(decode(r"\u41").1.len(), 1);
    }

    #[test]
    fn raw_strings_are_verbatim() {
        assert_eq!(decode_raw(r#""""a\n"b"""""#), r#"a\n"b""#);
        assert_eq!(decode_raw(r#""""a\n"b""""#), r#"a\n"b"#);
    }
}
