//! Decoding the text of a literal the grammar has matched: escapes, wildcards and trimming.
//!
//! The grammar decides where a literal starts and ends; two logos lexers (one for unquoted,
//! one for quoted text) then decode it in one flat pass. The rules are Kibana's
//! `grammar.peggy` (`UnquotedCharacter`, `QuotedCharacter`, `UnquotedLiteral`).

use logos::Logos;

use crate::ast::{Wildcard, WildcardPart};

/// A lexer error: text the grammar should not have let through. It is kept literally.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct UnexpectedText;

/// Tokens of an unquoted literal (`UnquotedCharacter` in Kibana's grammar).
#[derive(Logos, Debug, PartialEq)]
#[logos(error = UnexpectedText)]
enum UnquotedToken {
    /// `\t`, `\r`, `\n`: escaped whitespace. `\not` is `\n` + `ot`, as in Kibana.
    #[regex(r"\\[trn]")]
    EscapedWhitespace,
    /// `\` + one of `\ ( ) : < > " * { }`.
    #[regex(r#"\\[\\():<>"*{}]"#)]
    EscapedSpecial,
    /// `\uXXXX`: one UTF-16 code unit.
    #[regex(r"\\u[0-9a-fA-F]{4}")]
    EscapedUnicode,
    /// `\or`, `\and` (any case) and `\not` with a capital `N` (lower-case `\n` is a newline).
    #[regex(r"\\(?i:or|and)|\\N(?i:ot)")]
    EscapedKeyword,
    /// An unescaped `*`: the wildcard.
    #[token("*")]
    Star,
    /// A run of ordinary characters.
    #[regex(r"[^\\*]+")]
    Text,
}

/// Tokens of a quoted string's content (`QuotedCharacter` in Kibana's grammar).
#[derive(Logos, Debug, PartialEq)]
#[logos(error = UnexpectedText)]
enum QuotedToken {
    /// `\t`, `\r`, `\n`: escaped whitespace.
    #[regex(r"\\[trn]")]
    EscapedWhitespace,
    /// `\uXXXX`: one UTF-16 code unit.
    #[regex(r"\\u[0-9a-fA-F]{4}")]
    EscapedUnicode,
    /// `\\` or `\"`.
    #[regex(r#"\\[\\"]"#)]
    EscapedQuoteOrBackslash,
    /// A backslash that starts no escape: kept as a literal backslash.
    #[token("\\")]
    LoneBackslash,
    /// A run of ordinary characters (raw newlines included).
    #[regex(r"[^\\]+")]
    Text,
}

/// A decoded unquoted literal, before Kibana's `null`/`true`/`false` reading.
#[derive(Debug, PartialEq)]
pub(crate) enum Unquoted {
    /// No unescaped `*`: the trimmed text.
    Text(String),
    /// At least one unescaped `*`: the trimmed pattern.
    Wildcard(Wildcard),
}

/// Decodes an unquoted literal: escapes, `*` markers, then JavaScript's `trim()`.
pub(crate) fn decode_unquoted(raw: &str) -> Unquoted {
    let mut parts: Vec<WildcardPart> = Vec::new();
    let mut text = String::new();
    let mut units = Utf16Units::default();
    let mut lexer = UnquotedToken::lexer(raw);
    while let Some(token) = lexer.next() {
        let slice = lexer.slice();
        if token != Ok(UnquotedToken::EscapedUnicode) {
            units.flush(&mut text);
        }
        match token {
            Ok(UnquotedToken::EscapedWhitespace) => text.push(escaped_whitespace(slice)),
            Ok(UnquotedToken::EscapedSpecial | UnquotedToken::EscapedKeyword) => {
                text.push_str(&slice[1..]);
            }
            Ok(UnquotedToken::EscapedUnicode) => units.push(hex_unit(slice), &mut text),
            Ok(UnquotedToken::Star) => {
                if !text.is_empty() {
                    parts.push(WildcardPart::Literal(std::mem::take(&mut text)));
                }
                parts.push(WildcardPart::Any);
            }
            Ok(UnquotedToken::Text) | Err(UnexpectedText) => text.push_str(slice),
        }
    }
    units.flush(&mut text);
    if parts.is_empty() {
        return Unquoted::Text(js_trim(&text).to_owned());
    }
    if !text.is_empty() {
        parts.push(WildcardPart::Literal(text));
    }
    Unquoted::Wildcard(Wildcard { parts: trim_pattern(parts) })
}

