//! Translates a Lucene regular expression (EQL `regex`/`regex~`, Elasticsearch's "Regular
//! expression syntax") into an anchored pattern for the `regex` crate.
//!
//! The parser follows Lucene's own, function for function:
//! `lucene/core/src/java/org/apache/lucene/util/automaton/RegExp.java` as of Lucene 10.2
//! (apache/lucene#14193 and #14227, February 2025), the parser of Elasticsearch 9.1 and later
//! (9.4 ships Lucene 10.4). What it means for users:
//!
//! * the whole value must match (implicitly anchored); `.` matches any character, a newline
//!   too; `^` and `$` are ordinary characters; `"..."` is a literal string; `@` is any string;
//! * `\d \D \s \S \w \W` are the ASCII classes `[0-9]`, `[ \t\n\r]`, `[0-9A-Z_a-z]` and their
//!   complements, outside and inside `[...]` (Lucene 8.6 / Elasticsearch 7.9 onwards);
//!   `\\` is a backslash; a backslash before any other ASCII letter is an error ("invalid
//!   character class"); before any other character it stands for that character;
//! * in `[...]` a character followed by `-` starts a range whose end may be any character
//!   (`]` too); an escaped character is a single character and never starts a range;
//! * case-insensitive matching (`regex~`, Lucene's `ASCII_CASE_INSENSITIVE`, which since
//!   Lucene 10.2 folds Unicode simple case) applies to literal characters only: not to
//!   ranges, predefined classes or escaped characters inside a class (unless the class holds
//!   that one character alone), so `regex~ "[a-z]"` does not match `A` (apache/lucene#14378);
//! * a repetition sign with nothing to repeat, or `|`, `)` or `&` at the start of an
//!   alternative, is a literal character (Lucene's `parseSimpleExp` takes any character).
//!
//! Optional operators Elasticsearch enables but the `regex` crate cannot express — `~`
//! complement, `&` intersection, `<n-m>` numeric intervals and `<name>` automata, `#` the
//! empty language — are refused rather than mistranslated.

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
use std::fmt::Write as _;

/// Why a pattern was not translated.
#[derive(Debug, PartialEq)]
pub(crate) enum RegexError {
    /// `\q`: a backslash before an ASCII letter that names no class (Lucene rejects it).
    InvalidClass(char),
    /// A construct Lucene accepts that has no `regex` crate equivalent; names it.
    Unsupported(&'static str),
    /// A pattern Lucene rejects too; Lucene's message (positions count characters).
    Syntax(String),
}

/// Parentheses nested deeper than this are refused (the translation recurses on them).
const MAX_DEPTH: usize = 100;

const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Translates `pattern`; `case_insensitive` is `regex~`.
pub(crate) fn translate(pattern: &str, case_insensitive: bool) -> Result<String, RegexError> {
    let mut parser =
        Parser { chars: pattern.chars().collect(), pos: 0, case_insensitive, depth: 0 };
    // `RegExp(String)`: the empty pattern is the empty string.
    let body = if parser.chars.is_empty() { String::new() } else { parser.union()? };
    if parser.more() {
        return Err(RegexError::Syntax(format!(
            "end-of-string expected at position {}",
            parser.pos
        )));
    }
    Ok(format!("(?s)^(?:{body})$"))
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    case_insensitive: bool,
    depth: usize,
}

type Parsed = Result<String, RegexError>;

impl Parser {
    fn more(&self) -> bool {
        self.pos < self.chars.len()
    }

    fn peek(&self, set: &str) -> bool {
        self.chars.get(self.pos).is_some_and(|c| set.contains(*c))
    }

    fn matches(&mut self, c: char) -> bool {
        let found = self.chars.get(self.pos) == Some(&c);
        self.pos += usize::from(found);
        found
    }

    fn next(&mut self) -> Result<char, RegexError> {
        let c = *self
            .chars
            .get(self.pos)
            .ok_or_else(|| RegexError::Syntax("unexpected end-of-string".into()))?;
        self.pos += 1;
        Ok(c)
    }

    fn expected(&self, what: char) -> RegexError {
        RegexError::Syntax(format!("expected '{what}' at position {}", self.pos))
    }

    /// `parseUnionExp`: alternatives separated by `|`.
    fn union(&mut self) -> Parsed {
        let mut alternatives = vec![self.intersection()?];
        while self.matches('|') {
            alternatives.push(self.intersection()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            format!("(?:{})", alternatives.join("|"))
        })
    }

    /// `parseInterExp`.
    fn intersection(&mut self) -> Parsed {
        let concatenation = self.concatenation()?;
        if self.matches('&') {
            return Err(RegexError::Unsupported("the intersection operator `&`"));
        }
        Ok(concatenation)
    }

