//! Kibana's parse tree as an s-expression, in the notation of `shared/conformance/kql/README.md`.
//!
//! Kibana distributes the field of a value list into each leaf (`f:(a or b)` is
//! `or(is(f, a), is(f, b))`), writes free text as `is(null, value)` and the empty query as
//! `is(*, *)`; this printer does the same so the output compares with the conformance trees.

use std::fmt::Write as _;

use crate::ast::{
    Field, FieldName, Node, NodeKind, Value, ValueExpr, ValueExprKind, ValueKind, Wildcard,
    WildcardPart,
};

/// Kibana's tree for `node`, e.g. `(and (is "a" "b") (not (is null W"c*")))`.
pub fn to_sexpr(node: &Node) -> String {
    let mut out = String::new();
    write_node(&mut out, node);
    out
}

fn write_node(out: &mut String, node: &Node) {
    match &node.kind {
        NodeKind::MatchAll => out.push_str(r#"(is W"*" W"*")"#),
        NodeKind::Or(children) => write_list(out, "or", children, write_node),
        NodeKind::And(children) => write_list(out, "and", children, write_node),
        NodeKind::Not(child) => {
            out.push_str("(not ");
            write_node(out, child);
            out.push(')');
        }
        NodeKind::Field { field, values } => write_values(out, &field_atom(field), values),
        NodeKind::FreeText(value) => write_is(out, "null", value),
        NodeKind::Range { field, op, value } => {
            let _ = write!(
                out,
                "(range {} {} {})",
                field_atom(field),
                op.kibana_name(),
                value_atom(value)
            );
        }
        NodeKind::Nested { path, query } => {
            let _ = write!(out, "(nested {} ", field_atom(path));
            write_node(out, query);
            out.push(')');
        }
    }
}

fn write_list<T>(out: &mut String, name: &str, children: &[T], write: impl Fn(&mut String, &T)) {
    out.push('(');
    out.push_str(name);
    for child in children {
        out.push(' ');
        write(out, child);
    }
    out.push(')');
}

fn write_values(out: &mut String, field: &str, values: &ValueExpr) {
    match &values.kind {
        ValueExprKind::Or(children) => {
            write_list(out, "or", children, |out, child| write_values(out, field, child));
        }
        ValueExprKind::And(children) => {
            write_list(out, "and", children, |out, child| write_values(out, field, child));
        }
        ValueExprKind::Not(child) => {
            out.push_str("(not ");
            write_values(out, field, child);
            out.push(')');
        }
        ValueExprKind::Value(value) => write_is(out, field, value),
    }
}

fn write_is(out: &mut String, field: &str, value: &Value) {
    let _ = write!(out, "(is {field} {})", value_atom(value));
}

/// The atom for a field: `"name"`, `q"name"`, `W"pattern"`, or the bare `null`/`true`/`false`
/// an unquoted literal of that exact text becomes in Kibana.
fn field_atom(field: &Field) -> String {
    match &field.name {
        FieldName::Null => "null".to_owned(),
        FieldName::Wildcard(pattern) => wildcard_atom(pattern),
        FieldName::Exact(name) if field.quoted => format!("q{}", json_string(name)),
        FieldName::Exact(name) if name == "true" || name == "false" => name.clone(),
        FieldName::Exact(name) => json_string(name),
    }
}

fn value_atom(value: &Value) -> String {
    match &value.kind {
        ValueKind::Quoted(text) => format!("q{}", json_string(text)),
        ValueKind::Unquoted(text) => json_string(text),
        ValueKind::Wildcard(pattern) => wildcard_atom(pattern),
        ValueKind::Null => "null".to_owned(),
        ValueKind::Bool(b) => b.to_string(),
    }
}

/// `W"…"`: `*` for [`WildcardPart::Any`], `\*` and `\\` for a literal asterisk and backslash.
fn wildcard_atom(pattern: &Wildcard) -> String {
    let mut text = String::new();
    for part in &pattern.parts {
        match part {
            WildcardPart::Any => text.push('*'),
            WildcardPart::Literal(literal) => {
                for c in literal.chars() {
                    if c == '*' || c == '\\' {
                        text.push('\\');
                    }
                    text.push(c);
                }
            }
        }
    }
    format!("W{}", json_string(&text))
}

/// A JSON string literal as Python's `json.dumps(ensure_ascii=False)` writes it.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
