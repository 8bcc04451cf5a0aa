//! `Display` for the AST: prints valid KQL that parses back to the same tree.
//!
//! Unquoted text is re-escaped (special characters, tabs and newlines, keywords that
//! Kibana's grammar would otherwise read as `or`/`and`/`not`), and parentheses are added
//! wherever the tree's nesting needs them.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::ast::{
    Field, FieldName, Node, NodeKind, Query, Value, ValueExpr, ValueExprKind, ValueKind, Wildcard,
    WildcardPart,
};

impl Display for Query {
    /// The empty string for a match-all query, else the root node.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.root.kind {
            NodeKind::MatchAll => Ok(()),
            _ => self.root.fmt(f),
        }
    }
}

impl Display for Node {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            // Only an empty query means match-all; elsewhere `*:*` is the same search.
            NodeKind::MatchAll => f.write_str("*:*"),
            NodeKind::Or(children) => {
                join(f, children, " or ", |n| matches!(n.kind, NodeKind::Or(_)))
            }
            NodeKind::And(children) => {
                join(f, children, " and ", |n| matches!(n.kind, NodeKind::Or(_) | NodeKind::And(_)))
            }
            NodeKind::Not(child) => {
                f.write_str("not ")?;
                let group =
                    matches!(child.kind, NodeKind::Or(_) | NodeKind::And(_) | NodeKind::Not(_));
                parenthesised(f, child, group)
            }
            NodeKind::Field { field, values } => {
                write!(f, "{field}:")?;
                let group = !matches!(values.kind, ValueExprKind::Value(_));
                parenthesised(f, values, group)
            }
            NodeKind::FreeText(value) => value.fmt(f),
            NodeKind::Range { field, op, value } => write!(f, "{field} {} {value}", op.symbol()),
            NodeKind::Nested { path, query } => write!(f, "{path}:{{ {query} }}"),
        }
    }
}

impl Display for ValueExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ValueExprKind::Or(children) => {
                join(f, children, " or ", |v| matches!(v.kind, ValueExprKind::Or(_)))
            }
            ValueExprKind::And(children) => join(f, children, " and ", |v| {
                matches!(v.kind, ValueExprKind::Or(_) | ValueExprKind::And(_))
            }),
            ValueExprKind::Not(child) => {
                f.write_str("not ")?;
                let group = !matches!(child.kind, ValueExprKind::Value(_));
                parenthesised(f, child, group)
            }
            ValueExprKind::Value(value) => value.fmt(f),
        }
    }
}

fn join<T: Display>(
    f: &mut Formatter<'_>,
    children: &[T],
    separator: &str,
    needs_group: impl Fn(&T) -> bool,
) -> fmt::Result {
    for (i, child) in children.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        parenthesised(f, child, needs_group(child))?;
    }
    Ok(())
}

fn parenthesised(f: &mut Formatter<'_>, item: &impl Display, group: bool) -> fmt::Result {
    if group { write!(f, "({item})") } else { item.fmt(f) }
}

impl Display for Field {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.name {
            FieldName::Exact(name) if self.quoted => write_quoted(f, name),
            // An unquoted `true`/`false` field stays that name; only `null` would change
            // meaning, and the parser never yields it as an exact name.
            FieldName::Exact(name) if name.is_empty() => f.write_str("\\t"),
            FieldName::Exact(name) => write_escaped(f, name, true),
            FieldName::Wildcard(pattern) => write_pattern(f, pattern),
            FieldName::Null => f.write_str("null"),
        }
    }
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ValueKind::Quoted(text) => write_quoted(f, text),
            ValueKind::Unquoted(text) => write_unquoted_text(f, text),
            ValueKind::Wildcard(pattern) => write_pattern(f, pattern),
            ValueKind::Null => f.write_str("null"),
            ValueKind::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl Display for Wildcard {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_pattern(f, self)
    }
}

