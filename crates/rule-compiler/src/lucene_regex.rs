//! Translates a Lucene regular expression (the syntax of EQL `regex`, ES "Regular expression
//! syntax" page) into an anchored pattern for the `regex` crate.
//!
//! Lucene matches the whole value (implicitly anchored), `.` matches any char including a
//! newline, `\c` is always the literal `c` (there are no `\d`/`\s`/`\w` classes), `"..."` quotes a
//! literal string, `^` and `$` are ordinary characters, and `@` (any string, an optional
//! operator ES enables) is supported. The other optional operators — `~` complement, `&`
//! intersection, `<n-m>` numeric intervals, `#` empty language — are refused with an error
//! rather than mistranslated.

use std::fmt::Write as _;

/// Translates `pattern`; `Err` names the construct that cannot be translated.
pub(crate) fn translate(pattern: &str, case_insensitive: bool) -> Result<String, String> {
    let mut out = String::from(if case_insensitive { "(?is)^(?:" } else { "(?s)^(?:" });
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => push_literal(&mut out, escaped),
                None => return Err("a trailing backslash".into()),
            },
            '"' => {
                let mut closed = false;
                for quoted in chars.by_ref() {
                    if quoted == '"' {
                        closed = true;
                        break;
                    }
                    push_literal(&mut out, quoted);
                }
                if !closed {
                    return Err("an unterminated quoted string".into());
                }
            }
            '[' => class(&mut chars, &mut out)?,
            '@' => out.push_str(".*"),
            '.' | '?' | '+' | '*' | '|' | '(' | ')' => out.push(c),
            '{' => {
                out.push('{');
                for q in chars.by_ref() {
                    if !(q.is_ascii_digit() || q == ',' || q == '}') {
                        return Err(format!("`{q}` inside a repetition"));
                    }
                    out.push(q);
                    if q == '}' {
                        break;
                    }
                }
            }
            '~' => return Err("the complement operator `~`".into()),
            '&' => return Err("the intersection operator `&`".into()),
            '<' => return Err("numeric intervals `<n-m>`".into()),
            '#' => return Err("the empty language `#`".into()),
            other => push_literal(&mut out, other),
        }
    }
    out.push_str(")$");
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if c.is_alphanumeric() || c == ' ' || c == '_' {
        out.push(c);
    } else {
        let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
    }
}

/// Copies a bracket class (after its `[`), escaping what the `regex` crate treats specially.
fn class(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
) -> Result<(), String> {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    let mut first = true;
    while let Some(c) = chars.next() {
        match c {
            ']' if !first => {
                out.push(']');
                return Ok(());
            }
            '\\' => match chars.next() {
                Some(escaped) => push_literal(out, escaped),
                None => return Err("a trailing backslash".into()),
            },
            '-' if !first && chars.peek() != Some(&']') => out.push('-'),
            other => push_literal(out, other),
        }
        first = false;
    }
    Err("an unterminated character class".into())
}

#[cfg(test)]
mod tests {
    use super::translate;

    fn is_match(pattern: &str, value: &str) -> bool {
        let re =
            regex::Regex::new(&translate(pattern, false).expect("translatable")).expect("valid");
        re.is_match(value)
    }

    #[test]
    fn lucene_semantics() {
        assert!(is_match("a.c", "abc"));
        assert!(is_match("a.c", "a\nc"));
        assert!(!is_match("abc", "xabc"));
        assert!(is_match("[a-c]+", "abcab"));
        assert!(!is_match("[^a-c]+", "abc"));
        assert!(is_match("\\d", "d"));
        assert!(is_match("a$b", "a$b"));
        assert!(is_match("\"a.b\"", "a.b"));
        assert!(!is_match("\"a.b\"", "axb"));
        assert!(is_match("ab{2,3}", "abbb"));
        assert!(is_match("(foo|bar)@", "barbaz"));
        assert!(is_match(".*?", "anything"));
        assert!(translate("~a", false).is_err());
        assert!(translate("a<1-5>", false).is_err());
        assert!(translate("[ab", false).is_err());
    }
}