/// Decodes the content of a quoted string (the text between the quotes).
pub(crate) fn decode_quoted(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut units = Utf16Units::default();
    let mut lexer = QuotedToken::lexer(raw);
    while let Some(token) = lexer.next() {
        let slice = lexer.slice();
        if token != Ok(QuotedToken::EscapedUnicode) {
            units.flush(&mut text);
        }
        match token {
            Ok(QuotedToken::EscapedWhitespace) => text.push(escaped_whitespace(slice)),
            Ok(QuotedToken::EscapedUnicode) => units.push(hex_unit(slice), &mut text),
            Ok(QuotedToken::EscapedQuoteOrBackslash) => text.push_str(&slice[1..]),
            Ok(QuotedToken::LoneBackslash | QuotedToken::Text) | Err(UnexpectedText) => {
                text.push_str(slice);
            }
        }
    }
    units.flush(&mut text);
    text
}

fn escaped_whitespace(slice: &str) -> char {
    match slice.as_bytes().get(1) {
        Some(b't') => '\t',
        Some(b'r') => '\r',
        _ => '\n',
    }
}

fn hex_unit(slice: &str) -> u16 {
    u16::from_str_radix(&slice[2..], 16).unwrap_or(0xFFFD)
}

/// UTF-16 code units from consecutive `\uXXXX` escapes. JavaScript strings may hold lone
/// surrogates; Rust strings cannot, so a lone surrogate becomes U+FFFD.
#[derive(Default)]
struct Utf16Units(Vec<u16>);

impl Utf16Units {
    fn push(&mut self, unit: u16, out: &mut String) {
        self.0.push(unit);
        if !(0xD800..0xDC00).contains(&unit) {
            self.flush(out);
        }
    }

    fn flush(&mut self, out: &mut String) {
        out.extend(char::decode_utf16(self.0.drain(..)).map(|c| c.unwrap_or('\u{FFFD}')));
    }
}

/// JavaScript's `String.prototype.trim` whitespace (ECMA-262 `WhiteSpace` + `LineTerminator`).
pub(crate) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `text.trim()` as JavaScript does it.
pub(crate) fn js_trim(text: &str) -> &str {
    text.trim_matches(is_js_whitespace)
}

/// Kibana trims the joined pattern text; the `*` markers are not whitespace, so only the
/// first and last literal parts lose whitespace (and vanish if nothing is left).
fn trim_pattern(mut parts: Vec<WildcardPart>) -> Vec<WildcardPart> {
    if let Some(WildcardPart::Literal(first)) = parts.first_mut() {
        *first = first.trim_start_matches(is_js_whitespace).to_owned();
    }
    if let Some(WildcardPart::Literal(last)) = parts.last_mut() {
        *last = last.trim_end_matches(is_js_whitespace).to_owned();
    }
    parts.retain(|part| !matches!(part, WildcardPart::Literal(text) if text.is_empty()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str) -> WildcardPart {
        WildcardPart::Literal(text.to_owned())
    }

    #[test]
    fn unquoted_escapes() {
        assert_eq!(decode_unquoted(r"b\:c "), Unquoted::Text("b:c".into()));
        assert_eq!(decode_unquoted(r"\not tied"), Unquoted::Text("ot tied".into()));
        assert_eq!(decode_unquoted(r"\NOT \Or \and"), Unquoted::Text("NOT Or and".into()));
        assert_eq!(decode_unquoted(r"\u0041\tb"), Unquoted::Text("A\tb".into()));
        assert_eq!(decode_unquoted(r"\ud83d\ude00"), Unquoted::Text("\u{1F600}".into()));
        assert_eq!(decode_unquoted(r"\ud83dx"), Unquoted::Text("\u{FFFD}x".into()));
        assert_eq!(decode_unquoted(r"\t"), Unquoted::Text(String::new()));
    }

    #[test]
    fn unquoted_wildcards() {
        assert_eq!(
            decode_unquoted(r"b\*r*"),
            Unquoted::Wildcard(Wildcard { parts: vec![lit("b*r"), WildcardPart::Any] })
        );
        assert_eq!(
            decode_unquoted(" * bar  "),
            Unquoted::Wildcard(Wildcard { parts: vec![WildcardPart::Any, lit(" bar")] })
        );
        assert_eq!(decode_unquoted(r"\*"), Unquoted::Text("*".into()));
    }

    #[test]
    fn quoted_escapes() {
        assert_eq!(decode_quoted(r#"b\"c"#), "b\"c");
        assert_eq!(decode_quoted(r"b\\c"), "b\\c");
        assert_eq!(decode_quoted(r"b\qc"), "b\\qc");
        assert_eq!(decode_quoted(r"C:\temp"), "C:\temp");
        assert_eq!(decode_quoted(r"a*\u0041"), "a*A");
        assert_eq!(decode_quoted("two\nlines"), "two\nlines");
    }
}