fn write_quoted(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\n' => f.write_str("\\n")?,
            c if c.is_control() => write_code_point(f, c)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// `\uXXXX`, which Kibana decodes back to `c` in quoted and unquoted text alike (every
/// control character is in the Basic Multilingual Plane, so four digits suffice).
fn write_code_point(f: &mut Formatter<'_>, c: char) -> fmt::Result {
    write!(f, "\\u{:04x}", u32::from(c))
}

/// An unquoted string literal. Kibana trims the text, so an empty string is written as an
/// escaped tab. (`null`/`true`/`false` cannot be unquoted strings in Kibana: the parser
/// yields [`ValueKind::Null`]/[`ValueKind::Bool`] for them, whatever escapes spell them.)
fn write_unquoted_text(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    if text.is_empty() { f.write_str("\\t") } else { write_escaped(f, text, true) }
}

fn write_pattern(f: &mut Formatter<'_>, pattern: &Wildcard) -> fmt::Result {
    let last = pattern.parts.len().saturating_sub(1);
    for (i, part) in pattern.parts.iter().enumerate() {
        match part {
            WildcardPart::Any => f.write_char('*')?,
            WildcardPart::Literal(text) => write_escaped(f, text, i == last)?,
        }
    }
    Ok(())
}

/// Writes `text` so Kibana's `UnquotedCharacter` rule reads it back unchanged.
///
/// `at_end` says whether the text ends the whole literal: a `not` there could meet
/// whitespace printed after the literal.
fn write_escaped(f: &mut Formatter<'_>, text: &str, at_end: bool) -> fmt::Result {
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        let rest = &text[i..];
        // `or`/`and` are keywords only after whitespace (`Space+ 'or'i Space+`).
        let after_space = previous == Some(' ');
        match c {
            '\\' | '(' | ')' | ':' | '<' | '>' | '"' | '*' | '{' | '}' => write!(f, "\\{c}")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\n' => f.write_str("\\n")?,
            // U+00A0 is whitespace to Kibana; control characters are escaped so that the
            // printed text holds none.
            c if c == '\u{A0}' || c.is_control() => write_code_point(f, c)?,
            'o' | 'O' | 'a' | 'A'
                if after_space
                    && (keyword_at(rest, "or", at_end) || keyword_at(rest, "and", at_end)) =>
            {
                write!(f, "\\{c}")?;
            }
            // `\not` would be a newline: escape the `n` as a code point instead.
            'n' | 'N' if keyword_at(rest, "not", at_end) => write_code_point(f, c)?,
            c => f.write_char(c)?,
        }
        previous = Some(c);
    }
    Ok(())
}

/// True if `rest` starts with `keyword` (any case) followed by a space, or by the end of
/// the whole literal (whitespace may follow it in the printed query).
fn keyword_at(rest: &str, keyword: &str, at_end: bool) -> bool {
    rest.get(..keyword.len()).is_some_and(|w| w.eq_ignore_ascii_case(keyword)) && {
        let after = &rest[keyword.len()..];
        after.starts_with(' ') || (after.is_empty() && at_end)
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::{Node, NodeKind, ValueExprKind, ValueKind};

    /// The value of the query's only `field:value` node.
    fn value_kind(query: &str) -> ValueKind {
        let parsed = crate::parse(query).unwrap_or_else(|e| panic!("{query:?}: {:?}", e.errors));
        let Node { kind: NodeKind::Field { values, .. }, .. } = parsed.root else {
            panic!("{query:?} is not a field query");
        };
        let ValueExprKind::Value(value) = values.kind else { panic!("{query:?}: not one value") };
        value.kind
    }

    #[test]
    fn control_characters_print_as_code_point_escapes() {
        for c in ['\u{0}', '\u{1}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{7f}', '\u{85}'] {
            for text in [format!("a{c}b"), format!("{c}"), format!("{c}x{c}")] {
                let query = format!("f:\"{}\"", text.replace('\\', "\\\\"));
                let quoted = value_kind(&query);
                assert_eq!(quoted, ValueKind::Quoted(text.clone()));
                let printed = crate::parse(&query).unwrap().to_string();
                assert!(!printed.contains(c), "{printed:?} holds {c:?}");
                assert_eq!(
                    printed,
                    format!("f:\"{}\"", text.replace(c, &format!("\\u{:04x}", u32::from(c))))
                );
                assert_eq!(value_kind(&printed), quoted, "{printed:?}");
            }
            let unquoted = format!("f:a\\u{:04x}b", u32::from(c));
            let kind = value_kind(&unquoted);
            assert_eq!(kind, ValueKind::Unquoted(format!("a{c}b")));
            let printed = crate::parse(&unquoted).unwrap().to_string();
            assert_eq!(printed, unquoted);
            assert_eq!(value_kind(&printed), kind);
        }
    }
}