    /// `parseConcatExp`: at least one repeat expression, then more until `)`, `|` or `&`.
    fn concatenation(&mut self) -> Parsed {
        let mut out = self.repeat()?;
        while self.more() && !self.peek(")|&") {
            out.push_str(&self.repeat()?);
        }
        Ok(out)
    }

    /// `parseRepeatExp`: `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`, any number of times.
    fn repeat(&mut self) -> Parsed {
        let mut out = self.complement()?;
        while self.peek("?*+{") {
            let sign = self.next()?;
            let suffix = if sign == '{' { self.bounds()? } else { sign.to_string() };
            out = if is_atom(&out) { out + &suffix } else { format!("(?:{out}){suffix}") };
        }
        Ok(out)
    }

    /// The rest of `{n}`, `{n,}` or `{n,m}` after its `{`, as `regex` crate syntax.
    fn bounds(&mut self) -> Parsed {
        let min = self.digits().ok_or_else(|| {
            RegexError::Syntax(format!("integer expected at position {}", self.pos))
        })?;
        let (max, text) = if self.matches(',') {
            match self.digits() {
                Some(max) => (max, format!("{{{min},{max}}}")),
                None => (u64::MAX, format!("{{{min},}}")),
            }
        } else {
            (min, format!("{{{min}}}"))
        };
        if !self.matches('}') {
            return Err(self.expected('}'));
        }
        if max < min {
            return Err(RegexError::Syntax(format!(
                "invalid repetition range(out of order): {min}..{max}"
            )));
        }
        Ok(text)
    }

