//! Builds the typed AST from pest's pairs; the only code that touches [`Pair`].
//!
//! Each function takes the pair of one grammar rule. The grammar guarantees the shape of
//! the children, so a missing child can only mean a bug in this file; it yields an empty
//! node rather than a panic.

use pest::iterators::Pair;
use rule_span::Span;

use super::literal::{Unquoted, decode_quoted, decode_unquoted};
use super::pest::Rule;
use crate::ast::{
    Field, FieldName, Node, NodeKind, RangeOp, Value, ValueExpr, ValueExprKind, ValueKind,
};

/// The root node of a `start` pair: the query, or match-all for an empty query.
pub(super) fn build_root(start: Pair<'_, Rule>, whole: Span) -> Node {
    start
        .into_inner()
        .find(|pair| pair.as_rule() == Rule::or_query)
        .map_or(Node { kind: NodeKind::MatchAll, span: whole }, build_or)
}

/// The span of a pair without the trailing whitespace an unquoted literal swallows.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let text = pair.as_str();
    let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n', '\u{A0}']);
    let start = pair.as_span().start();
    Span::from_range(start..start + trimmed.len())
}

fn build_or(pair: Pair<'_, Rule>) -> Node {
    let span = span_of(&pair);
    let children: Vec<Node> =
        pair.into_inner().filter(|p| p.as_rule() == Rule::and_query).map(build_and).collect();
    flatten(children, span, NodeKind::Or)
}

fn build_and(pair: Pair<'_, Rule>) -> Node {
    let span = span_of(&pair);
    let children: Vec<Node> =
        pair.into_inner().filter(|p| p.as_rule() == Rule::not_query).map(build_not).collect();
    flatten(children, span, NodeKind::And)
}

/// One child stands for itself; several make an n-ary node.
fn flatten(mut children: Vec<Node>, span: Span, make: fn(Vec<Node>) -> NodeKind) -> Node {
    if children.len() == 1 {
        children.pop().unwrap_or(Node { kind: NodeKind::MatchAll, span })
    } else {
        Node { kind: make(children), span }
    }
}

fn build_not(pair: Pair<'_, Rule>) -> Node {
    let span = span_of(&pair);
    let mut negated = false;
    let mut inner = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::not_keyword => negated = true,
            Rule::or_query => inner = Some(build_or(child)),
            Rule::nested_query => inner = Some(build_nested(child)),
            _ => {}
        }
    }
    let inner = inner.unwrap_or(Node { kind: NodeKind::MatchAll, span });
    if negated { Node { kind: NodeKind::Not(Box::new(inner)), span } } else { inner }
}

fn build_nested(pair: Pair<'_, Rule>) -> Node {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let Some(first) = inner.next() else {
        return Node { kind: NodeKind::MatchAll, span };
    };
    match first.as_rule() {
        Rule::field => {
            let path = build_field(first);
            let query = inner.next().map_or(Node { kind: NodeKind::MatchAll, span }, build_or);
            Node { kind: NodeKind::Nested { path, query: Box::new(query) }, span }
        }
        Rule::range_expression => build_range(first, span),
        Rule::field_value => build_field_value(first, span),
        _ => {
            let value = first.into_inner().next().map_or_else(|| empty_value(span), build_value);
            Node { kind: NodeKind::FreeText(value), span }
        }
    }
}

fn build_range(pair: Pair<'_, Rule>, span: Span) -> Node {
    let mut field = None;
    let mut op = RangeOp::Lt;
    let mut value = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::field => field = Some(build_field(child)),
            Rule::range_operator => {
                op = match child.as_str() {
                    "<=" => RangeOp::Lte,
                    ">=" => RangeOp::Gte,
                    ">" => RangeOp::Gt,
                    _ => RangeOp::Lt,
                };
            }
            _ => value = Some(build_literal(&child)),
        }
    }
    let field = field.unwrap_or_else(|| empty_field(span));
    let value = value.unwrap_or_else(|| empty_value(span));
    Node { kind: NodeKind::Range { field, op, value }, span }
}

fn build_field_value(pair: Pair<'_, Rule>, span: Span) -> Node {
    let mut inner = pair.into_inner();
    let field = inner.next().map_or_else(|| empty_field(span), build_field);
    let values = inner.next().map_or_else(
        || ValueExpr { kind: ValueExprKind::Value(empty_value(span)), span },
        build_list,
    );
    Node { kind: NodeKind::Field { field, values }, span }
}

fn build_field(pair: Pair<'_, Rule>) -> Field {
    let span = span_of(&pair);
    let Some(literal) = pair.into_inner().next() else {
        return empty_field(span);
    };
    if literal.as_rule() == Rule::quoted_string {
        return Field { name: FieldName::Exact(quoted_content(&literal)), quoted: true, span };
    }
    let name = match decode_unquoted(literal.as_str()) {
        Unquoted::Wildcard(pattern) => FieldName::Wildcard(pattern),
        // Kibana's `buildLiteralNode(null)`: the field-less `is`, i.e. free text.
        Unquoted::Text(text) if text == "null" => FieldName::Null,
        Unquoted::Text(text) => FieldName::Exact(text),
    };
    Field { name, quoted: false, span }
}

/// A `list_of_values` pair: a parenthesised `or_values` or a single `value`.
fn build_list(pair: Pair<'_, Rule>) -> ValueExpr {
    let span = span_of(&pair);
    match pair.into_inner().next() {
        Some(child) if child.as_rule() == Rule::or_values => build_or_values(child),
        Some(child) => {
            let value = build_value(child);
            ValueExpr { span: value.span, kind: ValueExprKind::Value(value) }
        }
        None => ValueExpr { kind: ValueExprKind::Value(empty_value(span)), span },
    }
}

fn build_or_values(pair: Pair<'_, Rule>) -> ValueExpr {
    let span = span_of(&pair);
    let children: Vec<ValueExpr> = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::and_values)
        .map(build_and_values)
        .collect();
    flatten_values(children, span, ValueExprKind::Or)
}

fn build_and_values(pair: Pair<'_, Rule>) -> ValueExpr {
    let span = span_of(&pair);
    let children: Vec<ValueExpr> = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::not_values)
        .map(build_not_values)
        .collect();
    flatten_values(children, span, ValueExprKind::And)
}

fn flatten_values(
    mut children: Vec<ValueExpr>,
    span: Span,
    make: fn(Vec<ValueExpr>) -> ValueExprKind,
) -> ValueExpr {
    if children.len() == 1 {
        children
            .pop()
            .unwrap_or_else(|| ValueExpr { kind: ValueExprKind::Value(empty_value(span)), span })
    } else {
        ValueExpr { kind: make(children), span }
    }
}

fn build_not_values(pair: Pair<'_, Rule>) -> ValueExpr {
    let span = span_of(&pair);
    let mut negated = false;
    let mut inner = None;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::not_keyword => negated = true,
            _ => inner = Some(build_list(child)),
        }
    }
    let inner =
        inner.unwrap_or_else(|| ValueExpr { kind: ValueExprKind::Value(empty_value(span)), span });
    if negated { ValueExpr { kind: ValueExprKind::Not(Box::new(inner)), span } } else { inner }
}

/// A `value` pair (its child is the literal).
fn build_value(pair: Pair<'_, Rule>) -> Value {
    let span = span_of(&pair);
    pair.into_inner().next().map_or_else(|| empty_value(span), |literal| build_literal(&literal))
}

/// A `quoted_string` or `unquoted_literal` pair.
fn build_literal(pair: &Pair<'_, Rule>) -> Value {
    let span = span_of(pair);
    let kind = if pair.as_rule() == Rule::quoted_string {
        ValueKind::Quoted(quoted_content(pair))
    } else {
        // Kibana's `UnquotedLiteral` action: trim, then exact `null`/`true`/`false` are JS
        // values, an unescaped `*` makes a wildcard, anything else stays a string.
        match decode_unquoted(pair.as_str()) {
            Unquoted::Wildcard(pattern) => ValueKind::Wildcard(pattern),
            Unquoted::Text(text) => match text.as_str() {
                "null" => ValueKind::Null,
                "true" => ValueKind::Bool(true),
                "false" => ValueKind::Bool(false),
                _ => ValueKind::Unquoted(text),
            },
        }
    };
    Value { kind, span }
}

fn quoted_content(pair: &Pair<'_, Rule>) -> String {
    pair.clone().into_inner().next().map(|text| decode_quoted(text.as_str())).unwrap_or_default()
}

fn empty_value(span: Span) -> Value {
    Value { kind: ValueKind::Unquoted(String::new()), span }
}

fn empty_field(span: Span) -> Field {
    Field { name: FieldName::Exact(String::new()), quoted: false, span }
}