    fn digits(&mut self) -> Option<u64> {
        let start = self.pos;
        while self.peek("0123456789") {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        // Lucene's `Integer.parseInt` fails on an overflow; the `regex` crate's size limit
        // refuses such counts long before, so saturating changes no outcome.
        (start != self.pos).then(|| text.parse().unwrap_or(u64::MAX))
    }

    /// `parseComplExp`.
    fn complement(&mut self) -> Parsed {
        if self.matches('~') {
            return Err(RegexError::Unsupported("the complement operator `~`"));
        }
        if self.matches('[') { self.class() } else { self.simple() }
    }

    /// `parseSimpleExp`.
    fn simple(&mut self) -> Parsed {
        let Some(&c) = self.chars.get(self.pos) else {
            return Err(RegexError::Syntax("unexpected end-of-string".into()));
        };
        self.pos += 1;
        match c {
            '.' => Ok(".".into()),
            '#' => Err(RegexError::Unsupported("the empty language `#`")),
            '@' => Ok(".*".into()),
            '"' => {
                let mut out = String::new();
                while self.more() && !self.peek("\"") {
                    let c = self.next()?;
                    self.push_char(&mut out, c);
                }
                if !self.matches('"') {
                    return Err(self.expected('"'));
                }
                Ok(out)
            }
            '(' => {
                if self.matches(')') {
                    return Ok("(?:)".into());
                }
                if self.depth == MAX_DEPTH {
                    return Err(RegexError::Syntax(format!(
                        "parentheses nested more than {MAX_DEPTH} deep"
                    )));
                }
                self.depth += 1;
                let inner = self.union()?;
                self.depth -= 1;
                if !self.matches(')') {
                    return Err(self.expected(')'));
                }
                // Alternatives come back in a group already; a sequence needs none.
                Ok(inner)
            }
            '<' => Err(RegexError::Unsupported("numeric intervals `<n-m>`")),
            '\\' if self.peek(LETTERS) || self.peek("\\") => {
                let mut ranges = Vec::new();
                self.predefined(&mut ranges)?;
                Ok(class_text(&ranges, false))
            }
            '\\' => {
                let c = self.next()?;
                let mut out = String::new();
                self.push_char(&mut out, c);
                Ok(out)
            }
            c => {
                let mut out = String::new();
                self.push_char(&mut out, c);
                Ok(out)
            }
        }
    }

    /// `parseCharClassExp` and `parseCharClasses`, after the `[`.
    fn class(&mut self) -> Parsed {
        let negated = self.matches('^');
        let mut ranges: Vec<(char, char)> = Vec::new();
        loop {
            if self.matches('\\') {
                if self.peek(LETTERS) || self.peek("\\") {
                    self.predefined(&mut ranges)?;
                } else {
                    let c = self.next()?;
                    ranges.push((c, c));
                }
            } else {
                let c = self.next()?;
                if self.matches('-') {
                    self.matches('\\');
                    ranges.push((c, self.next()?));
                } else if self.case_insensitive {
                    ranges.extend(case_forms(c));
                } else {
                    ranges.push((c, c));
                }
            }
            if !self.more() || self.peek("]") {
                break;
            }
        }
        if let Some(&(from, to)) = ranges.iter().find(|(from, to)| from > to) {
            return Err(RegexError::Syntax(format!(
                "invalid range: from ({}) cannot be > to ({})",
                u32::from(from),
                u32::from(to)
            )));
        }
        // A class of one character is Lucene's `makeChar`, which folds case like a literal.
        if let [(from, to)] = ranges[..]
            && from == to
            && self.case_insensitive
        {
            ranges = case_forms(from);
        }
        if !self.matches(']') {
            return Err(self.expected(']'));
        }
        Ok(class_text(&ranges, negated))
    }

    /// `expandPreDefined`, after a `\` followed by a letter or a backslash.
    fn predefined(&mut self, ranges: &mut Vec<(char, char)>) -> Result<(), RegexError> {
        const MAX: char = char::MAX;
        let c = self.next()?;
        let expansion: &[(char, char)] = match c {
            '\\' => &[('\\', '\\')],
            'd' => &[('0', '9')],
            'D' => &[('\0', '/'), (':', MAX)],
            's' => &[('\t', '\n'), ('\r', '\r'), (' ', ' ')],
            'S' => &[('\0', '\x08'), ('\x0b', '\x0c'), ('\x0e', '\x1f'), ('!', MAX)],
            'w' => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
            'W' => &[('\0', '/'), (':', '@'), ('[', '^'), ('`', '`'), ('{', MAX)],
            other => return Err(RegexError::InvalidClass(other)),
        };
        ranges.extend_from_slice(expansion);
        Ok(())
    }

    /// A literal character, with its other cases when matching case-insensitively.
    fn push_char(&self, out: &mut String, c: char) {
        if self.case_insensitive {
            let forms = case_forms(c);
            if forms.len() > 1 || forms[0].0 != forms[0].1 {
                out.push_str(&class_text(&forms, false));
                return;
            }
        }
        push_literal(out, c);
    }
}

/// `c` and the characters it folds to under Unicode simple case folding (Lucene 10.2's
/// `toCaseInsensitiveChar`: `CaseFolding.lookupAlternates`, else upper/lower case).
fn case_forms(c: char) -> Vec<(char, char)> {
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    class.case_fold_simple();
    class.ranges().iter().map(|range| (range.start(), range.end())).collect()
}

/// A bracket class of `ranges` in `regex` crate syntax.
fn class_text(ranges: &[(char, char)], negated: bool) -> String {
    let mut out = String::from(if negated { "[^" } else { "[" });
    for &(from, to) in ranges {
        push_literal(&mut out, from);
        if to != from {
            out.push('-');
            push_literal(&mut out, to);
        }
    }
    out.push(']');
    out
}

/// Whether `text` (this module's output) is one unit a repetition sign may follow: a
/// character, `.`, a class or a group. Structural brackets are the only unescaped ones.
fn is_atom(text: &str) -> bool {
    let closing = match text.as_bytes().first() {
        Some(b'[') => text.find(']'),
        Some(b'\\') => text.find('}'),
        Some(b'(') => {
            let mut depth = 0usize;
            text.char_indices().find_map(|(at, c)| {
                depth = match c {
                    '(' => depth + 1,
                    ')' => depth - 1,
                    _ => depth,
                };
                (c == ')' && depth == 0).then_some(at)
            })
        }
        _ => return text.chars().count() == 1,
    };
    closing == Some(text.len() - 1)
}

fn push_literal(out: &mut String, c: char) {
    if c.is_alphanumeric() || c == '_' || c == ' ' {
        out.push(c);
    } else {
        let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
    }
}

#[cfg(test)]
mod tests {
    use super::{RegexError, translate};

    #[test]
    fn translations() {
        assert_eq!(translate(r"\d+", false).unwrap(), "(?s)^(?:[0-9]+)$");
        assert_eq!(translate("a{2}b{1,}c{0,3}", false).unwrap(), "(?s)^(?:a{2}b{1,}c{0,3})$");
        assert_eq!(translate("", false).unwrap(), "(?s)^(?:)$");
        assert_eq!(translate("k", true).unwrap(), "(?s)^(?:[Kk\u{212A}])$");
        assert_eq!(translate("[a-c]", true).unwrap(), "(?s)^(?:[a-c])$");
        assert_eq!(translate(r"\q", false), Err(RegexError::InvalidClass('q')));
        assert_eq!(
            translate("a)", false),
            Err(RegexError::Syntax("end-of-string expected at position 1".into()))
        );
        let deep = "(".repeat(200) + &")".repeat(200);
        assert!(matches!(translate(&deep, false), Err(RegexError::Syntax(_))));
    }
}
